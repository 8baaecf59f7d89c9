"""An mkdocs plugin that reuses what an earlier build computed.

mkdocs spends most of a build on three steps per page; each is a pure
function of inputs the plugin hashes into the key of its result in the
:class:`~specgen.site.cache.SiteCache`:

==================  ============================================================
step                key (besides the tool versions)
==================  ============================================================
Markdown → HTML     the page's Markdown and path, the configuration without the
                    navigation, the list of files of the site (links are checked
                    against it). Kept: the HTML, the table of contents, the
                    title, the anchors the page has and those it links to.
search entries      the page's HTML, table of contents, title, URL and metadata,
                    the search plugin's settings.
page template       the page's HTML, table of contents, title, URL and metadata,
                    the whole configuration (navigation, theme settings), the
                    theme overrides' bytes and the navigation as built (every
                    title and URL), so a new title re-renders every page.
page-less template  the same as a page template's but the page; the context's
(404, sitemap)      base URL, the list of files (each page's URL) and the
                    pages' dates (the sitemap lists them).
==================  ============================================================

A page converted whole also leaves a pointer to its entry under its folder
and its Markdown as :mod:`specgen.site.sections` sees it, so a printable
page rebuilt next to kept pages takes their sections' HTML from the cache
instead of converting them again.

A hit puts back exactly what the step would have produced, so a build with
the cache writes the same bytes as one without (``tests/test_site_incremental.py``
proves it over a random sequence of edits). Anchors are still validated on
every build, from the kept anchors.
"""

from __future__ import annotations

import json
import posixpath
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import jinja2
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import Files
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import AnchorLink, TableOfContents, get_toc

from specgen.site.cache import FORMAT, SiteCache, digest, tool_versions
from specgen.site.sections import look_up_elsewhere, take_converted

__all__ = ["PLUGIN_NAME", "CachePlugin", "cache_plugin"]

PLUGIN_NAME = "specgen/cache"


def _toc_tokens(items: list[AnchorLink] | TableOfContents) -> list[dict[str, Any]]:
    return [
        {"level": a.level, "id": a.id, "name": a.title, "children": _toc_tokens(a.children)}
        for a in items  # type: ignore[union-attr]
    ]


def _nav_items(items: list[Any]) -> list[Any]:
    return [
        [type(item).__name__, item.title, getattr(item, "url", None), _nav_items(getattr(item, "children", None) or [])]
        for item in items
    ]


def _navigation_key(nav: Navigation) -> str:
    return digest(json.dumps(_nav_items(nav.items), sort_keys=True))


