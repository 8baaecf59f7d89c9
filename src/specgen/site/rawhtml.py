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
Python-Markdown. The site registers it by name (``specgen.site.rawhtml``).
"""

from __future__ import annotations

from typing import Any

from markdown import Extension, Markdown
from markdown.preprocessors import Preprocessor

__all__ = ["RawTablesExtension", "makeExtension"]

_START = "<table"
_END = "</table>"


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


class RawTablesExtension(Extension):
    """Registers the preprocessor just before Python-Markdown's raw HTML one (priority 20)."""

    def extendMarkdown(self, md: Markdown) -> None:
        md.preprocessors.register(_RawTables(md), "specgen_raw_tables", 21)


def makeExtension(**kwargs: Any) -> RawTablesExtension:
    return RawTablesExtension(**kwargs)
