"""The user's own cache folder, for what must not live in a project.

Compiled templates are Python code: a project folder (which a pull request
can fill) is no place to load code from. They are kept in
``$SPECGEN_CACHE_HOME``, else ``$XDG_CACHE_HOME/specgen``, else
``~/.cache/specgen``, made readable by the user alone. Failing to read or
write there only costs time.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
from pathlib import Path

import jinja2
from jinja2.bccache import Bucket

__all__ = ["TemplateCodeCache", "template_code_cache", "user_cache_dir"]


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


@functools.cache
def _code_cache(folder: Path) -> TemplateCodeCache | None:
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        stat = folder.stat()
    except OSError:
        return None
    if stat.st_uid != os.getuid() or stat.st_mode & 0o022:  # someone else could plant code there
        return None
    return TemplateCodeCache(str(folder))


def template_code_cache() -> TemplateCodeCache | None:
    """The compiled-template cache (None when its folder cannot be made or is not the user's own)."""
    return _code_cache(user_cache_dir() / "templates")
