"""specgen's driver of mkdocs (:mod:`specgen.site.engine`) builds what ``mkdocs build`` builds.

The driver hands mkdocs its configuration and pages from memory, reads and
builds pages one at a time, and writes the search index entry by entry. The
tests compare its output, file by file, with mkdocs' own ``build`` run on the
project ``--keep-sources`` writes, and with material's own index writer.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pytest

from specgen.site import pagerecord
from specgen.site.engine import walk_order
from specgen.site.mkdocs import run_mkdocs

FRONT_MATTER_PAGE = """---
subtitle: Shown in the navigation
---

# Exit and handover

Words.
"""


def _digest(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != ".specgen-site"
    }


def test_the_site_is_what_mkdocs_builds_from_the_kept_project(
    run, example_tree: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    built = run("build", "specs", "-o", "site", "--keep-sources", "kept", "--no-cache", cwd=example_tree)
    assert built.exit_code == 0, built.output
    run_mkdocs(example_tree / "kept", example_tree / "by-mkdocs")
    ours, theirs = _digest(example_tree / "site"), _digest(example_tree / "by-mkdocs")
    assert ours.keys() == theirs.keys()
    assert [name for name in ours if ours[name] != theirs[name]] == []


def test_a_page_with_front_matter_titles_the_navigation_of_every_page(
    run, example_tree: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A user's template may give a page metadata the navigation shows (here
    material's subtitle); every page shows it, however early in the build it comes."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    override = example_tree / "templates" / "site" / "workflow" / "exit.md.j2"
    override.parent.mkdir(parents=True)
    override.write_text(FRONT_MATTER_PAGE, encoding="utf-8")
    built = run("build", "specs", "-o", "site", "--keep-sources", "kept", "--no-cache", cwd=example_tree)
    assert built.exit_code == 0, built.output
    overview = (example_tree / "site" / "workflows" / "credit-decision-assistant" / "index.html").read_text("utf-8")
    assert "Shown in the navigation" in overview
    run_mkdocs(example_tree / "kept", example_tree / "by-mkdocs")
    assert _digest(example_tree / "site") == _digest(example_tree / "by-mkdocs")


def test_the_search_index_is_written_as_material_writes_it(
    run, example_tree: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    assert run("build", "specs", "-o", "ours", "--no-cache", cwd=example_tree).exit_code == 0
    # a search configuration the writer does not know: material's plugins write the index themselves
    monkeypatch.setattr(pagerecord, "_SEARCH_CONFIG", (*pagerecord._SEARCH_CONFIG, "not-a-setting"))
    assert run("build", "specs", "-o", "material", "--no-cache", cwd=example_tree).exit_code == 0
    for name in ("search_index.json", "search_index.js"):
        ours = (example_tree / "ours" / "search" / name).read_bytes()
        assert len(ours) > 10_000
        assert ours == (example_tree / "material" / "search" / name).read_bytes(), name


def test_a_second_build_compiles_none_of_the_themes_templates(
    run, example_tree: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every Jinja environment the theme makes takes its templates compiled
    from the user's cache, also the three material's search plugin makes for
    its language's settings before the build's own (mkdocs gives them none)."""
    import jinja2

    compiled: list[str | None] = []
    compile_ = jinja2.Environment.compile

    def counting(self, source, name=None, filename=None, raw=False, defer_init=False):
        compiled.append(name)
        return compile_(self, source, name, filename, raw, defer_init)

    assert run("build", "specs", "-o", "first", "--no-cache", "--jobs", "1", cwd=example_tree).exit_code == 0
    monkeypatch.setattr(jinja2.Environment, "compile", counting)
    assert run("build", "specs", "-o", "second", "--no-cache", "--jobs", "1", cwd=example_tree).exit_code == 0
    assert [name for name in compiled if name is not None and name.startswith("partials/")] == []


