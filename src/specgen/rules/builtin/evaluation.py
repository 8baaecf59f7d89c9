"""Rules on acceptance: conditions, the evaluation harness, the red-team harness, the readiness review."""

from __future__ import annotations

from collections.abc import Iterator

from specgen.rules import facts
from specgen.rules.context import Gap, NotApplicable, RuleContext
from specgen.rules.registry import rule
from specgen.spec.schema import (
    AttackClass,
    EvalScoring,
    EvaluationHarness,
    RedTeamHarness,
    Severity,
    Stage,
)

Outcomes = Iterator[Gap | NotApplicable]
LR, SOR = Stage.limited_rollout, Stage.system_of_record
DIM = "runtime_verification"
EVAL = ("acceptance", "evaluation")
RED = ("acceptance", "red_team")


def _harness(ctx: RuleContext) -> EvaluationHarness | None:
    return ctx.spec.acceptance.evaluation if ctx.spec.acceptance else None


def _red_team(ctx: RuleContext) -> RedTeamHarness | None:
    return ctx.spec.acceptance.red_team if ctx.spec.acceptance else None


NO_HARNESS = NotApplicable("there is no evaluation harness (EVAL-001 asks for one)")
NO_RED_TEAM = NotApplicable("there is no red-team harness (RED-001 asks for one)")


@rule(
    "EVAL-001",
    "An evaluation harness scores a golden set automatically",
    severity="error",
    from_stage=LR,
    dimension=DIM,
    rationale="The harness defines what 'working' means; it is the highest-leverage control, and most pilots skip it.",
    source="004 · invariant 3: an evaluation harness running in CI; evaluation on week one",
)
def _harness_exists(ctx: RuleContext) -> Outcomes:
    harness = _harness(ctx)
    if harness is None:
        yield Gap(EVAL, "no evaluation harness")
        return
    minimum = ctx.thresholds.golden_set_min_rollout
    if harness.golden_set is None:
        yield Gap((*EVAL, "golden_set"), "the evaluation harness has no golden set")
    elif harness.golden_set.size < minimum:
        yield Gap(
            (*EVAL, "golden_set", "size"),
            f"the golden set holds {harness.golden_set.size} inputs; limited rollout needs at least {minimum}",
        )
    if harness.scoring not in (EvalScoring.automated, EvalScoring.mixed):
        yield Gap((*EVAL, "scoring"), "scoring is not automated (automated or mixed)")


@rule(
    "EVAL-002",
    "The golden set is large enough for production (policy default: 100 inputs)",
    severity="error",
    from_stage=SOR,
    dimension=DIM,
    rationale="A curated set of 100-500 representative inputs covers the long tail a pilot never sees.",
    source="004 · invariant 3: a curated golden set of 100-500 representative inputs",
)
def _golden_size(ctx: RuleContext) -> Outcomes:
    harness = _harness(ctx)
    if harness is None or harness.golden_set is None:
        yield NotApplicable("there is no golden set (EVAL-001 asks for one)")
        return
    minimum = ctx.thresholds.golden_set_min
    if harness.golden_set.size < minimum:
        yield Gap(
            (*EVAL, "golden_set", "size"),
            f"the golden set holds {harness.golden_set.size} inputs; system of record needs at least {minimum}",
        )


@rule(
    "EVAL-003",
    "The harness runs on every change and every model update",
    severity="error",
    from_stage=LR,
    dimension=DIM,
    rationale="Every pull request and every vendor model update runs against the harness, so regressions are caught.",
    source="004 · invariant 3: every PR, vendor model update and release runs against it; diagnostic question 3",
)
def _harness_triggers(ctx: RuleContext) -> Outcomes:
    yield from facts.harness_runs_in_ci(ctx).outcomes()


@rule(
    "EVAL-004",
    "Regressions raise an alert and production samples feed the golden set",
    severity="error",
    from_stage=SOR,
    dimension=DIM,
    rationale="A harness that nobody hears from, fed only by the original curation, drifts away from real traffic.",
    source="004 · invariant 3: regression alerts and production sampling feeding back into the set",
)
def _harness_feedback(ctx: RuleContext) -> Outcomes:
    harness = _harness(ctx)
    if harness is None:
        yield NO_HARNESS
        return
    if harness.regression_alert is None:
        yield Gap((*EVAL, "regression_alert"), "no alert fires on an evaluation regression")
    if harness.production_sampling is None or harness.production_sampling.fraction == 0:
        yield Gap((*EVAL, "production_sampling"), "no production traffic is sampled back into evaluation")


@rule(
    "EVAL-005",
    "Consequential decisions are evaluated per slice",
    severity="error",
    from_stage=SOR,
    dimension=DIM,
    rationale="An overall score hides groups the system fails; decisions that affect people report metrics per group.",
    source="Model Cards · performance metrics by slice; NIST AI RMF MEASURE 2.11",
)
def _slices(ctx: RuleContext) -> Outcomes:
    consequential = [d.id for d in ctx.spec.decisions if d.consequential]
    if not consequential:
        yield NotApplicable("no decision is marked consequential")
        return
    harness = _harness(ctx)
    if harness is None:
        yield NO_HARNESS
        return
    if not any(m.slice != "all" for m in harness.metrics):
        yield Gap(
            (*EVAL, "metrics"),
            f"consequential decisions ({', '.join(consequential)}) but no evaluation metric for a named slice",
        )


