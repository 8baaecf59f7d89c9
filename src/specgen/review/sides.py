"""The two sides of a comparison: the spec files of a git revision, of the
working tree, or single files, each loaded and validated (or with the problems
that keep it from validating).

A file whose name holds a control character (a newline, ESC, BEL...), a
Unicode format or line-separator character, or bytes that are not UTF-8 is
refused as a spec name: it becomes a :class:`SideFile` with a problem, so the
comparison reports it and fails instead of skipping it. Every file under the
compared paths is checked, whatever its suffix (files in hidden folders, which
are never specs, aside), in a revision and in the working tree alike.
"""

from __future__ import annotations

import posixpath
import tempfile
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from specgen import git
from specgen.diagnostics import Diagnostic
from specgen.evidence import EvidenceError, EvidenceFile, evidence_path, is_evidence_file
from specgen.evidence.store import STORE_DIR, parse_evidence, store_root
from specgen.evidence.verify import Fetch, store_fetch
from specgen.spec import schema
from specgen.spec.loader import (
    MAX_FILE_BYTES,
    PROJECT_FILENAMES,
    SPEC_SUFFIXES,
    LoadedSpec,
    Source,
    discover_spec_files,
    load_spec_text,
    parse_source,
    read_source,
    validation_diagnostics,
)
from specgen.spec.xref import check_project, check_spec, iter_entities

__all__ = ["Side", "SideFile", "file_side", "refused_name", "revision_side", "worktree_side"]


@dataclass
class SideFile:
    """One spec file on one side: the valid spec, or why it is not valid."""

    name: str
    loaded: LoadedSpec | None
    problems: list[Diagnostic] = field(default_factory=list)
    evidence: EvidenceFile | None = None
    """The evidence file beside the spec on this side, when there is a valid one."""
    evidence_problems: list[Diagnostic] = field(default_factory=list)
    """Why the evidence file beside the spec does not validate, when it does not."""


@dataclass
class Side:
    """One side of a comparison: a revision, the working tree or a file."""

    label: str
    files: list[SideFile]
    project: schema.Project | None = None
    """The project file, when this side has one that validates."""
    project_problems: list[Diagnostic] = field(default_factory=list)
    """Why this side's project file does not validate (the comparison fails:
    its policy and sign-off roles cannot be compared)."""
    has_project: bool = False
    """This side has a project file, valid or not."""


def _project_side(label: str, files: list[SideFile], raw: bytes | None, name: str) -> Side:
    """A side with the project file ``raw`` (None: there is none), its
    cross-references checked (:func:`_check_references`)."""
    if raw is None:
        return _check_references(Side(label, files), None)
    source, problems = parse_source(raw, name)
    if source is None:
        return Side(label, files, None, problems, True)
    try:
        side = Side(label, files, schema.Project.model_validate(source.data), [], True)
    except ValidationError as exc:
        return Side(label, files, None, validation_diagnostics(schema.Project, exc, source), True)
    return _check_references(side, source)


def _check_references(side: Side, source: Source | None) -> Side:
    """The side's files as ``specgen validate`` has them: a project file or
    spec with a duplicate id or a reference to nothing (a mistyped runbook,
    role or person) does not validate either, and fails the comparison
    rather than showing as a neutral change. With a project file that does
    not validate, its people and roles are unknown: the comparison already
    fails on it, and the specs are not checked against it."""
    project = side.project if side.project is not None else schema.Project()
    if side.project is not None and source is not None:
        problems = check_project(side.project, source)
        if problems:
            side.project, side.project_problems = None, problems
            return side
    entities = list(iter_entities(project))
    for f in side.files:
        if f.loaded is not None:
            problems = check_spec(f.loaded, project, entities)
            if problems:
                f.loaded, f.problems = None, problems
    return side


_UNSAFE_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})
"""Control and format characters, surrogates (undecodable bytes) and line/paragraph separators."""


def refused_name(name: str) -> str | None:
    """Why ``name`` cannot be a spec file name (the first unsafe character), or None."""
    for ch in name:
        if unicodedata.category(ch) in _UNSAFE_CATEGORIES:
            what = "bytes that are not UTF-8" if unicodedata.category(ch) == "Cs" else f"the character U+{ord(ch):04X}"
            return f"the file name holds {what}; specgen refuses it as a spec name"
    return None


def _refused(name: str, reason: str) -> SideFile:
    return SideFile(name, None, [Diagnostic(name, 0, 0, "", reason, code="name")])


def _load_file(raw: bytes, name: str) -> SideFile:
    loaded, problems = load_spec_text(raw, name)
    return SideFile(name, loaded, problems)


def _hidden(name: str) -> bool:
    return any(p.startswith(".") for p in name.split("/")[:-1])


def _refused_on_disk(paths: Sequence[Path], root: Path | None) -> list[SideFile]:
    """Files under the folders whose names are refused (discovery only sees spec suffixes)."""
    out = []
    for folder in paths:
        if not folder.is_dir():
            continue
        for path in sorted(folder.rglob("*")):
            rel = path.relative_to(folder).as_posix()
            name = git.relative_to_root(path, root) if root else path.as_posix()
            reason = refused_name(rel)
            if reason and not _hidden(rel) and not path.is_dir():
                out.append(_refused(name, reason))
    return out


