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
from html import escape, unescape
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from material.plugins.search import plugin as material_search

__all__ = ["FastParser", "SectionParser", "add_entry_from_context", "parser_class", "use_fast_parser"]

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
_ATTRS = re.compile(rf"""{_WS}+([a-zA-Z_:][-a-zA-Z0-9_:.]*)(?:(=)(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`/]+)))?""")
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
        if self.convert_charrefs and not self.rawdata and self.cdata_elem is None and self._tokenize(html):
            return
        args, kwargs = self._init_args
        self.__init__(*args, **kwargs)  # type: ignore[misc]  # a fresh state: no handler call of the attempt counts
        self.fast = False
        HTMLParser.feed(self, html)
        HTMLParser.close(self)

    def _tokenize(self, html: str) -> bool:
        """Calls the handlers for ``html``; False (stopping) at markup it leaves to ``HTMLParser``."""
        handle_data = self.handle_data
        handle_starttag = self.handle_starttag
        handle_endtag = self.handle_endtag
        for match in _TOKEN.finditer(html):
            kind = match.lastgroup
            if kind == "text":
                text = match.group()
                handle_data(unescape(text) if "&" in text else text)
            elif kind == "close":  # a start tag
                tag, attrs, close = match.group("tag", "attrs", "close")
                tag = tag.lower()
                if tag in _RAW_TEXT:
                    return False
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
                    return False
                handle_starttag(tag, _attributes(attrs) if attrs else [])
                if text:
                    handle_data(text)
                handle_endtag(tag)
            elif kind == "comment":
                self.handle_comment(match.group("comment"))
            elif kind == "lt":
                handle_data("<")
            else:
                return False
        return True


_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_VOID, _Element, _Section = material_search.void, material_search.Element, material_search.Section


class SectionParser(FastParser):
    """:class:`FastParser` with material's handlers (mkdocs-material 9.8.2)
    written again to do the same in less time: the sections it makes are
    the same, field for field.

    material's handlers ask "is an element with this tag open?" by scanning
    the open elements (``skip.intersection(context)``, ``el in context``),
    with ``Element.__eq__``/``__hash__`` in Python on every text piece. Those
    comparisons are by tag name alone (``Element`` equals a string or an
    ``Element`` of the same tag), so here a count of the open elements by tag
    answers, and the skip set holds tag names: ``skip.add(el)`` of material
    keeps one element per tag, and ``skip.remove(el)`` removes it by tag.
    Used only while material's classes are those of :data:`_HANDLERS_SOURCE`.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._open: dict[str, int] = {}
        self._skip_tags = {el if isinstance(el, str) else el.tag for el in self.skip}
        self.context: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _VOID:
            return
        attrs_map = dict(attrs)
        self.context.append((tag, attrs_map))  # material keeps Elements; only their tag and attributes are read
        open_tags = self._open
        open_tags[tag] = open_tags.get(tag, 0) + 1
        section = self.section
        if tag in _HEADINGS and "id" in attrs_map:
            depth = len(self.context)
            if tag != "h1" and not self.data:
                self.data.append(_Section(_Element("hx"), depth))
            section = self.section = _Section(_Element(tag, attrs_map), depth)
            if self.data:
                section.id = attrs_map["id"]
            self.data.append(section)
        if section is None:
            section = self.section = _Section(_Element("hx"))
            self.data.append(section)
        if "data-search-exclude" in attrs_map or attrs_map.get("class") == "linenodiv":
            self._skip_tags.add(tag)
            return
        if tag in self.keep and self._skip_tags.isdisjoint(open_tags):
            (section.title if section.el.tag in open_tags else section.text).append(f"<{tag}>")

    def handle_endtag(self, tag: str) -> None:
        context = self.context
        if not context or context[-1][0] != tag:
            return
        if self.section.depth > len(context):
            for section in reversed(self.data):
                if section.depth <= len(context):
                    self.section.depth = float("inf")
                    self.section = section
                    break
        context.pop()
        count = self._open[tag] - 1
        if count:
            self._open[tag] = count
        else:
            del self._open[tag]
        if tag in self._skip_tags:
            if tag not in ("script", "style", "object"):
                self._skip_tags.remove(tag)
            return
        if tag in self.keep and self._skip_tags.isdisjoint(self._open):
            section = self.section
            data = section.title if section.el.tag in self._open else section.text
            index = data.index(f"<{tag}>")
            for i in range(index + 1, len(data)):
                if not data[i].isspace():
                    index = len(data)
                    break
            if len(data) > index:
                del data[index:]
            else:
                data.append(f"</{tag}>")

    def handle_data(self, data: str) -> None:
        open_tags = self._open
        if not self._skip_tags.isdisjoint(open_tags):
            return
        if "pre" not in open_tags:
            data = " " if data.isspace() else data.replace("\n", " ")
        section = self.section
        if section is None:
            section = self.section = _Section(_Element("hx"))
            self.data.append(section)
        if section.el.tag in open_tags:
            if "a" in open_tags and any(t == "a" and a.get("class") == "headerlink" for t, a in self.context):
                return  # a permalink
            section.title.append(escape(data, quote=False))
        elif data.isspace():
            text = section.text
            if not text or not text[-1].isspace() or "pre" in open_tags:
                text.append(data)
        else:
            section.text.append(escape(data, quote=False))


_HANDLERS_SOURCE = "0df9901958225b09efdb7e716ab81df5a72e803bb9edf47c9281d5343b430225"
"""sha256 of the source of material's ``Parser``, ``Element`` and ``Section``
(mkdocs-material 9.8.2), whose behaviour :class:`SectionParser` repeats."""


_ADD_ENTRY_SOURCE = "4ca78ac4321f7704149f84dac0abc5a26afbd7c43de197ce7f481dcab47edb7b"
"""sha256 of the source of material's ``SearchIndex.add_entry_from_context``
(mkdocs-material 9.8.2), which :func:`add_entry_from_context` repeats."""


def add_entry_from_context(index: Any, page: Any, parser_type: type[FastParser]) -> None:
    """material's ``SearchIndex.add_entry_from_context`` of ``index``, parsing with ``parser_type``."""
    search = page.meta.get("search") or {}
    if search.get("exclude"):
        return
    parser = parser_type()
    parser.feed(page.content)
    parser.close()
    for section in parser.data:
        if not section.is_excluded():
            index.create_entry_for_section(section, page.toc, page.url, page)


