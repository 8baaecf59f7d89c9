"""The pipe-table shortcut changes no byte of any page (:mod:`specgen.site.pipetables`).

Every case is converted by the site's Python-Markdown setup with and without
the shortcut, and the two must agree; the plain cases must also really take
the shortcut, or the comparison would prove nothing.
"""

from __future__ import annotations

import random
from typing import Any

import markdown
import pytest

from specgen.site.mkdocs import mkdocs_config
from specgen.spec.schema import Project
from specgen.text import sow_markdown
from tests.hostile import HOSTILE

PLAIN = "| Item | Value |\n|---|---|\n| Workflow | Credit ≥ 0.92 > 0.8 |\n| Spec id | workflow-0005 |\n"

CASES = {
    "under a heading": f"# Title\n\nIntro.\n\n{PLAIN}\nAfter.\n",
    "no heading: no caption": f"Intro.\n\n{PLAIN}",
    "page start": PLAIN,
    "at the end, no newline": f"## H\n\n{PLAIN.rstrip()}",
    "two tables, two headings": f"# A\n\n{PLAIN}\n## B ##\n\n{PLAIN}\n",
    "heading with #s and spaces": f"### C# and F# ##  \n\n{PLAIN}",
    "heading with markup": f"# *Emphasis* here\n\n{PLAIN}\n# Plain\n\n{PLAIN}",
    "heading with an attribute list": f"## Title {{ #custom-id }}\n\n{PLAIN}",
    "heading with an entity": f"# Fish &amp; chips\n\n{PLAIN}",
    "heading with > ": f"# a > b\n\n{PLAIN}",
    "no blank line before": f"# T\nparagraph\n{PLAIN}\nx\n",
    "text right after": f"# T\n\n{PLAIN}not a row\n",
    "alignment": "# T\n\n| a | b |\n|:---|---:|\n| 1 | 2 |\n",
    "centre": "# T\n\n| a | b |\n|:-:|---|\n| 1 | 2 |\n",
    "short and long rows": "# T\n\n| a | b | c |\n|---|---|---|\n| 1 |\n| 1 | 2 | 3 | 4 |\n||\n",
    "empty body": "# T\n\n| a | b |\n|---|---|\n",
    "empty header cell": "# T\n\n| Document control | |\n|---|---|\n| x | y |\n",
    "one column": "# T\n\n| a |\n|---|\n| 1 |\n",
    "no outer pipes": "# T\n\na | b\n---|---\n1 | 2\n",
    "separator with spaces": "# T\n\n| a | b |\n| --- | --- |\n| 1 | 2 |\n",
    "separator of spaces": "# T\n\n| a | b |\n|   | --- |\n| 1 | 2 |\n",
    "separator too short": "# T\n\n| a | b | c |\n|---|---|\n| 1 | 2 | 3 |\n",
    "escaped pipe": "# T\n\n| a | b |\n|---|---|\n| 1 \\| 2 | 3 |\n",
    "code span with a pipe": "# T\n\n| a | b |\n|---|---|\n| `x|y` | 3 |\n",
    "emphasis in a cell": "# T\n\n| a | b |\n|---|---|\n| *x* | __y__ |\n",
    "link in a cell": "# T\n\n| a | b |\n|---|---|\n| [x](y.md) | <b>z</b> |\n",
    "entity in a cell": "# T\n\n| a | b |\n|---|---|\n| &amp; | & |\n",
    "attribute list in a cell": "# T\n\n| a | b |\n|---|---|\n| x { .red } | y |\n",
    "indented in an admonition": '!!! note "N"\n\n    | a | b |\n    |---|---|\n    | 1 | 2 |\n\n| c | d |\n|---|---|\n| 3 | 4 |\n',
    "heading in an admonition": "# Top\n\n!!! note\n\n    ## Inner\n\n| a | b |\n|---|---|\n| 1 | 2 |\n",
    "setext heading": f"Setext\n------\n\n{PLAIN}",
    "setext heading, =": f"Setext\n===\n\n{PLAIN}",
    "heading in a list": f"# Top\n\n- # Item heading\n\n{PLAIN}",
    "heading in a quote": f"# Top\n\n> # Quoted\n\n{PLAIN}",
    "raw html heading": f"# Top\n\n<h2>Raw</h2>\n\n{PLAIN}",
    "inside a fence": f"# T\n\n```\n{PLAIN}```\n\n{PLAIN}",
    "lazy heading after a list item": f"# Top\n\n- item\n# Lazy\n\n{PLAIN}",
    "trailing spaces": "# T  \n\n| a | b |   \n|---|---|\n| 1  |  2 |  \n",
    "indented rows": "# T\n\n  | a | b |\n  |---|---|\n  | 1 | 2 |\n",
    "tab in a cell": "# T\n\n| a\tb | c |\n|---|---|\n| 1 | 2 |\n",
    "hash in a cell": "# T\n\n| #1 | b# |\n|---|---|\n| 1 | 2 |\n",
}


