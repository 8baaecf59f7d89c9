"""The production-readiness definition for a statement of work.

:func:`definition` turns one validated spec into a :class:`Definition`: numbered
clauses (scope and stage, scorecard, acceptance and evaluation, red team,
runtime controls, audit trail, runbooks and on-call, change control, exit and
handover), each with measurable acceptance criteria taken from the spec, the
evidence to be delivered and the responsible party; an annex with the open
readiness findings and active waivers; and the sign-off table. The clause list
is built once, as data, and rendered twice: to Markdown by
:func:`render_markdown` (through the user-overridable template
``sow/definition.md.j2``) and to Word by :mod:`specgen.sow.docx`.

Every rendering states the spec's version and content fingerprint, so a signed
document is tied to exactly one version of the spec. Spec text is untrusted:
everything it contributes to the Markdown is escaped (see :func:`specgen.text.sow_markdown`).
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import re
import traceback
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2

from specgen.reproducible import write_atomic
from specgen.rules import PortfolioReport, SpecReport
from specgen.spec.fingerprint import fingerprint
from specgen.spec.loader import Portfolio
from specgen.spec.schema import (
    AttackClass,
    Autonomy,
    Cadence,
    ChangeKind,
    Comparator,
    IntegrationAccess,
    Person,
    Project,
    Role,
    SignoffArea,
    Spec,
    Stage,
)
from specgen.templating import make_environment
from specgen.text import sow_markdown

__all__ = [
    "FORMATS",
    "Annex",
    "AnnexFinding",
    "AnnexWaiver",
    "Clause",
    "Criterion",
    "Definition",
    "OverwriteError",
    "SignoffRow",
    "SowError",
    "definition",
    "definition_files",
    "definitions",
    "markdown_is_generated",
    "render_markdown",
    "render_template",
    "write_definition_files",
]

TEMPLATE = "sow/definition.md.j2"
"""Template name of the Markdown rendering; a file of that name in the user's
``templates/`` folder replaces it."""

FORMATS = ("md", "docx")
"""File formats a definition is written in."""

NOT_STATED = "not stated"


class SowError(Exception):
    """A definition cannot be rendered or written."""


class OverwriteError(SowError):
    """Writing would replace a file specgen did not write, or one edited since."""


# ---------------------------------------------------------------- the data


@dataclass(frozen=True)
class Criterion:
    """One measurable acceptance criterion: what must hold, and its measure."""

    text: str
    measure: str


@dataclass(frozen=True)
class Clause:
    """A numbered clause of the definition."""

    number: int
    title: str
    statement: str
    """What the clause commits to, in one sentence."""
    criteria: tuple[Criterion, ...]
    evidence: tuple[str, ...]
    """What is delivered to show the criteria hold."""
    responsible: str
    """The role title with the person holding it."""
    open_items: tuple[str, ...] = ()
    """What the spec leaves undefined: to be agreed before signature."""

    @property
    def numbered(self) -> list[tuple[str, Criterion]]:
        """The criteria with their clause numbers: ``("3.1", criterion)``."""
        return [(f"{self.number}.{i}", c) for i, c in enumerate(self.criteria, start=1)]


@dataclass(frozen=True)
class AnnexFinding:
    """An open readiness finding, as listed in the annex."""

    rule_id: str
    severity: str
    dimension: str
    title: str
    message: str
    waived: str
    """How it is waived ('waived until 2026-12-31 by ...'), or 'no'."""


@dataclass(frozen=True)
class AnnexWaiver:
    """An active waiver, as listed in the annex."""

    rule: str
    reason: str
    approved_by: str
    expires: str
    treated_as: str


@dataclass(frozen=True)
class Annex:
    """Open readiness findings and active waivers at the time of writing."""

    assessed: bool
    """False when the definition was built without a readiness report."""
    declared_stage: str
    reached_stage: str = NOT_STATED
    diagnostic: str = NOT_STATED
    findings: tuple[AnnexFinding, ...] = ()
    waivers: tuple[AnnexWaiver, ...] = ()


@dataclass(frozen=True)
class SignoffRow:
    """One row of the sign-off table."""

    area: str
    role: str
    name: str
    organisation: str


@dataclass(frozen=True)
class Definition:
    """The production-readiness definition of one workflow, ready to render."""

    spec_id: str
    title: str
    version: str
    fingerprint: str
    stage: Stage
    consequence: str
    organisation: str
    vendor: str
    summary: str
    released: dt.date | None
    """The date of this version in the spec's change log, when recorded."""
    clauses: tuple[Clause, ...]
    annex: Annex
    signoff: tuple[SignoffRow, ...]
    document_control: tuple[tuple[str, str], ...] = field(default=())
    """(item, value) rows identifying the spec the document is tied to."""

    @property
    def stage_label(self) -> str:
        return self.stage.label.capitalize()

    @property
    def filename_stem(self) -> str:
        return self.spec_id


