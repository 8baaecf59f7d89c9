"""`specgen approve` and stale approvals reported by `validate`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from specgen import load_portfolio
from specgen.diagnostics import Level
from specgen.review.approve import approve
from specgen.spec.approvals import approval_diagnostics, approvals_path
from specgen.spec.fingerprint import fingerprint, section_fingerprints
from specgen.spec.schema import Spec
from tests.review_helpers import CREDIT, credit

SPEC = "specs/credit-decision-assistant.yml"
SIDECAR = "specs/credit-decision-assistant.approvals.yml"


@pytest.fixture
def tree(example_tree: Path) -> Path:
    """The example tree with only the credit spec (the examples may grow)."""
    for path in (example_tree / "specs").iterdir():
        if path.name != "credit-decision-assistant.yml":
            path.unlink()
    return example_tree


def _approve(run: Callable[..., Any], tree: Path, *extra: str) -> Any:
    return run("approve", SPEC, "--role", "model-risk-lead", "--by", "hannah-schmidt", *extra, cwd=tree)


def _warnings(run: Callable[..., Any], tree: Path) -> list[str]:
    result = run("validate", cwd=tree)
    assert result.exit_code == 0, result.output
    return [line for line in result.output.splitlines() if ": warning: " in line]


def test_approve_records_an_approval_beside_the_spec(tree: Path, run: Callable[..., Any]) -> None:
    spec_before = (tree / SPEC).read_bytes()
    result = _approve(run, tree, "--date", "2026-11-02")
    assert result.exit_code == 0, result.output
    assert f"recorded in {SIDECAR}: model-risk-lead approved by hannah-schmidt on 2026-11-02" in result.output
    assert (tree / SPEC).read_bytes() == spec_before  # the hand-written spec is never rewritten

    data = yaml.safe_load((tree / SIDECAR).read_text(encoding="utf-8"))
    spec = Spec.model_validate(yaml.safe_load(CREDIT.read_text(encoding="utf-8")))
    assert data == {
        "schema_version": 1,
        "spec": "credit-decision-assistant",
        "approvals": [
            {
                "role": "model-risk-lead",
                "by": "hannah-schmidt",
                "date": dt.date(2026, 11, 2),
                "fingerprint": fingerprint(spec),
                "sections": section_fingerprints(spec),
            }
        ],
    }
    assert _warnings(run, tree) == []
    assert "1 spec valid" in run("validate", cwd=tree).output  # the sidecar is not read as a spec


def test_approving_the_same_content_twice_changes_nothing(tree: Path, run: Callable[..., Any]) -> None:
    assert _approve(run, tree, "--date", "2026-11-02").exit_code == 0
    first = (tree / SIDECAR).read_bytes()
    again = _approve(run, tree, "--date", "2026-11-05")
    assert again.exit_code == 0
    assert "already recorded" in again.output
    assert (tree / SIDECAR).read_bytes() == first


def test_cosmetic_edits_keep_the_approval_valid(tree: Path, run: Callable[..., Any]) -> None:
    assert _approve(run, tree).exit_code == 0
    text = (tree / SPEC).read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    # comments, key order, quoting, indentation and line width all change
    reordered = {key: data[key] for key in reversed(list(data))}
    rewritten = "# reformatted by hand\n" + yaml.safe_dump(reordered, sort_keys=True, indent=4, width=50)
    (tree / SPEC).write_text(rewritten.replace("version: 2.3.0", "version: '2.3.0'  # quoted"), encoding="utf-8")
    assert _warnings(run, tree) == []


def test_content_edit_makes_the_approval_stale_naming_what_changed(tree: Path, run: Callable[..., Any]) -> None:
    assert _approve(run, tree, "--date", "2026-11-02").exit_code == 0
    text = (tree / SPEC).read_text(encoding="utf-8")
    text = text.replace("confidence_threshold: 0.92", "confidence_threshold: 0.7").replace(
        "retention: 10y", "retention: 2y"
    )
    (tree / SPEC).write_text(text, encoding="utf-8")

    (warning,) = _warnings(run, tree)
    assert warning.startswith(f"{SIDECAR}:7:3: warning: approvals[0]: ")
    assert (
        "approval by model-risk-lead, given by hannah-schmidt (Hannah Schmidt) on 2026-11-02, is stale: "
        "sections changed since: decisions, audit "
        f"(approve again: specgen approve {SPEC} --role model-risk-lead --by hannah-schmidt)"
    ) in warning

    assert _approve(run, tree, "--date", "2026-11-09").exit_code == 0
    assert _warnings(run, tree) == []  # the latest approval for the role covers the current content
    assert len(yaml.safe_load((tree / SIDECAR).read_text(encoding="utf-8"))["approvals"]) == 2


def test_each_role_is_checked_on_its_latest_approval(tree: Path, run: Callable[..., Any]) -> None:
    assert _approve(run, tree).exit_code == 0
    assert run("approve", SPEC, "--role", "ciso", "--by", "marcus-lee", cwd=tree).exit_code == 0
    (tree / SPEC).write_text(
        (tree / SPEC).read_text(encoding="utf-8").replace("pages: true", "pages: false", 1), encoding="utf-8"
    )
    warnings = _warnings(run, tree)
    assert len(warnings) == 2  # in the order of the approvals file
    assert "approval by model-risk-lead, given by hannah-schmidt" in warnings[0]
    assert "approval by ciso, given by marcus-lee (Marcus Lee)" in warnings[1]
    assert all("sections changed since: observability" in w for w in warnings)


def test_by_accepts_a_full_name_and_records_the_id(tree: Path, run: Callable[..., Any]) -> None:
    result = run("approve", SPEC, "--role", "ciso", "--by", "Marcus Lee", cwd=tree)
    assert result.exit_code == 0, result.output
    assert yaml.safe_load((tree / SIDECAR).read_text(encoding="utf-8"))["approvals"][0]["by"] == "marcus-lee"


def test_unknown_role_or_person_is_a_usage_error(tree: Path, run: Callable[..., Any]) -> None:
    role = run("approve", SPEC, "--role", "model-risk-led", "--by", "hannah-schmidt", cwd=tree)
    assert role.exit_code == 2
    assert "unknown role 'model-risk-led'; did you mean 'model-risk-lead'?" in role.output
    person = run("approve", SPEC, "--role", "ciso", "--by", "Nobody Known", cwd=tree)
    assert person.exit_code == 2
    assert "unknown person 'Nobody Known'" in person.output
    missing = run("approve", "specs/none.yml", "--role", "ciso", "--by", "marcus-lee", cwd=tree)
    assert missing.exit_code == 2
    assert not (tree / SIDECAR).exists()


def test_role_held_by_someone_else_is_recorded_with_a_note(tree: Path, run: Callable[..., Any]) -> None:
    result = run("approve", SPEC, "--role", "ciso", "--by", "hannah-schmidt", cwd=tree)
    assert result.exit_code == 0
    assert "note: ciso is held by marcus-lee, not hannah-schmidt: recorded as given" in result.output


def test_a_spec_with_errors_cannot_be_approved(tree: Path, run: Callable[..., Any]) -> None:
    text = (tree / SPEC).read_text(encoding="utf-8").replace("approver: credit-risk-officer", "approver: nobody", 1)
    (tree / SPEC).write_text(text, encoding="utf-8")
    result = _approve(run, tree)
    assert result.exit_code == 1
    assert "unknown role 'nobody'" in result.output
    assert f"specgen: {SPEC} has errors; fix them before approving it" in result.output
    assert not (tree / SIDECAR).exists()


def test_a_broken_approvals_file_is_an_error_and_is_left_alone(tree: Path, run: Callable[..., Any]) -> None:
    (tree / SIDECAR).write_text("spec: credit-decision-assistant\napprovals:\n  - role: ciso\n", encoding="utf-8")
    result = run("validate", cwd=tree)
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert f"{SIDECAR}:3:5: approvals[0].by: required field 'by' is missing" in result.output
    before = (tree / SIDECAR).read_bytes()
    assert _approve(run, tree).exit_code == 1
    assert (tree / SIDECAR).read_bytes() == before


def test_approvals_file_for_another_spec_is_an_error(tree: Path, run: Callable[..., Any]) -> None:
    (tree / SIDECAR).write_text("spec: another-spec\napprovals: []\n", encoding="utf-8")
    result = run("validate", cwd=tree)
    assert result.exit_code == 1
    assert "these approvals are for spec 'another-spec', but" in result.output


def test_inline_approvals_go_stale_too(tree: Path, write_spec: Callable[..., Path]) -> None:
    data = credit()
    spec = Spec.model_validate(data)
    data["approvals"] = [
        {
            "role": "ciso",
            "by": "marcus-lee",
            "date": "2026-10-30",
            "fingerprint": fingerprint(spec),
            "sections": section_fingerprints(spec),
        }
    ]
    path = write_spec(data, "credit-decision-assistant")
    assert approval_diagnostics(load_portfolio([path])) == []

    data["scorecard"]["stop_condition"] = "Never."
    write_spec(data, "credit-decision-assistant")
    (diag,) = approval_diagnostics(load_portfolio([path]))
    assert (diag.level, diag.code, diag.path) == (Level.warning, "approval", "approvals[0]")
    assert "approval by ciso, given by marcus-lee (Marcus Lee) on 2026-10-30, is stale" in diag.message
    assert "sections changed since: scorecard" in diag.message


def test_default_date_follows_source_date_epoch(tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1798761600")  # 2027-01-01
    outcome = approve(tree / SPEC, "ciso", "marcus-lee")
    assert outcome.approval.date == dt.date(2027, 1, 1)
    assert outcome.path == approvals_path(tree / SPEC)
    assert outcome.created and outcome.recorded


# ---------------------------------------------------------------- claims are checked (issue 12)


def _edit_sidecar(tree: Path, **changes: Any) -> None:
    path = tree / SIDECAR
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["approvals"][0].update(changes)
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")


def _errors_at_sidecar(run: Callable[..., Any], tree: Path, command: str = "validate") -> list[str]:
    result = run(command, "--as-of", "2026-11-30", cwd=tree) if command == "check" else run(command, cwd=tree)
    assert result.exit_code == 1, result.output
    return [line for line in result.output.splitlines() if line.startswith(f"{SIDECAR}:")]


def test_an_approval_by_someone_who_does_not_hold_the_role_is_an_error(tree: Path, run: Callable[..., Any]) -> None:
    assert _approve(run, tree, "--date", "2026-11-02").exit_code == 0
    _edit_sidecar(tree, by="julia-berg")  # edited by hand: someone else claims the role
    errors = _errors_at_sidecar(run, tree)
    assert any(
        "approvals[0]: approval by 'julia-berg' for role 'model-risk-lead', held by 'hannah-schmidt'" in e
        and "does not hold the role" in e
        for e in errors
    ), errors
    assert all(e.split(":")[1].isdigit() for e in errors)  # file:line:column


def test_a_future_dated_approval_is_an_error_and_never_the_latest(tree: Path, run: Callable[..., Any]) -> None:
    assert _approve(run, tree, "--date", "2026-11-02").exit_code == 0
    _edit_sidecar(tree, date=dt.date(2099, 1, 1))
    errors = _errors_at_sidecar(run, tree)
    assert any("approval dated 2099-01-01, in the future" in e for e in errors), errors
    # a real, later approval is what counts; the 2099 one cannot outrank it
    portfolio = load_portfolio([tree / SPEC])
    latest_stale = [d for d in approval_diagnostics(portfolio) if "is stale" in d.message]
    assert latest_stale == []


def test_an_approval_naming_an_unknown_section_is_an_error(tree: Path, run: Callable[..., Any]) -> None:
    assert _approve(run, tree, "--date", "2026-11-02").exit_code == 0
    path = tree / SIDECAR
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["approvals"][0]["sections"]["no_such_section"] = "sha256:" + "0" * 64
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    for command in ("validate", "check"):
        errors = _errors_at_sidecar(run, tree, command)
        assert any("approval names unknown section(s): no_such_section" in e for e in errors), (command, errors)
