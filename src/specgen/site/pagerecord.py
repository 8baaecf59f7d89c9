"""What a built page leaves for the rest of the site, and the search index made of it.

A :class:`PageRecord` is what other pages and the checks need from a page
once it is built — its title and metadata (the navigation), its anchors and
the anchors it links to (link checking), its search entries — so that a
page kept from the previous site need not be built again
(:mod:`specgen.site.delta`), and a page built in a worker process can be
accounted for here (:mod:`specgen.parallel`). :func:`write_search_index`
writes material's search index from the records, a page at a time.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from specgen.site.errors import SiteBuildError

__all__ = ["PageRecord", "record_of", "restore", "search_entries", "write_parts", "write_search_index"]


@dataclass(frozen=True)
class PageRecord:
    """What the rest of the site needs from a built page (JSON data, see :meth:`as_data`)."""

    title: str | None
    meta: Mapping[str, Any]
    anchors: Sequence[str]
    links: Sequence[tuple[str, Sequence[tuple[str, str]]]] | None
    """Anchors the page links to, by target page (None: mkdocs did not collect them)."""
    search_chunk: bytes | memoryview
    """The page's entries in the search index as they sit in it: in order,
    JSON encoded as the index is, separated by commas, in UTF-8 (empty for
    none). A page kept from the previous site has a view of the bytes in
    that site's index, spliced into the new one as they are, never decoded."""

    def as_data(self) -> dict[str, Any]:
        """JSON data, without the search entries (the build cache finds them
        in the previous site's index: :meth:`from_data`)."""
        return {
            "title": self.title,
            "meta": dict(self.meta),
            "anchors": list(self.anchors),
            "links": None if self.links is None else [[uri, [list(a) for a in anchors]] for uri, anchors in self.links],
        }

    @classmethod
    def from_data(cls, data: Any, search_chunk: bytes | memoryview) -> PageRecord:
        """The record of :meth:`as_data`'s ``data`` with the page's search
        entries (:attr:`search_chunk`); raises ``KeyError``/``TypeError``/``ValueError``
        for data that is not a record or entries that are not whole objects."""
        links = data["links"]
        if not isinstance(search_chunk, (bytes, memoryview)) or (
            search_chunk and (search_chunk[0], search_chunk[-1]) != (_OPEN, _CLOSE)
        ):
            raise ValueError("not search entries")
        return cls(
            title=data["title"] if data["title"] is None else str(data["title"]),
            meta=dict(data["meta"]),
            anchors=[str(a) for a in data["anchors"]],
            links=None
            if links is None
            else [(str(uri), [(str(a), str(b)) for a, b in anchors]) for uri, anchors in links],
            search_chunk=search_chunk,
        )


_OPEN, _CLOSE = b"{}"
_ENCODE = json.JSONEncoder(separators=(",", ":"), default=str).encode
"""How material's search plugin encodes its index (and so each entry in it)."""


def search_entries(config: Any) -> list[Any] | None:
    for name, plugin in config.plugins.items():
        index = getattr(plugin, "search_index", None)
        if name.endswith("search") and index is not None and isinstance(getattr(index, "entries", None), list):
            return index.entries  # type: ignore[no-any-return]
    return None


def write_search_index(config: Any, entries: list[Any] | None, chunks: Sequence[bytes | memoryview]) -> None:
    """The ``post_build`` event, writing the search index (``search_index.json``
    and, for the offline plugin, ``search_index.js``) a page at a time from
    ``chunks`` (each page's :attr:`PageRecord.search_chunk`): the
    same bytes as material's plugins write, without the index held as one
    string three times over, and without decoding the entries of the pages
    kept from the previous site. ``search_index.js`` is the JSON after a
    line of script, copied by the system (:func:`_copy_after`). Any other
    arrangement of plugins than the site's own gets the entries and runs the
    event as it is."""
    plugins = dict(config.plugins.items())
    search, offline = plugins.get("material/search"), plugins.get("material/offline")
    usable = (
        entries is not None
        and search is not None
        and offline is not None
        and search.config.enabled
        and offline.config.enabled
        and all(key in search.config for key in _SEARCH_CONFIG)
    )
    if not usable:
        if entries is not None:
            entries[:] = [entry for chunk in chunks for entry in json.loads(b"[" + chunk + b"]")]
        config.plugins.on_post_build(config=config)
        return
    skipped = {search.on_post_build, offline.on_post_build}
    for method in config.plugins.events["post_build"]:
        if method not in skipped:
            method(config=config)
    folder = Path(config.site_dir) / "search"
    folder.mkdir(parents=True, exist_ok=True)
    head = ('{"config":' + _ENCODE({key: search.config[key] for key in _SEARCH_CONFIG}) + ',"docs":[').encode("utf-8")
    parts: list[bytes | memoryview] = []
    for chunk in chunks:
        if chunk:  # a page without entries has none to separate
            parts += (b",", chunk)
    parts[:1] = [head]  # the head in place of the first comma (or alone, for an index of no entries)
    parts.append(b"]}")
    write_parts(folder / "search_index.json", parts)
    _copy_after(b"var __index = ", folder / "search_index.json", folder / "search_index.js")


