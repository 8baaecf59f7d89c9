"""A build begun before its specs are loaded (:mod:`specgen.site.headstart`).

``specgen build`` starts linking every page of the previous site into its
staging folder before it loads the specs; once it knows which pages it keeps,
it removes the links of the others before mkdocs writes anything. Whatever
the edit, the site is the one a clean build makes, and no file of the
previous site is ever written through a link.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from specgen.cli import site_commands
from specgen.site import delta, headstart, linker
from specgen.site.cache import open_cache
from tests.site_support import file_digests

SPEC = "specs/credit-decision-assistant.yml"
OTHER = "specs/support-ticket-triage.yml"
CONTROLS = "site/workflows/credit-decision-assistant/controls.html"
OVERVIEW = "site/workflows/credit-decision-assistant/index.html"


def _build(run, tree: Path) -> None:
    result = run("build", "specs", "-o", "site", cwd=tree)
    assert result.exit_code == 0, result.output


def _replace(tree: Path, old: str, new: str) -> None:
    spec = tree / SPEC
    text = spec.read_text("utf-8")
    assert old in text
    spec.write_text(text.replace(old, new, 1), "utf-8")


def _listing(folder: Path) -> list[str]:
    """Every file and folder under ``folder``: an empty folder left behind shows."""
    return sorted(p.relative_to(folder).as_posix() + ("/" if p.is_dir() else "") for p in folder.rglob("*"))


def _same_as_clean(run, tree: Path) -> None:
    clean = run("build", "specs", "-o", "clean", "--no-cache", cwd=tree)
    assert clean.exit_code == 0, clean.output
    assert file_digests(tree / "site") == file_digests(tree / "clean")
    assert _listing(tree / "site") == _listing(tree / "clean")


def _witnesses(tree: Path) -> dict[Path, bytes]:
    """A second name for every file of the previous site, with its bytes: a
    build that wrote through a link into that site would change them."""
    kept = tree / "witness"
    kept.mkdir()
    found = {}
    for index, path in enumerate(sorted(p for p in (tree / "site").rglob("*") if p.is_file())):
        name = kept / str(index)
        os.link(path, name)
        found[name] = path.read_bytes()
    return found


def _untouched(witnesses: dict[Path, bytes]) -> None:
    changed = [name for name, data in witnesses.items() if name.read_bytes() != data]
    assert not changed, f"{len(changed)} files of the previous site were written through"


def _staging_folders(tree: Path) -> list[Path]:
    return sorted(tree.glob(".site.*.staging"))


def test_the_links_begin_before_the_specs_are_loaded(run, example_tree: Path, monkeypatch) -> None:
    _build(run, example_tree)
    kept, rebuilt = (os.stat(example_tree / page).st_ino for page in (CONTROLS, OVERVIEW))
    witnesses = _witnesses(example_tree)
    events: list[str] = []
    real_start, real_load = headstart.start_links, site_commands.load_portfolio

    def start(old, new, names):
        events.append(f"links {len(names)}")
        return real_start(old, new, names)

    def load(*args, **kwargs):
        events.append("specs loaded")
        return real_load(*args, **kwargs)

    monkeypatch.setattr(headstart, "start_links", start)
    monkeypatch.setattr(site_commands, "load_portfolio", load)
    _replace(example_tree, "Scores personal-loan", "Scores every personal-loan")
    _build(run, example_tree)
    pages = len(list((example_tree / "site").rglob("*.html"))) - 1  # every page but 404.html
    assert events == [f"links {pages}", "specs loaded"]
    assert os.stat(example_tree / CONTROLS).st_ino == kept
    assert os.stat(example_tree / OVERVIEW).st_ino != rebuilt
    _untouched(witnesses)
    assert not _staging_folders(example_tree)
    _same_as_clean(run, example_tree)


def test_a_removed_spec_leaves_neither_pages_nor_folders(run, example_tree: Path) -> None:
    _build(run, example_tree)
    witnesses = _witnesses(example_tree)
    (example_tree / OTHER).unlink()
    _build(run, example_tree)
    assert not (example_tree / "site/workflows/support-ticket-triage").exists()
    _untouched(witnesses)
    _same_as_clean(run, example_tree)


def test_a_new_title_rebuilds_everything_over_none_of_the_links(run, example_tree: Path) -> None:
    _build(run, example_tree)
    witnesses = _witnesses(example_tree)
    _replace(example_tree, "title: Credit-decision assistant for personal loans", "title: Credit assistant")
    _build(run, example_tree)
    _untouched(witnesses)
    _same_as_clean(run, example_tree)


def test_a_child_that_fails_after_linking_is_not_trusted(run, example_tree: Path, monkeypatch) -> None:
    """A child that linked its files and then failed says nothing of what it
    linked: the build clears the folder and the carry links what is kept."""
    _build(run, example_tree)
    kept = os.stat(example_tree / CONTROLS).st_ino
    witnesses = _witnesses(example_tree)
    real = linker.BackgroundLinks.finish

    def failed(self):
        real(self)  # every file linked, the rebuilt page's too
        self.linked = frozenset()
        return self.linked

    monkeypatch.setattr(linker.BackgroundLinks, "finish", failed)
    _replace(example_tree, "Scores personal-loan", "Scores every personal-loan")
    _build(run, example_tree)
    assert os.stat(example_tree / CONTROLS).st_ino == kept
    _untouched(witnesses)
    _same_as_clean(run, example_tree)


def test_invalid_specs_leave_the_site_and_no_staging_folder(run, example_tree: Path) -> None:
    _build(run, example_tree)
    before = file_digests(example_tree / "site")
    _replace(example_tree, "title: Credit-decision assistant for personal loans", "title: [unclosed")
    result = run("build", "specs", "-o", "site", cwd=example_tree)
    assert result.exit_code == 1, result.output
    assert file_digests(example_tree / "site") == before
    assert not _staging_folders(example_tree)


def test_no_head_start_without_a_cache_or_a_previous_build(run, example_tree: Path, monkeypatch) -> None:
    started: list[int] = []
    real = headstart.start_links
    monkeypatch.setattr(headstart, "start_links", lambda *a: started.append(1) or real(*a))
    _build(run, example_tree)  # nothing to link yet
    assert run("build", "specs", "-o", "site", "--no-cache", cwd=example_tree).exit_code == 0
    assert started == []


def _old_site(tmp_path: Path, names: list[str]) -> Path:
    old = tmp_path / "old"
    for name in names:
        (old / name).parent.mkdir(parents=True, exist_ok=True)
        (old / name).write_text(name, "utf-8")
    return old


NAMES = ["index.html", "w/a.html", "w/b.html", "w/runbooks/r.html"]


def _claimed_and_linked(old: Path, site: Path) -> None:
    for name in ("index.html", "w/runbooks/r.html"):  # claimed: files of their own, empty, for the build to write
        assert os.stat(site / name).st_ino != os.stat(old / name).st_ino
        assert (site / name).read_bytes() == b""
    for name in ("w/a.html", "w/b.html"):  # kept: links to the previous site's files
        assert os.stat(site / name).st_ino == os.stat(old / name).st_ino
    assert all((old / name).read_text("utf-8") == name for name in NAMES)


def test_a_claimed_name_the_child_linked_already_becomes_the_builds(tmp_path: Path) -> None:
    old, site = _old_site(tmp_path, NAMES), tmp_path / "new" / "site"
    links = linker.start_links(old, site, NAMES)
    assert links.finish() == frozenset(NAMES)  # linked before the claim
    headstart.claim(site, ["index.html", "w/runbooks/r.html"])
    _claimed_and_linked(old, site)


def test_a_claimed_name_is_not_linked_afterwards(tmp_path: Path) -> None:
    old, site = _old_site(tmp_path, NAMES), tmp_path / "new" / "site"
    headstart.claim(site, ["index.html", "w/runbooks/r.html"])  # before the child links anything
    links = linker.start_links(old, site, NAMES)
    assert links.finish() == {"w/a.html", "w/b.html"}  # link() does not replace a claimed file
    _claimed_and_linked(old, site)


@pytest.mark.parametrize("child", ["running", "done", "none"])
def test_letting_go_stops_the_child_and_clears_the_folder(tmp_path: Path, child: str) -> None:
    old, site = _old_site(tmp_path, NAMES), tmp_path / "new" / "site"
    links = linker.start_links(old, site, NAMES) if child != "none" else linker.BackgroundLinks(None, NAMES)
    if child == "done":
        links.finish()
    headstart.let_go(links, site)
    assert not site.exists()
    assert all((old / name).read_text("utf-8") == name for name in NAMES)


@pytest.mark.parametrize(
    "name", ["../outside.html", "/tmp/outside.html", "w/../../outside.html", "w/./x.html", "w//x.html", "a\0../x.html"]
)
def test_a_record_naming_files_outside_the_site_links_nothing_early(
    run, example_tree: Path, monkeypatch, name: str
) -> None:
    """The links begin before the cache's record of the site is checked
    against the folder: a record whose names lead out of the folder (a
    damaged or planted cache) starts nothing, and the build finds it wrong."""
    _build(run, example_tree)
    cache = open_cache(example_tree / ".specgen-cache")
    key = delta._manifest_key(example_tree / "site")
    manifest = cache.get(key)
    manifest["pages"][name.removesuffix(".html") + ".md"] = "0" * 64
    manifest["files"][name] = [1, 1, 1]
    cache.put(key, manifest)
    cache.commit(prune=False)
    cache.close()
    started: list[int] = []
    real = headstart.start_links
    monkeypatch.setattr(headstart, "start_links", lambda *a: started.append(1) or real(*a))
    _replace(example_tree, "Scores personal-loan", "Scores every personal-loan")
    _build(run, example_tree)
    assert started == []
    assert not (example_tree / "outside.html").exists()
    _same_as_clean(run, example_tree)


def test_claims_made_while_the_child_links_are_the_builds_every_time(tmp_path: Path) -> None:
    """The race for real: names are claimed while the child links, some
    before it reaches them and some after, in whatever order the two
    processes get there."""
    import random
    import time

    rng = random.Random(34)
    names = [f"w{i // 12:03}/{'runbooks/' if i % 12 > 8 else ''}p{i}.html" for i in range(3000)]
    old = _old_site(tmp_path, names)
    orders = set()
    for round_ in range(6):
        site = tmp_path / f"new{round_}" / "site"
        claimed = rng.sample(names, 200)
        links = linker.start_links(old, site, names)
        deadline = time.monotonic() + 10
        while not (site / names[len(names) // 3]).exists() and time.monotonic() < deadline:
            time.sleep(0.001)  # the child is a third of the way
        headstart.claim(site, claimed)
        linked = links.finish()
        assert linked, "the child ran"
        orders |= {name in linked for name in claimed}  # linked before its claim, or claimed first
        for name in claimed:
            assert os.stat(site / name).st_ino != os.stat(old / name).st_ino
            assert (site / name).read_bytes() == b""
        for name in set(names) - set(claimed):
            assert os.stat(site / name).st_ino == os.stat(old / name).st_ino
    assert orders == {True, False}, "both orders of the race were met"
    assert all((old / name).read_text("utf-8") == name for name in names)
