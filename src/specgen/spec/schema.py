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
"""

from __future__ import annotations

import datetime as dt
from enum import Enum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from specgen.spec.values import (
    ControlRef,
    DecisionRef,
    Duration,
    Id,
    NonEmptyStr,
    Percent,
    PersonRef,
    Ratio,
    RoleOrPersonRef,
    RoleRef,
    RunbookRef,
    SignalRef,
)

SCHEMA_VERSION = 1


class Model(BaseModel):
    """Base for every spec model: unknown keys are errors, values are immutable."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        use_attribute_docstrings=True,
        str_strip_whitespace=True,
        validate_default=False,
    )


Text = NonEmptyStr
Confidence = Annotated[Ratio, Field(ge=0, le=1)]


# ---------------------------------------------------------------- enumerations


class Stage(str, Enum):
    """How far the workflow has come; it decides how strict the checks are."""

    experimentation = "experimentation"
    limited_rollout = "limited_rollout"
    system_of_record = "system_of_record"

    @property
    def rank(self) -> int:
        """0, 1, 2 from experimentation to system of record."""
        return _STAGE_RANK[self.value]

    @property
    def label(self) -> str:
        return self.value.replace("_", " ")


_STAGE_RANK = {"experimentation": 0, "limited_rollout": 1, "system_of_record": 2}


class Consequence(str, Enum):
    """What an error costs the business or the people it affects."""

    low = "low"
    medium = "medium"
    high = "high"
    critical = "critical"


class Severity(str, Enum):
    """Incident or probe severity, most severe first."""

    sev1 = "sev1"
    sev2 = "sev2"
    sev3 = "sev3"
    sev4 = "sev4"


class PathKind(str, Enum):
    """Whether the path from input to output is known in advance."""

    automation = "automation"
    agent = "agent"
    hybrid = "hybrid"


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


class Cadence(str, Enum):
    """How often something recurs."""

    continuous = "continuous"
    daily = "daily"
    weekly = "weekly"
    fortnightly = "fortnightly"
    monthly = "monthly"
    quarterly = "quarterly"
    yearly = "yearly"


class Direction(str, Enum):
    """Which way a metric should move."""

    increase = "increase"
    decrease = "decrease"


class Comparator(str, Enum):
    """How a measured value is compared with its threshold."""

    ge = ">="
    gt = ">"
    le = "<="
    lt = "<"
    eq = "=="


class ControlKind(str, Enum):
    """The kind of runtime control."""

    policy_check = "policy_check"
    circuit_breaker = "circuit_breaker"
    retry = "retry"
    graceful_degradation = "graceful_degradation"
    rollback = "rollback"
    canary = "canary"
    kill_switch = "kill_switch"
    rate_limit = "rate_limit"
    human_review = "human_review"
    input_validation = "input_validation"
    output_validation = "output_validation"


class AttackClass(str, Enum):
    """A class of adversarial probe in the red-team harness."""

    prompt_injection = "prompt_injection"
    jailbreak = "jailbreak"
    policy_violation = "policy_violation"
    data_exfiltration = "data_exfiltration"


class EvalTrigger(str, Enum):
    """What makes the evaluation harness run."""

    every_change = "every_change"
    model_update = "model_update"
    release = "release"
    scheduled = "scheduled"


class SignalKind(str, Enum):
    """What an observability signal watches."""

    drift = "drift"
    data_quality = "data_quality"
    confidence = "confidence"
    latency = "latency"
    failure_rate = "failure_rate"
    override_rate = "override_rate"
    escalation_rate = "escalation_rate"
    hallucination_risk = "hallucination_risk"
    business_impact = "business_impact"
    cost = "cost"
    availability = "availability"


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


class ArtifactKind(str, Enum):
    """A kind of artifact the buyer takes over."""

    spec = "spec"
    prompts = "prompts"
    policies = "policies"
    evaluation_set = "evaluation_set"
    red_team_catalogue = "red_team_catalogue"
    runbooks = "runbooks"
    code = "code"
    infrastructure = "infrastructure"
    data = "data"
    documentation = "documentation"
    model = "model"


