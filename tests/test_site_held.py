"""The preview holds mkdocs' structure of the site (files, pages, navigation)
from one build that kept pages to the next (:mod:`specgen.site.held`), and
the site is still, byte for byte, a clean build's: after an edit, after a
failed build, on another day."""

from __future__ import annotations

from pathlib import Path

import pytest

from specgen.site import engine as site_engine
from specgen.site.held import HeldBuild, Structure
from tests.test_site_serve_warm import (
    _edit_summary,
    _same_as_clean,
    built_preview,  # noqa: F401 (a fixture, used below)
)


@pytest.fixture
def structures(monkeypatch: pytest.MonkeyPatch) -> list[Structure | None]:
    """What each build found held for it."""
    found: list[Structure | None] = []
    real = HeldBuild.take

    def take(self: HeldBuild, key: str) -> Structure | None:
        structure = real(self, key)
        found.append(structure)
        return structure

    monkeypatch.setattr(HeldBuild, "take", take)
    return found


@pytest.fixture
def preview(built_preview):  # noqa: F811 (the fixture imported above)
    """A preview of the example specs whose one build so far was a full one: nothing held."""
    return built_preview


@pytest.mark.parametrize("reuse_converter", [True, False], ids=["specgen's converter", "mkdocs' own render"])
def test_edits_after_the_first_that_kept_pages_take_the_held_structure(
    run,
    example_tree: Path,
    preview,
    structures: list[Structure | None],
    monkeypatch: pytest.MonkeyPatch,
    reuse_converter: bool,
) -> None:
    """The same workflow edited again and again: its pages, built by the
    last build, are built again with this build's converter and cache."""
    from specgen.site import mdreuse

    monkeypatch.setattr(mdreuse, "REUSE", reuse_converter)
    for round_, text in enumerate(["Scores every personal-loan", "Scores each personal-loan", "Scores all"]):
        _edit_summary(example_tree, text) if round_ == 0 else _replace(example_tree, text)
        built = preview.build()
        assert built.ok and built.result is not None and built.result.kept_pages > 0
        _same_as_clean(run, example_tree, preview.site_dir)
    assert [s is not None for s in structures] == [False, True, True], (
        "the first build keeping pages makes the structure; the next ones take it"
    )


