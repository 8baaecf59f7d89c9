"""mkdocs' structure of the site, held by the preview from one build to the next.

Every build through mkdocs makes a file object and a page object for every
page, and the navigation over them, however little changed: at 1,000 specs
(12,000 pages) about 0.2 s of every edit in the preview, most of what the
preview spends in mkdocs besides the pages it builds. When a build keeps the
previous site's pages under the same site key (:func:`specgen.site.delta.site_key`:
the same configuration, pages, titles, theme and tools), these objects would
come out as the last build left them, but for what mkdocs and the plugins
write into them while building. :class:`HeldStructure` keeps them between
two such builds of one process (:class:`HeldBuild`, with the stat of the
files that build left in its folder), and :func:`refresh` undoes what a
build wrote into them:

* each file's output folder (every build has its own staging folder) and
  its Markdown (the page texts of this build);
* the ``render`` each converter and the cache plugin set on a page they
  built (:mod:`specgen.site.mdreuse`, :mod:`specgen.site.mkcache`);
* the build date of every page (a preview running past midnight);
* the HTML of a page this build builds (a page built in a worker process
  is known to the parent by having none);
* what other pages read of a page: its title, metadata, anchors and the
  anchors it links to, from the record this build keeps it by (restored
  only where that record is not the one the page was left with).

A build that fails does not hand its objects back: they are held only
between two builds that succeeded, and the one that takes them owns them
(:meth:`HeldStructure.take`), so no half-built state is seen again. The
preview's equivalence tests (``tests/test_site_serve_warm.py``,
``tests/test_site_serve_seed.py``) compare every file with a clean build
after every edit of a seeded random sequence.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from specgen.site.pagerecord import PageRecord, restore

__all__ = ["HeldBuild", "Structure", "refresh"]


@dataclass
class Structure:
    """mkdocs' objects of one build: its files, navigation and documentation pages."""

    key: str
    """The site key the build was made under."""
    files: Any
    nav: Any
    doc_files: list[Any]
    records: Mapping[str, PageRecord]
    """The record each page's object agrees with after the build."""


class HeldBuild:
    """What a long-lived process (the preview) holds of its last good build
    of its own folder, for the next: mkdocs' structure of the site, and the
    stat of every file the build left in the folder. The folder must be
    the process's alone (the preview's, made by ``mkdtemp``): with the
    files held, the next build takes it as that build left it
    (:func:`specgen.site.delta.plan`, ``vouched``)."""

    def __init__(self) -> None:
        self._held: Structure | None = None
        self._files: Mapping[str, tuple[int, int, int]] | None = None

    def take_files(self) -> Mapping[str, tuple[int, int, int]] | None:
        """The files held; none are held after this call until a build has
        put its files in place (:meth:`hold_files`), so a build cut short
        leaves the next one to look at the folder again."""
        files, self._files = self._files, None
        return files

    def hold_files(self, files: Mapping[str, tuple[int, int, int]]) -> None:
        """Hold the stat of the files a build has just put in place."""
        self._files = files

    def take(self, key: str) -> Structure | None:
        """The structure held, if made under ``key``; nothing is held after
        this call until a build that succeeded hands one back (:meth:`hold`)."""
        held, self._held = self._held, None
        return held if held is not None and held.key == key else None

    def hold(self, structure: Structure) -> None:
        """Hold ``structure`` for the next build."""
        self._held = structure

    def __bool__(self) -> bool:
        return self._held is not None


def refresh(held: Structure, config: Any, pages: Mapping[str, Any], reuse: Mapping[str, PageRecord]) -> None:
    """Make ``held`` the structure mkdocs would make afresh for this build:
    ``config`` (its output folder), ``pages`` (docs path → this build's
    Markdown, :class:`specgen.site.engine.SiteFiles`), ``reuse`` (the records
    of the pages not built)."""
    from mkdocs.utils import get_build_date

    site_dir, date = config["site_dir"], get_build_date()
    for file in held.files:
        if file.dest_dir != site_dir:
            file.dest_dir = site_dir
            file.__dict__.pop("abs_dest_path", None)  # mkdocs keeps it once worked out
        if file.src_uri in pages:
            file._content = pages[file.src_uri]
    for file in held.doc_files:
        page = file.page
        page.__dict__.pop("render", None)  # a converter's or the cache plugin's, bound to the last build
        page.update_date = date
        record = reuse.get(file.src_uri)
        if record is None:  # built by this build: as a new page, no HTML yet (one built in a worker
            page.content = None  # keeps it so in this process, and is then restored from its record)
        elif record is not held.records.get(file.src_uri):
            restore(page, record, held.files)
