"""The ``specgen`` command: a thin click layer over the library.

Each command parses its options, calls one library function, prints what it
returns and exits with an :class:`ExitCode`. The CLI is the only part of
specgen that prints or exits. Errors the library raises carry their exit code
(:mod:`specgen.errors`) and are mapped in one handler
(:class:`specgen.cli.app.SpecgenGroup`); anything else is a bug and becomes a
one-line message here (``--debug`` shows the traceback).

One module per group of commands; importing it registers its commands on
:data:`cli`.
"""

from __future__ import annotations

import gc
import sys
import traceback
from collections.abc import Sequence

import click

from specgen.cli import (
    check_commands,
    evidence_commands,
    review_commands,
    site_commands,
    sow_commands,
    spec_commands,
)
from specgen.cli.app import ExitCode, cli
from specgen.text import terminal

__all__ = ["ExitCode", "cli", "main"]

COMMAND_MODULES = (spec_commands, sow_commands, check_commands, review_commands, site_commands, evidence_commands)


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point of the ``specgen`` console script."""
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        cli.main(args=args, prog_name="specgen", standalone_mode=True)
    except SystemExit:
        # The process ends now: the collector's last full pass over everything
        # still loaded (a portfolio, mkdocs) would only delay the exit.
        gc.freeze()
        raise
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        sys.exit(130)
    except MemoryError:  # a memory limit (ulimit -v) hit by a large input: say so, no traceback
        if "--debug" in args:
            traceback.print_exc()
        click.echo("specgen: out of memory: the input is too large for the memory this process may use", err=True)
        sys.exit(ExitCode.FAILED)
    except BaseException as exc:  # the one place every unexpected error ends up
        if not isinstance(exc, Exception) and type(exc).__name__ != "PanicException":
            raise  # GeneratorExit and the like; a Rust panic (pydantic-core) is reported below
        if "--debug" in args:
            traceback.print_exc()
        click.echo(
            terminal(f"specgen: internal error: {type(exc).__name__}: {exc} (run with --debug for details)"), err=True
        )
        sys.exit(ExitCode.INTERNAL)


if __name__ == "__main__":  # pragma: no cover
    main()
