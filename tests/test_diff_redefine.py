"""`specgen diff`: changing what a bar measures loosens governance.

A condition's threshold is only as strict as what it is compared with: its
comparator, the metric and slice it measures, and the recorded evidence
bound to it. Any of those changed may let a weaker measurement pass, so the
change needs sign-off, whichever way it was meant. So does typing an
evaluation result as passed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from specgen.review.diff import Effect, diff_revisions
from tests.review_helpers import GitRepo, credit


def _condition(data: dict[str, Any], ident: str = "ac-approval-parity") -> dict[str, Any]:
    return next(c for c in data["acceptance"]["conditions"] if c["id"] == ident)


def _metric(data: dict[str, Any], name: str = "memo grounding rate") -> dict[str, Any]:
    return next(m for m in data["acceptance"]["evaluation"]["metrics"] if m["name"] == name)


def _failed_result(data: dict[str, Any]) -> None:
    data["acceptance"]["evaluation"]["results"][0]["passed"] = False


CASES: list[tuple[str, Callable[[dict[str, Any]], None], Callable[[dict[str, Any]], None] | None, str, str]] = [
    (
        "comparator",
        lambda d: _condition(d).update(comparator="<="),
        None,
        "acceptance.conditions[ac-approval-parity].comparator",
        "acceptance comparator changed",
    ),
    (
        "slice",
        lambda d: _condition(d).update(slice="all"),
        None,
        "acceptance.conditions[ac-approval-parity].slice",
        "measured slice changed",
    ),
    (
        "evidence rebound",
        lambda d: _condition(d)["measured_by"].update(slice="all"),
        None,
        "acceptance.conditions[ac-approval-parity].measured_by.slice",
        "evidence bound to the condition changed",
    ),
    (
        "evidence unbound",
        lambda d: _condition(d).pop("measured_by"),
        None,
        "acceptance.conditions[ac-approval-parity].measured_by",
        "condition no longer bound to evidence",
    ),
    (
        "metric evidence rebound",
        lambda d: _metric(d)["measured_by"].update(metric="decision_agreement"),
        None,
        "acceptance.evaluation.metrics[memo grounding rate].measured_by.metric",
        "evidence bound to the metric changed",
    ),
    (
        "result typed as passed",
        lambda d: None,
        _failed_result,
        "acceptance.evaluation.results[2.3.0 2026-10-28].passed",
        "evaluation result marked passed (typed by hand)",
    ),
]


@pytest.mark.parametrize(("name", "mutate", "base_mutate", "path", "label"), CASES, ids=[c[0] for c in CASES])
def test_changing_what_a_bar_measures_loosens(
    tmp_path,
    run: Callable[..., Any],
    name: str,
    mutate: Callable[[dict[str, Any]], None],
    base_mutate: Callable[[dict[str, Any]], None] | None,
    path: str,
    label: str,
) -> None:
    repo = GitRepo(tmp_path / "repo")
    base = credit()
    if base_mutate is not None:
        base_mutate(base)
    repo.write(base)
    repo.commit("base")
    head = credit()
    mutate(head)
    repo.write(head)

    report = diff_revisions("HEAD", None, ["specs"], cwd=repo.root)

    found = [(c.path, c.label, c.effect) for s in report.specs for c in s.changes if c.path == path]
    assert found == [(path, label, Effect.loosens)], [(c.path, c.label) for s in report.specs for c in s.changes]
    assert run("diff", "HEAD", cwd=repo.root).exit_code == 1


def test_binding_a_condition_to_evidence_tightens(tmp_path) -> None:
    repo = GitRepo(tmp_path / "repo")
    base = credit()
    _condition(base).pop("measured_by")
    repo.write(base)
    repo.commit("base")
    repo.write(credit())
    report = diff_revisions("HEAD", None, ["specs"], cwd=repo.root)
    changes = [(c.path, c.effect) for s in report.specs for c in s.changes if "measured_by" in c.path]
    assert changes == [("acceptance.conditions[ac-approval-parity].measured_by", Effect.tightens)]
