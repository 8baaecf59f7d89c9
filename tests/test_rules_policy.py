"""Organisation policy: waivers (active, expired, severity changes) and declarative rules."""

from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from specgen.diagnostics import Level
from specgen.rules import Dimension, RuleKind, all_rules
from specgen.rules.report import format_report
from specgen.spec.schema import Project, Stage
from tests.rules_support import TODAY, check_file, drop, failing_ids, get, project_data, put, write_project


def _waiver(rule: str, **extra: Any) -> dict[str, Any]:
    return {
        "rule": rule,
        "reason": "Probe catalogue is being extended by the vendor's red team",
        "approved_by": "ciso",
        "expires": "2026-12-31",
        **extra,
    }


@pytest.fixture
def policy_tree(tmp_path: Path, write_spec, credit_data):
    """Write the credit example (with ``edits``) and a project file with ``waivers``/``rules``; check it."""

    def make(*, waivers=(), rules=None, edits=(), stage=None, today=TODAY, allow_errors=False):
        project = project_data()
        project["policy"]["waivers"] = list(waivers)
        if rules is not None:
            project["policy"]["rules"] = list(rules)
        write_project(tmp_path, project)
        data = copy.deepcopy(credit_data)
        for path, value in edits:
            if value is None:
                drop(data, path)
            else:
                put(data, path, value)
        return check_file(write_spec(data, "spec"), stage=stage, today=today, allow_errors=allow_errors)

    return make


FEW_PROBES = ("acceptance.red_team.probe_sets.0.probes", 5)  # RED-002 fails (error)
MUTABLE_AUDIT = ("audit.immutable", False)  # AUD-005 fails (warning)


# ---------------------------------------------------------------- waivers


def test_an_active_waiver_switches_a_rule_off_but_keeps_the_finding_visible(policy_tree) -> None:
    report = policy_tree(waivers=[_waiver("RED-002")], edits=[FEW_PROBES])
    (spec,) = report.specs
    assert "RED-002" not in failing_ids(spec)
    assert spec.ok and report.ok
    assert [f.rule_id for f in spec.waived] == ["RED-002"]
    assert spec.waived[0].waiver is not None and spec.waived[0].waiver.approved_by == "ciso"
    assert [w.rule for w in spec.waivers] == ["RED-002"]
    assert spec.reached_stage is Stage.system_of_record


def test_a_waiver_can_lower_the_severity(policy_tree) -> None:
    report = policy_tree(waivers=[_waiver("RED-002", severity="warning")], edits=[FEW_PROBES])
    (spec,) = report.specs
    (finding,) = spec.findings
    assert finding.rule_id == "RED-002" and finding.severity is Level.warning
    assert finding.waiver is not None and finding.waiver.severity == "warning"
    assert spec.ok


def test_the_text_report_writes_the_waived_severity_as_written(policy_tree) -> None:
    report = policy_tree(waivers=[_waiver("RED-002", severity="warning")], edits=[FEW_PROBES])
    text = format_report(report, "text")
    assert "waived to warning by ciso until 2026-12-31" in text
    assert "RED-002    warning, approved by ciso" in text
    assert "WaiverSeverity" not in text


def test_a_waiver_can_raise_the_severity(policy_tree) -> None:
    report = policy_tree(waivers=[_waiver("AUD-005", severity="error")], edits=[MUTABLE_AUDIT])
    (spec,) = report.specs
    assert [(f.rule_id, f.severity) for f in spec.findings] == [("AUD-005", Level.error)]
    assert not spec.ok and not report.ok
    assert spec.reached_stage is Stage.limited_rollout


def test_a_waiver_applies_through_its_expiry_day(policy_tree) -> None:
    report = policy_tree(waivers=[_waiver("RED-002")], edits=[FEW_PROBES], today=dt.date(2026, 12, 31))
    assert report.specs[0].ok


def test_an_expired_waiver_stops_applying_and_is_reported(policy_tree) -> None:
    report = policy_tree(waivers=[_waiver("RED-002")], edits=[FEW_PROBES], today=dt.date(2027, 1, 1))
    (spec,) = report.specs
    assert [f.rule_id for f in spec.errors] == ["RED-002"]
    assert spec.errors[0].waiver is None
    assert [w.rule for w in spec.expired_waivers] == ["RED-002"] and spec.waivers == []
    (warning,) = report.diagnostics
    assert warning.level is Level.warning and warning.file.endswith("specgen.yml")
    assert warning.path == "policy.waivers[0].expires"
    assert warning.message == "the waiver of RED-002 expired on 2026-12-31; the rule applies again"
    assert not report.ok


