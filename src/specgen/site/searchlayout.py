"""Where each page's entries sit in a site's search index.

mkdocs' search index is one JSON file, ``{"config": ..., "docs": [...]}``,
the ``docs`` being every page's entries in the navigation's order. A build
that keeps a page keeps its entries too: :func:`search_layout` records
where each page's entries sit in the index a build wrote (their length,
in order), and the next build cuts them back out with
:func:`search_chunks` and puts them into its own index as they are, never
parsed (:mod:`specgen.site.delta` keeps the layout in the site's manifest).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from specgen.site.pagerecord import PageRecord

__all__ = ["INDEX", "search_chunks", "search_layout"]

INDEX = "search/search_index.json"
"""The search index, inside the site."""
_TAIL = b"]}"
_COMMA, _OPEN, _CLOSE = b",{}"


def search_layout(site: Path, records: Mapping[str, PageRecord]) -> dict[str, Any] | None:
    """Where each page's entries sit in ``site``'s search index: its head's
    length and each page's (path, bytes), in the index's order (that of
    ``records``); None when the index is not laid out that way."""
    index = site / INDEX
    if not index.is_file():
        return None
    lengths = [(path, len(record.search_chunk)) for path, record in records.items()]
    written = [n for _, n in lengths if n]
    head = index.stat().st_size - len(_TAIL) - sum(written) - max(len(written) - 1, 0)
    return {"head": head, "pages": [list(item) for item in lengths]} if head > 0 else None


def search_chunks(output: Path, layout: Any) -> dict[str, memoryview] | None:
    """Each page's entries (:attr:`PageRecord.search_chunk`) cut from the previous
    site's search index by :func:`search_layout`; None unless they make it
    up exactly. They are not decoded: the manifest's stat of the index shows
    it is the file the last build wrote, and the pieces go back into the next
    index as they are. Nor are they copied: each is a view of the index read
    once (at 1,000 specs, 12,000 pieces of 77 MB, 0.03 s to copy)."""
    try:
        data = (output / INDEX).read_bytes()
        head = int(layout["head"])
        pages = [(str(path), int(n)) for path, n in layout["pages"]]
    except (OSError, KeyError, TypeError, ValueError):
        return None
    if head <= 0 or not data[:head].endswith(b'"docs":[') or not data.endswith(_TAIL):
        return None
    view = memoryview(data)
    chunks, at = {}, head
    for path, n in pages:
        if n < 0:
            return None
        if n and at > head:  # a page with entries after another's: a comma between
            if at >= len(data) or data[at] != _COMMA:
                return None
            at += 1
        if n and (at + n > len(data) or data[at] != _OPEN or data[at + n - 1] != _CLOSE):  # entries, whole
            return None
        chunks[path] = view[at : at + n]
        at += n
    if at + len(_TAIL) != len(data):
        return None
    return chunks