def _iov_max() -> int:
    try:
        return max(1, min(1024, os.sysconf("SC_IOV_MAX")))
    except (AttributeError, ValueError, OSError):  # no such setting here: a count every system takes
        return 16


_BATCH = _iov_max()
"""Pieces handed to the system at once (``IOV_MAX``: 1,024 on Linux and the BSDs)."""


def write_parts(path: Path, parts: Sequence[bytes | memoryview]) -> None:
    """Write ``parts`` one after the other as the whole of ``path``, handed to
    the system a thousand at a time (``writev``) rather than through a
    buffer a few kilobytes at a time: 24,000 pieces of 77 MB at 1,000 specs
    in 0.02 s instead of 0.07 s. A write the system takes only part of goes
    on from where it stopped; without ``writev``, each piece is written."""
    writev = getattr(os, "writev", None)
    if writev is None:
        with open(path, "wb") as buffered:
            for part in parts:
                buffered.write(part)
        return
    with open(path, "wb", buffering=0) as out:
        fd = out.fileno()
        for start in range(0, len(parts), _BATCH):
            batch = [memoryview(part).cast("B") for part in parts[start : start + _BATCH] if len(part)]
            first = 0
            while first < len(batch):
                done = writev(fd, batch[first:] if first else batch)
                if done <= 0:  # a file system taking nothing would be asked for ever
                    raise OSError(errno.EIO, f"nothing could be written to {path}")
                while first < len(batch) and done >= len(batch[first]):  # the pieces written whole
                    done -= len(batch[first])
                    first += 1
                if done:  # the rest of a piece written in part
                    batch[first] = batch[first][done:]


def _copy_after(lead: bytes, source: Path, target: Path) -> None:
    """``target``: ``lead``, then the whole of ``source``, copied inside the
    system where it can (``copy_file_range``: the 77 MB index of 1,000 specs
    never passes through Python again, 0.035 s less), else read and written."""
    with open(source, "rb") as given, open(target, "wb") as out:
        out.write(lead)
        out.flush()
        size, done = os.fstat(given.fileno()).st_size, 0
        copy = getattr(os, "copy_file_range", None)
        try:
            while copy is not None and done < size:
                copied = copy(given.fileno(), out.fileno(), size - done, done)
                if copied == 0:  # the system copies no more: the rest below
                    break
                done += copied
        except OSError:  # not between these files here (another file system, an older kernel)
            pass
        out.seek(len(lead) + done)
        given.seek(done)
        shutil.copyfileobj(given, out)


_SEARCH_CONFIG = ("lang", "separator", "pipeline", "fields")
"""What material's search index says about itself, in its order."""


def record_of(page: Any, search: list[Any]) -> PageRecord:
    links = page.links_to_anchors
    return PageRecord(
        title=page._title_from_render,
        meta=dict(page.meta),
        anchors=sorted(page.present_anchor_ids or ()),
        links=None if links is None else sorted((f.src_uri, sorted(a.items())) for f, a in links.items()),
        search_chunk=_ENCODE(search)[1:-1].encode("utf-8"),
    )


def restore(page: Any, record: PageRecord, files: Any) -> None:
    """Give a page that is not built what other pages and the checks read of it."""
    page.markdown = ""
    page.meta = dict(record.meta)
    page._title_from_render = record.title
    page.present_anchor_ids = set(record.anchors)
    if record.links is None:
        page.links_to_anchors = None
        return
    links = {}
    for uri, anchors in record.links:
        target = files.get_file_from_path(uri)
        if target is None:  # a page it links to is gone: the caller only reuses with the same files
            raise SiteBuildError(f"cannot reuse {page.file.src_uri}: it links to {uri}, which is not in the site")
        links[target] = dict(anchors)
    page.links_to_anchors = links
