"""The build cache never changes a byte: after every edit of a seeded random
sequence, the site built with the cache equals a clean build without it.

Also: a foreign or corrupt cache is discarded with a note, ``--no-cache``
neither reads nor writes it, and unchanged pages are reused.
"""

from __future__ import annotations

import hashlib
import random
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from specgen import parallel
from specgen.site.cache import CACHE_DIR, CACHE_FILE
from tests.paths import bench_build, spec_files

SEED = 20261201
EDITS = 36
MARKUP = ["<b>bold</b>", "*stars*", "`tick`", "[link](x.md)", "| pipe |", "{{ jinja }}", "& amp", "é ü —"]


def _digest(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _load(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _dump(path: Path, data: dict) -> None:
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")


class Tree:
    """The example tree and the edits the sequence draws from."""

    def __init__(self, root: Path, rng: random.Random) -> None:
        self.root = root
        self.rng = rng
        self.specs = root / "specs"
        self.made = 0

    def _pick(self) -> Path:
        return self.rng.choice(spec_files(self.specs))

    def _words(self) -> str:
        return " ".join(self.rng.choice(["quick", "audit", "ledger", *MARKUP]) for _ in range(3))

    def text(self) -> str:
        path = self._pick()
        data = _load(path)
        where = self.rng.choice(["summary", "decision", "runbook"])
        if where == "summary":
            data["summary"] = f"{data['summary']} {self._words()}"
        elif where == "decision":
            decision = self.rng.choice(data["decisions"])
            decision["description"] = f"{decision['description']} {self._words()}"
        else:
            runbook = self.rng.choice(data["runbooks"])
            runbook["trigger"] = f"{runbook['trigger']} {self._words()}"
        _dump(path, data)
        return f"text of {path.name} ({where})"

    def title(self) -> str:
        path = self._pick()
        data = _load(path)
        data["title"] = f"{data['title'].split(' — ')[0]} — {self._words()}"
        _dump(path, data)
        return f"title of {path.name}"

    def add(self) -> str:
        source = _load(self._pick())
        self.made += 1
        source["id"] = f"copy-{self.made}"
        source["title"] = f"Copy {self.made} of {source['title']}"
        _dump(self.specs / f"copy-{self.made}.yml", source)
        return f"added copy-{self.made}"

    def remove(self) -> str:
        paths = spec_files(self.specs)
        if len(paths) < 2:
            return self.add()
        path = self.rng.choice(paths)
        path.unlink()
        return f"removed {path.name}"

    def rename(self) -> str:
        path = self._pick()
        data = _load(path)
        self.made += 1
        new_id = f"renamed-{self.made}"
        data["id"] = new_id
        path.unlink()
        _dump(self.specs / f"{new_id}.yml", data)
        return f"renamed {path.name} to {new_id}"

    def template(self) -> str:
        page = self.root / "templates" / "site" / "workflow" / "exit.md.j2"
        theme = self.root / "templates" / "site" / "theme" / "partials" / "copyright.html"
        if page.exists() or theme.exists():
            page.unlink(missing_ok=True)
            theme.unlink(missing_ok=True)
            return "template overrides removed"
        page.parent.mkdir(parents=True, exist_ok=True)
        page.write_text("# Exit of {{ spec.title }}\n\nOverridden exit page.\n", encoding="utf-8")
        theme.parent.mkdir(parents=True, exist_ok=True)
        theme.write_text('<div class="md-copyright">Overridden footer</div>\n', encoding="utf-8")
        return "template overrides added"

    def project(self) -> str:
        path = self.root / "specgen.yml"
        data = _load(path)
        data["site"]["primary_color"] = self.rng.choice(["indigo", "teal", "red", "blue-grey"])
        data["site"]["name"] = f"Handover {self.rng.randint(1, 99)}"
        data["site"]["one_runbooks_page"] = self.rng.random() < 0.5
        _dump(path, data)
        return "project file"

    def invalid(self) -> Callable[[], None]:
        """Break a spec; returns the undo."""
        path = self._pick()
        before = path.read_bytes()
        data = _load(path)
        data["stage"] = "not-a-stage"
        _dump(path, data)
        return lambda: path.write_bytes(before)


def test_incremental_builds_equal_clean_builds_over_random_edits(
    run, example_tree: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    rng = random.Random(SEED)
    tree = Tree(example_tree, rng)
    first = run("build", "specs", "-o", "site", cwd=example_tree)
    assert first.exit_code == 0, first.output
    kinds = ["text"] * 4 + ["title"] * 2 + ["add", "remove", "rename", "template", "project", "invalid"]
    done: list[str] = []
    for step in range(EDITS):
        kind = rng.choice(kinds)
        if kind == "invalid":
            before = _digest(example_tree / "site")
            undo = tree.invalid()
            failed = run("build", "specs", "-o", "site", cwd=example_tree)
            assert failed.exit_code == 1, failed.output
            assert _digest(example_tree / "site") == before
            undo()
            done.append("invalid edit, undone")
        else:
            done.append(getattr(tree, kind)())
        built = run("build", "specs", "-o", "site", cwd=example_tree)
        assert built.exit_code == 0, (done, built.output)
        clean = run("build", "specs", "-o", "clean", "--no-cache", cwd=example_tree)
        assert clean.exit_code == 0, (done, clean.output)
        assert _digest(example_tree / "site") == _digest(example_tree / "clean"), (step, done)
    assert len(set(done)) > 10, done
    assert any(d.startswith("renamed") for d in done) and any("template overrides" in d for d in done)


def test_an_unchanged_site_is_taken_from_the_cache(run, example_tree: Path) -> None:
    first = run("build", "specs", "-o", "site", cwd=example_tree)
    assert first.exit_code == 0, first.output
    assert " pages rebuilt" in first.output and "reused" not in first.output, "nothing to reuse yet"
    assert (example_tree / CACHE_DIR / CACHE_FILE).is_file()
    assert (example_tree / CACHE_DIR / ".gitignore").read_text(encoding="utf-8").endswith("*\n")
    again = run("build", "specs", "-o", "site", cwd=example_tree)
    assert again.exit_code == 0, again.output
    rebuilt = again.output.split("; ")[1].split(" pages rebuilt")[0]
    count, total = (int(n) for n in rebuilt.split(" of "))
    assert count == 0 and total > 20, again.output
    assert "the rest reused from the cache" in again.output


@pytest.mark.parametrize("damage", ["garbage", "foreign", "entry", "spec entry", "compressed entry", "another user"])
def test_a_corrupt_or_foreign_cache_is_discarded_with_a_note(
    run, example_tree: Path, damage: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    assert run("build", "specs", "-o", "clean", "--no-cache", cwd=example_tree).exit_code == 0
    assert not (example_tree / CACHE_DIR).exists(), "--no-cache writes no cache"
    assert run("build", "specs", "-o", "site", cwd=example_tree).exit_code == 0
    path = example_tree / CACHE_DIR / CACHE_FILE
    if damage == "garbage":
        path.write_bytes(b"not a database at all" * 100)
    elif damage == "another user":  # the same cache, read by a user whose key did not make it
        monkeypatch.setenv("SPECGEN_CACHE_HOME", str(tmp_path / "another-user"))
    else:
        with sqlite3.connect(path) as db:
            if damage == "foreign":
                db.execute("UPDATE meta SET value = 'specgen 0.0.1' WHERE name = 'versions'")
            elif damage == "entry":  # every stored value replaced by bytes that are not a compressed entry
                db.execute("UPDATE entries SET value = X'00ff00ff'")
            elif damage == "compressed entry":  # one byte flipped inside each compressed page, step and record
                rows = db.execute("SELECT key, value FROM entries WHERE substr(value, 1, 1) != X'00'").fetchall()
                assert len(rows) > 20, "pages and mkdocs' steps are stored compressed"
                for key, value in rows:
                    at = len(value) // 2
                    flipped = value[:at] + bytes([value[at] ^ 0x01]) + value[at + 1 :]
                    db.execute("UPDATE entries SET value = ? WHERE key = ?", (flipped, key))
            else:  # one byte flipped in each validated spec (stored as bytes, not compressed)
                rows = db.execute("SELECT key, value FROM entries WHERE substr(value, 1, 1) = X'00'").fetchall()
                assert rows, "specs are stored as bytes"
                for key, value in rows:
                    flipped = value[:-1] + bytes([value[-1] ^ 0x01])
                    db.execute("UPDATE entries SET value = ? WHERE key = ?", (flipped, key))
        db.close()
    result = run("build", "specs", "-o", "site", cwd=example_tree)
    assert result.exit_code == 0, result.output
    notes = [line for line in result.output.splitlines() if "discarded the build cache" in line]
    assert len(notes) == 1, result.output
    assert _digest(example_tree / "site") == _digest(example_tree / "clean")
    again = run("build", "specs", "-o", "site", cwd=example_tree)
    assert "discarded" not in again.output and again.exit_code == 0
    assert _digest(example_tree / "site") == _digest(example_tree / "clean")


def test_serve_rebuilds_from_the_cache_and_shows_the_edit(example_tree: Path) -> None:
    from specgen import load_portfolio
    from specgen.site.serve import Preview
    from tests.test_site_build import _free_port, _get, _wait_for

    specs, project_file = example_tree / "specs", example_tree / "specgen.yml"
    outcomes = []

    def load(memo=None):
        return load_portfolio([specs], project_file=project_file, memo=memo), None

    preview = Preview(
        load,
        watch=[specs, project_file],
        port=_free_port(),
        on_build=outcomes.append,
        cache=example_tree / CACHE_DIR,
    )
    assert preview.build().ok
    thread = threading.Thread(target=preview.run, daemon=True)
    thread.start()
    try:
        page = f"{preview.url}workflows/credit-decision-assistant/index.html"
        assert _wait_for(lambda: "Scores personal-loan applications" in _get(page))
        spec = specs / "credit-decision-assistant.yml"
        spec.write_text(
            spec.read_text(encoding="utf-8").replace("Scores personal-loan", "Scores every personal-loan"), "utf-8"
        )
        assert _wait_for(lambda: "Scores every personal-loan applications" in _get(page)), "no rebuild"
        showing = sum(
            "Scores every personal-loan" in html.read_text(encoding="utf-8")
            for html in preview.site_dir.rglob("*.html")
        )
    finally:
        preview.shutdown()
        thread.join(timeout=10)
    rebuilt = outcomes[-1].result
    assert rebuilt is not None
    # mkdocs built only the pages showing the text; every other page was kept from the previous site
    assert 0 < rebuilt.pages - rebuilt.kept_pages <= showing, (rebuilt.pages, rebuilt.kept_pages, showing)


@pytest.mark.parametrize("lock", ["EXCLUSIVE", "IMMEDIATE"], ids=["committing", "writing"])
def test_a_cache_in_use_by_another_build_is_not_discarded(run, example_tree: Path, lock: str) -> None:
    assert run("build", "specs", "-o", "site", cwd=example_tree).exit_code == 0
    assert run("build", "specs", "-o", "clean", "--no-cache", cwd=example_tree).exit_code == 0
    path = example_tree / CACHE_DIR / CACHE_FILE
    spec = example_tree / "specs" / "credit-decision-assistant.yml"
    spec.write_text(spec.read_text(encoding="utf-8").replace("personal loans", "personal leases"), "utf-8")
    other = sqlite3.connect(path, timeout=0, isolation_level=None)
    other.execute(f"BEGIN {lock}")  # another build (serve and build at once) holds the cache
    try:
        result = run("build", "specs", "-o", "site", cwd=example_tree)
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert result.exit_code == 0, result.output
    assert "discarded" not in result.output
    assert "in use by another build" in result.output or "was not updated" in result.output, result.output
    assert path.is_file()
    again = run("build", "specs", "-o", "site", cwd=example_tree)
    assert again.exit_code == 0 and "discarded" not in again.output, again.output
    assert run("build", "specs", "-o", "clean", "--no-cache", cwd=example_tree).exit_code == 0
    assert _digest(example_tree / "site") == _digest(example_tree / "clean")


def test_a_failed_build_leaves_no_cache_behind(run, example_tree: Path) -> None:
    broken = example_tree / "templates" / "site" / "workflow" / "exit.md.j2"
    broken.parent.mkdir(parents=True)
    broken.write_text("# Exit\n\n[gone](no-such-page.md)\n", encoding="utf-8")  # mkdocs fails, strict
    before = sorted(p.name for p in example_tree.iterdir())
    result = run("build", "specs", "-o", "site", cwd=example_tree)
    assert result.exit_code == 1
    assert "no-such-page.md" in result.output
    assert sorted(p.name for p in example_tree.iterdir()) == before  # no site, no .specgen-cache


def test_specs_parsed_in_worker_processes_with_the_cache_open_give_the_same_site(tmp_path: Path) -> None:
    """A portfolio large enough for the loader to parse its files in worker
    processes, with the build cache open (closed while they run): the first
    build, an edit's build and a no-op rebuild give the bytes of builds
    without the cache, and the cache holds every spec. A fresh process each,
    as a user runs it (one with threads running parses in process)."""
    count = parallel.MIN_ITEMS + 6
    specs = bench_build().make_portfolio(tmp_path, count)

    def build(*args: str) -> str:
        done = subprocess.run(
            [sys.executable, "-c", "from specgen.cli import main; main()", "build", "specs", *args],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout

    build("-o", "site")
    build("-o", "clean", "--no-cache")
    assert _digest(tmp_path / "site") == _digest(tmp_path / "clean")
    with sqlite3.connect(tmp_path / CACHE_DIR / CACHE_FILE) as db:  # specs are the entries stored as bytes
        stored = db.execute("SELECT count(*) FROM entries WHERE substr(value, 1, 1) = X'00'").fetchone()[0]
    db.close()
    assert stored == count

    edited = spec_files(specs)[count // 2]
    data = _load(edited)
    data["summary"] = f"{data['summary']} <b>edited</b>"
    _dump(edited, data)
    rebuilt, total = _rebuilt(build("-o", "site"))
    assert 0 < rebuilt < total / 10, "an edit rebuilds its spec's pages and those that show its text"
    build("-o", "clean", "--no-cache")
    assert _digest(tmp_path / "site") == _digest(tmp_path / "clean")
    assert _rebuilt(build("-o", "site")) == (0, total)
    assert _digest(tmp_path / "site") == _digest(tmp_path / "clean")


def _rebuilt(output: str) -> tuple[int, int]:
    """``(rebuilt, pages)`` from a build's report line (``…; 3 of 650 pages rebuilt, …``)."""
    counts = output.split("; ")[1].split(" pages rebuilt")[0]
    rebuilt, total = (int(n) for n in counts.split(" of "))
    return rebuilt, total
