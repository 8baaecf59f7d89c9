"""The inline shortcut changes no byte of any page (:mod:`specgen.site.quickinline`)."""

from __future__ import annotations

from pathlib import Path

import markdown
import pytest
from markdown.inlinepatterns import SimpleTagInlineProcessor

from specgen.site.mkdocs import mkdocs_config
from specgen.site.quickinline import needs, triggers
from specgen.spec.schema import Project

QUICK = "specgen.site.quickinline"

CASES = {
    "plain words": "# Title\n\nJust words, digits 1.5 and ≥ 0.92; nothing inline.\n",
    "emphasis and strong": "**Objective.** Some *em* and _em_ and __strong__ and ***both***.\n",
    "lone stars and underscores": "a * b _ c snake_case_name 2*3*4\n",
    "backticks": "Use `code` and ``co`de`` and \\`not code\\`.\n",
    "escapes": "\\*not em\\* and \\_no\\_ and \\\\ backslash\n",
    "links and images": "[a](b.html) ![i](x.png) [ref][r] ![iref][r] [r]\n\n[r]: https://x.example\n",
    "autolinks": "<https://x.example/a> and <me@x.example>\n",
    "inline html": "a <span class='x'>b</span> <!-- c --> <?pi?> d\n",
    "entities": "&#42;star&#42; &amp; &lt;tag&gt; &#x5b;x&#x5d; &copy;\n",
    "line break": "first line  \nsecond line\n",
    "newline only": "first line\nsecond line\n",
    "admonition": '!!! warning "Readiness: *not* ready"\n    Text under it with `code`.\n\nPlain after.\n',
    "lists": "- one\n- two with **bold**\n    - nested plain\n\n1. first\n2. second\n",
    "pipe table": "| A | B |\n|---|---|\n| plain | *em* |\n| x &#124; y | z |\n",
    "attribute list": "## Heading {#custom-id}\n\nPara {: .cls }\n",
    "code block": "    indented code with * and _ and <b>\n\nafter\n",
    "fenced mermaid": "```mermaid\ngraph LR\n  a[*x*] --> b\n```\n\ntext\n",
    "placeholders next to text": "<table>\n<tr><td>x</td></tr>\n</table>\n\nafter the table\n",
    "unicode and controls": "Ünïcödé — “quotes” ‹x› \u00a0nbsp\n",
}


def _extensions(quick: bool) -> list[str]:
    names = []
    for entry in mkdocs_config(Project(), [])["markdown_extensions"]:
        name = entry if isinstance(entry, str) else next(iter(entry))
        if name == QUICK and not quick:
            continue
        names.append(name)
    return names


def _convert(text: str, quick: bool) -> tuple[str, list]:
    md = markdown.Markdown(extensions=_extensions(quick))
    return md.convert(text), md.toc_tokens


@pytest.mark.parametrize("text", CASES.values(), ids=CASES.keys())
def test_the_html_is_the_same_with_and_without_the_shortcut(text: str) -> None:
    assert _convert(text, quick=True) == _convert(text, quick=False)


def test_the_shortcut_is_part_of_the_site() -> None:
    assert QUICK in _extensions(True)


def test_every_page_of_the_example_site_is_the_same(run, example_tree: Path) -> None:
    built = run("build", "specs", "-o", "site", "--keep-sources", "kept", "--no-cache", cwd=example_tree)
    assert built.exit_code == 0, built.output
    pages = sorted((example_tree / "kept" / "docs").rglob("*.md"))
    assert len(pages) > 20
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert _convert(text, quick=True) == _convert(text, quick=False), page


def test_it_knows_the_characters_every_markdown_pattern_needs() -> None:
    md = markdown.Markdown(extensions=_extensions(True))
    assert triggers(md.inlinePatterns) == "\n&*<[\\_`"


def test_a_pattern_it_does_not_know_switches_it_off() -> None:
    """A strike-through pattern needs ``~``, which no known pattern does: were
    the shortcut to stay on, ``~~gone~~`` would come back as text."""
    md = markdown.Markdown(extensions=_extensions(True))
    md.inlinePatterns.register(SimpleTagInlineProcessor(r"()~~(.+?)~~", "del"), "strike", 55)
    assert triggers(md.inlinePatterns) is None
    assert md.convert("plain ~~gone~~ text") == "<p>plain <del>gone</del> text</p>"


def test_a_delimiter_added_later_is_a_trigger() -> None:
    md = markdown.Markdown(extensions=_extensions(True))
    md.delimiters.add("~", "del", False, True)
    assert "~" in triggers(md.inlinePatterns)
    assert md.convert("plain ~~gone~~ text") == "<p>plain <del>gone</del> text</p>"


def test_random_texts_are_the_same() -> None:
    """Seeded random texts mixing every character a pattern needs: patterns
    are passed over only where the text lacks their characters, and the
    result must be what trying every pattern gives."""
    import random

    rng = random.Random(1202)
    pieces = ["word", " ", "*", "**", "_", "__", "`", "``", "\\", "[", "](x.md)", "![", "<", ">", "&", "&amp;", "&#42;"]
    pieces += ["<b>", "</b>", "<https://x.example>", "  \n", "\n", "#", "|", "~", "é", "{: .c }"]
    pieces += ["[r]", "\n\n[r]: y.md\n"]
    for _ in range(400):
        text = "".join(rng.choices(pieces, k=rng.randint(1, 14)))
        text = rng.choice(["", "# ", "- ", "| a | b |\n|---|---|\n| ", "!!! note\n    "]) + text
        assert _convert(text, quick=True) == _convert(text, quick=False), repr(text)


def test_it_knows_the_characters_of_each_pattern() -> None:
    md = markdown.Markdown(extensions=_extensions(True))
    each = needs(md.inlinePatterns)
    assert each is not None and len(each) == len(md.inlinePatterns)
    assert all(each)
