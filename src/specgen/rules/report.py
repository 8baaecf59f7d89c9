"""Formatting check results: readable text, JSON, GitHub annotations and SARIF 2.1.0.

Pure functions from a :class:`PortfolioReport` (or a list of rules) to a
string; the CLI prints what they return. Output is deterministic: specs in
load order, findings in a fixed order, no timestamps. Spec text is untrusted:
control characters (terminal escape sequences) are removed from text output,
and JSON/SARIF are produced by the JSON encoder only.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import replace
from pathlib import PurePath
from typing import Any

from specgen import __version__
from specgen.diagnostics import Diagnostic, Level, format_diagnostics
from specgen.rules.model import Dimension, Finding, PortfolioReport, Rule, RuleKind, SpecReport
from specgen.text import one_line, terminal

__all__ = ["REPORT_FORMATS", "RULES_FORMATS", "format_report", "format_rules", "sarif_log"]

REPORT_FORMATS = ("text", "json", "github", "sarif")
RULES_FORMATS = ("text", "json")

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_SARIF_LEVEL = {Level.error: "error", Level.warning: "warning", Level.info: "note"}
_INDENT = "    "


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


# ---------------------------------------------------------------- text


def _finding_lines(finding: Finding) -> list[str]:
    pad = _INDENT + " " * 20
    sign = " [warning sign]" if finding.kind is RuleKind.warning_sign else ""
    head = f"{_INDENT}{finding.severity.value:<8} {finding.rule_id:<10} {terminal(finding.title)}{sign}"
    where = f"{finding.location} {finding.path}".rstrip()
    lines = [head, f"{pad}{terminal(where)}", f"{pad}{terminal(finding.message)}"]
    if finding.waiver is not None:
        w = finding.waiver
        lines.append(
            f"{pad}waived to {w.severity.value} by {terminal(w.approved_by)} until {w.expires}: {terminal(w.reason)}"
        )
    lines.append(f"{pad}why: {terminal(finding.rationale)} (source: {terminal(finding.source)})")
    return lines


def _dimension_lines(report: SpecReport, rules_by_id: dict[str, Rule]) -> list[str]:
    blocks: list[tuple[bool, int, list[str]]] = []
    for dim in Dimension:
        failing = [f for f in report.findings if f.dimension is dim]
        passed = sum(1 for rid in report.passed if (r := rules_by_id.get(rid)) is not None and r.dimension is dim)
        counts = [_plural(n, level.value) for level in Level if (n := sum(1 for f in failing if f.severity is level))]
        counts.append(f"{passed} passed")
        lines = [f"  {dim.label}: {', '.join(counts)}"]
        for finding in failing:
            lines.extend(_finding_lines(finding))
        blocks.append((not failing, dim.rank, lines))
    out: list[str] = []
    for _, _, lines in sorted(blocks, key=lambda b: (b[0], b[1])):
        out.extend(lines)
    return out


def _not_applicable_lines(report: SpecReport, rules_by_id: dict[str, Rule]) -> list[str]:
    by_stage: dict[str, int] = {}
    reasoned: list[tuple[str, str]] = []
    for rule_id, reason in report.not_applicable:
        rule = rules_by_id.get(rule_id)
        if rule is not None and not rule.applies_to(report.evaluated_stage):
            by_stage[rule.from_stage.value] = by_stage.get(rule.from_stage.value, 0) + 1
        else:
            reasoned.append((rule_id, reason))
    if not report.not_applicable:
        return []
    lines = [f"  Not applicable: {len(report.not_applicable)}"]
    for rule_id, reason in reasoned:
        lines.append(f"{_INDENT}{rule_id:<10} {terminal(reason)}")
    for stage_value, count in by_stage.items():
        label = stage_value.replace("_", " ")
        lines.append(
            f"{_INDENT}{_plural(count, 'rule')} apply only from {label} "
            f"(see the gaps with: specgen check --stage {stage_value})"
        )
    return lines


def _waiver_lines(report: SpecReport) -> list[str]:
    lines: list[str] = []
    if report.waived:
        lines.append(f"  Switched off by a waiver: {len(report.waived)}")
        for finding in report.waived:
            lines.append(f"{_INDENT}{finding.rule_id:<10} {terminal(finding.location)} {terminal(finding.message)}")
    for title, waivers in (
        ("Waivers in force", report.waivers),
        ("Expired waivers (rules apply again)", report.expired_waivers),
    ):
        if waivers:
            lines.append(f"  {title}: {len(waivers)}")
            for w in waivers:
                lines.append(
                    f"{_INDENT}{w.rule:<10} {w.severity.value}, approved by {terminal(w.approved_by)}, "
                    f"expires {w.expires}: {terminal(w.reason)}"
                )
    return lines


def _diagnostic_lines(report: SpecReport) -> list[str]:
    reading = report.diagnostic
    lines = [f"  Ten-question diagnostic (004): {reading.yes_count} of 10 yes -> {reading.reading}"]
    for answer in reading.answers:
        word = "yes" if answer.answer else "no"
        lines.append(f"{_INDENT}{word:<4}{answer.number:>2}. {answer.question}")
        lines.append(f"{_INDENT}        {terminal(answer.evidence)}")
    return lines


def _stage_line(report: SpecReport) -> str:
    reached = report.reached_stage.label if report.reached_stage else "none (not even experimentation)"
    return (
        f"  stage: declared {report.declared_stage.label}; checked at {report.evaluated_stage.label}; reached {reached}"
    )


def _result_line(report: SpecReport) -> str:
    errors, warnings = len(report.errors), len(report.warnings)
    counts = f"{_plural(errors, 'error')}, {_plural(warnings, 'warning')}, {len(report.passed)} passed"
    if report.ok:
        return f"  result: OK at {report.evaluated_stage.label} ({counts})"
    return f"  result: FAILED at {report.evaluated_stage.label}: {_plural(errors, 'error')} to fix ({counts})"


def format_spec_text(report: SpecReport, rules: Sequence[Rule]) -> str:
    """The readable report of one spec."""
    rules_by_id = {r.id: r for r in rules}
    lines = [
        f"{terminal(report.spec_id)}: {terminal(report.title)} ({terminal(report.file)})",
        _stage_line(report),
        _result_line(report),
        "",
        *_dimension_lines(report, rules_by_id),
    ]
    for extra in (_not_applicable_lines(report, rules_by_id), _waiver_lines(report)):
        if extra:
            lines.extend(["", *extra])
    lines.extend(["", *_diagnostic_lines(report)])
    return "\n".join(lines)


def _summary(report: PortfolioReport) -> str:
    specs = report.specs
    reached = sum(1 for s in specs if s.reaches_evaluated_stage)
    errors = sum(len(s.errors) for s in specs)
    warnings = sum(len(s.warnings) for s in specs)
    broken = sum(1 for d in report.diagnostics if d.level is Level.error)
    parts = [
        f"{_plural(len(specs), 'spec')} checked",
        f"{reached} of {len(specs)} reach the stage checked",
        f"{_plural(errors, 'error')} and {_plural(warnings, 'warning')} in findings",
    ]
    if broken:
        parts.append(f"{_plural(broken, 'load, validation or policy error')}")
    verdict = "OK" if report.ok else "FAILED"
    return f"Portfolio: {verdict}: {'; '.join(parts)}"


def _portfolio_text(report: PortfolioReport, rules: Sequence[Rule]) -> str:
    sections: list[str] = []
    if report.diagnostics:
        sections.append(format_diagnostics(report.diagnostics, "text"))
    sections.extend(format_spec_text(s, rules) for s in report.specs)
    sections.append(_summary(report))
    return "\n\n".join(sections)


# ---------------------------------------------------------------- github


def _github(report: PortfolioReport) -> str:
    items = [replace(d, message=one_line(d.message)) for d in report.diagnostics]
    for spec in report.specs:
        items.extend(
            Diagnostic(f.file, f.line, f.column, f.path, one_line(f"{f.message} ({f.title})"), f.severity, f.rule_id)
            for f in spec.findings
        )
    return format_diagnostics(items, "github")


# ---------------------------------------------------------------- sarif


def _uri(file: str) -> str:
    return PurePath(file).as_posix()


def _sarif_rule(rule: Rule) -> dict[str, Any]:
    return {
        "id": rule.id,
        "name": rule.id.replace("-", ""),
        "shortDescription": {"text": rule.title},
        "fullDescription": {"text": rule.rationale},
        "help": {"text": f"{rule.rationale}\nApplies from: {rule.from_stage.label}.\nSource: {rule.source}"},
        "defaultConfiguration": {"level": _SARIF_LEVEL[rule.severity]},
        "properties": {
            "tags": [rule.dimension.value, rule.kind.value],
            "dimension": rule.dimension.label,
            "from_stage": rule.from_stage.value,
            "source": rule.source,
        },
    }


def _location(file: str, line: int, column: int) -> dict[str, Any]:
    return {
        "physicalLocation": {
            "artifactLocation": {"uri": _uri(file)},
            "region": {"startLine": max(line, 1), "startColumn": max(column, 1)},
        }
    }


def _sarif_result(finding: Finding, index: dict[str, int], suppressed: bool) -> dict[str, Any]:
    result: dict[str, Any] = {
        "ruleId": finding.rule_id,
        "level": _SARIF_LEVEL[finding.severity],
        "message": {"text": f"{finding.message} ({finding.title})"},
        "locations": [_location(finding.file, finding.line, finding.column)],
        "partialFingerprints": {"specgen/v1": f"{finding.spec_id}:{finding.rule_id}:{finding.path}"},
        "properties": {"spec": finding.spec_id, "path": finding.path, "dimension": finding.dimension.value},
    }
    if finding.rule_id in index:
        result["ruleIndex"] = index[finding.rule_id]
    if suppressed and finding.waiver is not None:
        w = finding.waiver
        result["suppressions"] = [
            {
                "kind": "external",
                "status": "accepted",
                "justification": f"{w.reason} (approved by {w.approved_by}, expires {w.expires})",
            }
        ]
    return result


def _sarif_diagnostic(d: Diagnostic) -> dict[str, Any]:
    return {
        "ruleId": f"specgen/{d.code}",
        "level": _SARIF_LEVEL[d.level],
        "message": {"text": f"{d.path}: {d.message}" if d.path else d.message},
        "locations": [_location(d.file, d.line, d.column)],
    }


def sarif_log(report: PortfolioReport, rules: Sequence[Rule] | None = None) -> dict[str, Any]:
    """The report as a SARIF 2.1.0 log (one run; waived findings carry a suppression)."""
    ordered = sorted(report.rules if rules is None else rules, key=lambda r: r.id)
    index = {r.id: i for i, r in enumerate(ordered)}
    results = [_sarif_diagnostic(d) for d in report.diagnostics]
    for spec in report.specs:
        results.extend(_sarif_result(f, index, suppressed=False) for f in spec.findings)
        results.extend(_sarif_result(f, index, suppressed=True) for f in spec.waived)
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "specgen",
                        "version": __version__,
                        "semanticVersion": __version__,
                        "rules": [_sarif_rule(r) for r in ordered],
                    }
                },
                "columnKind": "unicodeCodePoints",
                "results": results,
            }
        ],
    }


# ---------------------------------------------------------------- entry points


def format_report(report: PortfolioReport, fmt: str, rules: Sequence[Rule] | None = None) -> str:
    """Render a portfolio report as text, json, github or sarif (``rules``: default, those checked)."""
    rules = report.rules if rules is None else rules
    if fmt == "text":
        return _portfolio_text(report, rules)
    if fmt == "json":
        return json.dumps(report.to_dict(), indent=2, ensure_ascii=False)
    if fmt == "github":
        return _github(report)
    if fmt == "sarif":
        return json.dumps(sarif_log(report, rules), indent=2, ensure_ascii=False)
    raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(REPORT_FORMATS)}")


def format_rules(rules: Sequence[Rule], fmt: str = "text") -> str:
    """Every rule with its id, title, severity, stages, rationale and source."""
    if fmt == "json":
        return json.dumps([r.to_dict() for r in rules], indent=2, ensure_ascii=False)
    if fmt != "text":
        raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(RULES_FORMATS)}")
    lines: list[str] = []
    pad = "  " + " " * 11
    for dim in Dimension:
        chosen = [r for r in rules if r.dimension is dim]
        if not chosen:
            continue
        if lines:
            lines.append("")
        lines.append(f"{dim.label} ({len(chosen)})")
        for r in chosen:
            stages = ", ".join(s.label for s in r.stages)
            kind = "" if r.kind.value == "builtin" else f" [{r.kind.value.replace('_', ' ')}]"
            lines.append(f"  {r.id:<10} {r.severity.value:<7} {terminal(r.title)}{kind}")
            lines.append(f"{pad}stages: {stages}")
            lines.append(f"{pad}why: {terminal(r.rationale)}")
            lines.append(f"{pad}source: {terminal(r.source)}")
    lines.extend(["", f"{_plural(len(rules), 'rule')}"])
    return "\n".join(lines)
