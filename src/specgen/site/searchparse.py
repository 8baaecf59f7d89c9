"""A faster HTML tokenizer for mkdocs-material's search index, same entries.

material's search plugin splits every page's HTML into sections with its
``Parser``, a subclass of the standard library's :class:`html.parser.HTMLParser`.
Most of that time is the standard tokenizer (``goahead``, ``parse_starttag``,
``updatepos``), written for HTML of any shape, fed in pieces. The HTML of a
page here is whole and regular: Python-Markdown's output and specgen's tables.

:class:`FastParser` is material's ``Parser`` with another tokenizer: one
regular expression walks the page and calls material's own handlers
(``handle_starttag``, ``handle_endtag``, ``handle_startendtag``,
``handle_data``, ``handle_comment``) with the same arguments, in the same
order, as ``HTMLParser`` does. It understands only the shapes on which every
``HTMLParser`` of Python 3.11 and later agrees: start tags with plain
attribute names and ``=``-joined values (quoted, or bare without quotes,
``=``, ``<``, ``>``, backquote, ``/`` or white space), end tags, comments
without ``--`` inside, ``script``/``style`` without ``</`` or ``<!`` inside,
and ``<`` followed by a character that starts no markup. Any other ``<`` —
a declaration, a processing instruction, an odd attribute, a ``title`` or
``textarea`` (raw text in newer Pythons), anything unterminated — and the page
is parsed again from the start by ``HTMLParser`` itself: detected, not guessed.

:func:`use_fast_parser` puts it into one build's search index (that instance
only), if material's internals are still those this module was written for.
"""

from __future__ import annotations

import hashlib
import inspect
import re
from html import unescape
from html.parser import HTMLParser
from typing import Any

from material.plugins.search import plugin as material_search

__all__ = ["FastParser", "use_fast_parser"]

_WS = r"[ \t\n\r\f]"
_ATTR = (
    rf"{_WS}+[a-zA-Z_:][-a-zA-Z0-9_:.]*"
    rf"""(?:=(?:"[^"]*"|'[^']*'|[^\s"'=<>`/]+(?={_WS}|>)))?"""
)
_TOKEN = re.compile(
    r"(?P<text>[^<]+)"
    # script/style with their raw text; no "</" or "<!" inside, so every HTMLParser ends them at the same place
    rf"|<(?P<raw>(?i:script|style))(?P<rawattrs>(?:{_ATTR})*){_WS}*>"
    r"(?P<rawtext>[^<]*(?:<(?![/!])[^<]*)*)</(?P<rawend>(?i:script|style))>"
    rf"|<(?P<tag>[a-zA-Z][a-zA-Z0-9-]*)(?P<attrs>(?:{_ATTR})*){_WS}*(?P<close>/?)>"
    rf"|</(?P<end>[a-zA-Z][-.a-zA-Z0-9:_]*){_WS}*>"
    r"|<!--(?![->])(?P<comment>[^-]*(?:-[^-]+)*)-->"
    r"|(?P<lt><)(?=[^a-zA-Z/!?])"
    r"|(?P<bad><)"
)
_ATTRS = re.compile(
    rf"""{_WS}+([a-zA-Z_:][-a-zA-Z0-9_:.]*)(?:(=)(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`/]+)))?"""
)
_RAW_TEXT = frozenset(
    {"script", "style", "textarea", "title", "xmp", "iframe", "noembed", "noframes", "noscript", "plaintext"}
)
"""Elements whose content some ``HTMLParser`` reads as text: a start tag of one
outside the ``script``/``style`` shape above sends the page to ``HTMLParser``."""

_ATTR_CACHE: dict[str, tuple[tuple[str, str | None], ...]] = {}
_ATTR_CACHE_SIZE = 4096


def _attributes(text: str) -> list[tuple[str, str | None]]:
    """``HTMLParser``'s list of (lowercased name, unescaped value or None) of an attribute string."""
    cached = _ATTR_CACHE.get(text)
    if cached is None:
        attrs = []
        for name, equals, double, single, bare in _ATTRS.findall(text):
            value = (double or single or bare) if equals else None
            attrs.append((name.lower(), unescape(value) if value else value))
        cached = tuple(attrs)
        if len(_ATTR_CACHE) < _ATTR_CACHE_SIZE:
            _ATTR_CACHE[text] = cached
    return list(cached)


class _Unsupported(Exception):
    """The page holds markup the fast tokenizer does not read exactly like ``HTMLParser``."""


