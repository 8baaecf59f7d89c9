"""A Python-Markdown extension: specgen's plain pipe tables skip the block parser.

The production-readiness definition is Markdown meant to be pasted into a
statement of work, so its tables are pipe tables, and the site shows that
same Markdown. Python-Markdown makes an element of every cell, runs each
through the inline patterns, the tree processors and the serializer: two
thirds of converting a definition page, about a tenth of converting the site.

This preprocessor writes such a table's HTML itself and stores it in the HTML
stash, as :mod:`specgen.site.rawhtml` does for specgen's HTML tables, when it
can say what Python-Markdown would have written, byte for byte, caption
(:mod:`specgen.site.captions`) included:

* the table is a block of its own at the left margin: a blank line (or the
  page's start) before it, then a header row of at least two cells, a
  separator row of dashes (no alignment), body rows, then a blank line or the
  page's end; every row starts and ends with ``|``;
* no cell holds a character an inline pattern could start a match with
  (:func:`specgen.site.quickinline.triggers`), an attribute list's brace, or
  a placeholder's control character: such text would not come out as it is;
* the heading the table sits under, which its caption repeats, is a plain
  ``#`` heading of the same kind, and nothing on the page could make a
  heading this scan does not see (an indented or quoted ``#`` line, an
  underlined heading, a raw HTML block).

Any table for which one of these does not hold, and every table of a page
with a Python-Markdown setup this does not know (an inline pattern it cannot
read), is left to Python-Markdown. The site registers it by name
(``specgen.site.pipetables``); tests convert pages and hostile cases both
ways and compare.
"""

from __future__ import annotations

import re
from typing import Any

from markdown import Extension, Markdown
from markdown.blockprocessors import HashHeaderProcessor
from markdown.preprocessors import Preprocessor

from specgen.site.quickinline import triggers

__all__ = ["PipeTablesExtension", "makeExtension"]

_HEADING = HashHeaderProcessor.RE
"""Python-Markdown's own expression for a ``#`` heading line."""
_UNSEEN_HEADING = re.compile(r"^(?:\s+#|\s*>|\s*<|\s*(?:[-*+]|\d+[.)])\s+#|[ ]{0,3}(?:=+|-+)[ ]*$)")
"""A line that could make (or hold) a heading :func:`_headings` does not follow:
an indented ``#`` (in a list or a container), a quote, a raw HTML block,
a list item that is a heading, a setext underline."""
_SEPARATOR = re.compile(r"^\|(?:[ ]*-+[ ]*\|)+$")
_NEVER = "{}\x02\x03|"
"""Characters no cell (or caption) taken here may hold besides the inline
patterns' own: an attribute list's braces, a stash placeholder's control
characters, and ``|`` (which only an escaped pipe would leave in a cell)."""


def _cells(row: str, count: int) -> list[str]:
    """A row's cells as Python-Markdown's table processor splits them (no
    escaped pipes or code spans: their characters are excluded already),
    padded or cut to ``count``."""
    cells = [cell.strip(" ") for cell in row.strip(" ")[1:-1].split("|")]
    return (cells + [""] * count)[:count]


def _text(value: str) -> str:
    """Text as Python-Markdown's serializer writes it (``&`` and ``<`` never get here)."""
    return value.replace(">", "&gt;")


class _PipeTables(Preprocessor):
    def run(self, lines: list[str]) -> list[str]:
        if not any(line.startswith("|") for line in lines):
            return lines
        chars = triggers(self.md.inlinePatterns)
        if chars is None or any(_UNSEEN_HEADING.match(line) for line in lines):
            return lines
        unsafe = re.compile(f"[{re.escape(chars + _NEVER)}]")
        out: list[str] = []
        heading: str | None = ""  # None: a heading whose text this cannot tell
        i, count = 0, len(lines)
        while i < count:
            line = lines[i]
            match = _HEADING.match(line)
            if match is not None:
                text = " ".join(match.group("header").strip().split())
                heading = None if unsafe.search(text) else text
            elif line.startswith("|") and (i == 0 or lines[i - 1] == "") and heading is not None:
                end = i
                while end < count and lines[end] != "":
                    end += 1
                html = self._table(lines[i:end], heading, unsafe)
                if html is not None:
                    out.extend(["", self.md.htmlStash.store(html), ""])
                    i = end
                    continue
            out.append(line)
            i += 1
        return out

    @staticmethod
    def _table(block: list[str], heading: str, unsafe: re.Pattern[str]) -> str | None:
        """The HTML of a table block, or None to leave it to Python-Markdown."""
        if len(block) < 2 or not _SEPARATOR.match(block[1].strip(" ")):
            return None
        rows = [row.strip(" ") for row in block]
        if not all(row.startswith("|") and row.endswith("|") and len(row) > 1 for row in rows):
            return None
        header = rows[0][1:-1].split("|")
        width = len(header)
        if width < 2 or rows[1].count("|") - 1 != width:
            return None
        cells = [_cells(row, width) for row in (rows[0], *rows[2:])]
        if any(unsafe.search(cell) for row in cells for cell in row):
            return None
        parts = ["<table>\n"]
        if heading:
            parts.append(f'<caption class="sg-caption">{_text(heading)}</caption>')  # added after the tidying
        parts.append("<thead>\n<tr>\n")
        parts.extend(f"<th>{_text(cell)}</th>\n" for cell in cells[0])
        parts.append("</tr>\n</thead>\n<tbody>\n")
        if len(cells) == 1:
            parts.append("<tr>\n" + "<td></td>\n" * width + "</tr>\n")
        for row in cells[1:]:
            parts.append("<tr>\n")
            parts.extend(f"<td>{_text(cell)}</td>\n" for cell in row)
            parts.append("</tr>\n")
        parts.append("</tbody>\n</table>")
        return "".join(parts)


class PipeTablesExtension(Extension):
    """Registers the preprocessor after the fenced code blocks are set aside
    (priority 25) and before the raw HTML ones (20, and
    :mod:`specgen.site.rawhtml`'s 21)."""

    def extendMarkdown(self, md: Markdown) -> None:
        md.preprocessors.register(_PipeTables(md), "specgen_pipe_tables", 22)


def makeExtension(**kwargs: Any) -> PipeTablesExtension:
    return PipeTablesExtension(**kwargs)
