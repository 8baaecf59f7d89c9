"""The handover site: a generated mkdocs project, built with mkdocs-material.

:func:`write_sources` turns a portfolio into an mkdocs project — ``docs/``
(the pages of :mod:`specgen.site.render` plus the assets), ``theme/`` (overrides of
the material theme) and ``mkdocs.yml`` — byte-identical for the same inputs.
:func:`run_mkdocs` builds it through mkdocs' Python API. :func:`build_site`
does both in a temporary folder next to the output and only then swaps the
new site in, so a failed build leaves the previous site untouched; it refuses
to replace a folder it did not build. :class:`Preview` (and :func:`serve`)
rebuilds on every change of a spec, the project file or a template and serves
the site on a local port.

The site works from ``file://`` and without network: material's ``offline``
plugin inlines the search index, the iframe-worker shim runs search without a
web worker, Mermaid is served from the site itself (material would fetch it
from a CDN otherwise) and the theme's Google Fonts are switched off.

Nothing here prints: mkdocs' log messages are collected and returned, and
problems are raised as :class:`SiteError` subclasses for the caller to report.
"""

from __future__ import annotations

import html
import logging
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from specgen.diagnostics import Diagnostic
from specgen.resources import bundled_templates
from specgen.site.render import (
    PORTFOLIO_PAGES,
    WORKFLOW_PAGES,
    Page,
    PageDef,
    PortfolioPageDef,
    RenderError,
    render_planned_pages,
    site_name,
)
from specgen.spec.loader import Portfolio
from specgen.spec.schema import Project, Stage

if TYPE_CHECKING:
    from specgen.rules import PortfolioReport

__all__ = [
    "MARKER",
    "BuildResult",
    "InvalidPortfolio",
    "OutputNotOurs",
    "Preview",
    "PreviewBuild",
    "SiteBuildError",
    "SiteError",
    "Sources",
    "build_site",
    "mkdocs_config",
    "mkdocs_yaml",
    "nav_for",
    "run_mkdocs",
    "serve",
    "write_sources",
]

MARKER = ".specgen-site"
"""File at the top of a built site: specgen may replace the folder that holds it."""
SOURCES_MARKER = ".specgen-sources"
"""The same for a folder of kept sources (``--keep-sources``)."""

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
LOGO_SUFFIXES = frozenset({".png", ".svg", ".jpg", ".jpeg", ".gif", ".webp"})
SITE_ASSETS = "site/assets"
SITE_THEME = "site/theme"
MERMAID_JS = "assets/vendor/mermaid/mermaid.min.js"
IFRAME_WORKER_JS = "assets/vendor/iframe-worker/shim.js"
STYLESHEET = "assets/stylesheets/specgen.css"


# ---------------------------------------------------------------- errors and results


class SiteError(Exception):
    """The site could not be built; the message says why."""


class InvalidPortfolio(SiteError):
    """The specs do not validate; ``diagnostics`` are what ``validate`` reports."""

    def __init__(self, diagnostics: Sequence[Diagnostic]) -> None:
        self.diagnostics = list(diagnostics)
        super().__init__(f"{sum(1 for d in diagnostics if d.level.value == 'error')} errors in the specs")


class OutputNotOurs(SiteError):
    """The output folder exists and is not a site specgen built."""


class SiteBuildError(SiteError):
    """Rendering or the mkdocs build failed; ``warnings`` are mkdocs' messages."""

    def __init__(self, message: str, warnings: Sequence[str] = ()) -> None:
        self.warnings = list(warnings)
        details = "".join(f"\n  {w}" for w in self.warnings)
        super().__init__(message + details)


@dataclass
class Sources:
    """A generated mkdocs project on disk."""

    root: Path
    """Folder holding ``mkdocs.yml``, ``docs/`` and ``theme/``."""
    pages: list[Page]
    config: dict[str, Any]

    @property
    def config_file(self) -> Path:
        return self.root / "mkdocs.yml"


@dataclass
class BuildResult:
    """What a build produced and how long its two halves took."""

    output: Path
    pages: int
    render_seconds: float
    """Loading templates, rendering the pages, writing the mkdocs project."""
    mkdocs_seconds: float
    """mkdocs' own build (Markdown to HTML, theme, search index)."""
    sources: Path | None = None
    """Where the generated mkdocs project was kept, if asked."""
    warnings: list[str] = field(default_factory=list)

    @property
    def seconds(self) -> float:
        return self.render_seconds + self.mkdocs_seconds


