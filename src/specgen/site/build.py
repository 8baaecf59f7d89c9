"""The handover site: a generated mkdocs project, built with mkdocs-material.

:func:`write_sources` turns a portfolio into an mkdocs project — ``docs/``
(the pages of :mod:`specgen.site.plan` plus the assets), ``theme/`` (overrides of
the material theme) and ``mkdocs.yml`` (:mod:`specgen.site.mkdocs`) —
byte-identical for the same inputs. :func:`build_site` writes it and runs
mkdocs in a temporary folder next to the output and only then swaps the
new site in, so a failed build leaves the previous site untouched; it refuses
to replace a folder it did not build. The live preview is
:mod:`specgen.site.serve`.

Nothing here prints: mkdocs' log messages are collected and returned, and
problems are raised as :class:`SiteError` subclasses for the caller to report.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from specgen.confine import check_within
from specgen.resources import bundled_templates
from specgen.site.cache import CACHE_DIR, open_cache
from specgen.site.environment import RenderError
from specgen.site.errors import InvalidPortfolio, OutputNotOurs, SiteBuildError
from specgen.site.gather import SiteInputs, gather
from specgen.site.mkdocs import mkdocs_config, mkdocs_yaml, run_mkdocs
from specgen.site.pages import PORTFOLIO_PAGES, Page, PageDef, PortfolioPageDef
from specgen.site.plan import render_planned_pages
from specgen.site.staging import remove_stale, staging_folder, swap_in
from specgen.spec.loader import Portfolio
from specgen.spec.schema import Project

if TYPE_CHECKING:
    from specgen.rules import PortfolioReport

__all__ = [
    "MARKER",
    "SOURCES_MARKER",
    "BuildResult",
    "Sources",
    "build_site",
    "default_cache",
    "default_user_templates",
    "write_sources",
]

MARKER = ".specgen-site"
"""File at the top of a built site: specgen may replace the folder that holds it."""
SOURCES_MARKER = ".specgen-sources"
"""The same for a folder of kept sources (``--keep-sources``)."""

LOGO_SUFFIXES = frozenset({".png", ".svg", ".jpg", ".jpeg", ".gif", ".webp"})
SITE_ASSETS = "site/assets"
SITE_THEME = "site/theme"


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
    """Reading the git histories and recorded approvals, loading templates,
    rendering the pages, writing the mkdocs project."""
    mkdocs_seconds: float
    """mkdocs' own build (Markdown to HTML, theme, search index)."""
    sources: Path | None = None
    """Where the generated mkdocs project was kept, if asked."""
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    """One-line notes for the user (such as a build cache discarded)."""
    reused: int = 0
    """Steps of mkdocs' build taken from the cache (three per page at most)."""
    computed: int = 0
    """Steps of mkdocs' build computed afresh."""

    @property
    def seconds(self) -> float:
        return self.render_seconds + self.mkdocs_seconds


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
                check_within(path, [root])  # a link to a file outside the project is refused
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


def default_cache(portfolio: Portfolio) -> Path:
    """The build cache's folder: ``.specgen-cache/`` next to the project file."""
    return portfolio.root / CACHE_DIR


