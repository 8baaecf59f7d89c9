"""Helpers for the rule tests: edit spec data by dotted path, check one spec through the public API."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from specgen import load_portfolio
from specgen.diagnostics import Level
from specgen.rules import PortfolioReport, SpecReport, check_portfolio
from specgen.spec.schema import Stage
from tests.paths import PROJECT_FILE, dump_yaml

TODAY = dt.date(2026, 12, 15)
"""The fixed 'today' of the tests (waiver expiry)."""


def _parent(data: Any, dotted: str) -> tuple[Any, str | int]:
    parts: list[str | int] = [int(p) if p.isdigit() else p for p in dotted.split(".")]
    node = data
    for part in parts[:-1]:
        node = node[part]
    return node, parts[-1]


def get(data: Any, dotted: str) -> Any:
    """The value at ``a.b.0.c``."""
    node, last = _parent(data, dotted)
    return node[last]


def put(data: Any, dotted: str, value: Any) -> None:
    """Set the value at ``a.b.0.c``."""
    node, last = _parent(data, dotted)
    node[last] = value


def drop(data: Any, dotted: str) -> None:
    """Delete the key (or list item) at ``a.b.0.c``."""
    node, last = _parent(data, dotted)
    del node[last]


def project_data() -> dict[str, Any]:
    """The example project file as data."""
    return yaml.safe_load(PROJECT_FILE.read_text(encoding="utf-8"))


def write_project(folder: Path, data: dict[str, Any]) -> Path:
    """Write a project file into ``folder``."""
    path = folder / "specgen.yml"
    path.write_text(dump_yaml(data), encoding="utf-8")
    return path


def check_file(
    path: Path, *, stage: Stage | None = None, today: dt.date = TODAY, allow_errors: bool = False
) -> PortfolioReport:
    """Load one spec file with the project file beside its folder and check it."""
    portfolio = load_portfolio([path], project_file=path.parent.parent / "specgen.yml")
    if not allow_errors:
        problems = [d for d in portfolio.diagnostics if d.level is Level.error]
        assert problems == [], f"the test spec itself is invalid: {problems}"
    return check_portfolio(portfolio, stage=stage, today=today)


def check_data(
    write_spec: Callable[[dict, str], Path],
    data: dict[str, Any],
    *,
    stage: Stage | None = None,
    today: dt.date = TODAY,
) -> SpecReport:
    """Write spec data, load it and check it; the spec must be valid."""
    report = check_file(write_spec(data, "spec"), stage=stage, today=today)
    assert len(report.specs) == 1
    return report.specs[0]


def failing_ids(report: SpecReport) -> set[str]:
    """Ids of the rules with a finding."""
    return {f.rule_id for f in report.findings}
