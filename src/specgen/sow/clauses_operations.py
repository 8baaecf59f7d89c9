"""Clauses on running the system: runtime controls, the audit trail, runbooks and on-call."""

from __future__ import annotations

from specgen.sow.context import NOBODY, Context, join_words, label_of, make_clause
from specgen.sow.model import Clause, Criterion
from specgen.spec.schema import Cadence, Stage

__all__ = ["audit", "operations", "runtime"]


def runtime(ctx: Context, number: int) -> Clause:
    spec = ctx.spec
    runtime = spec.runtime
    criteria = []
    evidence = []
    open_items = []
    for control in spec.controls:
        text = f"{control.title} ({label_of(control.kind)})"
        text += f": {control.description}" if control.description else "."
        measure = []
        if control.threshold:
            measure.append(f"trips at: {control.threshold}")
        if control.policy:
            version = f" {control.policy.version}" if control.policy.version else ""
            measure.append(f"policy {control.policy.path}{version}" + (", tested" if control.policy.tested else ""))
            evidence.append(
                f"Policy {control.policy.path}{version} as code"
                + (" with its automated tests." if control.policy.tested else ".")
            )
            if not control.policy.tested:
                open_items.append(f"The policy behind control '{control.id}' has no automated tests.")
        if control.owner:
            measure.append(f"owner {ctx.who(control.owner)}")
        measure.append(f"last tested {control.tested.isoformat()}" if control.tested else "never tested")
        criteria.append(Criterion(text, "; ".join(measure)))
    if not spec.controls:
        open_items.append("No runtime controls are defined.")
    kill = runtime.kill_switch if runtime else None
    if kill:
        effect = f" {kill.effect}" if kill.effect else ""
        tested = f"; last tested {kill.last_tested.isoformat()}" if kill.last_tested else "; never tested"
        criteria.append(
            Criterion(
                f"A human can stop the AI with a kill switch: {kill.mechanism}.{effect}",
                f"pulled by {ctx.who(kill.owner)}{tested}",
            )
        )
        evidence.append("The record of the last kill-switch test.")
    else:
        open_items.append("There is no kill switch.")
    rollout = runtime.rollout if runtime else None
    if rollout:
        steps = join_words((f"{s.name} {s.traffic}" for s in rollout.steps), "no steps listed")
        criteria.append(Criterion(f"New versions reach users by {label_of(rollout.strategy)} rollout.", steps))
        if rollout.rollback:
            within = f"within {rollout.rollback_time}" if rollout.rollback_time else "time not stated"
            criteria.append(Criterion(f"Rollback to the previous model or prompt version: {rollout.rollback}", within))
        else:
            open_items.append("How to roll back to the previous model or prompt version is not written down.")
    else:
        open_items.append("The rollout strategy and rollback are not defined.")
    if runtime and runtime.degradation:
        criteria.append(Criterion(f"Graceful degradation: {runtime.degradation}", "manual process ready"))
    else:
        open_items.append("The manual process the workflow degrades to is not described.")
    evidence += [f"The test record of control '{c.id}' ({c.tested.isoformat()})." for c in spec.controls if c.tested]
    return make_clause(
        number,
        "Runtime controls and policy-as-code",
        "Executable, versioned and tested controls keep live behaviour within bounds, with a kill switch, "
        "a staged rollout and a rollback.",
        criteria=criteria,
        evidence=evidence,
        responsible=ctx.first_owner(spec.ownership.technical_owner),
        open_items=open_items,
    )


