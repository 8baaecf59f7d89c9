"""Pages as the search index sees them, and the entries of both parsers.

:func:`page_snapshots` builds a portfolio's site with mkdocs (through
specgen's engine) and keeps, for every page, what material's
``SearchIndex.add_entry_from_context`` reads: the HTML, the table of
contents, the URL, the metadata and the title, taken before the search
plugin sees the page. Used by ``tests/test_search_parse.py`` and
``bench/bench_search.py``.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from material.plugins.search.plugin import SearchIndex
from mkdocs.plugins import BasePlugin, event_priority

from specgen.site.engine import build_pages
from specgen.site.searchparse import use_fast_parser
from specgen.site.sources import prepare_sources, write_theme
from specgen.spec.loader import Portfolio


class _Capture(BasePlugin):  # type: ignore[type-arg]
    def __init__(self) -> None:
        super().__init__()
        self.pages: list[SimpleNamespace] = []
        self.hooked: set[bool] = set()

    @event_priority(100)  # before the search plugin, which strips data-search-* attributes from the HTML
    def on_page_context(self, context: Any, /, *, page: Any, config: Any, nav: Any) -> Any:
        index = config.plugins["material/search"].search_index
        self.hooked.add("add_entry_from_context" in vars(index))  # specgen's engine put its parser in
        self.pages.append(
            SimpleNamespace(
                src_uri=page.file.src_uri,
                content=page.content,
                toc=page.toc,
                url=page.url,
                meta=dict(page.meta),
                title=page.title,
            )
        )
        return context


def page_snapshots(portfolio: Portfolio, folder: Path | None = None) -> list[SimpleNamespace]:
    """Every page of ``portfolio``'s site, as the search plugin receives it
    (asserting the build's search index used specgen's parser)."""
    with tempfile.TemporaryDirectory(prefix="specgen-search-", dir=folder) as tmp:
        prepared = prepare_sources(portfolio)
        root = Path(tmp) / "sources"
        write_theme(prepared, root)
        capture = _Capture()
        build_pages(prepared.config, root, prepared.files, Path(tmp) / "site", plugins=[("capture", capture)], jobs=1)
    assert capture.hooked == {True}, "the build's search index did not get specgen's parser"
    return capture.pages


def fast_index() -> SearchIndex:
    """A material search index that parses with :class:`~specgen.site.searchparse.FastParser`."""
    index = SearchIndex()
    config = SimpleNamespace(plugins={"material/search": SimpleNamespace(search_index=index)})
    assert use_fast_parser(config), "material's search code is not the one searchparse expects"
    return index


def entries(index: SearchIndex, page: Any) -> str:
    """The search entries ``index`` makes of ``page``, as the JSON the site gets."""
    before = len(index.entries)
    index.add_entry_from_context(page)
    return json.dumps(index.entries[before:], separators=(",", ":"), default=str)
