"""Clauses on how acceptance is proven: the acceptance conditions with the evaluation
harness, and red-team coverage."""

from __future__ import annotations

from specgen.sow.context import Context, join_words, label_of, make_clause, measure_text
from specgen.sow.model import Clause, Criterion
from specgen.spec.schema import AttackClass, Stage

__all__ = ["evaluation", "red_team"]


def _stage_minimum(ctx: Context, at_rollout: int, at_record: int) -> int | None:
    return {Stage.limited_rollout: at_rollout, Stage.system_of_record: at_record}.get(ctx.spec.stage)


def evaluation(ctx: Context, number: int) -> Clause:
    spec = ctx.spec
    acceptance = spec.acceptance
    harness = acceptance.evaluation if acceptance else None
    criteria = []
    evidence = []
    open_items = []
    for c in spec.conditions:
        where = f" (slice: {c.slice})" if c.slice and c.slice != "all" else ""
        criteria.append(Criterion(f"{c.title}: {c.metric}{where}.", measure_text(c.comparator, c.threshold, c.unit)))
        if c.evidence:
            evidence.append(f"{c.evidence} (condition {c.id}; responsible: {ctx.first_owner(c.responsible)}).")
        measured = ctx.evidence.for_condition(c.id) if ctx.evidence else None
        record = measured.verdict.record if measured else None
        if measured is not None and record is not None:
            evidence.append(
                f"Measured for condition {c.id}: {measured.verdict.shown_value or 0:.4g}"
                f"{' ' + c.unit if c.unit else ''} on {record.n} cases, {record.tool} run of "
                f"{record.run_date.isoformat()}, result file {record.artefact.name} "
                f"(sha256 {record.artefact.sha256[:16]}…); verdict computed by specgen: {measured.verdict.kind.value}."
            )
    if not spec.conditions:
        open_items.append("No measurable acceptance conditions are defined.")
    golden = harness.golden_set if harness else None
    if harness is None:
        open_items.append("No evaluation harness is defined.")
    else:
        if golden:
            minimum = _stage_minimum(ctx, ctx.thresholds.golden_set_min_rollout, ctx.thresholds.golden_set_min)
            floor = f" (policy minimum {minimum})" if minimum is not None else ""
            refreshed = f", refreshed {golden.refreshed.value}" if golden.refreshed else ""
            criteria.append(
                Criterion(f"A golden set of representative inputs is kept{refreshed}.", f"{golden.size} inputs{floor}")
            )
            if golden.location:
                evidence.append(f"The golden set at {golden.location}.")
        else:
            open_items.append("The golden set is not described.")
        if harness.scoring:
            criteria.append(Criterion("Results are scored.", harness.scoring.value))
        if harness.runs_on:
            criteria.append(
                Criterion("The harness runs automatically.", "on " + join_words(label_of(t) for t in harness.runs_on))
            )
        else:
            open_items.append("What makes the evaluation harness run is not stated.")
        if harness.regression_alert:
            criteria.append(
                Criterion(f"A regression raises an alert: {harness.regression_alert}", "alert on regression")
            )
        if harness.production_sampling is not None:
            criteria.append(
                Criterion("Production traffic is sampled back into evaluation.", f"{harness.production_sampling}")
            )
        for m in harness.metrics:
            criteria.append(
                Criterion(f"Evaluation metric '{m.name}', slice '{m.slice}'.", measure_text(m.comparator, m.threshold))
            )
        evidence += [
            f"Evaluation run of {r.date.isoformat()} on version {r.version}: "
            f"{'passed' if r.passed else 'failed'}, signed by {ctx.who(r.signed_by)}"
            + (f"; report {r.report}." if r.report else ".")
            for r in harness.results
        ]
        evidence.append("The evaluation harness result of every release, attached to its change record.")
    responsible = ctx.first_owner(golden.owner if golden else None, spec.ownership.technical_owner)
    return make_clause(
        number,
        "Acceptance conditions and evaluation harness",
        "The measurable conditions under which the system is accepted, and the harness that proves them on every "
        "change.",
        criteria=criteria,
        evidence=evidence,
        responsible=responsible,
        open_items=open_items,
    )


def red_team(ctx: Context, number: int) -> Clause:
    spec = ctx.spec
    acceptance = spec.acceptance
    red = acceptance.red_team if acceptance else None
    review = acceptance.readiness_review if acceptance else None
    criteria = []
    evidence = []
    open_items = []
    if red is None:
        open_items.append("No red-team harness is defined.")
    else:
        criteria += [
            Criterion(f"Adversarial probes for {label_of(p.attack_class)}.", f"{p.probes} probes")
            for p in red.probe_sets
        ]
        minimum = _stage_minimum(ctx, 0, ctx.thresholds.red_team_min)
        floor = f" (policy minimum {minimum})" if minimum else ""
        criteria.append(Criterion("Probes in total, across attack classes.", f"{red.total_probes} probes{floor}"))
        covered = {p.attack_class for p in red.probe_sets if p.probes > 0}
        missing = [label_of(a) for a in AttackClass if a not in covered]
        if missing:
            open_items.append(f"No probes for: {', '.join(missing)}.")
        if red.cadence:
            criteria.append(Criterion("The probe catalogue runs on a schedule.", red.cadence.value))
        criteria += [
            Criterion(f"A {s.severity.value} red-team finding is answered.", f"within {s.respond_within}")
            for s in red.response_slas
        ]
        if not red.response_slas:
            open_items.append("No response times are set for red-team findings.")
        evidence.append("The red-team probe catalogue, organised by attack class, with its severity taxonomy.")
        evidence.append(f"The results of each {red.cadence.value if red.cadence else 'scheduled'} red-team run.")
    if review:
        evidence.append(
            f"The security production-readiness review, passed and signed by {ctx.who(review.role)} "
            f"on {review.date.isoformat()}."
        )
    responsible = ctx.first_owner(red.owner if red else None, spec.ownership.technical_owner)
    return make_clause(
        number,
        "Red-team coverage",
        "Adversarial probes by attack class (prompt injection, jailbreak, policy violation, data exfiltration), "
        "with response times by severity.",
        criteria=criteria,
        evidence=evidence,
        responsible=responsible,
        open_items=open_items,
    )