def test_a_failed_build_leaves_nothing_held(
    run, example_tree: Path, preview, structures: list[Structure | None], monkeypatch: pytest.MonkeyPatch
) -> None:
    _edit_summary(example_tree, "Scores every personal-loan")
    assert preview.build().ok
    real = site_engine.write_search_index

    def fail(*args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(site_engine, "write_search_index", fail)
    _replace(example_tree, "Scores each personal-loan")
    failed = preview.build()
    assert not failed.ok and "No space left on device" in (failed.error or "")
    monkeypatch.setattr(site_engine, "write_search_index", real)
    _replace(example_tree, "Scores all")
    again = preview.build()
    assert again.ok and again.result is not None and again.result.kept_pages > 0
    assert [s is not None for s in structures] == [False, True, False], (
        "the failed build took the structure and gave nothing back"
    )
    _same_as_clean(run, example_tree, preview.site_dir)


def test_a_preview_running_past_midnight_dates_its_pages_anew(
    example_tree: Path, preview, structures: list[Structure | None], monkeypatch: pytest.MonkeyPatch
) -> None:
    """mkdocs dates a page when it makes it (the sitemap and a theme may show
    it); without ``SOURCE_DATE_EPOCH`` the date is the system's, which is not
    part of the site key: a held page is dated again."""
    import mkdocs.structure.pages
    import mkdocs.utils

    def dated(day: str) -> None:
        for module in (mkdocs.utils, mkdocs.structure.pages):
            monkeypatch.setattr(module, "get_build_date", lambda: day)

    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    dated("2031-02-02")
    assert preview.build().ok  # another site key: built in full
    _edit_summary(example_tree, "Scores every personal-loan")
    assert preview.build().ok  # kept pages: its structure is held
    dated("2031-02-03")  # midnight
    _replace(example_tree, "Scores all")
    again = preview.build()
    assert again.ok and again.result is not None and again.result.kept_pages > 0
    held = structures[-1]
    assert held is not None
    assert {file.page.update_date for file in held.doc_files} == {"2031-02-03"}


def test_a_structure_is_taken_once_and_only_under_its_key() -> None:
    held = HeldBuild()
    held.hold(Structure("key", files=[], nav=None, doc_files=[], records={}))
    assert held.take("other") is None
    assert not held, "taken under another key: let go"
    structure = Structure("key", files=[], nav=None, doc_files=[], records={})
    held.hold(structure)
    assert held.take("key") is structure
    assert held.take("key") is None


def _replace(tree: Path, new: str) -> None:
    spec = tree / "specs" / "credit-decision-assistant.yml"
    text = spec.read_text(encoding="utf-8")
    start = text.index("Scores ")
    spec.write_text(text[:start] + new + text[text.index(" personal-loan", start) + len(" personal-loan") :], "utf-8")


def test_refreshing_restores_only_the_pages_whose_record_is_not_the_one_they_hold(tmp_path: Path) -> None:
    from types import SimpleNamespace

    from specgen.site.held import refresh
    from specgen.site.pagerecord import PageRecord

    def record(title: str) -> PageRecord:
        return PageRecord(title=title, meta={}, anchors=["a"], links=None, search_chunk=b"")

    held_a, held_b = record("A"), record("B")

    def page(title: str) -> SimpleNamespace:
        made = SimpleNamespace(_title_from_render=title, meta={}, present_anchor_ids={"a"}, update_date="then")
        made.render = lambda config, files: None  # the last build's converter or cache plugin, bound to it
        return made

    files = [
        SimpleNamespace(src_uri=name, dest_dir="/old", page=page(title), abs_dest_path=f"/old/{name}")
        for name, title in (("a.md", "A"), ("b.md", "B"))
    ]
    for file in files:
        file.__dict__["abs_dest_path"] = f"/old/{file.src_uri}"
    built = SimpleNamespace(src_uri="c.md", dest_dir="/old", page=page("C"))
    built.page.content = "<p>the last build's HTML</p>"
    files.append(built)
    structure = Structure("key", files, None, files, {"a.md": held_a, "b.md": held_b})
    texts = {"a.md": "text of a", "b.md": "text of b", "c.md": "text of c"}
    refresh(structure, {"site_dir": str(tmp_path)}, texts, {"a.md": held_a, "b.md": record("B, retitled")})
    assert built.page.content is None, "to be built: no HTML yet"
    files.pop()
    a, b = files
    assert a.page._title_from_render == "A" and b.page._title_from_render == "B, retitled"
    assert b.page.markdown == "" and not hasattr(a.page, "markdown"), "the page holding its record is untouched"
    assert [f.dest_dir for f in files] == [str(tmp_path)] * 2
    assert all("abs_dest_path" not in f.__dict__ for f in files), "worked out again for the new folder"
    assert [f._content for f in files] == ["text of a", "text of b"]
    assert not [f for f in files if "render" in f.page.__dict__], "this build's converter and plugin wrap mkdocs' own"
    assert {f.page.update_date for f in files} != {"then"}


def test_pages_built_in_worker_processes_leave_the_held_structure_as_their_records(
    run, example_tree: Path, structures: list[Structure | None], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A program with one thread may build a held site's pages in worker
    processes (the preview, which runs threads, never does): the parent's
    page objects then take what the workers' records say."""
    import os

    from specgen import load_portfolio, parallel
    from specgen.rules import check_portfolio
    from specgen.site.build import build_site
    from specgen.site.cache import CACHE_DIR

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    monkeypatch.chdir(example_tree)
    monkeypatch.setattr(parallel, "MIN_ITEMS", 1)  # a handful of pages go to workers too
    monkeypatch.setattr(parallel, "CHUNK", 2)
    forks: list[int] = []
    real_fork = os.fork

    def fork() -> int:
        pid = real_fork()
        if pid:
            forks.append(pid)
        return pid

    monkeypatch.setattr(os, "fork", fork)
    held, site = HeldBuild(), example_tree / "site"

    def build() -> None:
        portfolio = load_portfolio([Path("specs")], project_file=Path("specgen.yml"))
        report = check_portfolio(portfolio)
        build_site(portfolio, site, report=report, cache=example_tree / CACHE_DIR, held=held, jobs=2)

    build()
    for text in ("Scores every personal-loan", "Scores all"):
        _edit_summary(example_tree, text) if text.endswith("loan") else _replace(example_tree, text)
        forks.clear()
        build()
        assert forks, "pages were built in worker processes"
        _same_as_clean(run, example_tree, site)
    assert [s is not None for s in structures] == [False, True]
