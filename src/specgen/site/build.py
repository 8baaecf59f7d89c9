"""The handover site, built atomically (and incrementally, with a cache).

:func:`build_site` renders the site (:mod:`specgen.site.sources`), runs mkdocs
on it in a temporary folder next to the output — with a build cache, only on
the pages whose text changed (:mod:`specgen.site.delta`) — and only then
swaps the new site in, so a failed build leaves the previous site untouched;
it refuses to replace a folder it did not build. The live preview is
:mod:`specgen.site.serve`; it has a build that kept pages move its files into
the preview's folder instead (``in_place``).

Nothing here prints: mkdocs' log messages are collected and returned, and
problems are raised as :class:`SiteError` subclasses for the caller to report.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from specgen.gcpause import frozen_heap
from specgen.site import delta
from specgen.site.cache import CACHE_DIR, SiteCache, open_cache
from specgen.site.engine import build_pages
from specgen.site.errors import InvalidPortfolio, SiteBuildError
from specgen.site.headstart import HeadStart, claim, let_go
from specgen.site.held import HeldBuild
from specgen.site.linker import BackgroundLinks, background_links, kept_page_files
from specgen.site.outputguard import MARKER, MARKER_TEXT, check_inputs_outside, check_replaceable
from specgen.site.pagerecord import PageRecord
from specgen.site.pages import PORTFOLIO_PAGES, PageDef, PortfolioPageDef
from specgen.site.sources import (
    SOURCES_MARKER,
    Prepared,
    Sources,
    default_user_templates,
    prepare_sources,
    write_project,
    write_sources,
    write_theme,
)
from specgen.site.staging import move_files, remove_stale, staging_folder, swap_in
from specgen.spec.files import find_project_file
from specgen.spec.loader import Portfolio

if TYPE_CHECKING:
    from specgen.rules import PortfolioReport
    from specgen.site.mkcache import CachePlugin
    from specgen.site.warm import Warm

__all__ = [
    "MARKER",
    "MARKER_TEXT",
    "SOURCES_MARKER",
    "BuildResult",
    "Prepared",
    "Sources",
    "build_site",
    "cache_folder",
    "default_cache",
    "default_user_templates",
    "open_build_cache",
    "prepare_sources",
    "write_sources",
]


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
    kept_pages: int = 0
    """Pages whose HTML was kept from the previous site (nothing they show changed)."""

    @property
    def seconds(self) -> float:
        return self.render_seconds + self.mkdocs_seconds


def cache_folder(paths: Sequence[Path], project_file: Path | None) -> Path:
    """The build cache's folder for the specs under ``paths``, before they are
    loaded: beside the project file the loader will use, else in the working folder."""
    project = project_file if project_file is not None else (find_project_file(paths[0]) if paths else None)
    return (project.parent if project is not None else Path.cwd()) / CACHE_DIR


def open_build_cache(folder: Path, warm: Warm | None = None) -> SiteCache:
    """The build cache, open for loading the specs and then building (close it
    after); ``warm``: what earlier builds of a long-lived process keep
    (:mod:`specgen.site.warm`)."""
    return open_cache(folder, warm=warm)


def default_cache(portfolio: Portfolio) -> Path:
    """The build cache's folder: ``.specgen-cache/`` next to the project file."""
    return portfolio.root / CACHE_DIR