# ---------------------------------------------------------------- building


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


_COMPARATOR_WORDS = {
    Comparator.ge: "≥",
    Comparator.gt: ">",
    Comparator.le: "≤",
    Comparator.lt: "<",
    Comparator.eq: "=",
}

_AUTONOMY_WORDS = {
    Autonomy.ai_alone: "the AI decides alone",
    Autonomy.human_approves: "the AI proposes and a named human approves",
    Autonomy.human_decides: "a human decides and the AI assists",
}

_AREA_LABELS = {
    SignoffArea.engineering: "Engineering",
    SignoffArea.security: "Security",
    SignoffArea.risk_compliance: "Risk and compliance",
    SignoffArea.business_sponsor: "Business sponsor",
    SignoffArea.finance: "Finance (scorecard)",
}

_ACCESS_WORDS = {
    IntegrationAccess.read: "read only",
    IntegrationAccess.write: "write only",
    IntegrationAccess.read_write: "read and write",
}


def _label(value: Any) -> str:
    raw = value.value if hasattr(value, "value") else str(value)
    return str(raw).replace("_", " ")


def _measure(comparator: Comparator, threshold: float, unit: str | None = None) -> str:
    unit_text = "" if not unit else (unit if unit == "%" else f" {unit}")
    return f"{_COMPARATOR_WORDS[comparator]} {_num(threshold)}{unit_text}"


def _join(items: Iterable[str], empty: str = NOT_STATED) -> str:
    listed = [i for i in items if i]
    return ", ".join(listed) if listed else empty


class _Context:
    """The spec and what its references resolve to (people and roles)."""

    def __init__(self, spec: Spec, project: Project) -> None:
        self.spec = spec
        self.project = project
        self.thresholds = project.policy.thresholds
        self.roles: dict[str, Role] = {r.id: r for r in (*project.roles, *spec.roles)}
        self.people: dict[str, Person] = {p.id: p for p in (*project.people, *spec.people)}

    def person(self, person_id: str | None) -> str:
        if person_id is None:
            return "not named"
        person = self.people.get(person_id)
        return person.name if person else person_id

    def who(self, role_id: str | None) -> str:
        """'Title (Holder)' for a role id; falls back to a person's name."""
        if role_id is None:
            return "not named"
        role = self.roles.get(role_id)
        if role is None:
            return self.person(role_id)
        holder = self.person(role.holder) if role.holder else "holder not named"
        return f"{role.title} ({holder})"

    def who_all(self, role_ids: Iterable[str]) -> str:
        return _join((self.who(r) for r in role_ids), "nobody named")

    def first_owner(self, *candidates: str | None) -> str:
        """The first named role among ``candidates``, else the accountable owner."""
        for role in candidates:
            if role:
                return self.who(role)
        return self.who(self.spec.ownership.accountable)


def _clause(number: int, title: str, statement: str, **parts: Any) -> Clause:
    return Clause(
        number=number,
        title=title,
        statement=statement,
        criteria=tuple(parts.get("criteria", ())),
        evidence=tuple(parts.get("evidence", ())),
        responsible=parts["responsible"],
        open_items=tuple(parts.get("open_items", ())),
    )


def _scope(ctx: _Context, number: int) -> Clause:
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
        measure = _label(decision.autonomy)
        if decision.confidence_threshold is not None:
            measure += f"; acts only at confidence ≥ {_num(decision.confidence_threshold)}"
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
    evidence = [f"The spec '{spec.id}' at version {spec.version}, content fingerprint {fingerprint(spec)}."]
    evidence += [
        f"Decision record {r.id}: {r.title} ({r.status.value}, {r.date.isoformat()})." for r in spec.decision_records
    ]
    return _clause(
        number,
        "Scope and stage",
        intent.objective,
        criteria=criteria,
        evidence=evidence,
        responsible=ctx.who(spec.ownership.accountable),
        open_items=open_items,
    )


