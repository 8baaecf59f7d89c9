"""The navigation rendered once for the pages that share it (:mod:`specgen.site.navshare`).

Sharing must not change a byte: each test builds the site with and without
it and compares every file. (``test_site_engine`` also compares the shared
build with what ``mkdocs build`` makes of the kept project.)
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from specgen.site import navshare
from tests.site_support import file_digests

pytestmark = pytest.mark.slow

RUNBOOK_PAGE = "workflows/credit-decision-assistant/runbooks/quality-regression.html"
DECISIONS = "workflows/credit-decision-assistant/decisions.html"


def _both_ways(run, tree: Path, monkeypatch: pytest.MonkeyPatch, counts: dict[str, int]) -> tuple[Path, Path]:
    """The site built with sharing (``counts["shared"]``: sidebars rendered in full) and without."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    assert run("build", "specs", "-o", "shared", "--no-cache", cwd=tree).exit_code == 0
    counts["shared"] = counts["full"]
    monkeypatch.setattr(navshare, "SHARE", False)
    assert run("build", "specs", "-o", "full", "--no-cache", cwd=tree).exit_code == 0
    return tree / "shared", tree / "full"


def _differing(a: Path, b: Path) -> list[str]:
    ours, theirs = file_digests(a), file_digests(b)
    assert ours.keys() == theirs.keys()
    return [name for name in ours if ours[name] != theirs[name]]


def _counting(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    counts = {"full": 0}
    render = navshare._render

    def counted(env, name, variables):
        counts["full"] += 1
        return render(env, name, variables)

    monkeypatch.setattr(navshare, "_render", counted)
    return counts


def test_every_page_is_the_same_with_and_without_sharing(run, example_tree: Path, monkeypatch) -> None:
    counts = _counting(monkeypatch)
    shared, full = _both_ways(run, example_tree, monkeypatch, counts)
    assert _differing(shared, full) == []
    pages = len(list(full.rglob("*.html")))
    assert counts["shared"] < pages / 2  # sharing did happen
    # each page's own entry is the active one, in the shared build too
    for name in (DECISIONS, RUNBOOK_PAGE):
        html = (shared / name).read_text(encoding="utf-8")
        own = name.rpartition("/")[2]
        assert re.search(rf'<a href="{re.escape(own)}" class="md-nav__link md-nav__link--active">', html), name
        assert html.count("md-nav__link--active") == (full / name).read_text(encoding="utf-8").count(
            "md-nav__link--active"
        )


def test_all_runbooks_on_one_page_too(run, example_tree: Path, monkeypatch) -> None:
    project = example_tree / "specgen.yml"
    text = project.read_text(encoding="utf-8")
    assert "\nsite:\n" in text
    project.write_text(text.replace("\nsite:\n", "\nsite:\n  one_runbooks_page: true\n", 1), encoding="utf-8")
    shared, full = _both_ways(run, example_tree, monkeypatch, _counting(monkeypatch))
    assert (full / "workflows" / "credit-decision-assistant" / "runbooks.html").is_file()
    assert _differing(shared, full) == []


def test_a_users_navigation_template_is_rendered_for_every_page(run, example_tree: Path, monkeypatch) -> None:
    """An override may show anything of the page: nothing is shared then."""
    override = example_tree / "templates" / "site" / "theme" / "partials" / "nav.html"
    override.parent.mkdir(parents=True)
    override.write_text(
        '<p class="custom">{{ page.title | e }} at {{ page.url }}</p>\n'
        '{% import "partials/nav-item.html" as item with context %}\n'
        '<ul>{% for nav_item in nav.items %}{{ item.render(nav_item, "__nav_" ~ loop.index, 1) }}{% endfor %}</ul>\n',
        encoding="utf-8",
    )
    counts = _counting(monkeypatch)
    shared, full = _both_ways(run, example_tree, monkeypatch, counts)
    assert _differing(shared, full) == []
    html = (shared / DECISIONS).read_text(encoding="utf-8")
    assert f'<p class="custom">Decision boundaries at {DECISIONS}</p>' in html
    assert counts["shared"] >= len(list(full.rglob("*.html"))) - 1  # every page but 404.html rendered its own
