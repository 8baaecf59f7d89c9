"""The build cache: what an earlier build computed, by the hash of what it
was computed from.

One SQLite file, ``.specgen-cache/site.sqlite3`` beside the project file,
maps keys (SHA-256 of every input of a step, see :mod:`specgen.site.mkcache`)
to values: text (a page's HTML) or JSON data, compressed with Zstandard,
or bytes stored as they are (a validated spec's JSON, which pydantic reads
straight from them: unpacking it from a compressed JSON string cost more
than validating it). It stamps itself with its format, the
versions of specgen, mkdocs, mkdocs-material, Python-Markdown,
pymdown-extensions, Jinja and Python, and a mark only the user who made it
can make (:func:`specgen.usercache.owner_mark`: a cache that came with the
project, from a pull request or an archive, could otherwise say what any
spec validates to and what any page shows); a cache stamped otherwise, or
one that cannot be read, is discarded with a one-line note and rebuilt,
never trusted.
Entries a build computes are committed only when the build succeeds (an
open transaction until then), and a full build drops the entries it did
not use, so the cache holds about one build (a build that keeps pages from
the previous site drops nothing: it did not look those pages' entries up).
"""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
import tempfile
from collections.abc import Callable, Collection
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from specgen.site.cachefile import (
    CACHE_FILE,
    Unreadable,
    busy,
    check,
    connect,
    create,
    decode_value,
    encode_value,
    install,
    tool_versions,
)
from specgen.site.cacheworkers import WorkerSharing

if TYPE_CHECKING:
    from specgen.site.warm import Warm

_T = TypeVar("_T")

__all__ = ["CACHE_DIR", "CACHE_FILE", "FORMAT", "SiteCache", "digest", "open_cache", "tool_versions"]

CACHE_DIR = ".specgen-cache"
"""The cache folder, beside the project file (ignored by git)."""
FORMAT = "specgen-site-cache 4"
"""Changed whenever the keys or values change meaning."""


def _stamp() -> dict[str, str]:
    from specgen.usercache import owner_mark

    mark = owner_mark()
    return {"format": FORMAT, "versions": tool_versions(), "owner": mark if mark is not None else ""}


def digest(*parts: str | bytes) -> str:
    """SHA-256 over ``parts``, each length-prefixed so no two lists collide."""
    hashed = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8", "surrogatepass") if isinstance(part, str) else part
        hashed.update(len(data).to_bytes(8, "big"))
        hashed.update(data)
    return hashed.hexdigest()


