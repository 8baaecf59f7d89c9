"""Timing helpers shared by the benchmark scripts (run on demand, never in the tests)."""

from __future__ import annotations

import shutil
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

__all__ = ["count_instructions", "machine_check", "median_seconds"]


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


def count_instructions(argv: Sequence[str], *, cwd: Path, env: dict[str, str]) -> int:
    """The instructions the process ``argv`` executes, counted by valgrind's
    callgrind (no cache simulation).

    Unlike seconds, the count is the same for the same work whatever else
    the machine is doing (two no-op builds at 10 specs: 2,221.1 and 2,221.1
    million, where their wall times moved by a third), so a lever of one per
    cent shows. The process runs 15-50 times slower. Only the process itself
    is counted: callgrind starts a forked process's count from its parent's
    at the fork, so a worker's own share cannot be told apart. Count steps
    that run in one process (an edit's few pages, a no-op, a validation),
    or pass ``--jobs 1``. Hash randomisation is switched off
    (``PYTHONHASHSEED=0``): set iteration order would otherwise change the
    count from run to run."""
    valgrind = shutil.which("valgrind")
    if valgrind is None:
        raise SystemExit("counting instructions needs valgrind (Debian: apt-get install valgrind)")
    with tempfile.TemporaryDirectory(prefix="specgen-callgrind-") as tmp:
        process = subprocess.Popen(
            [valgrind, "--tool=callgrind", "--cache-sim=no", f"--callgrind-out-file={tmp}/callgrind.%p", *argv],
            cwd=cwd,
            env={**env, "PYTHONHASHSEED": "0"},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        _, errors = process.communicate()
        if process.returncode != 0:
            raise SystemExit(f"{' '.join(argv)} failed under valgrind:\n{errors[-2000:]}")
        dump = Path(tmp) / f"callgrind.{process.pid}"  # valgrind runs the program in its own process
        for line in dump.read_text(encoding="utf-8", errors="replace").splitlines():
            if line.startswith("totals:"):
                return int(line.split()[1])
        raise SystemExit(f"no totals in {dump}: has valgrind's output format changed?")
