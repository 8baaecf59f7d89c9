"""Rules on runtime verification: kill switch, rollback, staged rollout, controls, monitoring."""

from __future__ import annotations

from collections.abc import Iterator

from specgen.rules import facts
from specgen.rules.context import Gap, NotApplicable, RuleContext
from specgen.rules.registry import rule
from specgen.spec.schema import ControlKind, DependencyKind, RolloutStrategy, SignalKind, Stage

Outcomes = Iterator[Gap | NotApplicable]
LR, SOR = Stage.limited_rollout, Stage.system_of_record
DIM = "runtime_verification"


@rule(
    "RUN-001",
    "A kill switch with a named owner can stop the AI",
    severity="error",
    from_stage=LR,
    dimension=DIM,
    rationale="A human must be able to interrupt the system at once; someone named is allowed to pull the switch.",
    source="EU AI Act Art. 14(4)(e); NIST AI RMF MANAGE 2.4",
)
def _kill_switch(ctx: RuleContext) -> Outcomes:
    runtime = ctx.spec.runtime
    switch = runtime.kill_switch if runtime else None
    if switch is None:
        yield Gap(("runtime", "kill_switch"), "no kill switch: say how a human stops the AI and who may do it")
    elif ctx.holder(switch.owner) is None:
        yield Gap(("runtime", "kill_switch", "owner"), f"the kill-switch owner role '{switch.owner}' has no holder")


@rule(
    "RUN-002",
    "The kill switch has been tested",
    severity="error",
    from_stage=SOR,
    dimension=DIM,
    rationale="A kill switch nobody has pulled is a hope; the date it was last tested is recorded.",
    source="EU AI Act Art. 14(4)(e); DOMAIN · a kill switch with an owner and when it was last tested",
)
def _kill_switch_tested(ctx: RuleContext) -> Outcomes:
    runtime = ctx.spec.runtime
    switch = runtime.kill_switch if runtime else None
    if switch is None:
        yield NotApplicable("there is no kill switch (RUN-001 asks for one)")
    elif switch.last_tested is None:
        yield Gap(("runtime", "kill_switch", "last_tested"), "the kill switch has no date it was last tested")
    elif ctx.today is not None and switch.last_tested > ctx.today:
        ahead = facts.dated_ahead("the kill switch", "tested", switch.last_tested, ctx.today)
        yield Gap(("runtime", "kill_switch", "last_tested"), ahead)


@rule(
    "RUN-003",
    "Rolling back to the previous model or prompt version is written down",
    severity="error",
    from_stage=LR,
    dimension=DIM,
    rationale="When a release degrades quality the way back must be known before it is needed.",
    source="002 · rollback capabilities to previous model versions; 001 · rollout control",
)
def _rollback(ctx: RuleContext) -> Outcomes:
    runtime = ctx.spec.runtime
    rollout = runtime.rollout if runtime else None
    if rollout is None or rollout.rollback is None:
        yield Gap(("runtime", "rollout", "rollback"), "no rollback to the previous model or prompt version")


@rule(
    "RUN-004",
    "New versions reach users in stages",
    severity="error",
    from_stage=SOR,
    dimension=DIM,
    rationale="A canary, shadow or staged release limits how many cases a bad version touches.",
    source="002 · canary deployments for model updates; DOMAIN · canary or staged rollout",
)
def _staged_rollout(ctx: RuleContext) -> Outcomes:
    runtime = ctx.spec.runtime
    rollout = runtime.rollout if runtime else None
    if rollout is None:
        yield Gap(("runtime", "rollout"), "no rollout strategy")
    elif rollout.strategy is RolloutStrategy.big_bang:
        yield Gap(("runtime", "rollout", "strategy"), "big_bang rollout: every user gets a new version at once")


@rule(
    "RUN-005",
    "The workflow degrades to a manual process",
    severity="error",
    from_stage=LR,
    dimension=DIM,
    rationale="When the AI is stopped or down, the business process continues by hand, as designed.",
    source="002 · graceful degradation to manual processes; 001 · fallback paths",
)
def _degradation(ctx: RuleContext) -> Outcomes:
    runtime = ctx.spec.runtime
    if runtime is None or runtime.degradation is None:
        yield Gap(("runtime", "degradation"), "no manual process the workflow degrades to")


