"""The raw-table shortcut changes no byte of any page (:mod:`specgen.site.rawhtml`)."""

from __future__ import annotations

import markdown
import pytest

from specgen.site.mkdocs import mkdocs_config
from specgen.spec.schema import Project

TABLE = '<table>\n<caption class="sg-caption">Cap &amp; more</caption>\n<tbody>\n<tr><td>a &lt;b&gt;</td></tr>\n</tbody>\n</table>'

CASES = {
    "alone": f"# Title\n\n{TABLE}\n\nAfter.\n",
    "two in a row": f"{TABLE}\n\n{TABLE}\n\ntext\n",
    "at the end": f"Before.\n\n{TABLE}\n",
    "at the end, no newline": f"Before.\n\n{TABLE}",
    "text right after": f"{TABLE}\nnot a blank line\n",
    "text on the closing line": TABLE.replace("</table>", "</table> tail") + "\n\nnext\n",
    "no blank line before": f"A paragraph\n{TABLE}\n\nafter\n",
    "attributes": TABLE.replace("<table>", '<table class="x" id="t">') + "\n\nz\n",
    "tablex is not a table": "<tablex>\n</tablex>\n\nq\n",
    "nested": "<table>\n<tr><td>\n<table>\n<tr><td>in</td></tr>\n</table>\n</td></tr>\n</table>\n\nafter\n",
    "indented in an admonition": f'!!! note "N"\n\n    {TABLE.replace(chr(10), chr(10) + "    ")}\n\nout\n',
    "never closed": "<table>\n<tr><td>open\n\nrest\n",
    "inside a fence": f"```\n{TABLE}\n```\n\nx\n",
    "markdown inside": "<table>\n<tr><td>*not emphasis*</td></tr>\n</table>\n\n*emphasis*\n",
    "a steps div": '# R\n\n<div class="sg-steps">\n<p><strong>1&#46; Go</strong></p>\n<ol>\n<li>x &amp; y</li>\n</ol>\n</div>\n\nAfter <a href="x.html">link</a>.\n',
    "a div with an anchor": '<div class="sg-steps">\n<p id="step-1">x</p>\n</div>\n\nafter\n',
    "nested divs": '<div class="sg-steps">\n<div class="sg-x">\n<p>x</p>\n</div>\n</div>\n\nafter\n',
    "a loose ampersand in a div": '<div class="sg-steps">\n<p>R&D x</p>\n</div>\n\nafter\n',
    "a comment in a div": '<div class="sg-steps">\n<!-- c -->\n<p>x</p>\n</div>\n\nafter\n',
    "a script in a div": '<div class="sg-steps">\n<script>if (a</div>) {}</script>\n</div>\n\nafter\n',
    "a script holding a div's end": '<div class="sg-steps">\n<script>\n</div>\n\n</script>\n</div>\n\nafter *x*\n',
    "a comment holding a div's end": '<div class="sg-steps">\n<!--\n</div>\n\n-->\n</div>\n\nafter *x*\n',
    "a div of someone else": '<div class="other">\n<p>*x*</p>\n</div>\n\nafter\n',
    "a div with no blank line after": '<div class="sg-steps">\n<p>x</p>\n</div>\nafter\n',
    "a div never closed": '<div class="sg-steps">\n<p>x</p>\n\nafter\n',
    "inline tags only": 'A <a href="x.html#y">link</a>, <strong>strong</strong>, <em>em</em><br> and <code>c</code>.\n',
    "inline tags at a line start": '<a href="x.html">link</a> first\n\n<strong>bold</strong> too\n',
    "an inline tag with a quoted >": 'A <a href="x" title="a>b">link</a>\n',
    "an inline tag with single quotes": "A <a href='x'>link</a>\n",
    "an unknown inline tag": 'A <foo>bar</foo> <img src="x.png">\n',
    "a lone <": "a < b and <3\n",
    "no html at all": "# Title\n\nJust text, &#60;escaped&#62; &amp; &#x5b;x&#x5d; &copy; &frac12;\n",
    "a loose ampersand": "R&D and &#60x and &copy and & alone\n",
    "an entity at the end": "text &amp;",
    "inline html": "a <span>b</span> c\n",
    "an html block": "<div>\n*x*\n</div>\n\nafter\n",
    "a comment": "<!-- c -->\n\ntext\n",
}


def _extensions(with_raw: bool) -> list:
    names = []
    for entry in mkdocs_config(Project(), [])["markdown_extensions"]:
        name = entry if isinstance(entry, str) else next(iter(entry))
        if name == "specgen.site.rawhtml" and not with_raw:
            continue
        if name in ("tables", "admonition", "attr_list", "specgen.site.captions", "specgen.site.rawhtml", "toc"):
            names.append(name)
    return names


@pytest.mark.parametrize("text", CASES.values(), ids=CASES.keys())
def test_the_html_is_the_same_with_and_without_the_shortcut(text: str) -> None:
    plain = markdown.Markdown(extensions=_extensions(False)).convert(text)
    quick = markdown.Markdown(extensions=_extensions(True)).convert(text)
    assert quick == plain


@pytest.mark.parametrize(
    "text",
    [
        "Just text &#60;x&#62; &amp; more\n",
        f"# T\n\n{TABLE}\n\nafter\n",
        '<div class="sg-steps">\n<p><strong>1&#46; Go</strong></p>\n</div>\n\nA <a href="x.html">link</a>.\n',
    ],
)
def test_pages_with_no_html_left_skip_the_html_parser(text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from markdown import htmlparser

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the HTML parser ran")

    monkeypatch.setattr(htmlparser.HTMLExtractor, "feed", refuse)
    assert markdown.Markdown(extensions=_extensions(True)).convert(text)


def test_the_shortcut_is_part_of_the_site() -> None:
    assert "specgen.site.rawhtml" in _extensions(True)
