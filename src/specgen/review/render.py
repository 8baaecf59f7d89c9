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
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import jinja2

from specgen.templating import make_environment
from specgen.text import Md, one_line, pr_comment, site_markdown, terminal

__all__ = ["DIFF_FORMATS", "md_code", "md_inline", "render_diff", "review_environment", "show"]

DIFF_FORMATS = ("text", "markdown", "json")

_MAX_SHOWN = 160


def md_inline(value: Any) -> Md:
    """Untrusted text as inert inline Markdown for a pull-request comment."""
    return pr_comment(value)


def _code_span(escape: Callable[[Any], Md]) -> Callable[[Any], Md]:
    def code(value: Any) -> Md:
        """Text as an inline code span, or as escaped text when it cannot be one safely."""
        text = one_line(value).strip()
        if not text or "`" in text or "|" in text or "&" in text:
            return escape(text)
        return Md(f"`{text}`")

    return code


md_code = _code_span(pr_comment)


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


_TARGETS: dict[str, Callable[[Any], Any]] = {"markdown": pr_comment, "site": site_markdown, "text": terminal}


def review_environment(user_dirs: Sequence[Path] = (), target: str = "markdown") -> jinja2.Environment:
    """The template environment with the review filters (``md``, ``code``, ``show``)
    for one target: ``markdown`` (the pull-request comment), ``site`` (the
    history page) or ``text`` (the terminal). Every printed value is escaped for it.

    One environment per set of folders, kept: Jinja compiles each template once
    per environment (and still reloads a template whose file changed), so the
    site's history pages do not recompile it per workflow.
    """
    return _review_environment(tuple(Path(d) for d in user_dirs), target)


@functools.lru_cache(maxsize=16)
def _review_environment(user_dirs: tuple[Path, ...], target: str) -> jinja2.Environment:
    escape = _TARGETS[target]
    code = _code_span(escape) if target != "text" else escape
    env = make_environment(user_dirs, escape=escape, filters={"md": escape, "code": code, "show": show})
    env.globals.update(md_esc=escape, code_esc=code, plain=terminal)
    return env


def render_diff(report: Any, fmt: str = "text", *, user_dirs: Sequence[Path] = ()) -> str:
    """A :class:`specgen.review.diff.DiffReport` as text, Markdown (a pull-request comment) or JSON."""
    if fmt == "json":
        return json.dumps(report.to_dict(), indent=2, ensure_ascii=False, sort_keys=False)
    if fmt not in DIFF_FORMATS:
        raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(DIFF_FORMATS)}")
    name = "review/diff.md.j2" if fmt == "markdown" else "review/diff.txt.j2"
    target = "markdown" if fmt == "markdown" else "text"
    return review_environment(user_dirs, target).get_template(name).render(report=report).rstrip("\n") + "\n"
