"""An evidence file that does not validate, or is another spec's, is an error
where it would otherwise pass unnoticed: ``validate`` names it with its line,
and ``diff`` does not compare what it would prove (exit 1), rather than
reading it as "evidence file removed"."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from specgen.review.diff import SpecStatus, diff_revisions
from tests.paths import EVIDENCE_STORE, EXAMPLES
from tests.review_helpers import GitRepo, credit

SIDECAR = "credit-decision-assistant.evidence.yml"


def _break(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert "schema_version: 1\n" in text
    path.write_text(text.replace("schema_version: 1\n", "schema_version: 1\nbogus: true\n", 1), encoding="utf-8")


def _other_spec(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("spec: credit-decision-assistant", "spec: support-ticket-triage", 1), encoding="utf-8")


def test_validate_names_an_evidence_file_that_does_not_validate(example_tree: Path, run: Callable[..., Any]) -> None:
    assert run("validate", "specs", cwd=example_tree).exit_code == 0
    _break(example_tree / "specs" / SIDECAR)
    result = run("validate", "specs", cwd=example_tree)
    assert result.exit_code == 1
    assert f"specs/{SIDECAR}:4:1: bogus: unknown field 'bogus'" in result.output


def test_validate_names_another_specs_evidence(example_tree: Path, run: Callable[..., Any]) -> None:
    _other_spec(example_tree / "specs" / SIDECAR)
    result = run("validate", "specs", "--format", "json", cwd=example_tree)
    assert result.exit_code == 1
    assert "this evidence is for spec 'support-ticket-triage', not 'credit-decision-assistant'" in result.output


def test_check_says_why_a_condition_has_no_evidence(example_tree: Path, run: Callable[..., Any]) -> None:
    """Not "no recorded run": the file is there, and check says what is wrong with it."""
    _break(example_tree / "specs" / SIDECAR)
    result = run("check", "specs", "--format", "json", cwd=example_tree)
    assert result.exit_code == 1
    data = json.loads(result.output)
    (credit_report,) = [s for s in data["specs"] if s["spec_id"] == "credit-decision-assistant"]
    messages = [f["message"] for f in credit_report["findings"] if f["rule_id"] == "EVID-001"]
    assert messages and all("the evidence file cannot be used" in m for m in messages), messages
    assert f"{SIDECAR} is not a valid evidence file: line 4: bogus: unknown field 'bogus'" in messages[0]
    assert not any("no recorded run" in m for m in messages)


@pytest.fixture
def repo(tmp_path: Path) -> GitRepo:
    r = GitRepo(tmp_path / "repo")
    r.write(credit())
    shutil.copy(EXAMPLES / SIDECAR, r.specs / SIDECAR)
    shutil.copytree(EVIDENCE_STORE, r.root / "evidence")  # the result files it was read from
    r.commit("credit with its evidence")
    return r


@pytest.mark.parametrize("spoil", [_break, _other_spec], ids=["invalid", "another-spec"])
def test_diff_fails_on_evidence_it_cannot_read_on_either_side(
    repo: GitRepo, run: Callable[..., Any], spoil: Callable[[Path], None]
) -> None:
    assert run("diff", "HEAD", cwd=repo.root).exit_code == 0
    spoil(repo.specs / SIDECAR)

    report = diff_revisions("HEAD", None, ["specs"], cwd=repo.root)
    (spec,) = report.specs
    assert spec.status is SpecStatus.invalid and report.failed
    (problem,) = spec.problems
    assert problem.startswith(f"specs/{SIDECAR}") and "working tree" in problem
    assert not [c for c in spec.changes if c.path.startswith("evidence")], "not read as a removed evidence file"
    result = run("diff", "HEAD", cwd=repo.root)
    assert result.exit_code == 1 and "ERROR     specs/" in result.output

    repo.commit("spoiled evidence")  # the base side too
    shutil.copy(EXAMPLES / SIDECAR, repo.specs / SIDECAR)
    base_side = diff_revisions("HEAD", None, ["specs"], cwd=repo.root)
    assert base_side.failed and "in HEAD" in base_side.specs[0].problems[0]