class DecisionStatus(str, Enum):
    """Status of a design decision record (MADR)."""

    proposed = "proposed"
    accepted = "accepted"
    superseded = "superseded"
    deprecated = "deprecated"
    rejected = "rejected"


class SignoffArea(str, Enum):
    """Who signs the production-readiness definition."""

    engineering = "engineering"
    security = "security"
    risk_compliance = "risk_compliance"
    business_sponsor = "business_sponsor"
    finance = "finance"


# ---------------------------------------------------------------- shared entities


class Person(Model):
    """A named person who can hold roles, be on call or approve."""

    id: Id
    """Identifier used to refer to this person."""
    name: Text
    """Full name."""
    email: str | None = None
    """Contact address."""
    organisation: str | None = None
    """Employer (buyer, vendor...), so readers see who depends on whom."""
    built_system: bool = False
    """True when this person helped build the system (it matters for on-call)."""


class Role(Model):
    """A role, held by exactly one named person, that specs refer to by id."""

    id: Id
    """Identifier used to refer to this role."""
    title: Text
    """Role name as people say it: 'Head of Credit Risk'."""
    holder: PersonRef | None = None
    """The person (id) who holds the role today."""
    responsibilities: list[Text] = []
    """What this role answers for."""


# ---------------------------------------------------------------- identity and scope


class Integration(Model):
    """A system of record the workflow reads from or writes to."""

    system: Text
    """System name: 'Salesforce', 'SAP S/4', 'ServiceNow'."""
    kind: Text
    """What kind of system: crm, erp, ticketing, core-banking..."""
    access: Annotated[str, Field(pattern="^(read|write|read_write)$")] = "read"
    """read, write or read_write."""


class Intent(Model):
    """Workflow intent and scope: what the system is for and where it stops."""

    objective: Text
    """The business objective in one or two sentences."""
    business_process: Text | None = None
    """The business process this workflow serves."""
    path: PathKind | None = None
    """automation (path known in advance), agent (decided at runtime) or hybrid."""
    path_rationale: Text | None = None
    """Why that choice of automation or agent."""
    inputs: list[Text] = []
    """What comes into the workflow."""
    outputs: list[Text] = []
    """What the workflow produces."""
    in_scope: list[Text] = []
    """What the system does."""
    out_of_scope: list[Text] = []
    """What the system must not be used for."""
    users: list[Text] = []
    """Who uses the outputs."""
    known_limitations: list[Text] = []
    """Known limitations a user must keep in mind."""


class RaciEntry(Model):
    """One activity in the RACI matrix: one Accountable, at least one Responsible."""

    activity: Text
    """The activity: 'approve prompt changes', 'answer pages'."""
    accountable: RoleRef
    """The one role accountable for the activity."""
    responsible: list[RoleRef] = []
    """Roles that do the work."""
    consulted: list[RoleRef] = []
    """Roles consulted before."""
    informed: list[RoleRef] = []
    """Roles informed after."""


class OnCall(Model):
    """Who answers when the system fails at 3 a.m."""

    rotation: list[PersonRef] = []
    """People (ids) on the rotation."""
    hours: Text | None = None
    """Coverage, e.g. '24x7' or 'business hours CET'."""
    response_target: Duration | None = None
    """Time to acknowledge a page."""
    paging_tool: Text | None = None
    """Where pages go: PagerDuty, Opsgenie..."""


class ReviewRhythm(Model):
    """The operating rhythm after launch."""

    evaluation_review: Cadence | None = None
    """How often evaluation results are reviewed (weekly is the norm)."""
    regression_review: Cadence | None = None
    """How often regressions are worked (monthly is the norm)."""
    model_refresh: Cadence | None = None
    """How often the model is refreshed (quarterly is the norm)."""


