"""A Python-Markdown extension: the HTML blocks specgen writes skip the HTML parser.

specgen's templates write tables as HTML (Python-Markdown takes four times
as long over pipe tables), each a block of its own: ``<table>`` at the start
of a line, ``</table>`` alone at the start of a later line, a blank line
after. Python-Markdown finds raw HTML blocks by running the whole page
through ``html.parser``, which was about a quarter of the site build. This
preprocessor, run just before that one, stores each such table in the
Markdown instance's HTML stash itself, exactly as Python-Markdown would have
(the block's text and the newline of the blank line after it), so the page
comes out byte for byte the same. The blocks of specgen's own ``<div
class="sg-…">`` (a runbook's steps) are stashed the same way, unless they
hold another div, a comment, a raw-text element, an anchor (``id``/``name``,
which mkdocs must see) or a loose ``&``. Anything else — a block that does
not stand alone, holds another table, or ends a page — is left to
Python-Markdown.

Once those tables are stashed, most pages hold no HTML but inline tags
(links, emphasis). For such a page, whose every ``&`` also starts a complete
character reference (``&#60;``, ``&#x5b;``, ``&amp;``), the HTML parser would
hand every piece of text back as it was, so Python-Markdown's raw HTML
preprocessor is not run; any other page (a block of HTML, a comment, an
element it does not list, a tag it cannot read whole) goes through it. The
site registers both by name (``specgen.site.rawhtml``).
"""

from __future__ import annotations

import re
from typing import Any

from markdown import Extension, Markdown
from markdown.preprocessors import HtmlBlockPreprocessor, Preprocessor

__all__ = ["RawTablesExtension", "makeExtension"]

_START = "<table"
_END = "</table>"
_DIV_START = '<div class="sg-'
_DIV_END = "</div>"
_LOOSE_AMPERSAND = re.compile(r"&(?!(?:#[0-9]+|#[xX][0-9a-fA-F]+|[a-zA-Z][a-zA-Z0-9]*);)")
"""An ``&`` that does not start a complete character reference: the HTML
parser may rewrite it (``R&D `` comes back as ``R&D; ``)."""
_NOT_IN_A_DIV = re.compile(r"<div|<!|<\?|<script|<style|<textarea|<title| id=| name=", re.IGNORECASE)
"""What keeps one of specgen's ``<div class="sg-…">`` blocks from being stashed
here: a nested div, a comment or declaration, raw-text elements (the parser
reads those its own way), and anchors, which mkdocs collects from the HTML it
is shown (a stashed block is hidden from it)."""


class _RawTables(Preprocessor):
    def run(self, lines: list[str]) -> list[str]:
        if not any(line.startswith((_START, _DIV_START)) for line in lines):
            return lines
        out: list[str] = []
        i, count = 0, len(lines)
        while i < count:
            line = lines[i]
            end = self._block_end(lines, i)
            if end is not None:
                out.extend(["", self.md.htmlStash.store("\n".join(lines[i : end + 1]) + "\n"), ""])
                i = end + 1
                continue
            out.append(line)
            i += 1
        return out

    @staticmethod
    def _block_end(lines: list[str], i: int) -> int | None:
        """The last line of the block starting at line ``i`` that is stashed as
        it stands (followed by a blank line), or None."""
        line, count = lines[i], len(lines)
        if line.startswith(_START) and (line == _START or line[len(_START)] in "> \t"):
            closing = _END
        elif line.startswith(_DIV_START):
            closing = _DIV_END
        else:
            return None
        end = i
        while end < count and lines[end] != closing:
            end += 1
        if end >= count or not (end + 1 < count and lines[end + 1].strip(" ") == ""):
            return None
        block = lines[i : end + 1]
        if closing == _END:
            return None if any(_START in b for b in block[1:]) else end
        inner = "\n".join(block)[len(_DIV_START) :]
        if _NOT_IN_A_DIV.search(inner) or ("&" in inner and _LOOSE_AMPERSAND.search(inner)):
            return None
        return end


_PHRASING = frozenset({"a", "abbr", "b", "br", "cite", "code", "em", "i", "kbd", "mark", "q", "s"}) | frozenset(
    {"small", "span", "strong", "sub", "sup", "u"}
)
"""Inline elements the HTML parser hands back as written (no raw-text content, never a block)."""
_TAG = re.compile(r'</?([a-zA-Z][a-zA-Z0-9]*)(?:[ ]+[a-zA-Z_:][-a-zA-Z0-9_:.]*(?:="[^"<>]*")?)*[ ]*/?>')
"""A start or end tag with plain attributes in double quotes, whole on its line."""


class _QuickHtmlBlock(HtmlBlockPreprocessor):
    """Python-Markdown's raw HTML preprocessor, not run over a page whose only
    HTML left is inline tags (a link, emphasis): the parser hands back every
    piece of such a page as it was written."""

    def run(self, lines: list[str]) -> list[str]:
        for line in lines:
            if "&" in line and _LOOSE_AMPERSAND.search(line):
                return super().run(lines)
            start = line.find("<")
            while start != -1:
                tag = _TAG.match(line, start)
                if tag is None or tag.group(1).lower() not in _PHRASING or self.md.is_block_level(tag.group(1)):
                    return super().run(lines)
                start = line.find("<", tag.end())
        return lines


class RawTablesExtension(Extension):
    """Registers the preprocessor just before Python-Markdown's raw HTML one
    (priority 20), and that one in the place of Python-Markdown's own, if it
    is still Python-Markdown's own."""

    def extendMarkdown(self, md: Markdown) -> None:
        md.preprocessors.register(_RawTables(md), "specgen_raw_tables", 21)
        if "html_block" in md.preprocessors and type(md.preprocessors["html_block"]) is HtmlBlockPreprocessor:
            md.preprocessors.register(_QuickHtmlBlock(md), "html_block", 20)


def makeExtension(**kwargs: Any) -> RawTablesExtension:
    return RawTablesExtension(**kwargs)
