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

from specgen.confine import check_within
from specgen.resources import bundled_templates
from specgen.text import Md
from specgen.usercache import template_code_cache

__all__ = ["ProjectLoader", "make_environment", "printer", "template_search_path"]


class ProjectLoader(jinja2.FileSystemLoader):
    """A file-system loader that refuses a template which is a symbolic link
    out of its folder (:mod:`specgen.confine`), before reading it."""

    def get_source(self, environment: jinja2.Environment, template: str) -> tuple[str, str, Callable[[], bool]]:
        pieces = jinja2.loaders.split_template_path(template)
        for folder in self.searchpath:
            candidate = Path(folder, *pieces)
            if candidate.is_file() or candidate.is_symlink():
                check_within(candidate, [Path(folder)])
                break
        return super().get_source(environment, template)


def template_search_path(user_dirs: Sequence[Path] = ()) -> list[Path]:
    """User folders that exist, then the bundled templates."""
    return [d for d in user_dirs if d.is_dir()] + [bundled_templates()]


def printer(escape: Callable[[Any], str]) -> Callable[[Any], Any]:
    """What ``{{ value }}`` prints in an environment for one target: markup
    specgen wrote (:class:`specgen.text.Md`, a macro's output) as is, nothing
    for ``None``, and everything else through ``escape``."""

    def finalize(value: Any) -> Any:
        if hasattr(value, "__html__"):
            return value
        if value is None:
            return Md("")
        return Md(escape(value))

    return finalize


def make_environment(
    user_dirs: Sequence[Path] = (),
    *,
    escape: Callable[[Any], str],
    filters: dict[str, Callable[..., Any]] | None = None,
    bytecode_cache: jinja2.BytecodeCache | bool | None = True,
) -> jinja2.Environment:
    """A Jinja environment over the search path that escapes every printed
    value for its target.

    ``escape`` is one of :mod:`specgen.text`'s functions (or a finalizer
    built on one); there is no environment without one, so a template that
    forgets a filter still cannot let spec text become markup. Trusted markup
    is an :class:`specgen.text.Md`. Jinja's own autoescaping is on only so
    that a macro's output counts as markup already escaped (it is never
    HTML-escaped twice: :class:`~specgen.text.Md` has ``__html__``).
    Compiled templates are kept in the user's cache folder
    (:mod:`specgen.usercache`; ``bytecode_cache=False``: not at all).
    """
    env = jinja2.Environment(
        loader=ProjectLoader([str(p) for p in template_search_path(user_dirs)]),
        undefined=jinja2.StrictUndefined,
        autoescape=True,
        finalize=printer(escape),
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        bytecode_cache=template_code_cache() if bytecode_cache is True else (bytecode_cache or None),
    )
    env.filters.update(filters or {})
    return env
