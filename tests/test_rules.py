"""Every rule passes on a spec that meets it and fails on one that does not; stages and the engine."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from specgen import load_portfolio
from specgen.diagnostics import Level
from specgen.rules import Dimension, RuleKind, all_rules, check_portfolio
from specgen.rules.registry import BUILTIN
from specgen.spec.schema import Project, Stage
from tests.paths import PROJECT_FILE, spec_files
from tests.rules_support import TODAY, check_data, drop, failing_ids, get, project_data, put, write_project

Mutation = Callable[[dict[str, Any]], None]


def _apply(*steps: Mutation) -> Mutation:
    def run(data: dict[str, Any]) -> None:
        for step in steps:
            step(data)

    return run


def _set(dotted: str, value: Any) -> Mutation:
    return lambda data: put(data, dotted, value)


def _del(dotted: str) -> Mutation:
    return lambda data: drop(data, dotted)


def _no_decisions(data: dict[str, Any]) -> None:
    data["decisions"] = []
    for condition in data["acceptance"]["conditions"]:
        condition["decisions"] = []


def _no_runbooks(data: dict[str, Any]) -> None:
    data["runbooks"] = []
    for item in (*data["runtime"]["controls"], *data["observability"]["signals"]):
        item.pop("runbook", None)


def _unheld_role(field: str) -> Mutation:
    def run(data: dict[str, Any]) -> None:
        data["roles"] = [{"id": "ai-steering-committee", "title": "AI steering committee"}]
        data["ownership"][field] = "ai-steering-committee"

    return run


def _artifacts_without(kind: str) -> Mutation:
    return lambda data: put(data, "exit.artifacts", [a for a in get(data, "exit.artifacts") if a["kind"] != kind])


def _probe_sets_without(attack: str) -> Mutation:
    path = "acceptance.red_team.probe_sets"
    return lambda data: put(data, path, [p for p in get(data, path) if p["attack_class"] != attack])


def _all_metrics_overall(data: dict[str, Any]) -> None:
    metrics = get(data, "acceptance.evaluation.metrics")
    put(data, "acceptance.evaluation.metrics", [dict(m, slice="all") for m in metrics[:1]])


def _paging_signal_without_runbook(data: dict[str, Any]) -> None:
    signal = get(data, "observability.signals.1")  # sig-override-rate, pages
    assert signal["pages"]
    signal.pop("runbook")
    for book in data["runbooks"]:
        book["signals"] = [s for s in book["signals"] if s != signal["id"]]


FAILING: dict[str, Mutation] = {
    "ADR-001": _set("decision_records", []),
    "AUD-001": lambda d: get(d, "audit.records").remove("model_version"),
    "AUD-002": lambda d: get(d, "audit.records").remove("policy_evaluations"),
    "AUD-003": _set("audit.retention", "6mo"),
    "AUD-004": _del("audit.query"),
    "AUD-005": _set("audit.immutable", False),
    "DATA-001": _del("data.sources.0.permitted_use"),
    "DATA-002": _del("data.pii_handling"),
    "DATA-003": _del("data.redaction"),
    "DATA-004": _del("data.sources.2.lineage"),
    "DEC-001": _no_decisions,
    "DEC-002": _del("decisions.1.approver"),
    "DEC-003": _del("decisions.0.escalation.within"),
    "DEC-004": _del("decisions.2.fallback"),
    "DEC-005": _del("decisions.0.confidence_threshold"),
    "DEC-006": _set("decisions.0.override.logged", False),
    "DEC-007": _set("decisions.2.controls", []),
    "DEP-001": _del("dependencies.0.version"),
    "DEP-002": _del("dependencies.1.fallback"),
    "EVAL-001": _set("acceptance.evaluation.scoring", "human"),
    "EVAL-002": _set("acceptance.evaluation.golden_set.size", 60),
    "EVAL-003": _set("acceptance.evaluation.runs_on", ["release"]),
    "EVAL-004": _del("acceptance.evaluation.regression_alert"),
    "EVAL-005": _all_metrics_overall,
    "EVAL-006": _set("acceptance.evaluation.results.0.passed", False),
    "EVAL-007": _set("acceptance.conditions.3.decisions", ["refer-to-officer"]),
    "EVAL-008": _del("acceptance.conditions.0.evidence"),
    "EXIT-001": lambda d: [a.update(owned_by_buyer=False) for a in get(d, "exit.artifacts")],
    "EXIT-002": _artifacts_without("prompts"),
    "EXIT-003": _del("dependencies.3.replacement"),
    "EXIT-004": _set("exit.handover.date", "2028-06-30"),
    "EXIT-005": _apply(_del("exit.transition_estimate"), _del("exit.transition_notes")),
    "EXIT-006": _del("exit.decommissioning"),
    "GOV-001": _del("consequence"),
    "GOV-002": _del("runtime.controls.0.policy"),
    "GOV-003": _set("runtime.controls.0.policy.tested", False),
    "GOV-004": lambda d: get(d, "change_control.rules").pop(3),
    "GOV-005": _set("change_control.rules.0.gated_by_evaluation", False),
    "GOV-006": lambda d: put(d, "signoff", [s for s in d["signoff"] if s["area"] != "security"]),
    "GOV-007": lambda d: get(d, "change_control.changelog").pop(0),
    "INT-001": _set("intent.users", []),
    "INT-002": _set("intent.known_limitations", []),
    "INT-003": _del("intent.path_rationale"),
    "INT-004": _set("integrations", []),
    "OBS-001": lambda d: [s.update(pages=False) for s in get(d, "observability.signals")],
    "OBS-002": _set("observability.signals.2.kind", "availability"),
    "OBS-003": lambda d: get(d, "observability.signals").pop(5),
    "OPS-001": _set("ownership.on_call.rotation", ["kwame-asante"]),
    "OPS-002": _set("ownership.on_call.rotation", ["tom-okafor", "elena-vasquez"]),
    "OPS-003": _set("ownership.on_call.rotation", ["david-chen", "sara-nilsson"]),
    "OPS-004": _del("ownership.review_rhythm.model_refresh"),
    "OPS-005": _no_runbooks,
    "OPS-006": _paging_signal_without_runbook,
    "ORG-001": _del("audit.retention"),
    "OWN-001": _unheld_role("accountable"),
    "OWN-002": _del("ownership.adoption_owner"),
    "OWN-003": _unheld_role("technical_owner"),
    "OWN-004": _set("ownership.raci.0.responsible", []),
    "RB-001": _set("runbooks.0.rollback", []),
    "RB-002": _del("runbooks.1.diagnosis"),
    "RB-003": _del("runbooks.3.last_exercised"),
    "RED-001": _del("acceptance.red_team"),
    "RED-002": _set("acceptance.red_team.probe_sets.0.probes", 5),
    "RED-003": _probe_sets_without("jailbreak"),
    "RED-004": lambda d: get(d, "acceptance.red_team.response_slas").pop(1),
    "RED-005": _del("acceptance.readiness_review"),
    "RUN-001": _del("runtime.kill_switch"),
    "RUN-002": _del("runtime.kill_switch.last_tested"),
    "RUN-003": _del("runtime.rollout.rollback"),
    "RUN-004": _set("runtime.rollout.strategy", "big_bang"),
    "RUN-005": _del("runtime.degradation"),
    "RUN-006": _del("runtime.controls.2.owner"),
    "RUN-007": _del("runtime.controls.1.tested"),
    "RUN-008": _set("runtime.controls.2.kind", "graceful_degradation"),
    "SCORE-001": _del("scorecard.metric.baseline"),
    "SCORE-002": _del("scorecard.stop_condition"),
    "SCORE-003": _del("scorecard.review_cadence"),
    "SCORE-004": lambda d: get(d, "scorecard.signed_by").pop(1),
    "SCORE-005": _del("scorecard.unit_cost"),
    "SIGN-001": _set("ownership.on_call.rotation", ["david-chen", "sara-nilsson"]),
    "SIGN-002": _set("runtime.controls.0.policy.tested", False),
    "SIGN-003": _del("decisions.0.confidence_threshold"),
    "SIGN-004": _del("ownership.review_rhythm"),
    "SIGN-005": _set("ownership.raci", []),
    "SIGN-006": _del("exit.handover"),
    "EVID-001": _del("acceptance.conditions.0.measured_by"),
    "EVID-002": _set("acceptance.conditions.0.threshold", 99.5),
    "EVID-003": lambda d: get(d, "acceptance.evaluation.metrics.0").update(value=0.97, measured_by=None),
}
"""For each rule, an edit of the credit example (which passes every rule) that makes it fail."""


def _example_project() -> Project:
    return load_portfolio([], project_file=PROJECT_FILE).project


RULE_IDS = [r.id for r in all_rules(_example_project())]


def test_every_rule_has_a_failing_case() -> None:
    assert sorted(FAILING) == RULE_IDS


def test_credit_example_passes_every_rule(write_spec, credit_data) -> None:
    report = check_data(write_spec, credit_data)
    assert report.findings == []
    assert report.not_applicable == []
    assert sorted(report.passed) == RULE_IDS
    assert report.reached_stage is Stage.system_of_record


@pytest.mark.parametrize("rule_id", RULE_IDS)
def test_rule_fails_on_a_spec_that_breaks_it(rule_id: str, write_spec, credit_data) -> None:
    FAILING[rule_id](credit_data)
    report = check_data(write_spec, credit_data)
    findings = [f for f in report.findings if f.rule_id == rule_id]
    assert findings, f"{rule_id} did not fail; failing: {sorted(failing_ids(report))}"
    assert rule_id not in report.passed
    rule = next(r for r in all_rules(_example_project()) if r.id == rule_id)
    for finding in findings:
        assert finding.severity is rule.severity
        assert finding.file.endswith("spec.yml")
        assert finding.line >= 1 and finding.column >= 1
        assert finding.path and finding.message
        assert finding.title == rule.title and finding.source == rule.source


@pytest.mark.parametrize(
    ("rule_id", "edit", "path", "words"),
    [
        (
            "EVAL-002",
            FAILING["EVAL-002"],
            "acceptance.evaluation.golden_set.size",
            "holds 60 inputs; system of record needs at least 100",
        ),
        (
            "RED-002",
            FAILING["RED-002"],
            "acceptance.red_team.probe_sets",
            "holds 49 probes; system of record needs at least 50",
        ),
        ("RED-003", FAILING["RED-003"], "acceptance.red_team.probe_sets", "no probes for: jailbreak"),
        (
            "DEC-002",
            FAILING["DEC-002"],
            "decisions[1].approver",
            "decision 'refer-to-officer' is human_approves but names no approver",
        ),
        ("RB-001", FAILING["RB-001"], "runbooks[0].rollback", "runbook 'quality-regression' has no rollback step"),
        ("AUD-003", FAILING["AUD-003"], "audit.retention", "audit records are kept 6mo; the policy asks for 1y"),
        ("EXIT-004", FAILING["EXIT-004"], "exit.handover.date", "more than 12 months after the release on 2026-10-30"),
        ("OPS-003", FAILING["OPS-003"], "ownership.on_call.rotation", "works for the vendor (Meridian AI Delivery)"),
        (
            "SCORE-004",
            FAILING["SCORE-004"],
            "scorecard.signed_by",
            "the finance partner 'finance-partner' has not signed",
        ),
        (
            "EVAL-007",
            FAILING["EVAL-007"],
            "decisions[2].id",
            "decision 'decline' is covered by no acceptance condition",
        ),
        (  # a test dated ahead of the day checked has not happened
            "RUN-002",
            _set("runtime.kill_switch.last_tested", "2099-01-01"),
            "runtime.kill_switch.last_tested",
            "the kill switch is said to be last tested on 2099-01-01, after the day checked",
        ),
        (
            "RUN-007",
            _set("runtime.controls.1.tested", "2099-01-01"),
            "runtime.controls[1].tested",
            "is said to be last tested on 2099-01-01, after the day checked",
        ),
        (
            "RB-003",
            _set("runbooks.0.last_exercised", "2099-01-01"),
            "runbooks[0].last_exercised",
            "runbook 'quality-regression' is said to be last exercised on 2099-01-01, after the day checked",
        ),
    ],
)
def test_findings_point_at_the_field_and_say_what_is_wrong(rule_id, edit, path, words, write_spec, credit_data) -> None:
    edit(credit_data)
    report = check_data(write_spec, credit_data)
    finding = next(f for f in report.findings if f.rule_id == rule_id)
    assert finding.path == path
    assert words in finding.message
    text = (Path(finding.file)).read_text(encoding="utf-8").splitlines()
    assert text[finding.line - 1].strip(), "the line pointed at is empty"


def test_a_missing_field_is_located_at_its_nearest_written_ancestor(write_spec, credit_data) -> None:
    drop(credit_data, "runbooks.0.rollback")
    path = write_spec(credit_data, "spec")
    report = check_data(write_spec, credit_data)
    finding = next(f for f in report.findings if f.rule_id == "RB-001")
    line = path.read_text(encoding="utf-8").splitlines()[finding.line - 1]
    assert "id: quality-regression" in line


# ---------------------------------------------------------------- not applicable


@pytest.mark.parametrize(
    ("rule_id", "edit", "reason"),
    [
        (
            "DEC-005",
            _apply(_set("decisions.0.autonomy", "human_approves"), _set("decisions.0.approver", "credit-risk-officer")),
            "no decision is taken by the AI alone",
        ),
        (
            "EVAL-005",
            lambda d: [x.update(consequential=False) for x in d["decisions"]],
            "no decision is marked consequential",
        ),
        (
            "DATA-002",
            lambda d: [s.update(contains_pii=False) for s in get(d, "data.sources")],
            "no data source is marked as containing personal data",
        ),
        (
            "RUN-008",
            lambda d: [x.update(kind="library") for x in d["dependencies"] if x["kind"] == "api"],
            "no API or service dependency",
        ),
        ("RB-001", _no_runbooks, "there are no runbooks (OPS-005 asks for them)"),
    ],
)
def test_rules_that_do_not_concern_a_spec_say_why(rule_id, edit, reason, write_spec, credit_data) -> None:
    edit(credit_data)
    report = check_data(write_spec, credit_data)
    reasons = dict(report.not_applicable)
    assert rule_id in reasons
    assert reason in reasons[rule_id]
    assert rule_id not in report.passed
    assert rule_id not in failing_ids(report)


def test_buyer_on_call_rule_needs_a_vendor_to_compare_with(write_spec, credit_data, tmp_path) -> None:
    project = project_data()
    del project["vendor"]
    write_project(tmp_path, project)
    report = check_data(write_spec, credit_data)
    assert (
        dict(report.not_applicable)["OPS-003"] == "the project file names no vendor, so every person is the buyer's own"
    )


# ---------------------------------------------------------------- stages


def test_rules_above_the_checked_stage_are_not_applicable_with_the_stage_as_reason(write_spec, credit_data) -> None:
    credit_data["stage"] = "limited_rollout"
    FAILING["RED-002"](credit_data)
    report = check_data(write_spec, credit_data)
    assert report.ok
    assert dict(report.not_applicable)["RED-002"] == "applies from system of record; checked at limited rollout"
    assert report.reached_stage is Stage.limited_rollout


def test_stage_option_lists_the_gaps_to_a_higher_stage(write_spec, credit_data) -> None:
    credit_data["stage"] = "limited_rollout"
    FAILING["RED-002"](credit_data)
    FAILING["EXIT-006"](credit_data)
    report = check_data(write_spec, credit_data, stage=Stage.system_of_record)
    assert report.declared_stage is Stage.limited_rollout
    assert report.evaluated_stage is Stage.system_of_record
    assert {f.rule_id for f in report.errors} == {"RED-002", "EXIT-006"}
    assert not report.ok


@pytest.mark.parametrize(
    ("rule_id", "reached"),
    [("RED-002", Stage.limited_rollout), ("OPS-005", Stage.experimentation), ("OWN-001", None)],
)
def test_reached_stage_is_below_the_lowest_failing_stage(rule_id, reached, write_spec, credit_data) -> None:
    FAILING[rule_id](credit_data)
    report = check_data(write_spec, credit_data)
    assert report.reached_stage is reached
    assert not report.ok


def test_warnings_do_not_block_a_stage(write_spec, credit_data) -> None:
    FAILING["AUD-005"](credit_data)
    report = check_data(write_spec, credit_data)
    assert [f.rule_id for f in report.findings] == ["AUD-005"]
    assert report.ok and report.reached_stage is Stage.system_of_record


def test_a_minimal_experimentation_spec_passes(write_spec) -> None:
    data = {
        "schema_version": 1,
        "id": "invoice-matching",
        "title": "Invoice matching experiment",
        "version": "0.1.0",
        "stage": "experimentation",
        "intent": {"objective": "Learn whether invoices can be matched to purchase orders automatically."},
        "ownership": {"accountable": "head-of-lending"},
    }
    report = check_data(write_spec, data)
    assert report.ok
    assert report.findings == []
    assert report.reached_stage is Stage.experimentation
    assert dict(report.not_applicable)["SIGN-001"] == "applies from limited rollout; checked at experimentation"
    assert report.warning_signs == []


def test_findings_list_errors_first(write_spec, credit_data) -> None:
    FAILING["AUD-005"](credit_data)  # warning
    FAILING["RED-005"](credit_data)  # error
    FAILING["OWN-004"](credit_data)  # warning
    report = check_data(write_spec, credit_data)
    severities = [f.severity for f in report.findings]
    assert severities == sorted(severities, key=lambda level: level.rank)
    assert report.findings[0].rule_id == "RED-005"
    assert [f.rule_id for f in report.errors] == ["RED-005"]


# ---------------------------------------------------------------- the rule set


def test_there_are_at_least_25_builtin_rules_spanning_every_dimension() -> None:
    builtin = [r for r in BUILTIN if r.kind is RuleKind.builtin]
    assert len(builtin) >= 25
    assert {r.dimension for r in builtin} == set(Dimension)


@pytest.mark.parametrize("invariant", range(1, 8))
def test_every_invariant_of_004_is_the_source_of_a_rule(invariant: int) -> None:
    assert any(f"invariant {invariant}" in r.source for r in BUILTIN)


@pytest.mark.parametrize(
    "layer", ["specification layer", "runtime controls", "auditability", "ownership layer", "post-launch operations"]
)
def test_every_architecture_layer_of_001_is_the_source_of_a_rule(layer: str) -> None:
    assert any(f"001 · {layer}" in r.source for r in BUILTIN)


@pytest.mark.parametrize("sign", range(1, 7))
def test_every_warning_sign_of_000_is_a_rule(sign: int) -> None:
    (rule,) = [r for r in BUILTIN if f"000 · warning sign {sign}:" in r.source]
    assert rule.kind is RuleKind.warning_sign and rule.severity is Level.warning


def test_every_rule_carries_its_metadata() -> None:
    for rule in all_rules(_example_project()):
        assert rule.id and rule.title and rule.rationale and rule.source, rule.id
        assert rule.check is not None
        data = rule.to_dict()
        assert list(data) == [
            "id",
            "title",
            "severity",
            "from_stage",
            "stages",
            "dimension",
            "rationale",
            "source",
            "kind",
        ]
        assert data["stages"] == [s.value for s in Stage if s.rank >= rule.from_stage.rank]
        assert rule.applies_to(Stage.system_of_record)


def test_all_rules_adds_the_project_rules_sorted_by_id() -> None:
    project = _example_project()
    rules = all_rules(project)
    assert [r.id for r in rules] == sorted(r.id for r in rules)
    org = next(r for r in rules if r.id == "ORG-001")
    assert org.kind is RuleKind.policy and org.dimension is Dimension.governance_design
    assert "ORG-001" not in {r.id for r in all_rules()}


def test_registering_a_rule_twice_is_refused() -> None:
    from specgen.rules.registry import RuleSet

    rules = RuleSet()
    decorator = rules.rule(
        "X-001",
        "t",
        severity="info",
        from_stage="experimentation",
        dimension="exit_readiness",
        rationale="r",
        source="s",
    )
    decorator(lambda ctx: iter(()))
    with pytest.raises(ValueError, match="X-001 is registered twice"):
        decorator(lambda ctx: iter(()))


# ---------------------------------------------------------------- examples and determinism


@pytest.mark.parametrize("example", spec_files(), ids=lambda p: p.stem)
def test_bundled_examples_reach_their_declared_stage(example: Path) -> None:
    report = check_portfolio(load_portfolio([example], project_file=PROJECT_FILE), today=TODAY)
    assert report.diagnostics == []
    (spec,) = report.specs
    assert [f"{f.rule_id} {f.location}: {f.message}" for f in spec.errors] == []
    assert spec.reached_stage is not None and spec.reached_stage.rank >= spec.declared_stage.rank


def test_the_report_is_identical_from_run_to_run(example_tree) -> None:
    def run() -> str:
        portfolio = load_portfolio([example_tree / "specs"], project_file=example_tree / "specgen.yml")
        return json.dumps(check_portfolio(portfolio, today=TODAY).to_dict())

    assert run() == run()


def test_findings_are_diagnostics(write_spec, credit_data) -> None:
    FAILING["RED-005"](credit_data)
    finding = check_data(write_spec, credit_data).findings[0]
    diagnostic = finding.as_diagnostic()
    assert (diagnostic.file, diagnostic.line, diagnostic.column) == (finding.file, finding.line, finding.column)
    assert diagnostic.code == "RED-005" and diagnostic.level is Level.error
    assert finding.to_dict()["severity"] == "error"