@rule(
    "EVAL-006",
    "The latest evaluation result is signed, passed and covers this version",
    severity="error",
    from_stage=SOR,
    dimension=DIM,
    rationale="Test evidence is dated and signed, and it is evidence about the version that is running.",
    source="EU AI Act Annex IV 2(g): test logs dated and signed; 004 · evaluation harness",
)
def _results(ctx: RuleContext) -> Outcomes:
    harness = _harness(ctx)
    if harness is None:
        yield NO_HARNESS
        return
    if not harness.results:
        yield Gap((*EVAL, "results"), "no dated, signed evaluation result")
        return
    index, latest = max(enumerate(harness.results), key=lambda item: (item[1].date, item[0]))
    if not latest.passed:
        yield Gap((*EVAL, "results", index, "passed"), f"the latest evaluation ({latest.date}) did not pass")
    if latest.version != ctx.spec.version:
        yield Gap(
            (*EVAL, "results", index, "version"),
            f"the latest evaluation is of version {latest.version}; this spec is version {ctx.spec.version}",
        )


@rule(
    "EVAL-007",
    "Every decision has a measurable acceptance condition",
    severity="error",
    from_stage=LR,
    dimension=DIM,
    rationale="Release conditions make 'done' measurable for each decision instead of an argument from memory.",
    source="001 · specification layer: release conditions; 000 · where acceptance conditions live",
)
def _conditions(ctx: RuleContext) -> Outcomes:
    conditions = ctx.spec.conditions
    if not conditions:
        yield Gap(("acceptance", "conditions"), "no acceptance conditions")
        return
    covered = {d for c in conditions for d in c.decisions}
    for i, decision in enumerate(ctx.spec.decisions):
        if decision.id not in covered:
            yield Gap(("decisions", i, "id"), f"decision '{decision.id}' is covered by no acceptance condition")


@rule(
    "EVAL-008",
    "Every acceptance condition names its evidence and who is responsible",
    severity="warning",
    from_stage=SOR,
    dimension=DIM,
    rationale="The readiness definition says what evidence is delivered for each criterion and who answers for it.",
    source="004 · production-readiness definition: evidence and responsibility per criterion",
)
def _condition_evidence(ctx: RuleContext) -> Outcomes:
    if not ctx.spec.conditions:
        yield NotApplicable("there are no acceptance conditions (EVAL-007 asks for them)")
    for i, condition in enumerate(ctx.spec.conditions):
        if condition.evidence is None:
            yield Gap(("acceptance", "conditions", i, "evidence"), f"condition '{condition.id}' names no evidence")
        if condition.responsible is None:
            yield Gap(
                ("acceptance", "conditions", i, "responsible"), f"condition '{condition.id}' names no responsible role"
            )


@rule(
    "RED-001",
    "A red-team harness probes the system",
    severity="error",
    from_stage=LR,
    dimension=DIM,
    rationale="Adversarial probes show how the system behaves when someone tries to misuse it.",
    source="004 · invariant 4: a red-team harness the CISO trusts",
)
def _red_team_exists(ctx: RuleContext) -> Outcomes:
    red = _red_team(ctx)
    if red is None:
        yield Gap(RED, "no red-team harness")
    elif red.total_probes == 0:
        yield Gap((*RED, "probe_sets"), "the red-team harness holds no probes")


@rule(
    "RED-002",
    "The red-team harness holds enough probes (policy default: 50)",
    severity="error",
    from_stage=SOR,
    dimension=DIM,
    rationale="Fifty probes is the floor below which red-team coverage does not convince an auditor.",
    source="004 · invariant 4: fifty probes minimum",
)
def _red_team_size(ctx: RuleContext) -> Outcomes:
    red = _red_team(ctx)
    if red is None:
        yield NO_RED_TEAM
        return
    minimum = ctx.thresholds.red_team_min
    if red.total_probes < minimum:
        yield Gap(
            (*RED, "probe_sets"),
            f"the red-team harness holds {red.total_probes} probes; system of record needs at least {minimum}",
        )


@rule(
    "RED-003",
    "Probes cover every attack class",
    severity="error",
    from_stage=SOR,
    dimension=DIM,
    rationale="Prompt injection, jailbreak, policy violation and data exfiltration fail differently; each is probed.",
    source="004 · invariant 4: organised by attack class",
)
def _attack_classes(ctx: RuleContext) -> Outcomes:
    red = _red_team(ctx)
    if red is None:
        yield NO_RED_TEAM
        return
    probed = {p.attack_class for p in red.probe_sets if p.probes > 0}
    missing = [a.value for a in AttackClass if a not in probed]
    if missing:
        yield Gap((*RED, "probe_sets"), f"no probes for: {', '.join(missing)}")


@rule(
    "RED-004",
    "Red-team findings have an owner and response times by severity",
    severity="error",
    from_stage=SOR,
    dimension=DIM,
    rationale="A finding without a severity, a response time and an owner waits until it is an incident.",
    source="004 · invariant 4: severity taxonomy and response SLAs",
)
def _red_team_slas(ctx: RuleContext) -> Outcomes:
    red = _red_team(ctx)
    if red is None:
        yield NO_RED_TEAM
        return
    covered = {s.severity for s in red.response_slas}
    missing = [s.value for s in (Severity.sev1, Severity.sev2) if s not in covered]
    if missing:
        yield Gap((*RED, "response_slas"), f"no response time for {', '.join(missing)} findings")
    if red.owner is None:
        yield Gap((*RED, "owner"), "nobody owns the red-team catalogue")


@rule(
    "RED-005",
    "The system passed a CISO-level production-readiness review",
    severity="error",
    from_stage=SOR,
    dimension="governance_design",
    rationale="The security review is the gate an external auditor looks for first.",
    source="004 · invariant 4 and diagnostic question 4: a CISO-level production-readiness review",
)
def _readiness_review(ctx: RuleContext) -> Outcomes:
    yield from facts.readiness_review(ctx).outcomes()
