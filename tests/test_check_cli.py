"""``specgen check`` and ``specgen rules`` end to end: exit codes, output formats, messages."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from specgen import load_portfolio
from specgen.rules import all_rules
from tests.paths import PROJECT_FILE
from tests.rules_support import drop, project_data, put, write_project

AS_OF = ("--as-of", "2026-12-15")


@pytest.fixture
def credit_tree(tmp_path: Path, write_spec, credit_data) -> Path:
    """A folder with the example project file and only the credit spec."""
    write_spec(credit_data, "credit")
    return tmp_path


def _break(tmp_path: Path, credit_data: dict, write_spec) -> Path:
    """The credit spec with too few red-team probes (RED-002, an error at system of record)."""
    put(credit_data, "acceptance.red_team.probe_sets.0.probes", 5)
    return write_spec(credit_data, "credit")


# ---------------------------------------------------------------- exit codes and text


def test_a_spec_that_reaches_its_stage_exits_0(run, credit_tree) -> None:
    result = run("check", credit_tree / "specs", *AS_OF)
    assert result.exit_code == 0, result.output
    assert "credit-decision-assistant: Credit-decision assistant for personal loans" in result.output
    assert "stage: declared system of record; checked at system of record; reached system of record" in result.output
    assert "result: OK at system of record (0 errors, 0 warnings, 88 passed)" in result.output
    assert "Ten-question diagnostic (004): 10 of 10 yes -> further along than most" in result.output
    assert result.output.rstrip().endswith(
        "Portfolio: OK: 1 spec checked; 1 of 1 reach the stage checked; 0 errors and 0 warnings in findings"
    )


def test_an_error_finding_exits_1_and_says_where(run, tmp_path, credit_data, write_spec) -> None:
    spec = _break(tmp_path, credit_data, write_spec)
    result = run("check", "specs/credit.yml", "--project", "specgen.yml", *AS_OF, cwd=tmp_path)
    assert result.exit_code == 1
    line = next(i for i, text in enumerate(spec.read_text().splitlines(), 1) if "probe_sets:" in text) + 1
    assert "result: FAILED at system of record: 1 error to fix" in result.output
    assert "error    RED-002    The red-team harness holds enough probes (policy default: 50)" in result.output
    assert re.search(rf"specs/credit\.yml:{line}:\d+ acceptance\.red_team\.probe_sets\n", result.output)
    assert "the red-team harness holds 49 probes; system of record needs at least 50" in result.output
    assert "why: Fifty probes is the floor" in result.output
    assert "reached limited rollout" in result.output


def test_text_report_groups_by_dimension_failing_first(run, tmp_path, credit_data, write_spec) -> None:
    drop(credit_data, "exit.decommissioning")
    spec = write_spec(credit_data, "credit")
    output = run("check", spec, *AS_OF).output
    headers = [line.strip() for line in output.splitlines() if line.startswith("  ") and line.endswith(" passed")]
    assert headers[0] == "Exit readiness: 1 error, 8 passed"
    assert headers[1:] == [
        "Workflow ownership: 15 passed",
        "Governance design: 22 passed",
        "Runtime verification: 31 passed",
        "Operating support: 11 passed",
    ]


def test_stage_option_lists_the_gaps_to_reach_it(run, tmp_path, credit_data, write_spec) -> None:
    credit_data["stage"] = "limited_rollout"
    drop(credit_data, "exit.decommissioning")
    drop(credit_data, "acceptance.readiness_review")
    spec = write_spec(credit_data, "credit")
    declared = run("check", spec, *AS_OF)
    assert declared.exit_code == 0
    assert "rules apply only from system of record (see the gaps with: specgen check --stage system_of_record)" in (
        declared.output
    )
    asked = run("check", spec, "--stage", "system_of_record", *AS_OF)
    assert asked.exit_code == 1
    assert "checked at system of record; reached limited rollout" in asked.output
    assert "result: FAILED at system of record: 2 errors to fix" in asked.output
    assert "EXIT-006" in asked.output and "RED-005" in asked.output


def test_invalid_specs_are_reported_as_validate_reports_them(run, tmp_path, credit_data, write_spec) -> None:
    write_spec(credit_data, "credit")
    bad = dict(credit_data, id="broken", stage="production")
    write_spec(bad, "broken")
    validate = run("validate", tmp_path / "specs")
    check = run("check", tmp_path / "specs", *AS_OF)
    assert validate.exit_code == check.exit_code == 1
    problems = [line for line in validate.output.splitlines() if "broken.yml" in line]
    assert problems and "stage: expected one of experimentation, limited_rollout, system_of_record" in problems[0]
    for line in problems:
        assert line in check.output
    assert "credit-decision-assistant: Credit-decision assistant" in check.output  # the valid spec is still checked
    assert "1 load, validation or policy error" in check.output
    assert "Traceback" not in check.output


def test_unreadable_yaml_is_a_finding_not_a_crash(run, tmp_path) -> None:
    (tmp_path / "specs").mkdir()
    (tmp_path / "specs" / "bad.yml").write_text("id: [unclosed\n", encoding="utf-8")
    write_project(tmp_path, project_data())
    result = run("check", tmp_path / "specs", *AS_OF)
    assert result.exit_code == 1
    assert "bad.yml:" in result.output and "not valid YAML" in result.output


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("--stage", "production"), "Invalid value for '--stage'"),
        (("--format", "xml"), "Invalid value for '--format'"),
        (("--as-of", "tomorrow"), "Invalid value for '--as-of'"),
        (("no/such/folder",), "no such file or folder: no/such/folder"),
    ],
)
def test_usage_errors_exit_2(run, credit_tree, args, words) -> None:
    result = run("check", *args, cwd=credit_tree)
    assert result.exit_code == 2
    assert words in result.output


def test_expired_waivers_are_reported(run, tmp_path, credit_data, write_spec) -> None:
    project = project_data()
    waiver = {"rule": "RED-002", "reason": "Catalogue growing", "approved_by": "ciso", "expires": "2026-12-10"}
    project["policy"]["waivers"] = [waiver]
    write_project(tmp_path, project)
    spec = _break(tmp_path, credit_data, write_spec)
    result = run("check", spec, *AS_OF)
    assert result.exit_code == 1
    assert "warning: policy.waivers[0].expires: the waiver of RED-002 expired on 2026-12-10" in result.output
    assert "Expired waivers (rules apply again): 1" in result.output
    still = run("check", spec, "--as-of", "2026-12-05")
    assert still.exit_code == 0
    assert "Switched off by a waiver: 1" in still.output
    assert "RED-002    off, approved by ciso, expires 2026-12-10: Catalogue growing" in still.output


def test_spec_text_cannot_inject_terminal_escapes(run, tmp_path, credit_data, write_spec) -> None:
    credit_data["title"] = "Credit \x1b[2J\x1b]0;owned\x07 <script>alert(1)</script>"
    put(credit_data, "ownership.budget_holder", "RL\x1b[31m-400")
    spec = write_spec(credit_data, "credit")
    text = run("check", spec, *AS_OF).output
    assert "\x1b" not in text and "\x07" not in text
    assert "Credit \\x1b[2J\\x1b]0;owned\\x07 <script>alert(1)</script>" in text  # shown, never executed
    data = json.loads(run("check", spec, "--format", "json", *AS_OF).output)
    assert data["specs"][0]["title"] == credit_data["title"]  # data keeps the text; renderers escape it


# ---------------------------------------------------------------- json, github, sarif


def test_json_output_is_the_report_data(run, tmp_path, credit_data, write_spec) -> None:
    spec = _break(tmp_path, credit_data, write_spec)
    result = run("check", spec, "--format", "json", *AS_OF)
    assert result.exit_code == 1
    data = json.loads(result.output)
    assert data["ok"] is False and data["diagnostics"] == []
    (report,) = data["specs"]
    assert report["spec_id"] == "credit-decision-assistant"
    assert report["declared_stage"] == report["evaluated_stage"] == "system_of_record"
    assert report["reached_stage"] == "limited_rollout"
    assert report["counts"]["errors"] == 1
    (finding,) = report["findings"]
    assert finding["rule_id"] == "RED-002" and finding["severity"] == "error"
    assert finding["dimension"] == "runtime_verification" and finding["line"] > 1
    assert report["diagnostic"]["yes_count"] == 10
    assert run("check", spec, "--format", "json", *AS_OF).output == result.output


def test_github_output_annotates_lines(run, tmp_path, credit_data, write_spec) -> None:
    put(credit_data, "audit.immutable", False)
    spec = _break(tmp_path, credit_data, write_spec)
    result = run("check", spec, "--format", "github", *AS_OF)
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("::error file=") and "title=specgen RED-002::" in lines[0]
    assert lines[1].startswith("::warning file=") and "title=specgen AUD-005::" in lines[1]
    assert "audit.immutable: audit records are not marked immutable" in lines[1]


def test_sarif_output_has_the_required_structure(run, tmp_path, credit_data, write_spec) -> None:
    put(credit_data, "audit.immutable", False)
    spec = _break(tmp_path, credit_data, write_spec)
    result = run("check", spec, "--format", "sarif", *AS_OF)
    assert result.exit_code == 1
    log = json.loads(result.output)
    assert log["version"] == "2.1.0"
    assert log["$schema"].endswith("sarif-2.1.0.json")
    (sarif_run,) = log["runs"]
    driver = sarif_run["tool"]["driver"]
    assert driver["name"] == "specgen"
    rule_ids = [r["id"] for r in driver["rules"]]
    project = load_portfolio([], project_file=PROJECT_FILE).project
    assert rule_ids == [r.id for r in all_rules(project)]
    for rule in driver["rules"]:
        assert rule["shortDescription"]["text"] and rule["fullDescription"]["text"]
        assert rule["defaultConfiguration"]["level"] in ("error", "warning", "note")
    results = sarif_run["results"]
    assert [(r["ruleId"], r["level"]) for r in results] == [("RED-002", "error"), ("AUD-005", "warning")]
    for item in results:
        assert driver["rules"][item["ruleIndex"]]["id"] == item["ruleId"]
        assert item["message"]["text"]
        (location,) = item["locations"]
        physical = location["physicalLocation"]
        assert physical["artifactLocation"]["uri"].endswith("specs/credit.yml")
        assert "\\" not in physical["artifactLocation"]["uri"]
        assert physical["region"]["startLine"] > 1 and physical["region"]["startColumn"] >= 1


def test_sarif_marks_waived_findings_as_suppressed(run, tmp_path, credit_data, write_spec) -> None:
    project = project_data()
    project["policy"]["waivers"] = [
        {"rule": "RED-002", "reason": "Catalogue growing", "approved_by": "ciso", "expires": "2027-01-31"}
    ]
    write_project(tmp_path, project)
    spec = _break(tmp_path, credit_data, write_spec)
    result = run("check", spec, "--format", "sarif", *AS_OF)
    assert result.exit_code == 0
    (item,) = json.loads(result.output)["runs"][0]["results"]
    assert item["ruleId"] == "RED-002"
    assert item["suppressions"] == [
        {
            "kind": "external",
            "status": "accepted",
            "justification": "Catalogue growing (approved by ciso, expires 2027-01-31)",
        }
    ]


def test_sarif_includes_load_problems(run, tmp_path, credit_data, write_spec) -> None:
    write_spec(dict(credit_data, stage="production"), "broken")
    log = json.loads(run("check", tmp_path / "specs", "--format", "sarif", *AS_OF).output)
    (item,) = log["runs"][0]["results"]
    assert item["ruleId"] == "specgen/schema" and item["level"] == "error"
    assert item["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].endswith("broken.yml")


# ---------------------------------------------------------------- specgen rules


def test_rules_lists_every_rule_as_text(run, credit_tree) -> None:
    result = run("rules", cwd=credit_tree)
    assert result.exit_code == 0
    project = load_portfolio([], project_file=PROJECT_FILE).project
    for rule in all_rules(project):
        assert f"  {rule.id:<10} {rule.severity.value:<7} {rule.title}" in result.output
    assert "Workflow ownership (" in result.output and "Exit readiness (" in result.output
    assert "stages: limited rollout, system of record" in result.output
    assert "source: 004 · invariant 4: fifty probes minimum" in result.output
    assert "SIGN-001   warning The system looks good only when the core team is nearby [warning sign]" in result.output
    assert "ORG-001    error   The audit retention period is written down [policy]" in result.output


def test_rules_as_json(run, credit_tree) -> None:
    result = run("rules", "--format", "json", "--project", credit_tree / "specgen.yml")
    assert result.exit_code == 0
    rules = json.loads(result.output)
    assert len(rules) >= 25 + 6
    red = next(r for r in rules if r["id"] == "RED-002")
    assert red == {
        "id": "RED-002",
        "title": "The red-team harness holds enough probes (policy default: 50)",
        "severity": "error",
        "from_stage": "system_of_record",
        "stages": ["system_of_record"],
        "dimension": "runtime_verification",
        "rationale": "Fifty probes is the floor below which red-team coverage does not convince an auditor.",
        "source": "004 · invariant 4: fifty probes minimum",
        "kind": "builtin",
    }


def test_rules_without_a_project_file_lists_the_builtin_rules(run, tmp_path) -> None:
    (tmp_path / ".git").mkdir()  # stop the search for a project file here
    result = run("rules", "--format", "json", cwd=tmp_path)
    assert result.exit_code == 0
    assert "ORG-001" not in {r["id"] for r in json.loads(result.output)}


def test_rules_with_an_invalid_project_file_exits_1(run, tmp_path) -> None:
    (tmp_path / "specgen.yml").write_text(yaml.safe_dump({"policy": {"thresholds": {"red_team_min": "many"}}}))
    result = run("rules", "--project", tmp_path / "specgen.yml")
    assert result.exit_code == 1
    assert "policy.thresholds.red_team_min" in result.output
