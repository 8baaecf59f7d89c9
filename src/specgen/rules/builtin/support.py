"""Rules on operating support: on-call, operating rhythm, runbooks."""

from __future__ import annotations

from collections.abc import Iterator

from specgen.rules import facts
from specgen.rules.context import Gap, NotApplicable, RuleContext
from specgen.rules.registry import rule
from specgen.spec.schema import Stage

Outcomes = Iterator[Gap | NotApplicable]
LR, SOR = Stage.limited_rollout, Stage.system_of_record
DIM = "operating_support"
ON_CALL = ("ownership", "on_call")
NO_ROTATION = NotApplicable("there is no on-call rotation (OPS-001 asks for one)")
NO_RUNBOOKS = NotApplicable("there are no runbooks (OPS-005 asks for them)")


@rule(
    "OPS-001",
    "An on-call rotation with a response target answers pages",
    severity="error",
    from_stage=LR,
    dimension=DIM,
    rationale="Something will go wrong at 3 a.m. on a Tuesday; a rotation of named people answers within a target.",
    source="004 · invariant 7: an operating model with named owners; 'what happens at 3 a.m.'",
)
def _on_call(ctx: RuleContext) -> Outcomes:
    on_call = ctx.spec.ownership.on_call
    if on_call is None or not on_call.rotation:
        yield Gap((*ON_CALL, "rotation"), "no on-call rotation")
        return
    if len(on_call.rotation) < 2:
        yield Gap((*ON_CALL, "rotation"), "the on-call rotation has one person; nobody covers when they are away")
    if on_call.response_target is None:
        yield Gap((*ON_CALL, "response_target"), "the on-call rotation has no response target")


@rule(
    "OPS-002",
    "The on-call rotation includes people who built the system",
    severity="error",
    from_stage=LR,
    dimension=DIM,
    rationale="The people who built it know how it fails; they answer pages while operating knowledge is handed over.",
    source="004 · invariant 7 and diagnostic question 8: on-call staffed by the people who built the system",
)
def _builders_on_call(ctx: RuleContext) -> Outcomes:
    yield from facts.builders_on_call(ctx).outcomes()


@rule(
    "OPS-003",
    "The on-call rotation includes the buyer's own staff",
    severity="error",
    from_stage=SOR,
    dimension=DIM,
    rationale="Support that only the vendor's team can give depends on the original builders staying close.",
    source="000 · operating support: does the support model depend too heavily on the original builders?",
)
def _buyer_on_call(ctx: RuleContext) -> Outcomes:
    vendor = ctx.project.vendor
    on_call = ctx.spec.ownership.on_call
    if vendor is None:
        yield NotApplicable("the project file names no vendor, so every person is the buyer's own")
        return
    if on_call is None or not on_call.rotation:
        yield NO_ROTATION
        return
    people = [ctx.people.get(pid) for pid in on_call.rotation]
    if all(p is not None and p.organisation == vendor for p in people):
        yield Gap((*ON_CALL, "rotation"), f"everyone on the on-call rotation works for the vendor ({vendor})")


@rule(
    "OPS-004",
    "An operating rhythm reviews evaluations, regressions and the model",
    severity="warning",
    from_stage=LR,
    dimension=DIM,
    rationale="Weekly evaluation review, monthly regression work and a quarterly refresh keep quality from decaying.",
    source="004 · invariant 7: weekly evaluation review, monthly regression work, quarterly model refresh",
)
def _rhythm(ctx: RuleContext) -> Outcomes:
    rhythm = ctx.spec.ownership.review_rhythm
    path = ("ownership", "review_rhythm")
    if rhythm is None:
        yield Gap(path, "no operating rhythm (evaluation review, regression review, model refresh)")
        return
    missing = [n for n in ("evaluation_review", "regression_review", "model_refresh") if getattr(rhythm, n) is None]
    if missing:
        yield Gap((*path, missing[0]), f"the operating rhythm has no {', '.join(missing)}")


