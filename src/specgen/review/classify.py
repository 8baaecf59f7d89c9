"""One cohesive table of data: the governance classification of every field path.

How a change of a spec, or of the project file, is classified: its
governance area and whether it loosens governance.

Classification is data: :data:`SPEC_RULES` (and :data:`PROJECT_RULES`) map a
path pattern (``decisions[*].autonomy``, every list item written ``[*]``) to
a classifier built by one of the small factories of
:mod:`specgen.review.classifiers` (``presence``, ``ordered``, ``ranked``,
``flag``, ``redefined``, ``owner``, ``review``, ``steps``, ``bar``,
``cadence``), or by one of the few classifiers below that read the change's
context. A path no rule names is a neutral content change. To classify a new
field, add one line to the table.
"""

from __future__ import annotations

from collections.abc import Mapping

from specgen.review.classifiers import (
    ChangeKind,
    Classifier,
    Effect,
    Impact,
    RawChange,
    Verdict,
    bar,
    cadence,
    flag,
    ordered,
    owner,
    presence,
    ranked,
    redefined,
    review,
    staff_fact,
    steps,
)
from specgen.spec import schema

__all__ = ["PROJECT_RULES", "SPEC_RULES", "classify"]

_L, _T, _N = Effect.loosens, Effect.tightens, Effect.neutral


def _evidence_binding(prefix: str, impact: Impact, what: str) -> dict[str, Classifier]:
    """The rules of ``prefix.measured_by``: the recorded evidence that proves a
    condition or metric (:func:`redefined`)."""
    changed = f"evidence bound to the {what} changed"
    return {
        f"{prefix}.measured_by": redefined(
            impact, f"{what} no longer bound to evidence", f"{what} bound to evidence", changed
        ),
        f"{prefix}.measured_by.metric": redefined(impact, "evidence metric removed", "evidence metric set", changed),
        f"{prefix}.measured_by.slice": redefined(impact, "evidence slice removed", "evidence slice set", changed),
    }


def _outcome_target(c: RawChange) -> Verdict | None:
    """The outcome the programme commits to: a target moved the metric's
    worse way (lower for 'increase', higher for 'decrease') loosens."""
    parent = c.parent_after or c.parent_before
    direction = getattr(getattr(parent, "direction", None), "value", "increase")
    noun = "outcome target"
    return ordered(Impact.scorecard, noun, looser="lower" if direction == "increase" else "higher")(c)


def _policy_rule_value(c: RawChange) -> Verdict | None:
    """An organisation rule's bar: for min_items and min_value lowering it
    loosens; for equals any change redefines what passes."""
    parent = c.parent_after or c.parent_before
    require = getattr(parent, "require", None)
    numbers = all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (c.before, c.after))
    if c.kind is ChangeKind.changed and numbers and getattr(require, "value", None) in ("min_items", "min_value"):
        return ordered(Impact.policy, "organisation rule's minimum", looser="lower")(c)
    return redefined(
        Impact.policy,
        "organisation rule's value removed",
        "organisation rule's value set",
        "organisation rule's value changed",
    )(c)


PEOPLE_FACTS: Mapping[str, Classifier] = {
    "people[*].organisation": staff_fact("organisation", "it decides whether the person counts as the vendor's staff"),
    "people[*].built_system": flag(
        Impact.ownership,
        "no longer marked as having built the system",
        "marked as having built the system: on call, it counts as a builder",
        off_effect=_T,
    ),
}
"""What the readiness rules read of a person, in the project file and in a spec's own people."""


def _decision_added_or_removed(c: RawChange) -> Verdict | None:
    if c.kind is ChangeKind.removed:
        return Verdict(Impact.autonomy, _L, "decision boundary removed")
    if c.kind is ChangeKind.added:
        if c.after.autonomy is schema.Autonomy.ai_alone:
            return Verdict(Impact.autonomy, _L, "new decision the AI takes alone")
        return Verdict(Impact.autonomy, _N, "decision added")
    return None


