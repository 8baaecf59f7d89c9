"""A Python-Markdown extension: a page made of sections converts them one by one, reusing pages.

A workflow's printable page repeats its section pages: the overview,
decisions, controls, acceptance, exit and definition pages' Markdown, one
after the other, each after a separator line: the page's marker
(``<div class="sg-print-page"></div>``) after its introduction, then a page
break (``<div class="sg-print-break"></div>``) before each further section,
each on a line of its own. Converting it was about two-fifths of converting
the whole site.

This extension converts such a page section by section, each section being
what lies between two separator lines, and joins the results with the
separators between them. A section whose Markdown is exactly that of a page
converted a moment before, in the same folder of the same build, is not
converted again: its HTML is taken from that page. So the print page costs
little more than the parts no other page shows (the introduction, all
runbooks together). A separator line inside a fenced code block would split
it too; specgen's templates write none there, and spec text cannot make one
(it is escaped).

Each section is converted by the page's own Markdown instance, so mkdocs'
link rewriting and checks apply to it as to the rest of the page. The
sections' headings keep their ids except where an earlier section already
used one, which gets ``_1``, ``_2``… as Python-Markdown does within a page;
the page's table of contents is the sections' in order. Markdown within a
section cannot refer to another section (Python-Markdown's reference-style
link definitions, say); specgen's templates do not.

The pages converted last are kept with the build's files (mkdocs' ``Files``
of the page being converted), at most :data:`KEEP` of them, so nothing
survives the build and a worker process keeps only its own. The site
registers the extension by name (``specgen.site.sections``).

A build that keeps most pages from the last site converts few of them, so
a section may match no page of this build. The build cache
(:mod:`specgen.site.mkcache`) keeps what converting each page gave: it
hands the files a look-up (:func:`look_up_elsewhere`) that finds a
section's HTML among the pages an earlier build converted in the same
folder, and learns from :func:`take_converted` the Markdown, as the
sections see it, of each page it stores.
"""

from __future__ import annotations

import posixpath
import re
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, NamedTuple

from markdown import Extension, Markdown
from markdown.extensions.toc import unique
from markdown.preprocessors import Preprocessor
from markdown.treeprocessors import Treeprocessor

__all__ = [
    "BREAK",
    "KEEP",
    "MARKER",
    "Lookup",
    "SectionsExtension",
    "look_up_elsewhere",
    "makeExtension",
    "take_converted",
]

BREAK = '<div class="sg-print-break"></div>'
"""A page break: the line that separates the sections of a page."""
MARKER = '<div class="sg-print-page"></div>'
"""The printable page's marker, between its introduction and its first section: a separator too."""
SEPARATORS = frozenset({BREAK, MARKER})

KEEP = 16
"""Converted pages kept for the sections of a later page: a workflow's pages and some."""

_MEMO_ATTRIBUTE = "_specgen_converted_pages"
_LOOKUP_ATTRIBUTE = "_specgen_converted_elsewhere"
_LAST_ATTRIBUTE = "_specgen_converted_last"

Lookup = Callable[[str, str], "tuple[str, list[dict[str, Any]], str | None] | None"]
"""``lookup(folder, markdown)``: the HTML, table of contents (mkdocs' form
will do: ``level``, ``id``, ``name``, ``children``) and title of a page in
``folder`` whose Markdown, as the sections see it, is ``markdown``; None if
there is none."""


def look_up_elsewhere(files: Any, lookup: Lookup) -> None:
    """Let pages converted with ``files`` (mkdocs' ``Files``) find a section
    that no page of this build converted with ``lookup``."""
    files.__dict__[_LOOKUP_ATTRIBUTE] = lookup


def take_converted(files: Any) -> tuple[str, str] | None:
    """The folder and Markdown (as the sections see it: whitespace
    normalised, no blank lines around) of the page just converted whole with
    ``files``, once; None if the last page converted was made of sections."""
    return files.__dict__.pop(_LAST_ATTRIBUTE, None)  # type: ignore[no-any-return]


class _Converted(NamedTuple):
    html: str
    toc: list[dict[str, Any]]
    title: str | None
    """What mkdocs takes for the title if the navigation gives none: the first heading, if the page starts with one."""


class _Memo(OrderedDict[tuple[str, str], _Converted]):
    """(folder, Markdown) → what converting it gave, for the last :data:`KEEP` pages."""

    def remember(self, key: tuple[str, str], value: _Converted) -> None:
        self[key] = value
        self.move_to_end(key)
        while len(self) > KEEP:
            self.popitem(last=False)


class _State:
    """What the processors of one Markdown instance share."""

    def __init__(self) -> None:
        self.source: str | None = None
        self.toc: list[dict[str, Any]] | None = None
        self.own_memo = _Memo()

    def memo_and_folder(self, md: Markdown) -> tuple[_Memo, str, Any]:
        """The build's memo, the folder of the page being converted and the
        build's files (mkdocs' link rewriter knows them; without it, this
        instance's own memo, and no files)."""
        relpath = md.treeprocessors["relpath"] if "relpath" in md.treeprocessors else None  # noqa: SIM401 (a Registry has no get)
        file = getattr(relpath, "file", None)
        files = getattr(relpath, "files", None)
        if file is None or files is None:
            return self.own_memo, "", None
        memo = files.__dict__.get(_MEMO_ATTRIBUTE)
        if memo is None:
            memo = files.__dict__[_MEMO_ATTRIBUTE] = _Memo()
        return memo, posixpath.dirname(file.src_uri), files


