"""The two sides of a comparison: the spec files of a git revision, of the
working tree, or single files, each loaded and validated (or with the problems
that keep it from validating)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from specgen import git
from specgen.diagnostics import Diagnostic
from specgen.spec import schema
from specgen.spec.loader import (
    PROJECT_FILENAMES,
    SPEC_SUFFIXES,
    LoadedSpec,
    discover_spec_files,
    load_spec_text,
    parse_source,
    read_source,
    validation_diagnostics,
)

__all__ = ["Side", "SideFile", "file_side", "revision_side", "worktree_side"]


@dataclass
class SideFile:
    """One spec file on one side: the valid spec, or why it is not valid."""

    name: str
    loaded: LoadedSpec | None
    problems: list[Diagnostic] = field(default_factory=list)


@dataclass
class Side:
    """One side of a comparison: a revision, the working tree or a file."""

    label: str
    files: list[SideFile]
    project: schema.Project | None = None


def _project_from(raw: bytes | None, name: str) -> schema.Project | None:
    if raw is None:
        return None
    source, _ = parse_source(raw, name)
    if source is None:
        return None
    try:
        return schema.Project.model_validate(source.data)
    except ValidationError:
        return None


def _load_file(raw: bytes, name: str) -> SideFile:
    loaded, problems = load_spec_text(raw, name)
    return SideFile(name, loaded, problems)


def _is_spec_name(name: str) -> bool:
    parts = name.split("/")
    base = parts[-1]
    stem, dot, suffix = base.rpartition(".")
    return (
        bool(dot)
        and f".{suffix}" in SPEC_SUFFIXES
        and base not in PROJECT_FILENAMES
        and not stem.endswith(".approvals")
        and not any(p.startswith(".") for p in parts)
    )


def revision_side(rev: str, root: Path, prefixes: Sequence[str] = ("specs",), project_path: str | None = None) -> Side:
    """The specs under ``prefixes`` (repository paths) as they are in revision ``rev``."""
    commit = git.resolve_revision(rev, root)
    wanted = [p for p in prefixes if p]
    whole = not wanted or len(wanted) < len(prefixes)
    names = [n for n in git.list_files(commit, root, [] if whole else wanted) if _is_spec_name(n)]
    blobs = git.read_blobs(commit, names, root)
    files = [_load_file(blob, name) for name, blob in zip(names, blobs, strict=True) if blob is not None]
    project = None
    if project_path:
        project = _project_from(git.read_blob(commit, project_path, root), project_path)
    return Side(rev, files, project)


def worktree_side(
    paths: Sequence[Path], project_file: Path | None = None, *, root: Path | None = None, label: str = "working tree"
) -> Side:
    """The specs under ``paths`` as they are on disk (names relative to ``root`` when given)."""
    found, _ = discover_spec_files(paths)
    files = []
    for path in found:
        name = git.relative_to_root(path, root) if root else path.as_posix()
        source, problems = read_source(path, name)
        if source is None:
            files.append(SideFile(name, None, problems))
            continue
        try:
            files.append(SideFile(name, LoadedSpec(schema.Spec.model_validate(source.data), source)))
        except ValidationError as exc:
            files.append(SideFile(name, None, validation_diagnostics(schema.Spec, exc, source)))
    project = None
    if project_file is not None and project_file.is_file():
        project = _project_from(project_file.read_bytes(), str(project_file))
    return Side(label, files, project)


def file_side(path: Path, project_file: Path | None = None) -> Side:
    """One spec file on disk as a side (for ``specgen diff old.yml new.yml``)."""
    return worktree_side([path], project_file, label=path.as_posix())
