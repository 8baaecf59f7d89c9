"""The facts a diagnostic question and the readiness rule citing it both judge.

Seven built-in rules cite a question of the 004 diagnostic. Each pair reads one
:class:`Fact` computed by one function here: the question answers yes exactly
when the fact holds, and the rule yields the fact's gaps (or its reason for not
applying), so the rule passes exactly when the question answers yes. They are
consistent by construction; ``tests/test_rules_consistency.py`` checks it on
generated specs.

A fact that does not hold carries either gaps (the rule fails, at those fields)
or ``missing``: the thing the rule looks at is absent and another rule already
asks for it (the rule does not apply, and says why). Either way the question
answers no.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

from specgen.rules.context import Gap, NotApplicable, RuleContext
from specgen.spec.schema import ControlKind, EvalTrigger

__all__ = [
    "Fact",
    "builders_on_call",
    "harness_runs_in_ci",
    "metric_has_baseline_and_target",
    "policy_as_code",
    "readiness_review",
    "stop_condition",
    "unit_cost",
]

CI_TRIGGERS = (EvalTrigger.every_change, EvalTrigger.model_update)
"""What 'running in CI' means in 004 invariant 3: every PR and every vendor model update runs against it."""


@dataclass(frozen=True)
class Fact:
    """Whether the spec shows one thing, the evidence quoted, and the gaps when it does not."""

    evidence: str
    """What the answer rests on, e.g. 'scorecard.metric.baseline = 46, target = 4 hours'."""
    gaps: tuple[Gap, ...] = ()
    missing: NotApplicable | None = None

    @property
    def holds(self) -> bool:
        """True when nothing is missing and there is no gap: the question's yes, the rule's pass."""
        return self.missing is None and not self.gaps

    @property
    def answer(self) -> tuple[bool, str]:
        """The question's answer and its evidence."""
        return self.holds, self.evidence

    def outcomes(self) -> Iterator[Gap | NotApplicable]:
        """What the rule yields: its reason for not applying, or its gaps (nothing when the fact holds)."""
        if self.missing is not None:
            yield self.missing
        else:
            yield from self.gaps


def _num(value: float) -> str:
    return f"{value:g}"


def metric_has_baseline_and_target(ctx: RuleContext) -> Fact:
    """Question 1 and SCORE-001: a written outcome metric with a baseline and a target."""
    card = ctx.spec.scorecard
    if card is None:
        gap = Gap(("scorecard",), "no scorecard: name the outcome metric with its baseline and target")
        return Fact("no scorecard", (gap,))
    metric = card.metric
    baseline, target = metric.baseline, metric.target
    if baseline is None or target is None:
        absent = [name for name, value in (("baseline", baseline), ("target", target)) if value is None]
        gaps = tuple(Gap(("scorecard", "metric", n), f"the metric '{metric.name}' has no {n}") for n in absent)
        return Fact(f"scorecard.metric has no {' and '.join(absent)}", gaps)
    return Fact(f"scorecard.metric.baseline = {_num(baseline)}, target = {_num(target)} {metric.unit}")


def harness_runs_in_ci(ctx: RuleContext) -> Fact:
    """Question 3 and EVAL-003: the harness runs on every change and every vendor model update."""
    harness = ctx.spec.acceptance.evaluation if ctx.spec.acceptance else None
    if harness is None:
        return Fact(
            "no acceptance.evaluation harness",
            missing=NotApplicable("there is no evaluation harness (EVAL-001 asks for one)"),
        )
    runs = ", ".join(t.value for t in harness.runs_on) or "nothing"
    absent = [t.value for t in CI_TRIGGERS if t not in harness.runs_on]
    gaps = (
        (Gap(("acceptance", "evaluation", "runs_on"), f"the harness does not run on: {', '.join(absent)}"),)
        if absent
        else ()
    )
    return Fact(f"acceptance.evaluation.runs_on = {runs}", gaps)


