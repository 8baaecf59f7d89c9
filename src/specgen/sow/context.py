"""What every clause builder shares: the spec with its project (people, roles,
policy thresholds) and the words values are written in.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cached_property
from typing import TYPE_CHECKING, Any

from specgen.sow.model import NOT_STATED, Clause
from specgen.spec.fingerprint import fingerprint
from specgen.spec.roster import Roster
from specgen.spec.schema import Comparator, Project, Spec

if TYPE_CHECKING:
    from specgen.evidence import SpecEvidence

__all__ = ["NOBODY", "Context", "join_words", "label_of", "make_clause", "measure_text", "number_text"]

NOBODY = "not named"
"""What a person or role reference left empty reads as."""


def number_text(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


_COMPARATOR_WORDS = {
    Comparator.ge: "≥",
    Comparator.gt: ">",
    Comparator.le: "≤",
    Comparator.lt: "<",
    Comparator.eq: "=",
}


def label_of(value: Any) -> str:
    raw = value.value if hasattr(value, "value") else str(value)
    return str(raw).replace("_", " ")


def measure_text(comparator: Comparator, threshold: float, unit: str | None = None) -> str:
    unit_text = "" if not unit else (unit if unit == "%" else f" {unit}")
    return f"{_COMPARATOR_WORDS[comparator]} {number_text(threshold)}{unit_text}"


def join_words(items: Iterable[str], empty: str = NOT_STATED) -> str:
    listed = [i for i in items if i]
    return ", ".join(listed) if listed else empty


class Context:
    """The spec and what its references resolve to: people and roles through
    the shared :class:`specgen.spec.roster.Roster`, and the policy thresholds."""

    def __init__(self, spec: Spec, project: Project, evidence: SpecEvidence | None = None) -> None:
        self.spec = spec
        self.project = project
        self.evidence = evidence
        """Recorded evidence and its computed verdicts, when read (:func:`specgen.evidence.spec_evidence`)."""
        self.thresholds = project.policy.thresholds
        self.roster = Roster(project, spec)

    @cached_property
    def fingerprint(self) -> str:
        """The spec's content fingerprint (computed once: the definition quotes it twice)."""
        return fingerprint(self.spec)

    def who(self, role_id: str | None) -> str:
        """'Title (Holder)' for a role id; falls back to a person's name."""
        if role_id is None:
            return NOBODY
        role = self.roster.role(role_id)
        if role is None:
            return self.roster.person_name(role_id, NOBODY)
        holder = self.roster.person_name(role.holder) if role.holder else "holder not named"
        return f"{role.title} ({holder})"

    def who_all(self, role_ids: Iterable[str]) -> str:
        return join_words((self.who(r) for r in role_ids), "nobody named")

    def first_owner(self, *candidates: str | None) -> str:
        """The first named role among ``candidates``, else the accountable owner."""
        for role in candidates:
            if role:
                return self.who(role)
        return self.who(self.spec.ownership.accountable)


def make_clause(number: int, title: str, statement: str, **parts: Any) -> Clause:
    return Clause(
        number=number,
        title=title,
        statement=statement,
        criteria=tuple(parts.get("criteria", ())),
        evidence=tuple(parts.get("evidence", ())),
        responsible=parts["responsible"],
        open_items=tuple(parts.get("open_items", ())),
    )
