"""Rules on decision boundaries: what the AI may do alone, who approves, escalation, fallback, overrides."""

from __future__ import annotations

from collections.abc import Iterator

from specgen.rules.context import Gap, NotApplicable, RuleContext
from specgen.rules.registry import rule
from specgen.spec.schema import Autonomy, Stage

Outcomes = Iterator[Gap | NotApplicable]
LR, SOR = Stage.limited_rollout, Stage.system_of_record
NO_DECISIONS = NotApplicable("no decisions are listed (DEC-001 asks for them)")


@rule(
    "GOV-001",
    "The consequence level is declared",
    severity="error",
    from_stage=LR,
    dimension="governance_design",
    rationale="Governance must fit what an error costs; without a consequence level nobody can judge the controls.",
    source="000 · governance design appropriate to its consequence level",
)
def _consequence(ctx: RuleContext) -> Outcomes:
    if ctx.spec.consequence is None:
        yield Gap(("consequence",), "no consequence level (low, medium, high or critical)")


@rule(
    "DEC-001",
    "The decisions the AI takes part in are listed",
    severity="error",
    from_stage=LR,
    dimension="governance_design",
    rationale="Decision boundaries are the core of the specification: what the AI may do alone and what it may not.",
    source="001 · specification layer: decision boundaries; 003 · clear rules for what the AI should handle",
)
def _decisions_listed(ctx: RuleContext) -> Outcomes:
    if not ctx.spec.decisions:
        yield Gap(("decisions",), "no decisions are listed, so nothing bounds what the AI may do alone")


@rule(
    "DEC-002",
    "Decisions needing a human name an approver held by a named person",
    severity="error",
    from_stage=LR,
    dimension="governance_design",
    rationale="Where a human must approve or decide, the spec names who, so approvals do not depend on who is nearby.",
    source="000 · where approvals live; 003 · human-in-the-loop design; EU AI Act Art. 14",
)
def _approvers(ctx: RuleContext) -> Outcomes:
    human = [(i, d) for i, d in enumerate(ctx.spec.decisions) if d.autonomy is not Autonomy.ai_alone]
    if not human:
        yield NotApplicable("no decision needs human approval")
        return
    for i, decision in human:
        if decision.approver is None:
            yield Gap(
                ("decisions", i, "approver"),
                f"decision '{decision.id}' is {decision.autonomy.value} but names no approver role",
            )
        elif ctx.holder(decision.approver) is None:
            yield Gap(
                ("decisions", i, "approver"),
                f"the approver role '{decision.approver}' of decision '{decision.id}' has no named holder",
            )


@rule(
    "DEC-003",
    "Every decision has an escalation target and a pick-up time",
    severity="error",
    from_stage=LR,
    dimension="runtime_verification",
    rationale="When the AI or the approver cannot settle a case it must go to someone named, within a stated time.",
    source="000 · runtime verification: where escalation thresholds sit; 001 · runtime controls: escalation logic",
)
def _escalation(ctx: RuleContext) -> Outcomes:
    if not ctx.spec.decisions:
        yield NO_DECISIONS
    for i, decision in enumerate(ctx.spec.decisions):
        if decision.escalation is None:
            yield Gap(("decisions", i, "escalation"), f"decision '{decision.id}' has no escalation path")
        elif decision.escalation.within is None:
            yield Gap(
                ("decisions", i, "escalation", "within"),
                f"the escalation of decision '{decision.id}' says no time within which it is picked up",
            )


@rule(
    "DEC-004",
    "Every decision has a fallback when the AI is unavailable or unsure",
    severity="error",
    from_stage=LR,
    dimension="runtime_verification",
    rationale="The work must go on when the model is down or unsure; the fallback is decided before it is needed.",
    source="003 · what happens when confidence is low; 001 · fallback conditions",
)
def _fallback(ctx: RuleContext) -> Outcomes:
    if not ctx.spec.decisions:
        yield NO_DECISIONS
    for i, decision in enumerate(ctx.spec.decisions):
        if decision.fallback is None:
            yield Gap(("decisions", i, "fallback"), f"decision '{decision.id}' has no fallback")


@rule(
    "DEC-005",
    "Decisions the AI takes alone have a confidence threshold",
    severity="error",
    from_stage=LR,
    dimension="runtime_verification",
    rationale="Below a stated confidence the AI must not act alone; otherwise uncertainty goes unnoticed.",
    source="000 · what happens when the system generates uncertainty; DOMAIN · confidence thresholds",
)
def _confidence(ctx: RuleContext) -> Outcomes:
    alone = [(i, d) for i, d in enumerate(ctx.spec.decisions) if d.autonomy is Autonomy.ai_alone]
    if not alone:
        yield NotApplicable("no decision is taken by the AI alone")
    for i, decision in alone:
        if decision.confidence_threshold is None:
            yield Gap(
                ("decisions", i, "confidence_threshold"),
                f"decision '{decision.id}' is taken by the AI alone but has no confidence threshold",
            )


@rule(
    "DEC-006",
    "Humans can override the AI, and overrides are logged",
    severity="error",
    from_stage=SOR,
    dimension="governance_design",
    rationale="The overseer can disregard, override or reverse an output, and the record shows who did and why.",
    source="EU AI Act Art. 14(4)(d); NIST AI RMF MANAGE 2.4; 003 · what happens when a user overrides",
)
def _overrides(ctx: RuleContext) -> Outcomes:
    acting = [(i, d) for i, d in enumerate(ctx.spec.decisions) if d.autonomy is not Autonomy.human_decides]
    if not acting:
        yield NotApplicable("the AI neither takes nor recommends any decision (all are human_decides)")
    for i, decision in acting:
        path = ("decisions", i, "override")
        override = decision.override
        if override is None or not override.allowed:
            yield Gap(path, f"no human may override decision '{decision.id}'")
            continue
        if not override.by:
            yield Gap((*path, "by"), f"the override of decision '{decision.id}' names no role allowed to make it")
        if not override.logged:
            yield Gap((*path, "logged"), f"overrides of decision '{decision.id}' are not logged")
        if decision.consequential and not override.reason_required:
            yield Gap(
                (*path, "reason_required"),
                f"decision '{decision.id}' is consequential but an override needs no reason",
            )


@rule(
    "DEC-007",
    "Every decision is guarded by a runtime control",
    severity="error",
    from_stage=LR,
    dimension="runtime_verification",
    rationale="A decision boundary that nothing enforces at runtime is a wish; each decision names its controls.",
    source="001 · runtime controls: policy checks and review surfaces; 000 · how outputs are checked live",
)
def _decision_controls(ctx: RuleContext) -> Outcomes:
    if not ctx.spec.decisions:
        yield NO_DECISIONS
    for i, decision in enumerate(ctx.spec.decisions):
        if not decision.controls:
            yield Gap(("decisions", i, "controls"), f"decision '{decision.id}' is guarded by no runtime control")
