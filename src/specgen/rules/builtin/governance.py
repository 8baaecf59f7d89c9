"""Rules on governance design: policy-as-code, change control, sign-off, data, the audit trail."""

from __future__ import annotations

from collections.abc import Iterator

from specgen.rules import facts
from specgen.rules.context import Gap, NotApplicable, RuleContext
from specgen.rules.registry import rule
from specgen.spec.schema import (
    AuditField,
    Autonomy,
    ChangeKind,
    PathKind,
    PolicyAsCode,
    SignoffArea,
    Stage,
)
from specgen.spec.yamlsrc import Path_

Outcomes = Iterator[Gap | NotApplicable]
LR, SOR = Stage.limited_rollout, Stage.system_of_record
DIM = "governance_design"


def _policies(ctx: RuleContext) -> list[tuple[Path_, str, PolicyAsCode]]:
    """Every policy-as-code in the spec: (path, what it belongs to, policy)."""
    found: list[tuple[Path_, str, PolicyAsCode]] = []
    for i, control in enumerate(ctx.spec.controls):
        if control.policy is not None:
            found.append((("runtime", "controls", i, "policy"), f"control '{control.id}'", control.policy))
    if ctx.spec.data is not None and ctx.spec.data.redaction is not None:
        found.append((("data", "redaction"), "the redaction policy", ctx.spec.data.redaction))
    return found


@rule(
    "GOV-002",
    "Governance rules run as policy-as-code",
    severity="error",
    from_stage=LR,
    dimension=DIM,
    rationale=(
        "Rules the system follows are executable and versioned, not a page nobody follows;"
        " any control whose policy is code counts, whatever its kind."
    ),
    source="004 · invariant 5: policy-as-code, not policy-as-PDF; diagnostic question 9",
)
def _policy_as_code(ctx: RuleContext) -> Outcomes:
    yield from facts.policy_as_code(ctx).outcomes()


@rule(
    "GOV-003",
    "Every policy-as-code is versioned and tested",
    severity="error",
    from_stage=SOR,
    dimension=DIM,
    rationale="An untested or unversioned policy cannot be trusted to say what was enforced when.",
    source="004 · invariant 5: executable, versioned and testable",
)
def _policies_tested(ctx: RuleContext) -> Outcomes:
    policies = _policies(ctx)
    if not policies:
        yield NotApplicable("the spec names no policy-as-code (GOV-002 asks for it)")
    for path, owner, policy in policies:
        if policy.version is None:
            yield Gap((*path, "version"), f"the policy of {owner} ({policy.path}) has no version")
        if not policy.tested:
            yield Gap((*path, "tested"), f"the policy of {owner} ({policy.path}) has no automated tests")


_CHANGE_KINDS = (ChangeKind.prompt, ChangeKind.model, ChangeKind.policy, ChangeKind.threshold)


@rule(
    "GOV-004",
    "Changes to prompts, models, policies and thresholds have named approvers",
    severity="error",
    from_stage=LR,
    dimension=DIM,
    rationale="What changed and who approved it must be answerable; unapproved prompt edits are silent releases.",
    source="001 · auditability: what changed, what was approved; 002 · approval workflows for model updates",
)
def _change_approvers(ctx: RuleContext) -> Outcomes:
    control = ctx.spec.change_control
    if control is None:
        yield Gap(
            ("change_control",), "no change control: say who approves prompt, model, policy and threshold changes"
        )
        return
    by_kind = {r.change: (i, r) for i, r in enumerate(control.rules)}
    missing = [k.value for k in _CHANGE_KINDS if k not in by_kind]
    if missing:
        yield Gap(("change_control", "rules"), f"no change rule for: {', '.join(missing)}")
    for kind in _CHANGE_KINDS:
        if kind in by_kind and not by_kind[kind][1].approvers:
            i = by_kind[kind][0]
            yield Gap(("change_control", "rules", i, "approvers"), f"{kind.value} changes have no approvers")


@rule(
    "GOV-005",
    "Prompt and model changes are gated by the evaluation harness",
    severity="error",
    from_stage=SOR,
    dimension=DIM,
    rationale="Every prompt change and vendor model update runs against the golden set before it reaches users.",
    source="004 · invariant 3: every PR, vendor model update and release runs against the harness",
)
def _change_gated(ctx: RuleContext) -> Outcomes:
    control = ctx.spec.change_control
    if control is None:
        yield NotApplicable("there is no change control (GOV-004 asks for it)")
        return
    by_kind = {r.change: (i, r) for i, r in enumerate(control.rules)}
    for kind in (ChangeKind.prompt, ChangeKind.model):
        if kind not in by_kind:
            yield Gap(("change_control", "rules"), f"no change rule for {kind.value} changes, so nothing gates them")
        elif not by_kind[kind][1].gated_by_evaluation:
            i = by_kind[kind][0]
            yield Gap(
                ("change_control", "rules", i, "gated_by_evaluation"),
                f"{kind.value} changes are not gated by the evaluation harness",
            )


