"""`specgen diff`: governance changes between git revisions, classified."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from specgen.review.classify import PROJECT_RULES
from specgen.review.diff import (
    SPEC_RULES,
    Change,
    DiffReport,
    Effect,
    SpecStatus,
    diff_files,
    diff_revisions,
    diff_specs,
)
from specgen.spec.schema import Model, Project, Spec
from tests.paths import PROJECT_FILE, dump_yaml, load_yaml
from tests.review_helpers import GitRepo, credit, credit_repo

SIGNOFF = ("model-risk-lead", "ciso")


@pytest.fixture
def repo(tmp_path: Path) -> GitRepo:
    """A repository whose first commit holds the credit example."""
    return credit_repo(tmp_path)


def _report(repo: GitRepo, base: str = "HEAD~1", head: str | None = "HEAD") -> DiffReport:
    return diff_revisions(base, head, ["specs"], cwd=repo.root)


def _change(report: DiffReport, path: str) -> Change:
    found = [c for s in report.specs for c in s.changes if c.path == path]
    assert found, f"no change at {path}; changes: {[c.path for s in report.specs for c in s.changes]}"
    return found[0]


def _decision(data: dict[str, Any], ident: str) -> dict[str, Any]:
    return next(d for d in data["decisions"] if d["id"] == ident)


def _record(data: dict[str, Any], ident: str) -> dict[str, Any]:
    return next(r for r in data["decision_records"] if r["id"] == ident)


def _runbook(data: dict[str, Any], ident: str) -> dict[str, Any]:
    return next(r for r in data["runbooks"] if r["id"] == ident)


def _condition(data: dict[str, Any], ident: str) -> dict[str, Any]:
    return next(c for c in data["acceptance"]["conditions"] if c["id"] == ident)


def _remove_control(d: dict[str, Any]) -> None:
    d["runtime"]["controls"] = [c for c in d["runtime"]["controls"] if c["id"] != "memo-grounding-check"]
    _decision(d, "refer-to-officer")["controls"].remove("memo-grounding-check")


def _le_condition(d: dict[str, Any]) -> None:
    _condition(d, "ac-approval-parity")["comparator"] = "<="


Mutation = Callable[[dict[str, Any]], None]

# (head mutation, base mutation, path, label, direction)
CASES: list[tuple[str, Mutation, Mutation | None, str, str, Effect]] = [
    (
        "autonomy widened",
        lambda d: _decision(d, "refer-to-officer").update(autonomy="ai_alone"),
        None,
        "decisions[refer-to-officer].autonomy",
        "AI autonomy widened",
        Effect.loosens,
    ),
    (
        "autonomy narrowed",
        lambda d: _decision(d, "approve-low-risk").update(autonomy="human_approves"),
        None,
        "decisions[approve-low-risk].autonomy",
        "AI autonomy narrowed",
        Effect.tightens,
    ),
    (
        "confidence threshold lowered",
        lambda d: _decision(d, "approve-low-risk").update(confidence_threshold=0.7),
        None,
        "decisions[approve-low-risk].confidence_threshold",
        "confidence threshold lowered",
        Effect.loosens,
    ),
    (
        "confidence threshold raised",
        lambda d: _decision(d, "approve-low-risk").update(confidence_threshold=0.95),
        None,
        "decisions[approve-low-risk].confidence_threshold",
        "confidence threshold raised",
        Effect.tightens,
    ),
    (
        "confidence threshold removed",
        lambda d: _decision(d, "approve-low-risk").pop("confidence_threshold"),
        None,
        "decisions[approve-low-risk].confidence_threshold",
        "confidence threshold removed",
        Effect.loosens,
    ),
    (
        "acceptance bar lowered (>=)",
        lambda d: _condition(d, "ac-approval-precision").update(threshold=95),
        None,
        "acceptance.conditions[ac-approval-precision].threshold",
        "acceptance bar lowered",
        Effect.loosens,
    ),
    (
        "acceptance bar raised (<=) loosens",
        lambda d: (_le_condition(d), _condition(d, "ac-approval-parity").update(threshold=1.2)),
        _le_condition,
        "acceptance.conditions[ac-approval-parity].threshold",
        "acceptance bar raised",
        Effect.loosens,
    ),
    (
        "acceptance bar lowered (<=) tightens",
        lambda d: (_le_condition(d), _condition(d, "ac-approval-parity").update(threshold=0.5)),
        _le_condition,
        "acceptance.conditions[ac-approval-parity].threshold",
        "acceptance bar lowered",
        Effect.tightens,
    ),
    (
        "control removed",
        _remove_control,
        None,
        "runtime.controls[memo-grounding-check]",
        "control removed",
        Effect.loosens,
    ),
    (
        "runbook rollback step removed",
        lambda d: _runbook(d, "quality-regression")["rollback"].pop(1),
        None,
        "runbooks[quality-regression].rollback[1]",
        "rollback step removed",
        Effect.loosens,
    ),
    (
        "escalation step removed",
        lambda d: _runbook(d, "quality-regression")["escalation"].pop(),
        None,
        "runbooks[quality-regression].escalation[head-of-lending]",
        "escalation step removed",
        Effect.loosens,
    ),
    (
        "diagnosis step reworded",
        lambda d: _runbook(d, "quality-regression")["diagnosis"].__setitem__(0, "Open the dashboard"),
        None,
        "runbooks[quality-regression].diagnosis[0]",
        "diagnosis step reworded",
        Effect.neutral,
    ),
    (
        "technical owner changed",
        lambda d: d["ownership"].update(technical_owner="vendor-delivery-lead"),
        None,
        "ownership.technical_owner",
        "technical owner changed",
        Effect.neutral,
    ),
    (
        "approver changed",
        lambda d: _decision(d, "refer-to-officer").update(approver="model-risk-lead"),
        None,
        "decisions[refer-to-officer].approver",
        "approver changed",
        Effect.neutral,
    ),
    (
        "on-call rotation changed",
        lambda d: d["ownership"]["on_call"]["rotation"].remove("sara-nilsson"),
        None,
        "ownership.on_call.rotation[sara-nilsson]",
        "person left the on-call rotation",
        Effect.neutral,
    ),
    (
        "stage lowered",
        lambda d: d.update(stage="limited_rollout"),
        None,
        "stage",
        "stage lowered",
        Effect.loosens,
    ),
    (
        "stage raised",
        lambda d: d.update(stage="system_of_record"),
        lambda d: d.update(stage="limited_rollout"),
        "stage",
        "stage raised",
        Effect.tightens,
    ),
    (
        "kill switch removed",
        lambda d: d["runtime"].pop("kill_switch"),
        None,
        "runtime.kill_switch",
        "kill switch removed",
        Effect.loosens,
    ),
    (
        "audit record removed",
        lambda d: d["audit"]["records"].remove("tool_calls"),
        None,
        "audit.records[tool_calls]",
        "audit record removed",
        Effect.loosens,
    ),
    (
        "audit retention shortened",
        lambda d: d["audit"].update(retention="1y"),
        None,
        "audit.retention",
        "audit retention shortened",
        Effect.loosens,
    ),
    (
        "override logging turned off",
        lambda d: _decision(d, "approve-low-risk")["override"].update(logged=False),
        None,
        "decisions[approve-low-risk].override.logged",
        "override logging turned off",
        Effect.loosens,
    ),
    (
        "golden set shrunk",
        lambda d: d["acceptance"]["evaluation"]["golden_set"].update(size=50),
        None,
        "acceptance.evaluation.golden_set.size",
        "golden-set size reduced",
        Effect.loosens,
    ),
    (
        "red-team probes reduced",
        lambda d: d["acceptance"]["red_team"]["probe_sets"][0].update(probes=5),
        None,
        "acceptance.red_team.probe_sets[prompt_injection].probes",
        "red-team probes reduced",
        Effect.loosens,
    ),
    (
        "alert stops paging",
        lambda d: d["observability"]["signals"][1].update(pages=False),
        None,
        "observability.signals[sig-override-rate].pages",
        "alert no longer pages on-call",
        Effect.loosens,
    ),
    (
        "change no longer gated",
        lambda d: d["change_control"]["rules"][0].update(gated_by_evaluation=False),
        None,
        "change_control.rules[prompt].gated_by_evaluation",
        "change no longer gated by evaluation",
        Effect.loosens,
    ),
    (
        "decision justification removed",
        lambda d: _record(d, "adr-002-hosting").pop("because"),
        None,
        "decision_records[adr-002-hosting].because",
        "justification removed",
        Effect.loosens,
    ),
    (
        "decision justification rewritten",
        lambda d: _record(d, "adr-002-hosting").update(because="the regulator asked for it."),
        None,
        "decision_records[adr-002-hosting].because",
        "justification rewritten",
        Effect.neutral,
    ),
    (
        "decision driver added",
        lambda d: _record(d, "adr-002-hosting")["drivers"].append("Inference cost per application"),
        None,
        "decision_records[adr-002-hosting].drivers[2]",
        "decision driver added",
        Effect.neutral,
    ),
    (
        "decision context rewritten",
        lambda d: _record(d, "adr-001-hybrid").update(context="Scoring and memos differ."),
        None,
        "decision_records[adr-001-hybrid].context",
        "decision context changed",
        Effect.neutral,
    ),
    (
        "decision record removed",
        lambda d: d["decision_records"].pop(),
        None,
        "decision_records[adr-002-hosting]",
        "decision record removed",
        Effect.loosens,
    ),
    # safeguards a systematic deletion of every field once passed as neutral
    (
        "source no longer holds personal data",
        lambda d: d["data"]["sources"][0].update(contains_pii=False),
        None,
        "data.sources[salesforce-applications].contains_pii",
        "source no longer marked as holding personal data",
        Effect.loosens,
    ),
    (
        "permitted use removed",
        lambda d: d["data"]["sources"][0].pop("permitted_use"),
        None,
        "data.sources[salesforce-applications].permitted_use",
        "permitted use removed",
        Effect.loosens,
    ),
    (
        "data residency removed",
        lambda d: d["data"].pop("residency"),
        None,
        "data.residency",
        "data residency removed",
        Effect.loosens,
    ),
    (
        "redaction no longer tested",
        lambda d: d["data"]["redaction"].update(tested=False),
        None,
        "data.redaction.tested",
        "redaction policy no longer tested",
        Effect.loosens,
    ),
    (
        "data section removed",
        lambda d: d.pop("data"),
        None,
        "data",
        "data section removed",
        Effect.loosens,
    ),
    (
        "operating rhythm removed",
        lambda d: d["ownership"].pop("review_rhythm"),
        None,
        "ownership.review_rhythm",
        "operating rhythm removed",
        Effect.loosens,
    ),
    (
        "model refresh removed",
        lambda d: d["ownership"]["review_rhythm"].pop("model_refresh"),
        None,
        "ownership.review_rhythm.model_refresh",
        "model refresh removed",
        Effect.loosens,
    ),
    (
        "evaluation review less often",
        lambda d: d["ownership"]["review_rhythm"].update(evaluation_review="quarterly"),
        None,
        "ownership.review_rhythm.evaluation_review",
        "evaluation review made less frequent",
        Effect.loosens,
    ),
    (
        "evaluation review more often",
        lambda d: d["ownership"]["review_rhythm"].update(evaluation_review="daily"),
        None,
        "ownership.review_rhythm.evaluation_review",
        "evaluation review made more frequent",
        Effect.tightens,
    ),
    (
        "integration access widened",
        lambda d: d["integrations"][0].update(access="read_write"),
        None,
        "integrations[Temenos T24].access",
        "integration access widened",
        Effect.loosens,
    ),
    (
        "workflow path toward an agent",
        lambda d: d["intent"].update(path="agent"),
        None,
        "intent.path",
        "workflow path moved toward an agent",
        Effect.loosens,
    ),
    (
        "rollout made big-bang",
        lambda d: d["runtime"]["rollout"].update(strategy="big_bang"),
        None,
        "runtime.rollout.strategy",
        "rollout made big-bang",
        Effect.loosens,
    ),
    (
        "rollout strategy changed",
        lambda d: d["runtime"]["rollout"].update(strategy="blue_green"),
        None,
        "runtime.rollout.strategy",
        "rollout strategy changed",
        Effect.neutral,
    ),
    (
        "golden set refreshed less often",
        lambda d: d["acceptance"]["evaluation"]["golden_set"].update(refreshed="yearly"),
        None,
        "acceptance.evaluation.golden_set.refreshed",
        "golden-set refresh made less frequent",
        Effect.loosens,
    ),
    (
        "evaluation scored by hand",
        lambda d: d["acceptance"]["evaluation"].update(scoring="human"),
        None,
        "acceptance.evaluation.scoring",
        "evaluation scoring moved toward human judgement",
        Effect.loosens,
    ),
    (
        "red-team cadence removed",
        lambda d: d["acceptance"]["red_team"].pop("cadence"),
        None,
        "acceptance.red_team.cadence",
        "red-team cadence removed",
        Effect.loosens,
    ),
    (
        "handover milestone removed",
        lambda d: d["exit"]["handover"]["milestones"].pop(0),
        None,
        "exit.handover.milestones[Northbank engineer shadows on-call]",
        "handover milestone removed",
        Effect.loosens,
    ),
    (
        "handover milestone postponed",
        lambda d: d["exit"]["handover"]["milestones"][0].update(date="2030-01-01"),
        None,
        "exit.handover.milestones[Northbank engineer shadows on-call].date",
        "milestone date postponed",
        Effect.loosens,
    ),
    (  # time to decision, in hours: lower is better
        "outcome target moved the worse way",
        lambda d: d["scorecard"]["metric"].update(target=8),
        None,
        "scorecard.metric.target",
        "outcome target raised",
        Effect.loosens,
    ),
    (
        "outcome target moved the better way",
        lambda d: d["scorecard"]["metric"].update(target=2),
        None,
        "scorecard.metric.target",
        "outcome target lowered",
        Effect.tightens,
    ),
    (
        "outcome direction reversed",
        lambda d: d["scorecard"]["metric"].update(direction="increase"),
        None,
        "scorecard.metric.direction",
        "outcome direction reversed",
        Effect.loosens,
    ),
    (
        "decommissioning plan removed",
        lambda d: d["exit"].pop("decommissioning"),
        None,
        "exit.decommissioning",
        "decommissioning plan removed",
        Effect.loosens,
    ),
]


@pytest.mark.parametrize(("name", "mutate", "base_mutate", "path", "label", "effect"), CASES, ids=[c[0] for c in CASES])
def test_each_kind_of_change_is_classified(
    tmp_path: Path,
    name: str,
    mutate: Mutation,
    base_mutate: Mutation | None,
    path: str,
    label: str,
    effect: Effect,
) -> None:
    # Classification is the same code whatever the sides come from; two files
    # keep this table fast, and the tests below cover reading them from git.
    base = credit()
    if base_mutate:
        base_mutate(base)
    head = credit()
    if base_mutate:
        base_mutate(head)
    mutate(head)
    before, after = tmp_path / "before" / "spec.yml", tmp_path / "after" / "spec.yml"
    for target, data in ((before, base), (after, head)):
        target.parent.mkdir()
        target.write_text(dump_yaml(data), encoding="utf-8")
    change = _change(diff_files(before, after, project_file=PROJECT_FILE), path)
    assert (change.label, change.effect) == (label, effect)
    assert change.signoff == (SIGNOFF if effect is Effect.loosens else ())


def test_several_commits_compare_any_two_revisions(repo: GitRepo, run: Callable[..., Any]) -> None:
    data = credit()
    _decision(data, "approve-low-risk")["confidence_threshold"] = 0.95
    repo.write(data)
    repo.commit("tighten")
    _decision(data, "approve-low-risk")["confidence_threshold"] = 0.6
    repo.write(data)
    repo.commit("loosen")

    assert _change(_report(repo, "HEAD~2", "HEAD~1"), "decisions[approve-low-risk].confidence_threshold").effect is (
        Effect.tightens
    )
    first_to_last = _change(_report(repo, "HEAD~2", "HEAD"), "decisions[approve-low-risk].confidence_threshold")
    assert (first_to_last.before, first_to_last.after, first_to_last.effect) == (0.92, 0.6, Effect.loosens)

    tightened = run("diff", "HEAD~2", "HEAD~1", cwd=repo.root)
    assert tightened.exit_code == 0, tightened.output
    assert "no change loosens governance" in tightened.output
    loosened = run("diff", "HEAD~1", "HEAD", cwd=repo.root)
    assert loosened.exit_code == 1, loosened.output
    assert "confidence threshold lowered" in loosened.output
    assert "sign-off from model-risk-lead (Model Risk Management Lead), ciso" in loosened.output


def test_working_tree_is_the_default_head(repo: GitRepo, run: Callable[..., Any]) -> None:
    clean = run("diff", "HEAD", cwd=repo.root)
    assert clean.exit_code == 0, clean.output
    assert "no spec changed" in clean.output

    data = credit()
    _decision(data, "refer-to-officer")["autonomy"] = "ai_alone"
    repo.write(data)
    dirty = run("diff", "HEAD", cwd=repo.root)
    assert dirty.exit_code == 1
    assert "decisions[refer-to-officer].autonomy: human_approves → ai_alone (AI autonomy widened" in dirty.output
    assert "working tree" in dirty.output


def test_cosmetic_edits_are_no_change(repo: GitRepo, run: Callable[..., Any]) -> None:
    text = (repo.specs / "credit-decision-assistant.yml").read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    reordered = {key: data[key] for key in reversed(list(data))}
    repo.write_text("# a new comment\n" + yaml.safe_dump(reordered, sort_keys=True, width=60, indent=4))
    repo.commit("reformat")
    result = run("diff", "HEAD~1", "HEAD", cwd=repo.root)
    assert result.exit_code == 0, result.output
    assert "no spec changed" in result.output


def test_renamed_file_is_followed_by_spec_id(repo: GitRepo, run: Callable[..., Any]) -> None:
    repo.git("mv", "specs/credit-decision-assistant.yml", "specs/credit.yml")
    repo.commit("rename")
    report = _report(repo)
    (spec,) = report.specs
    assert (spec.status, spec.base_file, spec.head_file, spec.changes) == (
        SpecStatus.renamed,
        "specs/credit-decision-assistant.yml",
        "specs/credit.yml",
        [],
    )
    result = run("diff", "HEAD~1", "HEAD", cwd=repo.root)
    assert result.exit_code == 0
    assert "renamed from specs/credit-decision-assistant.yml to specs/credit.yml" in result.output

    data = credit()
    data["audit"]["immutable"] = False
    (repo.specs / "credit.yml").unlink()
    repo.write(data, "credit-renamed-again")
    repo.commit("rename and loosen")
    report = _report(repo)
    assert report.specs[0].status is SpecStatus.renamed
    assert _change(report, "audit.immutable").label == "audit records no longer immutable"


def test_added_and_removed_specs(repo: GitRepo, run: Callable[..., Any]) -> None:
    other = credit()
    other["id"] = "second-workflow"
    repo.write(other, "second-workflow")
    repo.commit("add a spec")
    added = _report(repo)
    assert [(s.id, s.status) for s in added.changed] == [("second-workflow", SpecStatus.added)]
    assert run("diff", "HEAD~1", "HEAD", cwd=repo.root).exit_code == 0

    (repo.specs / "credit-decision-assistant.yml").unlink()
    repo.commit("remove the credit spec")
    removed = _report(repo)
    assert [(s.id, s.status) for s in removed.changed] == [("credit-decision-assistant", SpecStatus.removed)]
    assert removed.specs[0].changes[0].label == "spec removed"
    result = run("diff", "HEAD~1", "HEAD", cwd=repo.root)
    assert result.exit_code == 1
    assert "removed (was specs/credit-decision-assistant.yml)" in result.output


def test_spec_that_does_not_validate_is_reported_not_crashed_on(repo: GitRepo, run: Callable[..., Any]) -> None:
    data = credit()
    data["stage"] = "production"
    repo.write(data)
    repo.commit("break it")
    result = run("diff", "HEAD~1", "HEAD", cwd=repo.root)
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert "specs/credit-decision-assistant.yml does not validate in HEAD" in result.output
    assert "stage: expected one of experimentation, limited_rollout, system_of_record" in result.output

    repo.write_text("id: [unclosed\n")
    md = run("diff", "HEAD~1", "--format", "markdown", cwd=repo.root)
    assert md.exit_code == 1
    assert "⛔" in md.output


def test_a_reference_to_nothing_fails_the_diff_as_validate_does(repo: GitRepo, run: Callable[..., Any]) -> None:
    """A mistyped runbook id once showed as a neutral "runbook changed", exit
    0, while ``specgen validate`` rejected the spec: the review now reads a
    side's files as validate does."""
    text = (repo.specs / "credit-decision-assistant.yml").read_text(encoding="utf-8")
    assert "runbook: quality-regression" in text
    repo.write_text(text.replace("runbook: quality-regression", "runbook: qualty-regression"))
    assert run("validate", "specs", cwd=repo.root).exit_code == 1

    report = diff_revisions("HEAD", None, ["specs"], cwd=repo.root)
    (spec,) = report.specs
    assert spec.status is SpecStatus.invalid and report.failed
    assert "unknown runbook 'qualty-regression'" in spec.problems[0]
    assert "did you mean 'quality-regression'" in spec.problems[0]
    result = run("diff", "HEAD", cwd=repo.root)
    assert result.exit_code == 1, result.output
    assert "specs/credit-decision-assistant.yml does not validate in working tree" in result.output

    repo.commit("merged with the typo")  # on the base side too: nothing to compare against
    assert run("diff", "HEAD", cwd=repo.root).exit_code == 1


