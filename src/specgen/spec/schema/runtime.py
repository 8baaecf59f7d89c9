"""Live behaviour: runtime controls, policy as code, the kill switch and the
rollout (``runtime``), and the monitored signals with their alerts
(``observability``)."""

from __future__ import annotations

import datetime as dt
from enum import Enum

from specgen.spec.schema.base import Model, Text, Title
from specgen.spec.values import Duration, Id, Percent, RoleRef, RunbookRef


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
    title: Title
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


class RolloutStrategy(str, Enum):
    """How a new version reaches users."""

    canary = "canary"
    staged = "staged"
    blue_green = "blue_green"
    shadow = "shadow"
    big_bang = "big_bang"


class RolloutStep(Model):
    """One step of a staged rollout."""

    name: Title
    """Step name: 'canary', 'region EU'."""
    traffic: Percent
    """Share of traffic at this step."""
    promote_when: Text | None = None
    """Condition to move on."""


class Rollout(Model):
    """How a new version reaches users, and how it is rolled back."""

    strategy: RolloutStrategy
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
