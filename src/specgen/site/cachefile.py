"""The build cache's SQLite file: connecting, creating and stamping it,
checking a stamp, moving a new file into place, and how a row holds its
value. What is stored in it, and when, is :mod:`specgen.site.cache`."""

from __future__ import annotations

import functools
import hmac
import json
import os
import shutil
import sqlite3
import sys
import threading
import zlib
from importlib import metadata
from pathlib import Path
from typing import Any

from specgen.errors import SpecgenError

__all__ = [
    "BUSY_SECONDS",
    "CACHE_FILE",
    "MAX_VALUE",
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


@functools.cache
def tool_versions() -> str:
    """Versions of everything that shapes the pages (part of every key's salt);
    read from the installed packages' metadata once per process (four times a
    build otherwise: 0.01 s), and those of the code this process imported
    even should a package be upgraded while a preview runs."""
    found = []
    for name in _DISTRIBUTIONS:
        try:
            found.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            found.append(f"{name} ?")
    found.append(f"python {sys.version_info.major}.{sys.version_info.minor}")
    return ", ".join(found)


_RAW = b"\x00"
"""First byte of a value stored as bytes, followed by the CRC-32 of the
bytes: damage is found as the checksum of a compressed value finds it."""
_TEXT = b"\x01"
"""First byte of a text stored as a Zstandard frame of its UTF-8 (a page's
HTML: no JSON escaping of 75 KB on the way in and out)."""
_JSON = b"\x02"
"""First byte of other data stored as a Zstandard frame of its JSON."""
MAX_VALUE = 1 << 30
"""The largest value a row may unpack to (a damaged frame header could claim any size)."""
_CODECS = threading.local()


def _codecs() -> tuple[Any, Any]:
    """This thread's Zstandard compressor and decompressor (neither may be shared between threads).

    Zstandard at level 1 rather than zlib: on a 100-spec site's 130 MB of
    entries it compresses 3.4 times and decompresses 3.3 times as fast as
    zlib at its fastest level, into 10% less space."""
    import zstandard

    made = getattr(_CODECS, "pair", None)
    if made is None:
        made = (zstandard.ZstdCompressor(level=1, write_checksum=True), zstandard.ZstdDecompressor())
        _CODECS.pair = made
    return made


def encode_value(value: Any) -> bytes:
    """A row's value: bytes as they are (behind :data:`_RAW` and their CRC-32),
    text or other JSON data compressed, each behind its own first byte."""
    if isinstance(value, bytes):
        return _RAW + zlib.crc32(value).to_bytes(4, "big") + value
    if type(value) is str:
        return _TEXT + _codecs()[0].compress(value.encode("utf-8", "surrogatepass"))
    return _JSON + _codecs()[0].compress(json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode("utf-8"))


def decode_value(data: bytes) -> Any:
    """What :func:`encode_value` stored; ValueError for damage."""
    kind = data[:1]
    if kind == _RAW:
        body = data[5:]
        if len(data) < 5 or zlib.crc32(body) != int.from_bytes(data[1:5], "big"):
            raise ValueError("a stored value does not match its checksum")
        return body
    if kind not in (_TEXT, _JSON):
        raise ValueError("a stored value is of no known kind")
    import zstandard

    frame = data[1:]
    try:
        size = zstandard.frame_content_size(frame)
        if not 0 <= size <= MAX_VALUE:
            raise ValueError("a stored value does not say its size, or says too large a one")
        body = _codecs()[1].decompress(frame)
    except zstandard.ZstdError as exc:
        raise ValueError(f"a stored value cannot be unpacked ({exc})") from None
    text = body.decode("utf-8", "surrogatepass")
    return text if kind == _TEXT else json.loads(text)