def _digest(*objects: Any) -> str | None:
    try:
        source = "".join(inspect.getsource(o) for o in objects)
    except (OSError, TypeError):
        return None
    return hashlib.sha256(source.encode("utf-8")).hexdigest()


_PLUGIN_FILE = "cc8a3ac0a8862662d11e87fefcdaa4a42d9ebd70a7943fa921c1c80e2661730b"
"""sha256 of material 9.8.2's ``material/plugins/search/plugin.py``: when the
installed file is that one, the checks below hold without reading sources
(``inspect.getsource`` costs 30 ms, a third of an edit's budget for the search)."""


def _plugin_file_digest() -> str | None:
    try:
        return hashlib.sha256(Path(material_search.__file__ or "").read_bytes()).hexdigest()
    except OSError:
        return None


def parser_class() -> type[FastParser] | None:
    """The parser for material's search index: :class:`SectionParser` while
    material's ``Parser``, ``Element`` and ``Section`` are those it repeats,
    else :class:`FastParser` (material's handlers) while ``Parser`` overrides
    only handlers, else None (material's own parser, untouched)."""
    if _plugin_file_digest() == _PLUGIN_FILE:
        return SectionParser
    parser = getattr(material_search, "Parser", None)
    index = getattr(material_search, "SearchIndex", None)
    if not isinstance(parser, type) or not issubclass(parser, HTMLParser) or index is None:
        return None
    if _digest(getattr(index, "add_entry_from_context", None)) != _ADD_ENTRY_SOURCE:
        return None
    own = [name for name, value in vars(parser).items() if callable(value)]
    if any(name != "__init__" and not name.startswith("handle_") for name in own):
        return None  # it overrides the tokenizer itself
    if not {"script", "style"} <= set(parser.CDATA_CONTENT_ELEMENTS):
        return None
    classes = (parser, getattr(material_search, "Element", None), getattr(material_search, "Section", None))
    if _digest(*classes) == _HANDLERS_SOURCE and isinstance(getattr(material_search, "void", None), set):
        return SectionParser
    return FastParser


def use_fast_parser(config: Any) -> bool:
    """Make the search index of ``config`` (mkdocs' configuration, after
    ``on_config``) parse pages with :func:`parser_class`. Only that index
    instance changes. Returns False, changing nothing, when there is no
    material search index or material's code is not the one expected."""
    plugin = next(
        (
            plugin
            for name, plugin in config.plugins.items()
            if name.endswith("search") and getattr(plugin, "search_index", None) is not None
        ),
        None,
    )
    index = getattr(plugin, "search_index", None)
    if type(index) is not material_search.SearchIndex or "add_entry_from_context" in vars(index):
        return False  # none, another index, or one already wrapped by someone
    chosen = parser_class()
    if chosen is None:
        return False

    def fast_add_entry(page: Any) -> None:
        add_entry_from_context(index, page, chosen)

    index.add_entry_from_context = fast_add_entry
    if _plugin_file_digest() == _PLUGIN_FILE:
        _skip_needless_attribute_pass(config.plugins, plugin)
    return True


_SEARCH_ATTRIBUTE = re.compile(r"\s?data-search-\w+=\"[^\"]+\"")
"""What material's plugin strips from every page after indexing it (its own expression)."""


def _skip_needless_attribute_pass(plugins: Any, plugin: Any) -> None:
    """Have the ``page_context`` event of material's search ``plugin`` (whose
    file is the one :data:`_PLUGIN_FILE` names) skip its search of the page's
    HTML for ``data-search-…`` attributes where the text does not occur:
    the same as searching, which finds nothing and leaves the page as it was."""
    events = getattr(plugins, "events", {}).get("page_context")
    if not isinstance(events, list):
        return  # not mkdocs' plugin collection
    own = type(plugin).on_page_context
    found = [
        i
        for i, m in enumerate(events)
        if getattr(m, "__self__", None) is plugin and getattr(m, "__func__", None) is own
    ]
    if len(found) != 1:
        return
    position = found[0]
    method = events[position]

    def on_page_context(context: Any, *, page: Any, config: Any, nav: Any) -> Any:
        if not plugin.config.enabled:
            return None
        plugin.search_index.add_entry_from_context(page)
        if "data-search-" in page.content:
            page.content = _SEARCH_ATTRIBUTE.sub("", page.content)
        return None

    events[position] = on_page_context
    origins = getattr(plugins, "_event_origins", None)
    if isinstance(origins, dict):  # whose event it is, for mkdocs' error messages
        origins[on_page_context] = origins.get(method, "search")
