"""The production-readiness definition as data: what :func:`specgen.sow.definition`
builds and the Markdown and DOCX renderings print.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from specgen.errors import ExitCode, SpecgenError
from specgen.spec.schema import Stage

__all__ = [
    "DEFAULT_FORMATS",
    "FORMATS",
    "NOT_STATED",
    "Annex",
    "AnnexFinding",
    "AnnexWaiver",
    "Clause",
    "Criterion",
    "Definition",
    "OverwriteError",
    "SignoffRow",
    "SowError",
]

FORMATS = ("md", "docx", "pdf")
"""File formats a definition can be written in."""
DEFAULT_FORMATS = ("md", "docx")
"""The formats written when none is asked for (``pdf`` needs the optional extra)."""

NOT_STATED = "not stated"


class SowError(SpecgenError):
    """A definition cannot be rendered or written."""


class OverwriteError(SowError):
    """Writing would replace a file specgen did not write, or one edited since."""

    exit_code = ExitCode.USAGE


# ---------------------------------------------------------------- the data


@dataclass(frozen=True)
class Criterion:
    """One measurable acceptance criterion: what must hold, and its measure."""

    text: str
    measure: str


@dataclass(frozen=True)
class Clause:
    """A numbered clause of the definition."""

    number: int
    title: str
    statement: str
    """What the clause commits to, in one sentence."""
    criteria: tuple[Criterion, ...]
    evidence: tuple[str, ...]
    """What is delivered to show the criteria hold."""
    responsible: str
    """The role title with the person holding it."""
    open_items: tuple[str, ...] = ()
    """What the spec leaves undefined: to be agreed before signature."""

    @property
    def numbered(self) -> list[tuple[str, Criterion]]:
        """The criteria with their clause numbers: ``("3.1", criterion)``."""
        return [(f"{self.number}.{i}", c) for i, c in enumerate(self.criteria, start=1)]


@dataclass(frozen=True)
class AnnexFinding:
    """An open readiness finding, as listed in the annex."""

    rule_id: str
    severity: str
    dimension: str
    title: str
    message: str
    waived: str
    """How it is waived ('waived until 2026-12-31 by ...'), or 'no'."""


@dataclass(frozen=True)
class AnnexWaiver:
    """An active waiver, as listed in the annex."""

    rule: str
    reason: str
    approved_by: str
    expires: str
    treated_as: str


@dataclass(frozen=True)
class Annex:
    """Open readiness findings and active waivers at the time of writing."""

    assessed: bool
    """False when the definition was built without a readiness report."""
    declared_stage: str
    reached_stage: str = NOT_STATED
    diagnostic: str = NOT_STATED
    findings: tuple[AnnexFinding, ...] = ()
    waivers: tuple[AnnexWaiver, ...] = ()


@dataclass(frozen=True)
class SignoffRow:
    """One row of the sign-off table."""

    area: str
    role: str
    name: str
    organisation: str


@dataclass(frozen=True)
class Definition:
    """The production-readiness definition of one workflow, ready to render."""

    spec_id: str
    title: str
    version: str
    fingerprint: str
    stage: Stage
    consequence: str
    organisation: str
    vendor: str
    summary: str
    released: dt.date | None
    """The date of this version in the spec's change log, when recorded."""
    clauses: tuple[Clause, ...]
    annex: Annex
    signoff: tuple[SignoffRow, ...]
    document_control: tuple[tuple[str, str], ...] = field(default=())
    """(item, value) rows identifying the spec the document is tied to."""

    @property
    def stage_label(self) -> str:
        return self.stage.label.capitalize()

    @property
    def filename_stem(self) -> str:
        return self.spec_id
