"""The acceptance and readiness page: each condition and evaluation metric with
its measured evidence and the verdict specgen computed, rules that do not apply."""

from __future__ import annotations

from dataclasses import dataclass

from specgen.evidence import ConditionEvidence, EvidenceRecord, VerdictKind
from specgen.evidence.verdict import COMPARE
from specgen.site.gather import artefact_page_path
from specgen.site.views.base import WorkflowBase
from specgen.spec.schema import EvalMetric
from specgen.text import Md

__all__ = ["AcceptanceView", "MetricRow"]

_SYMBOL = {
    VerdictKind.holds: "✔ holds",
    VerdictKind.fails: "✘ fails",
    VerdictKind.stale: "⚠ stale",
    VerdictKind.not_proven: "⚠ not proven",
    VerdictKind.no_evidence: "no evidence",
}


@dataclass(frozen=True)
class MetricRow:
    """An evaluation metric with its verdict: computed from evidence, or (for a
    hand-typed value without evidence) asserted, not measured."""

    metric: EvalMetric
    passed: bool | None
    evidence: ConditionEvidence | None = None

    @property
    def measured(self) -> bool:
        return self.evidence is not None and self.evidence.verdict.record is not None

    @property
    def verdict(self) -> str:
        """The verdict in words."""
        if self.measured and self.evidence is not None:
            return _SYMBOL[self.evidence.verdict.kind]
        if self.metric.value is not None:
            return {True: "asserted, not measured (meets it as typed)", False: "asserted, not measured (below it)"}[
                bool(self.passed)
            ]
        return "no evidence"


class AcceptanceView(WorkflowBase):
    """Acceptance evidence and readiness."""

    def condition_evidence(self, condition_id: str) -> ConditionEvidence | None:
        """The verdict on a condition and the record it rests on (None without an evidence file read)."""
        return self.evidence.for_condition(condition_id) if self.evidence else None

    @staticmethod
    def verdict_label(item: ConditionEvidence) -> str:
        return _SYMBOL[item.verdict.kind]

    @staticmethod
    def figure(value: float | None) -> str:
        """A measured number to four significant figures."""
        return "—" if value is None else f"{value:.4g}"

    @staticmethod
    def artefact_href(record: EvidenceRecord) -> str:
        """The result file's path inside the site (copied at build time)."""
        return artefact_page_path(record.artefact.stored)

    @staticmethod
    def trend_svg(item: ConditionEvidence) -> Md:
        """A small line chart of every recorded run (SVG drawn here, no script); empty for one run."""
        runs = item.verdict.runs
        if len(runs) < 2:
            return Md("")
        scale = item.verdict.scale
        values = [r.value * scale for r in runs] + [item.target.threshold]
        low, high = min(values), max(values)
        span = (high - low) or 1.0
        width, height, pad = 160, 40, 4

        def y(v: float) -> float:
            return round(height - pad - (v - low) / span * (height - 2 * pad), 1)

        step = (width - 2 * pad) / (len(runs) - 1)
        points = " ".join(f"{round(pad + i * step, 1)},{y(r.value * scale)}" for i, r in enumerate(runs))
        bar = y(item.target.threshold)
        label = f"{len(runs)} runs from {runs[0].run_date} to {runs[-1].run_date}"
        return Md(
            f'<svg class="specgen-trend" role="img" width="{width}" height="{height}" viewBox="0 0 {width} {height}">'
            f"<title>{label}</title>"
            f'<line x1="0" y1="{bar}" x2="{width}" y2="{bar}" stroke="#999" stroke-dasharray="3,3"/>'
            f'<polyline fill="none" stroke="currentColor" stroke-width="1.5" points="{points}"/></svg>'
        )

    def metric_rows(self) -> list[MetricRow]:
        """Evaluation metrics with their verdicts."""
        harness = self.spec.acceptance.evaluation if self.spec.acceptance else None
        if harness is None:
            return []
        judged = self.evidence.metrics if self.evidence else []
        rows = []
        for i, m in enumerate(harness.metrics):
            item = judged[i] if i < len(judged) else None
            passed = None if m.value is None else COMPARE[m.comparator](m.value, m.threshold)
            rows.append(MetricRow(m, passed, item))
        return rows

    def not_applicable(self) -> list[tuple[str, list[str]]]:
        """Rules that do not apply, grouped by the reason they do not."""
        groups: dict[str, list[str]] = {}
        for rule_id, reason in self.report.not_applicable if self.report else []:
            groups.setdefault(reason, []).append(rule_id)
        return list(groups.items())
