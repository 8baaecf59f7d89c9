"""The one evaluator: runs every rule on every spec and applies stages and waivers.

Every rule is run on every spec whatever its stage, so the report can say the
highest stage a spec reaches (stages add up: a stage is reached when its
checks and all lower ones pass). The stage the spec is checked at (declared,
or asked for with ``stage=``) decides which results are findings and which are
not applicable, with the reason. Nothing here prints, reads files or depends
on the clock except through ``today``, which only decides whether a waiver has
expired.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from specgen import clock, derivation
from specgen.diagnostics import Diagnostic, Level, format_path
from specgen.gcpause import paused_gc
from specgen.rules.context import Gap, NotApplicable, RuleContext
from specgen.rules.memo import Outcome, outcome_key, pack, project_digest, unpack
from specgen.rules.model import DiagnosticReading, Finding, PortfolioReport, Rule, RuleKind, SpecReport
from specgen.rules.policy import policy_diagnostics, policy_rules, waivers_for
from specgen.rules.questionnaire import diagnose
from specgen.rules.registry import BUILTIN
from specgen.spec.loader import LoadedSpec, Portfolio
from specgen.spec.memo import Memo, restored
from specgen.spec.schema import Project, Stage, Waiver, WaiverSeverity
from specgen.spec.yamlsrc import Path_

__all__ = ["all_rules", "check_portfolio", "check_spec"]


def all_rules(project: Project | None = None) -> list[Rule]:
    """The built-in rules plus the project's declarative rules, sorted by id."""
    rules = list(BUILTIN)
    if project is not None:
        rules.extend(policy_rules(project, frozenset(r.id for r in rules)))
    return sorted(rules, key=lambda r: r.id)


def _effective(rule: Rule, waiver: Waiver | None) -> Level | None:
    """The severity a rule's findings get under a waiver; None when the waiver turns it off."""
    if waiver is None:
        return rule.severity
    return None if waiver.severity is WaiverSeverity.off else Level(waiver.severity.value)


def _finding(
    rule: Rule, gap: tuple[Path_, str, int, int], loaded: LoadedSpec, severity: Level, waiver: Waiver | None
) -> Finding:
    path, message, line, column = gap
    return Finding(
        rule_id=rule.id,
        title=rule.title,
        severity=severity,
        dimension=rule.dimension,
        message=message,
        rationale=rule.rationale,
        source=rule.source,
        spec_id=loaded.spec.id,
        file=loaded.source.name,
        line=line,
        column=column,
        path=format_path(path),
        waiver=waiver,
        kind=rule.kind,
    )


def _outcomes(ctx: RuleContext, loaded: LoadedSpec, rules: Sequence[Rule]) -> dict[str, Outcome]:
    """Run every rule: why it does not apply, or its gaps, located in the spec's file."""
    found: dict[str, Outcome] = {}
    for rule in rules:
        if rule.check is None:
            continue
        outcomes = list(rule.check(ctx))
        reason = next((o.reason for o in outcomes if isinstance(o, NotApplicable)), None)
        gaps = []
        if reason is None:
            for gap in outcomes:
                if isinstance(gap, Gap):
                    _, line, column = loaded.locate(gap.path)
                    gaps.append((tuple(gap.path), gap.message, line, column))
        found[rule.id] = (reason, gaps)
    return found


def _reached(blocking_ranks: list[int]) -> Stage | None:
    """The highest stage below the lowest stage that has a blocking (error) failure."""
    stages = list(Stage)
    lowest = min(blocking_ranks, default=len(stages))
    return stages[lowest - 1] if lowest > 0 else None


def check_spec(
    loaded: LoadedSpec,
    project: Project,
    *,
    stage: Stage | None = None,
    today: dt.date | None = None,
    rules: Sequence[Rule] | None = None,
    memo: Memo | None = None,
    memo_key: str | None = None,
) -> SpecReport:
    """Check one spec at ``stage`` (default: its declared stage). With a
    ``memo`` (the build cache), the rules' outcomes are reused when nothing
    they depend on changed (:mod:`specgen.rules.memo`; ``memo_key``: its
    :func:`~specgen.rules.memo.outcome_key`, when already known)."""
    own = rules is None
    chosen = all_rules(project) if rules is None else rules
    return _check(loaded, project, stage, clock.today(today), chosen, own_rules=own, memo=memo, memo_key=memo_key)