class CachePlugin(BasePlugin):  # type: ignore[type-arg]
    """Caches Markdown → HTML, the search entries and the page template, by content hash.

    ``markdown_salt`` digests what Markdown conversion depends on beyond the
    page (configuration without the nav, tool versions); ``page_salt`` what
    the theme does (the whole configuration, the theme overrides).

    The navigation's digest, part of the page template's key, is taken once
    every title it shows is known (``on_env``), and costs 0.1 s at 12,000
    pages. A build that keeps the last build's pages is given that build's
    digest (``nav_key``) instead: its navigation is the same unless a rebuilt
    page's title or metadata changed, and then the build is thrown away and
    done again in full (:func:`specgen.site.delta.navigation_changed`). So
    such a build looks the page template's output up under the given digest
    but stores nothing under it: an entry stored before the navigation is
    known to be the same could be wrong. Only the page-less templates (the
    404 page, the sitemap), rendered once per build in this process, are held
    back until the build has found the navigation unchanged (:meth:`vouch`),
    so that the builds after an edit find them.
    """

    def __init__(self, cache: SiteCache, *, markdown_salt: str, page_salt: str, nav_key: str | None = None) -> None:
        super().__init__()
        self.cache = cache
        self.markdown_salt = markdown_salt
        self.page_salt = page_salt
        self._files_key = ""
        self._known_nav_key = nav_key
        self._nav_key: str | None = nav_key
        self._nav: Navigation | None = None
        self._held_back: dict[str, str] = {}

    @property
    def nav_key(self) -> str | None:
        """The digest of the navigation the pages were rendered with (once known)."""
        return self._nav_key

    # ---------------------------------------------------------------- events

    def on_files(self, files: Files, /, *, config: Any) -> Files:
        # the site's own files (links are checked against them), not the theme's
        self._files_key = digest(*sorted(f.src_uri for f in files if f.src_dir is None))
        self._nav_key = self._known_nav_key
        look_up_elsewhere(files, self._converted_section)
        for name, plugin in config.plugins.items():
            index = getattr(plugin, "search_index", None)
            if name.endswith("search") and index is not None and hasattr(index, "entries"):
                self._wrap_search(index, digest(name, json.dumps(dict(plugin.config), sort_keys=True, default=str)))
        return files

    def on_pre_page(self, page: Page, /, *, config: Any, files: Files) -> Page:
        original = page.render

        def render(config: Any, files: Files) -> None:
            self._render(page, original, config, files)

        page.render = render  # type: ignore[method-assign]
        return page

    def on_nav(self, nav: Navigation, /, *, config: Any, files: Files) -> Navigation:
        self._nav = nav
        return nav

    def on_env(self, env: jinja2.Environment, /, *, config: Any, files: Files) -> jinja2.Environment:
        # every title the navigation shows is known by now, before any page is built (here, not in a worker)
        if self._nav_key is None and self._nav is not None:
            self._nav_key = _navigation_key(self._nav)
        get_template = env.get_template

        def cached_get_template(name: Any, parent: Any = None, globals: Any = None) -> Any:
            template = get_template(name, parent, globals)
            return _CachedTemplate(template, self) if isinstance(template, jinja2.Template) else template

        env.get_template = cached_get_template  # type: ignore[method-assign]
        return env

    def on_page_context(self, context: Any, /, *, page: Page, config: Any, nav: Navigation) -> Any:
        if self._nav_key is None:
            self._nav_key = _navigation_key(nav)
        return context

    # ---------------------------------------------------------------- steps

    def _page_key(self, page: Page) -> str:
        return digest(
            page.file.src_uri,
            page.url,
            str(page.title),
            json.dumps(page.meta, sort_keys=True, default=str),
            json.dumps(_toc_tokens(page.toc), sort_keys=True),
            page.content or "",
        )

    def _render(self, page: Page, original: Callable[[Any, Files], None], config: Any, files: Files) -> None:
        key = digest("markdown", self.markdown_salt, self._files_key, page.file.src_uri, page.markdown or "")
        hit = self.cache.get(key)
        if hit is not None:
            links: dict[Any, dict[str, str]] | None = None
            if hit["links"] is not None:
                links = {}
                for src_uri, anchors in hit["links"]:
                    target = files.get_file_from_path(src_uri)
                    if target is None:  # cannot happen with the same file list; be safe
                        hit = None
                        break
                    links[target] = dict(anchors)
            if hit is not None:
                page.content = hit["html"]
                page.toc = get_toc(hit["toc"])
                page._title_from_render = hit["title"]
                page.present_anchor_ids = set(hit["anchors"])
                page.links_to_anchors = links
                if hit.get("section"):
                    self.cache.keep(hit["section"])
                return
        original(config, files)
        entry = {
            "html": page.content,
            "toc": _toc_tokens(page.toc),
            "title": page._title_from_render,
            "anchors": sorted(page.present_anchor_ids or ()),
            "links": None
            if page.links_to_anchors is None
            else sorted([f.src_uri, sorted(a.items())] for f, a in page.links_to_anchors.items()),
        }
        whole = take_converted(files)
        if whole is not None and whole[0] == posixpath.dirname(page.file.src_uri):
            entry["section"] = self._section_key(*whole)
            self.cache.put(entry["section"], key)
        self.cache.put(key, entry)

    def _section_key(self, folder: str, markdown: str) -> str:
        return digest("section", self.markdown_salt, self._files_key, folder, markdown)

    def _converted_section(self, folder: str, markdown: str) -> tuple[str, list[dict[str, Any]], str | None] | None:
        """What converting a page of ``folder`` whose Markdown, as the
        sections see it, is ``markdown`` gave an earlier build, if the cache has it."""
        pointer = self.cache.get(self._section_key(folder, markdown), tally=False)
        hit = self.cache.get(pointer, tally=False) if isinstance(pointer, str) else None
        if not isinstance(hit, dict):
            return None
        return hit["html"], hit["toc"], hit["title"]

    def _wrap_search(self, index: Any, salt: str) -> None:
        add = index.add_entry_from_context

        def add_entry_from_context(page: Page) -> None:
            key = digest("search", self.markdown_salt, salt, self._page_key(page))
            hit = self.cache.get(key)
            if hit is not None:
                index.entries.extend(hit)
                return
            before = len(index.entries)
            add(page)
            self.cache.put(key, index.entries[before:])

        index.add_entry_from_context = add_entry_from_context

    def render_page(self, template: jinja2.Template, context: Any) -> str:
        page = context.get("page")
        if self._nav_key is None or not (isinstance(page, Page) or (page is None and "pages" in context)):
            return template.render(context)
        if page is None:  # the theme's static templates (404.html, sitemap.xml): mkdocs' context of the whole site
            # each page's URLs follow from its path (the site's files) and the configuration (the salt)
            dates = sorted({f.page.update_date for f in context["pages"] if f.page is not None})
            subject = digest(str(context.get("base_url")), self._files_key, *dates)
        else:
            subject = self._page_key(page)
        key = digest("page", self.page_salt, self._nav_key, str(template.name), subject)
        hit = self.cache.get(key)
        if isinstance(hit, str):
            return hit
        output = template.render(context)
        if self._known_nav_key is None:
            self.cache.put(key, output)
        elif page is None:  # a navigation known only from the last build: not vouched for yet
            self._held_back[key] = output
        return output

    def vouch(self) -> None:
        """The build found the navigation the last build left (it kept pages,
        and :func:`specgen.site.delta.navigation_changed` said no): store the
        page-less templates' output rendered under it."""
        for key, output in self._held_back.items():
            self.cache.put(key, output)
        self._held_back.clear()