class SiteCache(WorkerSharing):
    """An open cache: :meth:`get` and :meth:`put` during a build, :meth:`commit`
    after a successful one. A read that fails marks the cache broken: every
    later :meth:`get` misses and :meth:`commit` starts the file afresh."""

    def __init__(
        self,
        path: Path,
        connection: sqlite3.Connection | None,
        notes: list[str],
        scratch: Path | None = None,
        pending: Path | None = None,
    ) -> None:
        self.path = path
        self._db = connection
        self._scratch = scratch
        self._pending = pending
        """A new database (in ``scratch``) that :meth:`commit` moves to ``path``."""
        self.notes = notes
        """One-line notes for the user (a cache discarded, and why)."""
        self._new: dict[str, bytes] = {}
        self._used: set[str] = set()
        self._writing = True
        self.busy = False
        """Another build held the cache when this one opened it: it is neither read nor written."""
        self.hits = 0
        self.misses = 0
        self.own_scratch = False
        self._suspended = False
        self._spill: sqlite3.Connection | None = None
        self._spill_dir: Path | None = None
        """``scratch`` is a temporary folder of this cache's own, removed on :meth:`close`."""
        self.warm: Warm | None = None
        """Objects earlier builds of this process made from entries (:mod:`specgen.site.warm`)."""
        self._warm_on_commit: list[tuple[str, str, Any]] = []

    def get(self, key: str, *, tally: bool = True) -> Any | None:
        """The value stored under ``key`` (JSON data, or bytes as put), or
        None; counted as a hit or a miss unless ``tally`` is off (a look-up
        that may well find nothing and computes nothing itself)."""
        self._used.add(key)
        if key in self._new:
            self.hits += tally
            return decode_value(self._new[key])
        if self._db is None:
            self.misses += tally
            return None
        try:
            row = self._db.execute("SELECT value FROM entries WHERE key = ?", (key,)).fetchone()
            value = None if row is None else decode_value(row[0])
        except (sqlite3.Error, ValueError, TypeError) as exc:
            if not busy(exc):  # another build committing is no reason to discard the cache
                self._broken(f"an entry cannot be read ({exc})")
            value = None
        if value is None:
            self.misses += tally
        else:
            self.hits += tally
        return value

    def get_many(self, keys: list[str]) -> dict[str, Any]:
        """The values stored under ``keys`` (JSON data), for those that have
        one: :meth:`get` for many keys in a few queries."""
        found: dict[str, Any] = {}
        wanted = []
        for key in keys:
            self._used.add(key)
            if key in self._new:
                found[key] = decode_value(self._new[key])
            else:
                wanted.append(key)
        if self._db is not None:
            try:
                for start in range(0, len(wanted), _BATCH):
                    chunk = wanted[start : start + _BATCH]
                    marks = ",".join("?" * len(chunk))
                    rows = self._db.execute(f"SELECT key, value FROM entries WHERE key IN ({marks})", chunk)
                    for key, value in rows:
                        found[key] = decode_value(value)
            except (sqlite3.Error, ValueError, TypeError) as exc:
                if not busy(exc):
                    self._broken(f"an entry cannot be read ({exc})")
                found = {key: value for key, value in found.items() if key in self._new}
        found = {key: value for key, value in found.items() if value is not None}
        self.hits += len(found)
        self.misses += len(keys) - len(found)
        return found

    def restored(self, key: str, restore: Callable[[Any], _T | None], variant: str = "") -> _T | None:
        """``restore`` of the value under ``key`` (None when there is none, or
        when ``restore`` rejects it); with :attr:`warm`, the object an earlier
        build of this process made under the same key and ``variant``, which
        must then not be changed (see :mod:`specgen.site.warm`)."""
        if self.warm is not None:
            found = self.warm.get(key, variant)
            if found is not None:
                self._used.add(key)
                self.hits += 1
                return found  # type: ignore[no-any-return]
        value = self.get(key)
        made = None if value is None else restore(value)
        if made is not None and self.warm is not None:
            self.warm.put(key, variant, made)
        return made

    def kept_objects(self, keys: Collection[str], variant: str = "") -> dict[str, Any]:
        """The objects :attr:`warm` holds for ``keys`` (those it has), each counted as a hit."""
        if self.warm is None:
            return {}
        found = {key: value for key in keys if (value := self.warm.get(key, variant)) is not None}
        self._used.update(found)
        self.hits += len(found)
        return found

    def keep_object(self, key: str, variant: str, value: Any, *, on_commit: bool = False) -> None:
        """Hand :attr:`warm` an object made from what was just put under
        ``key``; with ``on_commit``, only once this build commits (an object
        that says what the build left behind, true only if it succeeded)."""
        if self.warm is not None:
            if on_commit:
                self._warm_on_commit.append((key, variant, value))
            else:
                self.warm.put(key, variant, value)

    def keep(self, key: str) -> None:
        """Keep the entry under ``key`` at :meth:`commit` though this build did not read it."""
        self._used.add(key)

    def put(self, key: str, value: Any) -> None:
        """Remember ``value`` (JSON data, or bytes kept as they are) under ``key``, inside a transaction
        that only :meth:`commit` commits (so memory stays flat however many
        pages change; kept in memory if the database is busy or broken)."""
        self._used.add(key)
        self._store(key, encode_value(value))

    def _store(self, key: str, data: bytes) -> None:
        if self._suspended and self._spill_db() is not None:
            try:
                self._spill.execute("INSERT OR REPLACE INTO entries (key, value) VALUES (?, ?)", (key, data))  # type: ignore[union-attr]
                return
            except sqlite3.Error:
                pass
        if self._db is not None and self._writing:
            try:
                self._db.execute("INSERT OR REPLACE INTO entries (key, value) VALUES (?, ?)", (key, data))
                return
            except sqlite3.Error:  # another build is writing: keep the rest in memory until the commit
                self._writing = False
        self._new[key] = data

    def _broken(self, why: str) -> None:
        self.notes.append(f"note: discarded the build cache {self.path}: {why}; it is rebuilt")
        if self._db is not None:
            self._db.close()
        self._db = None
        if self._pending is not None:
            self._pending.unlink(missing_ok=True)
            self._pending = None

    def commit(self, *, prune: bool = True) -> None:
        """Write the new entries and (with ``prune``) drop those this build did not use."""
        if self.warm is not None:  # the build succeeded, whether or not its entries can be written
            for key, variant, value in self._warm_on_commit:
                self.warm.put(key, variant, value)
        self._warm_on_commit.clear()
        if self.busy:
            return
        try:
            if self._db is None:
                self._pending = (self._scratch or self.path.parent) / f".{CACHE_FILE}.new"
                self._db = create(self._pending, _stamp())
            db = self._db
            with db:
                db.executemany("INSERT OR REPLACE INTO entries (key, value) VALUES (?, ?)", self._new.items())
                if prune:
                    db.execute("CREATE TEMP TABLE IF NOT EXISTS used (key TEXT PRIMARY KEY)")
                    db.execute("DELETE FROM used")
                    db.executemany("INSERT OR IGNORE INTO used (key) VALUES (?)", ((k,) for k in self._used))
                    db.execute("DELETE FROM entries WHERE key NOT IN (SELECT key FROM used)")
            if self._pending is not None:
                db.close()
                self._db = None
                install(self._pending, self.path)
                self._pending = None
            if self.warm is not None:  # what this build did not use, the next will not either
                self.warm.retain(self._used)
        except (sqlite3.Error, OSError) as exc:  # a cache that cannot be written only costs time
            self.notes.append(f"note: the build cache {self.path} was not updated: {exc}")
        finally:
            self._new.clear()

    def close(self) -> None:
        """Close; without :meth:`commit`, nothing of this build is kept."""
        if self._db is not None:
            self._db.close()
            self._db = None
        if self._pending is not None:
            self._pending.unlink(missing_ok=True)
            self._pending = None
        if self.own_scratch and self._scratch is not None:
            shutil.rmtree(self._scratch, ignore_errors=True)
            self._scratch = None


