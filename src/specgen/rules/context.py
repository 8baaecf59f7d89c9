"""What a rule's check receives and what it yields.

A check is a plain function ``check(ctx: RuleContext)`` that yields a
:class:`Gap` for every problem it sees (with the path of the most specific
field concerned) or a single :class:`NotApplicable` with the reason the rule
does not concern this spec. Yielding nothing means the rule passes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

from specgen.spec.schema import Person, Project, Role, Spec, Thresholds
from specgen.spec.yamlsrc import Path_

if TYPE_CHECKING:
    from specgen.evidence import SpecEvidence
    from specgen.spec.loader import LoadedSpec

__all__ = ["Gap", "NotApplicable", "RuleContext"]


@dataclass(frozen=True)
class Gap:
    """One way the spec falls short of a rule, at ``path`` (e.g. ``("runbooks", 2, "rollback")``)."""

    path: Path_
    message: str


@dataclass(frozen=True)
class NotApplicable:
    """The rule does not concern this spec, and why (e.g. 'no decision is taken by the AI alone')."""

    reason: str


class RuleContext:
    """A spec, the project it belongs to, and the look-ups rules share."""

    def __init__(
        self, spec: Spec, project: Project, *, loaded: LoadedSpec | None = None, today: dt.date | None = None
    ) -> None:
        self.spec = spec
        self.project = project
        self.loaded = loaded
        """The spec as loaded (its file), when it was read from one: evidence lives beside it."""
        self.today = today

    @cached_property
    def evidence(self) -> SpecEvidence | None:
        """The spec's recorded evidence and computed verdicts (None when the spec has no file)."""
        if self.loaded is None or self.loaded.source.path is None:
            return None
        from specgen.evidence import spec_evidence

        return spec_evidence(self.loaded, self.project, self.today)

    @property
    def thresholds(self) -> Thresholds:
        """The organisation's tuned numbers."""
        return self.project.policy.thresholds

    @cached_property
    def roles(self) -> dict[str, Role]:
        """Roles by id: the project's, then the spec's own."""
        return {r.id: r for r in (*self.project.roles, *self.spec.roles)}

    @cached_property
    def people(self) -> dict[str, Person]:
        """People by id: the project's, then the spec's own."""
        return {p.id: p for p in (*self.project.people, *self.spec.people)}

    def holder(self, role_id: str | None) -> Person | None:
        """The named person holding a role, if the role and its holder are known."""
        role = self.roles.get(role_id) if role_id else None
        if role is None or role.holder is None:
            return None
        return self.people.get(role.holder)

    def role_label(self, role_id: str) -> str:
        """``role-id (Holder Name)`` or just the id."""
        person = self.holder(role_id)
        return f"{role_id} ({person.name})" if person else role_id
