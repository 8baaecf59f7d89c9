"""The Markdown of the pages rendered last in this process.

A workflow's printable page includes its section pages' own text rather than
rendering their templates again: :mod:`specgen.site.render` puts each page it
renders here, and the printable page's context (:mod:`specgen.site.plan`)
reads them back.
"""

from __future__ import annotations

from collections import OrderedDict

__all__ = ["RECENT", "RecentTexts"]


class RecentTexts:
    """The Markdown of the pages rendered last in this process, by folder and
    slug: a workflow's printable page includes its section pages' own text
    rather than rendering their templates again. Emptied at the start of
    each :func:`render_texts`; at most :data:`KEEP` pages. A page that read
    the whole site is not kept: the page including it must render it and so
    be known to read the whole site too (:class:`WatchedSite`)."""

    KEEP = 16

    def __init__(self) -> None:
        self._texts: OrderedDict[tuple[str, str], str] = OrderedDict()

    def put(self, path: str, text: str) -> None:
        folder, _, name = path.rpartition("/")
        self._texts[(folder, name.removesuffix(".md"))] = text
        while len(self._texts) > self.KEEP:
            self._texts.popitem(last=False)

    def get(self, folder: str, slug: str) -> str | None:
        """The text of page ``slug`` (``"decisions"``) of ``folder``, if rendered just before."""
        return self._texts.get((folder, slug))

    def clear(self) -> None:
        self._texts.clear()


RECENT = RecentTexts()
