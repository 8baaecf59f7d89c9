"""Rebuilding only what changed (:mod:`specgen.site.delta`, :mod:`specgen.site.pagememo`).

Each test builds through the CLI, as a user would, and compares the result
with a clean ``--no-cache`` build; the delta's own promises are checked on
top: unchanged pages are kept (the same file, linked), the previous site is
never written through, and anything the manifest cannot vouch for makes
the build start again in full.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import markdown
import pytest

from specgen.site import searchlayout
from specgen.site.pagememo import WatchedSite, canonical, fingerprint
from tests.site_support import file_digests

SPEC = "specs/credit-decision-assistant.yml"
OVERVIEW = "site/workflows/credit-decision-assistant/index.html"
CONTROLS = "site/workflows/credit-decision-assistant/controls.html"


def _build(run, tree: Path, *extra: str) -> tuple[int, int]:
    """Build ``site`` with the cache; (pages rebuilt, pages) from the summary line."""
    result = run("build", "specs", "-o", "site", *extra, cwd=tree)
    assert result.exit_code == 0, result.output
    if " pages rebuilt" not in result.output:
        return -1, -1
    rebuilt = result.output.split(" pages rebuilt")[0].rsplit("; ", 1)[1]
    count, total = (int(n) for n in rebuilt.split(" of "))
    return count, total


def _same_as_clean(run, tree: Path) -> None:
    clean = run("build", "specs", "-o", "clean", "--no-cache", cwd=tree)
    assert clean.exit_code == 0, clean.output
    assert file_digests(tree / "site") == file_digests(tree / "clean")


def _edit(tree: Path, old: str, new: str, path: str = SPEC) -> None:
    file = tree / path
    text = file.read_text(encoding="utf-8")
    assert old in text, old
    file.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_a_text_edit_rebuilds_only_the_pages_showing_it(run, example_tree: Path) -> None:
    _build(run, example_tree)
    controls_before = os.stat(example_tree / CONTROLS).st_ino
    _edit(example_tree, "Scores personal-loan", "Scores every personal-loan")
    rebuilt, total = _build(run, example_tree)
    showing = [
        p for p in (example_tree / "site").rglob("*.html") if "Scores every personal-loan" in p.read_text("utf-8")
    ]
    assert 0 < rebuilt <= len(showing) < total
    # a page that does not show the text is the previous site's very file
    assert os.stat(example_tree / CONTROLS).st_ino == controls_before
    _same_as_clean(run, example_tree)


def test_the_previous_site_is_never_written_through(run, example_tree: Path, tmp_path: Path) -> None:
    _build(run, example_tree)
    witness = tmp_path / "old-overview.html"
    os.link(example_tree / OVERVIEW, witness)  # the previous site's file, whatever its name becomes
    old = witness.read_bytes()
    marker = tmp_path / "old-marker"
    os.link(example_tree / "site" / ".specgen-site", marker)
    _edit(example_tree, "Scores personal-loan", "Scores every personal-loan")
    rebuilt, _ = _build(run, example_tree)
    assert rebuilt > 0
    assert witness.read_bytes() == old, "a rebuilt page was written into the previous site's file"
    assert b"Scores every personal-loan" in (example_tree / OVERVIEW).read_bytes()
    assert marker.read_bytes() == (example_tree / "site" / ".specgen-site").read_bytes()


@pytest.mark.parametrize("tamper", ["edited", "removed", "added"])
def test_a_site_changed_by_hand_is_built_in_full(run, example_tree: Path, tamper: str) -> None:
    _build(run, example_tree)
    target = example_tree / CONTROLS
    if tamper == "edited":
        target.write_text("<p>hand edit</p>", encoding="utf-8")
    elif tamper == "removed":
        target.unlink()
    else:
        (example_tree / "site" / "notes.html").write_text("mine", encoding="utf-8")
    _edit(example_tree, "Scores personal-loan", "Scores every personal-loan")
    rebuilt, total = _build(run, example_tree)
    assert rebuilt == total
    _same_as_clean(run, example_tree)


def test_a_new_title_rebuilds_every_page(run, example_tree: Path) -> None:
    _build(run, example_tree)
    _edit(example_tree, "title: ", "title: Renamed ")
    rebuilt, total = _build(run, example_tree)
    assert rebuilt == total
    _same_as_clean(run, example_tree)


def test_a_failed_build_keeps_what_the_next_one_reuses(run, example_tree: Path) -> None:
    _build(run, example_tree)
    before = file_digests(example_tree / "site")
    broken = example_tree / "templates" / "site" / "workflow" / "exit.md.j2"
    broken.parent.mkdir(parents=True)
    broken.write_text("{{ no_such_thing.at_all }}\n", encoding="utf-8")
    failed = run("build", "specs", "-o", "site", cwd=example_tree)
    assert failed.exit_code != 0
    assert file_digests(example_tree / "site") == before
    broken.unlink()
    rebuilt, _ = _build(run, example_tree)
    assert rebuilt == 0, "the failed build must not have spoilt the manifest of the site it left in place"
    _same_as_clean(run, example_tree)


def test_a_page_reading_the_whole_site_is_rendered_every_time(run, example_tree: Path) -> None:
    """A user's template that lists every workflow's summary on each exit page:
    editing one spec must change the other spec's exit page."""
    override = example_tree / "templates" / "site" / "workflow" / "exit.md.j2"
    override.parent.mkdir(parents=True)
    override.write_text(
        "# Exit and handover\n\n{% for w in site.workflows %}- {{ w.spec.summary }}\n{% endfor %}\n", encoding="utf-8"
    )
    _build(run, example_tree)
    _edit(example_tree, "Scores personal-loan", "Scores every personal-loan")
    _build(run, example_tree)
    others = [p for p in (example_tree / "site" / "workflows").glob("*/exit.html") if "credit-decision" not in str(p)]
    assert others and all("Scores every personal-loan" in p.read_text("utf-8") for p in others)
    _same_as_clean(run, example_tree)


