"""A site build begun before its specs are loaded: the kept pages linked early.

``specgen build`` swaps a whole new folder in, so the new folder needs every
page it keeps from the previous site: at 1,000 specs, 12,000 hard links in
2,000 folders (:mod:`specgen.site.linker`). Started once the build knew which
pages it keeps, the child process linking them overlapped only mkdocs' own
build, about 0.4 s, and the links took 0.2 to 1.8 s on the same machine
from one minute to the next: an edit waited up to 1.3 s for them.

:func:`head_start` starts the links before the specs are loaded, from the
previous build's manifest (:func:`specgen.site.delta.previous_pages`):
every page the previous site has, in the staging folder the build will use.
Loading, checking and rendering the specs (over a second at that size),
then mkdocs' build, overlap them. Which of those pages are kept is known only
once the pages are rendered. Before mkdocs writes anything, :func:`claim`
makes each page it will write a new empty file of its own, removing the
child's link where it already made one: ``link()`` never replaces a file,
so the child cannot link it afterwards, and no page is ever written through
a link into the previous site. A build that keeps nothing
(:func:`let_go`) stops the child and clears the folder.
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

__all__ = ["HeadStart", "claim", "head_start", "let_go"]


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


def claim(site: Path, names: Iterable[str]) -> None:
    """Make each of ``names`` (files of ``site`` the build is about to write)
    a new empty file of its own, whether or not the child started by
    :func:`head_start` linked it yet: the child's ``link()`` of a name that
    exists fails, so once this returns none of them is, or will be, a link
    into the previous site. Raises :class:`SiteBuildError` when one cannot be
    made."""
    try:
        for name in names:
            path = site / name
            path.parent.mkdir(parents=True, exist_ok=True)
            while True:
                try:
                    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644))
                    break
                except FileExistsError:  # linked by the child: this name is the build's
                    os.unlink(path)
    except OSError as exc:
        raise SiteBuildError(f"cannot prepare {site} for the pages to build: {exc}") from exc


def let_go(links: BackgroundLinks, site: Path) -> None:
    """Stop the child started by :func:`head_start` and remove what it linked
    into ``site``: the build keeps no page of the previous site. Raises
    :class:`SiteBuildError` when the folder cannot be removed."""
    links.stop()
    try:
        if site.exists() or site.is_symlink():
            shutil.rmtree(site)
    except OSError as exc:
        raise SiteBuildError(f"cannot clear the staging folder {site}: {exc}") from exc
