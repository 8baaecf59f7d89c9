"""The site as an mkdocs project: its pages rendered, its other files listed.

:func:`prepare_sources` renders every page (:mod:`specgen.site.render`) and
lists the other files of ``docs/`` (the assets, the logo, evidence result
files) and of ``theme/`` (overrides of the material theme), with the mkdocs
configuration (:mod:`specgen.site.mkdocs`), all in memory: the build hands
it to mkdocs as it is (:mod:`specgen.site.engine`). :func:`write_sources`
writes the same as a project ``mkdocs build`` builds alike (what
``--keep-sources`` keeps), byte-identical for the same inputs.
"""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from specgen.confine import check_within
from specgen.resources import bundled_templates
from specgen.site.engine import SiteFiles
from specgen.site.environment import RenderError
from specgen.site.errors import SiteBuildError
from specgen.site.gather import SiteInputs, gather
from specgen.site.mkdocs import mkdocs_config, mkdocs_yaml
from specgen.site.pagememo import Memo
from specgen.site.pages import PORTFOLIO_PAGES, Page, PageDef, PortfolioPageDef
from specgen.site.render import render_texts
from specgen.spec.loader import Portfolio
from specgen.spec.schema import Project

if TYPE_CHECKING:
    from specgen.rules import PortfolioReport

__all__ = [
    "SOURCES_MARKER",
    "Prepared",
    "Sources",
    "default_user_templates",
    "prepare_sources",
    "write_project",
    "write_sources",
    "write_theme",
]

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


def _layered_files(subdir: str, user_templates: Path | None) -> dict[str, Path]:
    """Files under ``subdir`` of the bundled templates, the user's replacing them
    by name. Hidden files and folders (an editor's swap file, a tool's cache)
    are not the site's, and the preview does not watch them."""
    found: dict[str, Path] = {}
    roots = [bundled_templates()] + ([user_templates] if user_templates and user_templates.is_dir() else [])
    for root in roots:
        base = root / subdir
        if not base.is_dir():
            continue
        for path in sorted(base.rglob("*")):
            name = path.relative_to(base).as_posix()
            if path.is_file() and not any(part.startswith(".") for part in name.split("/")):
                check_within(path, [root])  # a link to a file outside the project is refused
                found[name] = path
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


@dataclass(frozen=True)
class Prepared:
    """A site ready for mkdocs, in memory: the pages' Markdown, the other
    files of ``docs/`` and of the theme overrides, and the configuration."""

    pages: list[Page]
    files: SiteFiles
    theme: dict[str, Path]
    """Theme overrides: path inside ``theme/`` → file."""
    config: dict[str, Any]


def prepare_sources(
    portfolio: Portfolio,
    *,
    report: PortfolioReport | None = None,
    user_templates: Path | None = None,
    workflow_pages: Sequence[PageDef] | None = None,
    portfolio_pages: Sequence[PortfolioPageDef] = PORTFOLIO_PAGES,
    inputs: SiteInputs | None = None,
    memo: Memo | None = None,
    jobs: int | None = 1,
) -> Prepared:
    """Render the site's pages and list its other files (see :func:`write_sources`);
    ``memo`` keeps rendered pages (:mod:`specgen.site.pagememo`); ``jobs``:
    worker processes rendering them (see :mod:`specgen.parallel`)."""
    if user_templates is None:
        user_templates = default_user_templates(portfolio)
    if inputs is None:
        inputs = gather(portfolio, memo, jobs)
    try:
        rendered = render_texts(
            portfolio,
            report=report,
            user_templates=user_templates,
            workflow_pages=workflow_pages,
            portfolio_pages=portfolio_pages,
            inputs=inputs,
            memo=memo,
            jobs=jobs,
        )
    except RenderError as exc:
        raise SiteBuildError(f"cannot render the site: {exc}") from exc
    logo_path = _logo(portfolio.project, portfolio.root)
    logo = f"assets/logo{logo_path.suffix.lower()}" if logo_path else None
    pages = [page for page, _ in rendered]
    config = mkdocs_config(portfolio.project, pages, logo=logo)
    static = {f"assets/{name}": path for name, path in _layered_files(SITE_ASSETS, user_templates).items()}
    if logo_path is not None and logo is not None:
        static[logo] = logo_path
    static.update(sorted(inputs.artefacts.items()))  # evidence result files, linked from acceptance pages
    files = SiteFiles({page.path: text for page, text in rendered}, static)
    return Prepared(pages, files, _layered_files(SITE_THEME, user_templates), config)


def write_theme(prepared: Prepared, folder: Path) -> None:
    """``theme/`` (the overrides) and an empty ``docs/``: what mkdocs reads from disk."""
    for name, path in prepared.theme.items():
        target = folder / "theme" / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
    (folder / "theme").mkdir(parents=True, exist_ok=True)
    (folder / "docs").mkdir(parents=True, exist_ok=True)


def write_project(prepared: Prepared, folder: Path) -> Sources:
    """The whole mkdocs project of ``prepared`` in ``folder`` (which must not exist)."""
    folder.mkdir(parents=True)
    docs = folder / "docs"
    for path, text in prepared.files.pages.items():
        _write(docs / path, text.text)
    for name, path in prepared.files.static.items():
        (docs / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, docs / name)
    write_theme(prepared, folder)
    _write(folder / "mkdocs.yml", mkdocs_yaml(prepared.config))
    _write(folder / SOURCES_MARKER, "Generated by specgen build --keep-sources; replaced on the next build.\n")
    return Sources(folder, prepared.pages, prepared.config)


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
    template fails. (:func:`build_site` builds from memory; this is the
    project ``--keep-sources`` keeps, which ``mkdocs build`` builds alike.)
    """
    prepared = prepare_sources(
        portfolio,
        report=report,
        user_templates=user_templates,
        workflow_pages=workflow_pages,
        portfolio_pages=portfolio_pages,
        inputs=inputs,
    )
    return write_project(prepared, folder)