@rule(
    "OPS-005",
    "Incident runbooks exist",
    severity="error",
    from_stage=LR,
    dimension=DIM,
    rationale="Incident handling written down is what lets someone other than the builders respond.",
    source="004 · invariant 1: a runbook in the production-readiness definition; 001 · post-launch operations",
)
def _runbooks_exist(ctx: RuleContext) -> Outcomes:
    if not ctx.spec.runbooks:
        yield Gap(("runbooks",), "no runbooks")


@rule(
    "OPS-006",
    "Every paging alert leads to a runbook",
    severity="error",
    from_stage=LR,
    dimension=DIM,
    rationale="Whoever is paged at night needs to know what the alert means and what to do next.",
    source="GitLab alert playbooks: every paging alert maps to a runbook; 001 · incident handling",
)
def _paging_runbooks(ctx: RuleContext) -> Outcomes:
    paging = [(i, s) for i, s in enumerate(ctx.spec.signals) if s.pages]
    if not paging:
        yield NotApplicable("no signal pages on-call (OBS-001 asks for one)")
        return
    linked = {sig for rb in ctx.spec.runbooks for sig in rb.signals}
    for i, signal in paging:
        if signal.runbook is None and signal.id not in linked:
            yield Gap(("observability", "signals", i, "runbook"), f"paging signal '{signal.id}' leads to no runbook")


@rule(
    "RB-001",
    "Every runbook has a rollback step and an escalation contact",
    severity="error",
    from_stage=LR,
    dimension=DIM,
    rationale="At 3 a.m. the responder needs a way back and someone to call when the steps do not work.",
    source="001 · incident handling; GitLab alert playbooks: rollback and escalation",
)
def _runbook_basics(ctx: RuleContext) -> Outcomes:
    if not ctx.spec.runbooks:
        yield NO_RUNBOOKS
    for i, book in enumerate(ctx.spec.runbooks):
        if not book.rollback:
            yield Gap(("runbooks", i, "rollback"), f"runbook '{book.id}' has no rollback step")
        if not book.escalation:
            yield Gap(("runbooks", i, "escalation"), f"runbook '{book.id}' has no escalation contact")


@rule(
    "RB-002",
    "Every runbook has diagnosis and mitigation steps and a response target",
    severity="error",
    from_stage=SOR,
    dimension=DIM,
    rationale="A runbook usable by someone who did not build the system says how to diagnose, mitigate and by when.",
    source="GitLab alert playbooks; DOMAIN · runbooks: diagnosis, mitigation, response target",
)
def _runbook_steps(ctx: RuleContext) -> Outcomes:
    if not ctx.spec.runbooks:
        yield NO_RUNBOOKS
    for i, book in enumerate(ctx.spec.runbooks):
        if not book.diagnosis:
            yield Gap(("runbooks", i, "diagnosis"), f"runbook '{book.id}' has no diagnosis steps")
        if not book.mitigation:
            yield Gap(("runbooks", i, "mitigation"), f"runbook '{book.id}' has no mitigation steps")
        if book.response_target is None:
            yield Gap(("runbooks", i, "response_target"), f"runbook '{book.id}' has no response target")


@rule(
    "RB-003",
    "Every runbook says how to verify recovery and when it was last exercised",
    severity="warning",
    from_stage=SOR,
    dimension=DIM,
    rationale="A runbook nobody has exercised, with no test of recovery, is untested operating knowledge.",
    source="GitLab alert playbooks: verification and last exercised",
)
def _runbook_exercised(ctx: RuleContext) -> Outcomes:
    if not ctx.spec.runbooks:
        yield NO_RUNBOOKS
    for i, book in enumerate(ctx.spec.runbooks):
        if not book.verify:
            yield Gap(("runbooks", i, "verify"), f"runbook '{book.id}' does not say how to verify recovery")
        if book.last_exercised is None:
            yield Gap(("runbooks", i, "last_exercised"), f"runbook '{book.id}' has never been exercised")
        elif ctx.today is not None and book.last_exercised > ctx.today:
            ahead = facts.dated_ahead(f"runbook '{book.id}'", "exercised", book.last_exercised, ctx.today)
            yield Gap(("runbooks", i, "last_exercised"), ahead)
