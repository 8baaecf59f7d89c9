"""A Python-Markdown extension: every Markdown table of the site gets a caption.

Markdown pipe tables have header cells but no caption, and screen readers
list a page's tables by their captions. This tree processor gives each
table without one a ``<caption class="sg-caption">`` (drawn for screen readers
only, see ``specgen.css``) holding the text of the heading the table sits
under. The text is copied from the already-escaped heading, placeholders and
all, so it is exactly as safe as the heading. The site registers it by name
(``specgen.site.captions``) in ``mkdocs.yml``. Tables specgen's templates
write as HTML carry their own caption.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

from markdown import Extension, Markdown
from markdown.treeprocessors import Treeprocessor

__all__ = ["CaptionExtension", "makeExtension"]

_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})


class _Captions(Treeprocessor):
    def run(self, root: ET.Element) -> None:
        heading = ""
        for element in root.iter():
            if element.tag in _HEADINGS:
                heading = " ".join("".join(element.itertext()).split())
            elif element.tag == "table" and element.find("caption") is None and heading:
                caption = ET.Element("caption", {"class": "sg-caption"})
                caption.text = heading
                element.insert(0, caption)


class CaptionExtension(Extension):
    """Registers the caption tree processor after the tables are built, before the table of contents."""

    def extendMarkdown(self, md: Markdown) -> None:
        md.treeprocessors.register(_Captions(md), "specgen_captions", 6)


def makeExtension(**kwargs: Any) -> CaptionExtension:
    return CaptionExtension(**kwargs)
