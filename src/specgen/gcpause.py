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

__all__ = ["frozen_heap", "paused_gc"]


_FROZEN = 0
"""How many :func:`frozen_heap` blocks are open (the outermost unfreezes)."""


@contextlib.contextmanager
def paused_gc(*, freeze: bool = False) -> Iterator[None]:
    """Disable the cyclic collector inside the block (re-entrant). With
    ``freeze``, inside a :func:`frozen_heap`, what exists after the block is
    frozen too (until that heap's block ends): long-lived objects made in
    bulk are then never scanned by the passes that follow."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if freeze and _FROZEN:
            gc.freeze()
        if was_enabled:
            gc.enable()


@contextlib.contextmanager
def frozen_heap() -> Iterator[None]:
    """Leave what exists now out of the collector's passes inside the block.

    A site build makes and drops many short-lived cycles (a Markdown converter
    per page), so the collector must run; but each of its full passes would
    also re-scan the loaded portfolio and every imported module, which live
    through the build anyway. Frozen, they are skipped; they are handed back
    to the collector after the block (the outermost, when blocks nest), so a
    long-lived process (``serve``) collects them as usual once they are garbage."""
    global _FROZEN
    gc.freeze()
    _FROZEN += 1
    try:
        yield
    finally:
        _FROZEN -= 1
        if not _FROZEN:
            gc.unfreeze()
