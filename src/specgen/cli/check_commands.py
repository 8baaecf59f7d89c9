"""Commands about production readiness: ``check`` and ``rules``."""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path

import click

from specgen.cli.app import ExitCode, _emit, _load, cli, paths_argument, project_option, today
from specgen.diagnostics import format_diagnostics
from specgen.gcpause import frozen_heap
from specgen.rules import all_rules, check_portfolio
from specgen.rules.report import REPORT_FORMATS, RULES_FORMATS, format_report, format_rules
from specgen.spec.loader import find_project_file, load_project
from specgen.spec.schema import Stage

STAGES = tuple(s.value for s in Stage)


@cli.command()
@paths_argument
@project_option
@click.option(
    "--stage",
    type=click.Choice(STAGES),
    help="Check every spec at this stage instead of its declared one, to list what it would take to reach it.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(REPORT_FORMATS),
    default="text",
    show_default=True,
    help="text for people, json for programs, github for pull-request annotations, sarif for code scanning.",
)
@click.option(
    "--as-of",
    "as_of",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Date waivers are checked against, YYYY-MM-DD (default: today).",
)
def check(
    paths: tuple[Path, ...], project_file: Path | None, stage: str | None, fmt: str, as_of: datetime | None
) -> None:
    """Check specs against the production-readiness rules.

    PATHS are spec files or folders (default: specs/). Each spec is checked at
    its declared stage (or --stage); the report groups findings by buying
    dimension, failing first, and gives the highest stage each spec reaches
    and its ten-question diagnostic. Exits 0 when no error finding remains,
    1 when one does or a spec is invalid, 2 on a usage error.
    """
    with frozen_heap():  # the specs and the report live to the end: the collector skips them
        portfolio = _load(paths, project_file)
        report = check_portfolio(
            portfolio,
            stage=Stage(stage) if stage else None,
            today=today(as_of),
        )
        _emit(format_report(report, fmt))
    sys.exit(ExitCode.OK if report.ok else ExitCode.FAILED)


@cli.command("rules")
@project_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(RULES_FORMATS),
    default="text",
    show_default=True,
    help="text for people, json for programs.",
)
def rules_command(project_file: Path | None, fmt: str) -> None:
    """List every rule: id, title, severity, stages, rationale and source.

    Includes the declarative rules of the project file (--project, default:
    the nearest specgen.yml above the current folder).
    """
    path = project_file or find_project_file(Path.cwd())
    project, _, problems = load_project(path)
    if problems:
        _emit(format_diagnostics(problems, "text"), err=True)
        sys.exit(ExitCode.FAILED)
    _emit(format_rules(all_rules(project), fmt))