class _Split(Preprocessor):
    def __init__(self, md: Markdown, state: _State) -> None:
        super().__init__(md)
        self.state = state

    def run(self, lines: list[str]) -> list[str]:
        state = self.state
        if SEPARATORS.isdisjoint(lines):
            state.source, state.toc = "\n".join(lines).strip("\n"), None
            return lines
        memo, folder, files = state.memo_and_folder(self.md)
        lookup: Lookup | None = None if files is None else files.__dict__.get(_LOOKUP_ATTRIBUTE)
        titles = _title_reader(self.md)
        sections: list[list[str]] = [[]]
        separators: list[str] = []
        for line in lines:
            if line in SEPARATORS:
                sections.append([])
                separators.append(line)
            else:
                sections[-1].append(line)
        used: set[str] = set()
        toc: list[dict[str, Any]] = []
        out: list[str] = []
        title = None
        for number, section in enumerate(sections):
            text = "\n".join(section).strip("\n")
            converted = memo.get((folder, text)) if text.strip() else _Converted("", [], None)
            if converted is None and lookup is not None:
                found = lookup(folder, text)
                converted = None if found is None else _Converted(*found)
            if converted is None:
                html = self.md.convert(text)
                converted = _Converted(html, list(getattr(self.md, "toc_tokens", [])), getattr(titles, "title", None))
            if number == 0:
                title = converted.title  # the page starts as its first section does
            body, tokens = _unique_ids(converted.html, converted.toc, used)
            toc.extend(tokens)
            if number:
                out += ["", separators[number - 1], ""]
            if body:
                out += ["", self.md.htmlStash.store(body), ""]
        state.source, state.toc = None, toc
        if titles is not None:
            titles.title = title
        while out and not out[-1]:  # a blank line last would end the last section's paragraph in a newline
            out.pop()
        return out


def _unique_ids(body: str, tokens: list[dict[str, Any]], used: set[str]) -> tuple[str, list[dict[str, Any]]]:
    """``body`` and its table of contents, with each heading id already in
    ``used`` (by an earlier section) renamed; every id ends up in ``used``."""
    renamed: dict[str, str] = {}
    mine = {token["id"] for token in _walk(tokens)}

    def fresh(token: dict[str, Any]) -> dict[str, Any]:
        old = token["id"]
        new = old
        if old in used:
            new = unique(old, used | mine | set(renamed.values()))
            renamed[old] = new
        return {**token, "id": new, "children": [fresh(child) for child in token.get("children", [])]}

    tokens = [fresh(token) for token in tokens]
    used.update(token["id"] for token in _walk(tokens))
    if renamed:
        escaped = {_attribute(old): _attribute(new) for old, new in renamed.items()}
        body = _ID_OR_FRAGMENT.sub(lambda m: escaped.get(m.group(0), m.group(0)), body)
    return body, tokens


def _attribute(value: str) -> str:
    """``value`` as Python-Markdown writes it in an attribute."""
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


_ID_OR_FRAGMENT = re.compile(r'(?<=\sid=")[^"]*(?=")|(?<=\shref="#)[^"]*(?=")')
"""An element's id, or the fragment of a link to this page."""


def _walk(tokens: list[dict[str, Any]]) -> Any:
    for token in tokens:
        yield token
        yield from _walk(token.get("children", []))


class _Contents(Treeprocessor):
    """The table of contents of a page of sections is the sections' (after ``toc``)."""

    def __init__(self, md: Markdown, state: _State) -> None:
        super().__init__(md)
        self.state = state

    def run(self, root: Any) -> None:
        if self.state.toc is not None:
            self.md.toc_tokens = self.state.toc  # type: ignore[attr-defined]


def _remembering(md: Markdown, state: _State) -> Any:
    """``md.convert`` that keeps the HTML and contents of a page converted
    whole, for later sections. (Not a postprocessor: ``toc`` runs those on
    each heading's text too.)"""
    convert = md.convert

    def converted(source: str) -> str:
        state.source = None
        titles = _title_reader(md)
        if titles is not None:
            titles.title = None
        text = convert(source)
        memo, folder, files = state.memo_and_folder(md)
        if state.source is not None:
            toc = list(getattr(md, "toc_tokens", []))
            memo.remember((folder, state.source), _Converted(text, toc, getattr(titles, "title", None)))
        if files is not None:  # (a page of sections converts each inside: the page's word is the last)
            if state.source is None:
                files.__dict__.pop(_LAST_ATTRIBUTE, None)
            else:
                files.__dict__[_LAST_ATTRIBUTE] = (folder, state.source)
        state.source = None
        return text

    return converted


def _title_reader(md: Markdown) -> Any:
    """mkdocs' tree processor that reads a page's title from its first heading, if registered."""
    return md.treeprocessors["mkdocs_extract_title"] if "mkdocs_extract_title" in md.treeprocessors else None  # noqa: SIM401


class SectionsExtension(Extension):
    """Splits pages at separator lines (right after whitespace is normalised,
    priority 29, before fenced blocks or raw HTML are set aside), sets their
    contents after ``toc`` (priority 4) and remembers whole pages as they
    come out of ``convert``."""

    def extendMarkdown(self, md: Markdown) -> None:
        state = _State()
        md.preprocessors.register(_Split(md, state), "specgen_sections", 29)
        md.treeprocessors.register(_Contents(md, state), "specgen_sections", 4)
        md.convert = _remembering(md, state)  # type: ignore[method-assign]


def makeExtension(**kwargs: Any) -> SectionsExtension:
    return SectionsExtension(**kwargs)
