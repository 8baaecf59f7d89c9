"""Rule outcomes remembered in the build cache (specgen.rules.memo): a report
made from remembered outcomes is the report the rules give, and anything the
outcomes depend on changes the key."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import yaml

from specgen import load_portfolio
from specgen.rules import check_portfolio
from specgen.rules import engine as rules_engine
from specgen.rules.memo import outcome_key, project_digest
from specgen.spec.schema import Stage

DAY = dt.date(2026, 11, 20)


class DictMemo:
    """A memo in a dict, counting look-ups that found something."""

    def __init__(self) -> None:
        self.values: dict[str, Any] = {}
        self.hits = 0

    def get(self, key: str) -> Any | None:
        value = self.values.get(key)
        self.hits += value is not None
        return value

    def put(self, key: str, value: Any) -> None:
        self.values[key] = value


@pytest.fixture
def project(example_tree: Path) -> Path:
    """The example specs with their evidence sidecars and store, and the example project file."""
    return example_tree


def _report(root: Path, memo: DictMemo | None, **kwargs: Any) -> dict[str, Any]:
    portfolio = load_portfolio([root / "specs"])
    assert portfolio.ok, portfolio.diagnostics
    return check_portfolio(portfolio, today=kwargs.pop("today", DAY), memo=memo, **kwargs).to_dict()


def _no_rules_run(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: Any) -> Any:
        raise AssertionError("the rules ran although their outcomes were remembered")

    monkeypatch.setattr(rules_engine, "_outcomes", refuse)
    monkeypatch.setattr(rules_engine, "diagnose", refuse)


def test_a_report_from_remembered_outcomes_is_the_report_the_rules_give(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fresh = _report(project, None)
    memo = DictMemo()
    assert _report(project, memo) == fresh
    assert len(memo.values) == 2 and memo.hits == 0
    assert any(spec["findings"] for spec in fresh["specs"])  # something to remember, not only passes

    _no_rules_run(monkeypatch)
    assert _report(project, memo) == fresh
    assert memo.hits == 2


def test_stages_and_waivers_are_applied_to_remembered_outcomes(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    memo = DictMemo()
    _report(project, memo)  # remembered at the declared stages
    expected = _report(project, None, stage=Stage.system_of_record)
    _no_rules_run(monkeypatch)
    assert _report(project, memo, stage=Stage.system_of_record) == expected


def test_a_waiver_added_to_the_project_is_applied_though_the_spec_did_not_change(project: Path) -> None:
    memo = DictMemo()
    before = _report(project, memo)
    spec = next(s for s in before["specs"] if s["findings"])
    finding = spec["findings"][0]
    data = yaml.safe_load((project / "specgen.yml").read_text(encoding="utf-8"))
    waiver = {
        "rule": finding["rule_id"],
        "specs": [spec["spec_id"]],
        "reason": "accepted for the pilot",
        "approved_by": data["people"][0]["id"],
        "expires": "2027-06-30",
    }
    data.setdefault("policy", {}).setdefault("waivers", []).append(waiver)
    (project / "specgen.yml").write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    after = _report(project, memo)
    assert after == _report(project, None)
    waived = next(s for s in after["specs"] if s["spec_id"] == spec["spec_id"])["waived"]
    assert finding["rule_id"] in {f["rule_id"] for f in waived}


def _keys(root: Path, today: dt.date = DAY) -> dict[str, str | None]:
    portfolio = load_portfolio([root / "specs"])
    project = project_digest(portfolio.project)
    return {ls.spec.id: outcome_key(ls, project, today) for ls in portfolio.specs}


def test_the_key_changes_with_the_spec_its_evidence_the_project_and_the_day(project: Path) -> None:
    base = _keys(project)
    assert all(base.values()) and len(set(base.values())) == len(base)
    spec_file = project / "specs" / "credit-decision-assistant.yml"
    spec_id = yaml.safe_load(spec_file.read_text(encoding="utf-8"))["id"]
    sidecar = spec_file.with_name(f"{spec_file.stem}.evidence.yml")

    assert _keys(project, DAY + dt.timedelta(days=1))[spec_id] != base[spec_id]

    original = sidecar.read_bytes()
    sidecar.write_bytes(original + b"\n# touched\n")
    touched = _keys(project)
    assert touched[spec_id] != base[spec_id]
    assert {k: v for k, v in touched.items() if k != spec_id} == {k: v for k, v in base.items() if k != spec_id}
    sidecar.unlink()
    assert _keys(project)[spec_id] not in (base[spec_id], touched[spec_id])
    sidecar.write_bytes(original)
    assert _keys(project) == base

    spec_file.write_text(spec_file.read_text(encoding="utf-8") + "\n# a comment moves nothing but the text\n")
    assert _keys(project)[spec_id] != base[spec_id]

    project_file = project / "specgen.yml"
    data = yaml.safe_load(project_file.read_text(encoding="utf-8"))
    data["people"][0]["name"] = data["people"][0]["name"] + " Jr."
    project_file.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    assert all(new != old for new, old in zip(_keys(project).values(), base.values(), strict=True))


def test_changed_evidence_is_checked_again(project: Path) -> None:
    memo = DictMemo()
    before = _report(project, memo)
    sidecar = next((project / "specs").glob("*.evidence.yml"))
    sidecar.write_text("not: [an evidence file\n", encoding="utf-8")
    after = _report(project, memo)
    assert after == _report(project, None)
    assert after != before


@pytest.mark.parametrize(
    "damage",
    [
        lambda v: None,
        lambda v: {"rules": {}, "diagnostic": v["diagnostic"]},
        lambda v: {**v, "rules": {k: ["x", [[["a"], "m", "one", 2]]] for k in v["rules"]}},
        lambda v: {**v, "rules": {k: [None, [[[True], "m", 1, 2]]] for k in v["rules"]}},
        lambda v: {**v, "diagnostic": {"answers": [], "yes_count": "3", "reading": ""}},
        lambda v: ["not", "a", "value"],
        lambda v: {**v, "rules": {k: 5 for k in v["rules"]}},
    ],
    ids=["missing", "no-rules", "bad-line", "bad-path", "bad-count", "not-a-mapping", "not-a-pair"],
)
def test_a_damaged_stored_value_is_a_miss_never_trusted(project: Path, damage: Any) -> None:
    memo = DictMemo()
    fresh = _report(project, memo)
    for key in list(memo.values):
        memo.values[key] = damage(memo.values[key])
    assert _report(project, memo) == fresh


def test_the_build_cache_keeps_the_outcomes_between_cli_runs(
    project: Path, run, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`specgen build` stores the outcomes in its cache; the next build reads
    them back (the rules do not run), and the pages it builds are the same."""
    monkeypatch.chdir(project)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1763596800")  # 2025-11-20
    assert run("build", "specs", "-o", "site").exit_code == 0
    first = {p.relative_to(project / "site"): p.read_bytes() for p in (project / "site").rglob("*.html")}
    _no_rules_run(monkeypatch)
    assert run("build", "specs", "-o", "site").exit_code == 0
    again = {p.relative_to(project / "site"): p.read_bytes() for p in (project / "site").rglob("*.html")}
    assert again == first
