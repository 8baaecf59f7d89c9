"""The ten-question diagnostic of seed 004, answered yes or no from one spec.

Each question is answered by a small function that returns the answer and the
evidence: the field(s) the answer rests on, with their values, or what is
missing. The number of yeses gives the stage reading of 004: under five,
experimentation or selective production; five to seven, distributed delivery;
eight or nine, operating-model integration; ten, further along than most.

Questions 2, 3, 5, 7 and 10 are asked of an organisation's portfolio in 004;
here they are asked of the one system the spec describes.
"""

from __future__ import annotations

from collections.abc import Callable

from specgen.rules.context import RuleContext
from specgen.rules.model import DiagnosticAnswer, DiagnosticReading
from specgen.spec.schema import ControlKind, EvalTrigger

__all__ = ["QUESTIONS", "diagnose", "reading_for"]

Answer = tuple[bool, str]


def _num(value: float) -> str:
    return f"{value:g}"


def _q1(ctx: RuleContext) -> Answer:
    card = ctx.spec.scorecard
    if card is None:
        return False, "no scorecard"
    metric = card.metric
    if metric.baseline is None or metric.target is None:
        missing = " and ".join(n for n in ("baseline", "target") if getattr(metric, n) is None)
        return False, f"scorecard.metric has no {missing}"
    return True, f"scorecard.metric.baseline = {_num(metric.baseline)}, target = {_num(metric.target)} {metric.unit}"


def _q2(ctx: RuleContext) -> Answer:
    role_id = ctx.spec.ownership.business_owner
    if role_id is None:
        return False, "ownership.business_owner is not set"
    person = ctx.holder(role_id)
    if person is None:
        return False, f"ownership.business_owner = {role_id}, a role with no named holder"
    return True, f"ownership.business_owner = {role_id}, held by {person.name}"


def _q3(ctx: RuleContext) -> Answer:
    harness = ctx.spec.acceptance.evaluation if ctx.spec.acceptance else None
    if harness is None:
        return False, "no acceptance.evaluation harness"
    runs = ", ".join(t.value for t in harness.runs_on) or "nothing"
    return EvalTrigger.every_change in harness.runs_on, f"acceptance.evaluation.runs_on = {runs}"


def _q4(ctx: RuleContext) -> Answer:
    review = ctx.spec.acceptance.readiness_review if ctx.spec.acceptance else None
    if review is None:
        return False, "acceptance.readiness_review is not recorded"
    return True, f"acceptance.readiness_review by {review.role} on {review.date}"


def _q5(ctx: RuleContext) -> Answer:
    ownership = ctx.spec.ownership
    if ownership.sponsor is None or ownership.budget_holder is None:
        missing = " and ".join(n for n in ("sponsor", "budget_holder") if getattr(ownership, n) is None)
        return False, f"ownership.{missing} not set"
    return True, f"ownership.sponsor = {ownership.sponsor}; ownership.budget_holder = {ownership.budget_holder}"


def _q6(ctx: RuleContext) -> Answer:
    card = ctx.spec.scorecard
    if card is None or card.stop_condition is None:
        return False, "scorecard.stop_condition is not written"
    return True, "scorecard.stop_condition is written"


def _q7(ctx: RuleContext) -> Answer:
    cost = ctx.spec.scorecard.unit_cost if ctx.spec.scorecard else None
    if cost is None:
        return False, "scorecard.unit_cost is not set"
    return True, f"scorecard.unit_cost = {_num(cost.amount)} {cost.currency} per {cost.per}"


def _q8(ctx: RuleContext) -> Answer:
    on_call = ctx.spec.ownership.on_call
    if on_call is None or not on_call.rotation:
        return False, "no ownership.on_call.rotation"
    builders = [pid for pid in on_call.rotation if (p := ctx.people.get(pid)) is not None and p.built_system]
    if not builders:
        return False, f"ownership.on_call.rotation = {', '.join(on_call.rotation)}; none built the system"
    return True, f"ownership.on_call.rotation includes {', '.join(builders)}, who built the system"


def _q9(ctx: RuleContext) -> Answer:
    coded = [c for c in ctx.spec.controls if c.policy is not None]
    uncoded = [c.id for c in ctx.spec.controls if c.kind is ControlKind.policy_check and c.policy is None]
    if not coded:
        return False, "no runtime control names a policy-as-code"
    listing = ", ".join(f"{c.id} ({c.policy.path})" for c in coded if c.policy is not None)
    if uncoded:
        return False, f"policy checks without policy-as-code: {', '.join(uncoded)}"
    return True, f"runtime.controls with policy-as-code: {listing}"


def _q10(ctx: RuleContext) -> Answer:
    card = ctx.spec.scorecard
    sponsor = ctx.spec.ownership.sponsor
    if card is None or card.metric.baseline is None or card.metric.target is None:
        return False, "the outcome has no baseline and target in numbers (scorecard.metric)"
    signature = next((s for s in card.signed_by if s.role == sponsor), None)
    if sponsor is None or signature is None:
        return False, "scorecard.signed_by has no signature of the sponsor (ownership.sponsor)"
    return True, f"scorecard.signed_by {sponsor} (the sponsor) on {signature.date}"


QUESTIONS: tuple[tuple[str, Callable[[RuleContext], Answer]], ...] = (
    ("Is there a written outcome metric with a baseline and a target?", _q1),
    ("Is there at least one production AI system with a named owner in the business?", _q2),
    ("Is there an evaluation harness running in CI for each production system?", _q3),
    ("Has the system passed a CISO-level production-readiness review?", _q4),
    ("Do business units - not central IT - sponsor AI programmes in their own budget?", _q5),
    ("Is there a written stop condition for each active programme?", _q6),
    ("Can you quote a unit cost per transaction for at least one production system?", _q7),
    ("Is there an on-call rotation staffed by the people who built the systems?", _q8),
    ("Are governance controls codified as policy-as-code?", _q9),
    ("Can the leadership team name the outcome - in numbers - of the three most recent AI programmes?", _q10),
)
"""The questions, verbatim from seed 004, with the function answering each."""


def reading_for(yes_count: int) -> str:
    """The stage reading 004 gives for a number of yeses."""
    if yes_count < 5:
        return "experimentation or selective production"
    if yes_count <= 7:
        return "distributed delivery"
    if yes_count <= 9:
        return "operating-model integration"
    return "further along than most"


def diagnose(ctx: RuleContext) -> DiagnosticReading:
    """Answer the ten questions for the spec in ``ctx``."""
    answers = []
    for number, (question, answer_fn) in enumerate(QUESTIONS, start=1):
        answer, evidence = answer_fn(ctx)
        answers.append(DiagnosticAnswer(number, question, answer, evidence))
    yes_count = sum(a.answer for a in answers)
    return DiagnosticReading(answers, yes_count, reading_for(yes_count))
