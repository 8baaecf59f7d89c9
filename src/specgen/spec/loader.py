"""From files to typed models: the only place YAML becomes a :class:`Spec`.

:func:`load_portfolio` reads the project file and every spec under the given
paths, validates them against :mod:`specgen.spec.schema`, runs the cross-reference
check, and returns the models together with every problem found, each located
at ``file:line:column`` with the field path. It never raises for bad input.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from specgen.confine import Resolver, is_utf8_name, is_within, name_refusal, refusal
from specgen.diagnostics import Diagnostic, Level, format_path
from specgen.errors import SpecgenError
from specgen.gcpause import paused_gc
from specgen.parallel import fork_map, usable_jobs
from specgen.spec.files import PROJECT_FILENAMES, SPEC_SUFFIXES, discover_spec_files, display_name, find_project_file
from specgen.spec.memo import Memo, memo_key, pack, recall, remember, salt
from specgen.spec.messages import describe, validation_diagnostics
from specgen.spec.packedpos import LazyData, PackedSourceMap, packed_positions
from specgen.spec.schema import Project, Spec
from specgen.spec.yamlsrc import Path_, SourceMap, YamlError, load_yaml

__all__ = [
    "PROJECT_FILENAMES",
    "SPEC_SUFFIXES",
    "EmptyPortfolio",
    "LoadedSpec",
    "Portfolio",
    "Source",
    "discover_spec_files",
    "find_project_file",
    "load_spec_text",
    "read_portfolio",
]

MAX_FILE_BYTES = 5 * 1024 * 1024


class EmptyPortfolio(SpecgenError):
    """No spec was found where the command looked."""


@dataclass
class Source:
    """A source file as read: its display name, text and value positions."""

    path: Path | None
    name: str
    text: str
    data: Any
    positions: SourceMap
    _text_digest: str | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def text_digest(self) -> str:
        """The sha256 of :attr:`text`, worked out once: the keys of what is
        derived from a spec file (its rule outcomes, its cross-references,
        its pages) each hold it instead of hashing the text again."""
        if self._text_digest is None:
            self._text_digest = hashlib.sha256(self.text.encode("utf-8", "surrogatepass")).hexdigest()
        return self._text_digest

    def diagnostic(
        self,
        path: Path_,
        message: str,
        *,
        key: bool = False,
        code: str = "schema",
        level: Level = Level.error,
    ) -> Diagnostic:
        mark = self.positions.locate(path, key=key)
        return Diagnostic(self.name, mark.line, mark.column, format_path(path), message, level, code)


@dataclass
class LoadedSpec:
    """A valid spec and where it came from."""

    spec: Spec
    source: Source

    def locate(self, path: Path_) -> tuple[str, int, int]:
        mark = self.source.positions.locate(path)
        return self.source.name, mark.line, mark.column


@dataclass
class Portfolio:
    """Everything loaded from a set of paths: the project, the valid specs and
    every problem found. ``ok`` is true when there is no error."""

    project: Project
    project_source: Source | None
    specs: list[LoadedSpec] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    paths: list[str] = field(default_factory=list)
    """The files and folders the specs were looked for in, as given."""
    project_valid: bool = True
    """False when the project file was found but does not parse or validate:
    its defaults stand in for it, so the people and roles the specs refer to
    are not known and the specs' cross-references are not checked."""

    @property
    def ok(self) -> bool:
        return not any(d.level is Level.error for d in self.diagnostics)

    def require_specs(self) -> None:
        """Raise :class:`EmptyPortfolio` when no spec was found: a site or a
        bundle of nothing is an error (``validate`` only warns)."""
        if not self.specs:
            raise EmptyPortfolio(f"no spec found in {', '.join(self.paths) or 'specs'}; nothing to build")

    @property
    def root(self) -> Path:
        """The folder of the project file (or the working directory)."""
        if self.project_source and self.project_source.path:
            return self.project_source.path.parent
        return Path.cwd()


# ---------------------------------------------------------------- files


def read_source(
    path: Path, name: str | None = None, *, within: Sequence[Path] | None = None
) -> tuple[Source | None, list[Diagnostic]]:
    """Read and parse one YAML file. Returns (source, []) or (None, [problem]).

    With ``within``, a file that is a symbolic link to a file outside those
    folders, or whose name is not UTF-8, is refused unread (:mod:`specgen.confine`)."""
    display = name or display_name(path)
    raw, problems = _read_bytes(path, display, within)
    return (None, problems) if raw is None else parse_source(raw, display, path)