class FastParser(material_search.Parser):  # type: ignore[misc]
    """material's search ``Parser``: the same handler calls, a faster tokenizer.

    ``feed`` keeps the text and ``close`` parses it all (material feeds a page
    once and closes). ``fast`` tells afterwards whether the fast tokenizer
    read the page (False: ``HTMLParser`` did, from a fresh state: the parser
    calls its own ``__init__`` again, so a subclass keeps its state there).
    ``getpos`` and ``get_starttag_text`` are not kept up to date.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._init_args = (args, kwargs)
        self._pending: list[str] = []
        self.fast = True

    def feed(self, data: str) -> None:
        self._pending.append(data)

    def close(self) -> None:
        html = "".join(self._pending)
        self._pending = []
        if self.convert_charrefs and not self.rawdata and self.cdata_elem is None:
            try:
                self._tokenize(html)
                return
            except _Unsupported:
                pass
        args, kwargs = self._init_args
        self.__init__(*args, **kwargs)  # type: ignore[misc]  # a fresh state: no handler call of the attempt counts
        self.fast = False
        HTMLParser.feed(self, html)
        HTMLParser.close(self)

    def _tokenize(self, html: str) -> None:
        handle_data = self.handle_data
        handle_starttag = self.handle_starttag
        handle_endtag = self.handle_endtag
        for match in _TOKEN.finditer(html):
            kind = match.lastgroup
            if kind == "text":
                handle_data(unescape(match.group()))
            elif kind == "close":  # a start tag
                tag, attrs, close = match.group("tag", "attrs", "close")
                tag = tag.lower()
                if tag in _RAW_TEXT:
                    raise _Unsupported(tag)
                if close:
                    self.handle_startendtag(tag, _attributes(attrs) if attrs else [])
                else:
                    handle_starttag(tag, _attributes(attrs) if attrs else [])
            elif kind == "end":
                handle_endtag(match.group("end").lower())
            elif kind == "rawend":
                tag, attrs, text, end = match.group("raw", "rawattrs", "rawtext", "rawend")
                tag = tag.lower()
                if end.lower() != tag or tag not in self.CDATA_CONTENT_ELEMENTS:
                    raise _Unsupported(tag)
                handle_starttag(tag, _attributes(attrs) if attrs else [])
                if text:
                    handle_data(text)
                handle_endtag(tag)
            elif kind == "comment":
                self.handle_comment(match.group("comment"))
            elif kind == "lt":
                handle_data("<")
            else:
                raise _Unsupported(match.group())


_ADD_ENTRY_SOURCE = "4ca78ac4321f7704149f84dac0abc5a26afbd7c43de197ce7f481dcab47edb7b"
"""sha256 of the source of material's ``SearchIndex.add_entry_from_context``
(mkdocs-material 9.8.2), which :func:`_add_entry_from_context` repeats."""


def _add_entry_from_context(index: Any, page: Any) -> None:
    """material's ``SearchIndex.add_entry_from_context``, parsing with :class:`FastParser`."""
    search = page.meta.get("search") or {}
    if search.get("exclude"):
        return
    parser = FastParser()
    parser.feed(page.content)
    parser.close()
    for section in parser.data:
        if not section.is_excluded():
            index.create_entry_for_section(section, page.toc, page.url, page)


def _material_unchanged() -> bool:
    """Whether material's search code is what :class:`FastParser` and
    :func:`_add_entry_from_context` were written against."""
    parser = material_search.Parser
    if not issubclass(parser, HTMLParser) or material_search.SearchIndex is None:
        return False
    own = [name for name, value in vars(parser).items() if callable(value)]
    if any(name != "__init__" and not name.startswith("handle_") for name in own):
        return False  # it overrides the tokenizer itself
    if not {"script", "style"} <= set(parser.CDATA_CONTENT_ELEMENTS):
        return False
    try:
        source = inspect.getsource(material_search.SearchIndex.add_entry_from_context)
    except (OSError, TypeError, AttributeError):
        return False
    return hashlib.sha256(source.encode("utf-8")).hexdigest() == _ADD_ENTRY_SOURCE


def use_fast_parser(config: Any) -> bool:
    """Make the search index of ``config`` (mkdocs' configuration, after
    ``on_config``) parse pages with :class:`FastParser`. Only that index
    instance changes. Returns False, changing nothing, when there is no
    material search index or material's code is not the one expected."""
    for name, plugin in config.plugins.items():
        index = getattr(plugin, "search_index", None)
        if not name.endswith("search") or index is None:
            continue
        if type(index) is not material_search.SearchIndex or "add_entry_from_context" in vars(index):
            return False  # another index, or one already wrapped by someone
        if not _material_unchanged():
            return False

        def add_entry_from_context(page: Any) -> None:
            _add_entry_from_context(index, page)

        index.add_entry_from_context = add_entry_from_context
        return True
    return False
