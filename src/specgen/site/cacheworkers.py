"""What the build cache (:class:`specgen.site.cache.SiteCache`) does around
worker processes.

Rendering and checking fork worker processes (:mod:`specgen.parallel`).
SQLite tracks its locks and open files per process, so a worker must not
inherit the parent's connection: the parent suspends it before forking and
resumes it after; a worker reads through a connection of its own and
keeps what it computes in memory, which it hands back (:meth:`take`) for
the parent to store as if computed there (:meth:`absorb`).
"""

from __future__ import annotations

import shutil
import sqlite3
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from specgen.site.cachefile import CACHE_FILE, connect, create

if TYPE_CHECKING:
    from specgen.site.warm import Warm

__all__ = ["WorkerSharing"]


class WorkerSharing:
    """The worker-process half of :class:`~specgen.site.cache.SiteCache`."""

    path: Path
    warm: Warm | None
    hits: int
    misses: int
    _db: sqlite3.Connection | None
    _pending: Path | None
    _writing: bool
    _suspended: bool
    _spill: sqlite3.Connection | None
    _spill_dir: Path | None
    _new: dict[str, bytes]
    _used: set[str]

    def _store(self, key: str, data: bytes) -> None:  # SiteCache's
        raise NotImplementedError

    def _broken(self, why: str) -> None:  # SiteCache's
        raise NotImplementedError

    def suspend(self) -> None:
        """Before forking worker processes: write out the open transaction and
        close the connection, so the workers start with no SQLite state of
        this process (SQLite's locks and open files are tracked per process;
        a worker that inherited them read half-written pages). :meth:`resume`
        reopens it once the workers are done: what is put meanwhile goes to a
        database of its own in a temporary folder, which no worker reads, so
        no write lock of this process keeps the workers from reading (one
        held to the end of the build made every read wait out its timeout),
        and :meth:`resume` moves it into the cache."""
        if self._db is None:
            return
        try:
            self._db.commit()
        except sqlite3.Error:
            self._writing = False
        self._db.close()
        self._db = None
        self._suspended = True

    def _spill_db(self) -> sqlite3.Connection | None:
        """The database what is put while suspended goes to (made on first use)."""
        if self._spill is None and self._spill_dir is None:
            try:
                self._spill_dir = Path(tempfile.mkdtemp(prefix="specgen-cache-spill-"))
                self._spill = create(self._spill_dir / CACHE_FILE, {})  # a spill, never opened as a cache
            except (sqlite3.Error, OSError):
                self._spill = None
        return self._spill

    def resume(self) -> None:
        """After the workers are done: reopen what :meth:`suspend` closed and
        move what was put meanwhile into it."""
        if not self._suspended:
            return
        self._suspended = False
        target = self._pending if self._pending is not None else self.path
        try:
            self._db = connect(target, "rw")
        except sqlite3.Error as exc:
            self._broken(f"it cannot be opened again ({exc})")
        spill, folder = self._spill, self._spill_dir
        self._spill, self._spill_dir = None, None
        if spill is None or folder is None:
            return
        try:
            spill.commit()
            rows = spill.execute("SELECT key, value FROM entries")
            for key, data in rows:
                self._store(key, data)
        except sqlite3.Error:
            pass
        finally:
            spill.close()
            shutil.rmtree(folder, ignore_errors=True)

    def detach(self) -> None:
        """In a forked worker (made while the parent's connection was
        suspended): read through a connection of its own, keep what is put
        in memory for :meth:`take`."""
        self._db = None
        if self.path.is_file():
            try:
                self._db = connect(self.path, "ro")
            except sqlite3.Error:
                self._db = None
        self._writing = False
        self._pending = None
        self.warm = None  # what a worker makes ends with it
        self._suspended, self._spill, self._spill_dir = False, None, None  # the parent's, not this worker's
        self._new, self._used, self.hits, self.misses = {}, set(), 0, 0

    def take(self) -> tuple[dict[str, bytes], set[str], int, int]:
        """In a worker: what it put and looked up since the last call."""
        taken = (self._new, self._used, self.hits, self.misses)
        self._new, self._used, self.hits, self.misses = {}, set(), 0, 0
        return taken

    def absorb(self, taken: tuple[dict[str, bytes], set[str], int, int]) -> None:
        """In the parent: what a worker :meth:`take`-s, as if done here."""
        new, used, hits, misses = taken
        for key, data in new.items():
            self._store(key, data)
        self._used |= used
        self.hits += hits
        self.misses += misses
