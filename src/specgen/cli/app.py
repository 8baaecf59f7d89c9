"""The click group, exit codes and the helpers every command shares."""

from __future__ import annotations

import datetime as dt
import os
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click

from specgen import __version__, clock
from specgen.diagnostics import Diagnostic, Level, format_diagnostics
from specgen.errors import ExitCode, SpecgenError
from specgen.spec.loader import Portfolio, find_project_file
from specgen.spec.portfolio import load_portfolio
from specgen.text import terminal


def today(as_of: dt.datetime | dt.date | None = None) -> dt.date:
    """The date decisions are taken at (waivers, approvals): ``--as-of``, else
    ``SOURCE_DATE_EPOCH``'s day, else today. A malformed ``SOURCE_DATE_EPOCH``
    is a usage error (:class:`specgen.clock.ClockError`)."""
    if isinstance(as_of, dt.datetime):
        as_of = as_of.date()
    return clock.today(as_of)


def _silence_stdout() -> None:
    """Point standard output at /dev/null, so flushing it at exit cannot fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # no real file descriptor (a test runner's capture)
        pass


class SpecgenGroup(click.Group):
    """The one place an error from the library becomes a message and an exit code.

    A :class:`specgen.errors.SpecgenError` prints its located diagnostics, then
    ``specgen: <message>``, and exits with the code the error carries. An
    ``OSError`` (a file that cannot be read or written) is the user's to fix:
    exit 1. Anything else is a bug and reaches :func:`specgen.cli.main`.
    """

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except SpecgenError as exc:
            if (ctx.obj or {}).get("debug"):
                traceback.print_exc()
            if exc.diagnostics:
                click.echo(format_diagnostics(exc.diagnostics), err=True)
            first, *rest = exc.lines()
            click.echo(f"specgen: {terminal(first)}", err=True)
            for line in rest:
                click.echo(terminal(line), err=True)
            ctx.exit(exc.exit_code)
        except BrokenPipeError:  # the reader went away (specgen ... | head): nothing more to say
            _silence_stdout()
            ctx.exit(ExitCode.FAILED)
        except OSError as exc:
            if (ctx.obj or {}).get("debug"):
                traceback.print_exc()
            where = f": {exc.filename}" if exc.filename else ""
            click.echo(terminal(f"specgen: {exc.strerror or exc}{where}"), err=True)
            ctx.exit(ExitCode.FAILED)


DEFAULT_SPECS = ("specs",)

paths_argument = click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
project_option = click.option(
    "--project",
    "project_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Project file (default: the nearest specgen.yml above the first path).",
)

templates_option = click.option(
    "--templates",
    "templates_dir",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Folder of template overrides, laid out like the bundled templates/ "
    "(default: templates/ next to the project file).",
)


def user_templates(
    explicit: Path | None,
    *,
    portfolio: Portfolio | None = None,
    anchor: Path | None = None,
    project_file: Path | None = None,
) -> list[Path]:
    """The one place the user's template folder is found, for every command that renders.

    ``--templates`` when given; else ``templates/`` beside the project file:
    the loaded portfolio's, the ``--project`` file's, or the nearest
    ``specgen.yml`` above ``anchor`` (a spec path) or the working directory.
    Its files override the bundled ones of the same name (a missing folder
    simply overrides nothing).
    """
    if explicit is not None:
        return [explicit]
    if portfolio is not None:
        return [portfolio.root / "templates"]
    project = project_file or find_project_file(anchor or Path.cwd())
    return [(project.parent if project else Path.cwd()) / "templates"]


def _paths(paths: Sequence[Path]) -> list[Path]:
    chosen = list(paths) or [Path(p) for p in DEFAULT_SPECS]
    missing = [str(p) for p in chosen if not p.exists()]
    if missing:
        raise click.UsageError(f"no such file or folder: {', '.join(missing)}")
    return chosen


def _load(paths: Sequence[Path], project_file: Path | None) -> Portfolio:
    return load_portfolio(_paths(paths), project_file=project_file)


def _emit(text: str, *, err: bool = False) -> None:
    if text:
        click.echo(text, err=err)


def _summary(portfolio: Portfolio, diagnostics: Sequence[Diagnostic]) -> str:
    errors = sum(1 for d in diagnostics if d.level is Level.error)
    files = len(portfolio.files)
    noun = "spec" if files == 1 else "specs"
    if errors:
        bad = len({d.file for d in diagnostics if d.level is Level.error})
        return (
            f"{errors} error{'s' if errors != 1 else ''} in {bad} file{'s' if bad != 1 else ''} ({files} {noun} read)"
        )
    return f"{files} {noun} valid"


@click.group(cls=SpecgenGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="specgen")
@click.option("--debug", is_flag=True, help="Show the traceback of an internal error.")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """Production-readiness specs for AI workflows.

    Write specs in YAML under specs/, then validate them, check them against
    the production-readiness rules, and publish the handover site.
    """
    ctx.obj = {"debug": debug}
