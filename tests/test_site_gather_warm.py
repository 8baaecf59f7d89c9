"""A long-lived process (the preview) works out a spec's evidence verdicts
once per key (the spec file, its evidence file, the project and the day),
not on every build (:func:`specgen.site.gather.gather`, :func:`specgen.spec.memo.made`)."""

from __future__ import annotations

from pathlib import Path

import pytest

import specgen.evidence as evidence_module
from specgen import load_portfolio
from specgen.site.cache import open_cache
from specgen.site.gather import SiteInputs, gather
from specgen.site.warm import Warm
from specgen.spec.memo import made

CREDIT = "credit-decision-assistant"
DAY_ONE, DAY_TWO = "1797292800", "1797379200"  # two days in a row


@pytest.fixture
def counted(monkeypatch) -> list[str]:
    """The spec ids whose evidence was worked out, in order."""
    calls: list[str] = []
    real = evidence_module.spec_evidence

    def spec_evidence(loaded, *args, **kwargs):
        calls.append(loaded.spec.id)
        return real(loaded, *args, **kwargs)

    monkeypatch.setattr(evidence_module, "spec_evidence", spec_evidence)
    return calls


def _gather(tree: Path, warm: Warm | None) -> SiteInputs:
    portfolio = load_portfolio([tree / "specs"], project_file=tree / "specgen.yml")
    cache = open_cache(tree / ".specgen-cache", warm=warm)
    try:
        inputs = gather(portfolio, cache)
        cache.commit()
    finally:
        cache.close()
    return inputs


def test_the_preview_works_out_evidence_again_only_when_its_inputs_change(
    example_tree: Path, counted: list[str], monkeypatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", DAY_ONE)
    warm = Warm()
    first = _gather(example_tree, warm)
    ids = sorted(first.evidence)
    assert sorted(counted) == ids and len(ids) == 2

    counted.clear()
    second = _gather(example_tree, warm)
    assert counted == [], "unchanged evidence was worked out again"
    assert all(second.evidence[spec_id] is first.evidence[spec_id] for spec_id in ids)

    sidecar = example_tree / "specs" / f"{CREDIT}.evidence.yml"
    sidecar.unlink()  # the evidence file goes: that spec's verdicts, and only those, again
    counted.clear()
    third = _gather(example_tree, warm)
    assert counted == [CREDIT]
    assert first.evidence[CREDIT].records and not third.evidence[CREDIT].records

    monkeypatch.setenv("SOURCE_DATE_EPOCH", DAY_TWO)  # freshness is judged by the day
    counted.clear()
    _gather(example_tree, warm)
    assert sorted(counted) == ids


def test_a_build_of_its_own_process_works_evidence_out_every_time(
    example_tree: Path, counted: list[str], monkeypatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", DAY_ONE)
    first = _gather(example_tree, None)
    counted.clear()
    second = _gather(example_tree, None)
    assert sorted(counted) == sorted(first.evidence)
    assert second.evidence[CREDIT] == first.evidence[CREDIT]


def test_made_keeps_one_object_per_key_and_variant_while_the_builds_use_it(tmp_path: Path) -> None:
    warm = Warm()
    made_now: list[str] = []

    def make(name: str):
        return lambda: made_now.append(name) or [name]

    def build(*wanted: tuple[str, str]) -> list[object]:
        cache = open_cache(tmp_path / "cache", warm=warm)
        try:
            found = [made(cache, key, variant, make(f"{key}/{variant}")) for key, variant in wanted]
            cache.commit()
        finally:
            cache.close()
        return found

    one = build(("k1", "a"), ("k1", "b"), ("k2", "a"))
    assert made_now == ["k1/a", "k1/b", "k2/a"]
    made_now.clear()
    two = build(("k1", "a"), ("k1", "b"))
    assert made_now == [] and two[0] is one[0] and two[1] is one[1]
    build(("k2", "a"))  # not used by the build before: let go
    assert made_now == ["k2/a"]
    assert made(None, "k1", "a", make("none")) == ["none"]
