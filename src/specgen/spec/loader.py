"""From files to typed models: the only place YAML becomes a :class:`Spec`.

:func:`load_portfolio` reads the project file and every spec under the given
paths, validates them against :mod:`specgen.spec.schema`, runs the cross-reference
check, and returns the models together with every problem found, each located
at ``file:line:column`` with the field path. It never raises for bad input.
"""

from __future__ import annotations

import difflib
import os
import types
import typing
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from specgen.confine import is_utf8_name, is_within, name_refusal, refusal
from specgen.diagnostics import Diagnostic, Level, format_path
from specgen.errors import SpecgenError
from specgen.gcpause import paused_gc
from specgen.spec.files import PROJECT_FILENAMES, SPEC_SUFFIXES, discover_spec_files, display_name, find_project_file
from specgen.spec.memo import LazyData, Memo, recall, remember
from specgen.spec.schema import Project, Spec
from specgen.spec.yamlsrc import Path_, SourceMap, UnreadableScalar, YamlError, load_yaml

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


# ---------------------------------------------------------------- pydantic errors


def _unwrap(annotation: Any) -> list[Any]:
    """The model classes an annotation can hold (through Optional, list, Annotated)."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _unwrap(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType, list, dict, tuple):
        found: list[Any] = []
        for arg in typing.get_args(annotation):
            found.extend(_unwrap(arg))
        return found
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return []


def _model_at(root: type[BaseModel], loc: Sequence[str | int]) -> type[BaseModel] | None:
    current: type[BaseModel] | None = root
    for part in loc:
        if current is None:
            return None
        if isinstance(part, int):
            continue
        info = current.model_fields.get(part)
        if info is None:
            return None
        models = _unwrap(info.annotation)
        current = models[0] if models else None
    return current


def _describe(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, bool):
        return f"'{str(value).lower()}' (yes/no)"
    if value is None:
        return "nothing"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return f"'{shown}'"
    return f"'{value}'"


_TYPE_WORDS = {
    "string_type": "text",
    "int_type": "a whole number",
    "int_parsing": "a whole number",
    "int_from_float": "a whole number",
    "float_type": "a number",
    "float_parsing": "a number",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "date_type": "a date such as 2026-03-31",
    "date_parsing": "a date such as 2026-03-31",
    "date_from_datetime_parsing": "a date such as 2026-03-31",
    "list_type": "a list",
    "dict_type": "a mapping of keys to values",
    "model_type": "a mapping of fields",
    "model_attributes_type": "a mapping of fields",
}


def _message(root: type[BaseModel], error: Any) -> tuple[str, bool]:
    """A human message for one pydantic error, and whether to point at the key."""
    kind = error["type"]
    loc = error["loc"]
    value = error.get("input")
    ctx = error.get("ctx") or {}
    if isinstance(value, UnreadableScalar):  # 2026-02-30 where a date or a number was expected
        return value.describe(), False
    if kind == "missing":
        model = _model_at(root, loc[:-1])
        desc = ""
        if model is not None and loc[-1] in model.model_fields:
            desc = model.model_fields[loc[-1]].description or ""
        hint = f" ({desc.rstrip('.')})" if desc else ""
        return f"required field '{loc[-1]}' is missing{hint}", True
    if kind == "extra_forbidden":
        model = _model_at(root, loc[:-1])
        known = sorted(model.model_fields) if model else []
        close = difflib.get_close_matches(str(loc[-1]), known, n=1, cutoff=0.6)
        hint = (
            f"; did you mean '{close[0]}'?" if close else (f" (expected one of: {', '.join(known)})" if known else "")
        )
        return f"unknown field '{loc[-1]}'{hint}", True
    if kind == "enum":
        expected = ctx.get("expected", "").replace("'", "")
        options = [o.strip() for o in expected.replace(" or ", ", ").split(",") if o.strip()]
        close = difflib.get_close_matches(str(value), options, n=1, cutoff=0.6)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        return f"expected one of {', '.join(options)}; got {_describe(value)}{hint}", False
    if kind == "string_pattern_mismatch":
        pattern = str(ctx.get("pattern", ""))
        if pattern.startswith("^[a-z0-9]"):
            return (
                f"{_describe(value)} is not a valid id: use lower-case letters, digits, "
                "'-', '_' and '.', starting with a letter or digit"
            ), False
        choices = pattern.strip("^$()").split("|") if "|" in pattern else None
        if choices:
            return f"expected one of {', '.join(choices)}; got {_describe(value)}", False
        return f"{_describe(value)} does not have the expected form ({pattern})", False
    if kind in ("string_too_short", "too_short"):
        return "must not be empty", False
    if kind in ("string_too_long", "too_long"):
        limit = ctx.get("max_length", 0)
        unit = "characters" if isinstance(value, str) else "items"
        size = len(value) if isinstance(value, (str, list, dict)) else ctx.get("actual_length", 0)
        return f"too long: {size:,} {unit}, at most {limit:,} allowed here (see README, Reliability)", False
    if kind == "value_error":
        return str(ctx.get("error", error["msg"])), False
    if kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
        bound = next(iter(ctx.values()), "")
        word = {
            "greater_than_equal": "at least",
            "less_than_equal": "at most",
            "greater_than": "more than",
            "less_than": "less than",
        }[kind]
        return f"must be {word} {bound}; got {_describe(value)}", False
    if kind in _TYPE_WORDS:
        hint = ""
        if kind == "string_type" and isinstance(value, dict) and len(value) == 1:
            hint = " (a ': ' inside text starts a mapping: put the whole text in quotes)"
        elif kind == "string_type" and isinstance(value, (int, float)) and not isinstance(value, bool):
            hint = f" (put it in quotes, '{value}': YAML reads unquoted 1.10 as the number 1.1)"
        return f"expected {_TYPE_WORDS[kind]}, got {_describe(value)}{hint}", False
    return f"{error['msg']}; got {_describe(value)}", False


def validation_diagnostics(root: type[BaseModel], exc: ValidationError, source: Source) -> list[Diagnostic]:
    """Map a pydantic ValidationError to located diagnostics."""
    result = []
    for error in exc.errors(include_url=False):
        loc = tuple(part for part in error["loc"] if isinstance(part, (str, int)))
        message, at_key = _message(root, error)
        result.append(source.diagnostic(loc, message, key=at_key))
    return result


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


def _read_bytes(path: Path, display: str, within: Sequence[Path] | None) -> tuple[bytes | None, list[Diagnostic]]:
    if within is not None and not is_utf8_name(path):
        return None, [
            Diagnostic(
                os.fsencode(display).decode("utf-8", "backslashreplace"), 1, 1, "", name_refusal(path), code="io"
            )
        ]
    if within is not None and not is_within(path, within):
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
            source.diagnostic((), f"expected a mapping of fields at the top of the file, got {_describe(data)}")
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


def read_portfolio(
    paths: Sequence[Path | str] = ("specs",),
    *,
    project_file: Path | str | None = None,
    discover_project: bool = True,
    memo: Memo | None = None,
) -> Portfolio:
    """Read the project file and every spec under ``paths`` and validate each
    against the schema; never raises for bad input. Cross-references and
    approvals are checked by :func:`specgen.spec.portfolio.load_portfolio`.

    The project file is ``project_file`` when given, else the nearest
    ``specgen.yml`` above the first path (when ``discover_project``). With a
    ``memo``, valid specs are remembered and reused by file hash (:mod:`specgen.spec.memo`).
    """
    with paused_gc():
        return _read_portfolio(paths, project_file=project_file, discover_project=discover_project, memo=memo)


class _RestoredSource(LazyData, Source):
    """The source of a spec rebuilt from the memo (its data parsed only if read)."""


def _read_portfolio(
    paths: Sequence[Path | str], *, project_file: Path | str | None, discover_project: bool, memo: Memo | None
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
    files, missing = discover_spec_files(as_paths, unreadable)
    portfolio = Portfolio(project, project_source, diagnostics=list(diagnostics), paths=[str(p) for p in as_paths])
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
    for file in files:
        portfolio.files.append(name := display_name(file))
        raw, problems = _read_bytes(file, name, within)
        if hit := recall(memo, raw, name):
            portfolio.specs.append(LoadedSpec(hit[0], _RestoredSource(file, name, hit[2], None, hit[1])))
            continue
        source, problems = (None, problems) if raw is None else parse_source(raw, name, file)
        if source is None:
            portfolio.diagnostics.extend(problems)
            continue
        try:
            spec = Spec.model_validate(source.data)
        except ValidationError as exc:
            portfolio.diagnostics.extend(validation_diagnostics(Spec, exc, source))
            continue
        portfolio.specs.append(LoadedSpec(spec, source))
        remember(memo, raw, name, spec, source.positions)
    portfolio.diagnostics.sort(key=Diagnostic.sort_key)
    return portfolio
