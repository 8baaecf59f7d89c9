"""specgen's search parser makes the same search entries as material's.

:mod:`specgen.site.searchparse` replaces, in one build's search index,
material's ``Parser`` (``html.parser`` underneath) by a faster tokenizer
(:class:`FastParser`, material's handlers) and faster handlers
(:class:`SectionParser`). Compared here with material's own, byte for byte:
the handler calls of the tokenizer, and the entries (as ``json.dumps`` writes
them) of hostile snippets, of seeded random pages, and of every page of the
examples' site and of the 100-spec benchmark portfolio (slow: they build).
"""

from __future__ import annotations

import json
import random
import shutil
from html.parser import HTMLParser
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import yaml
from material.plugins.search import plugin as material_search
from material.plugins.search.plugin import Parser, SearchIndex, SearchPlugin

from specgen import load_portfolio
from specgen.site import searchparse
from specgen.site.searchparse import FastParser, SectionParser, add_entry_from_context, parser_class, use_fast_parser
from specgen.spec.schema import Project, Spec
from tests.paths import EXAMPLES, PROJECT_FILE, bench_build, spec_files
from tests.search_support import entries, fast_index, page_snapshots
from tests.site_support import inject_markup

HOSTILE = [
    "<p>a &amp; b &lt;script&gt;alert(1)&lt;/script&gt; &#8230; &#x2026; &hellip; &amp</p>",
    '<p><a href="x?a=1&amp;b=2" title="&quot;quoted&quot; &lt;b&gt;">link</a></p>',
    "<!-- a comment --><p>after</p><!--\nmulti\nline\n--><h2 id=x>T</h2>",
    "<p>line<br>break<br/>and<br />more</p><hr><hr/><p>x</p>",
    "<script>if (a < b && c > d) { x = '</p>'; }</script><p>visible</p>",
    "<style>p > a { color: red; }</style><p>visible</p><SCRIPT type=x>y</SCRIPT><script></script>",
    "<input disabled><td data-search-exclude>hidden</td><p>shown</p>",
    "<p class='single' id=unquoted data-x=\"y\">text</p>",
    "<p>1 < 2 and 3 > 2, a<-b, <3, << >></p>",
    "<p><![CDATA[not cdata]]> and <!DOCTYPE html> and <?pi x?></p>",
    "<H1 ID='Top'>Title</H1><P CLASS=X>Upper</P></P>",
    "<p>unicode: é ü 中文 🚀 \u00a0nbsp\u2003em</p><h2 id=ü>Ü</h2>",
    '<h1 id="t">Title<a class="headerlink" href="#t">¶</a></h1><p>x</p>',
    "<h2 id=a>A</h2><div><h3 id=b>B</h3><p>in</p></div><p>out</p>",
    '<div class="linenodiv"><pre>1\n2</pre></div><pre><code>x  =  1\n\n  y</code></pre>',
    "<ul><li><p> </p></li><li>item <code>c</code></li></ul><p><sub>1</sub><sup> </sup></p>",
    "<table><tr><th>h</th></tr><tr><td>a\nb</td></tr></table>",
    "<p>unterminated <a href='x",
    "<title>t<b>x</b></title><textarea>a<b>c</textarea>",
    "<a b=c/><a b = c><a b==c><a b=><a\u00a0b><a b='c'd><a b=c\u00a0d></ a></3>",
    "<script>never closed <p>x</p>",
    "<p>text</p><",
    "&",
    "",
    "<object><p>in object</p></object><p>after</p>",
    "<div data-search-exclude><p>x</p><div>inner</div></div><div>after</div>",
]
"""Entities, comments, void and self-closed tags, raw text, odd attributes,
``<`` in text, declarations, upper case, unicode, headings and exclusions,
and markup the fast tokenizer must hand to ``HTMLParser``."""

REFUSED = {4, 9, 17, 18, 19, 20, 21}
"""The :data:`HOSTILE` snippets the fast tokenizer leaves to ``HTMLParser``:
``</`` inside a script, declarations, unterminated markup, ``title`` and
``textarea``, odd attributes and end tags, a ``<`` ending the page."""