def _scorecard(ctx: _Context, number: int) -> Clause:
    spec = ctx.spec
    card = spec.scorecard
    title = "Scorecard and stop condition"
    statement = (
        "The programme's outcome in one number, with a baseline, a target, a review cadence and a written "
        "stop condition, signed by the business sponsor and the finance partner."
    )
    responsible = ctx.first_owner(spec.ownership.sponsor, spec.ownership.business_owner)
    if card is None:
        return _clause(
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
    baseline = f"{_num(metric.baseline)} {metric.unit}" if metric.baseline is not None else NOT_STATED
    target = f"{_num(metric.target)} {metric.unit}" if metric.target is not None else NOT_STATED
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
            Criterion(f"The cost of one {cost.per} is tracked.", f"{cost.currency} {_num(cost.amount)} per {cost.per}")
        )
    else:
        open_items.append("The unit cost per transaction is not stated.")
    evidence = [f"The scorecard signed by {ctx.who(s.role)} on {s.date.isoformat()}." for s in card.signed_by]
    if not card.signed_by:
        open_items.append("The scorecard is not signed by the sponsor and the finance partner.")
    cadence = card.review_cadence.value if card.review_cadence else "scheduled"
    evidence.append(f"The minutes of each {cadence} scorecard review, with the measured value.")
    return _clause(
        number, title, statement, criteria=criteria, evidence=evidence, responsible=responsible, open_items=open_items
    )


def _stage_minimum(ctx: _Context, at_rollout: int, at_record: int) -> int | None:
    return {Stage.limited_rollout: at_rollout, Stage.system_of_record: at_record}.get(ctx.spec.stage)


def _evaluation(ctx: _Context, number: int) -> Clause:
    spec = ctx.spec
    acceptance = spec.acceptance
    harness = acceptance.evaluation if acceptance else None
    criteria = []
    evidence = []
    open_items = []
    for c in spec.conditions:
        where = f" (slice: {c.slice})" if c.slice and c.slice != "all" else ""
        criteria.append(Criterion(f"{c.title}: {c.metric}{where}.", _measure(c.comparator, c.threshold, c.unit)))
        if c.evidence:
            evidence.append(f"{c.evidence} (condition {c.id}; responsible: {ctx.first_owner(c.responsible)}).")
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
                Criterion("The harness runs automatically.", "on " + _join(_label(t) for t in harness.runs_on))
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
                Criterion(f"Evaluation metric '{m.name}', slice '{m.slice}'.", _measure(m.comparator, m.threshold))
            )
        evidence += [
            f"Evaluation run of {r.date.isoformat()} on version {r.version}: "
            f"{'passed' if r.passed else 'failed'}, signed by {ctx.who(r.signed_by)}"
            + (f"; report {r.report}." if r.report else ".")
            for r in harness.results
        ]
        evidence.append("The evaluation harness result of every release, attached to its change record.")
    responsible = ctx.first_owner(golden.owner if golden else None, spec.ownership.technical_owner)
    return _clause(
        number,
        "Acceptance conditions and evaluation harness",
        "The measurable conditions under which the system is accepted, and the harness that proves them on every "
        "change.",
        criteria=criteria,
        evidence=evidence,
        responsible=responsible,
        open_items=open_items,
    )


def _red_team(ctx: _Context, number: int) -> Clause:
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
            Criterion(f"Adversarial probes for {_label(p.attack_class)}.", f"{p.probes} probes") for p in red.probe_sets
        ]
        minimum = _stage_minimum(ctx, 0, ctx.thresholds.red_team_min)
        floor = f" (policy minimum {minimum})" if minimum else ""
        criteria.append(Criterion("Probes in total, across attack classes.", f"{red.total_probes} probes{floor}"))
        covered = {p.attack_class for p in red.probe_sets if p.probes > 0}
        missing = [_label(a) for a in AttackClass if a not in covered]
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
    return _clause(
        number,
        "Red-team coverage",
        "Adversarial probes by attack class (prompt injection, jailbreak, policy violation, data exfiltration), "
        "with response times by severity.",
        criteria=criteria,
        evidence=evidence,
        responsible=responsible,
        open_items=open_items,
    )