class Ownership(Model):
    """Named owners, on-call and operating rhythm."""

    accountable: RoleRef
    """The one role accountable for the workflow in production."""
    business_owner: RoleRef | None = None
    """Role owning the business outcome."""
    technical_owner: RoleRef | None = None
    """Role owning technical performance."""
    adoption_owner: RoleRef | None = None
    """Role owning process adoption by users."""
    sponsor: RoleRef | None = None
    """Role of the business sponsor who funds it."""
    budget_holder: Text | None = None
    """The business unit whose budget pays for it."""
    on_call: OnCall | None = None
    """On-call rotation."""
    review_rhythm: ReviewRhythm | None = None
    """Operating rhythm."""
    raci: list[RaciEntry] = []
    """Who is responsible, accountable, consulted, informed, per activity."""


# ---------------------------------------------------------------- scorecard


class Metric(Model):
    """The single outcome metric."""

    name: Text
    """What is measured."""
    unit: Text
    """Unit of measure: minutes, %, EUR..."""
    baseline: float | None = None
    """Value before the system."""
    target: float | None = None
    """Value the programme commits to."""
    direction: Direction = Direction.increase
    """Whether higher or lower is better."""


class UnitCost(Model):
    """What one transaction costs."""

    amount: Annotated[float, Field(ge=0)]
    """Cost of one transaction."""
    currency: Annotated[str, Field(pattern="^[A-Z]{3}$")]
    """ISO 4217 currency code."""
    per: Text
    """What a transaction is: 'application', 'ticket'."""


class Signature(Model):
    """A dated sign-off by a role."""

    role: RoleRef
    """The role that signed."""
    date: dt.date
    """When it was signed."""


class Scorecard(Model):
    """The programme's outcome in one number, with a stop condition."""

    metric: Metric
    """The outcome metric."""
    review_cadence: Cadence | None = None
    """How often the scorecard is reviewed."""
    stop_condition: Text | None = None
    """The written circumstances under which the programme is rescoped or stopped."""
    unit_cost: UnitCost | None = None
    """Cost per transaction."""
    signed_by: list[Signature] = []
    """Sponsor and finance sign-off."""


# ---------------------------------------------------------------- decisions


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
    """A key design choice (MADR): agent or automation, where it runs, which model."""

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
    options: list[Text] = []
    """Options considered."""
    choice: Text
    """The option chosen and why."""
    consequences: list[Text] = []
    """What follows from the choice."""


# ---------------------------------------------------------------- runtime controls


class PolicyAsCode(Model):
    """Where an executable, versioned, tested policy lives."""

    path: Text
    """Location in the repository: 'policies/pii.rego'."""
    version: Text | None = None
    """Version or tag of the policy."""
    tested: bool = False
    """Whether the policy has automated tests."""
    engine: Text | None = None
    """Policy engine: OPA, Cedar, custom..."""


class Control(Model):
    """A runtime control: policy check, circuit breaker, fallback, rollback..."""

    id: Id
    """Identifier used by decisions and runbooks."""
    title: Text
    """The control in a few words."""
    kind: ControlKind
    """The kind of control."""
    description: Text | None = None
    """What it does at runtime."""
    policy: PolicyAsCode | None = None
    """The policy-as-code behind it, when there is one."""
    threshold: Text | None = None
    """What trips it: '5 failures in 1m', 'confidence < 0.8'."""
    runbook: RunbookRef | None = None
    """Runbook (id) to follow when it trips."""
    owner: RoleRef | None = None
    """Role owning the control."""
    tested: dt.date | None = None
    """When it was last tested."""


class KillSwitch(Model):
    """How a human interrupts the system (EU AI Act Art. 14(4)(e))."""

    mechanism: Text
    """How it is pulled: feature flag, config, button."""
    owner: RoleRef
    """Role allowed to pull it."""
    effect: Text | None = None
    """What happens to in-flight and new cases."""
    last_tested: dt.date | None = None
    """When it was last tested."""


class RolloutStep(Model):
    """One step of a staged rollout."""

    name: Text
    """Step name: 'canary', 'region EU'."""
    traffic: Percent
    """Share of traffic at this step."""
    promote_when: Text | None = None
    """Condition to move on."""