class _Recorder:
    """Records the handler calls a parser makes (reset with the parser's state)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.calls: list[tuple[Any, ...]] = []
        super().__init__(*args, **kwargs)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.calls.append(("start", tag, list(attrs)))

    def handle_endtag(self, tag: str) -> None:
        self.calls.append(("end", tag))

    def handle_data(self, data: str) -> None:
        self.calls.append(("data", data))

    def handle_comment(self, data: str) -> None:
        self.calls.append(("comment", data))

    def handle_decl(self, decl: str) -> None:
        self.calls.append(("decl", decl))

    def handle_pi(self, data: str) -> None:
        self.calls.append(("pi", data))

    def unknown_decl(self, data: str) -> None:
        self.calls.append(("unknown", data))


class _StdRecorder(_Recorder, HTMLParser):
    pass


class _FastRecorder(_Recorder, FastParser):
    pass


def _parse(parser_type: type[Any], html: str) -> Any:
    parser = parser_type()
    parser.feed(html)
    parser.close()
    return parser


def _page(html: str, **meta: Any) -> SimpleNamespace:
    return SimpleNamespace(content=html, toc=[], url="page/", meta=meta, title="Page")


def _ours(parser_type: type[FastParser], page: Any) -> str:
    index = SearchIndex()
    add_entry_from_context(index, page, parser_type)
    return json.dumps(index.entries, separators=(",", ":"), default=str)


def _check(html: str) -> bool:
    """Asserts both parsers agree on ``html``; returns whether the fast tokenizer read it."""
    assert _parse(_FastRecorder, html).calls == _parse(_StdRecorder, html).calls
    page = _page(html)
    expected = entries(SearchIndex(), page)
    assert _ours(FastParser, page) == expected
    assert _ours(SectionParser, page) == expected
    assert entries(fast_index(), page) == expected
    return bool(_parse(FastParser, html).fast)


@pytest.mark.parametrize("number", range(len(HOSTILE)))
def test_hostile_snippets_give_the_same_calls_and_entries(number: int) -> None:
    fast = _check(HOSTILE[number])
    assert fast is (number not in REFUSED), "the fast tokenizer read (or refused) it unexpectedly"


PIECES = [
    *(
        "<p>",
        "</p>",
        "<P CLASS=x>",
        '<a href="x&amp;y">',
        "</a>",
        "<br>",
        "<br/>",
        "<br />",
        "<hr>",
        "<img src=x alt=''>",
    ),
    *(" ", "  ", "\n", "text", "more text", "&amp;", "&lt;script&gt;", "&#8230;", "&quot;", "é", "\u00a0", "中"),
    *(
        "<!-- c -->",
        "<script>x<y</script>",
        "<script></script>",
        "<style>a{}</style>",
        "<a b>",
        "<a b='c'>",
        "<a b=c>",
        "<x-y>",
        "</x-y>",
    ),
    *(
        '<h1 id="top">',
        "</h1>",
        "<h2 id=t>",
        "<h2>",
        "</h2>",
        "<h3 id='u'>",
        "</h3>",
        '<a class="headerlink" href="#">',
    ),
    *("<code>", "</code>", "<pre>", "</pre>", "<li>", "</li>", "<ul>", "</ul>", "<ol>", "</ol>", "<sub>", "</sub>"),
    *("<div>", "</div>", "<div data-search-exclude>", '<div class="linenodiv">', "<td data-search-exclude>", "</td>"),
    *("<object>", "</object>", "<table>", "<tr>", "<td>", "</tr>", "</table>", "<sup>", "</sup>", "<", ">", "1 < 2"),
    *("<a b = c>", "<!DOCTYPE html>", "<![CDATA[x]]>", "<?pi?>", "<title>", "</ a>", "&am", "<a b=c/>", "<script>"),
]
"""Fragments of the random pages: mostly what Markdown writes, some of what
it never writes (the last row: those pages go to ``HTMLParser``)."""


@pytest.mark.parametrize("seed", range(3))
def test_random_pages_give_the_same_calls_and_entries(seed: int) -> None:
    rng = random.Random(seed)
    fast = 0
    for _ in range(150):
        fast += _check("".join(rng.choice(PIECES) for _ in range(rng.randint(1, 30))))
    assert fast > 20, "too few random pages took the fast path to prove anything"


def test_use_fast_parser_changes_only_that_index() -> None:
    plugin = SearchPlugin()
    plugin.search_index = SearchIndex()
    other = SearchIndex()
    assert use_fast_parser(SimpleNamespace(plugins={"material/search": plugin}))
    assert "add_entry_from_context" in vars(plugin.search_index)
    assert "add_entry_from_context" not in vars(other)
    assert material_search.Parser is Parser and Parser.feed is HTMLParser.feed  # nothing global changed
    assert parser_class() is SectionParser


def _search_plugins() -> tuple[Any, SearchPlugin]:
    """mkdocs' plugin collection holding material's search plugin, as a build has it."""
    from mkdocs.plugins import PluginCollection

    plugin = SearchPlugin()
    plugin.load_config({})
    plugin.search_index = SearchIndex()
    plugins = PluginCollection()
    plugins["material/search"] = plugin
    return plugins, plugin


@pytest.mark.parametrize(
    "content",
    [
        "<h1 id='a'>A</h1><p>plain text</p>",
        '<h1 id="a">A</h1><pre class="mermaid" data-search-exclude="">x</pre><p data-search-x="y">t</p>',
        "<p>data-search- mentioned in text, no attribute</p>",
    ],
)
def test_the_page_event_leaves_pages_as_material_does(content: str) -> None:
    """With material's plugin file, its page event is replaced by one that
    skips the attribute pass on pages without ``data-search-``: each page
    comes out, and is indexed, as by material's own event."""
    plugins, plugin = _search_plugins()
    assert use_fast_parser(SimpleNamespace(plugins=plugins))
    event = plugins.events["page_context"]
    assert len(event) == 1 and getattr(event[0], "__self__", None) is None  # replaced
    theirs_plugins, theirs = _search_plugins()
    ours_page, their_page = (
        SimpleNamespace(content=content, toc=[], title="T", url="p.html", meta={}, file=None) for _ in range(2)
    )
    event[0]({}, page=ours_page, config=None, nav=None)
    theirs_plugins.events["page_context"][0]({}, page=their_page, config=None, nav=None)
    assert ours_page.content == their_page.content
    assert theirs.search_index.entries and plugin.search_index.entries == theirs.search_index.entries