def test_no_cache_takes_nothing_from_the_previous_site(run, example_tree: Path) -> None:
    _build(run, example_tree)
    inode = os.stat(example_tree / CONTROLS).st_ino
    result = run("build", "specs", "-o", "site", "--no-cache", cwd=example_tree)
    assert result.exit_code == 0 and "rebuilt" not in result.output
    assert os.stat(example_tree / CONTROLS).st_ino != inode


# ---------------------------------------------------------------- digests of inputs


def test_canonical_spelling_ignores_order_but_not_content() -> None:
    assert fingerprint({"a": 1, "b": {2, 3}}) == fingerprint({"b": {3, 2}, "a": 1})
    assert fingerprint({"a": 1}) != fingerprint({"a": 2})
    assert fingerprint(["x", "y"]) != fingerprint(["y", "x"])
    assert fingerprint(Path("a/b")) != fingerprint("a/b")
    with pytest.raises(TypeError):
        canonical(object())


def test_a_map_of_texts_is_spelt_as_any_other_map() -> None:
    """The index of the site's pages (tuple keys, text values) takes a shorter
    way to its spelling; it must be the spelling every map gets."""
    index = {("w", "b"): "x.md", ("w", "a"): "y.md", ("v", "z", "q"): "z.md"}
    general = ["map", sorted([canonical(k), canonical(v)] for k, v in index.items())]
    assert json.dumps(canonical(index)) == json.dumps(general)
    assert (
        json.dumps(canonical(index))
        == '["map", [[["v", "z", "q"], "z.md"], [["w", "a"], "y.md"], [["w", "b"], "x.md"]]]'
    )
    assert fingerprint(index) == fingerprint(dict(reversed(list(index.items()))))
    assert fingerprint(index) != fingerprint({**index, ("w", "a"): "v.md"})
    assert canonical({"b": "1", "a": 2}) == ["map", [["a", 2], ["b", "1"]]]  # not all text: the general way


def test_watched_site_notices_a_read() -> None:
    class Site:
        workflows = ("w",)

    watched = WatchedSite(Site())
    assert not watched.read
    assert watched.workflows == ("w",)
    assert watched.read


def _manifest(tree: Path) -> tuple[object, str, dict]:
    from specgen.site import delta
    from specgen.site.cache import open_cache

    cache = open_cache(tree / ".specgen-cache")
    key = delta._manifest_key(tree / "site")
    return cache, key, cache.get(key)