def test_the_printable_pages_are_not_searched(run, example_tree: Path) -> None:
    assert run("build", "specs", "-o", "site", cwd=example_tree).exit_code == 0
    index = json.loads((example_tree / "site" / "search" / "search_index.json").read_text("utf-8"))
    pages = {entry["location"].partition("#")[0] for entry in index["docs"]}
    assert "workflows/credit-decision-assistant/decisions.html" in pages
    assert not [page for page in pages if page.endswith("/print.html")]
    assert (example_tree / "site" / "workflows" / "credit-decision-assistant" / "print.html").is_file()


def test_pages_are_read_in_the_order_mkdocs_walks_a_docs_folder(tmp_path: Path) -> None:
    from mkdocs.config.defaults import MkDocsConfig
    from mkdocs.structure.files import get_files

    paths = ["z.md", "index.md", "a/b.md", "a/index.md", "a/c/README.md", "a/c/x.md", "b.md", "assets/s.css", "A.md"]
    docs = tmp_path / "docs"
    for path in paths:
        (docs / path).parent.mkdir(parents=True, exist_ok=True)
        (docs / path).write_text("x", encoding="utf-8")
    config = MkDocsConfig(config_file_path=str(tmp_path / "mkdocs.yml"))
    config.load_dict({"site_name": "t", "docs_dir": str(docs), "site_dir": str(tmp_path / "site")})
    config.validate()
    assert walk_order(paths) == [f.src_uri for f in get_files(config)]


# ---------------------------------------------------------------- worker processes


@pytest.fixture
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Worker processes for the examples' 25 pages too, a few pages at a time."""
    from specgen import parallel

    monkeypatch.setattr(parallel, "MIN_ITEMS", 1)
    monkeypatch.setattr(parallel, "CHUNK", 3)


def test_pages_built_by_workers_are_the_pages_built_here(
    run, example_tree: Path, monkeypatch: pytest.MonkeyPatch, small_chunks: None
) -> None:
    from specgen import parallel

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    assert parallel.usable_jobs(2, 25) == 2
    for jobs in ("1", "2", "3"):
        result = run("build", "specs", "-o", f"site-{jobs}", "--no-cache", "--jobs", jobs, cwd=example_tree)
        assert result.exit_code == 0, result.output
    one = _digest(example_tree / "site-1")
    assert _digest(example_tree / "site-2") == one
    assert _digest(example_tree / "site-3") == one


def _title_edit_build(run, tree: Path, jobs: int):
    """Build with the cache, give a spec a new title, build again (in process); the second build's result."""
    from specgen import load_portfolio
    from specgen.site.build import build_site, cache_folder, open_build_cache

    assert run("build", "specs", "-o", "site", "--jobs", str(jobs), cwd=tree).exit_code == 0
    spec = tree / "specs" / "credit-decision-assistant.yml"
    spec.write_text(spec.read_text("utf-8").replace("title: ", "title: Renamed ", 1), "utf-8")
    cache = open_build_cache(cache_folder([tree / "specs"], tree / "specgen.yml"))
    try:
        portfolio = load_portfolio([tree / "specs"], project_file=tree / "specgen.yml", memo=cache)
        return build_site(portfolio, tree / "site", cache=cache, jobs=jobs)
    finally:
        cache.close()


def test_the_cache_gets_what_the_workers_computed(
    run, example_tree: Path, tmp_path_factory: pytest.TempPathFactory, small_chunks: None
) -> None:
    """After a new title every page is built again; the entries workers put in
    the cache are found as those of a build in this process are."""
    import shutil

    other = tmp_path_factory.mktemp("other") / "tree"
    shutil.copytree(example_tree, other)
    here = _title_edit_build(run, example_tree, 1)
    workers = _title_edit_build(run, other, 2)
    assert here.kept_pages == workers.kept_pages == 0
    assert workers.reused == here.reused > 0 and workers.computed == here.computed
    assert _digest(example_tree / "site") == _digest(other / "site")


