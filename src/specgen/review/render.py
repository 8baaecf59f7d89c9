"""Rendering review results (diff reports, change histories) through templates.

The words and layout live in Jinja templates (``templates/review/`` and
``templates/site/history.md.j2``) that a project overrides by dropping a file
of the same name into its own ``templates/`` folder. Spec text is untrusted:
the ``md`` and ``code`` filters defined here escape it so that it can neither
inject HTML or script into a rendered page nor break a Markdown table.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import jinja2

from specgen.templating import make_environment

__all__ = ["DIFF_FORMATS", "md_code", "md_inline", "render_diff", "review_environment", "show"]

DIFF_FORMATS = ("text", "markdown", "json")

_MAX_SHOWN = 160

# Every character with a meaning in Markdown or HTML becomes a numeric entity:
# entities are literal text in GitHub's Markdown and in Python-Markdown (mkdocs)
# alike, and a '|' written as an entity does not split a table cell in either.
_SPECIAL = "&<>|@\"'\\`*_[]{}#~$:"
_ENTITIES = {ch: f"&#{ord(ch)};" for ch in _SPECIAL}


def md_inline(value: Any) -> str:
    """Untrusted text as inert inline Markdown: one line, no HTML, no markup."""
    text = " ".join(str(value).split())
    return "".join(_ENTITIES.get(ch, ch) for ch in text)


def md_code(value: Any) -> str:
    """Text as an inline code span, or as escaped text when it cannot be one safely."""
    text = " ".join(str(value).split())
    if not text or "`" in text or "|" in text:
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
    return " ".join(str(value).split())


def review_environment(user_dirs: Sequence[Path] = ()) -> jinja2.Environment:
    """The template environment with the review filters (``md``, ``code``, ``show``).

    One environment per set of folders, kept: Jinja compiles each template once
    per environment (and still reloads a template whose file changed), so the
    site's history pages do not recompile it per workflow.
    """
    return _review_environment(tuple(Path(d) for d in user_dirs))


@functools.lru_cache(maxsize=16)
def _review_environment(user_dirs: tuple[Path, ...]) -> jinja2.Environment:
    env = make_environment(user_dirs, filters={"md": md_inline, "code": md_code, "show": show})
    env.globals.update(md_esc=md_inline, code_esc=md_code, plain=_plain)
    return env


def render_diff(report: Any, fmt: str = "text", *, user_dirs: Sequence[Path] = ()) -> str:
    """A :class:`specgen.review.diff.DiffReport` as text, Markdown (a pull-request comment) or JSON."""
    if fmt == "json":
        return json.dumps(report.to_dict(), indent=2, ensure_ascii=False, sort_keys=False)
    if fmt not in DIFF_FORMATS:
        raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(DIFF_FORMATS)}")
    name = "review/diff.md.j2" if fmt == "markdown" else "review/diff.txt.j2"
    return review_environment(user_dirs).get_template(name).render(report=report).rstrip("\n") + "\n"
