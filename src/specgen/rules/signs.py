"""The six signs that a buyer is still looking at a pilot (seed 000), read from a spec.

Each sign is a rule of kind ``warning_sign``: it gathers the indicators the
spec shows and, when there is at least one, yields a single finding that
names them all, at the field of the first. Signs apply from limited rollout:
experimentation may tolerate informal governance, narrow ownership, limited
support and weak runtime visibility (000).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from specgen.rules.context import Gap, NotApplicable, RuleContext
from specgen.rules.registry import rule
from specgen.spec.schema import Autonomy, ControlKind, Stage

__all__ = ["SIGN_IDS"]

Outcomes = Iterator[Gap | NotApplicable]
Indicator = tuple[tuple[str | int, ...], str]
LR = Stage.limited_rollout
KIND = "warning_sign"
SIGN_IDS = ("SIGN-001", "SIGN-002", "SIGN-003", "SIGN-004", "SIGN-005", "SIGN-006")


def _sign(indicators: Iterable[Indicator]) -> Outcomes:
    found = list(indicators)
    if found:
        yield Gap(found[0][0], "; ".join(text for _, text in found))


@rule(
    "SIGN-001",
    "The system looks good only when the core team is nearby",
    severity="warning",
    from_stage=LR,
    dimension="operating_support",
    rationale="A workflow that needs its builders watching is still supervision-dependent, not production.",
    source="000 · warning sign 1: the system looks good only when the core team is nearby",
    kind=KIND,
)
def _core_team_nearby(ctx: RuleContext) -> Outcomes:
    def indicators() -> Iterator[Indicator]:
        on_call = ctx.spec.ownership.on_call
        vendor = ctx.project.vendor
        if vendor and on_call and on_call.rotation:
            people = [ctx.people.get(pid) for pid in on_call.rotation]
            if all(p is not None and p.organisation == vendor for p in people):
                yield ("ownership", "on_call", "rotation"), f"only {vendor} people are on call"
        if not any(s.pages for s in ctx.spec.signals):
            yield ("observability", "signals"), "no alert pages anyone, so someone has to be watching"
        if ctx.spec.runtime is None or ctx.spec.runtime.degradation is None:
            yield ("runtime", "degradation"), "no manual process to fall back to"

    yield from _sign(indicators())


@rule(
    "SIGN-002",
    "Governance is described, but not designed",
    severity="warning",
    from_stage=LR,
    dimension="governance_design",
    rationale="Governance that lives in the narrative, not in the workflow, does not hold under rollout pressure.",
    source="000 · warning sign 2: governance is described, but not designed",
    kind=KIND,
)
def _governance_described(ctx: RuleContext) -> Outcomes:
    def indicators() -> Iterator[Indicator]:
        for i, control in enumerate(ctx.spec.controls):
            if control.kind is ControlKind.policy_check and control.policy is None:
                yield ("runtime", "controls", i, "policy"), f"policy check '{control.id}' has no policy-as-code"
            elif control.policy is not None and not control.policy.tested:
                yield ("runtime", "controls", i, "policy", "tested"), f"the policy of '{control.id}' is untested"
        if ctx.spec.change_control is None or not ctx.spec.change_control.rules:
            yield ("change_control",), "nobody is named to approve changes"
        for i, decision in enumerate(ctx.spec.decisions):
            if decision.autonomy is not Autonomy.ai_alone and decision.approver is None:
                yield ("decisions", i, "approver"), f"decision '{decision.id}' needs a human but names no approver"
        if not ctx.spec.conditions:
            yield ("acceptance", "conditions"), "no acceptance conditions"

    yield from _sign(indicators())


@rule(
    "SIGN-003",
    "Runtime control is vague",
    severity="warning",
    from_stage=LR,
    dimension="runtime_verification",
    rationale="If nobody can say how outputs are verified or escalated in live use, it is not production-ready.",
    source="000 · warning sign 3: runtime control is vague",
    kind=KIND,
)
def _runtime_vague(ctx: RuleContext) -> Outcomes:
    def indicators() -> Iterator[Indicator]:
        if not ctx.spec.decisions:
            yield ("decisions",), "no decision boundaries"
        for i, decision in enumerate(ctx.spec.decisions):
            if not decision.controls:
                yield ("decisions", i, "controls"), f"nothing checks decision '{decision.id}' at runtime"
            if decision.autonomy is Autonomy.ai_alone and decision.confidence_threshold is None:
                yield (
                    ("decisions", i, "confidence_threshold"),
                    f"'{decision.id}' is taken by the AI alone with no confidence threshold",
                )
            if decision.escalation is None:
                yield ("decisions", i, "escalation"), f"'{decision.id}' escalates nowhere"
        if ctx.spec.runtime is None or ctx.spec.runtime.kill_switch is None:
            yield ("runtime", "kill_switch"), "no kill switch"

    yield from _sign(indicators())


@rule(
    "SIGN-004",
    "Support is treated as a future add-on",
    severity="warning",
    from_stage=LR,
    dimension="operating_support",
    rationale="Evaluating delivery momentum instead of operating maturity works until the first serious incident.",
    source="000 · warning sign 4: support is treated as a future add-on",
    kind=KIND,
)
def _support_later(ctx: RuleContext) -> Outcomes:
    def indicators() -> Iterator[Indicator]:
        on_call = ctx.spec.ownership.on_call
        if on_call is None or not on_call.rotation:
            yield ("ownership", "on_call"), "no on-call rotation"
        elif on_call.response_target is None:
            yield ("ownership", "on_call", "response_target"), "on-call has no response target"
        if not ctx.spec.runbooks:
            yield ("runbooks",), "no runbooks"
        if ctx.spec.ownership.review_rhythm is None:
            yield ("ownership", "review_rhythm"), "no operating rhythm"

    yield from _sign(indicators())


@rule(
    "SIGN-005",
    "Ownership feels intuitive, not explicit",
    severity="warning",
    from_stage=LR,
    dimension="workflow_ownership",
    rationale="If the enterprise cannot say what it will control after launch, ownership is weaker than it sounds.",
    source="000 · warning sign 5: ownership feels intuitive, not explicit",
    kind=KIND,
)
def _ownership_intuitive(ctx: RuleContext) -> Outcomes:
    def indicators() -> Iterator[Indicator]:
        ownership = ctx.spec.ownership
        for name in ("accountable", "business_owner", "technical_owner", "adoption_owner"):
            role_id = getattr(ownership, name)
            if role_id is None:
                yield ("ownership", name), f"no {name.replace('_', ' ')}"
            elif ctx.holder(role_id) is None:
                yield ("ownership", name), f"nobody holds the {name.replace('_', ' ')} role '{role_id}'"
        if not ownership.raci:
            yield ("ownership", "raci"), "no RACI for operating activities"

    yield from _sign(indicators())


@rule(
    "SIGN-006",
    "Exit questions are deferred",
    severity="warning",
    from_stage=LR,
    dimension="exit_readiness",
    rationale="Deferring exit questions until procurement tension rises builds dependence into the decision.",
    source="000 · warning sign 6: exit questions are deferred until procurement tension rises",
    kind=KIND,
)
def _exit_deferred(ctx: RuleContext) -> Outcomes:
    def indicators() -> Iterator[Indicator]:
        exit_plan = ctx.spec.exit
        if exit_plan is None:
            yield ("exit",), "no exit plan"
        else:
            if not any(a.owned_by_buyer for a in exit_plan.artifacts):
                yield ("exit", "artifacts"), "no artifact is owned by the buyer"
            if exit_plan.handover is None:
                yield ("exit", "handover"), "no handover date"
        for i, dep in enumerate(ctx.spec.dependencies):
            if dep.replacement is None:
                yield ("dependencies", i, "replacement"), f"no replacement path for '{dep.id}'"

    yield from _sign(indicators())
