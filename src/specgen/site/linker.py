"""Linking the kept pages of the previous site into the new one while the build goes on.

A build that keeps pages of the previous site swaps in a whole new folder
(:func:`specgen.site.staging.swap_in`), so the new folder needs every kept
file: at 1,000 specs, 12,000 hard links in 2,000 folders, a third of a
second of system calls after the build (:func:`specgen.site.delta.carry`).
:func:`background_links` hands the kept pages' files to a child process as
soon as the build knows which pages it keeps, so that they are linked while
the build renders the pages that changed, on the other processor.

Only files the build never writes are handed over: the HTML of the pages it
keeps (:func:`kept_page_files`). A file linked from the previous site must
never be written through, or the previous site would change before the
swap. Whatever the child did not link (a file system without hard links, a
child that failed) the carry after the build links or copies as before, so
the child only ever saves time.

The child is this file run as a script by the same Python, isolated (``-I
-S``): it imports nothing but the standard library and touches nothing but
the two folders it is given.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

__all__ = ["BackgroundLinks", "background_links", "kept_page_files", "link_files", "start_links"]

_SEP = b"\0"


def kept_page_files(pages: Iterable[str], files: Iterable[str]) -> list[str]:
    """The files of the site holding the kept ``pages`` (docs paths such as
    ``workflows/x/exit.md``) that the previous site has (``files``), in the
    order given. mkdocs writes ``x/y.md`` to ``x/y.html`` (directory URLs are
    off); a page mkdocs would write elsewhere (``README.md`` becomes
    ``index.html``) is left to the carry after the build."""
    have = set(files)
    found = []
    for page in pages:
        folder, _, name = page.rpartition("/")
        if not name.endswith(".md") or name[:-3].lower() == "readme":
            continue
        target = f"{folder}/{name[:-3]}.html" if folder else f"{name[:-3]}.html"
        if target in have:
            found.append(target)
    return found


def link_files(old: bytes, new: bytes, names: Iterable[bytes]) -> list[bytes]:
    """Hard-link each of ``names`` (relative paths) from folder ``old`` into
    folder ``new``, making the folders it needs; returns the names not
    linked (an existing file is never replaced)."""
    failed: list[bytes] = []
    made: set[bytes] = set()
    for name in names:
        folder = name.rpartition(b"/")[0]
        try:
            if folder not in made:
                os.makedirs(os.path.join(new, folder), exist_ok=True)
                made.add(folder)
            os.link(os.path.join(old, name), os.path.join(new, name))
        except OSError:
            failed.append(name)
    return failed


class BackgroundLinks:
    """A child process linking files (see :func:`background_links`)."""

    def __init__(self, process: subprocess.Popen[bytes] | None, names: list[str]) -> None:
        self._process = process
        self.names = names
        """The files it was given to link."""
        self.linked: frozenset[str] = frozenset()
        """The files linked, once :meth:`finish` returned."""

    def finish(self) -> frozenset[str]:
        """Wait for the child; the files it linked (none if it failed, in which
        case the carry finds what it linked as any file of the new site)."""
        process, self._process = self._process, None
        if process is None:
            return self.linked
        out, _ = process.communicate()
        if process.returncode == 0:
            failed = set(out.split(_SEP)) if out else set()
            self.linked = frozenset(n for n in self.names if os.fsencode(n) not in failed)
        return self.linked

    def stop(self) -> None:
        """Stop the child, if it still runs, and wait for it: nothing is
        linked after this returns."""
        process, self._process = self._process, None
        if process is None:
            return
        process.kill()
        process.communicate()


def start_links(old: Path, new: Path, names: list[str]) -> BackgroundLinks:
    """Start a child process linking ``names`` from folder ``old`` into folder
    ``new`` (:func:`background_links` stops it when its block is left; a
    caller of this must :meth:`~BackgroundLinks.finish` or
    :meth:`~BackgroundLinks.stop` it). No names, or no child process to be
    had: nothing is linked, and the carry links it all."""
    process = None
    if names and sys.executable:
        folders = [os.fsencode(os.path.abspath(old)), os.fsencode(os.path.abspath(new))]
        try:  # the names in a file, not a pipe: the build does not wait for the child to read them
            with tempfile.TemporaryFile() as listing:
                listing.write(_SEP.join([*folders, *map(os.fsencode, names)]))
                listing.seek(0)
                process = subprocess.Popen(
                    [sys.executable, "-I", "-S", __file__],
                    stdin=listing,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.DEVNULL,
                    close_fds=True,
                )
        except OSError:
            process = None
    return BackgroundLinks(process, names)


@contextmanager
def background_links(old: Path, new: Path, names: list[str]) -> Iterator[BackgroundLinks]:
    """Link ``names`` from folder ``old`` into folder ``new`` in a child
    process while the block runs; call :meth:`BackgroundLinks.finish` for
    what it linked. Leaving the block stops the child (when the build failed,
    nothing links into the folder the build leaves). No names, or no child
    process to be had: nothing is linked here, and the carry links it all."""
    links = start_links(old, new, names)
    try:
        yield links
    finally:
        links.stop()


def _main() -> int:
    """The child: folders and names from standard input, the names it did not link to standard output."""
    old, new, *names = sys.stdin.buffer.read().split(_SEP)
    sys.stdout.buffer.write(_SEP.join(link_files(old, new, names)))
    return 0


if __name__ == "__main__":
    sys.exit(_main())