def test_a_project_file_with_a_duplicate_id_fails_the_diff(repo: GitRepo, run: Callable[..., Any]) -> None:
    project = load_yaml((repo.root / "specgen.yml").read_text(encoding="utf-8"))
    julia = next(p for p in project["people"] if p["id"] == "julia-berg")
    julia["id"] = "tom-okafor"  # two people with one id: whose sign-off is whose?
    (repo.root / "specgen.yml").write_text(dump_yaml(project), encoding="utf-8")
    report = diff_revisions("HEAD", None, ["specs"], cwd=repo.root)
    assert report.project is not None and report.project.status is SpecStatus.invalid
    assert "duplicate person id 'tom-okafor'" in report.project.problems[0]
    assert run("diff", "HEAD", cwd=repo.root).exit_code == 1


def test_usage_errors_exit_2(repo: GitRepo, run: Callable[..., Any], tmp_path: Path) -> None:
    bad_rev = run("diff", "no-such-branch", cwd=repo.root)
    assert bad_rev.exit_code == 2
    assert "'no-such-branch' is neither a spec file nor a revision" in bad_rev.output

    one_file = run("diff", "specs/credit-decision-assistant.yml", cwd=repo.root)
    assert one_file.exit_code == 2
    assert "give exactly two files" in one_file.output

    outside = tmp_path / "not-a-repo"
    outside.mkdir()
    no_git = run("diff", "main", cwd=outside)
    assert no_git.exit_code == 2
    assert "not inside a git repository" in no_git.output

    assert run("diff", cwd=repo.root).exit_code == 2  # BASE is required


