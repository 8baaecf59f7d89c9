"""Clauses on what is bought: the scope and stage, and the scorecard with its stop condition."""

from __future__ import annotations

from specgen.sow.context import Context, label_of, make_clause, number_text
from specgen.sow.model import NOT_STATED, Clause, Criterion
from specgen.spec.schema import Autonomy, DecisionRecord, IntegrationAccess

__all__ = ["scope", "scorecard"]

_AUTONOMY_WORDS = {
    Autonomy.ai_alone: "the AI decides alone",
    Autonomy.human_approves: "the AI proposes and a named human approves",
    Autonomy.human_decides: "a human decides and the AI assists",
}


_ACCESS_WORDS = {
    IntegrationAccess.read: "read only",
    IntegrationAccess.write: "write only",
    IntegrationAccess.read_write: "read and write",
}


def _sentence(text: str) -> str:
    return text if text.endswith((".", "!", "?")) else f"{text}."


def _decision_record(record: DecisionRecord) -> str:
    """A MADR record in a few sentences: context, drivers, the chosen option and why."""
    parts = [f"Decision record {record.id}: {record.title} ({record.status.value}, {record.date.isoformat()})."]
    if record.context:
        parts.append(_sentence(f"Context: {record.context}"))
    if record.drivers:
        parts.append(_sentence(f"Decision drivers: {'; '.join(record.drivers)}"))
    if record.because:
        parts.append(_sentence(f"Chosen option: {record.choice}, because {record.because}"))
    else:
        parts.append(_sentence(f"Chosen option: {record.choice}") + " The record does not say why.")
    return " ".join(parts)


def scope(ctx: Context, number: int) -> Clause:
    spec = ctx.spec
    intent = spec.intent
    criteria = [
        Criterion(
            f"The workflow is accepted at stage '{spec.stage.label}': every requirement of this stage "
            "and of the stages below it holds.",
            spec.stage.label,
        )
    ]
    if spec.consequence:
        criteria.append(Criterion("What an error costs (consequence level).", spec.consequence.value))
    if intent.business_process:
        criteria.append(Criterion(f"Business process served: {intent.business_process}.", "in scope"))
    criteria += [Criterion(f"In scope: {item}", "in scope") for item in intent.in_scope]
    criteria += [Criterion(f"Out of scope: {item}", "excluded") for item in intent.out_of_scope]
    for decision in spec.decisions:
        parts = [f"Decision '{decision.title}': {_AUTONOMY_WORDS[decision.autonomy]}"]
        if decision.approver:
            parts.append(f"approved by {ctx.who(decision.approver)}")
        if decision.escalation:
            within = f" within {decision.escalation.within}" if decision.escalation.within else ""
            parts.append(f"escalated to {ctx.who(decision.escalation.to)}{within}")
        if decision.fallback:
            parts.append(f"fallback: {decision.fallback}")
        measure = label_of(decision.autonomy)
        if decision.confidence_threshold is not None:
            measure += f"; acts only at confidence ≥ {number_text(decision.confidence_threshold)}"
        criteria.append(Criterion("; ".join(parts) + ".", measure))
    criteria += [
        Criterion(f"Integrated with {i.system} ({i.kind}).", _ACCESS_WORDS[i.access]) for i in spec.integrations
    ]
    open_items = []
    if not intent.in_scope:
        open_items.append("What is in scope is not listed.")
    if not intent.out_of_scope:
        open_items.append("What the system must not be used for (out of scope) is not listed.")
    if not spec.decisions:
        open_items.append("No decision boundaries are defined: what the AI may decide alone is to be agreed.")
    evidence = [f"The spec '{spec.id}' at version {spec.version}, content fingerprint {ctx.fingerprint}."]
    evidence += [_decision_record(r) for r in spec.decision_records]
    return make_clause(
        number,
        "Scope and stage",
        intent.objective,
        criteria=criteria,
        evidence=evidence,
        responsible=ctx.who(spec.ownership.accountable),
        open_items=open_items,
    )


def scorecard(ctx: Context, number: int) -> Clause:
    spec = ctx.spec
    card = spec.scorecard
    title = "Scorecard and stop condition"
    statement = (
        "The programme's outcome in one number, with a baseline, a target, a review cadence and a written "
        "stop condition, signed by the business sponsor and the finance partner."
    )
    responsible = ctx.first_owner(spec.ownership.sponsor, spec.ownership.business_owner)
    if card is None:
        return make_clause(
            number,
            title,
            statement,
            responsible=responsible,
            open_items=[
                "No scorecard is defined: the outcome metric, baseline, target, review cadence and stop "
                "condition are to be agreed and signed by the sponsor and finance before build."
            ],
        )
    metric = card.metric
    better = "lower is better" if metric.direction.value == "decrease" else "higher is better"
    baseline = f"{number_text(metric.baseline)} {metric.unit}" if metric.baseline is not None else NOT_STATED
    target = f"{number_text(metric.target)} {metric.unit}" if metric.target is not None else NOT_STATED
    criteria = [Criterion(f"Outcome metric: {metric.name} ({better}).", f"baseline {baseline} → target {target}")]
    open_items = []
    if metric.baseline is None:
        open_items.append("The baseline of the outcome metric is not stated.")
    if metric.target is None:
        open_items.append("The target of the outcome metric is not stated.")
    if card.review_cadence:
        criteria.append(Criterion("The scorecard is reviewed with the sponsor and finance.", card.review_cadence.value))
    else:
        open_items.append("The scorecard's review cadence is not stated.")
    if card.stop_condition:
        criteria.append(Criterion(f"Stop condition: {card.stop_condition}", "written; rescope or stop when met"))
    else:
        open_items.append("There is no written stop condition.")
    if card.unit_cost:
        cost = card.unit_cost
        criteria.append(
            Criterion(
                f"The cost of one {cost.per} is tracked.", f"{cost.currency} {number_text(cost.amount)} per {cost.per}"
            )
        )
    else:
        open_items.append("The unit cost per transaction is not stated.")
    evidence = [f"The scorecard signed by {ctx.who(s.role)} on {s.date.isoformat()}." for s in card.signed_by]
    if not card.signed_by:
        open_items.append("The scorecard is not signed by the sponsor and the finance partner.")
    cadence = card.review_cadence.value if card.review_cadence else "scheduled"
    evidence.append(f"The minutes of each {cadence} scorecard review, with the measured value.")
    return make_clause(
        number, title, statement, criteria=criteria, evidence=evidence, responsible=responsible, open_items=open_items
    )
