"""One Python-Markdown instance converts every page of a build, not one per page.

mkdocs' ``Page.render`` makes a new ``markdown.Markdown`` for each page: it
loads and configures every extension again (pymdownx's superfences deep-copies
its settings, the block and inline processors are built and sorted), 0.29 ms
of processor time each, a few per cent of a full build. :class:`Converter` makes the instance
once per build (per worker process after a fork) and, for each page, resets
it (``Markdown.reset``, which each extension with state hooks) and registers
mkdocs' four per-page processors afresh, as ``Page.render`` does: they carry
the page and its links. Everything else ``Page.render`` does is done the same
way, in the same order (checked against mkdocs 1.6).

An instance whose conversion raised is dropped: a half-finished run could
leave state that ``reset`` does not know about. :data:`REUSE` off renders
with mkdocs' own ``Page.render``; the site tests build both ways and compare
every file.
"""

from __future__ import annotations

import logging
from typing import Any

import markdown
from mkdocs.structure.files import Files
from mkdocs.structure.pages import (
    Page,
    _ExtractAnchorsTreeprocessor,
    _ExtractTitleTreeprocessor,
    _RawHTMLPreprocessor,
    _RelativePathTreeprocessor,
)
from mkdocs.structure.toc import get_toc

__all__ = ["REUSE", "Converter"]

REUSE = True
"""Off: every page is converted by mkdocs' own ``Page.render`` (for the tests' comparison)."""

_log = logging.getLogger("mkdocs.structure.pages")


class Converter:
    """Converts the pages of one build with one Markdown instance."""

    def __init__(self) -> None:
        self._md: markdown.Markdown | None = None

    def install(self, page: Page) -> None:
        """Make ``page.render`` use this converter (before plugins wrap it)."""
        if REUSE:
            page.render = lambda config, files: self.render(page, config, files)  # type: ignore[method-assign]

    def _instance(self, config: Any) -> markdown.Markdown:
        if self._md is None:
            self._md = markdown.Markdown(
                extensions=config["markdown_extensions"],
                extension_configs=config["mdx_configs"] or {},
            )
        else:
            self._md.reset()
        return self._md

    def render(self, page: Page, config: Any, files: Files) -> None:
        """``Page.render``: the page's Markdown to HTML, its table of contents,
        title and anchors."""
        if page.markdown is None:
            raise RuntimeError("`markdown` field hasn't been set (via `read_source`)")
        md = self._instance(config)
        raw_html_ext = _RawHTMLPreprocessor()
        raw_html_ext._register(md)
        extract_anchors_ext = _ExtractAnchorsTreeprocessor(page.file, files, config)
        extract_anchors_ext._register(md)
        relative_path_ext = _RelativePathTreeprocessor(page.file, files, config)
        relative_path_ext._register(md)
        extract_title_ext = _ExtractTitleTreeprocessor()
        extract_title_ext._register(md)
        try:
            page.content = md.convert(page.markdown)
        except BaseException:
            self._md = None
            raise
        page.toc = get_toc(getattr(md, "toc_tokens", []))
        page._title_from_render = extract_title_ext.title
        page.present_anchor_ids = extract_anchors_ext.present_anchor_ids | raw_html_ext.present_anchor_ids
        if _log.getEffectiveLevel() > logging.DEBUG:
            page.links_to_anchors = relative_path_ext.links_to_anchors