def test_a_warning_in_a_worker_fails_the_build(run, example_tree: Path, small_chunks: None) -> None:
    broken = example_tree / "templates" / "site" / "workflow" / "exit.md.j2"
    broken.parent.mkdir(parents=True)
    broken.write_text("# Exit and handover\n\n[gone](no-such-page.md)\n", encoding="utf-8")
    result = run("build", "specs", "-o", "site", "--jobs", "2", cwd=example_tree)
    assert result.exit_code == 1
    assert "no-such-page.md" in result.output and "Traceback" not in result.output
    assert not (example_tree / "site").exists()


def test_an_error_in_a_worker_fails_the_build_and_keeps_the_site(run, example_tree: Path, small_chunks: None) -> None:
    assert run("build", "specs", "-o", "site", "--jobs", "2", cwd=example_tree).exit_code == 0
    before = _digest(example_tree / "site")
    theme = example_tree / "templates" / "site" / "theme" / "main.html"
    theme.parent.mkdir(parents=True, exist_ok=True)
    theme.write_text('{% extends "base.html" %}{% block content %}{{ page.no_such.thing() }}{% endblock %}', "utf-8")
    result = run("build", "specs", "-o", "site", "--jobs", "2", cwd=example_tree)
    assert result.exit_code == 1
    assert "mkdocs failed" in result.output and "Traceback" not in result.output
    assert _digest(example_tree / "site") == before


def test_workers_read_the_cache_while_this_process_writes_it(
    run, example_tree: Path, monkeypatch: pytest.MonkeyPatch, small_chunks: None
) -> None:
    """With a page cache of a few KiB every write transaction soon holds the
    database's exclusive lock (at 100 specs, workers reading while this
    process wrote waited out their timeout on every page, and workers that
    inherited its SQLite state read half-written pages). A rebuild of every
    page with workers must finish and give the clean build's site."""
    import signal

    from specgen.site import cachefile

    monkeypatch.setattr(cachefile, "PAGE_CACHE_KIB", 8)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")

    def too_long(*_: object) -> None:
        raise TimeoutError("the build with workers did not finish in 120 s")

    previous = signal.signal(signal.SIGALRM, too_long)
    signal.alarm(120)
    try:
        assert run("build", "specs", "-o", "site", "--jobs", "2", cwd=example_tree).exit_code == 0
        spec = example_tree / "specs" / "credit-decision-assistant.yml"
        spec.write_text(spec.read_text("utf-8").replace("title: ", "title: Renamed ", 1), "utf-8")
        result = run("build", "specs", "-o", "site", "--jobs", "2", cwd=example_tree)
        assert result.exit_code == 0, result.output
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    assert run("build", "specs", "-o", "clean", "--no-cache", "--jobs", "1", cwd=example_tree).exit_code == 0
    assert _digest(example_tree / "site") == _digest(example_tree / "clean")


def test_no_database_file_is_open_while_workers_are_made(tmp_path: Path) -> None:
    """SQLite tracks locks and open files per process: a worker forked while
    this process has the database open inherits that state. The cache closes
    its connection before the workers are made and reopens it after them;
    what is put meanwhile is kept."""
    import os

    from specgen.parallel import fork_map
    from specgen.site.cache import open_cache

    def open_files() -> set[str]:
        return {os.path.realpath(f"/proc/self/fd/{fd}") for fd in os.listdir("/proc/self/fd")}

    cache = open_cache(tmp_path / "cache")
    cache.put("before", {"n": 1})
    cache.commit()
    cache.close()
    cache = open_cache(tmp_path / "cache")
    database = str(cache.path.resolve())
    assert database in open_files()
    seen = []

    def work(index: int) -> int:
        return index * 2

    def before() -> None:
        cache.suspend()
        seen.append(database in open_files())
        cache.put("during", {"n": 2})

    results = fork_map(60, work, jobs=2, before_fork=before, after_pool=cache.resume)
    assert results == [i * 2 for i in range(60)]
    assert seen == [False]
    assert database in open_files()
    assert cache.get("before") == {"n": 1}
    cache.commit()
    cache.close()
    reopened = open_cache(tmp_path / "cache")
    assert reopened.get("during") == {"n": 2}
    reopened.close()


