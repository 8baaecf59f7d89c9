"""The preview's first build starts from the last ``specgen build``.

The preview builds into a folder of its own, which has no previous site the
first time. With a build cache that recorded the last ``specgen build``
(:func:`specgen.site.delta.latest_site`), it links that site's unchanged
pages in instead of building all of them, and the result is still a clean
build's, byte for byte. The published site is never written through: its
bytes and inodes are what they were, through the preview's edits too.
"""

from __future__ import annotations

import os
import random
import shutil
from pathlib import Path

import pytest

from specgen.site.cache import CACHE_DIR, open_cache
from specgen.site.delta import latest_site
from tests.test_site_incremental import SEED, Tree, _digest, _rebuilt
from tests.test_site_serve_warm import _preview


@pytest.fixture
def tree(example_tree: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    monkeypatch.chdir(example_tree)  # the pages show the specs' paths as given: the CLI's and the preview's alike
    return example_tree


def _inodes(folder: Path) -> dict[str, int]:
    return {p.relative_to(folder).as_posix(): p.stat().st_ino for p in folder.rglob("*") if p.is_file()}


def _clean(run, tree: Path) -> dict[str, str]:
    shutil.rmtree(tree / "clean", ignore_errors=True)
    result = run("build", "specs", "-o", "clean", "--no-cache", cwd=tree)
    assert result.exit_code == 0, result.output
    return _digest(tree / "clean")


def _published(run, tree: Path) -> Path:
    result = run("build", "specs", "-o", "site", cwd=tree)
    assert result.exit_code == 0, result.output
    return tree / "site"


def test_the_first_build_links_the_published_sites_pages_and_never_writes_through_them(run, tree: Path) -> None:
    site = _published(run, tree)
    before, inodes = _digest(site), _inodes(site)
    preview = _preview(tree, [])
    try:
        first = preview.build()
        assert first.ok and first.result is not None
        assert first.result.kept_pages == first.result.pages  # nothing changed since: every page kept
        shown = _inodes(preview.site_dir)
        shared = [name for name, inode in shown.items() if inodes.get(name) == inode]
        assert len(shared) >= first.result.pages - 1, (len(shared), first.result.pages)  # linked, not rebuilt
        assert _digest(preview.site_dir) == _clean(run, tree)

        Tree(tree, random.Random(SEED)).text()
        edited = preview.build()
        assert edited.ok and edited.result is not None
        assert 0 < edited.result.kept_pages < edited.result.pages
        assert _digest(preview.site_dir) == _clean(run, tree)
    finally:
        preview.shutdown()
    assert _digest(site) == before and _inodes(site) == inodes  # the published site, as it was


def test_pages_changed_since_the_published_build_are_rebuilt(run, tree: Path) -> None:
    _published(run, tree)
    described = Tree(tree, random.Random(SEED + 7)).text()
    preview = _preview(tree, [])
    try:
        first = preview.build()
        assert first.ok and first.result is not None
        assert 0 < first.result.kept_pages < first.result.pages, described
        assert _digest(preview.site_dir) == _clean(run, tree), described
    finally:
        preview.shutdown()


def test_a_published_site_changed_by_hand_is_not_started_from(run, tree: Path) -> None:
    site = _published(run, tree)
    page = site / "index.html"
    with page.open("a", encoding="utf-8") as edited:
        edited.write("<!-- changed by hand -->")
    preview = _preview(tree, [])
    try:
        first = preview.build()
        assert first.ok and first.result is not None
        assert first.result.kept_pages == 0
        assert _digest(preview.site_dir) == _clean(run, tree)
    finally:
        preview.shutdown()
    assert page.read_text(encoding="utf-8").endswith("<!-- changed by hand -->")


def test_a_published_site_since_removed_starts_nothing(run, tree: Path) -> None:
    shutil.rmtree(_published(run, tree))
    preview = _preview(tree, [])
    try:
        first = preview.build()
        assert first.ok and first.result is not None and first.result.kept_pages == 0
        assert _digest(preview.site_dir) == _clean(run, tree)
    finally:
        preview.shutdown()


def test_a_preview_leaves_the_published_sites_record_for_the_next_build(run, tree: Path) -> None:
    site = _published(run, tree)
    preview = _preview(tree, [])
    try:
        assert preview.build().ok
        Tree(tree, random.Random(SEED + 3)).text()
        assert preview.build().ok
    finally:
        preview.shutdown()
    again = run("build", "specs", "-o", "site", cwd=tree)  # the preview's edit, seen by the next build
    assert again.exit_code == 0, again.output
    rebuilt, pages = _rebuilt(again.output)
    assert 0 < rebuilt < pages, again.output
    assert _digest(site) == _clean(run, tree)


def test_only_a_published_build_is_the_latest_site(run, tree: Path) -> None:
    site = _published(run, tree)
    preview = _preview(tree, [])
    try:
        assert preview.build().ok
    finally:
        preview.shutdown()
    cache = open_cache(tree / CACHE_DIR)
    try:
        assert latest_site(cache) == site.resolve()  # not the preview's folder
    finally:
        cache.close()


def test_a_cache_naming_a_relative_latest_site_names_none(tree: Path) -> None:
    from specgen.site import delta

    cache = open_cache(tree / CACHE_DIR)
    try:
        cache.put(delta._LATEST, os.path.join("..", "site"))
        assert latest_site(cache) is None
    finally:
        cache.close()


def test_a_published_site_removed_while_the_preview_links_it_gives_a_full_build(
    run, tree: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from specgen.site import delta

    _published(run, tree)
    carried: list[Path] = []

    def vanished(plan, site, linked=()):  # the published site replaced by the next `specgen build` meanwhile
        carried.append(plan.output)
        raise FileNotFoundError(2, "No such file or directory", str(plan.output / "index.html"))

    monkeypatch.setattr(delta, "carry", vanished)
    preview = _preview(tree, [])
    try:
        first = preview.build()
        assert first.ok, first.lines()
        assert first.result is not None and first.result.kept_pages == 0
        assert carried == [(tree / "site").resolve()]
        assert _digest(preview.site_dir) == _clean(run, tree)
    finally:
        preview.shutdown()


STEPS = 14


@pytest.mark.slow
def test_previews_started_from_published_sites_equal_clean_builds_over_random_edits(run, tree: Path) -> None:
    """A seeded random sequence of edits; after each, either the published site is
    rebuilt and a new preview starts from it, or the running preview rebuilds; the
    preview's site equals a clean build every time, and the published site is
    never changed by a preview."""
    rng = random.Random(SEED + 11)
    edits = Tree(tree, rng)
    kinds = ["text"] * 5 + ["title", "add", "remove", "rename", "template", "project"]
    site = _published(run, tree)
    published = _digest(site), _inodes(site)
    preview = _preview(tree, [])
    done: list[str] = []
    seeded: list[tuple[int, int]] = []
    try:
        assert preview.build().ok
        for step in range(STEPS):
            done.append(getattr(edits, rng.choice(kinds))())
            if rng.random() < 0.5:  # publish, then a new preview starts from it
                preview.shutdown()
                published = _digest(_published(run, tree)), _inodes(site)
                preview = _preview(tree, [])
                first = preview.build()
                assert first.ok and first.result is not None, (done, first.lines())
                seeded.append((first.result.kept_pages, first.result.pages))
            else:
                assert preview.build().ok, done
            assert _digest(preview.site_dir) == _clean(run, tree), (step, done)
            assert (_digest(site), _inodes(site)) == published, (step, done)
    finally:
        preview.shutdown()
    # every new preview started from the published site, all of it
    assert len(seeded) >= 3 and all(kept == pages for kept, pages in seeded), seeded
    assert len(set(done)) > 6, done