_SIGNOFF_AREAS = (
    SignoffArea.engineering,
    SignoffArea.security,
    SignoffArea.risk_compliance,
    SignoffArea.business_sponsor,
)


@rule(
    "GOV-006",
    "Engineering, security, risk and the business sponsor sign the readiness definition",
    severity="error",
    from_stage=SOR,
    dimension=DIM,
    rationale="A joint sign-off keeps the readiness review a working conversation, not a rubber stamp or a veto.",
    source="004 · production-readiness definition: signed by engineering, security, risk and the business sponsor",
)
def _signoff(ctx: RuleContext) -> Outcomes:
    areas = {p.area for p in ctx.spec.signoff}
    missing = [a.value for a in _SIGNOFF_AREAS if a not in areas]
    if missing:
        yield Gap(("signoff",), f"no sign-off for: {', '.join(missing)}")


@rule(
    "GOV-007",
    "The changelog records the current version",
    severity="error",
    from_stage=SOR,
    dimension=DIM,
    rationale="Each released version, its date and what changed let an auditor reconstruct the system's history.",
    source="NIST AI RMF GOVERN 1.7; EU AI Act Annex IV 6: changes through the lifecycle",
)
def _changelog(ctx: RuleContext) -> Outcomes:
    control = ctx.spec.change_control
    log = control.changelog if control else []
    if not any(entry.version == ctx.spec.version for entry in log):
        yield Gap(
            ("change_control", "changelog"),
            f"the changelog has no entry for the current version {ctx.spec.version}",
        )


@rule(
    "DATA-001",
    "Data sources are listed with their permitted use",
    severity="error",
    from_stage=LR,
    dimension=DIM,
    rationale="Which data the model may use, and for what, is decided before rollout, not discovered in an incident.",
    source="003 · what data the model is allowed to use; 002 · data governance",
)
def _data_sources(ctx: RuleContext) -> Outcomes:
    data = ctx.spec.data
    if data is None or not data.sources:
        yield Gap(("data", "sources"), "no data sources are listed")
        return
    for i, source in enumerate(data.sources):
        if source.permitted_use is None:
            yield Gap(("data", "sources", i, "permitted_use"), f"data source '{source.id}' has no permitted use")


def _has_pii(ctx: RuleContext) -> bool:
    return ctx.spec.data is not None and any(s.contains_pii for s in ctx.spec.data.sources)


@rule(
    "DATA-002",
    "How personal data is handled is written down",
    severity="error",
    from_stage=LR,
    dimension=DIM,
    rationale="Personal data reaching a model is a data-protection matter; its handling is designed, not assumed.",
    source="004 · governance as a design input: pre-model redaction; 002 · data governance and compliance",
)
def _pii_handling(ctx: RuleContext) -> Outcomes:
    if not _has_pii(ctx):
        yield NotApplicable("no data source is marked as containing personal data")
    elif ctx.spec.data is not None and ctx.spec.data.pii_handling is None:
        yield Gap(("data", "pii_handling"), "sources hold personal data but its handling is not described")


@rule(
    "DATA-003",
    "Personal data is redacted by a policy-as-code",
    severity="error",
    from_stage=SOR,
    dimension=DIM,
    rationale="Redaction rules that are code can be tested and versioned; a described redaction cannot.",
    source="004 · production-readiness definition: PII redaction; invariant 5: policy-as-code",
)
def _redaction(ctx: RuleContext) -> Outcomes:
    if not _has_pii(ctx):
        yield NotApplicable("no data source is marked as containing personal data")
    elif ctx.spec.data is not None and ctx.spec.data.redaction is None:
        yield Gap(("data", "redaction"), "sources hold personal data but no redaction policy-as-code is named")


@rule(
    "DATA-004",
    "Every data source has lineage and an owner",
    severity="warning",
    from_stage=SOR,
    dimension=DIM,
    rationale="Tracing an output back to its source data needs lineage, and someone who answers for each source.",
    source="002 · data lineage tracking from source to prediction",
)
def _lineage(ctx: RuleContext) -> Outcomes:
    data = ctx.spec.data
    if data is None or not data.sources:
        yield NotApplicable("no data sources are listed (DATA-001 asks for them)")
        return
    for i, source in enumerate(data.sources):
        if source.lineage is None:
            yield Gap(("data", "sources", i, "lineage"), f"data source '{source.id}' has no lineage")
        if source.owner is None:
            yield Gap(("data", "sources", i, "owner"), f"data source '{source.id}' has no owner")


