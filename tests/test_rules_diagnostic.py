"""The ten-question diagnostic (004) and the six warning signs (000), read from specs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from specgen.diagnostics import Level
from specgen.rules import RuleKind, reading_for
from specgen.rules.questionnaire import QUESTIONS
from tests.rules_support import check_data, drop, get, put


@pytest.mark.parametrize(
    ("yeses", "reading"),
    [
        (0, "experimentation or selective production"),
        (4, "experimentation or selective production"),
        (5, "distributed delivery"),
        (7, "distributed delivery"),
        (8, "operating-model integration"),
        (9, "operating-model integration"),
        (10, "further along than most"),
    ],
)
def test_reading_thresholds(yeses: int, reading: str) -> None:
    assert reading_for(yeses) == reading


def test_the_questions_are_those_of_004() -> None:
    assert len(QUESTIONS) == 10
    assert QUESTIONS[0][0] == "Is there a written outcome metric with a baseline and a target?"
    assert QUESTIONS[7][0] == "Is there an on-call rotation staffed by the people who built the systems?"


def test_credit_example_answers_yes_to_all_ten_with_evidence(write_spec, credit_data) -> None:
    reading = check_data(write_spec, credit_data).diagnostic
    assert reading.yes_count == 10 and reading.reading == "further along than most"
    assert [a.number for a in reading.answers] == list(range(1, 11))
    evidence = {a.number: a.evidence for a in reading.answers}
    assert evidence[1] == "scorecard.metric.baseline = 46, target = 4 hours"
    assert evidence[3] == "acceptance.evaluation.runs_on = every_change, model_update, release"
    assert evidence[4] == "acceptance.readiness_review by ciso on 2026-10-30"
    assert evidence[7] == "scorecard.unit_cost = 1.85 EUR per application"
    assert evidence[8] == (
        "ownership.on_call.rotation includes kwame-asante, david-chen, sara-nilsson, who built the system"
    )


def _unsigned_scorecard(data: dict[str, Any]) -> None:
    put(data, "scorecard.signed_by", [s for s in get(data, "scorecard.signed_by") if s["role"] != "head-of-lending"])


NO_ANSWERS: list[tuple[int, Callable[[dict[str, Any]], None], str]] = [
    (1, lambda d: drop(d, "scorecard.metric.target"), "scorecard.metric has no target"),
    (2, lambda d: drop(d, "ownership.business_owner"), "ownership.business_owner is not set"),
    (3, lambda d: put(d, "acceptance.evaluation.runs_on", ["release"]), "acceptance.evaluation.runs_on = release"),
    (4, lambda d: drop(d, "acceptance.readiness_review"), "acceptance.readiness_review is not recorded"),
    (5, lambda d: drop(d, "ownership.budget_holder"), "ownership.budget_holder not set"),
    (6, lambda d: drop(d, "scorecard.stop_condition"), "scorecard.stop_condition is not written"),
    (7, lambda d: drop(d, "scorecard.unit_cost"), "scorecard.unit_cost is not set"),
    (8, lambda d: put(d, "ownership.on_call.rotation", ["tom-okafor"]), "none built the system"),
    (9, lambda d: drop(d, "runtime.controls.0.policy"), "policy checks without policy-as-code: lending-policy-check"),
    (10, _unsigned_scorecard, "no signature of the sponsor"),
]


@pytest.mark.parametrize(("number", "edit", "evidence"), NO_ANSWERS, ids=[f"q{n}" for n, _, _ in NO_ANSWERS])
def test_each_question_answers_no_with_what_is_missing(number, edit, evidence, write_spec, credit_data) -> None:
    edit(credit_data)
    reading = check_data(write_spec, credit_data).diagnostic
    answers = {a.number: a for a in reading.answers}
    assert answers[number].answer is False
    assert evidence in answers[number].evidence
    assert reading.yes_count < 10 and reading.reading == reading_for(reading.yes_count)


def test_three_noes_read_as_distributed_delivery(write_spec, credit_data) -> None:
    for number in (4, 6, 7):
        NO_ANSWERS[number - 1][1](credit_data)
    reading = check_data(write_spec, credit_data).diagnostic
    assert reading.yes_count == 7 and reading.reading == "distributed delivery"
    assert reading.to_dict()["answers"][3] == {
        "number": 4,
        "question": "Has the system passed a CISO-level production-readiness review?",
        "answer": False,
        "evidence": "acceptance.readiness_review is not recorded",
    }


def test_an_experiment_reads_as_experimentation(write_spec) -> None:
    data = {
        "schema_version": 1,
        "id": "invoice-matching",
        "title": "Invoice matching experiment",
        "version": "0.1.0",
        "stage": "experimentation",
        "intent": {"objective": "Match invoices to purchase orders."},
        "ownership": {"accountable": "head-of-lending", "business_owner": "head-of-lending"},
    }
    reading = check_data(write_spec, data).diagnostic
    assert reading.yes_count == 1
    assert reading.reading == "experimentation or selective production"


# ---------------------------------------------------------------- warning signs


Edit = Callable[[dict[str, Any]], None]


def _drop(dotted: str) -> Edit:
    return lambda data: drop(data, dotted)


def _both(first: Edit, second: Edit) -> Edit:
    def run(data: dict[str, Any]) -> None:
        first(data)
        second(data)

    return run


SIGNS: list[tuple[str, Callable[[dict[str, Any]], None], str, str]] = [
    (
        "SIGN-001",
        lambda d: (
            put(d, "ownership.on_call.rotation", ["david-chen", "sara-nilsson"]) or drop(d, "runtime.degradation")
        ),
        "ownership.on_call.rotation",
        "only Meridian AI Delivery people are on call; no manual process to fall back to",
    ),
    (
        "SIGN-002",
        _both(_drop("decisions.1.approver"), _drop("change_control.rules")),
        "change_control",
        "nobody is named to approve changes; decision 'refer-to-officer' needs a human but names no approver",
    ),
    (
        "SIGN-003",
        _both(_drop("decisions.0.escalation"), lambda d: put(d, "decisions.2.controls", [])),
        "decisions[0].escalation",
        "'approve-low-risk' escalates nowhere; nothing checks decision 'decline' at runtime",
    ),
    (
        "SIGN-004",
        _both(_drop("ownership.review_rhythm"), _drop("ownership.on_call.response_target")),
        "ownership.on_call.response_target",
        "on-call has no response target; no operating rhythm",
    ),
    (
        "SIGN-005",
        _both(_drop("ownership.adoption_owner"), lambda d: put(d, "ownership.raci", [])),
        "ownership.adoption_owner",
        "no adoption owner; no RACI for operating activities",
    ),
    (
        "SIGN-006",
        _both(_drop("exit.handover"), _drop("dependencies.0.replacement")),
        "exit.handover",
        "no handover date; no replacement path for 'llm-memo'",
    ),
]


@pytest.mark.parametrize(("sign", "edit", "path", "words"), SIGNS, ids=[s for s, _, _, _ in SIGNS])
def test_each_warning_sign_surfaces_where_the_spec_shows_it(sign, edit, path, words, write_spec, credit_data) -> None:
    edit(credit_data)
    report = check_data(write_spec, credit_data)
    signs = {f.rule_id: f for f in report.warning_signs}
    assert sign in signs, f"{sign} not raised; signs: {sorted(signs)}"
    finding = signs[sign]
    assert finding.kind is RuleKind.warning_sign and finding.severity is Level.warning
    assert finding.path == path
    assert words in finding.message
    assert finding in report.findings


def test_a_sound_spec_shows_no_warning_sign(write_spec, credit_data) -> None:
    report = check_data(write_spec, credit_data)
    assert report.warning_signs == []
    assert {f"SIGN-00{n}" for n in range(1, 7)} <= set(report.passed)


def test_the_policy_check_sign_names_untested_policies(write_spec, credit_data) -> None:
    put(credit_data, "runtime.controls.0.policy.tested", False)
    report = check_data(write_spec, credit_data)
    (sign,) = report.warning_signs
    assert sign.message == "the policy of 'lending-policy-check' is untested"
    assert sign.path == "runtime.controls[0].policy.tested"