def _check(
    loaded: LoadedSpec,
    project: Project,
    stage: Stage | None,
    day: dt.date,
    rules: Sequence[Rule],
    *,
    own_rules: bool,
    memo: Memo | None,
    memo_key: str | None,
) -> SpecReport:
    """:func:`check_spec`; ``own_rules``: ``rules`` are the project's own
    (:func:`all_rules`), which the cache key covers, so a report made with a
    key is marked as derived from it (:mod:`specgen.derivation`)."""
    spec = loaded.spec
    evaluated = stage or spec.stage
    active, expired = waivers_for(project, spec.id, day)
    checked = [rule for rule in rules if rule.check is not None]
    ids = [rule.id for rule in checked]
    variant = f"report {evaluated.value} {','.join(ids)}"
    key = None
    if memo is not None:
        key = memo_key if memo_key is not None else outcome_key(loaded, project_digest(project), day)

    def report(outcomes: dict[str, Outcome], reading: DiagnosticReading) -> SpecReport:
        made = _report(loaded, evaluated, checked, outcomes, reading, active, expired)
        if key is not None and own_rules:  # the key and variant cover every input of the report
            derivation.mark(made, "report", key, variant)
        return made

    if memo is not None and key is not None:
        # the report made from the stored outcomes; a memo that keeps objects between the
        # builds of a process (specgen serve) hands back the report it made last time
        found = restored(
            memo, key, lambda value: None if (got := unpack(value, ids)) is None else report(*got), variant=variant
        )
        if found is not None:
            return found
    ctx = RuleContext(spec, project, loaded=loaded, today=day)
    outcomes, reading = _outcomes(ctx, loaded, checked), diagnose(ctx)
    if memo is not None and key is not None:
        memo.put(key, pack(outcomes, reading))
    return report(outcomes, reading)


def _report(
    loaded: LoadedSpec,
    evaluated: Stage,
    checked: Sequence[Rule],
    outcomes: dict[str, Outcome],
    reading: DiagnosticReading,
    active: list[Waiver],
    expired: list[Waiver],
) -> SpecReport:
    """A spec's report from its rules' outcomes, its waivers and the stage it is checked at."""
    spec = loaded.spec
    waiver_by_rule: dict[str, Waiver] = {}
    for waiver in active:
        waiver_by_rule.setdefault(waiver.rule, waiver)
    findings: list[Finding] = []
    waived: list[Finding] = []
    passed: list[str] = []
    not_applicable: list[tuple[str, str]] = []
    blocking: list[int] = []
    for rule in checked:
        reason, gaps = outcomes[rule.id]
        waiver = waiver_by_rule.get(rule.id)
        severity = _effective(rule, waiver)
        if gaps and severity is Level.error:
            blocking.append(rule.from_stage.rank)
        if not rule.applies_to(evaluated):
            not_applicable.append((rule.id, f"applies from {rule.from_stage.label}; checked at {evaluated.label}"))
        elif reason is not None:
            not_applicable.append((rule.id, reason))
        elif not gaps:
            passed.append(rule.id)
        else:
            target = waived if severity is None else findings
            target.extend(_finding(rule, gap, loaded, severity or rule.severity, waiver) for gap in gaps)
    findings.sort(key=Finding.sort_key)
    waived.sort(key=Finding.sort_key)
    return SpecReport(
        spec_id=spec.id,
        title=spec.title,
        file=loaded.source.name,
        declared_stage=spec.stage,
        evaluated_stage=evaluated,
        findings=findings,
        passed=passed,
        not_applicable=not_applicable,
        diagnostic=reading,
        warning_signs=[f for f in findings if f.kind is RuleKind.warning_sign],
        waivers=active,
        expired_waivers=expired,
        reached_stage=_reached(blocking),
        waived=waived,
    )


def check_portfolio(
    portfolio: Portfolio,
    *,
    stage: Stage | None = None,
    today: dt.date | None = None,
    memo: Memo | None = None,
) -> PortfolioReport:
    """Check every valid spec of a portfolio; load, validation and policy problems become diagnostics.

    ``stage=None`` checks each spec at its declared stage; ``today=None`` is
    today's date, used only to tell whether a waiver has expired. With a
    ``memo`` (the build cache), the rules' outcomes for a spec whose file,
    evidence and project did not change are reused (:mod:`specgen.rules.memo`):
    the same report, without running the rules again.
    """
    day = clock.today(today)
    rules = all_rules(portfolio.project)
    builtin_ids = frozenset(r.id for r in BUILTIN)
    diagnostics: list[Diagnostic] = [
        *portfolio.diagnostics,
        *policy_diagnostics(portfolio.project, portfolio.project_source, day, builtin_ids),
    ]
    diagnostics.sort(key=Diagnostic.sort_key)
    with paused_gc(freeze=True):  # findings are many small long-lived objects; see specgen.gcpause
        project = project_digest(portfolio.project) if memo is not None else ""
        specs = [
            _check(
                loaded,
                portfolio.project,
                stage,
                day,
                rules,
                own_rules=True,
                memo=memo,
                memo_key=outcome_key(loaded, project, day) if memo is not None else None,
            )
            for loaded in portfolio.specs
            if portfolio.project_valid  # no verdicts against the defaults standing in for a broken project file
        ]
    return PortfolioReport(specs=specs, diagnostics=diagnostics, rules=rules)
