"""The error an unreadable or invalid result file raises."""

from __future__ import annotations

from specgen.errors import SpecgenError, UsageError

__all__ = ["EvidenceError", "EvidenceUsageError", "located"]


class EvidenceError(SpecgenError):
    """A result file specgen cannot record: the message names the file and where in it (exit 1)."""


class EvidenceUsageError(UsageError):
    """Evidence asked for something that is not there: no such spec or file (exit 2)."""


def located(name: str, where: str, message: str) -> EvidenceError:
    """``file:where: message`` (``where`` a line:column or a path in the file)."""
    return EvidenceError(f"{name}:{where}: {message}" if where else f"{name}: {message}")
