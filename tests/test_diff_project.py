"""`specgen diff` fails closed on the project file.

The project file holds what every spec is checked against (the policy's
thresholds, rules and waivers) and who must sign off a loosening. A pull
request that breaks it, adds it or deletes it must not pass as "no spec
changed".
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from specgen.review.diff import Effect, SpecStatus, diff_revisions
from tests.review_helpers import GitRepo, credit, credit_repo


@pytest.fixture
def repo(tmp_path: Path) -> GitRepo:
    return credit_repo(tmp_path)


def _project(repo: GitRepo) -> dict[str, Any]:
    return yaml.safe_load((repo.root / "specgen.yml").read_text(encoding="utf-8"))


def _write_project(repo: GitRepo, data: dict[str, Any]) -> None:
    (repo.root / "specgen.yml").write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")


def test_a_project_file_that_does_not_validate_fails_the_diff(repo: GitRepo, run: Callable[..., Any]) -> None:
    data = _project(repo)
    data["policy"]["thresholds"]["golden_set_min"] = 5  # a loosening, hidden behind a broken file
    data["policy"]["waivers"] = [{"rule": "ORG-001", "spec": "credit-decision-assistant", "reason": "not needed"}]
    _write_project(repo, data)

    report = diff_revisions("HEAD", None, ["specs"], cwd=repo.root)
    assert report.project is not None and report.project.status is SpecStatus.invalid
    (problem,) = report.project.problems
    assert problem.startswith("specgen.yml does not validate in working tree (line ")
    assert "policy.waivers[0].approved_by: required field" in problem and problem.endswith("and 2 more problem(s)")
    assert report.failed and report.invalid == [report.project]

    text = run("diff", "HEAD", cwd=repo.root)
    assert text.exit_code == 1, text.output
    assert text.output.startswith("specgen diff: 1 file could not be compared")
    assert "ERROR     specgen.yml does not validate in working tree" in text.output
    markdown = run("diff", "HEAD", "--format", "markdown", cwd=repo.root)
    assert markdown.exit_code == 1 and "**⛔ specgen: 1 file could not be compared" in markdown.output
    as_json = run("diff", "HEAD", "--format", "json", cwd=repo.root)
    assert as_json.exit_code == 1
    assert json.loads(as_json.output)["project"]["status"] == "invalid"

    repo.commit("broken project file")  # and between two revisions, either side
    assert diff_revisions("HEAD~1", "HEAD", ["specs"], cwd=repo.root).failed
    assert run("diff", "HEAD", "HEAD~1", cwd=repo.root).exit_code == 1


def test_a_project_file_that_does_not_parse_fails_the_diff(repo: GitRepo, run: Callable[..., Any]) -> None:
    (repo.root / "specgen.yml").write_text("policy: [unclosed\n", encoding="utf-8")
    result = run("diff", "HEAD", cwd=repo.root)
    assert result.exit_code == 1, result.output
    assert "specgen.yml does not validate in working tree" in result.output


def test_deleting_the_project_file_is_compared_with_the_defaults(repo: GitRepo, run: Callable[..., Any]) -> None:
    (repo.root / "specgen.yml").unlink()

    report = diff_revisions("HEAD", None, ["specs"], cwd=repo.root)

    assert report.project is not None and report.project.status is SpecStatus.removed
    loosened = {c.path for c in report.project.changes if c.effect is Effect.loosens}
    assert {"loosening_signoff[ciso]", "loosening_signoff[model-risk-lead]", "policy.rules[ORG-001]"} <= loosened
    result = run("diff", "HEAD", cwd=repo.root)
    assert result.exit_code == 1
    assert "specgen.yml — Project file: removed (was specgen.yml)" in result.output


def test_an_unchanged_valid_project_file_is_no_change(repo: GitRepo, run: Callable[..., Any]) -> None:
    result = run("diff", "HEAD", cwd=repo.root)
    assert result.exit_code == 0, result.output
    assert result.output.startswith("specgen diff: no spec changed")


def _role(data: dict[str, Any], ident: str) -> dict[str, Any]:
    return next(r for r in data["roles"] if r["id"] == ident)


def _person(data: dict[str, Any], ident: str) -> dict[str, Any]:
    return next(p for p in data["people"] if p["id"] == ident)


def test_handing_someone_the_sign_off_loosens(repo: GitRepo, run: Callable[..., Any]) -> None:
    """Who holds a sign-off role, and whose e-mail a signature must carry,
    decide who can sign off: a pull request that changes them needs the
    sign-off it would otherwise let its author give."""
    data = _project(repo)
    _role(data, "ciso")["holder"] = "david-chen"  # a sign-off role, given to the vendor
    _role(data, "finance-partner")["holder"] = "david-chen"  # not a sign-off role
    _person(data, "hannah-schmidt")["email"] = "sara.nilsson@meridian.example"
    _write_project(repo, data)

    report = diff_revisions("HEAD", None, ["specs"], cwd=repo.root)

    assert report.project is not None
    effects = {c.path: (c.effect, c.label) for c in report.project.changes}
    assert effects["roles[ciso].holder"] == (Effect.loosens, "holder of a sign-off role changed")
    assert effects["roles[finance-partner].holder"] == (Effect.neutral, "role holder changed")
    assert effects["people[hannah-schmidt].email"][0] is Effect.loosens
    assert {c.path for c in report.loosening} == {"roles[ciso].holder", "people[hannah-schmidt].email"}
    assert all(c.signoff == ("model-risk-lead", "ciso") for c in report.loosening)
    assert run("diff", "HEAD", cwd=repo.root).exit_code == 1


def test_removing_an_email_does_not_hand_anyone_the_sign_off(repo: GitRepo) -> None:
    data = _project(repo)
    del _person(data, "hannah-schmidt")["email"]
    _write_project(repo, data)
    report = diff_revisions("HEAD", None, ["specs"], cwd=repo.root)
    assert report.project is not None and report.loosening == []
    assert [c.path for c in report.project.changes] == ["people[hannah-schmidt].email"]


def test_an_email_of_a_person_a_spec_defines_counts_too(repo: GitRepo) -> None:
    data = credit()
    data["people"] = [{"id": "ana-lopez", "name": "Ana Lopez", "email": "ana@northbank.example"}]
    repo.write(data)
    repo.commit("a person of the spec's own")
    data["people"][0]["email"] = "ana@vendor.example"
    repo.write(data)
    report = diff_revisions("HEAD", None, ["specs"], cwd=repo.root)
    assert [(c.path, c.effect) for c in report.loosening] == [("people[ana-lopez].email", Effect.loosens)]


def test_every_policy_threshold_and_approval_setting_has_a_direction() -> None:
    """A policy setting no rule speaks for would be a neutral change: a new
    threshold must say which way loosens."""
    from specgen.review.classify import PROJECT_RULES
    from specgen.spec.schema import ApprovalPolicy, Thresholds

    fields = [f"policy.thresholds.{name}" for name in Thresholds.model_fields]
    fields += [f"policy.approvals.{name}" for name in ApprovalPolicy.model_fields]
    assert [f for f in fields if f not in PROJECT_RULES] == []


@pytest.mark.parametrize(
    ("setting", "before", "after"),
    [
        (("thresholds", "evidence_max_age_days"), 90, 3650),
        (("thresholds", "evidence_min_cases"), 30, 5),
        (("thresholds", "evidence_interval_bound"), True, False),
        (("approvals", "signed_commits"), True, False),
    ],
)
def test_relaxing_what_counts_as_evidence_or_approval_loosens(
    repo: GitRepo, setting: tuple[str, str], before: Any, after: Any
) -> None:
    group, name = setting
    data = _project(repo)
    data["policy"].setdefault(group, {})[name] = before
    _write_project(repo, data)
    repo.commit("stricter policy")
    data["policy"][group][name] = after
    _write_project(repo, data)
    report = diff_revisions("HEAD", None, ["specs"], cwd=repo.root)
    assert [(c.path, c.effect) for c in report.loosening] == [(f"policy.{group}.{name}", Effect.loosens)]
    repo.commit("relaxed")
    data["policy"][group][name] = before  # and back: it tightens
    _write_project(repo, data)
    back = diff_revisions("HEAD", None, ["specs"], cwd=repo.root)
    assert back.project is not None and back.loosening == []
    assert [(c.path, c.effect) for c in back.project.changes] == [(f"policy.{group}.{name}", Effect.tightens)]


def test_the_summary_counts_specs_and_the_project_file_apart(repo: GitRepo, run: Callable[..., Any]) -> None:
    data = _project(repo)
    data["policy"]["thresholds"]["golden_set_min"] = 5
    _write_project(repo, data)
    only_project = run("diff", "HEAD", cwd=repo.root).output.splitlines()[0]
    assert only_project.endswith("(the project file changed between HEAD and working tree).")

    spec = credit()
    spec["version"] = "2.3.1"
    repo.write(spec)
    both = run("diff", "HEAD", "--format", "markdown", cwd=repo.root).output
    assert "(1 spec and the project file changed between `HEAD` and `working tree`)" in both


def _fails_ops_003(run: Callable[..., Any], repo: GitRepo) -> bool:
    report = json.loads(run("check", "specs", "--format", "json", cwd=repo.root).output)
    return any(f["rule_id"] == "OPS-003" for spec in report["specs"] for f in spec["findings"])


def test_who_counts_as_the_vendors_staff_is_a_loosening_to_change(repo: GitRepo, run: Callable[..., Any]) -> None:
    """OPS-003 fails a system of record whose on-call rotation is all the
    vendor's people, and it decides who they are by the project's ``vendor``
    and each person's ``organisation``. Renaming the vendor by one word once
    passed that check and showed as "no spec changed", exit 0."""
    spec = credit()
    spec["ownership"]["on_call"]["rotation"] = ["david-chen", "sara-nilsson"]  # both Meridian's
    repo.write(spec)
    repo.commit("the vendor alone on call")
    assert _fails_ops_003(run, repo)

    data = _project(repo)
    data["vendor"] = "Meridian AI Delivery GmbH"
    _write_project(repo, data)
    assert not _fails_ops_003(run, repo), "the check passes on the new name alone"
    report = diff_revisions("HEAD", None, ["specs"], cwd=repo.root)
    assert [(c.path, c.effect) for c in report.loosening] == [("vendor", Effect.loosens)]
    assert "who counts as the vendor's staff" in report.loosening[0].label
    text = run("diff", "HEAD", cwd=repo.root)
    assert text.exit_code == 1 and "vendor" in text.output, text.output

    repo.git("checkout", "--", "specgen.yml")  # the vendor as it was; one person moved to the buyer instead
    data = _project(repo)
    _person(data, "sara-nilsson")["organisation"] = "Northbank"
    _write_project(repo, data)
    assert not _fails_ops_003(run, repo)
    report = diff_revisions("HEAD", None, ["specs"], cwd=repo.root)
    assert [(c.path, c.effect) for c in report.loosening] == [("people[sara-nilsson].organisation", Effect.loosens)]

    del data["vendor"]  # no vendor at all: every person counts as the buyer's own
    _write_project(repo, data)
    report = diff_revisions("HEAD", None, ["specs"], cwd=repo.root)
    assert {c.path for c in report.loosening} == {"vendor", "people[sara-nilsson].organisation"}


def test_naming_a_vendor_tightens_and_the_buyer_is_shown(repo: GitRepo) -> None:
    data = _project(repo)
    del data["vendor"]
    _write_project(repo, data)
    repo.commit("no vendor named")
    data = _project(repo)
    data["vendor"] = "Meridian AI Delivery"
    data["organisation"] = "Northbank Retail Banking plc"
    _write_project(repo, data)
    report = diff_revisions("HEAD", None, ["specs"], cwd=repo.root)
    assert report.project is not None and report.loosening == []
    effects = {c.path: c.effect for c in report.project.changes}
    assert effects == {"vendor": Effect.tightens, "organisation": Effect.neutral}


def test_marking_someone_a_builder_loosens(repo: GitRepo) -> None:
    """OPS-002 wants someone on call who built the system; the flag is typed
    by hand, so setting it needs sign-off and clearing it does not."""
    data = _project(repo)
    _person(data, "hannah-schmidt")["built_system"] = True
    _person(data, "sara-nilsson")["built_system"] = False
    _write_project(repo, data)
    report = diff_revisions("HEAD", None, ["specs"], cwd=repo.root)
    assert report.project is not None
    effects = {c.path: c.effect for c in report.project.changes}
    assert effects == {
        "people[hannah-schmidt].built_system": Effect.loosens,
        "people[sara-nilsson].built_system": Effect.tightens,
    }


def test_a_spec_s_own_people_are_read_the_same_way(repo: GitRepo) -> None:
    data = credit()
    data["people"] = [{"id": "ana-lopez", "name": "Ana Lopez", "organisation": "Meridian AI Delivery"}]
    repo.write(data)
    repo.commit("a person of the spec's own")
    data["people"][0]["organisation"] = "Northbank"
    data["people"][0]["built_system"] = True
    repo.write(data)
    report = diff_revisions("HEAD", None, ["specs"], cwd=repo.root)
    assert {(c.path, c.effect) for c in report.loosening} == {
        ("people[ana-lopez].organisation", Effect.loosens),
        ("people[ana-lopez].built_system", Effect.loosens),
    }


def test_an_organisation_rule_redefined_or_lowered_loosens(repo: GitRepo) -> None:
    """What an organisation rule checks is its field, requirement and value:
    retargeting it or lowering its minimum once passed as a neutral edit."""
    data = _project(repo)
    rule = {
        "id": "ORG-002",
        "title": "Enough acceptance conditions",
        "field": "acceptance.conditions",
        "require": "min_items",
        "value": 5,
        "rationale": "Northbank signs off on several measured conditions, not one.",
    }
    data["policy"]["rules"].append(rule)
    _write_project(repo, data)
    repo.commit("an organisation rule with a minimum")

    def effects_after(**change: Any) -> dict[str, Effect]:
        repo.git("checkout", "--", "specgen.yml")
        edited = _project(repo)
        edited["policy"]["rules"][-1].update(change)
        _write_project(repo, edited)
        report = diff_revisions("HEAD", None, ["specs"], cwd=repo.root)
        assert report.project is not None
        return {c.path: c.effect for c in report.project.changes}

    assert effects_after(value=2) == {"policy.rules[ORG-002].value": Effect.loosens}
    assert effects_after(value=8) == {"policy.rules[ORG-002].value": Effect.tightens}
    assert effects_after(field="acceptance.red_team.probe_sets") == {"policy.rules[ORG-002].field": Effect.loosens}
    assert effects_after(require="present", value=None) == {
        "policy.rules[ORG-002].require": Effect.loosens,
        "policy.rules[ORG-002].value": Effect.loosens,
    }
