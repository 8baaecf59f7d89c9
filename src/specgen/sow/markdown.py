"""The definition as Markdown, through the user-overridable template ``sow/definition.md.j2``,
and the template environment of the ``sow/`` templates (every printed value
escaped for Markdown)."""

from __future__ import annotations

import functools
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import jinja2

from specgen.sow.model import Definition, SowError
from specgen.templating import make_environment
from specgen.text import sow_markdown

__all__ = ["TEMPLATE", "render_markdown", "render_template", "template_error"]

TEMPLATE = "sow/definition.md.j2"
"""Template name of the Markdown rendering; a file of that name in the user's
``templates/`` folder replaces it."""


def render_markdown(defn: Definition, *, template_dirs: Sequence[Path] = ()) -> str:
    """The definition as a Markdown page (template ``sow/definition.md.j2``).

    ``template_dirs`` are searched before the bundled templates. Every value
    the template prints is escaped, so spec text cannot inject HTML or markup.
    """
    return render_template(TEMPLATE, template_dirs, d=defn)


def template_error(name: str, exc: jinja2.TemplateError) -> SowError:
    """A one-line error naming the template file and line."""
    line = getattr(exc, "lineno", None)
    where = getattr(exc, "filename", None) or name
    if line is None:
        frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename.endswith(".j2")]
        if frames:
            where, line = frames[-1].filename, frames[-1].lineno
    at = f", line {line}" if line else ""
    return SowError(f"template {where}{at}: {exc.message or exc}")


@functools.lru_cache(maxsize=16)
def _environment(template_dirs: tuple[Path, ...]) -> jinja2.Environment:
    """One environment per search path; Jinja reloads a template whose file changed."""
    return make_environment(template_dirs, escape=sow_markdown)


def render_template(name: str, template_dirs: Sequence[Path] = (), **context: Any) -> str:
    """Render template ``name`` with every printed value escaped for Markdown.

    Raises :class:`SowError` naming the template and line when it is broken.
    """
    env = _environment(tuple(template_dirs))
    try:
        return env.get_template(name).render(**context)
    except jinja2.TemplateError as exc:
        raise template_error(name, exc) from exc
