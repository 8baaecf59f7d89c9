"""The site's mkdocs configuration (theme, nav, Markdown extensions) and the
mkdocs build, run through mkdocs' Python API.

The site works from ``file://`` and without network: material's ``offline``
plugin inlines the search index, the iframe-worker shim runs search without a
web worker, Mermaid is served from the site itself (material would fetch it
from a CDN otherwise) and the theme's Google Fonts are switched off.

Nothing here prints: mkdocs' log messages are collected and returned.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import yaml

from specgen.site.errors import SiteBuildError
from specgen.site.pages import Page
from specgen.site.views import site_name
from specgen.spec.schema import Project, Stage

__all__ = ["PythonName", "mkdocs_config", "mkdocs_log", "mkdocs_yaml", "nav_for", "run_mkdocs"]

NAV_GROUP_SIZE = 10
"""Most workflows listed side by side in the nav; a stage with more is split
into groups (and groups of groups) of this size, so the nav every page renders
stays small however large the portfolio: with ``navigation.prune`` only the
siblings along the path to the page are rendered."""

FEATURES = (
    "navigation.sections",
    "navigation.indexes",
    "navigation.prune",
    "navigation.top",
    "search.highlight",
)
MATERIAL_COLOURS = frozenset(
    {
        *("red", "pink", "purple", "deep-purple", "indigo", "blue", "light-blue", "cyan", "teal", "green"),
        *("light-green", "lime", "yellow", "amber", "orange", "deep-orange", "brown", "grey", "blue-grey"),
        *("black", "white"),
    }
)
"""The colour names mkdocs-material knows for primary and accent."""
MERMAID_JS = "assets/vendor/mermaid/mermaid.min.js"
IFRAME_WORKER_JS = "assets/vendor/iframe-worker/shim.js"
STYLESHEET = "assets/stylesheets/specgen.css"


# ---------------------------------------------------------------- mkdocs configuration


class PythonName(str):
    """A ``!!python/name:`` reference in mkdocs.yml (for superfences' formatter)."""


class _Dumper(yaml.SafeDumper):
    pass


_Dumper.add_representer(
    PythonName, lambda dumper, data: dumper.represent_scalar(f"tag:yaml.org,2002:python/name:{data}", "")
)


def _nav_title(text: str) -> str:
    """Nav titles are printed as HTML by the theme: spec text must be escaped."""
    return html.escape(" ".join(text.split()), quote=True)


def _short(text: str, limit: int = 24) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _grouped(entries: list[tuple[str, Any]], size: int) -> list[Any]:
    """Nav entries, nested in groups of at most ``size`` (and groups of groups,
    as deep as needed), so no page renders more than ``size`` siblings at a
    level. ``entries`` are (title for the group label, nav entry) pairs."""
    if len(entries) <= size:
        return [entry for _, entry in entries]
    chunk = size
    while -(-len(entries) // chunk) > size:
        chunk *= size
    groups = []
    for start in range(0, len(entries), chunk):
        members = entries[start : start + chunk]
        label = _nav_title(f"{_short(members[0][0])} – {_short(members[-1][0])}")
        groups.append((members[0][0], {label: _grouped(members, size)}))
    return [entry for _, entry in groups]


def _section(page: Page) -> tuple[str, Stage]:
    """A workflow page's workflow title and stage (a page made without them: from its context)."""
    if page.section is not None:
        return page.section
    workflow = page.context["workflow"]
    return workflow.title, workflow.stage


def nav_for(pages: Sequence[Page]) -> list[Any]:
    """The mkdocs nav: the first portfolio page, the workflows by stage (each
    a section whose index is its overview), then the other portfolio pages."""
    portfolio_pages = [p for p in pages if p.workflow is None]
    by_workflow: dict[str, list[Page]] = {}
    for page in pages:
        if page.workflow is not None:
            by_workflow.setdefault(page.workflow, []).append(page)

    def workflow_entry(members: list[Page]) -> dict[str, Any]:
        first, rest = members[0], members[1:]
        items: list[Any] = [first.path]
        groups: dict[str, list[Any]] = {}
        for page in rest:
            entry = {_nav_title(page.title): page.path}
            if page.group is None:
                items.append(entry)
            else:
                if page.group not in groups:
                    groups[page.group] = []
                    items.append({_nav_title(page.group): groups[page.group]})
                groups[page.group].append(entry)
        return {_nav_title(_section(first)[0]): items}

    stages: dict[Stage, list[list[Page]]] = {}
    for members in by_workflow.values():
        stages.setdefault(_section(members[0])[1], []).append(members)
    workflows_nav = []
    for stage in sorted(stages, key=lambda s: -s.rank):
        entries = [(_section(m[0])[0], workflow_entry(m)) for m in stages[stage]]
        workflows_nav.append({_nav_title(stage.label.capitalize()): _grouped(entries, NAV_GROUP_SIZE)})
    nav: list[Any] = [{_nav_title(p.title): p.path} for p in portfolio_pages[:1]]
    if workflows_nav:
        nav.append({"Workflows": workflows_nav})
    nav.extend({_nav_title(p.title): p.path} for p in portfolio_pages[1:])
    return nav


def _colour(value: str, what: str) -> str:
    if value not in MATERIAL_COLOURS:
        raise SiteBuildError(
            f"site.{what} '{value}' is not a colour of the material theme; use one of: "
            + ", ".join(sorted(MATERIAL_COLOURS))
        )
    return value


def mkdocs_config(project: Project, pages: Sequence[Page], *, logo: str | None = None) -> dict[str, Any]:
    """The mkdocs configuration of the site, as data (see :func:`mkdocs_yaml`)."""
    settings = project.site
    primary = _colour(settings.primary_color, "primary_color")
    accent = _colour(settings.accent_color, "accent_color")
    palette = [
        {
            "media": "(prefers-color-scheme: light)",
            "scheme": "default",
            "primary": primary,
            "accent": accent,
            "toggle": {"icon": "material/weather-night", "name": "Switch to dark mode"},
        },
        {
            "media": "(prefers-color-scheme: dark)",
            "scheme": "slate",
            "primary": primary,
            "accent": accent,
            "toggle": {"icon": "material/weather-sunny", "name": "Switch to light mode"},
        },
    ]
    theme: dict[str, Any] = {
        "name": "material",
        "custom_dir": "theme",
        "language": "en",
        "font": False,
        "features": list(FEATURES),
        "palette": palette,
    }
    if logo:
        theme["logo"] = logo
    config: dict[str, Any] = {
        "site_name": _nav_title(site_name(project)),
        "docs_dir": "docs",
        "use_directory_urls": False,
        "strict": True,
        "theme": theme,
        "plugins": ["search", "offline"],
        "markdown_extensions": [
            "tables",
            "admonition",
            "pymdownx.details",
            "attr_list",
            "specgen.site.captions",
            "specgen.site.rawhtml",
            "specgen.site.pipetables",
            "specgen.site.quickinline",
            "specgen.site.sections",
            {"toc": {"permalink": True}},
            {
                "pymdownx.superfences": {
                    "custom_fences": [
                        {
                            "name": "mermaid",
                            "class": "mermaid",
                            "format": PythonName("pymdownx.superfences.fence_code_format"),
                        }
                    ]
                }
            },
        ],
        "extra_css": [STYLESHEET],
        "extra_javascript": [MERMAID_JS],
        "extra": {"generator": False, "polyfills": [IFRAME_WORKER_JS]},
        "validation": {
            "links": {"not_found": "warn", "anchors": "warn", "absolute_links": "warn", "unrecognized_links": "warn"}
        },
        "nav": nav_for(pages),
    }
    if project.organisation:
        config["copyright"] = _nav_title(f"Handover site of {project.organisation}")
    return config


def mkdocs_yaml(config: dict[str, Any]) -> str:
    """``mkdocs.yml`` text for a configuration: stable key order, UTF-8."""
    header = "# Generated by specgen build: edits are lost on the next build.\n"
    return header + yaml.dump(config, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=4096)


# ---------------------------------------------------------------- mkdocs


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(f"{record.levelname.lower()}: {record.getMessage()}")


@contextmanager
def mkdocs_log() -> Iterator[_Collect]:
    """Collect mkdocs' warnings instead of letting them reach the terminal."""
    logger = logging.getLogger("mkdocs")
    handler = _Collect()
    propagate = logger.propagate
    logger.addHandler(handler)
    logger.propagate = False
    try:
        yield handler
    finally:
        logger.removeHandler(handler)
        logger.propagate = propagate


def run_mkdocs(sources: Path, site_dir: Path, *, plugins: Sequence[tuple[str, Any]] = ()) -> list[str]:
    """Build the mkdocs project in ``sources`` into ``site_dir`` (strict: any
    warning, such as a broken link, fails). Returns mkdocs' warnings.
    ``plugins`` (name, plugin object) run after those of ``mkdocs.yml``
    (specgen's build cache, :mod:`specgen.site.mkcache`)."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import MkDocsException

    with mkdocs_log() as log:
        try:
            config = load_config(config_file=str(sources.resolve() / "mkdocs.yml"), site_dir=str(site_dir.resolve()))
            for name, plugin in plugins:
                config.plugins[name] = plugin
            config.plugins.on_startup(command="build", dirty=False)
            try:
                build(config)
            finally:
                config.plugins.on_shutdown()
        except MkDocsException as exc:
            raise SiteBuildError(f"mkdocs failed: {exc}", log.messages) from exc
        except Exception as exc:  # a theme or plugin error surfaces as anything
            raise SiteBuildError(f"mkdocs failed: {type(exc).__name__}: {exc}", log.messages) from exc
    return log.messages
