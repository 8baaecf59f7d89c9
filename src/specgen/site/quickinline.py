"""A Python-Markdown extension: text no inline pattern can match skips them all.

Python-Markdown runs every text of a page (a heading, a paragraph, each list
item and pipe-table cell) through each of its ~15 inline patterns in turn:
a regular-expression search and a Python call per pattern, about a fifth of
converting specgen's pages. Each pattern's expression can only match where
one particular character occurs — a backtick, backslash, ``[``, ``<``, ``&``,
``*``, ``_`` or a line break — and most of specgen's texts hold none of them.

This tree processor replaces Python-Markdown's inline one with a subclass
that, per page, works out from the patterns actually registered which
characters could start a match. A text holding none of them comes back
unchanged without any pattern being tried, which is exactly what trying
them all returns: no pattern matches, so none runs its handler or keeps
state. Every other text goes through Python-Markdown's own code. A pattern
it does not know (by its exact expression), or one written in the legacy
style, switches the shortcut off for the page. The site registers it by
name (``specgen.site.quickinline``).
"""

from __future__ import annotations

import re
from typing import Any

from markdown import Extension, Markdown, inlinepatterns, util
from markdown.treeprocessors import InlineProcessor

__all__ = ["QuickInlineExtension", "makeExtension", "needs", "triggers"]

_KNOWN: dict[str, str] = {
    inlinepatterns.BACKTICK_RE: "`\\",
    inlinepatterns.ESCAPE_RE: "\\",
    inlinepatterns.LINK_RE: "[",
    inlinepatterns.IMAGE_LINK_RE: "[",
    inlinepatterns.AUTOLINK_RE: "<",
    inlinepatterns.AUTOMAIL_RE: "<",
    inlinepatterns.HTML_RE: "<",
    inlinepatterns.ENTITY_RE: "&",
    inlinepatterns.LINE_BREAK_RE: "\n",
}
"""Python-Markdown's own expressions, each with the characters one of which
every match of it contains."""


def _needs(pattern: Any) -> str | None:
    """The characters one of which every match of ``pattern`` holds, or None
    if it is not known well enough to say."""
    if not isinstance(pattern, inlinepatterns.InlineProcessor):
        return None
    if isinstance(pattern, inlinepatterns.DelimiterProcessor):
        tokens = list(pattern.tokens)
        if pattern.compiled_re.pattern != "|".join(re.escape(t) for t in tokens) or not all(tokens):
            return None
        return "".join(sorted({token[0] for token in tokens}))
    return _KNOWN.get(pattern.compiled_re.pattern)


def needs(patterns: Any) -> list[str] | None:
    """:func:`_needs` of each of ``patterns`` (a Python-Markdown inline
    pattern registry), in order, or None if one of them is not known."""
    each = [_needs(pattern) for pattern in patterns]
    return None if any(chars is None for chars in each) else [chars for chars in each if chars is not None]


def triggers(patterns: Any) -> str | None:
    """The characters without which none of ``patterns`` can match (a
    Python-Markdown inline pattern registry), or None if one of them is not
    known well enough to say."""
    each = needs(patterns)
    return None if each is None else "".join(sorted(set("".join(each))))


class _QuickInline(InlineProcessor):
    _skip: re.Pattern[str] | None = None
    _needs: list[str] | None = None

    def run(self, tree: Any, ancestors: list[str] | None = None) -> Any:
        self._needs = needs(self.inlinePatterns)
        chars = None if self._needs is None else "".join(sorted(set("".join(self._needs))))
        self._skip = None if chars is None else re.compile(f"[{re.escape(chars)}]")
        return super().run(tree, ancestors)

    def _InlineProcessor__handleInline(self, data: str, patternIndex: int = 0) -> str:
        skip, each = self._skip, self._needs
        if skip is None or each is None or isinstance(data, util.AtomicString):
            return super()._InlineProcessor__handleInline(data, patternIndex)  # type: ignore[misc]
        if skip.search(data) is None:
            return data
        # Python-Markdown's loop, passing over each pattern whose characters the text lacks:
        # trying it would find no match, which moves on to the next pattern from the start.
        apply = self._InlineProcessor__applyPattern  # type: ignore[attr-defined]
        start, count = 0, len(each)
        while patternIndex < count:
            if not any(char in data for char in each[patternIndex]):
                patternIndex, start = patternIndex + 1, 0
                continue
            data, matched, start = apply(self.inlinePatterns[patternIndex], data, patternIndex, start)
            if not matched:
                patternIndex += 1
        return data


class QuickInlineExtension(Extension):
    """Registers the processor in the place of Python-Markdown's inline one
    (``inline``, priority 20)."""

    def extendMarkdown(self, md: Markdown) -> None:
        md.treeprocessors.register(_QuickInline(md), "inline", 20)


def makeExtension(**kwargs: Any) -> QuickInlineExtension:
    return QuickInlineExtension(**kwargs)
