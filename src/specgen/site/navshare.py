"""The theme's navigation, rendered once for the pages that share it.

mkdocs-material renders the whole navigation sidebar into every page
(``partials/nav.html``): about a fifth of building the site. Pages under the
same navigation section and in the same folder (a workflow's decisions,
controls, acceptance… pages; its runbooks) get the same sidebar but for one
entry: their own, which is marked active and holds the page's table of
contents. So the sidebar is rendered once per such group with no entry
active, and each page's copy is that with its own entry — rendered by the
theme's own ``render`` macro (``partials/nav-item.html``), once as an
inactive entry and once as the active one — put in the place of the
inactive one.

Nothing of the theme is copied: the theme environment's ``partials/nav.html``
becomes a call of :func:`_shared_nav`, which renders the theme's own file
(or a user's override of it) under another name. Only material's own
``nav.html`` and ``nav-item.html`` are shared this way: with a user's
override of either, every page's sidebar is rendered in full. A page for which the
inactive entry is not found exactly once in the shared sidebar, an index page
(whose entry is its section's), a page outside a section or a page with no
navigation gets the sidebar rendered in full, as before. Tests build sites
with and without this and compare every file.
"""

from __future__ import annotations

import posixpath
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

__all__ = ["NAV", "SHARE", "ShimLoader", "install", "render_include", "wrapping"]

NAV = "partials/nav.html"
_THEMES = "specgen-theme/" + NAV
"""The name the theme's own navigation template is found under."""
_ITEM = "partials/nav-item.html"
_SHIM = "{{ specgen_shared_nav() }}"
_CACHE_ATTRIBUTE = "_specgen_shared_navigation"
SHARE = True
"""False: every page's sidebar rendered in full (what the tests compare with)."""


class ShimLoader(jinja2.BaseLoader):
    """The theme's loader, but ``template`` is ``shim`` (a call that renders
    it shared) and the real one is found under ``specgen-theme/<template>``.
    Each sharing module (this one, :mod:`specgen.site.headershare`) wraps the
    loader before it in one of these."""

    def __init__(self, inner: jinja2.BaseLoader, template: str, shim: str, share: bool) -> None:
        self.inner = inner
        self.template = template
        self.hidden = "specgen-theme/" + template
        self.shim = shim
        self.share = share
        """Whether the template and what it includes are the theme's own (not a user's override)."""

    def get_source(self, environment: jinja2.Environment, template: str) -> tuple[str, str | None, Any]:
        if template == self.template:
            return self.shim, None, lambda: True
        if template == self.hidden:
            return self.inner.get_source(environment, self.template)
        return self.inner.get_source(environment, template)

    def list_templates(self) -> list[str]:
        return self.inner.list_templates()


def wrapping(env: jinja2.Environment, template: str) -> ShimLoader | None:
    """The :class:`ShimLoader` for ``template`` in the chain of ``env``'s loaders, or None."""
    loader = env.loader
    while loader is not None:
        if isinstance(loader, ShimLoader) and loader.template == template:
            return loader
        loader = getattr(loader, "inner", None)
    return None


def install(env: jinja2.Environment) -> None:
    """Make ``env`` (the theme's) render shared navigation; idempotent."""
    if env.loader is None or wrapping(env, NAV) is not None:
        return
    share = all(_themes_own(env, env.loader, name) for name in (NAV, _ITEM))
    env.loader = ShimLoader(env.loader, NAV, _SHIM, share)
    env.globals["specgen_shared_nav"] = _shared_nav


def _themes_own(env: jinja2.Environment, loader: jinja2.BaseLoader, name: str) -> bool:
    """Whether ``name`` is mkdocs-material's own file: a user's override of
    it may show anything of the page, which one rendering cannot share."""
    import material

    try:
        _, filename, _ = loader.get_source(env, name)
    except jinja2.TemplateNotFound:
        return False
    own = Path(material.__file__).resolve().parent / "templates"
    return filename is not None and Path(filename).resolve().is_relative_to(own)


class _Elsewhere:
    """Stands for the page while the shared sidebar is rendered: the same
    address (links are made relative to it), but no entry of the
    navigation is it."""

    def __init__(self, url: str) -> None:
        self.url = url


def render_include(env: jinja2.Environment, name: str, variables: dict[str, Any]) -> str:
    """``name`` rendered as ``{% include %}`` would, with ``variables`` as its context."""
    template = env.get_template(name)
    return "".join(template.root_render_func(template.new_context(variables, shared=True)))


_render = render_include
"""What renders a sidebar in full here (tests count its calls)."""


def _position(page: Any, nav: Any) -> tuple[str, int] | None:
    """The ``path`` and ``level`` material's navigation gives ``page``'s entry."""
    indexes = []
    node = page
    while node.parent is not None:
        indexes.append(node.parent.children.index(node) + 1)
        node = node.parent
    try:
        indexes.append(nav.items.index(node) + 1)
    except ValueError:
        return None
    indexes.reverse()
    return "__nav_" + "_".join(map(str, indexes)), len(indexes)


@jinja2.pass_context
def _shared_nav(context: jinja2.runtime.Context) -> Markup:
    env = context.environment
    variables = context.get_all()
    page, nav = variables.get("page"), variables.get("nav")
    shareable = (
        SHARE
        and getattr(wrapping(env, NAV), "share", False)
        and page is not None
        and nav is not None
        and getattr(page, "parent", None) is not None
        and getattr(page, "active", False)
        and not page.is_index
        and not getattr(page.parent, "is_page", True)
    )
    position = _position(page, nav) if shareable else None
    if position is None:
        return Markup(_render(env, _THEMES, variables))
    path, level = position
    shared: dict[tuple[str, int], str] = nav.__dict__.setdefault(_CACHE_ATTRIBUTE, {})
    key = (posixpath.dirname(page.url), id(page.parent))
    elsewhere = {**variables, "page": _Elsewhere(page.url)}
    page.active = False  # the page's entry inactive, its sections still open
    page.parent.active = True
    try:
        if key not in shared:
            shared[key] = _render(env, _THEMES, elsewhere)
        inactive = str(env.get_template(_ITEM).make_module(elsewhere).render(page, path, level, page.parent))
    finally:
        page.active = True
    active = str(env.get_template(_ITEM).make_module(variables).render(page, path, level, page.parent))
    whole = shared[key]
    if whole.count(inactive) != 1:
        return Markup(_render(env, _THEMES, variables))
    return Markup(whole.replace(inactive, active, 1))