def _read_bytes(
    path: Path, display: str, within: Sequence[Path] | None, resolver: Resolver | None = None
) -> tuple[bytes | None, list[Diagnostic]]:
    if within is not None and not is_utf8_name(path):
        return None, [
            Diagnostic(
                os.fsencode(display).decode("utf-8", "backslashreplace"), 1, 1, "", name_refusal(path), code="io"
            )
        ]
    if within is not None and not is_within(path, within, resolver):
        return None, [Diagnostic(display, 1, 1, "", refusal(display), code="io")]
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            return None, [
                Diagnostic(
                    display, 1, 1, "", f"the file is larger than {MAX_FILE_BYTES // 1024 // 1024} MiB", code="yaml"
                )
            ]
        raw = path.read_bytes()
    except OSError as exc:
        return None, [Diagnostic(display, 1, 1, "", f"cannot read the file: {exc.strerror}", code="io")]
    return raw, []


def parse_source(raw: str | bytes, name: str, path: Path | None = None) -> tuple[Source | None, list[Diagnostic]]:
    try:
        data, positions = load_yaml(raw)
    except YamlError as exc:
        mark = exc.mark
        return None, [
            Diagnostic(
                name,
                mark.line if mark else 1,
                mark.column if mark else 1,
                format_path(exc.path),
                exc.message,
                code="yaml",
            )
        ]
    text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw
    source = Source(path, name, text, data, positions)
    if not isinstance(data, dict):
        return None, [
            source.diagnostic((), f"expected a mapping of fields at the top of the file, got {describe(data)}")
        ]
    return source, []


def load_project(path: Path | None) -> tuple[Project, Source | None, list[Diagnostic]]:
    """Load the project file, or the defaults when there is none."""
    if path is None:
        return Project(), None, []
    source, problems = read_source(path)
    if source is None:
        return Project(), None, problems
    try:
        return Project.model_validate(source.data), source, []
    except ValidationError as exc:
        return Project(), source, validation_diagnostics(Project, exc, source)


def load_spec_text(raw: str | bytes, name: str, path: Path | None = None) -> tuple[LoadedSpec | None, list[Diagnostic]]:
    """Parse and validate one spec's text (schema only, no cross-references)."""
    source, problems = parse_source(raw, name, path)
    if source is None:
        return None, problems
    try:
        spec = Spec.model_validate(source.data)
    except ValidationError as exc:
        return None, validation_diagnostics(Spec, exc, source)
    return LoadedSpec(spec, source), []


def spec_from_bytes(raw: bytes, name: str, memo: Memo | None = None) -> Spec | None:
    """The valid spec ``raw`` holds (None when it holds none), from ``memo``
    when it remembers these bytes under ``name``, else parsed, validated and
    remembered there (:mod:`specgen.spec.memo`): a spec's past versions in
    git, read on every build of the site, are parsed once."""
    if hit := recall(memo, raw, name):
        return hit[0]
    loaded, _ = load_spec_text(raw, name)
    if loaded is None:
        return None
    remember(memo, raw, name, loaded.spec, loaded.source.positions)
    return loaded.spec


def read_portfolio(
    paths: Sequence[Path | str] = ("specs",),
    *,
    project_file: Path | str | None = None,
    discover_project: bool = True,
    memo: Memo | None = None,
    jobs: int | None = None,
) -> Portfolio:
    """Read the project file and every spec under ``paths`` and validate each
    against the schema; never raises for bad input. Cross-references and
    approvals are checked by :func:`specgen.spec.portfolio.load_portfolio`.

    The project file is ``project_file`` when given, else the nearest
    ``specgen.yml`` above the first path (when ``discover_project``). With a
    ``memo``, valid specs are remembered and reused by file hash (:mod:`specgen.spec.memo`).
    Files to parse are parsed in ``jobs`` worker processes when there are
    enough of them (None: one per processor; 1: in this process; see
    :mod:`specgen.parallel`), with the same result.
    """
    with paused_gc():
        return _read_portfolio(
            paths, project_file=project_file, discover_project=discover_project, memo=memo, jobs=jobs
        )


class _RestoredSource(LazyData, Source):
    """The source of a spec rebuilt from the memo or sent back by a worker (its data parsed only if read)."""


