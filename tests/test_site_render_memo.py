"""Rendering with the build cache (:func:`specgen.site.render.render_texts` with a memo):
a workflow whose inputs did not change is taken whole from one entry, its
pages' template context never built; only what changed, and the pages that
read the whole site, are rendered again."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest

import specgen.site.render as render_module
from specgen import load_portfolio
from specgen.rules import check_portfolio
from specgen.site.pages import LazyContext
from specgen.site.render import render_texts

SPEC = "specs/credit-decision-assistant.yml"


class CountingMemo:
    """The build cache's reading and writing, in memory, counting look-ups."""

    def __init__(self) -> None:
        self.data: dict[str, Any] = {}
        self.gets = 0

    def get(self, key: str) -> Any | None:
        self.gets += 1
        return self.data.get(key)

    def put(self, key: str, value: Any) -> None:
        self.data[key] = value

    def keep(self, key: str) -> None:
        pass


def _load(tree: Path):
    portfolio = load_portfolio([tree / "specs"], project_file=tree / "specgen.yml")
    assert portfolio.ok, portfolio.diagnostics
    return portfolio, check_portfolio(portfolio)


@pytest.fixture
def rendered(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The paths of the pages rendered (not taken from the memo), in order."""
    paths: list[str] = []
    real = render_module.render_page

    def counting(env, page):
        paths.append(page.path)
        return real(env, page)

    monkeypatch.setattr(render_module, "render_page", counting)
    return paths


def _texts(pages) -> dict[str, str]:
    return {page.path: text.text for page, text in pages}


def test_an_unchanged_workflow_is_one_look_up_and_no_rendering(example_tree: Path, rendered: list[str]) -> None:
    portfolio, report = _load(example_tree)
    memo = CountingMemo()
    first = render_texts(portfolio, report=report, memo=memo)
    assert len(rendered) == len(first)
    rendered.clear()
    memo.gets = 0
    again = render_texts(portfolio, report=report, memo=memo)
    looked_up = memo.gets
    # only the pages that read the whole site (home, glossary) are rendered again
    assert rendered and all(path.count("/") == 0 for path in rendered), rendered
    workflow_pages = [page for page, _ in again if page.workflow is not None]
    assert len(workflow_pages) > 10 * len(portfolio.specs)
    # one look-up per workflow, and one per page of the site as a whole
    assert looked_up == len(portfolio.specs) + sum(1 for page, _ in again if page.workflow is None)
    # a page taken from the memo never built its template context
    assert all(isinstance(page.context, LazyContext) and page.context._data is None for page in workflow_pages)
    assert _texts(again) == _texts(first) == _texts(render_texts(portfolio, report=report))


def test_the_navigation_builds_no_context_of_a_page_taken_from_the_memo(example_tree: Path) -> None:
    """The navigation heads and places each workflow by its title and stage,
    which the planner gives every page; the site's configuration is made
    without building the template context of any page the memo kept."""
    from specgen.site.mkdocs import nav_for
    from specgen.site.sources import prepare_sources

    portfolio, report = _load(example_tree)
    memo = CountingMemo()
    first = prepare_sources(portfolio, report=report, memo=memo)
    again = prepare_sources(portfolio, report=report, memo=memo)
    workflow_pages = [page for page in again.pages if page.workflow is not None]
    assert workflow_pages and all(page.section is not None for page in workflow_pages)
    assert all(isinstance(page.context, LazyContext) and page.context._data is None for page in workflow_pages)
    assert again.config["nav"] == first.config["nav"]
    # a page made without its section (by code of one's own) still finds it, in its context
    bare = [dataclasses.replace(page, section=None) for page in again.pages]
    assert nav_for(bare) == again.config["nav"]


def test_editing_one_spec_renders_only_its_workflow(example_tree: Path, rendered: list[str]) -> None:
    portfolio, report = _load(example_tree)
    memo = CountingMemo()
    render_texts(portfolio, report=report, memo=memo)
    spec = example_tree / SPEC
    spec.write_text(spec.read_text("utf-8").replace("Scores personal-loan", "Scores every personal-loan", 1), "utf-8")
    portfolio, report = _load(example_tree)
    rendered.clear()
    edited = render_texts(portfolio, report=report, memo=memo)
    workflows = {path.split("/")[1] for path in rendered if path.startswith("workflows/")}
    assert workflows == {"credit-decision-assistant"}
    assert _texts(edited) == _texts(render_texts(portfolio, report=report))
    assert any("Scores every personal-loan" in text for text in _texts(edited).values())


@pytest.mark.parametrize("spoilt", [[], ["not", "an", "entry"], None, {"digest": "x"}])
def test_a_workflow_entry_that_does_not_fit_is_not_trusted(
    example_tree: Path, rendered: list[str], spoilt: object
) -> None:
    portfolio, report = _load(example_tree)
    memo = CountingMemo()
    first = render_texts(portfolio, report=report, memo=memo)
    folders = [key for key, value in memo.data.items() if isinstance(value, list)]
    assert len(folders) == len(portfolio.specs)
    for key in folders:
        memo.data[key] = spoilt
    rendered.clear()
    again = render_texts(portfolio, report=report, memo=memo)
    assert set(rendered) >= {page.path for page, _ in first if page.workflow is not None}, "rendered again"
    assert _texts(again) == _texts(first)


def test_other_page_definitions_through_the_same_cache_get_their_own_pages(
    example_tree: Path, rendered: list[str]
) -> None:
    """A workflow's pages are kept under one key for all of them: which of
    specgen's page definitions a build uses is part of it, so a build with
    other definitions (the same number of them) is never handed the pages of
    the first."""
    from specgen.site.pages import WORKFLOW_PAGES

    portfolio, report = _load(example_tree)
    memo = CountingMemo()

    def without(slug: str) -> list:  # as many pages as without any other one-page definition
        return [page for page in WORKFLOW_PAGES if page.slug != slug]

    for chosen in (without("decisions"), without("controls"), without("exit"), without("history")):
        cached = render_texts(portfolio, report=report, memo=memo, workflow_pages=chosen)
        assert _texts(cached) == _texts(render_texts(portfolio, report=report, workflow_pages=chosen))
    rendered.clear()
    again = render_texts(portfolio, report=report, memo=memo, workflow_pages=without("controls"))
    assert not [path for path in rendered if path.startswith("workflows/")], "taken from the cache"
    assert _texts(again) == _texts(render_texts(portfolio, report=report, workflow_pages=without("controls")))


def test_a_kept_workflows_pages_never_work_out_their_own_keys(
    example_tree: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One key per workflow, not one per page: the pages taken from the cache
    with their workflow's never digest their own (12,000 digests at 1,000 specs)."""
    from specgen.site.pages import Page

    portfolio, report = _load(example_tree)
    memo = CountingMemo()
    render_texts(portfolio, report=report, memo=memo)
    asked: list[str] = []
    real = Page.key

    def counting(page: Page) -> str | None:
        asked.append(page.path)
        return real.fget(page)  # type: ignore[attr-defined]

    monkeypatch.setattr(Page, "key", property(counting))
    again = render_texts(portfolio, report=report, memo=memo)
    assert [page for page, _ in again if page.workflow is not None]
    assert all(path.count("/") == 0 for path in asked), asked  # only the pages of the site as a whole
