"""The live preview keeps what it restored from the build cache between
builds (:mod:`specgen.site.warm`) and still never changes a byte: after every
edit of a seeded random sequence, the preview's site equals a clean build.

Also: the objects kept are the ones reused (an unchanged spec is the same
object in the next build, an edited one is not), and only what the last
build used is kept.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from specgen import load_portfolio
from specgen.rules import check_portfolio
from specgen.site.cache import CACHE_DIR, open_cache
from specgen.site.serve import Preview
from specgen.site.warm import Warm
from tests.test_site_incremental import SEED, Tree, _digest

EDITS = 24


def _preview(tree: Path, loaded: list) -> Preview:
    """A preview loading as ``specgen serve`` run in ``tree`` does (the specs and
    their readiness report, through the cache; the working folder must be ``tree``:
    the pages show the specs' paths as given)."""
    specs, project_file = Path("specs"), Path("specgen.yml")

    def load(memo=None):
        portfolio = load_portfolio([specs], project_file=project_file, memo=memo)
        report = check_portfolio(portfolio, memo=memo) if portfolio.ok else None
        loaded.append((portfolio, report))
        return portfolio, report

    return Preview(load, watch=[specs, project_file], port=0, cache=tree / CACHE_DIR)


@pytest.mark.slow
def test_preview_builds_equal_clean_builds_over_random_edits(
    run, example_tree: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    monkeypatch.chdir(example_tree)
    rng = random.Random(SEED + 1)
    tree = Tree(example_tree, rng)
    preview = _preview(example_tree, [])
    try:
        assert preview.build().ok
        kinds = ["text"] * 5 + ["title"] * 2 + ["add", "remove", "rename", "template", "project", "invalid"]
        done: list[str] = []
        kept: list[int] = []
        for step in range(EDITS):
            kind = rng.choice(kinds)
            if kind == "invalid":
                before = _digest(preview.site_dir)
                undo = tree.invalid()
                failed = preview.build()
                assert not failed.ok and failed.last_good and failed.diagnostics
                assert _digest(preview.site_dir) == before  # the last good site, untouched
                undo()
                done.append("invalid edit, undone")
            else:
                done.append(getattr(tree, kind)())
            built = preview.build()
            assert built.ok, (done, built.lines())
            kept.append(built.result.kept_pages if built.result is not None else 0)
            clean = run("build", "specs", "-o", "clean", "--no-cache", cwd=example_tree)
            assert clean.exit_code == 0, (done, clean.output)
            assert _digest(preview.site_dir) == _digest(example_tree / "clean"), (step, done)
        assert sum(n > 0 for n in kept) >= EDITS // 4, kept  # many builds kept pages: the warm path ran
    finally:
        preview.shutdown()
    assert len(set(done)) > 8, done
    assert any(d.startswith("text") for d in done) and any(d.startswith("title") for d in done)


def _by_id(portfolio, report) -> tuple[dict, dict]:
    return {ls.spec.id: ls.spec for ls in portfolio.specs}, {r.spec_id: r for r in report.specs}


def test_the_preview_reuses_unchanged_specs_and_not_edited_ones(
    example_tree: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(example_tree)
    loaded: list = []
    preview = _preview(example_tree, loaded)
    try:
        assert all(preview.build().ok for _ in range(3))  # the first stores the specs, the second restores them
        (first, first_reports), (second, second_reports) = (_by_id(*found) for found in loaded[-2:])
        assert first.keys() == second.keys() and len(first) > 1
        assert all(second[i] is first[i] for i in first)  # kept, not validated again
        assert all(second_reports[i] is first_reports[i] for i in first)  # nor checked again
        spec = example_tree / "specs" / "credit-decision-assistant.yml"
        spec.write_text(spec.read_text(encoding="utf-8").replace("Scores personal-loan", "Scores every loan"), "utf-8")
        assert preview.build().ok
        third, third_reports = _by_id(*loaded[-1])
        edited = "credit-decision-assistant"
        assert third[edited] is not second[edited] and third_reports[edited] is not second_reports[edited]
        assert third[edited].summary.startswith("Scores every loan")
        assert all(third[i] is second[i] and third_reports[i] is second_reports[i] for i in second if i != edited)
    finally:
        preview.shutdown()


def test_the_cache_hands_back_kept_objects_and_keeps_only_what_a_build_used(tmp_path: Path) -> None:
    warm = Warm()
    made: list[str] = []

    def restore(value):
        made.append(value)
        return {"restored": value}

    first = open_cache(tmp_path / "cache", warm=warm)
    first.put("a", "value a")
    first.put("b", "value b")
    first.commit()
    first.close()
    second = open_cache(tmp_path / "cache", warm=warm)
    one = second.restored("a", restore)
    assert one == {"restored": "value a"} and made == ["value a"]
    assert second.restored("a", restore) is one and made == ["value a"]  # restored once
    assert second.restored("a", restore, variant="other") is not one  # another reader's object
    assert second.restored("missing", restore) is None
    assert second.restored("b", lambda value: None) is None  # a value its reader rejects is not kept
    second.commit()
    second.close()
    third = open_cache(tmp_path / "cache", warm=warm)
    assert third.kept_objects(["a", "b"]) == {"a": one}
    third.put("c", "value c")
    third.keep_object("c", "", {"restored": "value c"})
    third.commit()  # used "a" (both variants are kept) and put "c"
    third.close()
    assert len(warm) == 3
    fourth = open_cache(tmp_path / "cache", warm=warm)
    assert fourth.kept_objects(["c"]) == {"c": {"restored": "value c"}}
    fourth.commit(prune=False)  # as a build that kept pages: the entries it did not read stay on disk
    fourth.close()
    assert len(warm) == 1  # "a" was not used by the last build: let go
    assert open_cache(tmp_path / "cache").restored("a", restore) == {"restored": "value a"}  # read from disk again
