"""Rules on measured evidence: acceptance is proven by recorded runs, not typed verdicts.

Verdicts come from :mod:`specgen.evidence` (the sidecar beside the spec):
holds, fails, stale, not proven, no evidence.
"""

from __future__ import annotations

from collections.abc import Iterator

from specgen.evidence import ConditionEvidence, VerdictKind
from specgen.rules.context import Gap, NotApplicable, RuleContext
from specgen.rules.registry import rule
from specgen.spec.schema import Stage

Outcomes = Iterator[Gap | NotApplicable]
EXP, LR = Stage.experimentation, Stage.limited_rollout
DIM = "runtime_verification"
SOURCE = "readiness definition: accepted when every acceptance criterion holds and its evidence is delivered"

NO_FILE = NotApplicable("the spec was not read from a file, so it has no evidence sidecar")


def _items(ctx: RuleContext) -> list[ConditionEvidence] | None:
    return ctx.evidence.items if ctx.evidence is not None else None


@rule(
    "EVID-001",
    "Every acceptance condition has fresh evidence that holds",
    severity="error",
    from_stage=LR,
    dimension=DIM,
    rationale="A condition nobody measured, measured long ago, against another version of the spec, "
    "or on a handful of cases proves nothing; the buyer should not sign on the vendor's word.",
    source=SOURCE,
)
def _conditions_proven(ctx: RuleContext) -> Outcomes:
    items = _items(ctx)
    if items is None:
        yield NO_FILE
        return
    conditions = [i for i in items if i.is_condition]  # at a declared system of record, the policy may ask the
    # 95% interval's bound to meet the bar (evidence_interval_bound): the verdict is then "not proven" until it does
    if not conditions:
        yield NotApplicable("there are no acceptance conditions")
        return
    problem = ctx.evidence.problem if ctx.evidence is not None else None
    for item in conditions:
        kind = item.verdict.kind
        if kind in (VerdictKind.holds, VerdictKind.fails):  # fails: EVID-002
            continue
        path = (
            (*item.path, "measured_by")
            if item.target.measured_by and kind is not VerdictKind.no_evidence
            else item.path
        )
        reason = item.verdict.reason
        if kind is VerdictKind.no_evidence and problem:  # not "no recorded run": the file is there, but unusable
            reason = f"the evidence file cannot be used ({problem})"
        yield Gap(path, f"condition '{item.label}': {kind.value}: {reason}")


@rule(
    "EVID-002",
    "No recorded evidence fails its bar",
    severity="error",
    from_stage=EXP,
    dimension=DIM,
    rationale="A measurement below the bar is a failed acceptance condition or metric, whatever was typed.",
    source=SOURCE,
)
def _nothing_fails(ctx: RuleContext) -> Outcomes:
    items = _items(ctx)
    if items is None:
        yield NO_FILE
        return
    for item in items:
        if item.verdict.kind is VerdictKind.fails:
            what = "condition" if item.is_condition else "metric"
            yield Gap((*item.path, "measured_by"), f"{what} '{item.label}' fails: {item.verdict.reason}")


@rule(
    "EVID-003",
    "Evidence is readable, every recorded result is bound, and no metric value is typed by hand",
    severity="warning",
    from_stage=EXP,
    dimension=DIM,
    rationale="A typed value is asserted, not measured; a result nothing is bound to proves nothing.",
    source=SOURCE,
)
def _evidence_tidy(ctx: RuleContext) -> Outcomes:
    evidence = ctx.evidence
    if evidence is None:
        yield NO_FILE
        return
    if evidence.problem:
        yield Gap(("acceptance",), f"the evidence file cannot be used: {evidence.problem}")
    loose = evidence.loose_metrics
    if loose:
        yield Gap(
            ("acceptance",),
            f"recorded metric(s) bound to no condition or metric: {', '.join(loose)} "
            "(specgen evidence list shows every slice)",
        )
    for item in evidence.metrics:
        if item.target.value is not None and item.verdict.record is None:  # type: ignore[union-attr]
            yield Gap(
                (*item.path, "value"),
                f"metric '{item.label}': the value {item.target.value:g} is typed by hand "  # type: ignore[union-attr]
                "(asserted, not measured); bind it with measured_by and record evidence",
            )
