"""The one clock: what "today" and "now" mean to specgen.

Every date that decides something (has a waiver expired, is an approval in
the future, is evidence stale) comes from :func:`today`, and every time
stamped on a generated file from :func:`build_datetime`. Both honour
``SOURCE_DATE_EPOCH`` (reproducible builds), and :func:`today` an explicit
``--as-of`` date first, so ``check`` and ``build`` always agree.
"""

from __future__ import annotations

import datetime as dt
import os

from specgen.errors import UsageError

__all__ = ["ZIP_EPOCH", "ClockError", "build_datetime", "source_date_epoch", "today"]


class ClockError(UsageError, ValueError):
    """``SOURCE_DATE_EPOCH`` is not a whole number of seconds in range (exit 2)."""


ZIP_EPOCH = dt.datetime(1980, 1, 1, tzinfo=dt.timezone.utc)
"""The earliest time a zip entry can carry; the fallback build time."""


def source_date_epoch() -> dt.datetime | None:
    """``SOURCE_DATE_EPOCH`` as an aware UTC datetime, or None when unset or empty.

    Raises :class:`ClockError` with a readable message when it is not a whole number.
    """
    raw = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not raw:
        return None
    if len(raw) > 20:
        raise ClockError(f"SOURCE_DATE_EPOCH is out of range: {raw[:20]!r}...")
    try:
        seconds = int(raw)
    except ValueError:
        raise ClockError(f"SOURCE_DATE_EPOCH must be a whole number of seconds since 1970, got {raw!r}") from None
    try:
        return dt.datetime.fromtimestamp(seconds, tz=dt.timezone.utc)
    except (OverflowError, OSError, ValueError):
        raise ClockError(f"SOURCE_DATE_EPOCH is out of range: {raw!r}") from None


def today(as_of: dt.date | None = None) -> dt.date:
    """``as_of`` when given, else the day of ``SOURCE_DATE_EPOCH``, else the system date."""
    if as_of is not None:
        return as_of
    epoch = source_date_epoch()
    return epoch.date() if epoch is not None else dt.date.today()


def build_datetime(fallback: dt.date | dt.datetime | None = None) -> dt.datetime:
    """The time stamped on generated files: ``SOURCE_DATE_EPOCH``, else ``fallback``
    (midnight UTC for a date), else 1980-01-01. Never the system clock."""
    chosen = source_date_epoch()
    if chosen is not None:
        return chosen
    if isinstance(fallback, dt.datetime):
        return fallback if fallback.tzinfo else fallback.replace(tzinfo=dt.timezone.utc)
    if isinstance(fallback, dt.date):
        return dt.datetime(fallback.year, fallback.month, fallback.day, tzinfo=dt.timezone.utc)
    return ZIP_EPOCH