_AUDIT_BASE = (
    AuditField.inputs,
    AuditField.outputs,
    AuditField.model_version,
    AuditField.prompt_version,
    AuditField.timestamps,
)


@rule(
    "AUD-001",
    "The audit trail records inputs, outputs, model and prompt versions and timestamps",
    severity="error",
    from_stage=LR,
    dimension=DIM,
    rationale="Reconstructing what happened to a case needs what went in, what came out, and which model and prompt.",
    source="004 · invariant 6: an audit trail a regulator can read; 001 · auditability layer",
)
def _audit_base(ctx: RuleContext) -> Outcomes:
    audit = ctx.spec.audit
    if audit is None:
        yield Gap(("audit",), "no audit trail")
        return
    missing = [f.value for f in _AUDIT_BASE if f not in audit.records]
    if missing:
        yield Gap(("audit", "records"), f"the audit trail does not record: {', '.join(missing)}")


@rule(
    "AUD-002",
    "The audit trail records policy evaluations, tool calls and human approvers",
    severity="error",
    from_stage=SOR,
    dimension=DIM,
    rationale="A regulator asks which rules were checked, what the AI did and who approved; the record answers.",
    source="004 · invariant 6: tool calls, policy evaluations and human approvers, indexed by case",
)
def _audit_full(ctx: RuleContext) -> Outcomes:
    audit = ctx.spec.audit
    if audit is None:
        yield NotApplicable("there is no audit trail (AUD-001 asks for one)")
        return
    required = [AuditField.policy_evaluations]
    if ctx.spec.intent.path is not PathKind.automation:
        required.append(AuditField.tool_calls)
    if any(d.autonomy is not Autonomy.ai_alone for d in ctx.spec.decisions):
        required.append(AuditField.approvers)
    missing = [f.value for f in required if f not in audit.records]
    if missing:
        yield Gap(("audit", "records"), f"the audit trail does not record: {', '.join(missing)}")


@rule(
    "AUD-003",
    "Audit records are indexed by case and kept for the compliance period",
    severity="error",
    from_stage=SOR,
    dimension=DIM,
    rationale="Records must be found by case and outlive the period a decision can be challenged in.",
    source="004 · invariant 6: indexed by case or transaction id, retained for the compliance period",
)
def _audit_retention(ctx: RuleContext) -> Outcomes:
    audit = ctx.spec.audit
    if audit is None:
        yield NotApplicable("there is no audit trail (AUD-001 asks for one)")
        return
    minimum = ctx.thresholds.audit_retention_min
    if audit.retention is None:
        yield Gap(("audit", "retention"), "no retention period for audit records")
    elif audit.retention.seconds < minimum.seconds:
        yield Gap(("audit", "retention"), f"audit records are kept {audit.retention}; the policy asks for {minimum}")
    if audit.indexed_by is None:
        yield Gap(("audit", "indexed_by"), "audit records are not indexed by a case or transaction id")


@rule(
    "AUD-004",
    "Someone who does not write code can query the audit trail",
    severity="error",
    from_stage=SOR,
    dimension=DIM,
    rationale="Risk and compliance read the record themselves; an audit trail only engineers can query is not one.",
    source="004 · invariant 6: queryable by someone who doesn't write Python",
)
def _audit_query(ctx: RuleContext) -> Outcomes:
    audit = ctx.spec.audit
    if audit is None:
        yield NotApplicable("there is no audit trail (AUD-001 asks for one)")
    elif audit.query is None:
        yield Gap(("audit", "query"), "no tool for reading the audit trail without code")
    elif not audit.query.who:
        yield Gap(("audit", "query", "who"), "no role is named as able to query the audit trail")


@rule(
    "AUD-005",
    "Audit records are append-only",
    severity="warning",
    from_stage=SOR,
    dimension=DIM,
    rationale="An audit record that can be edited proves nothing when a decision is challenged.",
    source="002 · immutable audit logs for all AI decisions",
)
def _audit_immutable(ctx: RuleContext) -> Outcomes:
    audit = ctx.spec.audit
    if audit is None:
        yield NotApplicable("there is no audit trail (AUD-001 asks for one)")
    elif not audit.immutable:
        yield Gap(("audit", "immutable"), "audit records are not marked immutable (append-only)")
