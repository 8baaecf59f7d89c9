"""The ten-question diagnostic of seed 004, answered yes or no from one spec.

Each question is answered by a small function that returns the answer and the
evidence: the field(s) the answer rests on, with their values, or what is
missing. The number of yeses gives the stage reading of 004: under five,
experimentation or selective production; five to seven, distributed delivery;
eight or nine, operating-model integration; ten, further along than most.

Questions 2, 3, 5, 7 and 10 are asked of an organisation's portfolio in 004;
here they are asked of the one system the spec describes.

A question that a readiness rule cites is answered from the same
:class:`~specgen.rules.facts.Fact` the rule yields its gaps from, so the rule
passes exactly when the question answers yes.
"""

from __future__ import annotations

from collections.abc import Callable

from specgen.rules import facts
from specgen.rules.context import RuleContext
from specgen.rules.model import DiagnosticAnswer, DiagnosticReading

__all__ = ["QUESTIONS", "diagnose", "reading_for"]

Answer = tuple[bool, str]


def _asks(fact: Callable[[RuleContext], facts.Fact]) -> Callable[[RuleContext], Answer]:
    """A question answered by a fact the rule citing it also judges (see :mod:`specgen.rules.facts`)."""

    def answer(ctx: RuleContext) -> Answer:
        return fact(ctx).answer

    return answer


def _q2(ctx: RuleContext) -> Answer:
    role_id = ctx.spec.ownership.business_owner
    if role_id is None:
        return False, "ownership.business_owner is not set"
    person = ctx.holder(role_id)
    if person is None:
        return False, f"ownership.business_owner = {role_id}, a role with no named holder"
    return True, f"ownership.business_owner = {role_id}, held by {person.name}"


def _q5(ctx: RuleContext) -> Answer:
    ownership = ctx.spec.ownership
    if ownership.sponsor is None or ownership.budget_holder is None:
        missing = " and ".join(n for n in ("sponsor", "budget_holder") if getattr(ownership, n) is None)
        return False, f"ownership.{missing} not set"
    return True, f"ownership.sponsor = {ownership.sponsor}; ownership.budget_holder = {ownership.budget_holder}"


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
    ("Is there a written outcome metric with a baseline and a target?", _asks(facts.metric_has_baseline_and_target)),
    ("Is there at least one production AI system with a named owner in the business?", _q2),
    ("Is there an evaluation harness running in CI for each production system?", _asks(facts.harness_runs_in_ci)),
    ("Has the system passed a CISO-level production-readiness review?", _asks(facts.readiness_review)),
    ("Do business units - not central IT - sponsor AI programmes in their own budget?", _q5),
    ("Is there a written stop condition for each active programme?", _asks(facts.stop_condition)),
    ("Can you quote a unit cost per transaction for at least one production system?", _asks(facts.unit_cost)),
    ("Is there an on-call rotation staffed by the people who built the systems?", _asks(facts.builders_on_call)),
    ("Are governance controls codified as policy-as-code?", _asks(facts.policy_as_code)),
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
