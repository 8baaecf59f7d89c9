"""The atomic swap of a built site and the clean-up after a killed build,
through the CLI (each test runs the real mkdocs build)."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

from specgen.site import staging


def _digest(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _old(path: Path) -> None:
    """Age a folder past the grace period for an unlocked staging folder."""
    past = path.stat().st_mtime - 3 * staging.UNLOCKED_GRACE_SECONDS
    os.utime(path, (past, past))


def test_a_killed_builds_staging_folder_is_removed_by_the_next_build(run, example_tree: Path) -> None:
    # a build killed mid-way: its staging folder (lock file and half a site) is left behind
    code = (
        "import os, sys, pathlib\n"
        "from specgen.site.staging import staging_folder\n"
        "with staging_folder(pathlib.Path(sys.argv[1])) as folder:\n"
        "    (folder.folder / 'site').mkdir(); (folder.folder / 'site' / 'index.html').write_text('half')\n"
        "    print(folder.folder, flush=True)\n"
        "    os._exit(9)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(example_tree / "site")], capture_output=True, text=True, check=False
    )
    killed = Path(done.stdout.strip())
    assert killed.is_dir() and (killed / staging.LOCK).is_file()
    unlocked = example_tree / ".site.abc123.specgen-build"  # one from before the lock file existed
    unlocked.mkdir()
    _old(unlocked)
    other = example_tree / ".other.abc123.specgen-build"  # another output's: not ours to remove
    other.mkdir()
    _old(other)

    result = run("build", "specs", "-o", "site", cwd=example_tree)
    assert result.exit_code == 0, result.output
    assert not killed.exists() and not unlocked.exists()
    assert other.is_dir()
    assert sorted(p.name for p in example_tree.glob(".site.*")) == []


def test_a_running_builds_staging_folder_is_left_alone(run, example_tree: Path) -> None:
    output = example_tree / "site"
    with staging.staging_folder(output) as live:
        result = run("build", "specs", "-o", "site", cwd=example_tree)
        assert result.exit_code == 0, result.output
        assert live.folder.is_dir(), "the lock of a running build protects its staging folder"
    assert not live.folder.exists()


def test_the_swap_replaces_the_site_in_one_step_and_a_failure_keeps_it(run, example_tree: Path) -> None:
    first = run("build", "specs", "-o", "site", cwd=example_tree)
    assert first.exit_code == 0, first.output
    site = example_tree / "site"
    inode = site.stat().st_ino
    spec = example_tree / "specs" / "credit-decision-assistant.yml"
    spec.write_text(spec.read_text(encoding="utf-8").replace("personal loans", "personal leases"), "utf-8")
    second = run("build", "specs", "-o", "site", cwd=example_tree)
    assert second.exit_code == 0, second.output
    assert site.stat().st_ino != inode, "the site folder is replaced whole, not edited in place"
    assert "personal leases" in (site / "index.html").read_text(encoding="utf-8")
    before = _digest(site)

    broken = example_tree / "templates" / "site" / "workflow" / "exit.md.j2"
    broken.parent.mkdir(parents=True)
    broken.write_text("# {{ spec.no_such_field }}\n", encoding="utf-8")
    failed = run("build", "specs", "-o", "site", cwd=example_tree)
    assert failed.exit_code == 1
    assert "the previous site in site was left as it was" in failed.output
    assert _digest(site) == before
    assert list(example_tree.glob(".site.*")) == []


@pytest.mark.parametrize("exchange", [True, False], ids=["renameat2", "two-renames"])
def test_swap_in_puts_the_new_folder_in_place(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, exchange: bool) -> None:
    if not exchange:
        monkeypatch.setattr(staging, "_RENAMEAT2", None)
    elif staging._RENAMEAT2 is None:
        pytest.skip("no renameat2 on this system")
    old, new = tmp_path / "site", tmp_path / "new"
    old.mkdir()
    (old / "a").write_text("old")
    new.mkdir()
    (new / "a").write_text("new")
    staging.swap_in(new, old, tmp_path / "attic")
    assert (old / "a").read_text() == "new"
    assert (tmp_path / "attic" / "a").read_text() == "old"
    assert not new.exists()


@pytest.mark.parametrize("exchange", [True, False], ids=["renameat2", "rename-over"])
def test_move_files_keeps_what_it_replaces_for_the_background_removal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, exchange: bool
) -> None:
    """The preview moves a build's files into its folder one step each. A
    file already there is exchanged with the new one, and so left in the
    build's folder; where the system cannot exchange, it is linked into
    ``replaced`` before the new one is renamed over it. Either way the move
    frees nothing (the staging folder's ``rm`` does, later)."""
    if not exchange:
        monkeypatch.setattr(staging, "_RENAMEAT2", None)
    elif staging._RENAMEAT2 is None:
        pytest.skip("no renameat2 on this system")
    target, new, replaced = tmp_path / "site", tmp_path / "new", tmp_path / "staging" / "replaced"
    (target / "search").mkdir(parents=True)
    (target / "search" / "index.json").write_text("old index")
    (target / "kept.html").write_text("kept")
    (new / "search").mkdir(parents=True)
    (new / "search" / "index.json").write_text("new index")
    (new / "workflows" / "w").mkdir(parents=True)
    (new / "workflows" / "w" / "index.html").write_text("a new page")
    before = (target / "search" / "index.json").stat().st_ino
    written = (new / "search" / "index.json").stat().st_ino
    staging.move_files(new, target, replaced)
    assert _digest(target) == {
        "kept.html": hashlib.sha256(b"kept").hexdigest(),
        "search/index.json": hashlib.sha256(b"new index").hexdigest(),
        "workflows/w/index.html": hashlib.sha256(b"a new page").hexdigest(),
    }
    assert (target / "search" / "index.json").stat().st_ino == written, "the new file itself, moved, not copied"
    left = sorted(p for p in new.rglob("*") if p.is_file())
    kept = sorted(replaced.iterdir())
    if exchange:
        assert left == [new / "search" / "index.json"] and kept == [], "only the file replaced, not the one added"
        old = left[0]
    else:
        assert left == [] and len(kept) == 1, "only the file replaced, not the one added"
        old = kept[0]
    assert old.read_text() == "old index"
    assert old.stat().st_ino == before, "the replaced file itself, not a copy"


def test_move_files_renames_over_what_is_not_a_file(tmp_path: Path) -> None:
    """A folder or link where the build wrote a file is no file to exchange
    with: the rename meets it, as it always did."""
    target, new = tmp_path / "site", tmp_path / "new"
    target.mkdir()
    (tmp_path / "elsewhere").write_text("not the site's")
    (target / "link.html").symlink_to(tmp_path / "elsewhere")
    new.mkdir()
    (new / "link.html").write_text("a page")
    staging.move_files(new, target)
    assert not (target / "link.html").is_symlink() and (target / "link.html").read_text() == "a page"
    assert (tmp_path / "elsewhere").read_text() == "not the site's"
