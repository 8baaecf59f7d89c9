"""Loading a portfolio: read and validate every file, then check what spans
files (cross-references, approvals sidecars).

This is the one place that composes the loader with the checks that need
more than one file; the loader itself only reads and validates.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from specgen.diagnostics import Diagnostic
from specgen.gcpause import paused_gc
from specgen.spec.approvals import approval_diagnostics
from specgen.spec.loader import Portfolio, read_portfolio
from specgen.spec.memo import Memo
from specgen.spec.xref import reference_diagnostics

__all__ = ["load_portfolio"]


def load_portfolio(
    paths: Sequence[Path | str] = ("specs",),
    *,
    project_file: Path | str | None = None,
    discover_project: bool = True,
    memo: Memo | None = None,
    jobs: int | None = None,
) -> Portfolio:
    """Load the project file and every spec under ``paths``, check their
    cross-references and approvals; never raises for bad input.

    The project file is ``project_file`` when given, else the nearest
    ``specgen.yml`` above the first path (when ``discover_project``). With a
    ``memo`` (the build cache), valid specs are reused by file hash
    (:mod:`specgen.spec.memo`), and so are their cross-reference diagnostics
    while the ids the project defines stay the same; the checks across files always run.
    Many files to parse are parsed in ``jobs`` worker processes (see
    :func:`specgen.spec.loader.read_portfolio`).
    """
    with paused_gc(freeze=True):  # inside a frozen_heap, the loaded specs are never scanned again
        portfolio = read_portfolio(
            paths, project_file=project_file, discover_project=discover_project, memo=memo, jobs=jobs
        )
        portfolio.diagnostics.extend(reference_diagnostics(portfolio, memo))
        portfolio.diagnostics.extend(approval_diagnostics(portfolio))
    portfolio.diagnostics.sort(key=Diagnostic.sort_key)
    return portfolio