def test_a_spec_removed_from_disk_is_still_a_path_to_compare(repo: GitRepo, run: Callable[..., Any]) -> None:
    (repo.specs / "credit-decision-assistant.yml").unlink()
    result = run("diff", "HEAD", "specs/credit-decision-assistant.yml", cwd=repo.root)
    assert result.exit_code == 1, result.output
    assert "removed (was specs/credit-decision-assistant.yml)" in result.output


def test_two_spec_files(tmp_path: Path, write_spec: Callable[..., Path], run: Callable[..., Any]) -> None:
    old = write_spec(credit(), "old")
    data = credit()
    data["id"] = "renamed-id"
    _decision(data, "approve-low-risk")["override"]["allowed"] = False
    new = write_spec(data, "new")
    result = run("diff", old, new, "--format", "json", cwd=tmp_path)
    assert result.exit_code == 1, result.output
    report = json.loads(result.output)
    (spec,) = report["specs"]
    paths = {c["path"]: c for c in spec["changes"]}
    assert paths["id"]["before"] == "credit-decision-assistant"
    assert paths["decisions[approve-low-risk].override.allowed"]["direction"] == "loosens"
    assert paths["decisions[approve-low-risk].override.allowed"]["needs_signoff"] == list(SIGNOFF)


def test_two_spec_files_one_invalid(tmp_path: Path, write_spec: Callable[..., Path], run: Callable[..., Any]) -> None:
    old = write_spec(credit(), "old")
    broken = credit()
    broken["decisions"][0]["autonomy"] = "whenever"
    new = write_spec(broken, "new")
    result = run("diff", old, new, cwd=tmp_path)
    assert result.exit_code == 1
    assert "credit-decision-assistant — Credit-decision assistant for personal loans: could not be compared" in (
        result.output
    )
    assert "spec removed" not in result.output