def readiness_review(ctx: RuleContext) -> Fact:
    """Question 4 and RED-005: a CISO-level production-readiness review is recorded."""
    review = ctx.spec.acceptance.readiness_review if ctx.spec.acceptance else None
    if review is None:
        gap = Gap(("acceptance", "readiness_review"), "no recorded security production-readiness review")
        return Fact("acceptance.readiness_review is not recorded", (gap,))
    return Fact(f"acceptance.readiness_review by {review.role} on {review.date}")


def stop_condition(ctx: RuleContext) -> Fact:
    """Question 6 and SCORE-002: a written stop condition."""
    card = ctx.spec.scorecard
    if card is None or card.stop_condition is None:
        gap = Gap(("scorecard", "stop_condition"), "no written stop condition")
        return Fact("scorecard.stop_condition is not written", (gap,))
    return Fact("scorecard.stop_condition is written")


def unit_cost(ctx: RuleContext) -> Fact:
    """Question 7 and SCORE-005: a unit cost per transaction."""
    cost = ctx.spec.scorecard.unit_cost if ctx.spec.scorecard else None
    if cost is None:
        gap = Gap(("scorecard", "unit_cost"), "no unit cost per transaction")
        return Fact("scorecard.unit_cost is not set", (gap,))
    return Fact(f"scorecard.unit_cost = {_num(cost.amount)} {cost.currency} per {cost.per}")


def builders_on_call(ctx: RuleContext) -> Fact:
    """Question 8 and OPS-002: the on-call rotation includes people who built the system."""
    on_call = ctx.spec.ownership.on_call
    if on_call is None or not on_call.rotation:
        return Fact(
            "no ownership.on_call.rotation",
            missing=NotApplicable("there is no on-call rotation (OPS-001 asks for one)"),
        )
    builders = [pid for pid in on_call.rotation if (p := ctx.people.get(pid)) is not None and p.built_system]
    if not builders:
        gap = Gap(
            ("ownership", "on_call", "rotation"),
            "nobody on the on-call rotation built the system (Person.built_system)",
        )
        return Fact(f"ownership.on_call.rotation = {', '.join(on_call.rotation)}; none built the system", (gap,))
    return Fact(f"ownership.on_call.rotation includes {', '.join(builders)}, who built the system")


def policy_as_code(ctx: RuleContext) -> Fact:
    """Question 9 and GOV-002: governance controls are codified as policy-as-code.

    Any runtime control whose policy is code counts, whatever its kind: 004
    invariant 5 names content policies, access policies and escalation rules,
    which specs model as output validation, input guards, escalations as well
    as policy checks. A ``policy_check`` control that names no code is the
    policy-as-PDF the invariant warns about, so it keeps the answer at no.
    """
    controls = ctx.spec.controls
    coded = [c for c in controls if c.policy is not None]
    gaps: list[Gap] = []
    if not coded:
        gaps.append(
            Gap(
                ("runtime", "controls"),
                "no runtime control names a policy-as-code (path, version, tests): "
                "the rules the system must follow are not code",
            )
        )
    uncoded = [(i, c) for i, c in enumerate(controls) if c.kind is ControlKind.policy_check and c.policy is None]
    for i, control in uncoded:
        message = f"policy check '{control.id}' names no policy-as-code (path, version, tests)"
        gaps.append(Gap(("runtime", "controls", i, "policy"), message))
    if not coded:
        return Fact("no runtime control names a policy-as-code", tuple(gaps))
    if uncoded:
        return Fact(f"policy checks without policy-as-code: {', '.join(c.id for _, c in uncoded)}", tuple(gaps))
    listing = ", ".join(f"{c.id} ({c.policy.path})" for c in coded if c.policy is not None)
    return Fact(f"runtime.controls with policy-as-code: {listing}")


def dated_ahead(what: str, done: str, day: dt.date, today: dt.date) -> str:
    """The gap of a past event (a test, an exercise) dated after the day
    checked: it has not happened, the date was typed ahead."""
    return f"{what} is said to be last {done} on {day}, after the day checked ({today}): not done yet"
