"""Annex A and B of the definition: open readiness findings and active waivers."""

from __future__ import annotations

from specgen.rules import SpecReport
from specgen.sow.context import Context, label_of
from specgen.sow.model import NOT_STATED, Annex, AnnexFinding, AnnexWaiver

__all__ = ["annex"]


def annex(ctx: Context, report: SpecReport | None) -> Annex:
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
                severity=label_of(f.severity),
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
