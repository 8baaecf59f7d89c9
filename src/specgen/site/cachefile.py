"""The build cache's SQLite file: connecting, creating and stamping it,
checking a stamp, moving a new file into place, and how a row holds its
value. What is stored in it, and when, is :mod:`specgen.site.cache`."""

from __future__ import annotations

import hmac
import json
import os
import shutil
import sqlite3
import sys
import zlib
from importlib import metadata
from pathlib import Path
from typing import Any

from specgen.errors import SpecgenError

__all__ = [
    "BUSY_SECONDS",
    "CACHE_FILE",
    "PAGE_CACHE_KIB",
    "Unreadable",
    "busy",
    "check",
    "connect",
    "create",
    "decode_value",
    "encode_value",
    "install",
    "make_folder",
    "tool_versions",
]

CACHE_FILE = "site.sqlite3"
BUSY_SECONDS = 2.0
"""How long to wait for another build (``serve`` and ``build`` at once) to
release the cache before going on without writing to it."""


class Unreadable(SpecgenError):
    """The cache is not one this build can trust (caught by the cache: it is discarded with a note)."""


PAGE_CACHE_KIB = 2000
"""Memory of each connection's page cache (SQLite's default); a write
transaction that outgrows it takes the exclusive lock until it ends."""


def connect(path: Path, mode: str) -> sqlite3.Connection:
    """A connection to the database at ``path`` (``mode``: ro, rw or rwc)."""
    db = sqlite3.connect(f"{path.resolve().as_uri()}?mode={mode}", uri=True, timeout=BUSY_SECONDS)
    db.execute(f"PRAGMA cache_size = -{int(PAGE_CACHE_KIB)}")
    return db


def make_folder(folder: Path) -> None:
    """The cache folder, made and git-ignored if need be."""
    folder.mkdir(parents=True, exist_ok=True)
    ignore = folder / ".gitignore"
    if not ignore.exists():
        ignore.write_text("# specgen's build cache: safe to delete\n*\n", encoding="utf-8")


def install(new: Path, path: Path) -> None:
    """Move a new database into the cache folder (made, git-ignored, if need be)."""
    make_folder(path.parent)
    try:
        os.replace(new, path)
    except OSError:  # another file system: copy beside, then rename
        beside = path.with_name(f".{CACHE_FILE}.new")
        shutil.copyfile(new, beside)
        os.replace(beside, path)
        new.unlink(missing_ok=True)


def create(path: Path, stamp: dict[str, str]) -> sqlite3.Connection:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    db = connect(path, "rwc")
    with db:
        db.execute("CREATE TABLE meta (name TEXT PRIMARY KEY, value TEXT NOT NULL)")
        db.execute("CREATE TABLE entries (key TEXT PRIMARY KEY, value BLOB NOT NULL)")
        db.executemany("INSERT INTO meta VALUES (?, ?)", sorted(stamp.items()))
    return db


def check(db: sqlite3.Connection, stamp: dict[str, str]) -> None:
    """Raise :class:`Unreadable` unless ``db`` is a cache stamped with ``stamp``
    (``format``, ``versions`` and ``owner``, the user's mark: empty when
    there is no key to make it with, and then no cache is trusted)."""
    try:
        meta = dict(db.execute("SELECT name, value FROM meta").fetchall())
        db.execute("SELECT key, value FROM entries LIMIT 1").fetchall()
    except sqlite3.Error as exc:
        raise Unreadable(f"it is not a specgen cache ({exc})") from exc
    if meta.get("format") != stamp["format"]:
        raise Unreadable(f"it has another layout ({meta.get('format', 'none')!r}, expected {stamp['format']!r})")
    if meta.get("versions") != stamp["versions"]:
        raise Unreadable(f"it was made by other versions ({meta.get('versions')})")
    if not stamp["owner"]:
        raise Unreadable("no key in the user's cache folder ($SPECGEN_CACHE_HOME) tells whether it was made here")
    if not hmac.compare_digest(meta.get("owner", ""), stamp["owner"]):
        raise Unreadable("it was not made by this user's builds (it came with the project, or from elsewhere)")


def busy(exc: BaseException) -> bool:
    """Whether an SQLite error only says another connection holds the lock."""
    cause = exc.__cause__ if isinstance(exc, Unreadable) else exc
    return isinstance(cause, sqlite3.OperationalError) and ("locked" in str(cause) or "busy" in str(cause))


# ---------------------------------------------------------------- stamp and values

_DISTRIBUTIONS = ("specgen", "mkdocs", "mkdocs-material", "markdown", "pymdown-extensions", "jinja2")


def tool_versions() -> str:
    """Versions of everything that shapes the pages (part of every key's salt)."""
    found = []
    for name in _DISTRIBUTIONS:
        try:
            found.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            found.append(f"{name} ?")
    found.append(f"python {sys.version_info.major}.{sys.version_info.minor}")
    return ", ".join(found)


_RAW = b"\x00"
"""First byte of a value stored as bytes (a zlib stream never starts with it),
followed by the CRC-32 of the bytes: damage is found as zlib finds it in a
compressed value."""


def encode_value(value: Any) -> bytes:
    """A row's value: bytes as they are (behind :data:`_RAW` and their CRC-32), else compressed JSON."""
    if isinstance(value, bytes):
        return _RAW + zlib.crc32(value).to_bytes(4, "big") + value
    return zlib.compress(json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode("utf-8"), 1)


def decode_value(data: bytes) -> Any:
    """What :func:`encode_value` stored; ValueError or ``zlib.error`` for damage."""
    if data[:1] == _RAW:
        body = data[5:]
        if len(data) < 5 or zlib.crc32(body) != int.from_bytes(data[1:5], "big"):
            raise ValueError("a stored value does not match its checksum")
        return body
    return json.loads(zlib.decompress(data))