def _runtime(ctx: _Context, number: int) -> Clause:
    spec = ctx.spec
    runtime = spec.runtime
    criteria = []
    evidence = []
    open_items = []
    for control in spec.controls:
        text = f"{control.title} ({_label(control.kind)})"
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
        steps = _join((f"{s.name} {s.traffic}" for s in rollout.steps), "no steps listed")
        criteria.append(Criterion(f"New versions reach users by {_label(rollout.strategy)} rollout.", steps))
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
    return _clause(
        number,
        "Runtime controls and policy-as-code",
        "Executable, versioned and tested controls keep live behaviour within bounds, with a kill switch, "
        "a staged rollout and a rollback.",
        criteria=criteria,
        evidence=evidence,
        responsible=ctx.first_owner(spec.ownership.technical_owner),
        open_items=open_items,
    )


def _audit(ctx: _Context, number: int) -> Clause:
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
                    f"Every case is recorded with: {_join(_label(r) for r in audit.records)}.",
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
    return _clause(
        number,
        "Audit trail and data protection",
        "Every case can be reconstructed from its record: inputs, outputs, versions, policy evaluations and approvers.",
        criteria=criteria,
        evidence=evidence,
        responsible=ctx.first_owner(spec.ownership.technical_owner),
        open_items=open_items,
    )


def _operations(ctx: _Context, number: int) -> Clause:
    spec = ctx.spec
    ownership = spec.ownership
    criteria = []
    evidence = []
    open_items = []
    on_call = ownership.on_call
    if on_call and on_call.rotation:
        builders = sum(1 for p in on_call.rotation if ctx.people.get(p) and ctx.people[p].built_system)
        tool = f", paged through {on_call.paging_tool}" if on_call.paging_tool else ""
        criteria.append(
            Criterion(
                f"On-call rotation: {_join(ctx.person(p) for p in on_call.rotation)} "
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
    return _clause(
        number,
        "Runbooks and on-call",
        "Every paging alert leads to a runbook usable at 3 a.m., answered by a named rotation that includes "
        "people who built the system.",
        criteria=criteria,
        evidence=evidence,
        responsible=ctx.first_owner(spec.ownership.technical_owner),
        open_items=open_items,
    )


_GOVERNED_CHANGES = (ChangeKind.prompt, ChangeKind.model, ChangeKind.policy, ChangeKind.threshold)


def _change_control(ctx: _Context, number: int) -> Clause:
    spec = ctx.spec
    control = spec.change_control
    rules = control.rules if control else []
    criteria = [
        Criterion(
            f"Changes to the {_label(rule.change)} are approved by {ctx.who_all(rule.approvers)}.",
            "released only when the evaluation harness passes"
            if rule.gated_by_evaluation
            else "not gated by evaluation",
        )
        for rule in rules
    ]
    open_items = []
    ruled = {r.change for r in rules}
    missing = [_label(k) for k in _GOVERNED_CHANGES if k not in ruled]
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
    return _clause(
        number,
        "Change control",
        "Changes to prompts, models, policies and thresholds are approved by named roles and gated by the "
        "evaluation harness.",
        criteria=criteria,
        evidence=evidence,
        responsible=ctx.first_owner(spec.ownership.technical_owner),
        open_items=open_items,
    )


def _exit(ctx: _Context, number: int) -> Clause:
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
                Criterion(f"The buyer receives: {artifact.name} ({_label(artifact.kind)}{fmt}).", f"{owner}; {where}")
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
                f"Dependency {dep.name} ({_label(dep.kind)}{vendor}).{replacement}",
                _join([f"version {dep.version}" if dep.version else "", dep.licence or ""], "version not pinned"),
            )
        )
    return _clause(
        number,
        "Exit and handover",
        "The buyer owns what it needs to run, change or replace the system, and receives a written handover on a "
        "dated plan.",
        criteria=criteria,
        evidence=evidence,
        responsible=ctx.who(spec.ownership.accountable),
        open_items=open_items,
    )


CLAUSE_BUILDERS: tuple[Callable[[_Context, int], Clause], ...] = (
    _scope,
    _scorecard,
    _evaluation,
    _red_team,
    _runtime,
    _audit,
    _operations,
    _change_control,
    _exit,
)
"""The clauses, in document order; each is numbered by its position."""


