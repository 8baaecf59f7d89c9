"""A site build begun before its specs are loaded: the kept pages linked early.

``specgen build`` swaps a whole new folder in, so the new folder needs every
page it keeps from the previous site: at 1,000 specs, 12,000 hard links in
2,000 folders (:mod:`specgen.site.linker`). Started once the build knew which
pages it keeps, the child process linking them overlapped only mkdocs' own
build, about 0.4 s, and the links took 0.2 to 1.8 s on the same machine
from one minute to the next: an edit waited up to half a second for them.

:func:`head_start` starts the links before the specs are loaded, from the
previous build's manifest (:func:`specgen.site.delta.previous_pages`):
every page the previous site has, in the staging folder the build will use.
Loading, checking and rendering the specs (over a second at that size) then
overlap them. Which of those pages are kept is known only later; before
mkdocs writes anything, :func:`settle` waits for the child and removes the
links of the pages that are not kept (rebuilt, or gone), so that no page is
ever written through a link into the previous site.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from specgen.site import delta
from specgen.site.cache import SiteCache
from specgen.site.errors import SiteBuildError
from specgen.site.linker import BackgroundLinks, kept_page_files, start_links
from specgen.site.staging import Staging, staging_folder

__all__ = ["HeadStart", "head_start", "settle"]


class HeadStart:
    """A build of ``output`` begun early (see :func:`head_start`)."""

    def __init__(self, output: Path, staging: Staging, links: BackgroundLinks) -> None:
        self.output = output
        self.staging = staging
        """The staging folder the build uses; the new site goes in its ``site`` folder."""
        self.links = links
        """The child process linking the previous site's pages into it."""
        self.taken = False
        """Whether a build took it (one build per head start)."""


@contextmanager
def head_start(output: Path, cache: SiteCache | None) -> Iterator[HeadStart | None]:
    """Begin a build of ``output``: make its staging folder and start linking
    every page of the previous site into it. Hand what it yields to
    :func:`specgen.site.build.build_site`; None when there is nothing to
    start (no cache, or no manifest of a site built in ``output``). Leaving
    the block stops the child and removes the staging folder (in the
    background once a build succeeded with it)."""
    previous = delta.previous_pages(cache, output) if cache is not None else None
    names = kept_page_files(*previous) if previous is not None else []
    if not names:
        yield None
        return
    with staging_folder(output) as staging:
        links = start_links(output, staging.folder / "site", names)
        try:
            yield HeadStart(output, staging, links)
        finally:
            links.stop()


def settle(links: BackgroundLinks, site: Path, kept: Iterable[str]) -> frozenset[str]:
    """Wait for the child started by :func:`head_start`, then remove from
    ``site`` every file it linked that is not in ``kept`` (the files of the
    pages the build keeps), and the folders that leaves empty. Returns the
    files of ``kept`` it linked. A child that failed may have linked any of
    its files without saying which: then ``site`` is removed whole, and the
    carry after the build links what is kept. Raises :class:`SiteBuildError`
    when a link cannot be removed."""
    linked = links.finish()
    keep = frozenset(kept)
    try:
        if not linked or not keep:
            _remove(site)
            return frozenset()
        folders: set[str] = set()
        for name in linked - keep:
            os.unlink(site / name)
            folder = name.rpartition("/")[0]
            while folder and folder not in folders:
                folders.add(folder)
                folder = folder.rpartition("/")[0]
        for folder in sorted(folders, key=lambda f: f.count("/"), reverse=True):  # the deepest first
            if not any((site / folder).iterdir()):  # else a kept page is in it
                os.rmdir(site / folder)
    except OSError as exc:  # the build cannot go on over links it cannot remove
        raise SiteBuildError(f"cannot clear the staging folder {site}: {exc}") from exc
    return linked & keep


def _remove(folder: Path) -> None:
    if folder.exists() or folder.is_symlink():
        shutil.rmtree(folder)
