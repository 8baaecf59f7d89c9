"""The fixed wording of the definition, from one template for both renderings.

The title, the introduction, headings, labels, table headers and the sign-off
statement live in the template ``sow/wording.j2`` as Jinja variables. The
Markdown template imports it (``{% import "sow/wording.j2" as w with context %}``)
and :func:`wording` renders the same file for the Word document, with values
escaped for Word instead of Markdown. A user's ``templates/sow/wording.j2``
therefore changes the ``.md`` and the ``.docx`` alike.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

import jinja2

from specgen.sow.markdown import template_error
from specgen.sow.model import Definition, SowError
from specgen.templating import make_environment
from specgen.text import docx_text

__all__ = ["WORDING_TEMPLATE", "Wording", "wording"]

WORDING_TEMPLATE = "sow/wording.j2"
"""Template name of the fixed wording; a file of that name in the user's
``templates/`` folder replaces it."""


@dataclass(frozen=True)
class Wording:
    """The fixed text of one definition, as plain text for Word."""

    title: str
    intro: str
    document_control: str
    criteria_header: tuple[str, ...]
    evidence: str
    no_evidence: str
    responsible: str
    open_items: str
    findings_heading: str
    not_assessed: str
    assessed: str
    findings_header: tuple[str, ...]
    no_findings: str
    waivers_heading: str
    waivers_header: tuple[str, ...]
    no_waivers: str
    signoff_heading: str
    signoff: str
    signoff_header: tuple[str, ...]
    footer: str


_COLUMNS = {"criteria_header": 3, "findings_header": 5, "waivers_header": 5, "signoff_header": 6}
"""How many column titles each table header has (the tables' columns are fixed)."""


def _plain(value: Any) -> str:
    """A rendered entry as one line of text (Word paragraphs are one line)."""
    return " ".join(str(value).split())


@functools.lru_cache(maxsize=16)
def _environment(template_dirs: tuple[Path, ...]) -> jinja2.Environment:
    return make_environment(template_dirs, escape=docx_text)


def wording(defn: Definition, template_dirs: Sequence[Path] = ()) -> Wording:
    """The fixed text of ``defn`` for the Word document, from ``sow/wording.j2``.

    Values the template prints are escaped for Word (:func:`specgen.text.docx_text`).
    Raises :class:`SowError` when the template is broken or lacks an entry.
    """
    env = _environment(tuple(template_dirs))
    try:
        module = env.get_template(WORDING_TEMPLATE).make_module({"d": defn})
    except jinja2.TemplateError as exc:
        raise template_error(WORDING_TEMPLATE, exc) from exc
    values: dict[str, Any] = {}
    for item in fields(Wording):
        if not hasattr(module, item.name):
            raise SowError(f"template {WORDING_TEMPLATE}: '{item.name}' is not set")
        value = getattr(module, item.name)
        if item.name.endswith("_header"):
            count = _COLUMNS[item.name]
            if isinstance(value, str) or not isinstance(value, Sequence) or len(value) != count:
                raise SowError(f"template {WORDING_TEMPLATE}: '{item.name}' must be a list of {count} column titles")
            values[item.name] = tuple(_plain(v) for v in value)
        else:
            values[item.name] = _plain(value)
    return Wording(**values)
