"""The one root of specgen's errors, and the exit code each carries.

Library code raises a subclass of :class:`SpecgenError` for anything a user
can fix: a bad file, a refused overwrite, an unknown revision. The error
carries its exit code, and the CLI maps every one of them to a message and
that code in one handler (``specgen.cli.app.SpecgenGroup``). Anything else
that escapes is a bug in specgen (exit 3).
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import IntEnum
from typing import Any, ClassVar

__all__ = ["ExitCode", "SpecgenError", "UsageError"]


class ExitCode(IntEnum):
    OK = 0
    FAILED = 1
    """Invalid specs, error findings, changes needing sign-off, a mismatching bundle."""
    USAGE = 2
    """A bad option, a missing path, an output that would be overwritten."""
    INTERNAL = 3
    """A bug in specgen."""


class SpecgenError(Exception):
    """Input specgen cannot work with: the message says what and where (exit 1).

    ``diagnostics`` are located problems (:class:`specgen.diagnostics.Diagnostic`,
    not imported here: this module sits below every other) to print before the
    message; ``details`` are further lines to print after it (a tool's
    warnings, say). Every line is printed escaped, so the text of a spec can
    never start a line of output.
    """

    exit_code: ClassVar[ExitCode] = ExitCode.FAILED

    def __init__(self, message: str, *, diagnostics: Sequence[Any] = (), details: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.diagnostics: tuple[Any, ...] = tuple(diagnostics)
        self.details: tuple[str, ...] = tuple(details)

    def lines(self) -> list[str]:
        """The message and its details, as the lines to print (unescaped)."""
        return [self.message, *(f"  {d}" for d in self.details)]


class UsageError(SpecgenError):
    """The command was asked for something it cannot do as asked (exit 2)."""

    exit_code: ClassVar[ExitCode] = ExitCode.USAGE
