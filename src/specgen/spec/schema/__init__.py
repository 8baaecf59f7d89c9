"""The spec format: pydantic models for a workflow spec and the project file.

A *spec* (one YAML file under ``specs/``) describes one AI workflow: what it is
for, who owns it, what the AI may decide alone, how it is controlled, tested,
observed, audited, operated and handed over. The *project file*
(``specgen.yml``) holds what specs share: people, roles and the organisation's
policy.

The models only describe shape and types. What a stage requires (an evaluation
harness at limited rollout, 100 golden inputs at system of record...) is the
job of the rules in :mod:`specgen.rules`, so a spec in experimentation can
leave most sections out. Every field's docstring becomes its description in
the JSON Schema, in editor hovers and in the field reference.

One module per group of sections; this package re-exports every public name,
so ``from specgen.spec.schema import X`` is the way to import them:

- :mod:`~specgen.spec.schema.base`: :class:`Model`, the format version and the
  shared enumerations (stage, consequence, severity, cadence);
- :mod:`~specgen.spec.schema.identity`: intent, scope and integrations;
- :mod:`~specgen.spec.schema.ownership`: people, roles, ownership, RACI, scorecard;
- :mod:`~specgen.spec.schema.decisions`: decision boundaries and decision records;
- :mod:`~specgen.spec.schema.runtime`: runtime controls, kill switch, rollout, observability;
- :mod:`~specgen.spec.schema.acceptance`: acceptance conditions, evaluation and red-team harnesses;
- :mod:`~specgen.spec.schema.operations`: audit, data, dependencies, runbooks, change control;
- :mod:`~specgen.spec.schema.exit`: exit plan, handover, sign-off, approvals;
- :mod:`~specgen.spec.schema.spec`: the top-level :class:`Spec`;
- :mod:`~specgen.spec.schema.project`: the project file, its policy and site settings;
- :mod:`~specgen.spec.schema.export`: the JSON Schema.
"""

from __future__ import annotations

from specgen.spec.schema.acceptance import (
    Acceptance,
    AcceptanceCondition,
    AttackClass,
    Comparator,
    EvalMetric,
    EvalResult,
    EvalScoring,
    EvalTrigger,
    EvaluationHarness,
    GoldenSet,
    MeasuredBy,
    ProbeSet,
    RedTeamHarness,
    ResponseSla,
)
from specgen.spec.schema.base import SCHEMA_VERSION, Cadence, Confidence, Consequence, Model, Severity, Stage, Text
from specgen.spec.schema.decisions import Autonomy, Decision, DecisionRecord, DecisionStatus, Escalation, Override
from specgen.spec.schema.exit import (
    Artifact,
    ArtifactKind,
    ExitPlan,
    Handover,
    HandoverMilestone,
    SignoffArea,
    SignoffParty,
    SpecApproval,
)
from specgen.spec.schema.export import SCHEMA_ID, json_schema, json_schema_text
from specgen.spec.schema.identity import Integration, IntegrationAccess, Intent, PathKind
from specgen.spec.schema.operations import (
    AuditField,
    AuditQuery,
    AuditTrail,
    ChangeControl,
    ChangeKind,
    ChangeLogEntry,
    ChangeRule,
    DataClassification,
    DataGovernance,
    DataSource,
    Dependency,
    DependencyKind,
    EscalationStep,
    Runbook,
)
from specgen.spec.schema.ownership import (
    Direction,
    Metric,
    OnCall,
    Ownership,
    Person,
    RaciEntry,
    ReviewRhythm,
    Role,
    Scorecard,
    Signature,
    UnitCost,
)
from specgen.spec.schema.project import (
    ApprovalPolicy,
    Policy,
    PolicyRequirement,
    PolicyRule,
    Project,
    RuleSeverity,
    SiteSettings,
    Thresholds,
    Waiver,
    WaiverSeverity,
)
from specgen.spec.schema.runtime import (
    Control,
    ControlKind,
    KillSwitch,
    Observability,
    PolicyAsCode,
    Rollout,
    RolloutStep,
    RolloutStrategy,
    RuntimeControls,
    Signal,
    SignalKind,
)
from specgen.spec.schema.spec import Spec

__all__ = [
    "SCHEMA_ID",
    "SCHEMA_VERSION",
    "Acceptance",
    "AcceptanceCondition",
    "ApprovalPolicy",
    "Artifact",
    "ArtifactKind",
    "AttackClass",
    "AuditField",
    "AuditQuery",
    "AuditTrail",
    "Autonomy",
    "Cadence",
    "ChangeControl",
    "ChangeKind",
    "ChangeLogEntry",
    "ChangeRule",
    "Comparator",
    "Confidence",
    "Consequence",
    "Control",
    "ControlKind",
    "DataClassification",
    "DataGovernance",
    "DataSource",
    "Decision",
    "DecisionRecord",
    "DecisionStatus",
    "Dependency",
    "DependencyKind",
    "Direction",
    "Escalation",
    "EscalationStep",
    "EvalMetric",
    "EvalResult",
    "EvalScoring",
    "EvalTrigger",
    "EvaluationHarness",
    "ExitPlan",
    "GoldenSet",
    "Handover",
    "HandoverMilestone",
    "Integration",
    "IntegrationAccess",
    "Intent",
    "KillSwitch",
    "MeasuredBy",
    "Metric",
    "Model",
    "Observability",
    "OnCall",
    "Override",
    "Ownership",
    "PathKind",
    "Person",
    "Policy",
    "PolicyAsCode",
    "PolicyRequirement",
    "PolicyRule",
    "ProbeSet",
    "Project",
    "RaciEntry",
    "RedTeamHarness",
    "ResponseSla",
    "ReviewRhythm",
    "Role",
    "Rollout",
    "RolloutStep",
    "RolloutStrategy",
    "RuleSeverity",
    "Runbook",
    "RuntimeControls",
    "Scorecard",
    "Severity",
    "Signal",
    "SignalKind",
    "Signature",
    "SignoffArea",
    "SignoffParty",
    "SiteSettings",
    "Spec",
    "SpecApproval",
    "Stage",
    "Text",
    "Thresholds",
    "UnitCost",
    "Waiver",
    "WaiverSeverity",
    "json_schema",
    "json_schema_text",
]
