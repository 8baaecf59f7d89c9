"""One escaping module: spec text made inert for every output specgen writes.

Spec text is untrusted: a delivery lead, a contractor or an attacker with
commit rights writes it, and a buyer, a reviewer or a CI log reads what
specgen makes of it. Whatever the target, spec text must show as the same
words and never become markup, a new line of output or a terminal command.

There is one shared core, :func:`one_line` (control characters dropped, every
run of whitespace, line breaks included, becomes one space), and one function
per target on top of it. Each says in its docstring why it escapes what it
does. Text specgen wrote itself is wrapped in :class:`Md` and printed as is.

Targets:

========================  ======================================================
:func:`site_markdown`     the handover site (Python-Markdown, HTML tables)
:func:`sow_markdown`      the readiness definition ``.md`` (GitHub and the site)
:func:`pr_comment`        the ``diff`` pull-request comment (GitHub Markdown)
:func:`mermaid_label`     a quoted Mermaid node or edge label
:func:`docx_text`         a run of text in the ``.docx`` (XML 1.0)
:func:`pdf_html`          HTML text or attribute value (the definition's PDF)
:func:`mermaid_description` a Mermaid ``accTitle``/``accDescr`` (screen readers)
:func:`terminal`          plain text output: terminals and CI logs
:func:`html_text`         text in an HTML page specgen writes itself (``serve``'s error page)
:func:`annotation_data`   a GitHub workflow command's message
:func:`annotation_property` a GitHub workflow command's ``file=``/``title=``
:func:`yaml_plain`        a value printed into a YAML file (``init``)
========================  ======================================================

SARIF and JSON output go through :mod:`json`, which escapes for its own syntax.
The hostile cases in ``tests/test_text.py`` run against every target.
"""

from __future__ import annotations

import functools
import html
import json
import re
import unicodedata

import yaml

__all__ = [
    "Md",
    "annotation_data",
    "annotation_property",
    "docx_text",
    "html_text",
    "mermaid_description",
    "mermaid_label",
    "one_line",
    "pdf_html",
    "pr_comment",
    "site_markdown",
    "sow_markdown",
    "terminal",
    "xml_text",
    "yaml_plain",
]


class Md(str):
    """Markup specgen wrote itself: printed as is. Spec text never is one."""

    __slots__ = ()

    def __html__(self) -> str:
        """Already escaped for its target: Jinja prints it unchanged."""
        return str.__str__(self)


# ---------------------------------------------------------------- the core

_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
"""Control characters (C0 but tab/line breaks, DEL, C1) and bidirectional
overrides, dropped (line breaks, NEL and the Unicode line separators are
whitespace: they become spaces): Python-Markdown uses STX and ETX to mark its placeholders,
ESC starts terminal sequences, and bidi overrides make text read differently
from what it holds."""
_WHITESPACE = re.compile(r"\s+")


def one_line(value: object) -> str:
    """The text as one line: control characters dropped, every run of
    whitespace (line breaks, U+2028, NEL included) one space.

    A value then cannot break out of a table cell, a list item or a line of
    output, whatever the target.
    """
    return _one_line(str(value))


@functools.lru_cache(maxsize=1 << 16)
def _one_line(text: str) -> str:
    return _WHITESPACE.sub(" ", _CONTROL.sub("", text))


# ---------------------------------------------------------------- Markdown

_SITE_ALWAYS = "\\`*_{}[]<>#|&~"
"""Markup wherever it stands: emphasis, code, links and images, attribute
lists, raw HTML, entities, headings' closing hashes, table cells, fences."""
_GITHUB_ALWAYS = _SITE_ALWAYS + "@$"
"""GitHub adds meanings: ``@name`` mentions and notifies (and ``a@b.org`` is
an autolink), ``$`` starts maths."""
_GITHUB_LINKS = re.compile(r":(?=//)|:(?=[\w+-]+:)|(?<=\bwww)\.", re.IGNORECASE)
"""GitHub turns ``https://...`` and ``www.…`` into links and ``:name:`` into an
emoji: the colon or dot that makes them is escaped, other colons stay
readable."""
_LEADING = frozenset("-+=!?:>")
"""Characters that start a block when they come first (list, setext rule,
admonition, collapsible block, definition, quote)."""
_ORDERED = re.compile(r"^(\s?\d{1,9})([.)])(?=\s|$)")


