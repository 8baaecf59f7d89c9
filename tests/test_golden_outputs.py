"""The check report (text and SARIF) and the pull-request comment match their
golden copies. Regenerate with ``python -m tests.golden_outputs`` and review
the diff."""

from __future__ import annotations

import difflib
import json

import pytest

from tests import golden_outputs as golden

HINT = "regenerate with `python -m tests.golden_outputs` if the change is intended, and review the diff"


def _compare(name: str, expected: str, actual: str) -> None:
    if actual != expected:
        diff = "".join(
            difflib.unified_diff(expected.splitlines(True), actual.splitlines(True), f"golden/{name}", "now", n=2)
        )
        pytest.fail(f"{name} differs from its golden copy ({HINT}):\n{diff[:6000]}")


def test_the_changed_spec_is_derived_from_the_example() -> None:
    _compare(golden.CHANGED.name, (golden.REPO / golden.CHANGED).read_text(encoding="utf-8"), golden.changed_spec())


@pytest.mark.parametrize("name", sorted(golden.RENDERERS))
def test_output_matches_its_golden_copy(name: str) -> None:
    expected = (golden.GOLDEN / name).read_text(encoding="utf-8")
    _compare(name, expected, golden.render(name))


def test_the_sarif_golden_is_sarif() -> None:
    log = json.loads((golden.GOLDEN / "check.sarif").read_text(encoding="utf-8"))
    assert log["version"] == "2.1.0"
    rules = log["runs"][0]["tool"]["driver"]["rules"]
    assert len(rules) >= 78 and all(r["id"] and r["shortDescription"]["text"] for r in rules)


def test_the_pr_comment_golden_shows_the_loosening_and_no_markup() -> None:
    text = (golden.GOLDEN / "pr-comment.md").read_text(encoding="utf-8")
    assert "**loosens** | confidence threshold lowered" in text
    assert "<img" not in text and "</details>" not in text
    assert "\n!!!" not in text and "@team" not in text