class _CachedTemplate:
    """A page template whose output comes from the cache when its inputs match."""

    def __init__(self, template: jinja2.Template, plugin: CachePlugin) -> None:
        self._template = template
        self._plugin = plugin

    def __getattr__(self, name: str) -> Any:
        return getattr(self._template, name)

    def render(self, *args: Any, **kwargs: Any) -> str:
        if len(args) == 1 and not kwargs and isinstance(args[0], dict):
            return self._plugin.render_page(self._template, args[0])
        return self._template.render(*args, **kwargs)


def cache_plugin(
    cache: SiteCache, sources: Path, config: Mapping[str, Any], nav_key: str | None = None
) -> tuple[str, CachePlugin]:
    """The plugin (with its name) for the mkdocs project in ``sources`` whose
    configuration is ``config`` (see :func:`specgen.site.mkdocs.mkdocs_config`).
    ``nav_key``: the :attr:`CachePlugin.nav_key` of the last build, for a
    build that keeps its pages (see :class:`CachePlugin`)."""
    versions = tool_versions()
    without_nav = {k: v for k, v in config.items() if k != "nav"}
    markdown_salt = digest(FORMAT, versions, json.dumps(without_nav, sort_keys=True, default=str))
    theme = sources / "theme"
    overrides = [
        part
        for path in sorted(theme.rglob("*"))
        if path.is_file()
        for part in (path.relative_to(theme).as_posix(), path.read_bytes())
    ]
    page_salt = digest(FORMAT, versions, json.dumps(dict(config), sort_keys=True, default=str), *overrides)
    return PLUGIN_NAME, CachePlugin(cache, markdown_salt=markdown_salt, page_salt=page_salt, nav_key=nav_key)
