"""Running it: the audit trail (``audit``), data governance (``data``),
dependencies (``dependencies``), incident runbooks (``runbooks``) and change
control (``change_control``)."""

from __future__ import annotations

import datetime as dt
from enum import Enum

from specgen.spec.schema.base import Model, Severity, Text, Title
from specgen.spec.schema.runtime import PolicyAsCode
from specgen.spec.values import Duration, Id, RoleRef, SignalRef


class AuditField(str, Enum):
    """Something recorded per case in the audit trail."""

    inputs = "inputs"
    outputs = "outputs"
    model_version = "model_version"
    prompt_version = "prompt_version"
    tool_calls = "tool_calls"
    policy_evaluations = "policy_evaluations"
    timestamps = "timestamps"
    approvers = "approvers"
    overrides = "overrides"
    confidence = "confidence"
    retrieved_context = "retrieved_context"


class DataClassification(str, Enum):
    """How sensitive a data source is."""

    public = "public"
    internal = "internal"
    confidential = "confidential"
    restricted = "restricted"


class DependencyKind(str, Enum):
    """What a dependency is."""

    model = "model"
    api = "api"
    data = "data"
    platform = "platform"
    library = "library"
    service = "service"


class ChangeKind(str, Enum):
    """What kind of change is under change control."""

    prompt = "prompt"
    model = "model"
    policy = "policy"
    threshold = "threshold"
    tool = "tool"
    data_source = "data_source"
    code = "code"


class AuditQuery(Model):
    """How the audit trail is read without writing code."""

    tool: Text
    """The tool: a search UI, a report."""
    who: list[RoleRef] = []
    """Roles that can query it."""


class AuditTrail(Model):
    """What is recorded per case, and for how long."""

    records: list[AuditField] = []
    """What each case record holds."""
    indexed_by: Text | None = None
    """Key of a record: case id, transaction id."""
    retention: Duration | None = None
    """How long records are kept."""
    store: Text | None = None
    """Where records are stored."""
    immutable: bool = False
    """Whether records are append-only."""
    query: AuditQuery | None = None
    """How non-programmers read it."""


class DataSource(Model):
    """A source of data or context the system uses."""

    id: Id
    """Identifier of the source."""
    name: Title
    """Source name."""
    classification: DataClassification
    """Sensitivity."""
    contains_pii: bool = False
    """Whether it holds personal data."""
    permitted_use: Text | None = None
    """What the model may use it for."""
    lineage: Text | None = None
    """Where it comes from and how it is transformed."""
    owner: RoleRef | None = None
    """Role owning the source."""


class DataGovernance(Model):
    """Data sources, permissions, PII handling, lineage."""

    sources: list[DataSource] = []
    """Data sources."""
    pii_handling: Text | None = None
    """How personal data is handled (redaction before the model...)."""
    redaction: PolicyAsCode | None = None
    """The redaction policy as code."""
    permissions: Text | None = None
    """Who and what may access the data."""
    residency: Text | None = None
    """Where data may be stored and processed."""


class Dependency(Model):
    """A model, API, data source or platform the system depends on."""

    id: Id
    """Identifier of the dependency."""
    name: Title
    """Name and vendor: 'GPT-4.1 via Azure OpenAI'."""
    kind: DependencyKind
    """What it is."""
    vendor: Text | None = None
    """Who provides it."""
    version: Text | None = None
    """Version pinned."""
    licence: Text | None = None
    """Licence or contract."""
    failure_impact: Text | None = None
    """What happens when it fails."""
    fallback: Text | None = None
    """What the system does meanwhile."""
    replacement: Text | None = None
    """How it would be replaced on exit."""


class EscalationStep(Model):
    """Who to call after how long."""

    after: Duration
    """Time since the alert."""
    to: RoleRef
    """Role to escalate to."""


class Runbook(Model):
    """A playbook for one incident type, usable at 3 a.m."""

    id: Id
    """Identifier used by controls and signals."""
    title: Title
    """The incident type."""
    trigger: Text
    """What starts it: an alert, a report."""
    signals: list[SignalRef] = []
    """Signals (ids) whose alerts lead here."""
    severity: Severity
    """Default severity."""
    meaning: Text | None = None
    """What the alert means."""
    likely_causes: list[Text] = []
    """Likely causes."""
    diagnosis: list[Text] = []
    """Diagnosis steps."""
    mitigation: list[Text] = []
    """Mitigation steps."""
    rollback: list[Text] = []
    """Rollback steps."""
    verify: list[Text] = []
    """How to verify recovery."""
    escalation: list[EscalationStep] = []
    """Escalation contacts with timing."""
    response_target: Duration | None = None
    """Time to first response."""
    last_exercised: dt.date | None = None
    """When it was last exercised."""


class ChangeRule(Model):
    """Who approves one kind of change, and what gates it."""

    change: ChangeKind
    """The kind of change."""
    approvers: list[RoleRef] = []
    """Roles that approve it."""
    gated_by_evaluation: bool = False
    """Whether the evaluation harness must pass before release."""
    notes: Text | None = None
    """Anything else."""


class ChangeLogEntry(Model):
    """One released version."""

    version: Text
    """Version."""
    date: dt.date
    """Release date."""
    summary: Text
    """What changed."""


class ChangeControl(Model):
    """How changes to prompts, models, policies and thresholds are approved."""

    rules: list[ChangeRule] = []
    """Rules per kind of change."""
    changelog: list[ChangeLogEntry] = []
    """Released versions."""