def _entities(chars: str) -> dict[int, str]:
    return {ord(c): f"&#{ord(c)};" for c in chars}


_SITE_TABLE = _entities(_SITE_ALWAYS)
_GITHUB_TABLE = _entities(_GITHUB_ALWAYS)


def _markdown(text: str, table: dict[int, str]) -> Md:
    """Markdown punctuation as numeric character references.

    References are literal text in every Markdown dialect (Python-Markdown,
    CommonMark, GitHub's) and valid HTML text, and a ``|`` written as one does
    not split a table cell: the escaped text shows as the same characters and
    nothing else. A block marker at the start (``- ``, ``1. ``, ``!!!``,
    ``???``, ``: ``, ``> ``) is escaped too.
    """
    escaped = _one_line(text).translate(table)
    lead = escaped.lstrip(" ")
    pad = escaped[: len(escaped) - len(lead)]
    match = _ORDERED.match(lead)
    if match:
        lead = f"{match.group(1)}&#{ord(match.group(2))};{lead[match.end() :]}"
    elif lead[:1] in _LEADING:
        lead = f"&#{ord(lead[0])};{lead[1:]}"
    return Md(pad + lead)


@functools.lru_cache(maxsize=1 << 16)
def _site(text: str) -> Md:
    return _markdown(text, _SITE_TABLE)


def site_markdown(value: object) -> Md:
    """Spec text as inline Markdown for the handover site.

    The site is Python-Markdown with mkdocs-material's extensions
    (admonitions, attribute lists, tables) and HTML tables that specgen
    writes itself, so Markdown and HTML syntax is escaped; the result is
    valid in both.
    """
    if isinstance(value, Md):
        return value
    return _site(str(value))


def sow_markdown(value: object) -> Md:
    """Spec text for the readiness definition ``.md``.

    The file is read on GitHub (where ``@`` mentions, ``:`` emoji and
    autolinks, ``$`` maths are live) and embedded in the site's definition
    page (Python-Markdown, where ``!!!`` opens an admonition), so it escapes
    for both.
    """
    if isinstance(value, Md):
        return value
    return _github(str(value))


@functools.lru_cache(maxsize=1 << 14)  # a definition repeats names, stages and measures
def _github(text: str) -> Md:
    escaped = _markdown(text, _GITHUB_TABLE)
    return Md(_GITHUB_LINKS.sub(lambda m: f"&#{ord(m.group(0))};", escaped))


def pr_comment(value: object) -> Md:
    """Spec text for the pull-request comment that ``diff --format markdown`` writes.

    GitHub renders it: besides Markdown and HTML, an ``@name`` would notify
    people and ``:name:`` or a URL would turn into an emoji or a link.
    """
    if isinstance(value, Md):
        return value
    return _github(str(value))


_MERMAID_PLAIN = re.compile(r"[^\w ,.\-/()?'+]")


def mermaid_label(value: object, limit: int = 90) -> Md:
    """Text for a quoted Mermaid label (``id["..."]``).

    Mermaid reads quotes, brackets, ``#`` codes, HTML and its own keywords;
    every character outside a small plain set becomes a Mermaid entity code
    (``#60;``), which Mermaid shows as the character. Long text is cut.
    """
    text = one_line(value).strip()
    if len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return Md(_MERMAID_PLAIN.sub(lambda m: f"#{ord(m.group(0))};", text))


_MERMAID_ACCESSIBLE = str.maketrans(
    {
        "{": "\uff5b",
        "}": "\uff5d",
        "%": "\uff05",
        "#": "\uff03",
        "<": "\uff1c",
        ">": "\uff1e",
        '"': "\uff02",
        "`": "\uff40",
        "&": "\uff06",
        ";": ",",
    }
)


def mermaid_description(value: object, limit: int = 2000) -> Md:
    """Text for a Mermaid ``accTitle:`` or ``accDescr:`` line: what a screen
    reader says for the diagram.

    The line ends at a line break (so the text is one line); ``{``/``}``
    would open or close a block description, ``%%`` a comment or an
    ``%%{init}%%`` directive, and ``#``, ``<``, ``&``, quotes and backticks
    are read as entity codes, HTML or strings by Mermaid's label handling. Each
    of those becomes its full-width form (``＜`` for ``<``), which a screen
    reader reads as the same symbol and Mermaid treats as a letter; ``;``
    (which ends a statement) becomes a comma. Entity codes, as
    :func:`mermaid_label` writes them, would be read out as numbers, so they are not used.
    """
    text = one_line(value).strip()
    if len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return Md(text.translate(_MERMAID_ACCESSIBLE))


