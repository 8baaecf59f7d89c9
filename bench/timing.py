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


def _loop(_: object = None) -> float:
    """Seconds this process takes for :data:`LOOP_STEPS` additions."""
    start = time.perf_counter()
    total = 0
    for i in range(LOOP_STEPS):
        total += i
    return time.perf_counter() - start


def machine_check() -> str:
    """How fast this machine runs Python now, as a line to print before and
    after the figures: a 20-million-step loop on one core, and the same loop
    in one process per processor at once (the slowest of them), each the
    fastest of three tries.

    Shared machines drift (between sessions by a factor of three, within one
    by half), and a neighbour busy on one core slows the build's worker on it
    but not a loop on another: figures measured while either reading is
    slower are slower for the same code, so compare figures only beside
    their machine checks."""
    import multiprocessing
    import os

    one = min(_loop() for _ in range(3))
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    with multiprocessing.get_context("fork").Pool(cores) as pool:
        every = min(max(pool.map(_loop, range(cores))) for _ in range(3))
    return (
        f"machine check: a {LOOP_STEPS:,}-step Python loop takes {one:.2f} s on one core, "
        f"{every:.2f} s on each of {cores} at once (fastest of 3)"
    )
