"""Kept pages linked into the new site by a child process while the build runs (:mod:`specgen.site.linker`).

The child only ever saves time: the site an edit builds is the same whether
the child linked the kept pages, failed, or could not be started, and a
file linked from the previous site is never one the build writes.
"""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest

from specgen.site import delta, linker
from tests.site_support import file_digests

SPEC = "specs/credit-decision-assistant.yml"
CONTROLS = "site/workflows/credit-decision-assistant/controls.html"
OVERVIEW = "site/workflows/credit-decision-assistant/index.html"


def test_kept_page_files_are_the_html_mkdocs_writes_for_them() -> None:
    pages = ["index.md", "workflows/x/exit.md", "workflows/x/runbooks/a.md", "workflows/x/README.md", "gone.md"]
    files = ["index.html", "workflows/x/exit.html", "workflows/x/runbooks/a.html", "workflows/x/index.html"]
    # README.md becomes index.html in mkdocs: left to the carry; a page the previous site lacks is not linked
    assert linker.kept_page_files(pages, files) == [
        "index.html",
        "workflows/x/exit.html",
        "workflows/x/runbooks/a.html",
    ]


def _tree(root: Path, names: list[str]) -> None:
    for name in names:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(name, encoding="utf-8")


def test_link_files_links_and_never_replaces(tmp_path: Path) -> None:
    old, new = tmp_path / "old", tmp_path / "new"
    _tree(old, ["a.html", "w/b.html", "w/r/c.html"])
    _tree(new, ["w/b.html"])
    (new / "w" / "b.html").write_text("built", encoding="utf-8")
    names = [b"a.html", b"w/b.html", b"w/r/c.html", b"w/missing.html"]
    failed = linker.link_files(os.fsencode(old), os.fsencode(new), names)
    assert failed == [b"w/b.html", b"w/missing.html"]
    assert (new / "w" / "b.html").read_text(encoding="utf-8") == "built"
    for name in ("a.html", "w/r/c.html"):
        assert os.stat(new / name).st_ino == os.stat(old / name).st_ino


def test_the_child_links_and_says_what_it_linked(tmp_path: Path) -> None:
    old, new = tmp_path / "old", tmp_path / "new"
    names = [f"w{i}/p{j}.html" for i in range(5) for j in range(4)]
    _tree(old, names)
    new.mkdir()
    with linker.background_links(old, new, [*names, "w9/missing.html"]) as links:
        linked = links.finish()
    assert linked == frozenset(names)
    assert all(os.stat(new / n).st_ino == os.stat(old / n).st_ino for n in names)
    assert not (new / "w9" / "missing.html").exists()


def test_leaving_the_block_stops_the_child(tmp_path: Path) -> None:
    """A failed build removes its folder: the child must not go on linking into it."""
    old, new = tmp_path / "old", tmp_path / "new"
    names = [f"w{i}/p{j}.html" for i in range(300) for j in range(8)]
    _tree(old, names)
    new.mkdir()
    with linker.background_links(old, new, names) as links:
        pass
    shutil.rmtree(new)
    time.sleep(0.3)
    assert not new.exists(), "the child linked into the folder after the block was left"
    assert links.finish() == frozenset()


def _build(run, tree: Path) -> None:
    result = run("build", "specs", "-o", "site", cwd=tree)
    assert result.exit_code == 0, result.output


def _edit(tree: Path) -> None:
    spec = tree / SPEC
    spec.write_text(spec.read_text("utf-8").replace("Scores personal-loan", "Scores every personal-loan", 1), "utf-8")


def _same_as_clean(run, tree: Path) -> None:
    clean = run("build", "specs", "-o", "clean", "--no-cache", cwd=tree)
    assert clean.exit_code == 0, clean.output
    assert file_digests(tree / "site") == file_digests(tree / "clean")


def test_an_edit_build_has_the_child_link_the_kept_pages(run, example_tree: Path, monkeypatch) -> None:
    _build(run, example_tree)
    kept = os.stat(example_tree / CONTROLS).st_ino
    rebuilt = os.stat(example_tree / OVERVIEW).st_ino
    calls: list[int] = []
    real = delta.os.link

    def counted(source, target, **kwargs):  # the pages this process links after the build: the carry's
        if str(source).endswith(".html"):
            calls.append(1)
        return real(source, target, **kwargs)

    monkeypatch.setattr(delta.os, "link", counted)
    _edit(example_tree)
    _build(run, example_tree)
    assert os.stat(example_tree / CONTROLS).st_ino == kept
    assert os.stat(example_tree / OVERVIEW).st_ino != rebuilt
    assert len(calls) <= 1, "the carry linked the kept pages: the child did not"  # 404.html at most
    _same_as_clean(run, example_tree)


@pytest.mark.parametrize("failure", ["no child", "child fails"])
def test_without_the_child_the_carry_links_everything(run, example_tree: Path, monkeypatch, failure: str) -> None:
    _build(run, example_tree)
    kept = os.stat(example_tree / CONTROLS).st_ino
    if failure == "no child":
        monkeypatch.setattr(linker.sys, "executable", str(example_tree / "no-such-python"))
    else:
        monkeypatch.setattr(linker, "__file__", str(example_tree / "no-such-script.py"))
    _edit(example_tree)
    _build(run, example_tree)
    assert os.stat(example_tree / CONTROLS).st_ino == kept
    _same_as_clean(run, example_tree)
