"""What the readiness check produces: rules, findings and reports, as plain data.

These dataclasses are the contract between the rule engine and everything that
renders its results (the CLI report, the handover site, the statement-of-work
document). They hold no logic beyond look-ups and ``to_dict`` serialisation,
which is stable (field order fixed, enums as their values) so JSON output is
byte-identical for the same inputs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import Enum
from typing import TYPE_CHECKING, Any

from specgen.diagnostics import Diagnostic, Level
from specgen.spec.schema import Stage, Waiver

if TYPE_CHECKING:
    from specgen.rules.context import Gap, NotApplicable, RuleContext

__all__ = [
    "CheckFn",
    "DiagnosticAnswer",
    "DiagnosticReading",
    "Dimension",
    "Finding",
    "PortfolioReport",
    "Rule",
    "RuleKind",
    "SpecReport",
]


class Dimension(str, Enum):
    """The five buying dimensions of a production AI system (seed 000)."""

    workflow_ownership = "workflow_ownership"
    governance_design = "governance_design"
    runtime_verification = "runtime_verification"
    operating_support = "operating_support"
    exit_readiness = "exit_readiness"

    @property
    def label(self) -> str:
        """As people write it: 'Workflow ownership'."""
        return self.value.replace("_", " ").capitalize()

    @property
    def rank(self) -> int:
        """Position in the order the seed lists the dimensions."""
        return list(Dimension).index(self)


class RuleKind(str, Enum):
    """Where a rule comes from."""

    builtin = "builtin"
    """A production-readiness rule shipped with specgen."""
    warning_sign = "warning_sign"
    """One of the six signs (seed 000) that a buyer is still looking at a pilot."""
    policy = "policy"
    """A declarative rule from the organisation's project file."""


CheckFn = Callable[["RuleContext"], Iterable["Gap | NotApplicable"]]
"""A rule's check: yields one :class:`Gap` per problem, or one
:class:`NotApplicable` when the rule does not concern this spec."""


def _stage_list(from_stage: Stage) -> list[Stage]:
    return [s for s in Stage if s.rank >= from_stage.rank]


@dataclass(frozen=True)
class Rule:
    """One production-readiness requirement and the metadata a reviewer argues with."""

    id: str
    title: str
    severity: Level
    from_stage: Stage
    """The first stage the rule applies at; stages add up, so it applies above too."""
    dimension: Dimension
    rationale: str
    source: str
    """Which seed, invariant, layer or standard the rule comes from."""
    kind: RuleKind = RuleKind.builtin
    check: CheckFn | None = field(default=None, compare=False, repr=False)

    @property
    def stages(self) -> list[Stage]:
        """Every stage the rule applies at."""
        return _stage_list(self.from_stage)

    def applies_to(self, stage: Stage) -> bool:
        """Whether the rule is checked for a spec at ``stage``."""
        return stage.rank >= self.from_stage.rank

    def to_dict(self) -> dict[str, Any]:
        """The rule's metadata (the check itself is code and is left out)."""
        return {
            "id": self.id,
            "title": self.title,
            "severity": self.severity.value,
            "from_stage": self.from_stage.value,
            "stages": [s.value for s in self.stages],
            "dimension": self.dimension.value,
            "rationale": self.rationale,
            "source": self.source,
            "kind": self.kind.value,
        }


def _waiver_dict(waiver: Waiver | None) -> dict[str, Any] | None:
    return None if waiver is None else waiver.model_dump(mode="json")


@dataclass(frozen=True)
class Finding:
    """A rule that fails for one spec, at the most specific field that exists.

    ``severity`` is the effective one: a waiver may have lowered or raised it.
    """

    rule_id: str
    title: str
    severity: Level
    dimension: Dimension
    message: str
    rationale: str
    source: str
    spec_id: str
    file: str
    line: int
    column: int
    path: str
    waiver: Waiver | None = None
    kind: RuleKind = RuleKind.builtin

    @property
    def location(self) -> str:
        """``file:line:column``."""
        return f"{self.file}:{self.line}:{self.column}"

    def sort_key(self) -> tuple[int, int, str, str, int, int, str]:
        """Errors first, then by dimension, rule, place."""
        return (
            self.severity.rank,
            self.dimension.rank,
            self.rule_id,
            self.file,
            self.line,
            self.column,
            self.message,
        )

    def to_dict(self) -> dict[str, Any]:
        """Plain data for JSON output and templates."""
        return {
            "rule_id": self.rule_id,
            "title": self.title,
            "severity": self.severity.value,
            "dimension": self.dimension.value,
            "kind": self.kind.value,
            "message": self.message,
            "rationale": self.rationale,
            "source": self.source,
            "spec_id": self.spec_id,
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "path": self.path,
            "waiver": _waiver_dict(self.waiver),
        }

    def as_diagnostic(self) -> Diagnostic:
        """The finding as a located :class:`Diagnostic` (code = rule id)."""
        return Diagnostic(self.file, self.line, self.column, self.path, self.message, self.severity, self.rule_id)


