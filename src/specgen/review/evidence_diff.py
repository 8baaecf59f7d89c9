"""What changed in the measured evidence between two sides: new runs, and
verdicts that flipped. A condition or metric that held and now fails loosens
governance and needs sign-off like any other loosening."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from specgen import clock
from specgen.diagnostics import format_path
from specgen.evidence import EvidenceFile, VerdictKind
from specgen.evidence.summary import verdicts
from specgen.review.classifiers import ChangeKind, Effect, Impact
from specgen.review.report import Change
from specgen.spec import schema

__all__ = ["evidence_changes"]


def _effect(before: VerdictKind, after: VerdictKind) -> Effect:
    if before is VerdictKind.holds and after is not VerdictKind.holds:
        return Effect.loosens if after is VerdictKind.fails else Effect.neutral
    if after is VerdictKind.holds:
        return Effect.tightens
    return Effect.neutral


def evidence_changes(
    before: tuple[schema.Spec, EvidenceFile | None],
    after: tuple[schema.Spec, EvidenceFile | None],
    project: schema.Project,
    signoff: Sequence[str],
    today: dt.date | None = None,
) -> list[Change]:
    """New evidence runs and verdict flips from ``before`` to ``after`` (spec and evidence on each side)."""
    (old_spec, old_ev), (new_spec, new_ev) = before, after
    if old_ev is None and new_ev is None:
        return []
    if new_ev is None:  # one change, not a flip to "no evidence" per condition
        gone = {"records": len(old_ev.records) if old_ev else 0}
        label = "evidence file removed"
        return [
            Change(new_spec.id, "evidence", ChangeKind.removed, gone, None, Impact.acceptance, Effect.neutral, label)
        ]
    day = clock.today(today)
    old_records = list(old_ev.records) if old_ev else []
    new_records = list(new_ev.records) if new_ev else []
    out: list[Change] = []
    known = {r.artefact.sha256 for r in old_records}
    runs: dict[str, dict[str, object]] = {}
    for r in new_records:
        if r.artefact.sha256 not in known:
            runs.setdefault(
                r.artefact.sha256,
                {
                    "file": r.artefact.name,
                    "sha256": r.artefact.sha256,
                    "run_date": r.run_date.isoformat(),
                    "tool": r.tool,
                },
            )
    for run in runs.values():
        out.append(
            Change(
                new_spec.id,
                "evidence",
                ChangeKind.added,
                None,
                run,
                Impact.acceptance,
                Effect.neutral,
                "new evidence run",
            )
        )
    old_items = {i.label: i for i in verdicts(old_spec, old_records, project, day)}
    for item in verdicts(new_spec, new_records, project, day):
        was = old_items.get(item.label)
        if was is None or was.verdict.kind is item.verdict.kind:
            continue
        effect = _effect(was.verdict.kind, item.verdict.kind)
        what = "condition" if item.is_condition else "metric"
        out.append(
            Change(
                new_spec.id,
                format_path(item.path),
                ChangeKind.changed,
                was.verdict.kind.value,
                item.verdict.kind.value,
                Impact.acceptance,
                effect,
                f"{what} '{item.label}' verdict {was.verdict.kind.value} → {item.verdict.kind.value}",
                tuple(signoff) if effect is Effect.loosens else (),
            )
        )
    return out
