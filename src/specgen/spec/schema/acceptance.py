"""What counts as done (``acceptance``): release conditions, the evaluation
harness with its golden set and signed results, the red-team harness, and the
security readiness review."""

from __future__ import annotations

import datetime as dt
from enum import Enum
from typing import Annotated

from pydantic import Field

from specgen.spec.schema.base import Cadence, Model, Severity, Text
from specgen.spec.schema.ownership import Signature
from specgen.spec.values import DecisionRef, Duration, Id, Percent, RoleRef


class Comparator(str, Enum):
    """How a measured value is compared with its threshold."""

    ge = ">="
    gt = ">"
    le = "<="
    lt = "<"
    eq = "=="


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


class EvalScoring(str, Enum):
    """Who scores evaluation results."""

    automated = "automated"
    human = "human"
    mixed = "mixed"


class MeasuredBy(Model):
    """Which recorded measurement proves a condition or metric: the metric and
    slice names a result file uses (``specgen evidence add`` records them)."""

    metric: Text
    """The metric's name in the result files (a promptfoo named metric, a JUnit suite or
    ``metric`` property, ``pass_rate``, or a ``metric`` column)."""
    slice: Text = "all"
    """The slice measured: 'all', or a value of the slice variable or property."""


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
    measured_by: MeasuredBy | None = None
    """The recorded measurement that proves it (``specgen evidence``); specgen computes
    the verdict from it against the threshold."""


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
    """Latest value as typed by hand: shown as asserted, not measured. Prefer ``measured_by``."""
    measured_by: MeasuredBy | None = None
    """The recorded measurement that proves it (``specgen evidence``)."""


class EvalResult(Model):
    """A dated, signed evaluation run."""

    date: dt.date
    """When it ran."""
    version: Text
    """Spec or release version evaluated."""
    passed: bool
    """Whether every threshold held, as typed by hand (asserted, not measured: recorded
    evidence and its computed verdicts take precedence)."""
    signed_by: RoleRef
    """Role that signed the result."""
    report: Text | None = None
    """Where the report is."""


class EvaluationHarness(Model):
    """The evaluation harness that runs in CI."""

    golden_set: GoldenSet | None = None
    """The golden set."""
    scoring: EvalScoring | None = None
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
