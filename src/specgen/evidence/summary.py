"""A spec's evidence as data: every condition and metric with its verdict, and
the recorded results that match nothing. Read once, then handed to ``check``,
the site and the SoW."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from specgen import clock
from specgen.evidence.errors import EvidenceError
from specgen.evidence.model import EvidenceRecord
from specgen.evidence.store import dependency_fingerprints, load_evidence
from specgen.evidence.verdict import Verdict, verdict_for
from specgen.spec.loader import LoadedSpec
from specgen.spec.memo import Memo
from specgen.spec.schema import AcceptanceCondition, EvalMetric, Project, Spec, Stage
from specgen.spec.yamlsrc import Path_

__all__ = ["ConditionEvidence", "SpecEvidence", "spec_evidence", "verdicts"]


@dataclass(frozen=True)
class ConditionEvidence:
    """An acceptance condition or evaluation metric and its computed verdict."""

    label: str
    """The condition's id, or the metric's name and slice."""
    path: Path_
    """Where it is written in the spec."""
    target: AcceptanceCondition | EvalMetric
    verdict: Verdict

    @property
    def is_condition(self) -> bool:
        return isinstance(self.target, AcceptanceCondition)


@dataclass(frozen=True)
class SpecEvidence:
    """What the evidence sidecar of one spec proves."""

    spec_id: str
    items: list[ConditionEvidence] = field(default_factory=list)
    records: list[EvidenceRecord] = field(default_factory=list)
    unmatched: list[tuple[str, str]] = field(default_factory=list)
    """(metric, slice) recorded but bound to no condition or metric."""
    problem: str | None = None
    """Why the sidecar could not be read, if it could not."""

    @property
    def loose_metrics(self) -> list[str]:
        """Metrics recorded but bound to nothing at all (promptfoo's automatic
        ``pass_rate`` aside: every promptfoo file states it)."""
        bound = {i.target.measured_by.metric for i in self.items if i.target.measured_by}
        return sorted({m for m, _ in self.unmatched} - bound - {"pass_rate"})

    @property
    def conditions(self) -> list[ConditionEvidence]:
        return [i for i in self.items if i.is_condition]

    @property
    def metrics(self) -> list[ConditionEvidence]:
        return [i for i in self.items if not i.is_condition]

    def for_condition(self, condition_id: str) -> ConditionEvidence | None:
        return next((i for i in self.conditions if i.label == condition_id), None)


def verdicts(
    spec: Spec,
    records: list[EvidenceRecord],
    project: Project,
    today: dt.date,
    *,
    require_bound: bool = False,
) -> list[ConditionEvidence]:
    """Every condition and evaluation metric of ``spec`` with its verdict."""
    sections = dependency_fingerprints(spec) if records else {}  # compared only with a record's
    thresholds = project.policy.thresholds
    out = []

    def judge(target: AcceptanceCondition | EvalMetric) -> Verdict:
        return verdict_for(
            target, records, thresholds=thresholds, sections=sections, today=today, require_bound=require_bound
        )

    for i, c in enumerate(spec.conditions):
        out.append(ConditionEvidence(c.id, ("acceptance", "conditions", i), c, judge(c)))
    harness = spec.acceptance.evaluation if spec.acceptance else None
    for i, m in enumerate(harness.metrics if harness else []):
        label = m.name if m.slice == "all" else f"{m.name} ({m.slice})"
        out.append(ConditionEvidence(label, ("acceptance", "evaluation", "metrics", i), m, judge(m)))
    return out


def spec_evidence(
    loaded: LoadedSpec,
    project: Project,
    today: dt.date | None = None,
    *,
    require_bound: bool | None = None,
    memo: Memo | None = None,
) -> SpecEvidence:
    """The verdicts of one spec from its evidence sidecar (never raises for a
    bad sidecar: the problem is kept). The interval's bound is required when
    ``require_bound``, by default at a declared system of record when the
    policy asks for it. ``memo``: the build cache (:func:`load_evidence`)."""
    spec = loaded.spec
    problem = None
    records: list[EvidenceRecord] = []
    if loaded.source.path is not None:
        try:
            found = load_evidence(loaded.source.path, spec.id, memo)
        except EvidenceError as exc:
            first = exc.diagnostics[0] if exc.diagnostics else None
            where = f": line {first.line}: {first.path + ': ' if first.path else ''}{first.message}" if first else ""
            problem = exc.message + where
            found = None
        records = list(found.records) if found else []
    require = require_bound
    if require is None:
        require = project.policy.thresholds.evidence_interval_bound and spec.stage is Stage.system_of_record
    items = verdicts(spec, records, project, clock.today(today), require_bound=require)
    bound = {(i.target.measured_by.metric, i.target.measured_by.slice) for i in items if i.target.measured_by}
    unmatched = sorted({(r.metric, r.slice) for r in records} - bound)
    return SpecEvidence(spec.id, items, records, unmatched, problem)