def test_markdown_comment_has_summary_then_table_and_escapes_spec_text(repo: GitRepo, run: Callable[..., Any]) -> None:
    data = credit()
    _decision(data, "approve-low-risk")["title"] = "Approve <script>alert('x')</script> | now"
    _decision(data, "approve-low-risk")["confidence_threshold"] = 0.5
    repo.write(data)
    repo.commit("edit")
    result = run("diff", "HEAD~1", "HEAD", "--format", "markdown", cwd=repo.root)
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0] == "<!-- specgen-diff -->"
    assert lines[1].startswith("**⚠️ specgen: 1 change loosens governance and needs sign-off from model-risk-lead")
    assert "### credit-decision-assistant — Credit-decision assistant for personal loans" in lines
    assert "| Direction | Change | Where | Before | After | Sign-off |" in lines
    assert (
        "| **loosens** | confidence threshold lowered | `decisions[approve-low-risk].confidence_threshold` "
        "| 0.92 | 0.5 | model-risk-lead, ciso |"
    ) in lines
    assert "<script>" not in result.output
    assert "&#60;script&#62;" in result.output
    title_row = next(line for line in lines if "title changed" in line)
    assert title_row.count("|") == 7  # the '|' in the title did not add a cell


def test_json_output(repo: GitRepo, run: Callable[..., Any]) -> None:
    data = credit()
    data["audit"]["retention"] = "2y"
    repo.write(data)
    repo.commit("shorter retention")
    result = run("diff", "HEAD~1", "HEAD", "specs", "--format", "json", cwd=repo.root)
    assert result.exit_code == 1
    report = json.loads(result.output)
    assert report["needs_signoff"] is True
    assert report["signoff_roles"] == list(SIGNOFF)
    (change,) = report["specs"][0]["changes"]
    assert change == {
        "spec": "credit-decision-assistant",
        "path": "audit.retention",
        "kind": "changed",
        "before": "10y",
        "after": "2y",
        "impact": "audit",
        "direction": "loosens",
        "label": "audit retention shortened",
        "needs_signoff": list(SIGNOFF),
    }