@dataclass
class DiagnosticAnswer:
    """One of the ten diagnostic questions (seed 004), answered from the spec."""

    number: int
    question: str
    answer: bool
    evidence: str
    """The field(s) the answer rests on, e.g. 'scorecard.metric.baseline = 46, target = 4'."""

    def to_dict(self) -> dict[str, Any]:
        """Plain data."""
        return {"number": self.number, "question": self.question, "answer": self.answer, "evidence": self.evidence}


@dataclass
class DiagnosticReading:
    """The ten answers, the number of yeses and the stage reading they give."""

    answers: list[DiagnosticAnswer]
    yes_count: int
    reading: str

    def to_dict(self) -> dict[str, Any]:
        """Plain data."""
        return {
            "answers": [a.to_dict() for a in self.answers],
            "yes_count": self.yes_count,
            "reading": self.reading,
        }


@dataclass
class SpecReport:
    """Everything the check found for one spec."""

    spec_id: str
    title: str
    file: str
    declared_stage: Stage
    evaluated_stage: Stage
    findings: list[Finding]
    """Failing rules (warning signs included), errors first."""
    passed: list[str]
    """Ids of the rules that apply and pass."""
    not_applicable: list[tuple[str, str]]
    """(rule id, reason) for every rule that does not apply, with why."""
    diagnostic: DiagnosticReading
    warning_signs: list[Finding]
    """The findings that are warning signs (also in ``findings``)."""
    waivers: list[Waiver]
    """Active waivers that concern this spec."""
    expired_waivers: list[Waiver]
    """Waivers for this spec that have expired (their rules apply again)."""
    reached_stage: Stage | None
    """Highest stage whose checks, and all lower ones, pass; None if not even experimentation."""
    waived: list[Finding] = field(default_factory=list)
    """Findings switched off by an active waiver (kept so the buyer sees them)."""

    @property
    def errors(self) -> list[Finding]:
        """Error-severity findings."""
        return [f for f in self.findings if f.severity is Level.error]

    @property
    def warnings(self) -> list[Finding]:
        """Warning-severity findings."""
        return [f for f in self.findings if f.severity is Level.warning]

    @property
    def ok(self) -> bool:
        """True when no error-severity finding remains at the evaluated stage."""
        return not self.errors

    @property
    def reaches_evaluated_stage(self) -> bool:
        """Whether the spec reaches the stage it was checked at."""
        return self.reached_stage is not None and self.reached_stage.rank >= self.evaluated_stage.rank

    def to_dict(self) -> dict[str, Any]:
        """Plain data for JSON output and templates."""
        return {
            "spec_id": self.spec_id,
            "title": self.title,
            "file": self.file,
            "declared_stage": self.declared_stage.value,
            "evaluated_stage": self.evaluated_stage.value,
            "reached_stage": self.reached_stage.value if self.reached_stage else None,
            "ok": self.ok,
            "counts": {
                "errors": len(self.errors),
                "warnings": len(self.warnings),
                "info": len(self.findings) - len(self.errors) - len(self.warnings),
                "passed": len(self.passed),
                "not_applicable": len(self.not_applicable),
                "waived": len(self.waived),
            },
            "findings": [f.to_dict() for f in self.findings],
            "passed": list(self.passed),
            "not_applicable": [{"rule_id": rid, "reason": reason} for rid, reason in self.not_applicable],
            "warning_signs": [f.rule_id for f in self.warning_signs],
            "waived": [f.to_dict() for f in self.waived],
            "waivers": [_waiver_dict(w) for w in self.waivers],
            "expired_waivers": [_waiver_dict(w) for w in self.expired_waivers],
            "diagnostic": self.diagnostic.to_dict(),
        }


@dataclass
class PortfolioReport:
    """The check of every spec loaded, plus load, validation and policy problems."""

    specs: list[SpecReport]
    diagnostics: list[Diagnostic]
    """Problems that stopped a spec from being checked, and problems in the policy."""
    rules: list[Rule] = field(default_factory=list)
    """The rules that were checked (built-in and the project's), sorted by id."""

    @property
    def ok(self) -> bool:
        """No error diagnostic and no spec with an error finding."""
        return not any(d.level is Level.error for d in self.diagnostics) and all(s.ok for s in self.specs)

    def to_dict(self) -> dict[str, Any]:
        """Plain data for JSON output and templates."""
        return {
            "ok": self.ok,
            "specs": [s.to_dict() for s in self.specs],
            "diagnostics": [d.to_dict() for d in self.diagnostics],
        }