def audit(ctx: Context, number: int) -> Clause:
    spec = ctx.spec
    audit = spec.audit
    data = spec.data
    criteria = []
    evidence = []
    open_items = []
    if audit is None:
        open_items.append("No audit trail is defined.")
    else:
        if audit.records:
            indexed = f", indexed by {audit.indexed_by}" if audit.indexed_by else ""
            criteria.append(
                Criterion(
                    f"Every case is recorded with: {join_words(label_of(r) for r in audit.records)}.",
                    f"{len(audit.records)} fields per case{indexed}",
                )
            )
            evidence.append(
                "An extract of the audit record of a sample case"
                + (f", found by its {audit.indexed_by}." if audit.indexed_by else ".")
            )
        else:
            open_items.append("What each audit record holds is not listed.")
        if audit.retention:
            minimum = ctx.thresholds.audit_retention_min if spec.stage is Stage.system_of_record else None
            floor = f" (policy minimum {minimum})" if minimum else ""
            store = f" in {audit.store}" if audit.store else ""
            criteria.append(Criterion(f"Records are kept{store}.", f"retention {audit.retention}{floor}"))
        else:
            open_items.append("The retention period of audit records is not stated.")
        if audit.immutable:
            criteria.append(Criterion("Records are append-only and cannot be altered.", "immutable"))
        if audit.query:
            criteria.append(
                Criterion(
                    f"The audit trail is queried without writing code, with {audit.query.tool}.",
                    f"by {ctx.who_all(audit.query.who)}",
                )
            )
        else:
            open_items.append("How non-programmers query the audit trail is not stated.")
    if data:
        if data.pii_handling:
            measure = (
                f"policy {data.redaction.path}" + (f" {data.redaction.version}" if data.redaction.version else "")
                if data.redaction
                else "as described"
            )
            criteria.append(Criterion(f"Personal data: {data.pii_handling}", measure))
            if data.redaction:
                evidence.append(f"The redaction policy {data.redaction.path} with its test results.")
        for source in data.sources:
            use = f" is used only for: {source.permitted_use}" if source.permitted_use else " is used"
            pii = ", personal data" if source.contains_pii else ""
            criteria.append(Criterion(f"Data source '{source.name}'{use}.", f"{source.classification.value}{pii}"))
        if data.residency:
            criteria.append(Criterion(f"Data residency: {data.residency}", "enforced"))
    return make_clause(
        number,
        "Audit trail and data protection",
        "Every case can be reconstructed from its record: inputs, outputs, versions, policy evaluations and approvers.",
        criteria=criteria,
        evidence=evidence,
        responsible=ctx.first_owner(spec.ownership.technical_owner),
        open_items=open_items,
    )


def operations(ctx: Context, number: int) -> Clause:
    spec = ctx.spec
    ownership = spec.ownership
    criteria = []
    evidence = []
    open_items = []
    on_call = ownership.on_call
    if on_call and on_call.rotation:
        builders = sum(1 for p in on_call.rotation if (person := ctx.roster.person(p)) and person.built_system)
        tool = f", paged through {on_call.paging_tool}" if on_call.paging_tool else ""
        criteria.append(
            Criterion(
                f"On-call rotation: {join_words(ctx.roster.person_name(p, NOBODY) for p in on_call.rotation)} "
                f"({builders} of {len(on_call.rotation)} built the system){tool}.",
                f"{on_call.hours or 'hours not stated'}; acknowledge within "
                f"{on_call.response_target or 'time not stated'}",
            )
        )
        evidence.append("The on-call schedule and the paging service configuration.")
    else:
        open_items.append("There is no on-call rotation.")
    rhythm = ownership.review_rhythm
    rhythm_items: list[tuple[str, Cadence | None]] = [
        ("Evaluation results are reviewed.", rhythm.evaluation_review if rhythm else None),
        ("Regressions are worked.", rhythm.regression_review if rhythm else None),
        ("The model is refreshed.", rhythm.model_refresh if rhythm else None),
    ]
    for text, cadence in rhythm_items:
        if cadence:
            criteria.append(Criterion(text, cadence.value))
        else:
            open_items.append(f"No cadence: {text[0].lower()}{text[1:]}")
    for runbook in spec.runbooks:
        target = f"first response within {runbook.response_target}" if runbook.response_target else "no target"
        exercised = (
            f"last exercised {runbook.last_exercised.isoformat()}" if runbook.last_exercised else "never exercised"
        )
        criteria.append(
            Criterion(
                f"Runbook '{runbook.title}' ({runbook.severity.value}), started by: {runbook.trigger}",
                f"{target}; {exercised}",
            )
        )
        if runbook.last_exercised:
            evidence.append(f"The record of the last exercise of runbook '{runbook.id}' ({runbook.last_exercised}).")
    if spec.runbooks:
        evidence.insert(0, "The runbooks, readable in the handover site.")
    else:
        open_items.append("There are no runbooks.")
    orphans = [s.id for s in spec.signals if s.pages and not s.runbook]
    if orphans:
        open_items.append(f"Paging alerts without a runbook: {', '.join(orphans)}.")
    return make_clause(
        number,
        "Runbooks and on-call",
        "Every paging alert leads to a runbook usable at 3 a.m., answered by a named rotation that includes "
        "people who built the system.",
        criteria=criteria,
        evidence=evidence,
        responsible=ctx.first_owner(spec.ownership.technical_owner),
        open_items=open_items,
    )
