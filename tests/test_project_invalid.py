"""A project file that does not validate is one problem, not a hundred.

Its people and roles are what the specs refer to, and its policy is what
the readiness rules read. When it does not validate, its defaults stand in
for it; checking the specs against those would report every reference to a
person or role as unknown, and give readiness verdicts against a project
nobody wrote.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from specgen import load_portfolio
from specgen.rules import check_portfolio

BROKEN_WAIVER = "  waivers:\n    - rule: ORG-001\n      spec: support-ticket-triage\n      reason: not needed\n"


@pytest.fixture
def broken(example_tree: Path) -> Path:
    project = example_tree / "specgen.yml"
    text = project.read_text(encoding="utf-8")
    assert "  waivers: []\n" in text
    project.write_text(text.replace("  waivers: []\n", BROKEN_WAIVER), encoding="utf-8")
    return example_tree


def test_validate_reports_the_project_file_and_not_each_reference(broken: Path, run: Callable[..., Any]) -> None:
    result = run("validate", "specs", cwd=broken)
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert [line for line in lines if "unknown role" in line or "unknown person" in line] == []
    errors = [line for line in lines if line.startswith("specgen.yml:") and ": info: " not in line]
    assert len(errors) == 3 and all("policy.waivers[0]" in line for line in errors), lines
    assert "specgen.yml:1:1: info: the specs are checked against this file once it validates" in result.output
    assert lines[-1] == "3 errors in 1 file (2 specs read)"


def test_check_gives_no_readiness_verdict_against_a_stand_in_project(broken: Path, run: Callable[..., Any]) -> None:
    portfolio = load_portfolio([broken / "specs"])
    assert not portfolio.project_valid and len(portfolio.specs) == 2
    report = check_portfolio(portfolio)
    assert report.specs == [] and not report.ok

    result = run("check", "specs", "--format", "json", cwd=broken)
    assert result.exit_code == 1
    data = json.loads(result.output)
    assert data["ok"] is False and data["specs"] == []
    assert {d["path"] for d in data["diagnostics"] if d["level"] == "error"} == {
        "policy.waivers[0].spec",
        "policy.waivers[0].approved_by",
        "policy.waivers[0].expires",
    }


def test_a_valid_project_file_checks_everything(example_tree: Path, run: Callable[..., Any]) -> None:
    portfolio = load_portfolio([example_tree / "specs"])
    assert portfolio.project_valid
    assert len(check_portfolio(portfolio).specs) == 2
    result = run("validate", "specs", cwd=example_tree)
    assert result.exit_code == 0 and "checked against this file" not in result.output


def test_a_spec_with_a_bad_reference_is_still_reported_once_the_project_validates(
    example_tree: Path, run: Callable[..., Any]
) -> None:
    spec = example_tree / "specs" / "support-ticket-triage.yml"
    spec.write_text(
        spec.read_text(encoding="utf-8").replace("accountable: head-of-support", "accountable: nobody-here", 1),
        encoding="utf-8",
    )
    result = run("validate", "specs", cwd=example_tree)
    assert result.exit_code == 1
    assert "ownership.accountable: unknown role 'nobody-here'" in result.output