# ---------------------------------------------------------------- documents

_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_text(value: object) -> str:
    """Text an XML 1.0 document can hold: the characters it forbids (and Word
    refuses to open) are dropped; everything else, line breaks included, stays."""
    return _XML_INVALID.sub("", str(value))


def docx_text(value: object) -> str:
    """Spec text for a run of text in a Word document.

    python-docx writes it as XML text, which escapes markup; characters that
    XML 1.0 forbids (and Word refuses to open) and the other control
    characters are dropped, and line breaks become spaces (a run is one line).
    """
    return xml_text(one_line(value))


_HTML_SPECIAL = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"})


def pdf_html(value: object) -> Md:
    """Spec text as HTML text or a quoted attribute value: the HTML the
    definition's PDF is typeset from (WeasyPrint). Document text, so unlike
    :func:`html_text` (a diagnostic page, which shows control characters as
    visible escapes) control characters are dropped.

    ``&``, ``<``, ``>`` and both quotes become character references, so the
    text can neither open an element nor leave an attribute; control
    characters are dropped and line breaks become spaces (:func:`one_line`),
    and characters XML 1.0 forbids (which a PDF/A text string cannot hold) are
    dropped.
    """
    if isinstance(value, Md):
        return value
    return Md(xml_text(one_line(value)).translate(_HTML_SPECIAL))


# ---------------------------------------------------------------- plain text

_UNSAFE_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})
"""Control and format characters (bidi overrides, zero-width joiners),
surrogates (bytes that were not UTF-8) and line/paragraph separators."""
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def terminal(value: object) -> str:
    """Spec text for plain-text output: a terminal, a CI log, a file.

    Control and format characters become visible escapes (``\\n``,
    ``\\x1b``, ``\\u202e``), so a value can neither start a new line of
    output (where ``::error ...::`` would be a GitHub workflow command) nor
    send escape sequences (colours, window titles, OSC 8 links) to a
    reviewer's terminal. The escape shows what was there, which helps the
    author find it.
    """
    text = str(value)
    if text.isprintable():
        return text
    return "".join(_visible(ch) if unicodedata.category(ch) in _UNSAFE_CATEGORIES else ch for ch in text)


def html_text(value: object) -> str:
    """Spec text (or a line of specgen's plain-text output holding it) inside
    an HTML page specgen writes itself, such as the live preview's error page.

    Made inert as for :func:`terminal` (control characters become visible
    escapes), then ``&``, ``<``, ``>`` and both quotes become entities, so the
    text can be neither markup nor part of an attribute.
    """
    return html.escape(terminal(value), quote=True)


def _visible(char: str) -> str:
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


_LINE_SEPARATORS = re.compile("[\x0b\x0c\x85\u2028\u2029]")


def annotation_data(value: object) -> str:
    """A GitHub workflow command's message (after ``::``): the runner reads
    ``%``, CR and LF as escapes and line ends, so they are percent-encoded;
    other control characters are dropped."""
    text = _LINE_SEPARATORS.sub(" ", _CONTROL.sub("", str(value)))
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def annotation_property(value: object) -> str:
    """A GitHub workflow command's property value (``file=``, ``title=``):
    ``:`` and ``,`` end a property, so they are percent-encoded too."""
    return annotation_data(value).replace(":", "%3A").replace(",", "%2C")


_YAML_PLAIN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 _.\-]*$")


def yaml_plain(value: object) -> str:
    """A value printed into a YAML file: as is when it is a plain scalar that
    YAML reads back as the same string, else as a double-quoted string (JSON
    strings are valid YAML)."""
    if not isinstance(value, str):  # dates, numbers: YAML reads them back as the same value
        return str(value)
    text = value
    if _YAML_PLAIN.match(text) and not text.endswith(" ") and yaml.safe_load(text) == text:
        return text
    return json.dumps(text)  # \uXXXX escapes: YAML folds a raw NEL or U+2028
