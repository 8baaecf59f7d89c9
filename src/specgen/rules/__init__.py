"""Production-readiness rules: what separates a pilot from a production system.

The public API::

    report = check_portfolio(load_portfolio(["specs"]))      # PortfolioReport
    for spec_report in report.specs:
        spec_report.findings, spec_report.reached_stage, spec_report.diagnostic
    all_rules(project)                                        # every Rule, sorted by id

Rules are data: each is a small function registered with its metadata (id,
title, severity, first stage, dimension, rationale, source) by the
:func:`~specgen.rules.registry.rule` decorator. A new rule is one more
decorated function in one of the modules listed in ``RULE_MODULES``; the
engine (:mod:`.engine`), the reports (:mod:`.report`) and ``specgen rules``
pick it up with no other change. Organisations add declarative rules and
waivers in the project file (:mod:`.policy`).
"""

from __future__ import annotations

from specgen.rules import builtin, signs
from specgen.rules.context import Gap, NotApplicable, RuleContext
from specgen.rules.engine import all_rules, check_portfolio, check_spec
from specgen.rules.model import (
    DiagnosticAnswer,
    DiagnosticReading,
    Dimension,
    Finding,
    PortfolioReport,
    Rule,
    RuleKind,
    SpecReport,
)
from specgen.rules.questionnaire import diagnose, reading_for
from specgen.rules.registry import rule

RULE_MODULES = (*builtin.MODULES, signs)
"""Modules whose import registers rules."""

__all__ = [
    "RULE_MODULES",
    "DiagnosticAnswer",
    "DiagnosticReading",
    "Dimension",
    "Finding",
    "Gap",
    "NotApplicable",
    "PortfolioReport",
    "Rule",
    "RuleContext",
    "RuleKind",
    "SpecReport",
    "all_rules",
    "check_portfolio",
    "check_spec",
    "diagnose",
    "reading_for",
    "rule",
]