# ---------------------------------------------------------------- mkdocs configuration


class _PythonName(str):
    """A ``!!python/name:`` reference in mkdocs.yml (for superfences' formatter)."""


class _Dumper(yaml.SafeDumper):
    pass


_Dumper.add_representer(
    _PythonName, lambda dumper, data: dumper.represent_scalar(f"tag:yaml.org,2002:python/name:{data}", "")
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
        return {_nav_title(first.context["workflow"].title): items}

    stages: dict[Stage, list[list[Page]]] = {}
    for members in by_workflow.values():
        stages.setdefault(members[0].context["workflow"].stage, []).append(members)
    workflows_nav = []
    for stage in sorted(stages, key=lambda s: -s.rank):
        entries = [(m[0].context["workflow"].title, workflow_entry(m)) for m in stages[stage]]
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
            {"toc": {"permalink": True}},
            {
                "pymdownx.superfences": {
                    "custom_fences": [
                        {
                            "name": "mermaid",
                            "class": "mermaid",
                            "format": _PythonName("pymdownx.superfences.fence_code_format"),
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


# ---------------------------------------------------------------- sources


def _layered_files(subdir: str, user_templates: Path | None) -> dict[str, Path]:
    """Files under ``subdir`` of the bundled templates, the user's replacing them by name."""
    found: dict[str, Path] = {}
    roots = [bundled_templates()] + ([user_templates] if user_templates and user_templates.is_dir() else [])
    for root in roots:
        base = root / subdir
        if not base.is_dir():
            continue
        for path in sorted(base.rglob("*")):
            if path.is_file() and not path.name.startswith("."):
                found[path.relative_to(base).as_posix()] = path
    return found


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode("utf-8"))


def _logo(project: Project, root: Path) -> Path | None:
    if not project.site.logo:
        return None
    base = root.resolve()
    path = (base / project.site.logo).resolve()
    if not path.is_relative_to(base):
        raise SiteBuildError(f"site.logo '{project.site.logo}' is outside the project folder {root}")
    if path.suffix.lower() not in LOGO_SUFFIXES:
        raise SiteBuildError(
            f"site.logo '{project.site.logo}' is not an image (expected {', '.join(sorted(LOGO_SUFFIXES))})"
        )
    if not path.is_file():
        raise SiteBuildError(f"site.logo '{project.site.logo}' not found (looked for {path})")
    return path


def default_user_templates(portfolio: Portfolio) -> Path:
    """The user's template folder: ``templates/`` next to the project file."""
    return portfolio.root / "templates"


def write_sources(
    portfolio: Portfolio,
    folder: Path,
    *,
    report: PortfolioReport | None = None,
    user_templates: Path | None = None,
    workflow_pages: Sequence[PageDef] = WORKFLOW_PAGES,
    portfolio_pages: Sequence[PortfolioPageDef] = PORTFOLIO_PAGES,
) -> Sources:
    """Write the site's mkdocs project into ``folder`` (which must not exist).

    ``user_templates`` defaults to ``templates/`` next to the project file;
    its ``site/...`` files replace the bundled ones of the same name (page
    templates, ``site/glossary.yml``, ``site/assets/...``, ``site/theme/...``).
    Raises :class:`SiteBuildError` when a template fails.
    """
    if user_templates is None:
        user_templates = default_user_templates(portfolio)
    try:
        rendered = render_planned_pages(
            portfolio,
            report=report,
            user_templates=user_templates,
            workflow_pages=workflow_pages,
            portfolio_pages=portfolio_pages,
        )
    except RenderError as exc:
        raise SiteBuildError(f"cannot render the site: {exc}") from exc
    logo_path = _logo(portfolio.project, portfolio.root)
    logo = f"assets/logo{logo_path.suffix.lower()}" if logo_path else None
    pages = [page for page, _ in rendered]
    config = mkdocs_config(portfolio.project, pages, logo=logo)

    folder.mkdir(parents=True)
    docs = folder / "docs"
    for page, text in rendered:
        _write(docs / page.path, text)
    for name, path in _layered_files(SITE_ASSETS, user_templates).items():
        target = docs / "assets" / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
    for name, path in _layered_files(SITE_THEME, user_templates).items():
        target = folder / "theme" / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
    (folder / "theme").mkdir(exist_ok=True)
    if logo_path is not None and logo is not None:
        shutil.copyfile(logo_path, docs / logo)
    _write(folder / "mkdocs.yml", mkdocs_yaml(config))
    _write(folder / SOURCES_MARKER, "Generated by specgen build --keep-sources; replaced on the next build.\n")
    return Sources(folder, pages, config)


# ---------------------------------------------------------------- mkdocs


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(f"{record.levelname.lower()}: {record.getMessage()}")


@contextmanager
def _mkdocs_log() -> Iterator[_Collect]:
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


def run_mkdocs(sources: Path, site_dir: Path) -> list[str]:
    """Build the mkdocs project in ``sources`` into ``site_dir`` (strict: any
    warning, such as a broken link, fails). Returns mkdocs' warnings."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import MkDocsException

    with _mkdocs_log() as log:
        try:
            config = load_config(config_file=str(sources.resolve() / "mkdocs.yml"), site_dir=str(site_dir.resolve()))
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


# ---------------------------------------------------------------- build


def _check_replaceable(path: Path, marker: str, force: bool) -> None:
    if not path.exists():
        return
    if not path.is_dir():
        raise OutputNotOurs(f"{path} is a file, not a folder; choose another output")
    if force or (path / marker).is_file() or not any(path.iterdir()):
        return
    raise OutputNotOurs(
        f"{path} exists and was not built by specgen (it has no {marker} file); "
        "choose another folder, or pass --force to replace it"
    )


def _inside(path: Path, folder: Path) -> bool:
    return path.resolve().is_relative_to(folder.resolve())


def _check_inputs_outside(portfolio: Portfolio, output: Path, keep_sources: Path | None) -> None:
    """Refuse, even with ``force``, an output that would swallow the inputs."""
    inputs = [ls.source.path for ls in portfolio.specs if ls.source.path is not None]
    if portfolio.project_source is not None and portfolio.project_source.path is not None:
        inputs.append(portfolio.project_source.path)
    for folder in [output] + ([keep_sources] if keep_sources is not None else []):
        hit = next((p for p in inputs if _inside(p, folder)), None)
        if hit is not None:
            raise OutputNotOurs(f"{folder} holds {hit}, an input of the build; choose another folder")
    if keep_sources is not None and (_inside(keep_sources, output) or _inside(output, keep_sources)):
        raise OutputNotOurs(f"the site ({output}) and the kept sources ({keep_sources}) must be separate folders")


def _swap_in(new: Path, target: Path, attic: Path) -> None:
    """Replace ``target`` with ``new`` by two renames; ``attic`` receives the old one."""
    if target.exists():
        os.replace(target, attic)
        try:
            os.replace(new, target)
        except BaseException:
            os.replace(attic, target)
            raise
    else:
        os.replace(new, target)


def build_site(
    portfolio: Portfolio,
    output: Path,
    *,
    report: PortfolioReport | None = None,
    user_templates: Path | None = None,
    keep_sources: Path | None = None,
    force: bool = False,
    workflow_pages: Sequence[PageDef] = WORKFLOW_PAGES,
    portfolio_pages: Sequence[PortfolioPageDef] = PORTFOLIO_PAGES,
) -> BuildResult:
    """Build the handover site into ``output``, atomically.

    Everything happens in a temporary folder beside ``output``; the new site
    replaces the old one only once it is complete, so any failure leaves the
    previous site as it was. ``output`` (and ``keep_sources``) must be absent,
    empty or built by specgen before, unless ``force``; never may it hold a
    spec or the project file. Raises
    :class:`InvalidPortfolio`, :class:`OutputNotOurs` or :class:`SiteBuildError`.
    """
    if not portfolio.ok:
        raise InvalidPortfolio(portfolio.diagnostics)
    output = Path(output)
    _check_inputs_outside(portfolio, output, keep_sources)
    _check_replaceable(output, MARKER, force)
    if keep_sources is not None:
        _check_replaceable(keep_sources, SOURCES_MARKER, force)
    output.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{output.name}.", suffix=".specgen-build", dir=output.parent))
    try:
        started = time.perf_counter()
        sources = write_sources(
            portfolio,
            staging / "sources",
            report=report,
            user_templates=user_templates,
            workflow_pages=workflow_pages,
            portfolio_pages=portfolio_pages,
        )
        rendered = time.perf_counter()
        site = staging / "site"
        warnings = run_mkdocs(sources.root, site)
        built = time.perf_counter()
        (site / MARKER).write_text("Built by specgen build; the next build replaces this folder.\n", encoding="utf-8")
        _check_replaceable(output, MARKER, force)
        _swap_in(site, output, staging / "previous-site")
        kept = None
        if keep_sources is not None:
            keep_sources.parent.mkdir(parents=True, exist_ok=True)
            _swap_in(sources.root, keep_sources, staging / "previous-sources")
            kept = keep_sources
        return BuildResult(output, len(sources.pages), rendered - started, built - rendered, kept, warnings)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


# ---------------------------------------------------------------- live preview


@dataclass
class PreviewBuild:
    """The outcome of one build of the live preview."""

    ok: bool
    result: BuildResult | None = None
    diagnostics: list[Diagnostic] = field(default_factory=list)
    """Validation problems when the specs do not validate."""
    error: str | None = None
    """Why the build failed otherwise."""


Loader = Callable[[], "tuple[Portfolio, PortfolioReport | None]"]
"""Loads the portfolio and its readiness report afresh (called on every change)."""


class Preview:
    """A live preview: builds the site, serves it on ``host:port`` and rebuilds
    when anything under ``watch`` changes. A failed rebuild keeps the last good
    site and reports through ``on_build``."""

    def __init__(
        self,
        load: Loader,
        *,
        watch: Sequence[Path],
        user_templates: Path | None = None,
        host: str = "127.0.0.1",
        port: int = 8000,
        on_build: Callable[[PreviewBuild], None] | None = None,
    ) -> None:
        from mkdocs.livereload import LiveReloadServer

        self._load = load
        self._user_templates = user_templates
        self._on_build = on_build or (lambda outcome: None)
        self._workdir = Path(tempfile.mkdtemp(prefix="specgen-serve-"))
        self.site_dir = self._workdir / "site"
        self.site_dir.mkdir()
        self.server = LiveReloadServer(builder=self.build, host=host, port=port, root=str(self.site_dir))
        self.server.error_handler = self._error_page
        self.watched = sorted({Path(p).resolve() for p in watch if Path(p).exists()})
        for path in self.watched:
            self.server.watch(str(path))

    @property
    def url(self) -> str:
        """Where the preview is served."""
        return self.server.url

    def _error_page(self, code: int) -> bytes | None:
        page = self.site_dir / f"{code}.html"
        return page.read_bytes() if page.is_file() else None

    def build(self) -> PreviewBuild:
        """Load and build once; never raises (the outcome says what happened)."""
        try:
            portfolio, report = self._load()
            if not portfolio.ok:
                outcome = PreviewBuild(False, diagnostics=list(portfolio.diagnostics))
            else:
                result = build_site(portfolio, self.site_dir, report=report, user_templates=self._user_templates)
                outcome = PreviewBuild(True, result=result)
        except SiteError as exc:
            outcome = PreviewBuild(False, error=str(exc))
        except Exception as exc:  # the preview must survive anything a rebuild throws
            outcome = PreviewBuild(False, error=f"{type(exc).__name__}: {exc}")
        self._on_build(outcome)
        return outcome

    def run(self) -> None:
        """Serve until :meth:`shutdown` (or Ctrl-C in the caller)."""
        with _mkdocs_log():
            self.server.serve()

    def shutdown(self) -> None:
        """Stop serving and remove the preview's files."""
        self.server.shutdown(wait=self.server.serve_thread.is_alive())
        shutil.rmtree(self._workdir, ignore_errors=True)


def serve(
    load: Loader,
    *,
    watch: Sequence[Path],
    user_templates: Path | None = None,
    host: str = "127.0.0.1",
    port: int = 8000,
    on_build: Callable[[PreviewBuild], None] | None = None,
    on_ready: Callable[[str], None] | None = None,
) -> None:
    """Build, serve and rebuild on change until interrupted (blocks)."""
    preview = Preview(load, watch=watch, user_templates=user_templates, host=host, port=port, on_build=on_build)
    try:
        preview.build()
        if on_ready is not None:
            on_ready(preview.url)
        preview.run()
    finally:
        preview.shutdown()