def _extensions(with_shortcut: bool) -> tuple[list[str], dict[str, Any]]:
    names, configs = [], {}
    for entry in mkdocs_config(Project(), [])["markdown_extensions"]:
        name = entry if isinstance(entry, str) else next(iter(entry))
        if name == "specgen.site.pipetables" and not with_shortcut:
            continue
        names.append(name)
        if isinstance(entry, dict):
            configs[name] = entry[name]
    return names, configs


def _convert(text: str, with_shortcut: bool) -> tuple[str, int]:
    names, configs = _extensions(with_shortcut)
    md = markdown.Markdown(extensions=names, extension_configs=configs)
    return md.convert(text), md.htmlStash.html_counter


def _same(text: str) -> int:
    """Assert both conversions agree; how many blocks the shortcut stashed."""
    plain, plain_stashed = _convert(text, False)
    quick, quick_stashed = _convert(text, True)
    assert quick == plain
    return quick_stashed - plain_stashed


@pytest.mark.parametrize("text", CASES.values(), ids=CASES.keys())
def test_the_html_is_the_same_with_and_without_the_shortcut(text: str) -> None:
    _same(text)


@pytest.mark.parametrize("name", ["under a heading", "page start", "two tables, two headings", "empty body"])
def test_plain_tables_take_the_shortcut(name: str) -> None:
    assert _same(CASES[name]) >= 1


@pytest.mark.parametrize("name", ["emphasis in a cell", "setext heading", "heading in a list", "raw html heading"])
def test_what_it_cannot_tell_is_left_to_python_markdown(name: str) -> None:
    assert _same(CASES[name]) == 0


@pytest.mark.parametrize("hostile", HOSTILE)
def test_hostile_spec_text_in_cells_and_headings(hostile: str) -> None:
    """Spec text as the definition writes it (escaped for Markdown) in a
    heading, a cell and a caption: the same HTML either way."""
    cell = sow_markdown(hostile)
    text = f"## {cell}\n\n| a | b |\n|---|---|\n| {cell} | plain |\n\n# Next\n\n| {cell} | b |\n|---|---|\n| x | y |\n"
    _same(text)


def test_random_pages() -> None:
    """Seeded random pages of headings, paragraphs and tables whose cells
    mix plain text with characters Markdown gives a meaning."""
    rng = random.Random(20261202)
    words = ["plain", "text", "≥ 0.9", "a > b", "x*y", "_u_", "`c`", "&", "<i>", "{x}", "#", "\\", "—", "  ", "é"]
    taken = 0
    for _ in range(300):
        parts = []
        for _ in range(rng.randint(1, 6)):
            kind = rng.random()
            if kind < 0.3:
                parts.append("#" * rng.randint(1, 7) + " " + " ".join(rng.choices(words, k=rng.randint(1, 3))))
            elif kind < 0.45:
                parts.append(" ".join(rng.choices(words, k=rng.randint(1, 6))))
            else:
                width = rng.randint(1, 4)
                rows = [
                    "| " + " | ".join(" ".join(rng.choices(words[:4], k=2)) for _ in range(width)) + " |"
                    for _ in range(rng.randint(0, 4))
                ]
                if rng.random() < 0.3:
                    rows = [row.replace("plain", rng.choice(words)) for row in rows]
                header = "| " + " | ".join(f"h{i}" for i in range(width)) + " |"
                parts.append("\n".join([header, "|" + "---|" * width, *rows]))
        taken += _same("\n\n".join(parts) + rng.choice(["", "\n"]))
    assert taken > 100  # the comparison covered the shortcut, not only the fallback


def test_the_shortcut_is_part_of_the_site() -> None:
    assert "specgen.site.pipetables" in _extensions(True)[0]
