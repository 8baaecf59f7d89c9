"""The live preview keeps what it restored from the build cache between
builds (:mod:`specgen.site.warm`) and still never changes a byte: after every
edit of a seeded random sequence, the preview's site equals a clean build.

Also: the objects kept are the ones reused (an unchanged spec is the same
object in the next build, an edited one is not), and only what the last
build used is kept.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from specgen import load_portfolio
from specgen.rules import check_portfolio
from specgen.site.cache import CACHE_DIR, open_cache
from specgen.site.serve import Preview
from specgen.site.warm import Warm
from tests.test_site_incremental import SEED, Tree, _digest

EDITS = 24


def _preview(tree: Path, loaded: list) -> Preview:
    """A preview loading as ``specgen serve`` run in ``tree`` does (the specs and
    their readiness report, through the cache; the working folder must be ``tree``:
    the pages show the specs' paths as given)."""
    specs, project_file = Path("specs"), Path("specgen.yml")

    def load(memo=None):
        portfolio = load_portfolio([specs], project_file=project_file, memo=memo)
        report = check_portfolio(portfolio, memo=memo) if portfolio.ok else None
        loaded.append((portfolio, report))
        return portfolio, report

    return Preview(load, watch=[specs, project_file], port=0, cache=tree / CACHE_DIR)


@pytest.mark.slow
def test_preview_builds_equal_clean_builds_over_random_edits(
    run, example_tree: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    monkeypatch.chdir(example_tree)
    rng = random.Random(SEED + 1)
    tree = Tree(example_tree, rng)
    preview = _preview(example_tree, [])
    try:
        assert preview.build().ok
        kinds = ["text"] * 5 + ["title"] * 2 + ["add", "remove", "rename", "template", "project", "invalid"]
        done: list[str] = []
        kept: list[int] = []
        for step in range(EDITS):
            kind = rng.choice(kinds)
            if kind == "invalid":
                before = _digest(preview.site_dir)
                undo = tree.invalid()
                failed = preview.build()
                assert not failed.ok and failed.last_good and failed.diagnostics
                assert _digest(preview.site_dir) == before  # the last good site, untouched
                undo()
                done.append("invalid edit, undone")
            else:
                done.append(getattr(tree, kind)())
            built = preview.build()
            assert built.ok, (done, built.lines())
            kept.append(built.result.kept_pages if built.result is not None else 0)
            clean = run("build", "specs", "-o", "clean", "--no-cache", cwd=example_tree)
            assert clean.exit_code == 0, (done, clean.output)
            assert _digest(preview.site_dir) == _digest(example_tree / "clean"), (step, done)
        assert sum(n > 0 for n in kept) >= EDITS // 4, kept  # many builds kept pages: the warm path ran
    finally:
        preview.shutdown()
    assert len(set(done)) > 8, done
    assert any(d.startswith("text") for d in done) and any(d.startswith("title") for d in done)


def _by_id(portfolio, report) -> tuple[dict, dict]:
    return {ls.spec.id: ls.spec for ls in portfolio.specs}, {r.spec_id: r for r in report.specs}


def test_the_preview_reuses_unchanged_specs_and_not_edited_ones(
    example_tree: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(example_tree)
    loaded: list = []
    preview = _preview(example_tree, loaded)
    try:
        assert all(preview.build().ok for _ in range(3))  # the first stores the specs, the second restores them
        (first, first_reports), (second, second_reports) = (_by_id(*found) for found in loaded[-2:])
        assert first.keys() == second.keys() and len(first) > 1
        assert all(second[i] is first[i] for i in first)  # kept, not validated again
        assert all(second_reports[i] is first_reports[i] for i in first)  # nor checked again
        spec = example_tree / "specs" / "credit-decision-assistant.yml"
        spec.write_text(spec.read_text(encoding="utf-8").replace("Scores personal-loan", "Scores every loan"), "utf-8")
        assert preview.build().ok
        third, third_reports = _by_id(*loaded[-1])
        edited = "credit-decision-assistant"
        assert third[edited] is not second[edited] and third_reports[edited] is not second_reports[edited]
        assert third[edited].summary.startswith("Scores every loan")
        assert all(third[i] is second[i] and third_reports[i] is second_reports[i] for i in second if i != edited)
    finally:
        preview.shutdown()


def test_the_cache_hands_back_kept_objects_and_keeps_only_what_a_build_used(tmp_path: Path) -> None:
    warm = Warm()
    made: list[str] = []

    def restore(value):
        made.append(value)
        return {"restored": value}

    first = open_cache(tmp_path / "cache", warm=warm)
    first.put("a", "value a")
    first.put("b", "value b")
    first.commit()
    first.close()
    second = open_cache(tmp_path / "cache", warm=warm)
    one = second.restored("a", restore)
    assert one == {"restored": "value a"} and made == ["value a"]
    assert second.restored("a", restore) is one and made == ["value a"]  # restored once
    assert second.restored("a", restore, variant="other") is not one  # another reader's object
    assert second.restored("missing", restore) is None
    assert second.restored("b", lambda value: None) is None  # a value its reader rejects is not kept
    second.commit()
    second.close()
    third = open_cache(tmp_path / "cache", warm=warm)
    assert third.kept_objects(["a", "b"]) == {"a": one}
    third.put("c", "value c")
    third.keep_object("c", "", {"restored": "value c"})
    third.commit()  # used "a" (both variants are kept) and put "c"
    third.close()
    assert len(warm) == 3
    fourth = open_cache(tmp_path / "cache", warm=warm)
    assert fourth.kept_objects(["c"]) == {"c": {"restored": "value c"}}
    fourth.commit(prune=False)  # as a build that kept pages: the entries it did not read stay on disk
    fourth.close()
    assert len(warm) == 1  # "a" was not used by the last build: let go
    assert open_cache(tmp_path / "cache").restored("a", restore) == {"restored": "value a"}  # read from disk again


def _same_as_clean(run, tree: Path, site: Path) -> None:
    clean = run("build", "specs", "-o", "clean", "--no-cache", cwd=tree)
    assert clean.exit_code == 0, clean.output
    assert _digest(site) == _digest(tree / "clean")


def _edit_summary(tree: Path, new: str) -> None:
    spec = tree / "specs" / "credit-decision-assistant.yml"
    text = spec.read_text(encoding="utf-8")
    assert "Scores personal-loan" in text
    spec.write_text(text.replace("Scores personal-loan", new, 1), "utf-8")


@pytest.fixture
def built_preview(example_tree: Path, monkeypatch: pytest.MonkeyPatch):
    """A preview of the example specs that has built its site once."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    monkeypatch.chdir(example_tree)
    preview = _preview(example_tree, [])
    try:
        assert preview.build().ok
        yield preview
    finally:
        preview.shutdown()


def test_the_preview_moves_only_the_changed_files_into_its_site(
    run, example_tree: Path, built_preview: Preview
) -> None:
    """A build that keeps pages moves the files it wrote into the preview's
    folder; the kept pages' files are not touched, and no new folder of links
    is made."""
    site = built_preview.site_dir
    before = {p: p.stat() for p in site.rglob("*") if p.is_file()}
    folder = site.stat().st_ino
    _edit_summary(example_tree, "Scores every personal-loan")
    built = built_preview.build()
    assert built.ok and built.result is not None and built.result.kept_pages > 0
    assert site.stat().st_ino == folder, "the preview's folder is patched, not replaced"
    after = {p: p.stat() for p in site.rglob("*") if p.is_file()}
    assert after.keys() == before.keys()
    changed = {p.relative_to(site).as_posix() for p in after if after[p].st_ino != before[p].st_ino}
    showing = {p.relative_to(site).as_posix() for p in after if b"Scores every personal-loan" in p.read_bytes()}
    assert showing and showing <= changed  # every page showing the edit was written anew
    assert "search/search_index.json" in changed
    assert len(changed) < len(after) // 2, changed  # the kept pages are the very same files
    _same_as_clean(run, example_tree, site)
    again = built_preview.build()  # the cache knows the moved files as they are now: all pages kept
    assert again.ok and again.result is not None and again.result.kept_pages == again.result.pages


def test_a_move_cut_short_is_followed_by_a_full_build(
    run, example_tree: Path, built_preview: Preview, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Should moving the new files in fail halfway (a disk error, a kill), the
    next build sees a folder that is not the one the cache describes and
    builds everything again, rather than keeping pages from a mixed site."""
    from specgen.site import build as site_build

    real = site_build.move_files

    def cut_short(new: Path, target: Path, replaced: Path | None = None) -> None:
        victim = sorted(new.rglob("*.html"))[0]
        moved = target / victim.relative_to(new)
        moved.parent.mkdir(parents=True, exist_ok=True)
        victim.replace(moved)  # one file moved, then the disk fails
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(site_build, "move_files", cut_short)
    _edit_summary(example_tree, "Scores every personal-loan")
    failed = built_preview.build()
    assert not failed.ok and "No space left on device" in failed.error
    monkeypatch.setattr(site_build, "move_files", real)
    again = built_preview.build()
    assert again.ok and again.result is not None
    assert again.result.kept_pages == 0, "a mixed folder is rebuilt whole"
    _same_as_clean(run, example_tree, built_preview.site_dir)


def _stats_of(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """The folders :func:`specgen.site.delta._stats` looks at, in order."""
    from specgen.site import delta

    looked: list[Path] = []
    real = delta._stats

    def stats(folder: Path, known=None):
        looked.append(Path(folder))
        return real(folder, known)

    monkeypatch.setattr(delta, "_stats", stats)
    return looked


def test_the_preview_looks_at_its_folder_only_after_a_failed_build(
    run, example_tree: Path, built_preview: Preview, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The preview's folder is its own (``mkdtemp``, its user's alone) and only
    its builds write there: after a build that succeeded, the next one takes
    the files as that build left them. After a failed one, it looks again."""
    from specgen.site import build as site_build

    looked = _stats_of(monkeypatch)
    site = built_preview.site_dir
    _edit_summary(example_tree, "Scores every personal-loan")
    assert built_preview.build().ok
    assert site not in looked, "its own last build left the folder as recorded"
    real = site_build.move_files

    def cut_short(new: Path, target: Path, replaced: Path | None = None) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(site_build, "move_files", cut_short)
    spec = example_tree / "specs" / "credit-decision-assistant.yml"
    spec.write_text(spec.read_text("utf-8").replace("Scores every", "Scores each", 1), "utf-8")
    assert not built_preview.build().ok
    monkeypatch.setattr(site_build, "move_files", real)
    looked.clear()
    spec.write_text(spec.read_text("utf-8").replace("Scores each", "Scores all", 1), "utf-8")
    again = built_preview.build()
    assert again.ok and again.result is not None and again.result.kept_pages > 0
    assert site in looked, "after a failed build the folder is looked at again"
    _same_as_clean(run, example_tree, site)


def test_a_vouched_folder_is_not_looked_at_unless_the_manifest_differs(
    run, example_tree: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from specgen.site import delta
    from specgen.site.build import build_site
    from specgen.site.held import HeldBuild

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    monkeypatch.chdir(example_tree)
    portfolio = load_portfolio([Path("specs")], project_file=Path("specgen.yml"))
    report = check_portfolio(portfolio)
    site, cache = example_tree / "site", example_tree / CACHE_DIR
    held = HeldBuild()
    build_site(portfolio, site, report=report, cache=cache, held=held)
    files = held.take_files()
    assert files and "index.html" in files
    looked = _stats_of(monkeypatch)
    opened = open_cache(cache)
    try:
        key, digests = _site_key_and_digests(opened, site)
        assert delta.plan(opened, site, key, digests, vouched=files) is not None
        assert site not in looked
        other = {**files, "index.html": (0, 0, 0)}
        assert delta.plan(opened, site, key, digests, vouched=other) is not None  # as it is on disk
        assert site in looked
    finally:
        opened.close()


def _site_key_and_digests(cache, site: Path) -> tuple[str, dict[str, str]]:
    """The key and page digests the manifest of ``site`` was recorded under."""
    from specgen.site import delta

    manifest = cache.get(delta._manifest_key(site))
    return manifest["key"], dict(manifest["pages"])


def test_the_preview_keeps_its_folders_manifest_in_memory_and_a_published_sites_in_the_cache(
    run, example_tree: Path, built_preview: Preview
) -> None:
    """Only the preview reads the manifest of its own folder, so it is held
    in memory, not written to the cache; ``specgen build``'s is written, for
    the next build and the next preview."""
    from specgen.site import delta

    published = run("build", "specs", "-o", "site", cwd=example_tree)
    assert published.exit_code == 0, published.output
    _edit_summary(example_tree, "Scores every personal-loan")
    again = built_preview.build()
    assert again.ok and again.result is not None and again.result.kept_pages > 0
    opened = open_cache(example_tree / CACHE_DIR)
    try:
        assert opened.get(delta._manifest_key(built_preview.site_dir)) is None
        assert isinstance(opened.get(delta._manifest_key(example_tree / "site")), dict)
    finally:
        opened.close()
    _same_as_clean(run, example_tree, built_preview.site_dir)


def test_an_object_kept_on_commit_is_held_only_once_the_build_commits(tmp_path: Path) -> None:
    warm = Warm()
    failed = open_cache(tmp_path / "cache", warm=warm)
    failed.put("k", None)
    failed.keep_object("k", "v", "from the failed build", on_commit=True)
    assert warm.get("k", "v") is None
    failed.close()  # no commit: the build failed
    assert warm.get("k", "v") is None
    good = open_cache(tmp_path / "cache", warm=warm)
    good.put("k", None)
    good.keep_object("k", "v", "from the good build", on_commit=True)
    good.commit()
    good.close()
    assert warm.get("k", "v") == "from the good build"