def test_a_waiver_for_other_specs_does_not_apply(policy_tree) -> None:
    report = policy_tree(waivers=[_waiver("RED-002", specs=["support-ticket-triage"])], edits=[FEW_PROBES])
    (spec,) = report.specs
    assert "RED-002" in failing_ids(spec)
    assert spec.waivers == []


def test_a_waiver_naming_this_spec_applies(policy_tree) -> None:
    report = policy_tree(waivers=[_waiver("RED-002", specs=["credit-decision-assistant"])], edits=[FEW_PROBES])
    assert report.specs[0].ok


def test_a_waiver_of_an_unknown_rule_is_a_warning(policy_tree) -> None:
    report = policy_tree(waivers=[_waiver("RED-999")])
    (warning,) = report.diagnostics
    assert warning.level is Level.warning and warning.path == "policy.waivers[0].rule"
    assert "unknown rule 'RED-999'" in warning.message
    assert report.ok


def test_waivers_are_in_the_report_data(policy_tree) -> None:
    report = policy_tree(waivers=[_waiver("RED-002")], edits=[FEW_PROBES])
    data = report.to_dict()["specs"][0]
    assert data["waivers"][0] == {
        "rule": "RED-002",
        "specs": [],
        "reason": "Probe catalogue is being extended by the vendor's red team",
        "approved_by": "ciso",
        "expires": "2026-12-31",
        "severity": "off",
    }
    assert data["waived"][0]["rule_id"] == "RED-002"


# ---------------------------------------------------------------- declarative rules


def _rule(rule_id: str, field: str, require: str = "present", value: Any = None, **extra: Any) -> dict[str, Any]:
    data = {
        "id": rule_id,
        "title": f"{field} {require}",
        "field": field,
        "require": require,
        "rationale": "House rule.",
    }
    if value is not None:
        data["value"] = value
    return {**data, **extra}


@pytest.mark.parametrize(
    ("rule", "edits", "path", "message"),
    [
        (_rule("ORG-010", "audit.store"), [("audit.store", None)], "audit.store", "audit.store is not set"),
        (
            _rule("ORG-011", "acceptance.conditions", "min_items", 6),
            [],
            "acceptance.conditions",
            "acceptance.conditions has 5 item(s); the policy asks for at least 6",
        ),
        (
            _rule("ORG-012", "acceptance.evaluation.golden_set.size", "min_value", 500),
            [],
            "acceptance.evaluation.golden_set.size",
            "acceptance.evaluation.golden_set.size is 420; the policy asks for at least 500",
        ),
        (
            _rule("ORG-013", "audit.retention", "min_value", "20y"),
            [],
            "audit.retention",
            "audit.retention is 10y; the policy asks for at least 20y",
        ),
        (
            _rule("ORG-014", "runtime.rollout.strategy", "equals", "shadow"),
            [],
            "runtime.rollout.strategy",
            "runtime.rollout.strategy is 'canary'; the policy asks for 'shadow'",
        ),
        (
            _rule("ORG-022", "intent.path", "equals", "automation"),
            [],
            "intent.path",
            "intent.path is 'hybrid'; the policy asks for 'automation'",
        ),
        (
            _rule("ORG-015", "decisions.fallback"),
            [("decisions.1.fallback", None)],
            "decisions[1].fallback",
            "decisions[1].fallback is not set",
        ),
        (
            _rule("ORG-016", "audit.immutable", "equals", True),
            [MUTABLE_AUDIT],
            "audit.immutable",
            "audit.immutable is False; the policy asks for True",
        ),
        (
            _rule("ORG-017", "exit.handover.plan"),
            [("exit", None)],
            "exit.handover.plan",
            "exit.handover.plan is not set",
        ),
    ],
)
def test_declarative_rule_fails(policy_tree, rule, edits, path, message) -> None:
    report = policy_tree(rules=[rule], edits=edits)
    findings = [f for f in report.specs[0].findings if f.rule_id == rule["id"]]
    assert [(f.path, f.message) for f in findings] == [(path, message)]
    assert findings[0].kind is RuleKind.policy and findings[0].severity is Level.error
    assert report.diagnostics == []