# ---------------------------------------------------------------- build


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
    cache: Path | SiteCache | None = None,
    jobs: int | None = None,
    in_place: bool = False,
    head: HeadStart | None = None,
    seed: Path | None = None,
    held: HeldBuild | None = None,
) -> BuildResult:
    """Build the handover site into ``output``, atomically.

    Everything happens in a temporary folder beside ``output``; the new site
    replaces the old one only once it is complete, so any failure leaves the
    previous site as it was. ``output`` (and ``keep_sources``) must be absent,
    empty or built by specgen before, unless ``force``; never may it hold a
    spec or the project file. ``cache`` is the build cache's folder
    (:mod:`specgen.site.cache`; None: build without one), or the cache
    already open (as the loader used it: :func:`open_build_cache`), which
    this build commits but does not close. Pages are built in ``jobs``
    worker processes (None: one per processor, see :mod:`specgen.parallel`).

    With ``in_place`` (for a folder only the caller reads: the preview's), a
    build that kept pages of the previous site moves the files it wrote into
    ``output`` one by one, each in one step, instead of swapping in a whole
    new folder of links to the kept ones; for the moment that takes, a reader
    may see some of them new and some old. Nothing is moved before the build
    has succeeded, and a full build still swaps. ``head``: this build of
    ``output`` begun before the specs were loaded
    (:func:`specgen.site.headstart.head_start`), whose staging folder it uses.
    ``seed``: another site built through the same cache
    (:func:`specgen.site.delta.latest_site`), whose unchanged pages the build
    links in when ``output`` has no site of its own to keep them from (the
    preview's first build, from the last ``specgen build``); the result is
    the same site either way. ``held``: what a long-lived process keeps of
    its last good build of ``output``, a folder only it writes (the
    preview's; :mod:`specgen.site.held`). Raises :class:`InvalidPortfolio`,
    :class:`OutputNotOurs` or :class:`SiteBuildError`.
    """
    if not portfolio.ok:
        raise InvalidPortfolio(portfolio.diagnostics)
    output = Path(output)
    check_inputs_outside(portfolio, output, keep_sources)
    check_replaceable(output, MARKER, force)
    if keep_sources is not None:
        check_replaceable(keep_sources, SOURCES_MARKER, force)
    output.parent.mkdir(parents=True, exist_ok=True)
    remove_stale(output)
    begun = head if head is not None and not head.taken and head.output == output else None
    if begun is not None:
        begun.taken = True
    staged = nullcontext(begun.staging) if begun is not None else staging_folder(output)
    with frozen_heap(), staged as staging:
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
                jobs,
                in_place,
                begun.links if begun is not None else None,
                seed,
                held,
            )
            folder = cache.path.parent if isinstance(cache, SiteCache) else cache
            staging.trash = folder / "trash" if folder is not None else None
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
    cache_in: Path | SiteCache | None,
    jobs: int | None,
    in_place: bool,
    early: BackgroundLinks | None,
    seed: Path | None = None,
    held: HeldBuild | None = None,
) -> BuildResult:
    """Build in ``staging`` and swap the result in (see :func:`build_site`)."""
    started = time.perf_counter()
    ours = isinstance(cache_in, Path)
    cache = open_cache(cache_in, scratch=staging) if isinstance(cache_in, Path) else cache_in
    try:
        prepared = prepare_sources(
            portfolio,
            report=report,
            user_templates=user_templates,
            workflow_pages=workflow_pages,
            portfolio_pages=portfolio_pages,
            memo=cache,
            jobs=jobs,
        )
        root = staging / "sources"
        write_theme(prepared, root)
        if keep_sources is not None:  # before mkdocs, which lets go of the pages' text as it goes
            write_project(prepared, staging / "kept-sources")
        rendered = time.perf_counter()
        site, kept_pages, patch, files = _run_mkdocs(
            prepared, root, staging, output, cache, jobs, in_place, early, seed, held
        )
        built = time.perf_counter()
        check_replaceable(output, MARKER, force)
        if patch:
            move_files(site, output, replaced=staging / "replaced")
        else:
            swap_in(site, output, staging / "previous-site")
        if held is not None and files is not None:  # in place: the next build may take them as they are
            held.hold_files(files)
        if cache is not None:
            # a build that kept pages did not look up their mkdocs steps: keep those entries
            # too (for the next full build, after a new title); a full build prunes
            cache.commit(prune=kept_pages == 0)
    finally:
        if cache is not None and ours:
            cache.close()
    kept = None
    if keep_sources is not None:
        keep_sources.parent.mkdir(parents=True, exist_ok=True)
        swap_in(staging / "kept-sources", keep_sources, staging / "previous-sources")
        kept = keep_sources
    result = BuildResult(output, len(prepared.pages), rendered - started, built - rendered, kept)
    result.kept_pages = kept_pages
    if cache is not None:
        result.notes, result.reused, result.computed = cache.notes, cache.hits, cache.misses
    return result