def test_kept_pages_search_entries_are_cut_from_the_previous_index(run, example_tree: Path) -> None:
    """The cache does not store a page's search entries: the manifest says
    where they are in the site's index, and the next build cuts them from it."""
    import json

    from specgen.site import delta

    _build(run, example_tree)
    cache, _, manifest = _manifest(example_tree)
    try:
        layout = manifest["search"]
        chunks = searchlayout.search_chunks(example_tree / "site", layout)
        assert chunks is not None and set(chunks) == set(manifest["pages"])
        pages = manifest["pages"]
        groups = delta._groups(pages).values()
        stored = cache.get_many([delta._records_key(manifest["key"], paths, pages) for paths in groups])
        records = [record for group in stored.values() for record in group]
        assert len(stored) == len(groups) and len(records) == len(pages)
        assert all(set(r) == {"title", "meta", "anchors", "links"} for r in records)
    finally:
        cache.close()
    index = json.loads((example_tree / "site" / "search" / "search_index.json").read_text("utf-8"))
    cut = [entry for path, _ in layout["pages"] for entry in json.loads(b"[" + chunks[path] + b"]")]
    assert cut == index["docs"] and len(cut) > len(chunks)
    for path, chunk in chunks.items():  # each page's entries are its own
        page = path.removesuffix(".md").removesuffix("index")
        assert all(
            entry["location"].startswith(page.removesuffix("/") if page else "")
            for entry in json.loads(b"[" + chunk + b"]")
        )

    _edit(example_tree, "Scores personal-loan", "Scores every personal-loan")
    rebuilt, total = _build(run, example_tree)
    assert 0 < rebuilt < total
    _same_as_clean(run, example_tree)


def _an_edit_after_builds_in_full(run, tree: Path, cache) -> None:
    """With what was done to ``cache`` committed, an edit rebuilds every page, as a clean build would."""
    cache.commit(prune=False)
    cache.close()
    _edit(tree, "Scores personal-loan", "Scores every personal-loan")
    rebuilt, total = _build(run, tree)
    assert rebuilt == total
    _same_as_clean(run, tree)


@pytest.mark.parametrize("damage", ["shifted", "no layout", "head"])
def test_a_search_layout_that_does_not_fit_the_index_rebuilds_in_full(run, example_tree: Path, damage: str) -> None:
    _build(run, example_tree)
    cache, key, manifest = _manifest(example_tree)
    pages = manifest["search"]["pages"]
    if damage == "shifted":  # two pages' boundary moved by a few bytes: the totals still add up
        first, second = [i for i, (_, n) in enumerate(pages) if n > 20][:2]
        pages[first][1] += 7
        pages[second][1] -= 7
    elif damage == "no layout":
        del manifest["search"]
    else:
        manifest["search"]["head"] += 1
    cache.put(key, manifest)
    _an_edit_after_builds_in_full(run, example_tree, cache)


@pytest.mark.parametrize("damage", ["short", "not a list", "missing"])
def test_a_workflows_records_that_do_not_fit_are_not_trusted(run, example_tree: Path, damage: str) -> None:
    """A workflow's pages' records are one entry (the titles and anchors other
    pages need of the pages kept): one that does not fit its pages means a full build."""
    from specgen.site import delta

    _build(run, example_tree)
    cache, _, manifest = _manifest(example_tree)
    pages = manifest["pages"]
    paths = delta._groups(pages)["workflows/support-ticket-triage/"]
    group_key = delta._records_key(manifest["key"], paths, pages)
    stored = cache.get(group_key)
    assert isinstance(stored, list) and len(stored) == len(paths) > 1
    cache.put(group_key, stored[:-1] if damage == "short" else {"0": stored[0]} if damage == "not a list" else None)
    _an_edit_after_builds_in_full(run, example_tree, cache)


def _cached_build(tree: Path):
    """One build with the cache, in process; its :class:`BuildResult`."""
    from specgen import load_portfolio
    from specgen.rules import check_portfolio
    from specgen.site.build import build_site, cache_folder, open_build_cache

    cache = open_build_cache(cache_folder([tree / "specs"], tree / "specgen.yml"))
    try:
        portfolio = load_portfolio([tree / "specs"], project_file=tree / "specgen.yml", memo=cache)
        report = check_portfolio(portfolio, memo=cache)
        return build_site(portfolio, tree / "site", report=report, cache=cache, jobs=1)
    finally:
        cache.close()


def test_a_build_that_keeps_pages_uses_but_never_stores_under_the_last_navigation(example_tree: Path) -> None:
    """It renders with the last build's navigation digest, vouched for only
    once the build is over (:mod:`specgen.site.mkcache`): looked up under it,
    the pages an edit puts back come from the cache, theme included, but what
    it rendered itself is not stored under it."""
    spec = example_tree / SPEC
    original = spec.read_text(encoding="utf-8")
    assert _cached_build(example_tree).kept_pages == 0
    _edit(example_tree, "Scores personal-loan", "Scores every personal-loan")
    edited = _cached_build(example_tree)
    assert edited.kept_pages > 0 and edited.computed > 0
    spec.write_text(original, encoding="utf-8")
    undone = _cached_build(example_tree)
    again = _cached_build(example_tree)  # nothing changed: only the pages that read the whole site are rendered
    assert undone.kept_pages > 0 and again.kept_pages == again.pages
    assert undone.computed == again.computed, "a page put back by undoing the edit was rendered again"
    _edit(example_tree, "Scores personal-loan", "Scores every personal-loan")
    redone = _cached_build(example_tree)
    rebuilt = redone.pages - redone.kept_pages
    assert rebuilt > 0
    assert redone.computed == again.computed + rebuilt, (
        "the edited pages' theme was stored under an unvouched navigation"
    )


