"""Verdicts: does the recorded evidence prove an acceptance condition or an
evaluation metric? Computed here from the records and the spec, never typed.

The latest record of the condition's ``measured_by`` metric and slice decides:

- **no evidence**: the condition names no measurement, or none is recorded;
- **fails**: the measured value does not meet the bar;
- **stale**: the run is older than the policy's maximum age, or the spec's
  decisions, acceptance conditions or evaluation metrics changed since it was recorded;
- **not proven**: fewer cases than the policy's minimum, or (when asked) the
  95% interval's bound on the wrong side of the bar;
- **holds**: the value meets the bar, on enough cases, recently, against this spec.

A proportion (a pass rate) is compared as a percentage when the bar's unit is '%'.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import Enum

from specgen.evidence.model import EvidenceRecord
from specgen.spec.schema import AcceptanceCondition, Comparator, EvalMetric, MeasuredBy, Thresholds

__all__ = ["Verdict", "VerdictKind", "latest_record", "verdict_for"]

COMPARE: dict[Comparator, Callable[[float, float], bool]] = {
    Comparator.ge: lambda a, b: a >= b,
    Comparator.gt: lambda a, b: a > b,
    Comparator.le: lambda a, b: a <= b,
    Comparator.lt: lambda a, b: a < b,
    Comparator.eq: lambda a, b: a == b,
}


class VerdictKind(str, Enum):
    holds = "holds"
    fails = "fails"
    stale = "stale"
    not_proven = "not proven"
    no_evidence = "no evidence"


@dataclass(frozen=True)
class Verdict:
    """A computed verdict, the record it rests on, and what it was derived from."""

    kind: VerdictKind
    reason: str
    record: EvidenceRecord | None = None
    runs: tuple[EvidenceRecord, ...] = ()
    """Every recorded run of the metric and slice, oldest first."""
    scale: float = 1.0
    """Factor from the recorded value to the bar's unit (100 for a proportion against a '%' bar)."""

    @property
    def shown_value(self) -> float | None:
        return None if self.record is None else self.record.value * self.scale

    @property
    def shown_interval(self) -> tuple[float, float] | None:
        if self.record is None or self.record.interval is None:
            return None
        low, high = self.record.interval
        return low * self.scale, high * self.scale


def _matching(records: Sequence[EvidenceRecord], by: MeasuredBy) -> list[EvidenceRecord]:
    found = [r for r in records if r.metric == by.metric and r.slice == by.slice]
    return sorted(found, key=lambda r: r.run_date)  # stable: same date keeps import order


def latest_record(records: Sequence[EvidenceRecord], by: MeasuredBy) -> EvidenceRecord | None:
    found = _matching(records, by)
    return found[-1] if found else None


def _num(value: float) -> str:
    return f"{value:.4g}"


def verdict_for(
    target: AcceptanceCondition | EvalMetric,
    records: Sequence[EvidenceRecord],
    *,
    thresholds: Thresholds,
    sections: dict[str, str],
    today: dt.date,
    require_bound: bool = False,
) -> Verdict:
    """The verdict on ``target`` from ``records``; ``sections`` are the spec's
    current section fingerprints, ``require_bound`` asks the interval's bound to
    meet the bar."""
    by = target.measured_by
    if by is None:
        return Verdict(VerdictKind.no_evidence, "it names no measurement (measured_by)")
    recorded = _matching(records, by)
    runs = tuple(r for r in recorded if r.run_date <= today)  # a run dated later did not exist yet on that day
    if not runs:
        if recorded:
            return Verdict(
                VerdictKind.no_evidence,
                f"no run of metric '{by.metric}', slice '{by.slice}' on or before {today} "
                f"(the first recorded run is dated {recorded[0].run_date})",
            )
        return Verdict(VerdictKind.no_evidence, f"no recorded run of metric '{by.metric}', slice '{by.slice}'")
    record = runs[-1]
    unit = getattr(target, "unit", None)
    scale = 100.0 if record.is_proportion and unit == "%" else 1.0
    value = record.value * scale
    bar = f"{target.comparator.value} {_num(target.threshold)}{' ' + unit if unit else ''}"
    measured = f"{_num(value)} on {record.n} cases ({record.tool}, {record.run_date})"

    def made(kind: VerdictKind, reason: str) -> Verdict:
        return Verdict(kind, reason, record, runs, scale)

    if not COMPARE[target.comparator](value, target.threshold):
        return made(VerdictKind.fails, f"measured {measured}; the bar is {bar}")
    age = (today - record.run_date).days
    if age > thresholds.evidence_max_age_days:
        return made(VerdictKind.stale, f"measured {age} days ago; the policy allows {thresholds.evidence_max_age_days}")
    changed = sorted(name for name, value_ in record.sections.items() if sections.get(name) != value_)
    if changed:
        return made(VerdictKind.stale, f"measured before the spec's {', '.join(changed)} changed")
    if record.n < thresholds.evidence_min_cases:
        return made(
            VerdictKind.not_proven, f"{record.n} cases; the policy asks for at least {thresholds.evidence_min_cases}"
        )
    if require_bound and record.interval is not None:
        low, high = (b * scale for b in record.interval)
        bound = low if target.comparator in (Comparator.ge, Comparator.gt) else high
        if not COMPARE[target.comparator](bound, target.threshold):
            return made(
                VerdictKind.not_proven,
                f"the 95% interval [{_num(low)}, {_num(high)}] reaches past the bar {bar}",
            )
    return made(VerdictKind.holds, f"measured {measured}; the bar is {bar}")