class Rollout(Model):
    """How a new version reaches users, and how it is rolled back."""

    strategy: Annotated[str, Field(pattern="^(canary|staged|blue_green|shadow|big_bang)$")]
    """canary, staged, blue_green, shadow or big_bang."""
    steps: list[RolloutStep] = []
    """The steps."""
    rollback: Text | None = None
    """How to return to the previous model or prompt version."""
    rollback_time: Duration | None = None
    """How long a rollback takes."""


class RuntimeControls(Model):
    """Controls that keep live behaviour in bounds."""

    controls: list[Control] = []
    """The controls."""
    kill_switch: KillSwitch | None = None
    """The kill switch."""
    rollout: Rollout | None = None
    """Release strategy and rollback."""
    degradation: Text | None = None
    """The manual process the workflow degrades to."""


# ---------------------------------------------------------------- acceptance


class AcceptanceCondition(Model):
    """A measurable condition for release."""

    id: Id
    """Identifier of the condition."""
    title: Text
    """The condition in a few words."""
    metric: Text
    """What is measured."""
    comparator: Comparator = Comparator.ge
    """How the measured value is compared with the threshold."""
    threshold: float
    """The bar."""
    unit: Text | None = None
    """Unit of the threshold."""
    slice: Text | None = None
    """The population slice it applies to ('all', 'applicants over 65')."""
    decisions: list[DecisionRef] = []
    """Decisions (ids) this condition covers."""
    evidence: Text | None = None
    """The evidence delivered to show it holds."""
    responsible: RoleRef | None = None
    """Role responsible for meeting it."""


class GoldenSet(Model):
    """The curated set of representative inputs."""

    size: Annotated[int, Field(ge=0)]
    """Number of inputs."""
    location: Text | None = None
    """Where it lives."""
    refreshed: Cadence | None = None
    """How often it is refreshed from production samples."""
    owner: RoleRef | None = None
    """Role owning the set."""


class EvalMetric(Model):
    """An evaluation metric, overall or for one slice."""

    name: Text
    """Metric name."""
    threshold: float
    """Pass mark."""
    comparator: Comparator = Comparator.ge
    """How a value is compared with the threshold."""
    slice: Text = "all"
    """The group measured: 'all' or a named slice."""
    value: float | None = None
    """Latest measured value."""


class EvalResult(Model):
    """A dated, signed evaluation run."""

    date: dt.date
    """When it ran."""
    version: Text
    """Spec or release version evaluated."""
    passed: bool
    """Whether every threshold held."""
    signed_by: RoleRef
    """Role that signed the result."""
    report: Text | None = None
    """Where the report is."""


class EvaluationHarness(Model):
    """The evaluation harness that runs in CI."""

    golden_set: GoldenSet | None = None
    """The golden set."""
    scoring: Annotated[str, Field(pattern="^(automated|human|mixed)$")] | None = None
    """automated, human or mixed."""
    runs_on: list[EvalTrigger] = []
    """What makes it run."""
    regression_alert: Text | None = None
    """What alert fires on a regression, and to whom."""
    production_sampling: Percent | None = None
    """Share of production traffic sampled back into evaluation."""
    metrics: list[EvalMetric] = []
    """Metrics with thresholds, overall and per slice."""
    results: list[EvalResult] = []
    """Dated, signed results."""


class ProbeSet(Model):
    """Probes of one attack class."""

    attack_class: AttackClass
    """The attack class."""
    probes: Annotated[int, Field(ge=0)]
    """How many probes."""


class ResponseSla(Model):
    """How fast a red-team finding of a severity is answered."""

    severity: Severity
    """Finding severity."""
    respond_within: Duration
    """Response time."""


class RedTeamHarness(Model):
    """Adversarial probes, organised by attack class."""

    probe_sets: list[ProbeSet] = []
    """Probes per attack class."""
    cadence: Cadence | None = None
    """How often the probes run."""
    response_slas: list[ResponseSla] = []
    """Response time per severity."""
    owner: RoleRef | None = None
    """Role owning the red-team catalogue."""

    @property
    def total_probes(self) -> int:
        return sum(p.probes for p in self.probe_sets)