def test_a_printable_page_rebuilt_next_to_kept_pages_takes_their_sections_from_the_cache(
    run, example_tree: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An edit of the overview's text rebuilds the workflow's printable page,
    which repeats the section pages. Those kept from the last site are not
    converted again: the cache kept what converting them gave
    (:mod:`specgen.site.mkcache`'s pointer per page). The site is still the
    one a clean build makes."""
    _build(run, example_tree, "--jobs", "1")
    _edit(example_tree, "Scores personal-loan", "Scores every personal-loan")
    converted: list[str] = []
    convert = markdown.Markdown.convert

    def recording(self: markdown.Markdown, source: str) -> str:
        converted.append(source.split("\n", 1)[0])
        return convert(self, source)

    monkeypatch.setattr(markdown.Markdown, "convert", recording)
    rebuilt, total = _build(run, example_tree, "--jobs", "1")
    monkeypatch.setattr(markdown.Markdown, "convert", convert)
    assert 0 < rebuilt < total
    showing = {p.stem for p in (example_tree / "site").rglob("*.html") if "every personal-loan" in p.read_text()}
    assert "print" in showing and not showing & {"controls", "decisions", "acceptance", "exit"}
    assert "# Runbooks" in converted  # the printable page's own section (no page shows all runbooks)
    for heading in (
        "# Decision boundaries",
        "# Controls and monitoring",
        "# Acceptance and readiness",
        "# Exit and handover",
    ):
        assert heading not in converted, f"{heading}: a kept page's section was converted again"
    _same_as_clean(run, example_tree)


def _recording_renders(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the Jinja templates rendered from now on (``Template.render``)."""
    import jinja2

    rendered: list[str] = []
    render = jinja2.Template.render

    def recording(self: jinja2.Template, *args, **kwargs) -> str:
        rendered.append(str(self.name))
        return render(self, *args, **kwargs)

    monkeypatch.setattr(jinja2.Template, "render", recording)
    return rendered


STATIC = {"404.html", "sitemap.xml"}


def test_a_build_that_keeps_pages_takes_the_404_page_and_the_sitemap_from_the_cache(
    run, example_tree: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """They show the whole navigation (404) and every page (sitemap), not the
    text of one spec: a text edit puts back what the last build rendered."""
    rendered = _recording_renders(monkeypatch)
    _build(run, example_tree, "--jobs", "1")
    assert rendered.count("404.html") == rendered.count("sitemap.xml") == 1  # a first build renders them
    rendered.clear()
    _edit(example_tree, "Scores personal-loan", "Scores every personal-loan")
    rebuilt, total = _build(run, example_tree, "--jobs", "1")
    assert 0 < rebuilt < total and "main.html" in rendered  # the edited pages were rendered
    assert not STATIC & set(rendered)
    _same_as_clean(run, example_tree)


def test_what_a_build_that_keeps_pages_renders_of_them_is_stored_once_its_navigation_holds(
    run, example_tree: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On another day (no ``SOURCE_DATE_EPOCH``: the pages' dates move, the
    sitemap lists them) the first edit renders both again under the last
    build's navigation; once the build has found it unchanged they are
    stored, and the next edit takes them from the cache."""
    rendered = _recording_renders(monkeypatch)
    _build(run, example_tree, "--jobs", "1")
    monkeypatch.setattr("mkdocs.structure.pages.get_build_date", lambda: "2031-01-02")
    _edit(example_tree, "Scores personal-loan", "Scores every personal-loan")
    rendered.clear()
    assert _build(run, example_tree, "--jobs", "1")[0] > 0
    assert set(rendered) >= STATIC
    _edit(example_tree, "Scores every personal-loan", "Scores each personal-loan")
    rendered.clear()
    assert _build(run, example_tree, "--jobs", "1")[0] > 0
    assert "main.html" in rendered and not STATIC & set(rendered)
    _same_as_clean(run, example_tree)


def test_a_page_less_template_is_looked_up_by_the_pages_dates_and_base_url(tmp_path: Path) -> None:
    """The sitemap lists each page's date: another date is another entry (its
    URL follows from the site's files and the configuration, in the key too)."""
    from types import SimpleNamespace

    import jinja2

    from specgen.site.cache import open_cache
    from specgen.site.mkcache import CachePlugin

    template = jinja2.Environment().from_string(
        "{% for f in pages %}{{ f.page.update_date }} {% endfor %}{{ base_url }}"
    )
    template.name = "sitemap.xml"
    cache = open_cache(tmp_path / "cache")
    plugin = CachePlugin(cache, markdown_salt="m", page_salt="p", nav_key="n")
    plugin._known_nav_key = None  # a navigation vouched for: entries are stored

    def context(date: str, base: str = ".") -> dict:
        page = SimpleNamespace(abs_url=None, canonical_url=None, update_date=date)
        return {"page": None, "pages": [SimpleNamespace(page=page)] * 2, "base_url": base}

    try:
        assert plugin.render_page(template, context("2026-12-06")) == "2026-12-06 2026-12-06 ."
        template.render = lambda *a, **k: "rendered again"  # type: ignore[method-assign]
        assert plugin.render_page(template, context("2026-12-06")) == "2026-12-06 2026-12-06 ."  # from the cache
        assert plugin.render_page(template, context("2026-12-07")) == "rendered again"
        assert plugin.render_page(template, context("2026-12-06", "/docs/")) == "rendered again"
        # under a navigation only the last build vouched for: held back until this build does
        keeping = CachePlugin(cache, markdown_salt="m", page_salt="p", nav_key="n")
        assert keeping.render_page(template, context("2026-12-08")) == "rendered again"
        template.render = lambda *a, **k: "rendered a third time"  # type: ignore[method-assign]
        assert keeping.render_page(template, context("2026-12-08")) == "rendered a third time"
        keeping.vouch()
        assert keeping.render_page(template, context("2026-12-08")) == "rendered a third time"
        template.render = lambda *a, **k: "not looked up"  # type: ignore[method-assign]
        assert keeping.render_page(template, context("2026-12-08")) == "rendered a third time"
    finally:
        cache.close()


_HEAD = b'{"config":{"lang":["en"]},"docs":['
_PIECES = {
    "a.md": b'{"location":"a.html","text":"x"},{"location":"a.html#b","text":"y"}',
    "e.md": b"",
    "c.md": b'{"c":3}',
}


def _index_of(tmp_path: Path, body: bytes) -> Path:
    site = tmp_path / "site"
    (site / "search").mkdir(parents=True)
    (site / "search" / "search_index.json").write_bytes(_HEAD + body + b"]}")
    return site


@pytest.mark.parametrize(
    "lengths",
    [
        pytest.param({"a.md": 1}, id="cut inside an entry"),
        pytest.param({"c.md": 8}, id="past the end"),
        pytest.param({"c.md": 10}, id="past the file"),
        pytest.param({"c.md": 6}, id="short of the end"),
        pytest.param({"a.md": len(_PIECES["a.md"]) + 1}, id="over the comma"),
        pytest.param({"e.md": -1}, id="negative"),
        pytest.param({"e.md": 5}, id="an empty page given bytes"),
    ],
)
def test_search_chunks_are_cut_exactly_or_not_at_all(tmp_path: Path, lengths: dict[str, int]) -> None:
    """The pieces of the previous index are views of it, each a page's whole
    entries; a layout that does not fit the file to the byte gives none."""

    site = _index_of(tmp_path, b",".join(piece for piece in _PIECES.values() if piece))
    layout = {"head": len(_HEAD), "pages": [[path, len(piece)] for path, piece in _PIECES.items()]}
    chunks = searchlayout.search_chunks(site, layout)
    assert chunks is not None and {path: bytes(chunk) for path, chunk in chunks.items()} == _PIECES
    damaged = {"head": len(_HEAD), "pages": [[path, lengths.get(path, len(piece))] for path, piece in _PIECES.items()]}
    assert searchlayout.search_chunks(site, damaged) is None


def test_search_chunks_of_a_cut_off_index_are_none(tmp_path: Path) -> None:

    site = _index_of(tmp_path, _PIECES["a.md"])  # c.md's entries cut off
    layout = {"head": len(_HEAD), "pages": [[path, len(piece)] for path, piece in _PIECES.items()]}
    assert searchlayout.search_chunks(site, layout) is None
    # a's piece claiming the index's closing bytes too (they end as entries do): nothing left for c's
    layout["pages"][0][1] += 2
    assert searchlayout.search_chunks(site, layout) is None
