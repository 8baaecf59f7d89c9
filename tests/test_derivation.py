"""Reports and evidence summaries marked with what they were derived from
(:mod:`specgen.derivation`) are digested by that key: the mark is set only
where a key covers every input, it changes with each of them, a changed copy
loses it, and a site built through the cache after an evidence edit is the
clean build's."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from pathlib import Path

import pytest

from specgen import derivation, load_portfolio
from specgen.rules import check_portfolio, check_spec
from specgen.rules.engine import all_rules
from specgen.site.gather import gather
from specgen.site.pagememo import canonical, fingerprint
from specgen.spec.memo import Memo
from tests.test_rules_memo import DAY, DictMemo


@dataclasses.dataclass(frozen=True)
class Made:
    value: str
    items: list[str] = dataclasses.field(default_factory=list)


def test_a_marked_object_is_digested_by_its_mark_and_a_changed_copy_by_its_fields() -> None:
    one, same = Made("a", ["x"]), Made("a", ["x"])
    assert derivation.derived_from(one) is None and fingerprint(one) == fingerprint(same)
    derivation.mark(one, "key", "variant")
    assert derivation.derived_from(one) is not None
    assert canonical(one) == ["Made", "derived from", derivation.derived_from(one)]
    assert fingerprint(one) != fingerprint(same)  # the mark, not the fields
    other = Made("a", ["x"])
    derivation.mark(other, "key", "another variant")
    assert fingerprint(other) != fingerprint(one)
    changed = dataclasses.replace(one, value="b")
    assert derivation.derived_from(changed) is None  # a changed copy is digested field by field
    assert fingerprint(changed) == fingerprint(Made("b", ["x"]))
    assert dataclasses.asdict(one) == {"value": "a", "items": ["x"]} and one == same  # not a field


def _marks(root: Path, memo: Memo | None, today: dt.date = DAY) -> dict[str, str | None]:
    portfolio = load_portfolio([root / "specs"])
    assert portfolio.ok
    return {r.spec_id: derivation.derived_from(r) for r in check_portfolio(portfolio, today=today, memo=memo).specs}


def test_reports_are_marked_only_when_a_key_covers_their_inputs(example_tree: Path) -> None:
    memo = DictMemo()
    marked = _marks(example_tree, memo)
    assert marked and all(marked.values())
    assert len(set(marked.values())) == len(marked)
    assert _marks(example_tree, memo) == marked  # from the stored outcomes: the same marks
    assert not any(_marks(example_tree, None).values())  # no cache, no key
    portfolio = load_portfolio([example_tree / "specs"])
    loaded = portfolio.specs[0]
    rules = all_rules(portfolio.project)
    chosen = check_spec(loaded, portfolio.project, today=DAY, rules=rules[:5], memo=DictMemo())
    assert derivation.derived_from(chosen) is None  # rules of the caller's choosing: not what the key covers
    own = check_spec(loaded, portfolio.project, today=DAY, memo=DictMemo())
    assert derivation.derived_from(own) == marked[loaded.spec.id]


def test_a_mark_changes_with_the_evidence_the_project_and_the_day(example_tree: Path) -> None:
    memo = DictMemo()
    before = _marks(example_tree, memo)
    assert _marks(example_tree, memo, today=DAY + dt.timedelta(days=1)) != before
    sidecar = next((example_tree / "specs").glob("*.evidence.yml"))
    sidecar.write_text("not: [an evidence file\n", encoding="utf-8")
    after = _marks(example_tree, memo)
    assert sum(before[i] != after[i] for i in before) == 1  # the spec whose evidence it is
    project_file = example_tree / "specgen.yml"
    project_file.write_text(project_file.read_text(encoding="utf-8").replace("Northbank", "Southbank"), "utf-8")
    assert not set(_marks(example_tree, memo).values()) & set(after.values())


def test_evidence_summaries_are_marked_and_change_with_their_sidecar(
    example_tree: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    portfolio = load_portfolio([example_tree / "specs"])
    before = {i: derivation.derived_from(e) for i, e in gather(portfolio).evidence.items()}
    assert before and all(before.values())
    sidecar = next((example_tree / "specs").glob("*.evidence.yml"))
    sidecar.write_text(sidecar.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    after = {
        i: derivation.derived_from(e) for i, e in gather(load_portfolio([example_tree / "specs"])).evidence.items()
    }
    assert sum(before[i] != after[i] for i in before) == 1


def _digests(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_an_evidence_edit_rebuilds_the_pages_that_show_it(run, example_tree: Path, monkeypatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    assert run("build", "specs", "-o", "site", cwd=example_tree).exit_code == 0
    sidecar = next((example_tree / "specs").glob("*.evidence.yml"))
    sidecar.write_text("not: [an evidence file\n", encoding="utf-8")  # every verdict of that spec changes
    before = _digests(example_tree / "site")
    built = run("build", "specs", "-o", "site", cwd=example_tree)
    assert built.exit_code == 0, built.output
    clean = run("build", "specs", "-o", "clean", "--no-cache", cwd=example_tree)
    assert clean.exit_code == 0, clean.output
    after = _digests(example_tree / "site")
    assert after == _digests(example_tree / "clean")
    assert after != before
