"""Rules on exit readiness: dependencies, buyer-owned artifacts, handover, decommissioning."""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterator

from specgen.rules.context import Gap, NotApplicable, RuleContext
from specgen.rules.registry import rule
from specgen.spec.schema import ArtifactKind, DependencyKind, Spec, Stage

Outcomes = Iterator[Gap | NotApplicable]
LR, SOR = Stage.limited_rollout, Stage.system_of_record
DIM = "exit_readiness"
NO_DEPENDENCIES = NotApplicable("no dependencies are listed (DEP-001 asks for them)")
NO_EXIT = NotApplicable("there is no exit plan (EXIT-001 asks for one)")


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` plus ``months`` calendar months (clamped to the month's last day)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def release_date(spec: Spec) -> dt.date | None:
    """When the spec's current version was released (the changelog), else its latest release."""
    log = spec.change_control.changelog if spec.change_control else []
    current = [e.date for e in log if e.version == spec.version]
    dates = current or [e.date for e in log]
    return max(dates) if dates else None


@rule(
    "DEP-001",
    "The models the system depends on are listed with their versions",
    severity="error",
    from_stage=LR,
    dimension=DIM,
    rationale="Every model, API and platform is a dependency to operate and, one day, to replace; each is pinned.",
    source="SRE launch checklist; NIST AI RMF GOVERN 6.2; EU AI Act Annex IV 2(a)",
)
def _dependencies(ctx: RuleContext) -> Outcomes:
    deps = ctx.spec.dependencies
    if not any(d.kind is DependencyKind.model for d in deps):
        yield Gap(("dependencies",), "no model is listed among the dependencies")
    for i, dep in enumerate(deps):
        if dep.version is None:
            yield Gap(("dependencies", i, "version"), f"dependency '{dep.id}' has no pinned version")


@rule(
    "DEP-002",
    "Every dependency says what its failure does and what happens meanwhile",
    severity="error",
    from_stage=SOR,
    dimension=DIM,
    rationale="Knowing what breaks when a dependency fails, and the fallback, is launch readiness and exit planning.",
    source="SRE launch checklist: dependencies and failure impact; NIST AI RMF GOVERN 6.2",
)
def _dependency_failure(ctx: RuleContext) -> Outcomes:
    if not ctx.spec.dependencies:
        yield NO_DEPENDENCIES
    for i, dep in enumerate(ctx.spec.dependencies):
        if dep.failure_impact is None:
            yield Gap(("dependencies", i, "failure_impact"), f"dependency '{dep.id}' has no failure impact")
        if dep.fallback is None:
            yield Gap(("dependencies", i, "fallback"), f"dependency '{dep.id}' has no fallback")


@rule(
    "EXIT-001",
    "An exit plan lists the artifacts the buyer keeps",
    severity="error",
    from_stage=LR,
    dimension=DIM,
    rationale="Credible future ownership starts with knowing which artifacts remain the buyer's.",
    source="000 · exit readiness: what artifacts and operating knowledge remain portable?",
)
def _exit_plan(ctx: RuleContext) -> Outcomes:
    exit_plan = ctx.spec.exit
    if exit_plan is None:
        yield Gap(("exit",), "no exit plan")
    elif not any(a.owned_by_buyer for a in exit_plan.artifacts):
        yield Gap(("exit", "artifacts"), "the exit plan lists no artifact owned by the buyer")


_ESSENTIAL = (
    ArtifactKind.spec,
    ArtifactKind.prompts,
    ArtifactKind.policies,
    ArtifactKind.evaluation_set,
    ArtifactKind.runbooks,
)


@rule(
    "EXIT-002",
    "The buyer owns the spec, prompts, policies, evaluation set and runbooks",
    severity="error",
    from_stage=SOR,
    dimension=DIM,
    rationale="These five artifacts are what another team needs to operate or rebuild the system.",
    source="004 · partner commitments: governance shipped alongside the system; DOMAIN · exit and handover",
)
def _artifacts(ctx: RuleContext) -> Outcomes:
    if ctx.spec.exit is None:
        yield NO_EXIT
        return
    owned = {a.kind for a in ctx.spec.exit.artifacts if a.owned_by_buyer}
    missing = [k.value for k in _ESSENTIAL if k not in owned]
    if missing:
        yield Gap(("exit", "artifacts"), f"the buyer does not own: {', '.join(missing)}")


@rule(
    "EXIT-003",
    "Every dependency has a replacement path",
    severity="error",
    from_stage=SOR,
    dimension=DIM,
    rationale="Dependence hidden behind an easy start becomes lock-in; each dependency says how it would be replaced.",
    source="000 · how exposed is the enterprise to platform or vendor dependence?",
)
def _replacement(ctx: RuleContext) -> Outcomes:
    if not ctx.spec.dependencies:
        yield NO_DEPENDENCIES
    for i, dep in enumerate(ctx.spec.dependencies):
        if dep.replacement is None:
            yield Gap(("dependencies", i, "replacement"), f"dependency '{dep.id}' has no replacement path")


@rule(
    "EXIT-004",
    "A dated handover to the buyer's team falls within the policy window (default: 12 months)",
    severity="error",
    from_stage=SOR,
    dimension=DIM,
    rationale="A written handover plan to the buyer's team by month twelve is what a serious partner commits to.",
    source="004 · named on-call from the partner's team, with a written handover plan to your team by month twelve",
)
def _handover(ctx: RuleContext) -> Outcomes:
    if ctx.spec.exit is None:
        yield NO_EXIT
        return
    handover = ctx.spec.exit.handover
    if handover is None:
        yield Gap(("exit", "handover"), "no dated handover to the buyer's team")
        return
    released = release_date(ctx.spec)
    months = ctx.thresholds.handover_within_months
    if released is None:
        yield Gap(
            ("change_control", "changelog"),
            "no release date to measure the handover window from: record releases in the changelog",
        )
    elif handover.date > add_months(released, months):
        yield Gap(
            ("exit", "handover", "date"),
            f"the handover is planned for {handover.date}, more than {months} months after the release on {released}",
        )


@rule(
    "EXIT-005",
    "What a transition to another partner would take is written down",
    severity="warning",
    from_stage=SOR,
    dimension=DIM,
    rationale="How hard a change of partner would be is part of the buying decision, not a surprise at renewal.",
    source="000 · how difficult would transition be if the buyer changed partners later?",
)
def _transition(ctx: RuleContext) -> Outcomes:
    if ctx.spec.exit is None:
        yield NO_EXIT
    elif ctx.spec.exit.transition_estimate is None and ctx.spec.exit.transition_notes is None:
        yield Gap(("exit", "transition_estimate"), "no estimate of what a transition to another partner would take")


@rule(
    "EXIT-006",
    "A decommissioning plan exists",
    severity="error",
    from_stage=SOR,
    dimension=DIM,
    rationale="Retiring a system of record keeps its records and stops its effects in a known way.",
    source="NIST AI RMF GOVERN 1.7: decommissioning; EU AI Act Annex IV 6",
)
def _decommissioning(ctx: RuleContext) -> Outcomes:
    if ctx.spec.exit is None:
        yield NO_EXIT
    elif ctx.spec.exit.decommissioning is None:
        yield Gap(("exit", "decommissioning"), "no decommissioning plan")
