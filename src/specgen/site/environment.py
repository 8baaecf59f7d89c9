"""How values print on a site page, and the Jinja environment that prints them.

Spec text is untrusted. The Jinja environment escapes *every* value a template
prints (``{{ ... }}``) with :func:`specgen.text.site_markdown` unless the value
is :class:`Md` — Markdown that specgen wrote itself, such as a link built by
:class:`specgen.site.links.Links`. So a template cannot forget to escape, and
nothing written in a spec becomes HTML, a link, emphasis or an attribute list
on the page. Mermaid labels get their own escaping (:func:`mermaid_label`).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from enum import Enum
from pathlib import Path
from typing import Any

import jinja2
import yaml

from specgen.errors import SpecgenError
from specgen.spec.schema import Comparator
from specgen.templating import make_environment
from specgen.text import Md, mermaid_label, site_markdown

__all__ = [
    "RenderError",
    "anchor",
    "finalize",
    "label",
    "load_glossary",
    "make_site_environment",
    "number",
]


class RenderError(SpecgenError):
    """A template could not be rendered (a syntax error, an unknown variable)."""


# ---------------------------------------------------------------- escaping


_COMPARATOR_TEXT = {Comparator.ge: "≥", Comparator.gt: ">", Comparator.le: "≤", Comparator.lt: "<", Comparator.eq: "="}


def label(value: object) -> str:
    """How a value reads on the page: enum values without underscores,
    comparators as symbols."""
    if isinstance(value, Comparator):
        return _COMPARATOR_TEXT[value]
    if isinstance(value, Enum):
        raw = value.value if isinstance(value.value, str) else value.name
        return raw.replace("_", " ")
    return str(value)


def number(value: float) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return f"{value:.6g}" if isinstance(value, float) else str(value)


def finalize(value: Any) -> Md:
    """What ``{{ value }}`` prints: trusted Markdown as is, everything else escaped."""
    kind = type(value)
    if kind is str or kind is Md:
        return site_markdown(value)
    if value is None:
        return Md("")
    if isinstance(value, bool):
        return Md("yes" if value else "no")
    if isinstance(value, (int, float)):
        return Md(number(value))
    if isinstance(value, (dt.date, dt.datetime)):
        return Md(value.isoformat())
    if isinstance(value, Enum):
        return site_markdown(label(value))
    return site_markdown(value)


_ANCHOR = re.compile(r"^[a-z0-9][a-z0-9_.-]*$")


def anchor(kind: str, ident: str) -> Md:
    if not _ANCHOR.match(ident):  # ids are validated by the schema; this is a guard
        raise RenderError(f"not an id: {ident!r}")
    return Md(f"{kind}-{ident}")


def _md_join(values: Iterable[Any], separator: str = ", ") -> Md:
    return Md(separator.join(finalize(v) for v in values))


def _cell(value: Any, empty: str = "—") -> Md:
    """A table cell: the value escaped, or a dash when there is nothing."""
    if value is None or value == "" or value == []:
        return Md(empty)
    if isinstance(value, (list, tuple)):
        return _md_join(value)
    return Md(finalize(value))


_ADMONITIONS = {"error": "failure", "warning": "warning", "info": "info"}


def _admonition(level: object) -> Md:
    """The admonition type for a finding's severity (failure, warning, info)."""
    return Md(_ADMONITIONS.get(str(getattr(level, "value", level)), "note"))


def _number_filter(value: float | int | None) -> Md:
    return Md("—" if value is None else number(value))


# ---------------------------------------------------------------- environment


def make_site_environment(
    user_templates: Path | None = None, *, bytecode_cache: jinja2.BytecodeCache | bool | None = True
) -> jinja2.Environment:
    """The Jinja environment for site pages: the user's templates first, the
    bundled ones second, every printed value escaped unless it is :class:`Md`
    (``bytecode_cache``: see :func:`specgen.templating.make_environment`)."""
    env = make_environment(
        [user_templates] if user_templates is not None else [],
        escape=finalize,
        filters={
            "md": site_markdown,
            "mermaid": mermaid_label,
            "label": label,
            "cell": _cell,
            "mdjoin": _md_join,
            "num": _number_filter,
        },
        bytecode_cache=bytecode_cache,
    )
    env.globals.update(anchor=anchor, admonition=_admonition, br=Md("<br>"), Md=Md)
    return env


def load_glossary(env: jinja2.Environment) -> list[dict[str, str]]:
    """The glossary terms (``site/glossary.yml``, overridable like a template)."""
    assert env.loader is not None
    try:
        text, _, _ = env.loader.get_source(env, "site/glossary.yml")
    except jinja2.TemplateNotFound as exc:
        raise RenderError("site/glossary.yml not found in the templates") from exc
    data = yaml.safe_load(text) or []
    if not isinstance(data, list) or not all(isinstance(t, dict) and {"term", "meaning"} <= set(t) for t in data):
        raise RenderError("site/glossary.yml must be a list of {term, meaning} entries")
    terms = [{"term": str(t["term"]), "meaning": str(t["meaning"])} for t in data]
    return sorted(terms, key=lambda t: t["term"].casefold())
