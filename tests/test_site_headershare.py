"""The header rendered once per folder (:mod:`specgen.site.headershare`).

Sharing must not change a byte: the site tests build with and without it and
compare every file; the unit tests render material's own header both ways
for pages with and without a title of their own in the metadata.
"""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import jinja2
import pytest

from specgen.site import headershare
from tests.site_support import built_both_ways

DECISIONS = "workflows/credit-decision-assistant/decisions.html"


def _counting(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    counts = {"full": 0}
    render = headershare._render

    def counted(env, name, variables):
        if name == headershare._THEMES:
            counts["full"] += 1
        return render(env, name, variables)

    monkeypatch.setattr(headershare, "_render", counted)
    return counts


def _both_ways(run, tree: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path, int]:
    """The site built with sharing and without; how many headers the shared build rendered."""
    counts = _counting(monkeypatch)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    rendered: list[int] = []

    def switch_off() -> None:
        rendered.append(counts["full"])
        monkeypatch.setattr(headershare, "SHARE", False)

    shared, full = built_both_ways(run, tree, switch_off)
    return shared, full, rendered[0]


def _override_partial(tree: Path, name: str, text: str) -> None:
    """A user's override of the theme's ``partials/<name>``."""
    override = tree / "templates" / "site" / "theme" / "partials" / name
    override.parent.mkdir(parents=True, exist_ok=True)
    override.write_text(text, encoding="utf-8")


@pytest.mark.slow
def test_every_page_is_the_same_with_and_without_sharing(run, example_tree: Path, monkeypatch) -> None:
    shared, full, rendered = _both_ways(run, example_tree, monkeypatch)
    pages = len(list(full.rglob("*.html")))
    assert rendered < pages / 2  # sharing did happen
    html = (shared / DECISIONS).read_text(encoding="utf-8")
    assert "Decision boundaries" in html.split('data-md-component="header-topic"', 1)[1][:200]


@pytest.mark.slow
def test_a_users_logo_partial_turns_sharing_off(run, example_tree: Path, monkeypatch) -> None:
    """An override of a partial the header includes may show anything of the page."""
    _override_partial(example_tree, "logo.html", '<span class="custom">{{ page.url }}</span>\n')
    shared, full, rendered = _both_ways(run, example_tree, monkeypatch)
    assert f'<span class="custom">{DECISIONS}</span>' in (shared / DECISIONS).read_text(encoding="utf-8")
    assert rendered >= len(list(full.rglob("*.html"))) - 1  # every page but 404.html rendered its own


HEADER = (
    '<a href="{{ "index.html" | url }}">{{ config.site_name }}</a>\n'
    "<span>{% if page.meta and page.meta.title %}{{ page.meta.title }}{% else %}{{ page.title }}{% endif %}</span>\n"
)


def _env(share: bool) -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.DictLoader({headershare.HEADER: HEADER, "main.html": HEADER}))
    env.filters["url"] = jinja2.pass_context(lambda context, value: f"{context['page'].url.count('/') * '../'}{value}")
    if share:
        env.loader = headershare.ShimLoader(env.loader, headershare.HEADER, headershare._SHIM, share=True)
        env.globals["specgen_shared_header"] = headershare._shared_header
    return env


PAGES = [
    SimpleNamespace(url="a/one.html", title="One", meta={}),
    SimpleNamespace(url="a/two.html", title="<b>Two & more</b>", meta={"search": {"exclude": True}}),
    SimpleNamespace(url="a/three.html", title="Three", meta={"title": "Meta title"}),
    SimpleNamespace(url="a/four.html", title="Four", meta={"title": "Other meta"}),
    SimpleNamespace(url="b/c/five.html", title="Five", meta={}),
    SimpleNamespace(url="six.html", title=None, meta={}),
    SimpleNamespace(url="a/seven.html", title="\x00specgen-page-title\x00", meta={}),
]


def test_material_like_header_is_the_same_shared_or_not() -> None:
    nav = SimpleNamespace()
    config = SimpleNamespace(site_name="Site", theme={"features": []})
    shared, full = _env(True), _env(False)
    for page in PAGES:
        variables = {"page": page, "nav": nav, "config": config}
        ours = shared.get_template(headershare.HEADER).render(variables)
        theirs = full.get_template("main.html").render(variables)
        assert ours == theirs, page.url
    assert set(nav.__dict__[headershare._CACHE_ATTRIBUTE]) == {("a", False), ("a", True), ("b/c", False), ("", False)}


@pytest.mark.parametrize("mkdocs_theme", [False, True])
def test_sticky_tabs_turn_sharing_off(mkdocs_theme: bool) -> None:
    from mkdocs.theme import Theme

    nav = SimpleNamespace()
    features = ["navigation.tabs", "navigation.tabs.sticky"]
    theme = Theme(name="material", features=features) if mkdocs_theme else {"features": features}
    config = SimpleNamespace(site_name="Site", theme=theme)
    shared = _env(True)
    for page in PAGES[:2]:
        assert "One" in shared.get_template(headershare.HEADER).render({"page": PAGES[0], "nav": nav, "config": config})
        shared.get_template(headershare.HEADER).render({"page": page, "nav": nav, "config": config})
    assert headershare._CACHE_ATTRIBUTE not in nav.__dict__


@pytest.mark.slow
def test_a_users_header_is_rendered_for_every_page(run, example_tree: Path, monkeypatch) -> None:
    """The navigation is still shared then (each module asks its own loader whether to share)."""
    _override_partial(
        example_tree, "header.html", '<header class="custom">{{ page.title | e }} at {{ page.url }}</header>\n'
    )
    shared, full, rendered = _both_ways(run, example_tree, monkeypatch)
    html = (shared / DECISIONS).read_text(encoding="utf-8")
    assert f'<header class="custom">Decision boundaries at {DECISIONS}</header>' in html
    assert rendered >= len(list(full.rglob("*.html"))) - 1