class Acceptance(Model):
    """What counts as done: release conditions and the harnesses that prove them."""

    conditions: list[AcceptanceCondition] = []
    """Release conditions."""
    evaluation: EvaluationHarness | None = None
    """The evaluation harness."""
    red_team: RedTeamHarness | None = None
    """The red-team harness."""
    readiness_review: Signature | None = None
    """The security (CISO-level) production-readiness review that was passed."""


# ---------------------------------------------------------------- observability


class Signal(Model):
    """A monitored signal and the alert it raises."""

    id: Id
    """Identifier used by runbooks."""
    kind: SignalKind
    """What it watches."""
    metric: Text
    """The metric or query."""
    threshold: Text
    """When it alerts: '> 5% over 1h'."""
    pages: bool = False
    """Whether the alert pages on-call."""
    runbook: RunbookRef | None = None
    """Runbook (id) for the alert."""


class Observability(Model):
    """What is monitored and which alert fires when."""

    signals: list[Signal] = []
    """Signals."""
    dashboard: Text | None = None
    """Where the dashboard is."""


# ---------------------------------------------------------------- audit and data


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
    name: Text
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
    name: Text
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


# ---------------------------------------------------------------- runbooks


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
    title: Text
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


# ---------------------------------------------------------------- change control


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


# ---------------------------------------------------------------- exit


class Artifact(Model):
    """An artifact the buyer owns and can take away."""

    name: Text
    """Artifact."""
    kind: ArtifactKind
    """Kind of artifact."""
    location: Text | None = None
    """Where it lives."""
    format: Text | None = None
    """Format: YAML, Markdown, JSONL..."""
    owned_by_buyer: bool = True
    """Whether the buyer owns it."""


class HandoverMilestone(Model):
    """A dated step of the handover plan."""

    name: Text
    """Milestone."""
    date: dt.date
    """Target date."""
    done: bool = False
    """Whether it is done."""


class Handover(Model):
    """The handover to the buyer's team."""

    to: RoleRef
    """Role taking over."""
    date: dt.date
    """Date of the written handover."""
    plan: Text | None = None
    """The plan in a few sentences."""
    milestones: list[HandoverMilestone] = []
    """Dated milestones."""


class ExitPlan(Model):
    """How the buyer takes over or leaves the vendor."""

    artifacts: list[Artifact] = []
    """Artifacts the buyer keeps."""
    handover: Handover | None = None
    """The handover plan."""
    transition_estimate: Duration | None = None
    """How long a transition to another partner would take."""
    transition_notes: Text | None = None
    """What a transition would take."""
    decommissioning: Text | None = None
    """How the system would be retired."""


# ---------------------------------------------------------------- approvals


class SpecApproval(Model):
    """A recorded approval of one version of this spec."""

    role: RoleRef
    """The role approving."""
    by: PersonRef
    """The person approving."""
    date: dt.date
    """When."""
    fingerprint: Annotated[str, Field(pattern="^sha256:[0-9a-f]{64}$")]
    """Content fingerprint of the spec that was approved."""
    sections: dict[str, str] = {}
    """Per-section fingerprints at approval, to say what changed since."""


class SignoffParty(Model):
    """Who signs the production-readiness definition for one area."""

    area: SignoffArea
    """The area signed for."""
    role: RoleRef
    """The role signing."""


# ---------------------------------------------------------------- the spec


class Spec(Model):
    """A production-readiness spec for one AI workflow."""

    schema_version: Annotated[int, Field(ge=1, le=SCHEMA_VERSION)]
    """Version of the spec format; this release reads version 1."""
    id: Id
    """Identifier of the workflow."""
    title: Text
    """Name of the workflow."""
    version: Text
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


# ---------------------------------------------------------------- project file