def write_sources(
    portfolio: Portfolio,
    folder: Path,
    *,
    report: PortfolioReport | None = None,
    user_templates: Path | None = None,
    workflow_pages: Sequence[PageDef] | None = None,
    portfolio_pages: Sequence[PortfolioPageDef] = PORTFOLIO_PAGES,
    inputs: SiteInputs | None = None,
) -> Sources:
    """Write the site's mkdocs project into ``folder`` (which must not exist).

    ``user_templates`` defaults to ``templates/`` next to the project file;
    its ``site/...`` files replace the bundled ones of the same name (page
    templates, ``site/glossary.yml``, ``site/assets/...``, ``site/theme/...``).
    ``inputs`` are the histories and recorded approvals of the specs
    (gathered here when not given). Raises :class:`SiteBuildError` when a
    template fails.
    """
    if user_templates is None:
        user_templates = default_user_templates(portfolio)
    if inputs is None:
        inputs = gather(portfolio)
    try:
        rendered = render_planned_pages(
            portfolio,
            report=report,
            user_templates=user_templates,
            workflow_pages=workflow_pages,
            portfolio_pages=portfolio_pages,
            inputs=inputs,
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
    for name, path in sorted(inputs.artefacts.items()):  # evidence result files, linked from acceptance pages
        (docs / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, docs / name)
    _write(folder / "mkdocs.yml", mkdocs_yaml(config))
    _write(folder / SOURCES_MARKER, "Generated by specgen build --keep-sources; replaced on the next build.\n")
    return Sources(folder, pages, config)


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


def build_site(
    portfolio: Portfolio,
    output: Path,
    *,
    report: PortfolioReport | None = None,
    user_templates: Path | None = None,
    keep_sources: Path | None = None,
    force: bool = False,
    workflow_pages: Sequence[PageDef] | None = None,
    portfolio_pages: Sequence[PortfolioPageDef] = PORTFOLIO_PAGES,
    cache: Path | None = None,
) -> BuildResult:
    """Build the handover site into ``output``, atomically.

    Everything happens in a temporary folder beside ``output``; the new site
    replaces the old one only once it is complete, so any failure leaves the
    previous site as it was. ``output`` (and ``keep_sources``) must be absent,
    empty or built by specgen before, unless ``force``; never may it hold a
    spec or the project file. ``cache`` is the build cache's folder
    (:mod:`specgen.site.cache`; None: build without one). Raises
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
    remove_stale(output)
    with staging_folder(output) as staging:
        try:
            result = _build_in(
                staging.folder,
                portfolio,
                output,
                report,
                user_templates,
                keep_sources,
                force,
                workflow_pages,
                portfolio_pages,
                cache,
            )
            staging.trash = cache / "trash" if cache is not None else None
            return result
        except SiteBuildError as exc:
            message = f"{exc.message}; the previous site in {output} was left as it was"
            raise SiteBuildError(message, exc.warnings) from exc


def _build_in(
    staging: Path,
    portfolio: Portfolio,
    output: Path,
    report: PortfolioReport | None,
    user_templates: Path | None,
    keep_sources: Path | None,
    force: bool,
    workflow_pages: Sequence[PageDef] | None,
    portfolio_pages: Sequence[PortfolioPageDef],
    cache_dir: Path | None,
) -> BuildResult:
    """Build in ``staging`` and swap the result in (see :func:`build_site`)."""
    started = time.perf_counter()
    inputs = gather(portfolio)
    sources = write_sources(
        portfolio,
        staging / "sources",
        report=report,
        user_templates=user_templates,
        workflow_pages=workflow_pages,
        portfolio_pages=portfolio_pages,
        inputs=inputs,
    )
    rendered = time.perf_counter()
    site = staging / "site"
    cache = open_cache(cache_dir, scratch=staging) if cache_dir is not None else None
    from specgen.site.mkcache import cache_plugin  # imports mkdocs: only when building

    try:
        plugins = [cache_plugin(cache, sources.root, sources.config)] if cache is not None else []
        warnings = run_mkdocs(sources.root, site, plugins=plugins)
        if cache is not None:
            cache.commit()
    finally:
        if cache is not None:
            cache.close()
    built = time.perf_counter()
    (site / MARKER).write_text("Built by specgen build; the next build replaces this folder.\n", encoding="utf-8")
    _check_replaceable(output, MARKER, force)
    swap_in(site, output, staging / "previous-site")
    kept = None
    if keep_sources is not None:
        keep_sources.parent.mkdir(parents=True, exist_ok=True)
        swap_in(sources.root, keep_sources, staging / "previous-sources")
        kept = keep_sources
    result = BuildResult(output, len(sources.pages), rendered - started, built - rendered, kept, warnings)
    if cache is not None:
        result.notes, result.reused, result.computed = cache.notes, cache.hits, cache.misses
    return result
