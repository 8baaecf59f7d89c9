"""A build cache is trusted only by the user whose builds made it.

The cache says what each spec file validates to and what each page shows,
found by digests anyone can compute from the project's files. One that came
with the project (committed in a pull request, unpacked from an archive) or
from another user could say anything; it is stamped with a mark made from a
key in the user's own cache folder, and one stamped otherwise is discarded.
"""

from __future__ import annotations

import sqlite3
import stat
from pathlib import Path

import pytest

from specgen.site.cache import CACHE_DIR, CACHE_FILE
from specgen.site.cachefile import decode_value, encode_value
from specgen.usercache import owner_mark
from tests.test_site_incremental import _digest

TRUE = "Scores personal-loan applications"
FALSE = "Scores PWNED applications"


def _poison(path: Path) -> int:
    """What a forged cache holds: the validated specs of the project's own
    files, found under their digests, made to say other words (nothing else:
    what the site shows is then made from them); how many."""
    changed = 0
    with sqlite3.connect(path) as db:
        for key, value in db.execute("SELECT key, value FROM entries").fetchall():
            data = decode_value(value)
            if not isinstance(data, bytes) or TRUE.encode() not in data:
                db.execute("DELETE FROM entries WHERE key = ?", (key,))
                continue
            db.execute(
                "UPDATE entries SET value = ? WHERE key = ?",
                (encode_value(data.replace(TRUE.encode(), FALSE.encode())), key),
            )
            changed += 1
    db.close()
    return changed


def _shows(site: Path, words: str) -> bool:
    return any(words in page.read_text(encoding="utf-8") for page in site.rglob("*.html"))


def test_a_cache_made_by_another_users_builds_says_nothing(
    run, example_tree: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("SPECGEN_CACHE_HOME", str(tmp_path / "author"))
    assert run("build", "specs", "-o", "site", cwd=example_tree).exit_code == 0
    assert _poison(example_tree / CACHE_DIR / CACHE_FILE) > 0  # as a pull request could ship it

    trusted = run("build", "specs", "-o", "by-author", cwd=example_tree)  # its maker trusts it, as it should
    assert trusted.exit_code == 0 and _shows(example_tree / "by-author", FALSE), trusted.output

    monkeypatch.setenv("SPECGEN_CACHE_HOME", str(tmp_path / "reviewer"))
    reviewed = run("build", "specs", "-o", "by-reviewer", cwd=example_tree)
    assert reviewed.exit_code == 0, reviewed.output
    assert "discarded the build cache" in reviewed.output and "not made by this user's builds" in reviewed.output
    assert not _shows(example_tree / "by-reviewer", FALSE) and _shows(example_tree / "by-reviewer", TRUE)
    assert run("build", "specs", "-o", "clean", "--no-cache", cwd=example_tree).exit_code == 0
    assert _digest(example_tree / "by-reviewer") == _digest(example_tree / "clean")


def test_the_key_is_the_users_alone_and_made_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path / "home"
    monkeypatch.setenv("SPECGEN_CACHE_HOME", str(home))
    mark = owner_mark()
    assert mark is not None and len(mark) == 64
    key = home / "owner.key"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600 and len(key.read_bytes()) == 32
    before = key.read_bytes()
    monkeypatch.setenv("SPECGEN_CACHE_HOME", str(tmp_path / "other"))
    assert owner_mark() not in (None, mark)  # another key, another mark
    monkeypatch.setenv("SPECGEN_CACHE_HOME", str(home))
    assert owner_mark() == mark and key.read_bytes() == before  # never replaced


def test_no_key_in_a_folder_others_can_write(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o777)
    shared.chmod(0o777)
    monkeypatch.setenv("SPECGEN_CACHE_HOME", str(shared))
    assert owner_mark() is None


def test_without_a_key_no_cache_is_trusted_and_the_build_still_works(
    run, example_tree: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    assert run("build", "specs", "-o", "site", cwd=example_tree).exit_code == 0  # a cache of this user's
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the user's cache folder would be\\n", encoding="utf-8")
    monkeypatch.setenv("SPECGEN_CACHE_HOME", str(blocked))
    result = run("build", "specs", "-o", "site", cwd=example_tree)
    assert result.exit_code == 0, result.output
    assert "no key in the user's cache folder" in result.output
    assert run("build", "specs", "-o", "clean", "--no-cache", cwd=example_tree).exit_code == 0
    assert _digest(example_tree / "site") == _digest(example_tree / "clean")