_SEVERITY_RANK = {s: len(schema.Severity) - i for i, s in enumerate(schema.Severity)}
_CONSEQUENCE_RANK = {c: i for i, c in enumerate(schema.Consequence)}
_WAIVER_SEVERITY_RANK = {s: i for i, s in enumerate(schema.WaiverSeverity)}
_RULE_SEVERITY_RANK = {s: i for i, s in enumerate(schema.RuleSeverity)}
_ACCESS_RANK = {
    schema.IntegrationAccess.read: 0,
    schema.IntegrationAccess.write: 1,
    schema.IntegrationAccess.read_write: 2,
}
_PATH_RANK = {schema.PathKind.automation: 0, schema.PathKind.hybrid: 1, schema.PathKind.agent: 2}
_SCORING_RANK = {schema.EvalScoring.automated: 0, schema.EvalScoring.mixed: 1, schema.EvalScoring.human: 2}


def _rollout_strategy(c: RawChange) -> Verdict | None:
    """A big-bang release (everyone at once) is the one strategy without a
    step back: moving to it loosens, away from it tightens; the others are a
    reviewer's call."""
    if c.kind is not ChangeKind.changed:
        return presence(Impact.control, "rollout strategy removed", "rollout strategy set")(c)
    big = schema.RolloutStrategy.big_bang
    if c.after == big:
        return Verdict(Impact.control, _L, "rollout made big-bang")
    if c.before == big:
        return Verdict(Impact.control, _T, "rollout no longer big-bang")
    return Verdict(Impact.control, _N, "rollout strategy changed")