def test_signoff_roles_come_from_the_base_project_file(repo: GitRepo) -> None:
    project = yaml.safe_load((repo.root / "specgen.yml").read_text(encoding="utf-8"))
    project["loosening_signoff"] = ["model-risk-lead"]
    (repo.root / "specgen.yml").write_text(yaml.safe_dump(project, sort_keys=False), encoding="utf-8")
    data = credit()
    data["runtime"].pop("kill_switch")
    repo.write(data)
    repo.commit("drop ciso from sign-off and the kill switch")
    report = _report(repo)
    assert report.signoff_roles == SIGNOFF
    assert _change(report, "runtime.kill_switch").signoff == SIGNOFF
    assert report.project is not None
    (dropped,) = report.project.changes
    assert (dropped.path, dropped.label, dropped.effect) == (
        "loosening_signoff[ciso]",
        "role removed from loosening sign-off",
        Effect.loosens,
    )


def test_output_is_deterministic(repo: GitRepo, run: Callable[..., Any]) -> None:
    data = credit()
    data["ownership"]["on_call"]["rotation"] = ["david-chen", "kwame-asante"]
    data["audit"]["records"] = [r for r in data["audit"]["records"] if r not in ("inputs", "outputs")]
    repo.write(data)
    for fmt in ("text", "markdown", "json"):
        first = run("diff", "HEAD", "--format", fmt, cwd=repo.root).output
        assert first == run("diff", "HEAD", "--format", fmt, cwd=repo.root).output


