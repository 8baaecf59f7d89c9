"""The production-readiness definition for a statement of work.

:func:`definition` turns one validated spec into a :class:`~specgen.sow.model.Definition`:
numbered clauses (scope and stage, scorecard, acceptance and evaluation, red
team, runtime controls, audit trail, runbooks and on-call, change control,
exit and handover; see :mod:`specgen.sow.clauses`), each with measurable
acceptance criteria taken from the spec, the evidence to be delivered and the
responsible party; an annex with the open readiness findings and active
waivers (:mod:`specgen.sow.annex`); and the sign-off table. The definition is
built once, as data, and rendered twice: to Markdown by
:func:`specgen.sow.markdown.render_markdown` (through the user-overridable
template ``sow/definition.md.j2``) and to Word by :mod:`specgen.sow.docx`.

Every rendering states the spec's version and content fingerprint, so a signed
document is tied to exactly one version of the spec. Spec text is untrusted:
everything it contributes to the Markdown is escaped (see :func:`specgen.text.sow_markdown`).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from specgen.rules import PortfolioReport, SpecReport
from specgen.sow.annex import annex
from specgen.sow.clauses import clauses
from specgen.sow.context import Context
from specgen.sow.model import NOT_STATED, Definition, SignoffRow
from specgen.spec.loader import Portfolio
from specgen.spec.schema import Project, SignoffArea, Spec

if TYPE_CHECKING:
    from specgen.evidence import SpecEvidence

__all__ = ["definition", "definitions"]

_AREA_LABELS = {
    SignoffArea.engineering: "Engineering",
    SignoffArea.security: "Security",
    SignoffArea.risk_compliance: "Risk and compliance",
    SignoffArea.business_sponsor: "Business sponsor",
    SignoffArea.finance: "Finance (scorecard)",
}


def _signoff(ctx: Context) -> tuple[SignoffRow, ...]:
    rows = []
    for area in SignoffArea:
        parties = [p for p in ctx.spec.signoff if p.area is area]
        if not parties:
            rows.append(SignoffRow(_AREA_LABELS[area], "to be named", "", ""))
        for party in parties:
            person = ctx.roster.holder(party.role)
            rows.append(
                SignoffRow(
                    _AREA_LABELS[area],
                    ctx.roster.role_title(party.role),
                    person.name if person else "holder not named",
                    (person.organisation or "") if person else "",
                )
            )
    return tuple(rows)


def _released(spec: Spec) -> dt.date | None:
    changelog = spec.change_control.changelog if spec.change_control else []
    dates = [e.date for e in changelog if e.version == spec.version]
    return max(dates) if dates else None


def definition(
    spec: Spec, project: Project, *, report: SpecReport | None = None, evidence: SpecEvidence | None = None
) -> Definition:
    """The production-readiness definition of ``spec``.

    ``project`` resolves roles and people (the responsible parties, the
    sign-off table) and the policy thresholds quoted as minimums; ``report``
    (a :class:`specgen.rules.SpecReport` for this spec) fills the annex of open
    findings and active waivers; ``evidence`` (the spec's recorded evidence)
    lists what was measured under each criterion. Pure: reads nothing, writes nothing.
    """
    ctx = Context(spec, project, evidence)
    released = _released(spec)
    print_fp = ctx.fingerprint
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
        clauses=clauses(ctx),
        annex=annex(ctx, report),
        signoff=_signoff(ctx),
        document_control=control,
    )


def definitions(portfolio: Portfolio, *, report: PortfolioReport | None = None) -> list[Definition]:
    """One definition per spec of ``portfolio``, in its order.

    ``report`` is a :class:`specgen.rules.PortfolioReport` (or None); each spec
    gets the :class:`SpecReport` with its id.
    """
    from specgen.evidence import spec_evidence

    by_id = {r.spec_id: r for r in report.specs} if report is not None else {}
    return [
        definition(s.spec, portfolio.project, report=by_id.get(s.spec.id), evidence=spec_evidence(s, portfolio.project))
        for s in portfolio.specs
    ]
