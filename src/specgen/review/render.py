"""Rendering review results (diff reports, change histories) through templates.

The words and layout live in Jinja templates (``templates/review/`` and
``templates/site/history.md.j2``) that a project overrides by dropping a file
of the same name into its own ``templates/`` folder. Spec text is untrusted:
the ``md`` and ``code`` filters defined here escape it so that it can neither
inject HTML or script into a rendered page nor break a Markdown table, and
:func:`escape_controls` shows control characters (a newline, ESC, BEL...) as
visible escapes, so spec text can neither start a line of its own (a fake CI
annotation such as ``::error``) nor drive the terminal. In the text format
every value a template writes goes through :func:`escape_controls` (the
environment's ``finalize``), so a project's own ``diff.txt.j2`` is covered too.
"""

from __future__ import annotations

import functools
import json
import unicodedata
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import jinja2

from specgen.templating import make_environment

__all__ = ["DIFF_FORMATS", "escape_controls", "md_code", "md_inline", "render_diff", "review_environment", "show"]

DIFF_FORMATS = ("text", "markdown", "json")

_MAX_SHOWN = 160

# Every character with a meaning in Markdown or HTML becomes a numeric entity:
# entities are literal text in GitHub's Markdown and in Python-Markdown (mkdocs)
# alike, and a '|' written as an entity does not split a table cell in either.
_SPECIAL = "&<>|@\"'\\`*_[]{}#~$:"
_ENTITIES = {ch: f"&#{ord(ch)};" for ch in _SPECIAL}


# Control and format characters, surrogates (bytes that were not UTF-8) and
# line/paragraph separators: none belongs in one line of review output.
_UNSAFE_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})
_NAMED_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _visible(ch: str) -> str:
    code = ord(ch)
    if ch in _NAMED_ESCAPES:
        return _NAMED_ESCAPES[ch]
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def escape_controls(value: Any) -> str:
    """``value`` as text with every control or format character shown as an escape
    (``\\n``, ``\\x1b``, ``\\u202e``...): the text stays on its line and sends
    nothing to a terminal or a CI log parser."""
    text = str(value)
    if all(unicodedata.category(ch) not in _UNSAFE_CATEGORIES for ch in text):
        return text
    return "".join(_visible(ch) if unicodedata.category(ch) in _UNSAFE_CATEGORIES else ch for ch in text)


def md_inline(value: Any) -> str:
    """Untrusted text as inert inline Markdown: one line, no HTML, no markup, no control characters."""
    text = escape_controls(" ".join(str(value).split()))
    return "".join(_ENTITIES.get(ch, ch) for ch in text)


def md_code(value: Any) -> str:
    """Text as an inline code span, or as escaped text when it cannot be one safely."""
    text = " ".join(str(value).split())
    if not text or "`" in text or "|" in text or escape_controls(text) != text:
        return md_inline(text)
    return f"`{text}`"


_NAME_FIELDS = ("title", "name", "activity", "system", "attack_class", "severity", "change", "area", "role", "rule")


def show(value: Any) -> str:
    """A before/after value (JSON-ready data) as short, readable text."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, list):
        return ", ".join(show(v) for v in value) if value else "(none)"
    if isinstance(value, dict):
        for key in _NAME_FIELDS:
            if key in value and not isinstance(value[key], (dict, list)):
                label = show(value[key])
                return f"{label} ({value['id']})" if "id" in value else label
        if "id" in value:
            return show(value["id"])
        parts = [f"{k}: {show(v)}" for k, v in value.items() if not isinstance(v, (dict, list))][:3]
        return "; ".join(parts) or "(section)"
    text = " ".join(str(value).split())
    return text if len(text) <= _MAX_SHOWN else text[: _MAX_SHOWN - 1] + "…"


def _plain(value: Any) -> str:
    return escape_controls(" ".join(str(value).split()))


def review_environment(user_dirs: Sequence[Path] = ()) -> jinja2.Environment:
    """The template environment with the review filters (``md``, ``code``, ``show``).

    One environment per set of folders, kept: Jinja compiles each template once
    per environment (and still reloads a template whose file changed), so the
    site's history pages do not recompile it per workflow.
    """
    return _review_environment(tuple(Path(d) for d in user_dirs))


@functools.lru_cache(maxsize=16)
def _review_environment(user_dirs: tuple[Path, ...], text: bool = False) -> jinja2.Environment:
    env = make_environment(user_dirs, filters={"md": md_inline, "code": md_code, "show": show})
    env.globals.update(md_esc=md_inline, code_esc=md_code, plain=_plain)
    if text:  # set before any template is compiled: Jinja builds finalize into the compiled code
        env.finalize = escape_controls
    return env


def render_diff(report: Any, fmt: str = "text", *, user_dirs: Sequence[Path] = ()) -> str:
    """A :class:`specgen.review.diff.DiffReport` as text, Markdown (a pull-request comment) or JSON."""
    if fmt == "json":
        return json.dumps(report.to_dict(), indent=2, ensure_ascii=False, sort_keys=False)
    if fmt not in DIFF_FORMATS:
        raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(DIFF_FORMATS)}")
    if fmt == "markdown":
        template = review_environment(user_dirs).get_template("review/diff.md.j2")
    else:
        template = _review_environment(tuple(Path(d) for d in user_dirs), text=True).get_template("review/diff.txt.j2")
    return template.render(report=report).rstrip("\n") + "\n"
