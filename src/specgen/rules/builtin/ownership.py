"""Rules on workflow ownership: owners, intent and scope, the scorecard, design records."""

from __future__ import annotations

from collections.abc import Iterator

from specgen.rules import facts
from specgen.rules.context import Gap, NotApplicable, RuleContext
from specgen.rules.registry import rule
from specgen.spec.schema import DecisionStatus, SignoffArea, Stage

Outcomes = Iterator[Gap | NotApplicable]
EXP, LR, SOR = Stage.experimentation, Stage.limited_rollout, Stage.system_of_record
DIM = "workflow_ownership"

_OWNER_FIELDS = {
    "business_owner": "business outcome owner",
    "technical_owner": "technical performance owner",
    "adoption_owner": "process adoption owner",
}


def _holder_gap(ctx: RuleContext, path: tuple[str | int, ...], role_id: str, what: str) -> Gap | None:
    """A gap when ``role_id`` is not held by a named person."""
    if role_id not in ctx.roles:
        return Gap(path, f"the {what} role '{role_id}' is not defined, so no named person holds it")
    if ctx.holder(role_id) is None:
        return Gap(path, f"the {what} role '{role_id}' has no named holder: set its 'holder' to a person id")
    return None


@rule(
    "OWN-001",
    "One accountable owner, held by a named person",
    severity="error",
    from_stage=EXP,
    dimension=DIM,
    rationale="A workflow owned by everyone is owned by no one: one role answers for it and a named person holds it.",
    source="004 · invariant 7: named owners, not a committee; Backstage spec.owner: exactly one owner",
)
def _accountable_owner(ctx: RuleContext) -> Outcomes:
    gap = _holder_gap(ctx, ("ownership", "accountable"), ctx.spec.ownership.accountable, "accountable")
    if gap:
        yield gap


@rule(
    "OWN-002",
    "Business, technical and adoption owners are named",
    severity="error",
    from_stage=LR,
    dimension=DIM,
    rationale="Business outcome, technical performance and adoption fail in different ways; each needs an owner.",
    source="003 · structured ownership: three kinds of owner; 000 · workflow ownership",
)
def _three_owners(ctx: RuleContext) -> Outcomes:
    for name, what in _OWNER_FIELDS.items():
        if getattr(ctx.spec.ownership, name) is None:
            yield Gap(("ownership", name), f"no {what} is named ('ownership.{name}')")


@rule(
    "OWN-003",
    "Every owner role is held by a named person",
    severity="error",
    from_stage=LR,
    dimension=DIM,
    rationale="A role nobody holds is a committee in disguise: pages, approvals and escalations need a person.",
    source="003 · someone must own business outcomes, technical performance and adoption; 004 · invariant 7",
)
def _owners_held(ctx: RuleContext) -> Outcomes:
    fields = {**_OWNER_FIELDS, "sponsor": "sponsor"}
    named = [(name, what, getattr(ctx.spec.ownership, name)) for name, what in fields.items()]
    named = [(n, w, r) for n, w, r in named if r is not None]
    if not named:
        yield NotApplicable("no owner roles besides the accountable one are named (OWN-002 asks for them)")
        return
    for name, what, role_id in named:
        gap = _holder_gap(ctx, ("ownership", name), role_id, what)
        if gap:
            yield gap


@rule(
    "OWN-004",
    "Each activity in the RACI has a Responsible role",
    severity="warning",
    from_stage=SOR,
    dimension=DIM,
    rationale="One Accountable and at least one Responsible per activity, so operating work is done, not just owned.",
    source="DOMAIN · RACI convention; 001 · ownership layer",
)
def _raci(ctx: RuleContext) -> Outcomes:
    raci = ctx.spec.ownership.raci
    if not raci:
        yield Gap(
            ("ownership", "raci"),
            "no RACI matrix: list the operating activities (answer pages, approve changes...) with who does them",
        )
    for i, entry in enumerate(raci):
        if not entry.responsible:
            yield Gap(("ownership", "raci", i, "responsible"), f"no role is responsible for '{entry.activity}'")


@rule(
    "INT-001",
    "Scope names its users and what is out of scope",
    severity="error",
    from_stage=LR,
    dimension=DIM,
    rationale="Users and out-of-scope uses bound what the system may be relied on for once it leaves the pilot team.",
    source="Model Cards · intended use and out-of-scope uses; EU AI Act Annex IV 1; 004 · workflow intent",
)
def _scope(ctx: RuleContext) -> Outcomes:
    intent = ctx.spec.intent
    if not intent.users:
        yield Gap(("intent", "users"), "the users of the outputs are not listed")
    if not intent.out_of_scope:
        yield Gap(("intent", "out_of_scope"), "nothing is listed as out of scope")


@rule(
    "INT-002",
    "Known limitations are stated",
    severity="warning",
    from_stage=SOR,
    dimension=DIM,
    rationale="Users of a system of record must know where its outputs are less reliable.",
    source="Model Cards · limitations; EU AI Act Annex IV 1",
)
def _limitations(ctx: RuleContext) -> Outcomes:
    if not ctx.spec.intent.known_limitations:
        yield Gap(("intent", "known_limitations"), "no known limitations are stated")


