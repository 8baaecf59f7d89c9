"""The ``specgen`` command: a thin click layer over the library.

Each command parses its options, calls one library function, prints what it
returns and exits with an :class:`ExitCode`. The CLI is the only part of
specgen that prints or exits; unexpected exceptions become a one-line message
(``--debug`` shows the traceback).

One module per group of commands; importing it registers its commands on
:data:`cli`.
"""

from __future__ import annotations

import sys
import traceback
from collections.abc import Sequence

import click

from specgen.cli import check_commands, review_commands, site_commands, sow_commands, spec_commands
from specgen.cli.app import ExitCode, cli

__all__ = ["ExitCode", "cli", "main"]

COMMAND_MODULES = (spec_commands, sow_commands, check_commands, review_commands, site_commands)


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point of the ``specgen`` console script."""
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        cli.main(args=args, prog_name="specgen", standalone_mode=True)
    except SystemExit:
        raise
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        sys.exit(130)
    except OSError as exc:  # a file that cannot be read or written: the user's to fix, not a bug
        if "--debug" in args:
            traceback.print_exc()
        where = f": {exc.filename}" if exc.filename else ""
        click.echo(f"specgen: {exc.strerror or exc}{where}", err=True)
        sys.exit(ExitCode.FAILED)
    except Exception as exc:  # the one place every unexpected error ends up
        if "--debug" in args:
            traceback.print_exc()
        click.echo(f"specgen: internal error: {type(exc).__name__}: {exc} (run with --debug for details)", err=True)
        sys.exit(ExitCode.INTERNAL)


if __name__ == "__main__":  # pragma: no cover
    main()
