"""The theme's header, rendered once for the pages of a folder.

mkdocs-material renders its header bar (``partials/header.html``: the logo,
the menu and search buttons, the palette toggle, the site's and the page's
title) into every page, about a fifth of rendering a page's theme. Its links
are relative to the page's folder, and the only thing in it that belongs to
one page is the page's title. So it is rendered once per folder with a
stand-in title, and each page's copy is that with its own title put in the
stand-in's place — the title as the template writes it (``page.meta.title``
when the page sets one, else ``page.title``, as text).

Nothing of the theme is copied: the theme environment's
``partials/header.html`` becomes a call of :func:`_shared_header`, which
renders the theme's own file under another name. The header is shared only
while it and every partial it includes are mkdocs-material's own: a user's
override of any of them may show anything of the page, so then every
page's header is rendered in full, as it is when the stand-in does not come
out exactly once. Tests build sites with and without this and compare every
file.
"""

from __future__ import annotations

import posixpath
from collections.abc import Mapping
from typing import Any

import jinja2
from markupsafe import Markup

from specgen.site.navshare import ShimLoader, _themes_own, wrapping
from specgen.site.navshare import render_include as _render

__all__ = ["HEADER", "SHARE", "install"]

HEADER = "partials/header.html"
_THEMES = "specgen-theme/" + HEADER
"""The name the theme's own header template is found under."""
_INCLUDED = (
    "partials/logo.html",
    "partials/palette.html",
    "partials/javascripts/palette.html",
    "partials/alternate.html",
    "partials/search.html",
    "partials/source.html",
    "partials/tabs.html",
)
"""The partials material's header includes (besides icons, which show nothing of a page)."""
_SHIM = "{{ specgen_shared_header() }}"
_CACHE_ATTRIBUTE = "_specgen_shared_header"
_STAND_IN = "\x00specgen-page-title\x00"
"""The title the shared header is rendered with: text no page title holds."""
SHARE = True
"""False: every page's header rendered in full (what the tests compare with)."""


def install(env: jinja2.Environment) -> None:
    """Make ``env`` (the theme's) render shared headers; idempotent."""
    if env.loader is None or wrapping(env, HEADER) is not None:
        return
    share = all(_themes_own(env, env.loader, name) for name in (HEADER, *_INCLUDED))
    env.loader = ShimLoader(env.loader, HEADER, _SHIM, share)
    env.globals["specgen_shared_header"] = _shared_header


class _Titled:
    """The page, but titled :data:`_STAND_IN` (in its metadata too, where it sets a title)."""

    def __init__(self, page: Any, meta_title: bool) -> None:
        self._page = page
        self.title = _STAND_IN
        self.meta = {**page.meta, "title": _STAND_IN} if meta_title else page.meta

    def __getattr__(self, name: str) -> Any:
        return getattr(self._page, name)


@jinja2.pass_context
def _shared_header(context: jinja2.runtime.Context) -> Markup:
    env = context.environment
    variables = context.get_all()
    page, nav = variables.get("page"), variables.get("nav")
    meta = getattr(page, "meta", None)
    theme = getattr(variables.get("config"), "theme", None)  # mkdocs' Theme is a mapping
    features = (theme.get("features") if isinstance(theme, Mapping) else getattr(theme, "features", None)) or []
    if not (
        SHARE
        and getattr(wrapping(env, HEADER), "share", False)
        and "navigation.tabs.sticky" not in features  # sticky tabs in the header mark the page's own
        and nav is not None
        and isinstance(getattr(page, "url", None), str)
        and isinstance(meta, dict)
    ):
        return Markup(_render(env, _THEMES, variables))
    meta_title = bool(meta.get("title"))
    shown = meta["title"] if meta_title else page.title
    shared: dict[tuple[str, bool], str] = nav.__dict__.setdefault(_CACHE_ATTRIBUTE, {})
    key = (posixpath.dirname(page.url), meta_title)
    if key not in shared:
        shared[key] = _render(env, _THEMES, {**variables, "page": _Titled(page, meta_title)})
    whole = shared[key]
    if whole.count(_STAND_IN) != 1 or _STAND_IN in str(shown):
        return Markup(_render(env, _THEMES, variables))
    return Markup(whole.replace(_STAND_IN, str(shown), 1))
