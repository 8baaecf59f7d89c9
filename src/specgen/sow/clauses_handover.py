"""Clauses on change and exit: change control, and the exit and handover plan."""

from __future__ import annotations

from specgen.sow.context import Context, join_words, label_of, make_clause
from specgen.sow.model import Clause, Criterion
from specgen.spec.schema import ChangeKind

__all__ = ["change_control", "exit_plan"]


_GOVERNED_CHANGES = (ChangeKind.prompt, ChangeKind.model, ChangeKind.policy, ChangeKind.threshold)


def change_control(ctx: Context, number: int) -> Clause:
    spec = ctx.spec
    control = spec.change_control
    rules = control.rules if control else []
    criteria = [
        Criterion(
            f"Changes to the {label_of(rule.change)} are approved by {ctx.who_all(rule.approvers)}.",
            "released only when the evaluation harness passes"
            if rule.gated_by_evaluation
            else "not gated by evaluation",
        )
        for rule in rules
    ]
    open_items = []
    ruled = {r.change for r in rules}
    missing = [label_of(k) for k in _GOVERNED_CHANGES if k not in ruled]
    if missing:
        open_items.append(f"No approval rule for changes to: {', '.join(missing)}.")
    changelog = control.changelog if control else []
    if changelog:
        latest = max(changelog, key=lambda e: e.date)
        criteria.append(
            Criterion(
                "Every released version is recorded in the change log.",
                f"{len(changelog)} versions recorded; latest {latest.version} on {latest.date.isoformat()}",
            )
        )
    else:
        open_items.append("There is no change log.")
    evidence = [
        "The change log of the spec, with one entry per released version.",
        "The approval record of each change, naming its approvers.",
    ]
    if any(r.gated_by_evaluation for r in rules):
        evidence.append("The evaluation harness result attached to each gated release.")
    return make_clause(
        number,
        "Change control",
        "Changes to prompts, models, policies and thresholds are approved by named roles and gated by the "
        "evaluation harness.",
        criteria=criteria,
        evidence=evidence,
        responsible=ctx.first_owner(spec.ownership.technical_owner),
        open_items=open_items,
    )


def exit_plan(ctx: Context, number: int) -> Clause:
    spec = ctx.spec
    plan = spec.exit
    criteria = []
    evidence = ["This handover bundle (specgen bundle), verified against its manifest (specgen verify)."]
    open_items = []
    if plan is None:
        open_items.append(
            "There is no exit plan: the artifacts the buyer keeps and the handover date are to be agreed."
        )
    else:
        for artifact in plan.artifacts:
            fmt = f", {artifact.format}" if artifact.format else ""
            owner = "owned by the buyer" if artifact.owned_by_buyer else "NOT owned by the buyer"
            where = artifact.location or "location not stated"
            criteria.append(
                Criterion(f"The buyer receives: {artifact.name} ({label_of(artifact.kind)}{fmt}).", f"{owner}; {where}")
            )
            if not artifact.owned_by_buyer:
                open_items.append(f"The buyer does not own: {artifact.name}.")
        if not plan.artifacts:
            open_items.append("The artifacts the buyer owns and can take away are not listed.")
        handover = plan.handover
        if handover:
            detail = f" {handover.plan}" if handover.plan else ""
            criteria.append(
                Criterion(
                    f"Written handover to {ctx.who(handover.to)}.{detail}",
                    f"by {handover.date.isoformat()} (policy: within {ctx.thresholds.handover_within_months} months)",
                )
            )
            criteria += [
                Criterion(f"Handover milestone: {m.name}.", m.date.isoformat() + (" (done)" if m.done else ""))
                for m in handover.milestones
            ]
            evidence.append(f"The written handover, signed by {ctx.who(handover.to)}.")
        else:
            open_items.append("There is no dated handover plan.")
        if plan.transition_estimate or plan.transition_notes:
            notes = f" {plan.transition_notes}" if plan.transition_notes else ""
            criteria.append(
                Criterion(
                    f"A transition to another partner is possible.{notes}",
                    f"at most {plan.transition_estimate}" if plan.transition_estimate else "estimate not stated",
                )
            )
        if plan.decommissioning:
            criteria.append(Criterion(f"Decommissioning: {plan.decommissioning}", "written plan"))
    for dep in spec.dependencies:
        replacement = f" Replacement: {dep.replacement}" if dep.replacement else ""
        if not dep.replacement:
            open_items.append(f"No replacement path for dependency '{dep.name}'.")
        vendor = f", {dep.vendor}" if dep.vendor else ""
        criteria.append(
            Criterion(
                f"Dependency {dep.name} ({label_of(dep.kind)}{vendor}).{replacement}",
                join_words([f"version {dep.version}" if dep.version else "", dep.licence or ""], "version not pinned"),
            )
        )
    return make_clause(
        number,
        "Exit and handover",
        "The buyer owns what it needs to run, change or replace the system, and receives a written handover on a "
        "dated plan.",
        criteria=criteria,
        evidence=evidence,
        responsible=ctx.who(spec.ownership.accountable),
        open_items=open_items,
    )