def _is_spec_name(name: str) -> bool:
    parts = name.split("/")
    base = parts[-1]
    stem, dot, suffix = base.rpartition(".")
    return (
        bool(dot)
        and f".{suffix}" in SPEC_SUFFIXES
        and base not in PROJECT_FILENAMES
        and not stem.endswith((".approvals", ".evidence"))
        and not any(p.startswith(".") for p in parts)
    )


def revision_side(rev: str, root: Path, prefixes: Sequence[str] = ("specs",), project_path: str | None = None) -> Side:
    """The specs under ``prefixes`` (repository paths) as they are in revision ``rev``.

    Files are listed NUL-separated and read by object id; a file whose name is
    refused, or a spec name that is a symbolic link or submodule, is a file
    with a problem.
    """
    commit = git.resolve_revision(rev, root)
    wanted = [p for p in prefixes if p]
    whole = not wanted or len(wanted) < len(prefixes)
    files: list[SideFile] = []
    to_read: list[git.TreeEntry] = []
    sidecars: list[git.TreeEntry] = []
    for entry in git.list_tree(commit, root, [] if whole else wanted):
        reason = None if _hidden(entry.path) else refused_name(entry.path)
        if reason:
            files.append(_refused(entry.path, reason))
        elif is_evidence_file(Path(entry.path)) and entry.is_file and not _hidden(entry.path):
            sidecars.append(entry)
        elif _is_spec_name(entry.path):
            if entry.is_file and (entry.size or 0) > MAX_FILE_BYTES:
                limit = MAX_FILE_BYTES // 1024 // 1024
                files.append(_refused(entry.path, f"larger than {limit} MiB ({entry.size:,} bytes); not read"))
            elif entry.is_file:
                to_read.append(entry)
            else:
                files.append(_refused(entry.path, "a symbolic link or submodule, not a spec file"))
    blobs = git.read_objects([e.oid for e in to_read], root)
    files.extend(_load_file(blob, e.path) for e, blob in zip(to_read, blobs, strict=True))
    with tempfile.TemporaryDirectory(prefix="specgen-diff-") as scratch:
        evidence = {
            e.path: parse_evidence(blob, e.path, _store_in(commit, root, project_path, e.path, Path(scratch)))
            for e, blob in zip(sidecars, git.read_objects([e.oid for e in sidecars], root), strict=True)
        }
    for f in files:
        f.evidence, f.evidence_problems = evidence.get(evidence_path(Path(f.name)).as_posix(), (None, []))
    files.sort(key=lambda f: f.name)
    raw = git.read_blob(commit, project_path, root) if project_path else None
    return _project_side(rev, files, raw, f"{rev}:{project_path}")


MAX_RESULT_BYTES = 256 * 1024 * 1024
"""A result file read from a revision's evidence store is read whole: no larger than this."""


def _store_in(commit: str, root: Path, project_path: str | None, sidecar: str, scratch: Path) -> Fetch:
    """The evidence store of revision ``commit`` (``evidence/`` beside its
    project file, else beside the spec): each result file read from git into
    ``scratch``, for the records of ``sidecar`` to be checked against it."""
    folder = posixpath.dirname(project_path) if project_path else posixpath.dirname(sidecar)
    store = posixpath.join(folder, STORE_DIR)

    def fetch(stored: str) -> Path | None:
        name = posixpath.join(store, stored)
        found = [e for e in git.list_tree(commit, root, [name]) if e.path == name and e.is_file]
        if not found:
            return None
        if (found[0].size or 0) > MAX_RESULT_BYTES:
            limit = MAX_RESULT_BYTES // 1024 // 1024
            raise EvidenceError(f"larger than {limit} MiB ({found[0].size:,} bytes); not read from git")
        (raw,) = git.read_objects([found[0].oid], root)
        path = scratch / stored  # sha256/<hex><suffix>, as validated
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(raw)
        return path

    return fetch


def worktree_side(
    paths: Sequence[Path], project_file: Path | None = None, *, root: Path | None = None, label: str = "working tree"
) -> Side:
    """The specs under ``paths`` as they are on disk (names relative to ``root`` when given)."""
    found, _ = discover_spec_files(paths)
    files = _refused_on_disk(paths, root)
    refused = {f.name for f in files}
    for path in found:
        name = git.relative_to_root(path, root) if root else path.as_posix()
        reason = refused_name(name)
        if reason:
            if name not in refused:
                files.append(_refused(name, reason))
            continue
        source, problems = read_source(path, name)
        if source is None:
            files.append(SideFile(name, None, problems))
            continue
        sidecar = evidence_path(path)
        evidence, evidence_problems = (
            parse_evidence(sidecar.read_bytes(), str(sidecar), store_fetch(store_root(path)))
            if sidecar.is_file()
            else (None, [])
        )
        try:
            spec = LoadedSpec(schema.Spec.model_validate(source.data), source)
            files.append(SideFile(name, spec, evidence=evidence, evidence_problems=evidence_problems))
        except ValidationError as exc:
            files.append(SideFile(name, None, validation_diagnostics(schema.Spec, exc, source)))
    files.sort(key=lambda f: f.name)
    raw = project_file.read_bytes() if project_file is not None and project_file.is_file() else None
    return _project_side(label, files, raw, str(project_file))


def file_side(path: Path, project_file: Path | None = None) -> Side:
    """One spec file on disk as a side (for ``specgen diff old.yml new.yml``)."""
    return worktree_side([path], project_file, label=path.as_posix())
