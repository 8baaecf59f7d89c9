"""A Python-Markdown extension: the HTML tables specgen writes skip the HTML parser.

specgen's templates write tables as HTML (Python-Markdown takes four times
as long over pipe tables), each a block of its own: ``<table>`` at the start
of a line, ``</table>`` alone at the start of a later line, a blank line
after. Python-Markdown finds raw HTML blocks by running the whole page
through ``html.parser``, which was about a quarter of the site build. This
preprocessor, run just before that one, stores each such table in the
Markdown instance's HTML stash itself, exactly as Python-Markdown would have
(the block's text and the newline of the blank line after it), so the page
comes out byte for byte the same. Anything else — a table that does not
stand alone, holds another table, or ends a page — is left to
Python-Markdown.

Once those tables are stashed, most pages hold no ``<`` at all. For such a
page, whose every ``&`` also starts a complete character reference (``&#60;``,
``&#x5b;``, ``&amp;``), the HTML parser would hand every piece of text back as
it was, so Python-Markdown's raw HTML preprocessor is not run; any other page
goes through it. The site registers both by name (``specgen.site.rawhtml``).
"""

from __future__ import annotations

import re
from typing import Any

from markdown import Extension, Markdown
from markdown.preprocessors import HtmlBlockPreprocessor, Preprocessor

__all__ = ["RawTablesExtension", "makeExtension"]

_START = "<table"
_END = "</table>"
_LOOSE_AMPERSAND = re.compile(r"&(?!(?:#[0-9]+|#[xX][0-9a-fA-F]+|[a-zA-Z][a-zA-Z0-9]*);)")
"""An ``&`` that does not start a complete character reference: the HTML
parser may rewrite it (``R&D `` comes back as ``R&D; ``)."""


class _RawTables(Preprocessor):
    def run(self, lines: list[str]) -> list[str]:
        if not any(line.startswith(_START) for line in lines):
            return lines
        out: list[str] = []
        i, count = 0, len(lines)
        while i < count:
            line = lines[i]
            if line.startswith(_START) and (line == _START or line[len(_START)] in "> \t"):
                end = i
                while end < count and lines[end] != _END:
                    end += 1
                standalone = end + 1 < count and lines[end + 1].strip(" ") == ""
                block = lines[i : end + 1]
                if end < count and standalone and not any(_START in b for b in block[1:]):
                    out.extend(["", self.md.htmlStash.store("\n".join(block) + "\n"), ""])
                    i = end + 1
                    continue
            out.append(line)
            i += 1
        return out


class _QuickHtmlBlock(HtmlBlockPreprocessor):
    """Python-Markdown's raw HTML preprocessor, not run over a page with no HTML left."""

    def run(self, lines: list[str]) -> list[str]:
        if any("<" in line or ("&" in line and _LOOSE_AMPERSAND.search(line)) for line in lines):
            return super().run(lines)
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