def _signoff(ctx: _Context) -> tuple[SignoffRow, ...]:
    rows = []
    for area in SignoffArea:
        parties = [p for p in ctx.spec.signoff if p.area is area]
        if not parties:
            rows.append(SignoffRow(_AREA_LABELS[area], "to be named", "", ""))
        for party in parties:
            role = ctx.roles.get(party.role)
            person = ctx.people.get(role.holder) if role and role.holder else None
            rows.append(
                SignoffRow(
                    _AREA_LABELS[area],
                    role.title if role else party.role,
                    person.name if person else "holder not named",
                    (person.organisation or "") if person else "",
                )
            )
    return tuple(rows)


def _annex(ctx: _Context, report: SpecReport | None) -> Annex:
    declared = ctx.spec.stage.label
    if report is None:
        return Annex(assessed=False, declared_stage=declared)
    findings = []
    # failing findings first (errors first), then those an active waiver switched off
    for f in [*report.findings, *report.waived]:
        waiver = f.waiver
        waived = (
            f"waived until {waiver.expires.isoformat()} by {ctx.who(waiver.approved_by)}"
            if waiver is not None
            else "no"
        )
        findings.append(
            AnnexFinding(
                rule_id=f.rule_id,
                severity=_label(f.severity),
                dimension=f.dimension.label,
                title=f.title,
                message=f.message,
                waived=waived,
            )
        )
    waivers = [
        AnnexWaiver(
            rule=w.rule,
            reason=w.reason,
            approved_by=ctx.who(w.approved_by),
            expires=w.expires.isoformat(),
            treated_as=w.severity.value,
        )
        for w in report.waivers
    ]
    reached = report.reached_stage
    diagnostic = report.diagnostic
    return Annex(
        assessed=True,
        declared_stage=declared,
        reached_stage=reached.label if reached is not None else "none (experimentation requirements not met)",
        diagnostic=(
            f"{diagnostic.yes_count} of 10 questions answered yes ({diagnostic.reading})"
            if diagnostic is not None
            else NOT_STATED
        ),
        findings=tuple(findings),
        waivers=tuple(waivers),
    )


def _released(spec: Spec) -> dt.date | None:
    changelog = spec.change_control.changelog if spec.change_control else []
    dates = [e.date for e in changelog if e.version == spec.version]
    return max(dates) if dates else None


def definition(spec: Spec, project: Project, *, report: SpecReport | None = None) -> Definition:
    """The production-readiness definition of ``spec``.

    ``project`` resolves roles and people (the responsible parties, the
    sign-off table) and the policy thresholds quoted as minimums; ``report``
    (a :class:`specgen.rules.SpecReport` for this spec) fills the annex of open
    findings and active waivers. Pure: reads nothing, writes nothing.
    """
    ctx = _Context(spec, project)
    clauses = tuple(build(ctx, number) for number, build in enumerate(CLAUSE_BUILDERS, start=1))
    released = _released(spec)
    print_fp = fingerprint(spec)
    control = (
        ("Workflow", spec.title),
        ("Spec id", spec.id),
        ("Spec version", spec.version),
        ("Content fingerprint", print_fp),
        ("Version released", released.isoformat() if released else NOT_STATED),
        ("Stage", spec.stage.label),
        ("Consequence", spec.consequence.value if spec.consequence else NOT_STATED),
        ("Buyer", project.organisation or NOT_STATED),
        ("Delivery partner", project.vendor or NOT_STATED),
    )
    return Definition(
        spec_id=spec.id,
        title=spec.title,
        version=spec.version,
        fingerprint=print_fp,
        stage=spec.stage,
        consequence=spec.consequence.value if spec.consequence else NOT_STATED,
        organisation=project.organisation or NOT_STATED,
        vendor=project.vendor or NOT_STATED,
        summary=spec.summary or spec.intent.objective,
        released=released,
        clauses=clauses,
        annex=_annex(ctx, report),
        signoff=_signoff(ctx),
        document_control=control,
    )


def definitions(portfolio: Portfolio, *, report: PortfolioReport | None = None) -> list[Definition]:
    """One definition per spec of ``portfolio``, in its order.

    ``report`` is a :class:`specgen.rules.PortfolioReport` (or None); each spec
    gets the :class:`SpecReport` with its id.
    """
    by_id = {r.spec_id: r for r in report.specs} if report is not None else {}
    return [definition(s.spec, portfolio.project, report=by_id.get(s.spec.id)) for s in portfolio.specs]


