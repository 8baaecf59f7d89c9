"""Diagnostics: one problem, located in a source file, and how to print it.

Everything that reports on specs (the loader, the cross-reference check, the
rules) produces :class:`Diagnostic` objects; only the CLI decides how to show
them, through :func:`format_diagnostics`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from enum import Enum

from specgen.text import annotation_data, annotation_property, terminal

__all__ = ["FORMATS", "Diagnostic", "Level", "format_diagnostics", "format_path"]


class Level(str, Enum):
    error = "error"
    warning = "warning"
    info = "info"

    @property
    def rank(self) -> int:
        return {"error": 0, "warning": 1, "info": 2}[self.value]


@dataclass(frozen=True)
class Diagnostic:
    """A problem at ``file:line:column``, about the field at ``path``."""

    file: str
    line: int
    column: int
    path: str
    message: str
    level: Level = Level.error
    code: str = "schema"
    """What found it: yaml, schema, reference, or a rule id."""

    @property
    def location(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"

    def sort_key(self) -> tuple[str, int, int, str, str]:
        return (self.file, self.line, self.column, self.path, self.message)

    def to_dict(self) -> dict[str, object]:
        data = asdict(self)
        data["level"] = self.level.value
        return data


def format_path(path: Sequence[str | int]) -> str:
    """``("decisions", 1, "approver")`` → ``decisions[1].approver``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def _text(d: Diagnostic) -> str:
    """One line per diagnostic: every part that came from input is escaped
    (:func:`specgen.text.terminal`), so none can start a line of its own."""
    where = f"{terminal(d.path)}: " if d.path else ""
    level = "" if d.level is Level.error else f"{d.level.value}: "
    return f"{terminal(d.location)}: {level}{where}{terminal(d.message)}"


def _github(d: Diagnostic) -> str:
    command = {"error": "error", "warning": "warning", "info": "notice"}[d.level.value]
    title = f"specgen {d.code}"
    message = f"{d.path}: {d.message}" if d.path else d.message
    return (
        f"::{command} file={annotation_property(d.file)},line={d.line},col={d.column},"
        f"title={annotation_property(title)}::{annotation_data(message)}"
    )


FORMATS = ("text", "json", "github")


def format_diagnostics(diagnostics: Iterable[Diagnostic], fmt: str = "text") -> str:
    """Render diagnostics as plain text lines, a JSON array, or GitHub
    workflow commands (annotations on the pull request's lines)."""
    items = sorted(diagnostics, key=Diagnostic.sort_key)
    if fmt == "json":
        return json.dumps([d.to_dict() for d in items], indent=2, ensure_ascii=False)
    if fmt == "github":
        return "\n".join(_github(d) for d in items)
    if fmt == "text":
        return "\n".join(_text(d) for d in items)
    raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")