_BATCH = 500
"""Keys per query of :meth:`SiteCache.get_many` (SQLite allows 32,766 parameters)."""


def _fresh(path: Path, notes: list[str], scratch: Path | None) -> SiteCache:
    """A cache to be created: in ``scratch`` (else in the system's temporary
    folder) until :meth:`SiteCache.commit`, so what a build computes goes to
    disk, not memory, and a build that fails leaves no cache folder behind."""
    own = scratch is None
    if scratch is None:
        scratch = Path(tempfile.mkdtemp(prefix="specgen-cache-"))
    pending = scratch / CACHE_FILE
    try:
        cache = SiteCache(path, create(pending, _stamp()), notes, scratch, pending)
    except (sqlite3.Error, OSError):
        cache = SiteCache(path, None, notes, scratch)
    cache.own_scratch = own
    return cache


def open_cache(folder: Path, scratch: Path | None = None, warm: Warm | None = None) -> SiteCache:
    """Open the cache in ``folder``. A missing, foreign or unreadable one is
    started afresh in ``scratch`` (the build's staging folder) and replaces
    the old only when the build commits, so a failed build changes nothing;
    a discarded one is noted in :attr:`SiteCache.notes`. ``warm``: what
    earlier builds of this process keep (:mod:`specgen.site.warm`)."""
    cache = _open(folder, scratch)
    cache.warm = warm
    return cache


def _open(folder: Path, scratch: Path | None) -> SiteCache:
    path = folder / CACHE_FILE
    notes: list[str] = []
    if path.is_symlink() or (path.exists() and not path.is_file()):
        raise _refuse(path)
    if not path.exists():
        return _fresh(path, notes, scratch)
    db: sqlite3.Connection | None = None
    try:
        db = connect(path, "rw")
        check(db, _stamp())
    except (Unreadable, sqlite3.Error) as exc:
        if db is not None:
            db.close()
        if busy(exc):
            notes.append(f"note: the build cache {path} is in use by another build; building without it")
            skipped = SiteCache(path, None, notes)
            skipped.busy = True
            return skipped
        why = str(exc) if isinstance(exc, Unreadable) else f"it cannot be read ({exc})"
        notes.append(f"note: discarded the build cache {path}: {why}; it is rebuilt")
        return _fresh(path, notes, scratch)
    return SiteCache(path, db, notes, scratch)


def _refuse(path: Path) -> Exception:
    from specgen.site.errors import SiteBuildError

    return SiteBuildError(f"{path} is not a file; remove it or build with --no-cache")
