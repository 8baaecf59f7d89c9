"""Links between the site's pages and to the anchors of entities on them."""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field
from typing import Any

from specgen.site.environment import anchor, finalize
from specgen.text import Md

__all__ = ["LinkIndex", "Links"]


class Links:
    """Links from one page to the others, as HTML ``<a>`` elements.

    HTML rather than Markdown links because tables are written as HTML (Markdown
    tables cost the build four times as much) and links must work in both.
    Pages are addressed by their ``.md`` path; the link goes to the ``.html``
    file mkdocs writes for it (the site never uses directory URLs, so it also
    works from ``file://``). Entities (a decision, a control...) are found
    through :class:`LinkIndex`.
    """

    def __init__(self, here: str, index: LinkIndex) -> None:
        self.here = here
        self._folder = posixpath.dirname(here) or "."
        self._index = index

    def href(self, target: str, anchor: str | None = None) -> str:
        """The relative URL of the page at ``target`` (docs-relative ``.md`` path)."""
        url = self._index.relative(self._folder, target)
        return f"{url}#{anchor}" if anchor else url

    def to(self, target: str, text: Any, anchor: str | None = None) -> Md:
        """A link to the page at ``target`` (docs-relative ``.md`` path), showing ``text``."""
        return Md(f'<a href="{self.href(target, anchor)}">{finalize(text)}</a>')

    def file(self, target: str, text: Any) -> Md:
        """A link to a file copied into the site as it is (docs-relative path), showing ``text``."""
        return Md(f'<a href="{posixpath.relpath(target, self._folder)}">{finalize(text)}</a>')

    def page(self, workflow: str, slug: str, text: Any | None = None) -> Md:
        """A link to one of a workflow's pages by slug ("decisions")."""
        path = self._index.page_path(workflow, slug)
        return self.to(path, text if text is not None else self._index.titles[path])

    def entity(self, workflow: str, kind: str, ident: str, text: Any | None = None) -> Md:
        """A link to the anchor of an entity (a decision, a control...)."""
        target = self._index.entity_target(workflow, kind, ident)
        if target is None:  # an unknown id: show it as text rather than a dead link
            return Md(finalize(text if text is not None else ident))
        path, anchor = target
        return self.to(path, text if text is not None else ident, anchor)


@dataclass
class LinkIndex:
    """Where every page and entity anchor of the site is."""

    titles: dict[str, str] = field(default_factory=dict)
    pages: dict[tuple[str, str], str] = field(default_factory=dict)
    hosts: dict[tuple[str, str], str] = field(default_factory=dict)
    items: dict[tuple[str, str, str], str] = field(default_factory=dict)

    _relative: dict[tuple[str, str], str] = field(default_factory=dict)

    def relative(self, folder: str, target: str) -> str:
        """URL of the HTML file of ``target`` (a ``.md`` path) from ``folder``."""
        key = (folder, target)
        url = self._relative.get(key)
        if url is None:
            url = posixpath.relpath(target[: -len(".md")] + ".html", folder)
            self._relative[key] = url
        return url

    def page_path(self, workflow: str, slug: str) -> str:
        return self.pages[(workflow, slug)]

    def entity_target(self, workflow: str, kind: str, ident: str) -> tuple[str, str | None] | None:
        item = self.items.get((workflow, kind, ident))
        if item is not None:
            return item, None
        host = self.hosts.get((workflow, kind))
        if host is None:
            return None
        return host, str(anchor(kind, ident))
