"""Pause Python's cyclic garbage collector around bulk work.

Loading and checking a portfolio build hundreds of thousands of small,
long-lived, acyclic objects (values, positions, models, findings). Every
collection pass re-scans all of them, so with the collector on, time grew
faster than the portfolio (bench/bench_validate.py: 2x slower at 1,000 specs;
``check`` 6x). Reference counting still frees everything; the collector
catches up when it is enabled again.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator

__all__ = ["paused_gc"]


@contextlib.contextmanager
def paused_gc() -> Iterator[None]:
    """Disable the cyclic collector inside the block (re-entrant)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