SPEC_RULES: Mapping[str, Classifier] = {
    # identity and stage
    "id": review(Impact.identity, "spec id"),
    "version": review(Impact.identity, "version"),
    "stage": ranked(Impact.stage, "stage", lambda s: s.rank, up="raised", down="lowered", up_effect=_T),
    "consequence": ranked(
        Impact.stage, "consequence level", _CONSEQUENCE_RANK.__getitem__, up="raised", down="lowered", up_effect=_T
    ),
    "integrations[*]": review(Impact.scope, "integration"),
    "integrations[*].access": ranked(
        Impact.scope, "integration access", _ACCESS_RANK.__getitem__, up="widened", down="narrowed", up_effect=_L
    ),
    "intent.path": ranked(
        Impact.autonomy,
        "workflow path",
        _PATH_RANK.__getitem__,
        up="moved toward an agent",
        down="moved toward automation",
        up_effect=_L,
    ),
    "intent.in_scope[*]": steps(Impact.scope, "in-scope use", removal=_T),
    "intent.out_of_scope[*]": steps(Impact.scope, "out-of-scope exclusion"),
    "roles[*].holder": owner("role holder"),
    # ownership
    "ownership.accountable": owner("accountable owner"),
    "ownership.business_owner": owner("business owner"),
    "ownership.technical_owner": owner("technical owner"),
    "ownership.adoption_owner": owner("adoption owner"),
    "ownership.sponsor": owner("sponsor"),
    "ownership.on_call": presence(Impact.ownership, "on-call rotation removed", "on-call rotation added"),
    "ownership.on_call.rotation[*]": presence(
        Impact.ownership, "person left the on-call rotation", "person joined the on-call rotation", removal=_N
    ),
    "ownership.on_call.response_target": ordered(
        Impact.ownership, "on-call response target", looser="higher", up="lengthened", down="shortened"
    ),
    "ownership.on_call.hours": review(Impact.ownership, "on-call hours"),
    "ownership.review_rhythm": presence(Impact.oversight, "operating rhythm removed", "operating rhythm added"),
    **{
        f"ownership.review_rhythm.{part}": cadence(Impact.oversight, noun)
        for part, noun in (
            ("evaluation_review", "evaluation review"),
            ("regression_review", "regression review"),
            ("model_refresh", "model refresh"),
        )
    },
    "ownership.raci[*]": presence(Impact.ownership, "RACI activity removed", "RACI activity added"),
    "ownership.raci[*].accountable": owner("accountable role"),
    "ownership.raci[*].responsible[*]": owner("responsible role"),
    # scorecard
    "scorecard": presence(Impact.scorecard, "scorecard removed", "scorecard added"),
    "scorecard.stop_condition": presence(
        Impact.scorecard, "stop condition removed", "stop condition written", "stop condition rewritten"
    ),
    "scorecard.signed_by[*]": presence(Impact.scorecard, "scorecard signature removed", "scorecard signed"),
    "scorecard.metric.target": _outcome_target,
    "scorecard.review_cadence": cadence(Impact.scorecard, "scorecard review"),
    "scorecard.metric.direction": redefined(
        Impact.scorecard, "outcome direction removed", "outcome direction set", "outcome direction reversed"
    ),
    # decisions
    "decisions[*]": _decision_added_or_removed,
    "decisions[*].autonomy": ranked(
        Impact.autonomy, "AI autonomy", lambda a: a.rank, up="widened", down="narrowed", up_effect=_L
    ),
    "decisions[*].confidence_threshold": ordered(Impact.threshold, "confidence threshold", looser="lower"),
    "decisions[*].ai_may[*]": steps(Impact.autonomy, "AI permission", removal=_T),
    "decisions[*].ai_may_not[*]": steps(Impact.autonomy, "AI restriction"),
    "decisions[*].consequential": flag(
        Impact.autonomy, "decision no longer marked consequential", "decision marked consequential"
    ),
    "decisions[*].approver": owner("approver"),
    "decisions[*].escalation": presence(Impact.oversight, "escalation path removed", "escalation path added"),
    "decisions[*].escalation.to": owner("escalation target"),
    "decisions[*].escalation.within": ordered(
        Impact.oversight, "escalation time", looser="higher", up="lengthened", down="shortened"
    ),
    "decisions[*].fallback": presence(Impact.oversight, "fallback removed", "fallback added", "fallback rewritten"),
    "decisions[*].override": presence(Impact.oversight, "override policy removed", "override policy added"),
    "decisions[*].override.allowed": flag(
        Impact.oversight, "human override no longer allowed", "human override allowed"
    ),
    "decisions[*].override.logged": flag(Impact.oversight, "override logging turned off", "override logging turned on"),
    "decisions[*].override.reason_required": flag(
        Impact.oversight, "override reason no longer required", "override reason required"
    ),
    "decisions[*].override.by[*]": presence(Impact.oversight, "role may no longer override", "role may now override"),
    "decisions[*].controls[*]": presence(
        Impact.control, "control no longer guards the decision", "control now guards the decision"
    ),
    # decision records (MADR): the choice and why; losing a record or its reason loosens
    "decision_records[*]": presence(Impact.design, "decision record removed", "decision record added"),
    "decision_records[*].status": review(Impact.design, "decision status"),
    "decision_records[*].deciders[*]": owner("decider"),
    "decision_records[*].context": review(Impact.design, "decision context"),
    "decision_records[*].drivers[*]": steps(Impact.design, "decision driver", removal=_N),
    "decision_records[*].options[*]": steps(Impact.design, "considered option", removal=_N),
    "decision_records[*].choice": review(Impact.design, "chosen option"),
    "decision_records[*].because": presence(
        Impact.design, "justification removed", "justification written", "justification rewritten"
    ),
    "decision_records[*].consequences[*]": steps(Impact.design, "consequence", removal=_N),
    # runtime controls
    "runtime": presence(Impact.control, "runtime controls removed", "runtime controls added"),
    "runtime.controls[*]": presence(Impact.control, "control removed", "control added"),
    "runtime.controls[*].kind": review(Impact.control, "control kind"),
    "runtime.controls[*].threshold": review(Impact.control, "control trip condition"),
    "runtime.controls[*].policy": presence(Impact.control, "policy-as-code removed", "policy-as-code added"),
    "runtime.controls[*].policy.tested": flag(Impact.control, "policy no longer tested", "policy tested"),
    "runtime.controls[*].runbook": presence(
        Impact.runbook, "control's runbook removed", "control's runbook linked", "control's runbook changed"
    ),
    "runtime.controls[*].owner": owner("control owner"),
    "runtime.kill_switch": presence(Impact.oversight, "kill switch removed", "kill switch added"),
    "runtime.kill_switch.owner": owner("kill-switch owner"),
    "runtime.rollout": presence(Impact.control, "rollout plan removed", "rollout plan added"),
    "runtime.rollout.rollback": presence(
        Impact.control, "rollback procedure removed", "rollback procedure added", "rollback procedure rewritten"
    ),
    "runtime.rollout.rollback_time": ordered(
        Impact.control, "rollback time", looser="higher", up="lengthened", down="shortened"
    ),
    "runtime.rollout.steps[*]": presence(Impact.control, "rollout step removed", "rollout step added"),
    "runtime.rollout.strategy": _rollout_strategy,
    "runtime.rollout.steps[*].traffic": review(Impact.control, "rollout traffic"),
    "runtime.degradation": presence(
        Impact.control, "manual fallback process removed", "manual fallback process added", "manual fallback rewritten"
    ),
    # acceptance
    "acceptance": presence(Impact.acceptance, "acceptance section removed", "acceptance section added"),
    "acceptance.conditions[*]": presence(
        Impact.acceptance, "acceptance condition removed", "acceptance condition added"
    ),
    "acceptance.conditions[*].threshold": bar(Impact.acceptance, "acceptance bar"),
    "acceptance.conditions[*].comparator": redefined(
        Impact.acceptance, "acceptance comparator removed", "acceptance comparator set", "acceptance comparator changed"
    ),
    "acceptance.conditions[*].metric": redefined(
        Impact.acceptance, "measured metric removed", "measured metric set", "measured metric changed"
    ),
    "acceptance.conditions[*].slice": redefined(
        Impact.acceptance, "measured slice removed", "measured slice set", "measured slice changed"
    ),
    **_evidence_binding("acceptance.conditions[*]", Impact.acceptance, "condition"),
    "acceptance.conditions[*].decisions[*]": presence(
        Impact.acceptance, "condition no longer covers the decision", "condition now covers the decision"
    ),
    "acceptance.conditions[*].responsible": owner("condition owner"),
    "acceptance.evaluation": presence(Impact.evaluation, "evaluation harness removed", "evaluation harness added"),
    "acceptance.evaluation.golden_set": presence(Impact.evaluation, "golden set removed", "golden set added"),
    "acceptance.evaluation.golden_set.size": ordered(
        Impact.evaluation, "golden-set size", looser="lower", up="increased", down="reduced"
    ),
    "acceptance.evaluation.golden_set.owner": owner("golden-set owner"),
    "acceptance.evaluation.golden_set.refreshed": cadence(Impact.evaluation, "golden-set refresh"),
    "acceptance.evaluation.scoring": ranked(
        Impact.evaluation,
        "evaluation scoring",
        _SCORING_RANK.__getitem__,
        up="moved toward human judgement",
        down="moved toward automated scoring",
        up_effect=_L,
    ),
    "acceptance.evaluation.runs_on[*]": presence(
        Impact.evaluation, "evaluation trigger removed", "evaluation trigger added"
    ),
    "acceptance.evaluation.production_sampling": ordered(Impact.evaluation, "production sampling", looser="lower"),
    "acceptance.evaluation.regression_alert": presence(
        Impact.evaluation, "regression alert removed", "regression alert added", "regression alert changed"
    ),
    "acceptance.evaluation.metrics[*]": presence(
        Impact.evaluation, "evaluation metric removed", "evaluation metric added"
    ),
    "acceptance.evaluation.metrics[*].threshold": bar(Impact.evaluation, "evaluation pass mark"),
    "acceptance.evaluation.metrics[*].comparator": redefined(
        Impact.evaluation, "pass-mark comparator removed", "pass-mark comparator set", "pass-mark comparator changed"
    ),
    **_evidence_binding("acceptance.evaluation.metrics[*]", Impact.evaluation, "metric"),
    "acceptance.evaluation.results[*].passed": flag(
        Impact.evaluation,
        "evaluation result marked failed",
        "evaluation result marked passed (typed by hand)",
        off_effect=_T,
    ),
    "acceptance.red_team": presence(Impact.red_team, "red-team harness removed", "red-team harness added"),
    "acceptance.red_team.probe_sets[*]": presence(Impact.red_team, "attack class dropped", "attack class added"),
    "acceptance.red_team.probe_sets[*].attack_class": redefined(
        Impact.red_team, "attack class removed", "attack class set", "probe set moved to another attack class"
    ),
    "acceptance.red_team.probe_sets[*].probes": ordered(
        Impact.red_team, "red-team probes", looser="lower", up="increased", down="reduced"
    ),
    "acceptance.red_team.response_slas[*]": presence(Impact.red_team, "response SLA removed", "response SLA added"),
    "acceptance.red_team.response_slas[*].respond_within": ordered(
        Impact.red_team, "red-team response time", looser="higher", up="lengthened", down="shortened"
    ),
    "acceptance.red_team.owner": owner("red-team owner"),
    "acceptance.red_team.cadence": cadence(Impact.red_team, "red-team cadence"),
    "acceptance.readiness_review": presence(
        Impact.acceptance, "security readiness review removed", "security readiness review added"
    ),
    # observability
    "observability": presence(Impact.monitoring, "monitoring removed", "monitoring added"),
    "observability.signals[*]": presence(Impact.monitoring, "monitoring signal removed", "monitoring signal added"),
    "observability.signals[*].pages": flag(
        Impact.monitoring, "alert no longer pages on-call", "alert now pages on-call"
    ),
    "observability.signals[*].threshold": review(Impact.monitoring, "alert threshold"),
    "observability.signals[*].runbook": presence(
        Impact.runbook, "alert's runbook removed", "alert's runbook linked", "alert's runbook changed"
    ),
    # audit and data
    "audit": presence(Impact.audit, "audit trail removed", "audit trail added"),
    "audit.records[*]": presence(Impact.audit, "audit record removed", "audit record added"),
    "audit.retention": ordered(Impact.audit, "audit retention", looser="lower", up="lengthened", down="shortened"),
    "audit.immutable": flag(Impact.audit, "audit records no longer immutable", "audit records made immutable"),
    "audit.query.who[*]": owner("audit reader"),
    "data.sources[*]": review(Impact.data, "data source"),
    "data.sources[*].classification": review(Impact.data, "data classification"),
    "data": presence(Impact.data, "data section removed", "data section added"),
    "data.sources[*].contains_pii": flag(
        Impact.data, "source no longer marked as holding personal data", "source marked as holding personal data"
    ),
    "data.sources[*].permitted_use": presence(
        Impact.data, "permitted use removed", "permitted use written", "permitted use changed"
    ),
    "data.sources[*].owner": owner("data owner"),
    "data.redaction": presence(Impact.data, "redaction policy removed", "redaction policy added"),
    "data.redaction.tested": flag(Impact.data, "redaction policy no longer tested", "redaction policy tested"),
    "data.permissions": presence(
        Impact.data, "data permissions removed", "data permissions written", "data permissions changed"
    ),
    "data.residency": presence(
        Impact.data, "data residency removed", "data residency stated", "data residency changed"
    ),
    "data.pii_handling": presence(
        Impact.data, "PII handling removed", "PII handling written", "PII handling rewritten"
    ),
    # dependencies and runbooks
    "dependencies[*]": review(Impact.exit, "dependency"),
    "dependencies[*].fallback": presence(Impact.exit, "dependency fallback removed", "dependency fallback added"),
    "dependencies[*].replacement": presence(Impact.exit, "replacement path removed", "replacement path added"),
    "runbooks[*]": presence(Impact.runbook, "runbook removed", "runbook added"),
    "runbooks[*].severity": ranked(
        Impact.runbook, "incident severity", _SEVERITY_RANK.__getitem__, up="raised", down="lowered", up_effect=_T
    ),
    "runbooks[*].diagnosis[*]": steps(Impact.runbook, "diagnosis step"),
    "runbooks[*].mitigation[*]": steps(Impact.runbook, "mitigation step"),
    "runbooks[*].rollback[*]": steps(Impact.runbook, "rollback step"),
    "runbooks[*].verify[*]": steps(Impact.runbook, "recovery check"),
    "runbooks[*].escalation[*]": presence(Impact.runbook, "escalation step removed", "escalation step added"),
    "runbooks[*].escalation[*].after": ordered(
        Impact.runbook, "escalation delay", looser="higher", up="lengthened", down="shortened"
    ),
    "runbooks[*].response_target": ordered(
        Impact.runbook, "runbook response target", looser="higher", up="lengthened", down="shortened"
    ),
    # change control, exit, sign-off
    "change_control": presence(Impact.change_control, "change control removed", "change control added"),
    "change_control.rules[*]": presence(Impact.change_control, "change rule removed", "change rule added"),
    "change_control.rules[*].approvers[*]": presence(
        Impact.change_control, "change approver removed", "change approver added"
    ),
    "change_control.rules[*].gated_by_evaluation": flag(
        Impact.change_control, "change no longer gated by evaluation", "change gated by evaluation"
    ),
    "exit": presence(Impact.exit, "exit plan removed", "exit plan added"),
    "exit.artifacts[*]": presence(Impact.exit, "buyer artifact removed", "buyer artifact added"),
    "exit.artifacts[*].owned_by_buyer": flag(
        Impact.exit, "artifact no longer owned by the buyer", "artifact owned by the buyer"
    ),
    "exit.handover": presence(Impact.exit, "handover plan removed", "handover plan added"),
    "exit.handover.to": owner("handover recipient"),
    "exit.handover.milestones[*]": presence(Impact.exit, "handover milestone removed", "handover milestone added"),
    "exit.handover.milestones[*].date": ordered(
        Impact.exit, "milestone date", looser="higher", up="postponed", down="brought forward"
    ),
    "exit.decommissioning": presence(Impact.exit, "decommissioning plan removed", "decommissioning plan added"),
    "exit.handover.date": ordered(
        Impact.exit, "handover date", looser="higher", up="postponed", down="brought forward"
    ),
    "signoff[*]": presence(Impact.ownership, "sign-off party removed", "sign-off party added"),
    "signoff[*].role": owner("sign-off role"),
    **PEOPLE_FACTS,
}
"""Classification of spec changes: path pattern → classifier. Unlisted paths are neutral."""

