"""Decision boundaries: what the AI may decide alone, who approves, escalation
and override (``decisions``), and the key design choices as MADR records
(``decision_records``)."""

from __future__ import annotations

import datetime as dt
from enum import Enum

from specgen.spec.schema.base import Confidence, Model, Text
from specgen.spec.values import ControlRef, Duration, Id, RoleRef


class Autonomy(str, Enum):
    """Who takes a decision."""

    ai_alone = "ai_alone"
    """The AI decides and acts; humans review after the fact."""
    human_approves = "human_approves"
    """The AI proposes; a named human approves before it takes effect."""
    human_decides = "human_decides"
    """The AI only assists; a human takes the decision."""

    @property
    def rank(self) -> int:
        """Higher means more autonomy for the AI."""
        return {"human_decides": 0, "human_approves": 1, "ai_alone": 2}[self.value]


class DecisionStatus(str, Enum):
    """Status of a design decision record (MADR)."""

    proposed = "proposed"
    accepted = "accepted"
    superseded = "superseded"
    deprecated = "deprecated"
    rejected = "rejected"


class Escalation(Model):
    """Where a decision goes when the AI or the approver cannot settle it."""

    to: RoleRef
    """Role escalated to."""
    within: Duration | None = None
    """How quickly it must be picked up."""
    when: Text | None = None
    """What triggers escalation."""


class Override(Model):
    """How humans disregard, override or reverse an AI output."""

    allowed: bool = True
    """Whether a human may override the AI."""
    by: list[RoleRef] = []
    """Roles allowed to override."""
    logged: bool = False
    """Whether overrides are recorded in the audit trail."""
    reason_required: bool = False
    """Whether an override must give a reason."""


class Decision(Model):
    """A decision the workflow takes, and how far the AI may take it alone."""

    id: Id
    """Identifier used by controls, acceptance conditions and runbooks."""
    title: Text
    """The decision in a few words."""
    description: Text | None = None
    """What is decided and what it affects."""
    autonomy: Autonomy
    """ai_alone, human_approves or human_decides."""
    ai_may: list[Text] = []
    """What the AI may do alone."""
    ai_may_not: list[Text] = []
    """What the AI must never do."""
    consequential: bool = False
    """True when the decision materially affects a person (credit, employment...)."""
    confidence_threshold: Confidence | None = None
    """Confidence below which the AI must not act alone (0..1)."""
    approver: RoleRef | None = None
    """Role that approves when a human must approve."""
    escalation: Escalation | None = None
    """Escalation path and target."""
    fallback: Text | None = None
    """What happens when the AI is unavailable or unsure."""
    override: Override | None = None
    """Override policy."""
    controls: list[ControlRef] = []
    """Runtime controls (ids) guarding this decision."""


class DecisionRecord(Model):
    """A key design choice (MADR): agent or automation, where it runs, which model.

    The fields follow the sections of a MADR record: the context and problem
    statement, the decision drivers, the considered options, the decision
    outcome ("Chosen option: X, because Y") and its consequences.
    """

    id: Id
    """Identifier of the record."""
    title: Text
    """The question decided."""
    status: DecisionStatus
    """proposed, accepted, superseded, deprecated or rejected."""
    date: dt.date
    """When it was decided."""
    deciders: list[RoleRef] = []
    """Roles that decided."""
    context: Text | None = None
    """The context and problem statement: what forced a choice (MADR 'Context and Problem Statement')."""
    drivers: list[Text] = []
    """The forces and concerns the options were weighed against (MADR 'Decision Drivers')."""
    options: list[Text] = []
    """Options considered (MADR 'Considered Options')."""
    choice: Text
    """The option chosen (MADR 'Decision Outcome: Chosen option')."""
    because: Text | None = None
    """Why that option was chosen, the justification (MADR '..., because ...')."""
    consequences: list[Text] = []
    """What follows from the choice, good and bad (MADR 'Consequences')."""
