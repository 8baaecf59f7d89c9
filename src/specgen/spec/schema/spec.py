"""The top-level :class:`Spec`: one workflow's production-readiness spec, one
YAML file under ``specs/``, made of the sections in the sibling modules."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from specgen.spec.schema.acceptance import Acceptance, AcceptanceCondition
from specgen.spec.schema.base import SCHEMA_VERSION, Consequence, Model, Stage, Text, Title
from specgen.spec.schema.decisions import Decision, DecisionRecord
from specgen.spec.schema.exit import ExitPlan, SignoffParty, SpecApproval
from specgen.spec.schema.identity import Integration, Intent
from specgen.spec.schema.operations import AuditTrail, ChangeControl, DataGovernance, Dependency, Runbook
from specgen.spec.schema.ownership import Ownership, Person, Role, Scorecard
from specgen.spec.schema.runtime import Control, Observability, RuntimeControls, Signal
from specgen.spec.values import Id


class Spec(Model):
    """A production-readiness spec for one AI workflow."""

    schema_version: Annotated[int, Field(ge=1, le=SCHEMA_VERSION)]
    """Version of the spec format; this release reads version 1."""
    id: Id
    """Identifier of the workflow."""
    title: Title
    """Name of the workflow."""
    version: Title
    """Version of this spec."""
    stage: Stage
    """experimentation, limited_rollout or system_of_record."""
    consequence: Consequence | None = None
    """What an error costs: low, medium, high or critical."""
    summary: Text | None = None
    """One paragraph a buyer reads first."""
    integrations: list[Integration] = []
    """Systems it is integrated into."""
    people: list[Person] = []
    """People defined for this spec only (shared ones go in specgen.yml)."""
    roles: list[Role] = []
    """Roles defined for this spec only (shared ones go in specgen.yml)."""
    intent: Intent
    """Workflow intent and scope."""
    ownership: Ownership
    """Owners, on-call and rhythm."""
    scorecard: Scorecard | None = None
    """Outcome scorecard."""
    decisions: list[Decision] = []
    """Decision boundaries."""
    decision_records: list[DecisionRecord] = []
    """Key design choices."""
    runtime: RuntimeControls | None = None
    """Runtime controls."""
    acceptance: Acceptance | None = None
    """Acceptance conditions and harnesses."""
    observability: Observability | None = None
    """Monitoring and alerts."""
    audit: AuditTrail | None = None
    """Audit trail."""
    data: DataGovernance | None = None
    """Data governance."""
    dependencies: list[Dependency] = []
    """Models, APIs, data and platforms it depends on."""
    runbooks: list[Runbook] = []
    """Incident runbooks."""
    change_control: ChangeControl | None = None
    """Change control."""
    exit: ExitPlan | None = None
    """Exit and handover."""
    signoff: list[SignoffParty] = []
    """Who signs the production-readiness definition."""
    approvals: list[SpecApproval] = []
    """Recorded approvals of versions of this spec."""

    # Convenience look-ups used by rules, rendering and diffing.
    @property
    def controls(self) -> list[Control]:
        return list(self.runtime.controls) if self.runtime else []

    @property
    def signals(self) -> list[Signal]:
        return list(self.observability.signals) if self.observability else []

    @property
    def conditions(self) -> list[AcceptanceCondition]:
        return list(self.acceptance.conditions) if self.acceptance else []