class Waiver(Model):
    """A recorded exception to one rule: who allowed it, why, until when."""

    rule: Text
    """The rule id, e.g. 'EVAL-002'."""
    specs: list[Id] = []
    """Specs (ids) it applies to; empty means every spec."""
    reason: Text
    """Why the rule does not apply or is accepted as a gap."""
    approved_by: RoleOrPersonRef
    """Role or person who approved the waiver."""
    expires: dt.date
    """After this date the waiver stops applying."""
    severity: Annotated[str, Field(pattern="^(off|info|warning|error)$")] = "off"
    """What the rule becomes while waived: off, info, warning or error."""


class PolicyRule(Model):
    """A declarative rule added by the organisation, without Python."""

    id: Annotated[str, Field(pattern="^[A-Z]+-[0-9]{3}$")]
    """Rule id, e.g. 'ORG-001'."""
    title: Text
    """What it requires."""
    field: Text
    """Dotted path into the spec: 'audit.retention', 'acceptance.conditions'."""
    require: Annotated[str, Field(pattern="^(present|min_items|min_value|equals)$")] = "present"
    """present, min_items, min_value or equals."""
    value: float | str | bool | None = None
    """The number or value for min_items, min_value and equals."""
    from_stage: Stage = Stage.experimentation
    """The first stage it applies at."""
    severity: Annotated[str, Field(pattern="^(info|warning|error)$")] = "error"
    """info, warning or error."""
    rationale: Text
    """Why the organisation requires it."""


class Thresholds(Model):
    """Numbers the built-in rules use, tunable per organisation."""

    golden_set_min: Annotated[int, Field(ge=0)] = 100
    """Minimum golden-set size at system of record."""
    golden_set_min_rollout: Annotated[int, Field(ge=0)] = 30
    """Minimum golden-set size at limited rollout."""
    red_team_min: Annotated[int, Field(ge=0)] = 50
    """Minimum red-team probes at system of record."""
    handover_within_months: Annotated[int, Field(ge=1)] = 12
    """Handover to the buyer's team within this many months of the spec's release."""
    audit_retention_min: Duration = Duration.parse("1y")
    """Minimum audit retention at system of record."""


class Policy(Model):
    """The organisation's tuning of the rules."""

    thresholds: Thresholds = Thresholds()
    """Numbers used by built-in rules."""
    waivers: list[Waiver] = []
    """Recorded waivers."""
    rules: list[PolicyRule] = []
    """Extra declarative rules."""


class SiteSettings(Model):
    """How the handover site looks."""

    name: Text | None = None
    """Site title."""
    logo: Text | None = None
    """Path to a logo image, relative to the project file."""
    primary_color: Annotated[str, Field(pattern="^[a-z-]+$")] = "indigo"
    """mkdocs-material primary colour name: indigo, teal, deep-purple..."""
    accent_color: Annotated[str, Field(pattern="^[a-z-]+$")] = "indigo"
    """mkdocs-material accent colour name."""


class Project(Model):
    """The project file (specgen.yml): what specs share."""

    schema_version: Annotated[int, Field(ge=1, le=SCHEMA_VERSION)] = SCHEMA_VERSION
    """Version of the project file format."""
    organisation: Text | None = None
    """The buyer organisation."""
    vendor: Text | None = None
    """The delivery partner, if any."""
    site: SiteSettings = SiteSettings()
    """Handover site settings."""
    people: list[Person] = []
    """People shared by all specs."""
    roles: list[Role] = []
    """Roles shared by all specs."""
    loosening_signoff: list[RoleRef] = []
    """Roles that must sign off a change that loosens governance."""
    policy: Policy = Policy()
    """Rule thresholds, waivers and extra rules."""


# ---------------------------------------------------------------- JSON Schema

SCHEMA_ID = "https://specgen.invalid/schema/v1/{kind}.json"


def json_schema(kind: str = "spec") -> dict[str, object]:
    """The JSON Schema of a spec (``kind="spec"``) or of the project file."""
    model: type[Model] = Spec if kind == "spec" else Project
    schema = model.model_json_schema(mode="validation")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID.format(kind=kind),
        **schema,
    }


def json_schema_text(kind: str = "spec") -> str:
    """:func:`json_schema` as stable, indented JSON."""
    import json

    return json.dumps(json_schema(kind), indent=2, ensure_ascii=False)
