"""Timing helpers shared by the benchmark scripts (run on demand, never in the tests)."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import Any

__all__ = ["machine_check", "median_seconds"]


def median_seconds(runs: int, work: Callable[[], Any]) -> float:
    """The median wall time of ``runs`` calls of ``work``."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


LOOP_STEPS = 20_000_000


def _loop() -> int:
    total = 0
    for i in range(LOOP_STEPS):
        total += i
    return total


def machine_check() -> str:
    """How fast this machine runs Python now: the fastest of three runs of a
    20-million-step loop, as a line to print before and after the figures.

    Shared machines drift (between sessions by a factor of three, within one
    by half): figures measured while the loop is slower are slower for the
    same code, so compare figures only beside their machine checks."""
    best = min(median_seconds(1, _loop) for _ in range(3))
    return f"machine check: a {LOOP_STEPS:,}-step Python loop takes {best:.2f} s (fastest of 3)"
