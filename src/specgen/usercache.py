"""The user's own cache folder, for what must not live in a project.

Compiled templates are Python code: a project folder (which a pull request
can fill) is no place to load code from. They are kept in
``$SPECGEN_CACHE_HOME``, else ``$XDG_CACHE_HOME/specgen``, else
``~/.cache/specgen``, made readable by the user alone. Failing to read or
write there only costs time.

The same folder holds a random key of the user's own, from which
:func:`owner_mark` is made: the build cache in a project folder is stamped
with it, so a cache that came with the project (committed in a pull
request, unpacked from an archive) or from another user is never trusted.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import hmac
import os
import secrets
from pathlib import Path

import jinja2
from jinja2.bccache import Bucket

__all__ = ["TemplateCodeCache", "owner_mark", "template_code_cache", "user_cache_dir"]


def user_cache_dir() -> Path:
    """The user's specgen cache folder (not created)."""
    explicit = os.environ.get("SPECGEN_CACHE_HOME")
    if explicit:
        return Path(explicit)
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg) if xdg and Path(xdg).is_absolute() else Path.home() / ".cache"
    return base / "specgen"


class TemplateCodeCache(jinja2.FileSystemBytecodeCache):
    """Jinja's compiled-template cache, in a folder of the user's own; a file
    it cannot read or write is compiled afresh.

    Entries are found by template name alone (Jinja's own key adds the file's
    path, which for the theme is a new build folder every time); Jinja still
    compares the source's checksum, so another source is compiled afresh."""

    def get_cache_key(self, name: str, filename: str | None = None) -> str:
        return hashlib.sha256(name.encode("utf-8")).hexdigest()

    def load_bytecode(self, bucket: Bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except (OSError, EOFError, ValueError, TypeError):
            bucket.reset()

    def dump_bytecode(self, bucket: Bucket) -> None:
        with contextlib.suppress(OSError):
            super().dump_bytecode(bucket)


def _own_folder(folder: Path) -> bool:
    """Make ``folder`` if need be; whether it is the user's alone to write."""
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        stat = folder.stat()
    except OSError:
        return False
    return stat.st_uid == os.getuid() and not stat.st_mode & 0o022  # else someone else could plant files there


@functools.cache
def _code_cache(folder: Path) -> TemplateCodeCache | None:
    return TemplateCodeCache(str(folder)) if _own_folder(folder) else None


def template_code_cache() -> TemplateCodeCache | None:
    """The compiled-template cache (None when its folder cannot be made or is not the user's own)."""
    return _code_cache(user_cache_dir() / "templates")


_KEY_FILE = "owner.key"
_KEY_BYTES = 32


_MARKS: dict[Path, str] = {}
"""Marks already made in this process, by folder (a failure is tried again next time)."""


def _owner_mark(folder: Path) -> str | None:
    if folder in _MARKS:
        return _MARKS[folder]
    if not _own_folder(folder):
        return None
    path = folder / _KEY_FILE
    try:  # made once, by whichever build comes first; never replaced
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    except OSError:
        return None
    else:
        with os.fdopen(fd, "wb") as made:
            made.write(secrets.token_bytes(_KEY_BYTES))
    try:
        key = path.read_bytes()
    except OSError:
        return None
    if len(key) != _KEY_BYTES:  # being written by another build this instant, or damaged: trust nothing
        return None
    mark = _MARKS[folder] = hmac.new(key, b"specgen build cache", hashlib.sha256).hexdigest()
    return mark


def owner_mark() -> str | None:
    """What the build cache is stamped with: derived from a random key kept in
    the user's cache folder (made on first use, readable by the user alone),
    so no one without that key can make a cache this user's builds trust.
    None when the folder or key cannot be made or read."""
    return _owner_mark(user_cache_dir())
