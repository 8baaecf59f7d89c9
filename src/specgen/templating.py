"""The Jinja2 environment shared by everything that renders text.

Templates are looked up along a search path, like mkdocs themes: the user's
``templates/`` folder first, then the bundled one, so any bundled template is
overridden by dropping a file of the same name into the user's folder.
Undefined variables fail loudly (``StrictUndefined``) instead of rendering as
empty text.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import jinja2

from specgen.resources import bundled_templates

__all__ = ["make_environment", "template_search_path"]


def template_search_path(user_dirs: Sequence[Path] = ()) -> list[Path]:
    """User folders that exist, then the bundled templates."""
    return [d for d in user_dirs if d.is_dir()] + [bundled_templates()]


def make_environment(
    user_dirs: Sequence[Path] = (),
    *,
    filters: dict[str, Callable[..., Any]] | None = None,
    autoescape: bool = False,
) -> jinja2.Environment:
    """A Jinja environment over the search path.

    ``autoescape`` is off because the outputs are Markdown and YAML, not
    HTML; code that renders untrusted text into Markdown escapes it with an
    explicit filter.
    """
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader([str(p) for p in template_search_path(user_dirs)]),
        undefined=jinja2.StrictUndefined,
        autoescape=autoescape,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(filters or {})
    return env