def _read_portfolio(
    paths: Sequence[Path | str],
    *,
    project_file: Path | str | None,
    discover_project: bool,
    memo: Memo | None,
    jobs: int | None,
) -> Portfolio:
    as_paths = [Path(p) for p in paths]
    if project_file is not None:
        project_path: Path | None = Path(project_file)
    elif discover_project and as_paths:
        project_path = find_project_file(as_paths[0])
    else:
        project_path = None
    project, project_source, diagnostics = load_project(project_path)
    unreadable: list[str] = []
    resolver = Resolver()  # each folder resolved once for the pass over its files
    files, missing = discover_spec_files(as_paths, unreadable, resolver)
    portfolio = Portfolio(project, project_source, diagnostics=list(diagnostics), paths=[str(p) for p in as_paths])
    if diagnostics:  # one broken project file, not one error per reference to a person or role it defines
        portfolio.project_valid = False
        first = diagnostics[0]
        note = (
            "the specs are checked against this file once it validates: their references "
            "to people, roles and each other, and the readiness rules"
        )
        portfolio.diagnostics.append(Diagnostic(first.file, 1, 1, "", note, Level.info, code="reference"))
    if not files and not missing and not unreadable:
        where = str(as_paths[0]) if as_paths else "specs"
        message = "no spec found here (a spec is a .yml or .yaml file); build and bundle will refuse to run"
        portfolio.diagnostics.append(Diagnostic(where, 1, 1, "", message, Level.warning, code="empty"))
    for name in missing:
        portfolio.diagnostics.append(Diagnostic(name, 1, 1, "", "no such file or folder", code="io"))
    for name in unreadable:
        portfolio.diagnostics.append(
            Diagnostic(name, 1, 1, "", "cannot list the folder: the specs in it are not read", code="io")
        )
    # A spec is read from the project, or from a folder named on the command line
    # (or the folder of a file named): never through a link that leads elsewhere.
    within = [project_path.parent if project_path else Path.cwd()]
    within += [p if p.is_dir() else p.parent for p in as_paths]
    slots: list[LoadedSpec | None] = []  # in file order: a spec, or None for a file to parse
    pending: list[tuple[Path, str, bytes]] = []
    for file in files:
        portfolio.files.append(name := display_name(file))
        raw, problems = _read_bytes(file, name, within, resolver)
        portfolio.diagnostics.extend(problems)
        if hit := recall(memo, raw, name):
            slots.append(LoadedSpec(hit[0], _RestoredSource(file, name, hit[2], None, hit[1])))
        elif raw is not None:
            slots.append(None)
            pending.append((file, name, raw))
    parsed = iter(_parse_files(pending, memo, jobs))
    for slot in slots:
        loaded, problems = (slot, []) if slot is not None else next(parsed)
        portfolio.diagnostics.extend(problems)
        if loaded is not None:
            portfolio.specs.append(loaded)
    portfolio.diagnostics.sort(key=Diagnostic.sort_key)
    return portfolio


def _parse_files(
    pending: Sequence[tuple[Path, str, bytes]], memo: Memo | None, jobs: int | None
) -> list[tuple[LoadedSpec | None, list[Diagnostic]]]:
    """Parse and validate ``pending`` files (path, display name, bytes),
    remembering the valid ones in ``memo``. In worker processes when there
    are enough (:func:`specgen.parallel.fork_map`): each sends back its spec
    (pickled), its positions packed and the memo's value, both as the memo
    stores them; the source is then rebuilt as a memo hit's is, its raw data
    parsed again only if read. (Sending the parsed data and positions as
    objects cost more to unpickle than parsing the file.)"""
    if usable_jobs(jobs, len(pending)) <= 1:
        done = []
        for file, name, raw in pending:
            loaded, problems = load_spec_text(raw, name, file)
            if loaded is not None:
                remember(memo, raw, name, loaded.spec, loaded.source.positions)
            done.append((loaded, problems))
        return done
    if memo is not None:
        salt()  # hashed here, once: the workers inherit it

    def work(index: int) -> Any:
        file, name, raw = pending[index]
        loaded, problems = load_spec_text(raw, name, file)
        if loaded is None:
            return problems
        packed = packed_positions(loaded.source.positions)
        if packed is None:
            return loaded  # sent whole
        key = None if memo is None else memo_key(raw, name)
        value = None if key is None else pack(key, loaded.spec, loaded.source.positions, packed)
        return loaded.spec, packed, (key, value)

    # the build cache closes its database while workers run (they inherit no SQLite state)
    suspend, resume = getattr(memo, "suspend", None), getattr(memo, "resume", None)
    results = fork_map(len(pending), work, jobs=jobs, before_fork=suspend, after_pool=resume)
    done = []
    for (file, name, raw), result in zip(pending, results, strict=True):
        if isinstance(result, list):
            done.append((None, result))
        elif isinstance(result, LoadedSpec):
            remember(memo, raw, name, result.spec, result.source.positions)
            done.append((result, []))
        else:
            spec, packed, (key, value) = result
            if memo is not None and key is not None and value is not None:
                memo.put(key, value)
            text = raw.decode("utf-8", "replace")  # as parse_source decodes it
            done.append((LoadedSpec(spec, _RestoredSource(file, name, text, None, PackedSourceMap(packed, text))), []))
    return done
