"""Benchmark: the readiness check on a portfolio of specs.

Writes N specs the size of the credit example (copies with their own ids,
every fifth one with a few gaps so findings are produced) into a temporary
folder with the example project file, then times, as the median of the
repeats:

* load: ``load_portfolio`` (YAML, schema, cross-references), for comparison;
* check: ``check_portfolio`` on the loaded portfolio (every rule on every spec,
  waivers, the ten-question diagnostic);
* text / sarif: formatting the report.

Run on demand (not part of the tests):

    python bench/bench_check.py                  # 200 specs, 5 repeats
    python bench/bench_check.py --specs 1000 --repeat 3
"""

from __future__ import annotations

import argparse
import copy
import datetime as dt
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from specgen import Portfolio, load_portfolio
from specgen.rules import PortfolioReport, check_portfolio
from specgen.rules.report import format_report

REPO = Path(__file__).resolve().parent.parent
TODAY = dt.date(2026, 11, 15)


def _build(root: Path, specs: int) -> None:
    base = yaml.safe_load((REPO / "specs" / "credit-decision-assistant.yml").read_text(encoding="utf-8"))
    (root / "specs").mkdir(parents=True)
    shutil.copy(REPO / "specgen.yml", root / "specgen.yml")
    for i in range(specs):
        data: dict[str, Any] = copy.deepcopy(base)
        data["id"] = f"workflow-{i:04d}"
        if i % 5 == 0:
            data["acceptance"]["red_team"]["probe_sets"][0]["probes"] = 5
            del data["exit"]["decommissioning"]
            data["audit"]["immutable"] = False
        text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
        (root / "specs" / f"workflow-{i:04d}.yml").write_text(text, encoding="utf-8")


def _median(fn: Callable[[], object], repeat: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def main() -> None:
    """Build the portfolio, time each step, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--specs", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        _build(root, args.specs)
        load_s, portfolio = _median(
            lambda: load_portfolio([root / "specs"], project_file=root / "specgen.yml"), args.repeat
        )
        assert isinstance(portfolio, Portfolio)
        check_s, report = _median(lambda: check_portfolio(portfolio, today=TODAY), args.repeat)
        assert isinstance(report, PortfolioReport)
        text_s, _ = _median(lambda: format_report(report, "text"), args.repeat)
        sarif_s, _ = _median(lambda: format_report(report, "sarif"), args.repeat)
    findings = sum(len(s.findings) for s in report.specs)
    n = args.specs
    print(f"specs: {n}, rules: {len(report.rules)}, findings: {findings}, repeats: {args.repeat} (median)")
    for label, seconds in (("load", load_s), ("check", check_s), ("text", text_s), ("sarif", sarif_s)):
        print(f"{label:<6} {seconds * 1000:9.1f} ms total  {seconds / n * 1000:7.3f} ms per spec")


if __name__ == "__main__":
    main()