# ---------------------------------------------------------------- Markdown


def render_markdown(defn: Definition, *, template_dirs: Sequence[Path] = ()) -> str:
    """The definition as a Markdown page (template ``sow/definition.md.j2``).

    ``template_dirs`` are searched before the bundled templates. Every value
    the template prints is escaped, so spec text cannot inject HTML or markup.
    """
    return render_template(TEMPLATE, template_dirs, d=defn)


def _template_error(name: str, exc: jinja2.TemplateError) -> SowError:
    """A one-line error naming the template file and line."""
    line = getattr(exc, "lineno", None)
    where = getattr(exc, "filename", None) or name
    if line is None:
        frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename.endswith(".j2")]
        if frames:
            where, line = frames[-1].filename, frames[-1].lineno
    at = f", line {line}" if line else ""
    return SowError(f"template {where}{at}: {exc.message or exc}")


@functools.lru_cache(maxsize=16)
def _environment(template_dirs: tuple[Path, ...]) -> jinja2.Environment:
    """One environment per search path; Jinja reloads a template whose file changed."""
    return make_environment(template_dirs, escape=sow_markdown)


def render_template(name: str, template_dirs: Sequence[Path] = (), **context: Any) -> str:
    """Render template ``name`` with every printed value escaped for Markdown.

    Raises :class:`SowError` naming the template and line when it is broken.
    """
    env = _environment(tuple(template_dirs))
    try:
        return env.get_template(name).render(**context)
    except jinja2.TemplateError as exc:
        raise _template_error(name, exc) from exc


# ---------------------------------------------------------------- files


_MARKER = re.compile(r"^<!-- generated by specgen; body sha256:([0-9a-f]{64}); edits are kept only with --force -->\n")


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _markdown_file(body: str) -> bytes:
    marker = f"<!-- generated by specgen; body sha256:{_digest(body)}; edits are kept only with --force -->\n"
    return (marker + body).encode("utf-8")


def markdown_is_generated(data: bytes) -> bool:
    """True when ``data`` is a Markdown definition specgen wrote and nobody edited since."""
    text = data.decode("utf-8", "replace")
    match = _MARKER.match(text)
    return bool(match) and match.group(1) == _digest(text[match.end() :])


def definition_files(
    defn: Definition, formats: Sequence[str] = FORMATS, *, template_dirs: Sequence[Path] = ()
) -> dict[str, bytes]:
    """File name → content for ``defn`` in each of ``formats`` (``md``, ``docx``)."""
    from specgen.sow.docx import render_docx

    unknown = [f for f in formats if f not in FORMATS]
    if unknown:
        raise SowError(f"unknown format {', '.join(unknown)}; expected {' or '.join(FORMATS)}")
    files: dict[str, bytes] = {}
    if "md" in formats:
        files[f"{defn.filename_stem}.md"] = _markdown_file(render_markdown(defn, template_dirs=template_dirs))
    if "docx" in formats:
        files[f"{defn.filename_stem}.docx"] = render_docx(defn)
    return files


def _is_generated(name: str, data: bytes) -> bool:
    from specgen.sow.docx import docx_is_generated

    return docx_is_generated(data) if name.endswith(".docx") else markdown_is_generated(data)


def write_definition_files(
    defns: Sequence[Definition],
    folder: Path,
    formats: Sequence[str] = FORMATS,
    *,
    force: bool = False,
    template_dirs: Sequence[Path] = (),
) -> list[Path]:
    """Write each definition in each format into ``folder``; returns the paths written.

    Everything is rendered before anything is written. An existing file is
    replaced only when specgen wrote it and nobody edited it since (or with
    ``force``); otherwise :class:`SowError` names the files and nothing is written.
    """
    planned: dict[Path, bytes] = {}
    for defn in defns:
        for name, data in definition_files(defn, formats, template_dirs=template_dirs).items():
            planned[folder / name] = data
    kept = [
        path
        for path in planned
        if path.exists() and not force and not (path.is_file() and _is_generated(path.name, path.read_bytes()))
    ]
    if kept:
        listing = ", ".join(str(p) for p in kept)
        raise OverwriteError(f"{listing}: not written by specgen or edited since; pass --force to overwrite")
    for path, data in planned.items():
        write_atomic(path, data)
    return list(planned)
