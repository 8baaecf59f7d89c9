"""Only project files: a symbolic link may not bring a file from elsewhere in.

Specs, approvals sidecars, templates and site assets are read from the
project. A symbolic link among them whose target lies outside (``specs/x.yml``
→ ``/etc/shadow``) is refused before the file is opened, with a message that
names the link and nothing of the target: its content would otherwise be
echoed in an error or copied into the site and the bundle. A file name that is
not UTF-8 is refused too: the site, the zip and the manifest cannot hold it.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable
from pathlib import Path

from specgen.errors import SpecgenError

__all__ = [
    "OutsideProject",
    "Resolver",
    "check_within",
    "escapes",
    "is_utf8_name",
    "is_within",
    "name_refusal",
    "refusal",
]


class OutsideProject(SpecgenError):
    """A file of the project is a link to a file outside it, or has a name that is not UTF-8."""


class Resolver:
    """``Path.resolve()`` for many files of few folders, each folder resolved
    once: a file that is not a symbolic link is its resolved folder joined
    with its name, which is what ``resolve()`` makes of it with a look at
    every part of the path. A link, a name such as ``..`` or a file that
    cannot be looked at is resolved in full. Folders are remembered for the
    resolver's life: make one per pass over a portfolio's files."""

    __slots__ = ("_folders",)

    def __init__(self) -> None:
        self._folders: dict[Path, Path] = {}

    def folder(self, path: Path) -> Path:
        """``path.resolve()``, remembered."""
        found = self._folders.get(path)
        if found is None:
            found = self._folders[path] = path.resolve()
        return found

    def __call__(self, path: Path) -> Path:
        """``path.resolve()``, with its folder's resolution remembered."""
        if path.name in ("", ".", ".."):
            return path.resolve()
        try:
            if stat.S_ISLNK(os.lstat(path).st_mode):
                return path.resolve()
        except (OSError, ValueError):  # not there, or not a name the system takes: as resolve() sees it
            return path.resolve()
        return self.folder(path.parent) / path.name


def is_within(path: Path, roots: Iterable[Path], resolver: Resolver | None = None) -> bool:
    """Whether ``path``, with every symbolic link followed, lies in one of
    ``roots`` (followed too); ``resolver`` remembers the folders it resolved
    (one per pass over many files)."""
    resolve = resolver if resolver is not None else Resolver()
    try:
        target = resolve(path)
        return any(target.is_relative_to(resolve.folder(root)) for root in roots)
    except (OSError, RuntimeError):  # a link loop: not a project file
        return False


def escapes(name: str) -> bool:
    """Whether a relative path read from outside (an archive entry, the build
    cache's record of a site) could lead out of the folder it is joined to:
    absolute, climbing out with '..', or not plain POSIX."""
    if not name or name.startswith(("/", "\\")) or "\\" in name or "\0" in name:
        return True
    if len(name) > 1 and name[1] == ":":  # a Windows drive: C:...
        return True
    parts = name.rstrip("/").split("/")
    return any(part in ("", ".", "..") for part in parts)


def _shown(path: Path | str) -> str:
    try:
        return os.path.relpath(path)
    except ValueError:  # pragma: no cover - another drive on Windows
        return str(path)


def refusal(path: Path | str) -> str:
    """The message for a link out of the project (it names the link only)."""
    return f"{_shown(path)} is a symbolic link to a file outside the project; refusing to read it"


def is_utf8_name(path: Path | str) -> bool:
    """Whether the name can be written in UTF-8 (a site, a zip, a manifest):
    bytes that are not UTF-8 reach Python as lone surrogates."""
    try:
        str(path).encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def name_refusal(path: Path | str) -> str:
    """The message for a file name that is not UTF-8 (shown with its bytes escaped)."""
    shown = os.fsencode(_shown(path)).decode("utf-8", "backslashreplace")
    return f"{shown}: the file name is not UTF-8 text; rename the file"


def check_within(path: Path, roots: Iterable[Path]) -> None:
    """Raise :class:`OutsideProject` when ``path`` leads outside ``roots`` or
    its name is not UTF-8."""
    if not is_utf8_name(path):
        raise OutsideProject(name_refusal(path))
    if not is_within(path, roots):
        raise OutsideProject(refusal(path))