def _run_mkdocs(
    prepared: Prepared,
    root: Path,
    staging: Path,
    output: Path,
    cache: SiteCache | None,
    jobs: int | None,
    in_place: bool = False,
    early: BackgroundLinks | None = None,
    seed: Path | None = None,
    held: HeldBuild | None = None,
) -> tuple[Path, int, bool, dict[str, tuple[int, int, int]] | None]:
    """Run mkdocs into ``staging/site``: only the changed pages when the
    previous site allows (:mod:`specgen.site.delta`). Returns the folder, how
    many pages were kept from the previous site, whether the folder holds
    only the files to move into ``output`` (with ``in_place``, when pages
    were kept) rather than the whole site, and the stat of the site's files
    the cache recorded. ``early``: the previous site's
    pages being linked into ``staging/site`` since before the specs were
    loaded (:mod:`specgen.site.headstart`); ``seed``: another site to keep
    pages from when ``output``'s own cannot be (see :func:`build_site`)."""
    from specgen.site.mkcache import cache_plugin  # imports mkdocs: only when building

    site = staging / "site"
    if cache is None:
        if early is not None:
            let_go(early, site)
        build_pages(prepared.config, root, prepared.files, site, jobs=jobs)
        (site / MARKER).write_text(MARKER_TEXT, encoding="utf-8")
        return site, 0, False, None
    key = delta.site_key(prepared.config, prepared.files, prepared.theme)
    digests = delta.page_digests(prepared.files)
    plan = delta.plan(cache, output, key, digests, held.take_files() if held is not None else None)
    if plan is None and seed is not None and early is None and seed.resolve() != output.resolve():
        plan = delta.plan(cache, seed, key, digests)  # its pages linked in, the whole site swapped in
    moving = plan is not None and in_place and plan.output == output  # only the files written move into output
    kept = kept_page_files(plan.reuse, plan.files) if plan is not None and plan.reuse and not moving else []
    if early is not None and not kept:  # nothing of the previous site is kept
        let_go(early, site)
        early = None
    keep = frozenset(kept)
    if early is not None:  # before mkdocs writes a page, no page it writes is, or will be, a link
        claim(site, [name for name in early.names if name not in keep])
    reused: dict[str, PageRecord] = {}
    linked: frozenset[str] = frozenset()
    if plan is not None:
        plugin = cache_plugin(cache, root, prepared.config, nav_key=plan.nav_key)
        # the kept pages' files, linked into the new site by a child process while this one
        # builds the others (started here, or before the specs were loaded)
        with background_links(plan.output, site, kept if early is None else []) as links:
            _, records = build_pages(
                prepared.config,
                root,
                prepared.files,
                site,
                plugins=[plugin],
                reuse=plan.reuse,
                cache=cache,
                jobs=jobs,
                held=(held, key) if held is not None else None,
            )
            if delta.navigation_changed(plan, records):
                links.stop()
                if early is not None:
                    early.stop()
                shutil.rmtree(site)
                plan = None
            else:
                plugin[1].vouch()
                reused = dict(plan.reuse)
                linked = links.finish() if early is None else early.finish() & keep
    if plan is None:
        plugin, records = _build_all(prepared, root, site, cache, jobs)
    else:
        (site / MARKER).write_text(MARKER_TEXT, encoding="utf-8")  # before carrying: never written through a link
    patch = plan is not None and moving
    stats = None
    if plan is not None:  # the kept pages' files: linked into the new site, or left where they are
        try:
            stats = delta.moved_in(plan, site) if patch else delta.carry(plan, site, linked)
        except OSError:  # the site they come from was removed or replaced meanwhile: build every page
            shutil.rmtree(site)
            plan, reused, patch = None, {}, False
            plugin, records = _build_all(prepared, root, site, cache, jobs)
    files = delta.remember(
        cache, output, site, key, digests, records, reused, stats, plugin[1].nav_key, latest=not in_place
    )
    return site, len(reused), patch, files


def _build_all(
    prepared: Prepared, root: Path, site: Path, cache: SiteCache, jobs: int | None
) -> tuple[tuple[str, CachePlugin], dict[str, PageRecord]]:
    """Build every page into ``site`` (with the cache's help); its plugin and the pages' records."""
    from specgen.site.mkcache import cache_plugin

    plugin = cache_plugin(cache, root, prepared.config)
    _, records = build_pages(prepared.config, root, prepared.files, site, plugins=[plugin], cache=cache, jobs=jobs)
    (site / MARKER).write_text(MARKER_TEXT, encoding="utf-8")
    return plugin, records