PROJECT_RULES: Mapping[str, Classifier] = {
    "loosening_signoff[*]": presence(
        Impact.policy, "role removed from loosening sign-off", "role added to loosening sign-off"
    ),
    "roles[*]": review(Impact.ownership, "role"),
    "roles[*].holder": owner("role holder"),
    "people[*]": review(Impact.ownership, "person"),
    **PEOPLE_FACTS,
    "vendor": staff_fact("vendor", "it decides who counts as the vendor's staff", added=_T),
    "organisation": review(Impact.ownership, "buyer organisation"),
    "policy.thresholds.golden_set_min": ordered(Impact.policy, "minimum golden-set size", looser="lower"),
    "policy.thresholds.golden_set_min_rollout": ordered(
        Impact.policy, "minimum golden-set size at limited rollout", looser="lower"
    ),
    "policy.thresholds.red_team_min": ordered(Impact.policy, "minimum red-team probes", looser="lower"),
    "policy.thresholds.handover_within_months": ordered(
        Impact.policy, "handover deadline", looser="higher", up="extended", down="shortened"
    ),
    "policy.thresholds.audit_retention_min": ordered(
        Impact.policy, "minimum audit retention", looser="lower", up="lengthened", down="shortened"
    ),
    "policy.thresholds.evidence_max_age_days": ordered(
        Impact.policy, "maximum age of evidence", looser="higher", up="extended", down="shortened"
    ),
    "policy.thresholds.evidence_min_cases": ordered(Impact.policy, "minimum cases of evidence", looser="lower"),
    "policy.thresholds.evidence_interval_bound": flag(
        Impact.policy, "interval bound of evidence no longer required", "interval bound of evidence required"
    ),
    "policy.approvals.signed_commits": flag(
        Impact.policy, "approvals in signed commits no longer required", "approvals in signed commits required"
    ),
    "policy.waivers[*]": presence(Impact.policy, "waiver removed", "waiver added", removal=_T),
    "policy.waivers[*].expires": ordered(
        Impact.policy, "waiver expiry", looser="higher", up="extended", down="brought forward"
    ),
    "policy.waivers[*].severity": ranked(
        Impact.policy, "waived severity", _WAIVER_SEVERITY_RANK.__getitem__, up="raised", down="lowered", up_effect=_T
    ),
    "policy.rules[*]": presence(Impact.policy, "organisation rule removed", "organisation rule added"),
    "policy.rules[*].severity": ranked(
        Impact.policy, "rule severity", _RULE_SEVERITY_RANK.__getitem__, up="raised", down="lowered", up_effect=_T
    ),
    "policy.rules[*].field": redefined(
        Impact.policy,
        "organisation rule's field removed",
        "organisation rule's field set",
        "organisation rule's field changed",
    ),
    "policy.rules[*].require": redefined(
        Impact.policy,
        "organisation rule's requirement removed",
        "organisation rule's requirement set",
        "organisation rule's requirement changed",
    ),
    "policy.rules[*].value": _policy_rule_value,
    "policy.rules[*].from_stage": ranked(
        Impact.policy, "rule's first stage", lambda s: s.rank, up="raised", down="lowered", up_effect=_L
    ),
}
"""Classification of project-file changes (policy, sign-off roles, role holders)."""


def classify(change: RawChange, rules: Mapping[str, Classifier] = SPEC_RULES) -> Verdict:
    """The verdict of the rule for the change's path; neutral when no rule speaks."""
    rule = rules.get(change.pattern)
    verdict = rule(change) if rule else None
    if verdict is not None:
        return verdict
    last = next((p for p in reversed(change.path) if isinstance(p, str)), "value")
    return Verdict(Impact.content, _N, f"{last.replace('_', ' ')} {change.kind.value}")
