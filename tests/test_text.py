"""The same hostile cases against every target of specgen.text.

Each target gets every case and must show the same words (where the target
can show them) and nothing else: no element, attribute or block of its own in
Markdown, no line break or control character in plain text, no Mermaid or XML
syntax. One list of cases, one test per target, so a weaker escaper cannot
hide behind a stronger one.
"""

from __future__ import annotations

import html
import json
import re
from html.parser import HTMLParser

import markdown
import pytest
from pymdownx.superfences import fence_code_format

from specgen.diagnostics import Diagnostic, format_diagnostics
from specgen.text import (
    Md,
    annotation_data,
    annotation_property,
    docx_text,
    html_text,
    mermaid_label,
    one_line,
    pr_comment,
    site_markdown,
    sow_markdown,
    terminal,
    yaml_plain,
)
from tests.hostile import HOSTILE

IDS = [f"case{i}" for i in range(len(HOSTILE))]
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def _words(text: str) -> str:
    """What a reader should still see: the printable characters, spaces squeezed."""
    return " ".join(CONTROL.sub(" ", text).split()) if CONTROL.search(text) else " ".join(text.split())


# ---------------------------------------------------------------- Markdown targets

EXTENSIONS = ["tables", "admonition", "pymdownx.details", "attr_list", "toc", "md_in_html", "pymdownx.superfences"]
EXTENSION_CONFIG = {
    "pymdownx.superfences": {"custom_fences": [{"name": "mermaid", "class": "mermaid", "format": fence_code_format}]}
}
CONTEXTS = [
    ("{}", ["p"]),
    ("intro {} outro", ["p"]),
    ("- {}", ["ul", "li"]),
    ("1. {}", ["ol", "li"]),
    ("## {}", ["h2"]),
    ("| a |\n|---|\n| {} |", ["table", "thead", "tr", "th", "tbody", "tr", "td"]),
    ("<table><tbody><tr><td>{}</td></tr></tbody></table>", ["table", "tbody", "tr", "td"]),
    ('!!! note "{}"\n    body', ["div", "p", "p"]),
]


class _Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _convert(text: str) -> _Elements:
    parser = _Elements()
    parser.feed(markdown.Markdown(extensions=EXTENSIONS, extension_configs=EXTENSION_CONFIG).convert(text))
    return parser


MARKDOWN_TARGETS = {"site": site_markdown, "sow": sow_markdown, "pr_comment": pr_comment}


@pytest.mark.parametrize("target", sorted(MARKDOWN_TARGETS))
@pytest.mark.parametrize("case", HOSTILE, ids=IDS)
def test_markdown_targets_show_the_text_and_nothing_else(target: str, case: str) -> None:
    escape = MARKDOWN_TARGETS[target]
    escaped = escape(case)
    assert isinstance(escaped, Md)
    assert "\n" not in escaped and not CONTROL.search(escaped)
    for context, tags in CONTEXTS:
        plain = _convert(context.format("plain"))
        hostile = _convert(context.format(escaped))
        assert hostile.tags == plain.tags == tags, (context, escaped)
        shown = _words("".join(hostile.text))
        assert _words(case).strip() in shown, (context, shown)


@pytest.mark.parametrize("target", ["sow", "pr_comment"])
@pytest.mark.parametrize("case", HOSTILE, ids=IDS)
def test_github_targets_leave_no_mention_maths_emoji_or_autolink(target: str, case: str) -> None:
    escaped = MARKDOWN_TARGETS[target](case)
    assert "@" not in escaped and "$" not in escaped
    assert "://" not in escaped and not re.search(r"(?i)\bwww\.", escaped)
    assert not re.search(r":[\w+-]+:", escaped)


def test_the_admonition_case_is_text_on_every_markdown_target() -> None:
    """A spec summary '!!! danger ...' once drew a real danger box on the site's definition page."""
    for escape in MARKDOWN_TARGETS.values():
        summary = escape('!!! danger "Approved by the regulator"')
        page = _convert("# Title\n\n" + summary + "\n")
        assert page.tags == ["h1", "p"]
        assert '!!! danger "Approved by the regulator"' in "".join(page.text)


def test_trusted_markup_passes_every_markdown_target_unchanged() -> None:
    for escape in MARKDOWN_TARGETS.values():
        assert escape(Md("**bold**")) == "**bold**"


# ---------------------------------------------------------------- other targets


@pytest.mark.parametrize("case", HOSTILE, ids=IDS)
def test_mermaid_labels_hold_only_plain_characters_and_codes(case: str) -> None:
    label = mermaid_label(case, limit=10_000)
    assert re.fullmatch(r"(?:[\w ,.\-/()?'+]|#\d+;)*", label), label
    decoded = re.sub(r"#(\d+);", lambda m: chr(int(m.group(1))), label)
    assert _words(decoded) == _words(case).strip() or CONTROL.search(case)


@pytest.mark.parametrize("case", HOSTILE, ids=IDS)
def test_docx_text_is_one_line_of_xml_text(case: str) -> None:
    text = docx_text(case)
    assert not re.search("[\x00-\x08\x0b\x0c\x0e-\x1f\n\r]", text)
    assert _words(text) == _words(one_line(case))


@pytest.mark.parametrize("case", HOSTILE, ids=IDS)
def test_terminal_text_never_starts_a_line_nor_sends_a_control(case: str) -> None:
    text = terminal(case)
    assert not CONTROL.search(text), repr(text)
    out = format_diagnostics([Diagnostic(case, 1, 1, case, case)], "text")
    assert len(out.splitlines()) == 1
    assert not out.startswith("::") and not CONTROL.search(out)


@pytest.mark.parametrize("case", HOSTILE, ids=IDS)
def test_html_text_is_text_in_a_page_and_in_an_attribute(case: str) -> None:
    text = html_text(case)
    parser = _Elements()
    parser.feed(f'<p title="{text}">{text}</p>')
    parser.close()
    assert parser.tags == ["p"]
    assert "".join(parser.text) == terminal(case)
    assert not CONTROL.search(text) and "'" not in text


@pytest.mark.parametrize("case", HOSTILE, ids=IDS)
def test_github_annotations_are_one_command_each(case: str) -> None:
    out = format_diagnostics([Diagnostic(case, 1, 1, case, case)], "github")
    assert len(out.splitlines()) == 1 and out.startswith("::error file=")
    assert not CONTROL.search(out)
    head = out.split("::", 2)[1]
    assert head.count("::") == 0 and head.count(",") == 3  # file, line, col, title: no property of the case's own
    assert "\n" not in annotation_data(case) and ":" not in annotation_property(case)


@pytest.mark.parametrize("case", HOSTILE, ids=IDS)
def test_sarif_and_json_keep_the_text_as_data(case: str) -> None:
    diagnostic = Diagnostic("x.yml", 1, 1, "title", case)
    data = json.loads(format_diagnostics([diagnostic], "json"))
    assert data[0]["message"] == case


@pytest.mark.parametrize("case", HOSTILE, ids=IDS)
def test_yaml_values_read_back_as_the_same_text(case: str) -> None:
    import yaml

    assert yaml.safe_load(f"key: {yaml_plain(case)}\n") == {"key": case}


def test_site_markdown_is_also_valid_html_text() -> None:
    for case in HOSTILE:
        assert html.unescape(site_markdown(case)).strip() == one_line(case).strip()
