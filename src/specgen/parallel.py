"""Doing the same work on many items in forked worker processes.

The site build's pages are independent once the navigation is known: each is
read (Markdown to HTML), built (theme template, search entries) and written
on its own; so are the spec files a portfolio parses. :func:`fork_map` runs such work in ``jobs`` worker processes
made with ``fork``, so they inherit everything the build holds (the mkdocs
configuration, navigation, Jinja environments, the pages' text) without
pickling it; only each item's result comes back, in item order.

Forking is only safe from a process with one thread (a lock another thread
holds would stay locked in the worker), and only worth it for enough items:
otherwise, and where ``fork`` does not exist, the work runs in this process,
with the same results. A worker's failure is raised here, after the pool.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Hashable, Sequence
from typing import Any, TypeVar

__all__ = ["MIN_ITEMS", "WorkerError", "default_jobs", "fork_map", "usable_jobs"]

R = TypeVar("R")

MIN_ITEMS = 48
"""Fewer items than this run in this process: starting workers costs more."""
CHUNK = 16
"""Items a worker takes at a time (small enough to keep both workers busy to the end)."""

_WORK: tuple[Callable[[int], Any], Callable[[], Any] | None] | None = None
"""The work of the pool being run, inherited by its workers through fork."""


def default_jobs() -> int:
    """Worker processes to use: the processors this process may run on (at most 8)."""
    try:
        count = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        count = os.cpu_count() or 1
    return max(1, min(count, 8))


def usable_jobs(jobs: int | None, items: int) -> int:
    """How many workers :func:`fork_map` would really use for ``items``."""
    wanted = default_jobs() if jobs is None else jobs
    if wanted <= 1 or items < MIN_ITEMS or threading.active_count() > 1:
        return 1
    import multiprocessing  # here: most builds (an edit's few pages) never fork

    if "fork" not in multiprocessing.get_all_start_methods():
        return 1
    return min(wanted, -(-items // CHUNK))


def _bounds(count: int, groups: Sequence[Hashable] | None) -> list[tuple[int, int]]:
    """The chunks of ``range(count)``, as ``(start, stop)``."""
    if groups is None:
        return [(start, min(start + CHUNK, count)) for start in range(0, count, CHUNK)]
    bounds, start = [], 0
    for index in range(1, count + 1):
        size = index - start
        if index == count or size >= 2 * CHUNK or (size >= CHUNK // 2 and groups[index] != groups[index - 1]):
            bounds.append((start, index))
            start = index
    return bounds


class WorkerError(Exception):
    """An error in a worker process, as ``TypeName: message``."""


def _run_chunk(bounds: tuple[int, int]) -> tuple[list[Any], Any]:
    assert _WORK is not None
    work, collect = _WORK
    try:
        results = [work(index) for index in range(*bounds)]
    except Exception as exc:
        raise WorkerError(f"{type(exc).__name__}: {exc}") from None
    return results, (collect() if collect is not None else None)


def fork_map(
    count: int,
    work: Callable[[int], R],
    *,
    jobs: int | None = None,
    before_fork: Callable[[], None] | None = None,
    after_pool: Callable[[], None] | None = None,
    child_start: Callable[[], None] | None = None,
    collect: Callable[[], Any] | None = None,
    absorb: Callable[[Any], None] | None = None,
    groups: Sequence[Hashable] | None = None,
) -> list[R]:
    """``[work(0), …, work(count - 1)]``, computed in worker processes when
    :func:`usable_jobs` allows. ``before_fork`` runs here just before the
    workers are made (only if they are), ``after_pool`` once they are gone
    (however the pool ended); ``child_start`` runs first in each worker;
    after each chunk a worker calls ``collect`` and the parent passes what it
    returned to ``absorb`` (what the work left behind besides its results:
    cache entries, log messages); in this process, neither is called. An
    exception ``work`` raises ends the pool and is raised here: a worker
    raises :class:`WorkerError` (which pickles) with the original's type and
    message. Items next to each other with the same ``groups`` entry go to
    the same worker, where possible (a chunk ends between groups once it
    holds half of :data:`CHUNK` items): a workflow's pages, say, which its
    printable page reuses."""
    global _WORK
    workers = usable_jobs(jobs, count)
    if workers <= 1:
        return [work(index) for index in range(count)]
    bounds = _bounds(count, groups)
    _WORK = (work, collect)
    out: list[Any] = [None] * count
    if before_fork is not None:
        before_fork()
    import multiprocessing

    try:
        context = multiprocessing.get_context("fork")
        with context.Pool(workers, initializer=child_start) as pool:
            for (start, _), (results, left) in zip(bounds, pool.imap(_run_chunk, bounds), strict=True):
                out[start : start + len(results)] = results
                if absorb is not None:
                    absorb(left)
    finally:
        _WORK = None
        if after_pool is not None:
            after_pool()
    return out