@rule(
    "INT-003",
    "Automation or agent is a reasoned choice",
    severity="warning",
    from_stage=LR,
    dimension=DIM,
    rationale="Whether the path is known in advance decides cost and evaluation effort; a wrong choice fails quietly.",
    source="004 · agent vs automation: the decision that breaks most programmes",
)
def _path_choice(ctx: RuleContext) -> Outcomes:
    intent = ctx.spec.intent
    if intent.path is None:
        yield Gap(("intent", "path"), "the spec does not say whether the workflow is an automation, an agent or hybrid")
    if intent.path_rationale is None:
        yield Gap(("intent", "path_rationale"), "the choice between automation and agent is not explained")


@rule(
    "INT-004",
    "The systems it is integrated into are listed",
    severity="warning",
    from_stage=SOR,
    dimension=DIM,
    rationale="A system of record works inside the CRM, ERP or ticketing tools people use; unlisted ones go unowned.",
    source="003 · integration matters more than model selection",
)
def _integrations(ctx: RuleContext) -> Outcomes:
    if not ctx.spec.integrations:
        yield Gap(("integrations",), "no integrations are listed (CRM, ERP, ticketing, core systems...)")


@rule(
    "SCORE-001",
    "The outcome metric has a baseline and a target",
    severity="error",
    from_stage=LR,
    dimension=DIM,
    rationale="Without a number to move from and to, nobody can say whether the programme works.",
    source="004 · invariant 2: a scorecard agreed on day one; diagnostic question 1",
)
def _metric(ctx: RuleContext) -> Outcomes:
    yield from facts.metric_has_baseline_and_target(ctx).outcomes()


@rule(
    "SCORE-002",
    "There is a written stop condition",
    severity="error",
    from_stage=LR,
    dimension=DIM,
    rationale="The strongest sign a programme is managed, not hoped for: when it would be rescoped or halted.",
    source="004 · invariant 2 and diagnostic question 6: a written stop condition",
)
def _stop_condition(ctx: RuleContext) -> Outcomes:
    yield from facts.stop_condition(ctx).outcomes()


@rule(
    "SCORE-003",
    "The scorecard has a review cadence",
    severity="warning",
    from_stage=LR,
    dimension=DIM,
    rationale="A scorecard nobody reviews on a schedule does not steer the programme.",
    source="004 · invariant 2: baseline, target, review cadence and stop condition",
)
def _score_cadence(ctx: RuleContext) -> Outcomes:
    card = ctx.spec.scorecard
    if card is None:
        yield NotApplicable("there is no scorecard (SCORE-001 asks for one)")
    elif card.review_cadence is None:
        yield Gap(("scorecard", "review_cadence"), "the scorecard has no review cadence")


@rule(
    "SCORE-004",
    "The scorecard is signed by the sponsor and the finance partner",
    severity="error",
    from_stage=SOR,
    dimension=DIM,
    rationale="The scorecard is what defends the programme at budget time; the people who defend it sign it.",
    source="004 · invariant 2: signed by the programme sponsor and the finance partner",
)
def _score_signed(ctx: RuleContext) -> Outcomes:
    card = ctx.spec.scorecard
    if card is None:
        yield NotApplicable("there is no scorecard (SCORE-001 asks for one)")
        return
    signed = {s.role for s in card.signed_by}
    sponsor = ctx.spec.ownership.sponsor
    if sponsor is None:
        yield Gap(("ownership", "sponsor"), "no sponsor is named, so nobody signs the scorecard for the business")
    elif sponsor not in signed:
        yield Gap(("scorecard", "signed_by"), f"the sponsor '{sponsor}' has not signed the scorecard")
    finance = [p.role for p in ctx.spec.signoff if p.area is SignoffArea.finance]
    if not finance:
        yield Gap(("signoff",), "no finance role in 'signoff', so nobody signs the scorecard for finance")
    elif not signed.intersection(finance):
        yield Gap(("scorecard", "signed_by"), f"the finance partner '{finance[0]}' has not signed the scorecard")


@rule(
    "SCORE-005",
    "A unit cost per transaction is known",
    severity="error",
    from_stage=SOR,
    dimension=DIM,
    rationale="A cost per task tells whether the system is sustainable at volume and defends it at budget time.",
    source="004 · diagnostic question 7; production-readiness definition: unit-cost tracking",
)
def _unit_cost(ctx: RuleContext) -> Outcomes:
    yield from facts.unit_cost(ctx).outcomes()


@rule(
    "ADR-001",
    "Key design choices are recorded as decision records",
    severity="warning",
    from_stage=SOR,
    dimension=DIM,
    rationale=(
        "Buyers ask why agent or automation, where it runs, which model; a record that gives the options and"
        " the reason answers without the builders."
    ),
    source="MADR decision records; 004 · agent vs automation, where the system runs",
)
def _decision_records(ctx: RuleContext) -> Outcomes:
    records = ctx.spec.decision_records
    if not any(r.status is DecisionStatus.accepted for r in records):
        yield Gap(("decision_records",), "no accepted decision record (agent or automation, hosting, model choice)")
    for i, record in enumerate(records):
        if record.status is DecisionStatus.accepted and len(record.options) < 2:
            yield Gap(
                ("decision_records", i, "options"),
                f"decision record '{record.id}' lists fewer than two options considered",
            )
        if record.status is DecisionStatus.accepted and record.because is None:
            yield Gap(
                ("decision_records", i, "because"),
                f"decision record '{record.id}' says what was chosen but not why (because)",
            )
