"""What every reader shares: located errors, strict UTF-8, ISO run dates."""

from __future__ import annotations

import datetime as dt

from specgen.evidence.errors import EvidenceError, located

__all__ = ["fail", "parse_date", "reject_constant", "text"]


def fail(name: str, where: str, message: str) -> EvidenceError:
    """The error for ``name`` at ``where`` (a line:column or a path in the file)."""
    return located(name, where, message)


def text(name: str, data: bytes) -> str:
    """``data`` decoded as UTF-8, or an error at the line and column of the first bad byte."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise fail(name, f"{line}:{column}", f"not UTF-8 text (byte {data[exc.start]:#04x})") from None


def reject_constant(token: str) -> float:
    """JSON's NaN and Infinity are refused."""
    raise ValueError(f"{token} is not a number specgen accepts")


def parse_date(name: str, where: str, raw: object) -> dt.date:
    """A date or an ISO timestamp (its UTC day)."""
    value = str(raw or "").strip()
    try:
        if len(value) == 10:
            return dt.date.fromisoformat(value)
        return dt.datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(dt.timezone.utc).date()
    except ValueError:
        raise fail(name, where, f"run date {value!r} is not an ISO date") from None