def test_get_many_reads_what_get_reads_in_a_few_queries(tmp_path: Path) -> None:
    """delta.plan reads every page's record at once: the same values as one
    get per key (stored, just put, missing), counted and kept alike."""
    from specgen.site.cache import _BATCH, open_cache

    cache = open_cache(tmp_path / "cache")
    stored = {f"k{i}": {"n": i, "text": "x" * (i % 7)} for i in range(2 * _BATCH + 3)}
    for key, value in stored.items():
        cache.put(key, value)
    cache.commit()
    cache.close()
    cache = open_cache(tmp_path / "cache")
    cache.put("new", [1, 2])
    keys = [*stored, "new", "missing"]
    statements = []
    cache._db.set_trace_callback(statements.append)
    found = cache.get_many(keys)
    cache._db.set_trace_callback(None)
    assert found == {**stored, "new": [1, 2]}
    assert found == {key: cache.get(key) for key in keys if cache.get(key) is not None}
    assert len(statements) == 3  # 2 * _BATCH + 3 keys from the database, "new" from memory
    cache.commit()  # prunes what this build did not use: everything was looked up
    cache.close()
    reopened = open_cache(tmp_path / "cache")
    assert reopened.get_many(keys) == found
    reopened.close()


def test_a_theme_file_showing_the_overviews_titles_gets_them_on_every_page(
    run, example_tree: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """specgen's own theme never shows an overview page's title elsewhere (its
    section's title stands for it), so overviews are built with the rest; a
    theme file of the user's may show it, and then every page has it."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    footer = example_tree / "templates" / "site" / "theme" / "partials" / "copyright.html"
    footer.parent.mkdir(parents=True)
    footer.write_text(
        '<p class="overviews">{{ nav.pages | selectattr("is_index") | map(attribute="title") | join(" / ") }}</p>\n',
        encoding="utf-8",
    )
    built = run("build", "specs", "-o", "site", "--keep-sources", "kept", "--no-cache", cwd=example_tree)
    assert built.exit_code == 0, built.output
    pages = sorted((example_tree / "site").rglob("*.html"))
    shown = {re.search(r'<p class="overviews">(.*?)</p>', p.read_text("utf-8")).group(1) for p in pages}
    assert len(shown) == 1 and "Credit-decision assistant" in shown.pop()
    run_mkdocs(example_tree / "kept", example_tree / "by-mkdocs")
    assert _digest(example_tree / "site") == _digest(example_tree / "by-mkdocs")


def test_files_are_found_by_any_spelling_of_their_path_as_mkdocs_finds_them(tmp_path: Path) -> None:
    """The navigation's and kept pages' look-ups skip mkdocs' path
    normalising for a path already normal; any other spelling still finds
    the file mkdocs would find, and a missing one is None."""
    from mkdocs.structure.files import File, Files

    from specgen.site.engine import _files_class

    site = str(tmp_path / "site")
    made = [File(path, None, site, False) for path in ("index.md", "workflows/a/decisions.md")]
    ours, theirs = _files_class(Files)(made), Files(made)
    spellings = [
        "workflows/a/decisions.md",
        "./workflows/a/decisions.md",
        "workflows//a/decisions.md",
        "workflows/a/./decisions.md",
        "index.md",
        "workflows/a/",
        "missing.md",
        Path("index.md"),
    ]
    for spelling in spellings:
        assert ours.get_file_from_path(spelling) is theirs.get_file_from_path(spelling), spelling
    assert ours.get_file_from_path("./workflows/a/decisions.md") is made[1]
    assert ours.get_file_from_path("missing.md") is None