def test_without_a_material_search_index_nothing_changes() -> None:
    assert not use_fast_parser(SimpleNamespace(plugins={}))
    assert not use_fast_parser(SimpleNamespace(plugins={"search": SimpleNamespace(search_index=object())}))
    wrapped = SearchIndex()
    wrapped.add_entry_from_context = lambda page: None  # type: ignore[method-assign]
    assert not use_fast_parser(SimpleNamespace(plugins={"material/search": SimpleNamespace(search_index=wrapped)}))


def test_the_known_plugin_file_is_recognised_without_reading_sources(monkeypatch: pytest.MonkeyPatch) -> None:
    assert searchparse._plugin_file_digest() == searchparse._PLUGIN_FILE
    monkeypatch.setattr(searchparse, "_digest", lambda *objects: pytest.fail("read sources"))
    assert parser_class() is SectionParser


def test_changed_material_code_falls_back(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(searchparse, "_PLUGIN_FILE", "0" * 64)  # another plugin.py: the classes are compared
    assert parser_class() is SectionParser
    monkeypatch.setattr(searchparse, "_HANDLERS_SOURCE", "0" * 64)
    assert parser_class() is FastParser  # material's handlers, the fast tokenizer
    monkeypatch.setattr(searchparse, "_ADD_ENTRY_SOURCE", "0" * 64)
    assert parser_class() is None
    index = SearchIndex()
    assert not use_fast_parser(SimpleNamespace(plugins={"material/search": SimpleNamespace(search_index=index)}))
    assert "add_entry_from_context" not in vars(index)


def _compare_pages(pages: list[Any]) -> int:
    """Asserts page by page that the entries are the same; returns how many the fast tokenizer read."""
    fast = 0
    for page in pages:
        assert entries(fast_index(), page) == entries(SearchIndex(), page), page.src_uri
        fast += _parse(FastParser, page.content).fast
    return fast


@pytest.mark.slow
def test_every_page_of_the_examples_site_gives_the_same_entries() -> None:
    pages = page_snapshots(load_portfolio([EXAMPLES], project_file=PROJECT_FILE))
    names = {p.src_uri.rpartition("/")[2] for p in pages}
    assert {"index.md", "glossary.md", "reference.md", "definition.md", "history.md", "print.md"} <= names
    assert _compare_pages(pages) == len(pages), "the examples' pages should all take the fast path"


@pytest.mark.slow
def test_pages_with_markup_in_every_text_field_give_the_same_entries(tmp_path: Path) -> None:
    specs = tmp_path / "specs"
    specs.mkdir()
    project = yaml.safe_load(PROJECT_FILE.read_text(encoding="utf-8"))
    inject_markup(project, Project)
    (tmp_path / "specgen.yml").write_text(yaml.safe_dump(project), encoding="utf-8")
    for path in spec_files():
        spec = yaml.safe_load(path.read_text(encoding="utf-8"))
        inject_markup(spec, Spec)
        (specs / path.name).write_text(yaml.safe_dump(spec), encoding="utf-8")
        for sidecar in path.parent.glob(f"{path.stem}.*.yml"):
            shutil.copy(sidecar, specs / sidecar.name)
    portfolio = load_portfolio([specs], project_file=tmp_path / "specgen.yml")
    assert portfolio.ok, portfolio.diagnostics[:3]
    _compare_pages(page_snapshots(portfolio, tmp_path))


@pytest.mark.slow
def test_every_page_of_the_100_spec_portfolio_gives_the_same_entries(tmp_path: Path) -> None:
    specs = bench_build().make_portfolio(tmp_path, 100)
    pages = page_snapshots(load_portfolio([specs], project_file=tmp_path / "specgen.yml"), tmp_path)
    assert len(pages) > 1000
    assert _compare_pages(pages) == len(pages)