def test_user_template_overrides_the_markdown_comment(repo: GitRepo, run: Callable[..., Any]) -> None:
    (repo.root / "templates" / "review").mkdir(parents=True)
    (repo.root / "templates" / "review" / "diff.md.j2").write_text(
        "custom: {{ report.loosening|length }} to sign\n", encoding="utf-8"
    )
    data = credit()
    data["audit"]["immutable"] = False
    repo.write(data)
    result = run("diff", "HEAD", "--format", "markdown", cwd=repo.root)
    assert result.output == "custom: 1 to sign\n"


def _resolves(model: type[Model], pattern: str) -> bool:
    """Whether a rule pattern names a real path of the schema."""
    current: Any = model
    for part in pattern.replace("[*]", "").split("."):
        fields = getattr(current, "model_fields", None)
        if fields is None or part not in fields:
            return False
        annotation = fields[part].annotation
        candidates = [annotation, *getattr(annotation, "__args__", ())]
        nested = [a for a in candidates for a in (a, *getattr(a, "__args__", ())) if hasattr(a, "model_fields")]
        current = nested[0] if nested else None
    return True


@pytest.mark.parametrize(("model", "rules"), [(Spec, SPEC_RULES), (Project, PROJECT_RULES)])
def test_every_rule_pattern_names_a_schema_field(model: type[Model], rules: dict[str, Any]) -> None:
    assert [p for p in rules if not _resolves(model, p)] == []


def test_a_probe_set_moved_to_another_attack_class_loosens() -> None:
    """The attack class is what the probes cover: moving a set to a class
    another set already covers drops the first class's coverage (with two
    sets of one class, the sets are compared by position)."""
    from tests.paths import EXAMPLES

    data = load_yaml((EXAMPLES / "support-ticket-triage.yml").read_text(encoding="utf-8"))
    before = Spec.model_validate(data)
    assert data["acceptance"]["red_team"]["probe_sets"][0]["attack_class"] == "prompt_injection"
    assert data["acceptance"]["red_team"]["probe_sets"][1]["attack_class"] == "data_exfiltration"
    data["acceptance"]["red_team"]["probe_sets"][0]["attack_class"] = "data_exfiltration"
    changes = diff_specs(before, Spec.model_validate(data))
    moved = [c for c in changes if c.path.endswith("attack_class")]
    assert [(c.effect, c.label) for c in moved] == [(Effect.loosens, "probe set moved to another attack class")]
