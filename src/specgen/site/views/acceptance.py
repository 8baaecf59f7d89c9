"""The acceptance and readiness page: evaluation metrics and their verdicts,
rules that do not apply."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from specgen.site.views.base import WorkflowBase
from specgen.spec.schema import Comparator, EvalMetric

__all__ = ["AcceptanceView", "MetricRow"]


@dataclass(frozen=True)
class MetricRow:
    """An evaluation metric with its verdict."""

    metric: EvalMetric
    passed: bool | None

    @property
    def verdict(self) -> str:
        """Whether the latest value meets the pass mark, in words."""
        return {None: "no value yet", True: "✔ yes", False: "✘ no"}[self.passed]


_COMPARE: dict[Comparator, Callable[[float, float], bool]] = {
    Comparator.ge: lambda a, b: a >= b,
    Comparator.gt: lambda a, b: a > b,
    Comparator.le: lambda a, b: a <= b,
    Comparator.lt: lambda a, b: a < b,
    Comparator.eq: lambda a, b: a == b,
}


class AcceptanceView(WorkflowBase):
    """Acceptance evidence and readiness."""

    def metric_rows(self) -> list[MetricRow]:
        """Evaluation metrics with whether the latest value meets the threshold."""
        harness = self.spec.acceptance.evaluation if self.spec.acceptance else None
        if harness is None:
            return []
        return [
            MetricRow(m, None if m.value is None else _COMPARE[m.comparator](m.value, m.threshold))
            for m in harness.metrics
        ]

    def not_applicable(self) -> list[tuple[str, list[str]]]:
        """Rules that do not apply, grouped by the reason they do not."""
        groups: dict[str, list[str]] = {}
        for rule_id, reason in self.report.not_applicable if self.report else []:
            groups.setdefault(reason, []).append(rule_id)
        return list(groups.items())
