"""Staging folders and the atomic swap of a finished site.

A build happens in a staging folder beside its output
(``.<output name>.<random>.specgen-build``), holding a lock for as long as it
runs. :func:`swap_in` then puts the new folder in place in one step: on Linux
by ``renameat2(RENAME_EXCHANGE)``, which exchanges the two folders atomically,
so a reader sees the old site or the new one and never a missing folder;
elsewhere by two renames (the old folder moved aside, the new one moved in,
and the old one moved back if the second rename fails).

A build that was killed leaves its staging folder behind; the next build
beside the same output removes every such folder whose lock no running build
holds (:func:`remove_stale`).

The live preview, whose folder only its own server reads, does not swap a
build that kept pages: :func:`move_files` moves the files that build wrote
into the folder, a rename each (see :func:`specgen.site.build.build_site`).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import os
import secrets
import shutil
import stat
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

__all__ = ["STAGING_SUFFIX", "discard", "move_files", "remove_stale", "staging_folder", "swap_in"]

STAGING_SUFFIX = ".specgen-build"
LOCK = ".specgen-lock"
UNLOCKED_GRACE_SECONDS = 60.0
"""A staging folder without its lock file is only taken for stale once it is
this old (a build creates the lock right after the folder)."""

_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


def _renameat2() -> object | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        function = libc.renameat2
    except (OSError, AttributeError):
        return None
    function.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    function.restype = ctypes.c_int
    return function


_RENAMEAT2 = _renameat2()


def _exchange(a: Path, b: Path) -> bool:
    """Exchange two existing paths atomically; False where the OS or file
    system cannot (the caller falls back to two renames)."""
    if _RENAMEAT2 is None:
        return False
    done = _RENAMEAT2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)  # type: ignore[operator]
    if done == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV):
        return False
    raise OSError(code, os.strerror(code), str(b))


def swap_in(new: Path, target: Path, attic: Path) -> None:
    """Put ``new`` in place of ``target``; the old ``target`` (if any) ends up
    at ``attic`` (which must not exist), for the caller to remove."""
    if not target.exists():
        os.replace(new, target)
        return
    if _exchange(new, target):
        os.replace(new, attic)  # new now holds the old site
        return
    os.replace(target, attic)
    try:
        os.replace(new, target)
    except BaseException:
        os.replace(attic, target)
        raise


def move_files(new: Path, target: Path, replaced: Path | None = None) -> None:
    """Move every file under ``new`` to the same place under ``target``, each
    in one step (so a reader of ``target`` sees each file either as it was
    or as it is now); folders ``target`` lacks are made.

    A file already in ``target`` is exchanged with the new one where the
    system can (``renameat2``): the old file is left under ``new``, for
    whoever removes that folder (the staging folder's background ``rm``).
    Renaming a file over another makes ext4 write the new file's blocks out
    first (its ``auto_da_alloc``), 2 to 35 ms for each of the two 77 MB
    search index files at 1,000 specs; an exchange does not. Where the
    system cannot exchange, the file is renamed over the old one, which is
    first hard-linked into ``replaced`` (when given), so the rename frees
    nothing and the space is again given back by the background ``rm``."""
    made: set[str] = set()
    kept = 0
    if replaced is not None:
        try:
            replaced.mkdir(parents=True, exist_ok=True)
        except OSError:
            replaced = None
    stack = [(str(new), str(target))]
    while stack:
        source, destination = stack.pop()
        with os.scandir(source) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    stack.append((entry.path, os.path.join(destination, entry.name)))
                    continue
                if destination not in made:
                    os.makedirs(destination, exist_ok=True)
                    made.add(destination)
                there = os.path.join(destination, entry.name)
                if _is_file(there) and _exchange(Path(entry.path), Path(there)):
                    continue
                if replaced is not None:
                    try:
                        os.link(there, os.path.join(replaced, str(kept)), follow_symlinks=False)
                        kept += 1
                    except OSError:  # nothing there yet, or no hard links: the rename frees it
                        pass
                os.replace(entry.path, there)


def _is_file(path: str) -> bool:
    """Whether ``path`` is a file (not a folder, not a link)."""
    try:
        return stat.S_ISREG(os.lstat(path).st_mode)
    except OSError:
        return False


def _locked_by_someone(folder: Path) -> bool:
    """Whether a running build holds ``folder``'s lock."""
    lock = folder / LOCK
    try:
        import fcntl
    except ImportError:  # no advisory locks: a staging folder under an hour old may be in use
        return time.time() - folder.stat().st_mtime < 3600
    if not lock.is_file():
        return time.time() - folder.stat().st_mtime < UNLOCKED_GRACE_SECONDS
    with open(lock, "rb") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            return True
        fcntl.flock(handle, fcntl.LOCK_UN)
    return False


def remove_stale(output: Path) -> list[Path]:
    """Remove the staging folders of builds of ``output`` that are no longer
    running (killed); returns those removed."""
    removed = []
    for folder in sorted(output.parent.glob(f".{output.name}.*{STAGING_SUFFIX}")):
        try:
            if folder.is_symlink() or not folder.is_dir() or _locked_by_someone(folder):
                continue
        except OSError:
            continue
        shutil.rmtree(folder, ignore_errors=True)
        removed.append(folder)
    return removed


class Staging:
    """A staging folder being used (see :func:`staging_folder`)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.trash: Path | None = None
        """Set by the build once it succeeded: where to move the folder (the
        replaced site and the sources) for removal in the background."""


def discard(folder: Path, trash: Path | None) -> None:
    """Remove ``folder``. Deleting the replaced site's thousand files takes
    about as long as an incremental build, so where a ``trash`` folder on the
    same file system is given and ``rm`` exists, ``folder`` is moved into it
    and removed by a detached ``rm -rf`` (with whatever an earlier one left);
    otherwise it is removed here."""
    rm = shutil.which("rm") if os.name == "posix" else None
    if trash is not None and rm is not None:
        try:
            trash.mkdir(parents=True, exist_ok=True)
            os.rename(folder, trash / secrets.token_hex(8))
            subprocess.Popen(
                [rm, "-rf", "--", *map(str, sorted(trash.iterdir()))],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,
                close_fds=True,
            )
            return
        except OSError:
            pass
    shutil.rmtree(folder, ignore_errors=True)


@contextmanager
def staging_folder(output: Path) -> Iterator[Staging]:
    """A fresh, locked staging folder beside ``output``, removed on exit
    (in the background when the build set :attr:`Staging.trash`)."""
    folder = Path(tempfile.mkdtemp(prefix=f".{output.name}.", suffix=STAGING_SUFFIX, dir=output.parent))
    handle = open(folder / LOCK, "wb")  # noqa: SIM115 - held for the whole build
    staging = Staging(folder)
    try:
        try:
            import fcntl

            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except ImportError:
            pass
        yield staging
    finally:
        handle.close()
        discard(folder, staging.trash)