@pytest.mark.parametrize(
    "rule",
    [
        _rule("ORG-010", "audit.store"),
        _rule("ORG-011", "acceptance.conditions", "min_items", 5),
        _rule("ORG-012", "acceptance.evaluation.golden_set.size", "min_value", 400),
        _rule("ORG-013", "audit.retention", "min_value", "7y"),
        _rule("ORG-014", "runtime.rollout.strategy", "equals", "canary"),
        _rule("ORG-015", "decisions.fallback"),
        _rule("ORG-016", "audit.immutable", "equals", True),
        _rule("ORG-018", "acceptance.evaluation.production_sampling", "min_value", "1%"),
        _rule("ORG-019", "acceptance.evaluation.golden_set.size", "equals", 420),
        _rule("ORG-021", "intent.path", "equals", "hybrid"),
    ],
)
def test_declarative_rule_passes(policy_tree, rule) -> None:
    report = policy_tree(rules=[rule])
    assert rule["id"] in report.specs[0].passed
    assert report.ok


def test_declarative_rule_applies_from_its_stage(policy_tree) -> None:
    rule = _rule("ORG-020", "audit.store", from_stage="system_of_record", severity="warning")
    report = policy_tree(rules=[rule], edits=[("audit.store", None), ("stage", "limited_rollout")])
    (spec,) = report.specs
    assert dict(spec.not_applicable)["ORG-020"] == "applies from system of record; checked at limited rollout"
    gaps = policy_tree(rules=[rule], edits=[("audit.store", None)]).specs[0]
    assert [(f.rule_id, f.severity) for f in gaps.findings] == [("ORG-020", Level.warning)]


def test_declarative_rule_dimension_follows_its_section() -> None:
    project = Project.model_validate(
        {"policy": {"rules": [_rule("ORG-030", "runbooks.verify"), _rule("ORG-031", "exit.decommissioning")]}}
    )
    rules = {r.id: r for r in all_rules(project)}
    assert rules["ORG-030"].dimension is Dimension.operating_support
    assert rules["ORG-031"].dimension is Dimension.exit_readiness
    assert rules["ORG-030"].source == "organisation policy (project file, policy.rules ORG-030)"


@pytest.mark.parametrize(
    ("rule", "path", "message"),
    [
        (_rule("ORG-040", "audit.retension"), "policy.rules[0].field", "'retension' is not a field of audit"),
        (_rule("ORG-041", "stage.name"), "policy.rules[0].field", "'stage' has no fields"),
        (
            _rule("ORG-042", "decisions", "min_items", "three"),
            "policy.rules[0].value",
            "min_items needs a whole number",
        ),
        (
            _rule("ORG-043", "audit.retention", "min_value", "forever"),
            "policy.rules[0].value",
            "min_value needs a number",
        ),
        (_rule("ORG-044", "audit.store", "equals"), "policy.rules[0].value", "equals needs a 'value'"),
        (_rule("RED-002", "audit.store"), "policy.rules[0].id", "RED-002 is already a built-in rule"),
    ],
)
def test_unusable_declarative_rules_are_errors_in_the_project_file(policy_tree, rule, path, message) -> None:
    report = policy_tree(rules=[rule])
    (problem,) = report.diagnostics
    assert problem.level is Level.error and problem.code == "policy"
    assert problem.file.endswith("specgen.yml") and problem.line > 1
    assert problem.path == path and message in problem.message
    assert not report.ok
    checked = {r.id: r for r in all_rules(Project.model_validate({"policy": {"rules": [rule]}}))}
    assert rule["id"] not in checked or checked[rule["id"]].kind is RuleKind.builtin


def test_two_policy_rules_with_one_id_are_an_error(policy_tree) -> None:
    report = policy_tree(rules=[_rule("ORG-050", "audit.store"), _rule("ORG-050", "audit.retention")])
    (problem,) = report.diagnostics
    assert problem.path == "policy.rules[1].id" and "another policy rule" in problem.message


def test_the_example_policy_rule_is_checked(policy_tree) -> None:
    report = policy_tree(edits=[("audit.retention", None)])
    findings = {f.rule_id: f for f in report.specs[0].findings}
    assert findings["ORG-001"].message == "audit.retention is not set"
    assert get(project_data(), "policy.rules.0.id") == "ORG-001"