@rule(
    "RUN-006",
    "Every runtime control has an owner and a runbook",
    severity="error",
    from_stage=SOR,
    dimension=DIM,
    rationale="When a control trips, someone owns it and a runbook says what to do.",
    source="001 · runtime controls; GitLab alert playbooks",
)
def _controls_owned(ctx: RuleContext) -> Outcomes:
    if not ctx.spec.controls:
        yield NotApplicable("there are no runtime controls (DEC-007 and GOV-002 ask for them)")
    for i, control in enumerate(ctx.spec.controls):
        if control.owner is None:
            yield Gap(("runtime", "controls", i, "owner"), f"control '{control.id}' has no owner")
        if control.runbook is None:
            yield Gap(("runtime", "controls", i, "runbook"), f"control '{control.id}' has no runbook")


@rule(
    "RUN-007",
    "Every runtime control has been tested",
    severity="warning",
    from_stage=SOR,
    dimension=DIM,
    rationale="Verification that is assumed rather than exercised fails when conditions get messy.",
    source="000 · is verification inspectable, or mostly assumed?; 002 · tested rollback procedures",
)
def _controls_tested(ctx: RuleContext) -> Outcomes:
    if not ctx.spec.controls:
        yield NotApplicable("there are no runtime controls (DEC-007 and GOV-002 ask for them)")
    for i, control in enumerate(ctx.spec.controls):
        if control.tested is None:
            yield Gap(("runtime", "controls", i, "tested"), f"control '{control.id}' has no date it was last tested")
        elif ctx.today is not None and control.tested > ctx.today:
            ahead = facts.dated_ahead(f"control '{control.id}'", "tested", control.tested, ctx.today)
            yield Gap(("runtime", "controls", i, "tested"), ahead)


_EXTERNAL = (DependencyKind.api, DependencyKind.service)


@rule(
    "RUN-008",
    "External APIs are guarded by a circuit breaker or retries",
    severity="warning",
    from_stage=SOR,
    dimension=DIM,
    rationale="A failing API must not cascade into the workflow; a breaker or bounded retries contain it.",
    source="002 · fault tolerance: circuit breakers, retries with exponential backoff",
)
def _circuit_breaker(ctx: RuleContext) -> Outcomes:
    external = [d for d in ctx.spec.dependencies if d.kind in _EXTERNAL]
    if not external:
        yield NotApplicable("no API or service dependency is listed")
    elif not any(c.kind in (ControlKind.circuit_breaker, ControlKind.retry) for c in ctx.spec.controls):
        names = ", ".join(d.id for d in external)
        yield Gap(("runtime", "controls"), f"no circuit_breaker or retry control guards the external APIs ({names})")


@rule(
    "OBS-001",
    "At least one alert pages on-call",
    severity="error",
    from_stage=LR,
    dimension=DIM,
    rationale="If quality degrades, someone must know within hours without watching a dashboard.",
    source="004 · will you know, within hours, if quality degrades?; 002 · real-time monitoring with alerts",
)
def _paging(ctx: RuleContext) -> Outcomes:
    if not ctx.spec.signals:
        yield Gap(("observability", "signals"), "nothing is monitored")
    elif not any(s.pages for s in ctx.spec.signals):
        yield Gap(("observability", "signals"), "no monitored signal pages on-call")


_COVERAGE = {
    "drift": (SignalKind.drift,),
    "failure or override rate": (SignalKind.failure_rate, SignalKind.override_rate),
    "latency": (SignalKind.latency,),
}


@rule(
    "OBS-002",
    "Monitoring covers drift, failure or override rate, and latency",
    severity="error",
    from_stage=SOR,
    dimension=DIM,
    rationale="A system of record is watched for quality drift, for humans disagreeing with it, and for speed.",
    source="002 · observability beyond basic monitoring; 003 · failure rates, latency, override behaviour",
)
def _signal_coverage(ctx: RuleContext) -> Outcomes:
    kinds = {s.kind for s in ctx.spec.signals}
    missing = [name for name, wanted in _COVERAGE.items() if not kinds.intersection(wanted)]
    if missing:
        yield Gap(("observability", "signals"), f"no monitored signal for: {', '.join(missing)}")


@rule(
    "OBS-003",
    "Business impact or cost is monitored",
    severity="warning",
    from_stage=SOR,
    dimension=DIM,
    rationale="Technical health is not enough: the programme is defended by its effect on the business and its cost.",
    source="003 · downstream business impact; 004 · is the cost per task sustainable at volume?",
)
def _business_signal(ctx: RuleContext) -> Outcomes:
    kinds = {s.kind for s in ctx.spec.signals}
    if not kinds.intersection({SignalKind.business_impact, SignalKind.cost}):
        yield Gap(("observability", "signals"), "no business_impact or cost signal is monitored")
