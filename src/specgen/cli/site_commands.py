"""Commands about the handover site: ``build`` and ``serve``."""

from __future__ import annotations

import datetime as dt
import signal
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import click

from specgen.cli.app import (
    ExitCode,
    _emit,
    _paths,
    _summary,
    cli,
    paths_argument,
    project_option,
    templates_option,
    today,
    user_templates,
)
from specgen.diagnostics import format_diagnostics
from specgen.gcpause import frozen_heap
from specgen.rules import PortfolioReport, check_portfolio
from specgen.spec.loader import Portfolio
from specgen.spec.portfolio import load_portfolio
from specgen.text import terminal

if TYPE_CHECKING:
    from specgen.site.cache import SiteCache
    from specgen.site.headstart import HeadStart

no_cache_option = click.option(
    "--no-cache",
    is_flag=True,
    help="Build everything afresh, neither reading nor writing the build cache (.specgen-cache/ by the project file).",
)
as_of_option = click.option(
    "--as-of",
    "as_of",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Date waivers are checked against, YYYY-MM-DD (default: SOURCE_DATE_EPOCH's date, else today).",
)


def _report(portfolio: Portfolio, today: dt.date, memo: SiteCache | None) -> PortfolioReport:
    return check_portfolio(portfolio, today=today, memo=memo)


def _invalid(portfolio: Portfolio) -> None:
    """Print what ``validate`` prints for an invalid portfolio, and exit 1."""
    _emit(format_diagnostics(portfolio.diagnostics, "text"))
    _emit(_summary(portfolio, portfolio.diagnostics))
    sys.exit(ExitCode.FAILED)


@cli.command()
@paths_argument
@project_option
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    default=Path("site"),
    show_default=True,
    help="Folder to write the site into; it is replaced only once the new site is complete.",
)
@templates_option
@click.option(
    "--keep-sources",
    type=click.Path(path_type=Path),
    help="Also keep the generated mkdocs project (mkdocs.yml, docs/, theme/) in this folder.",
)
@click.option("--force", is_flag=True, help="Replace OUTPUT even if specgen did not build it.")
@no_cache_option
@click.option(
    "-j",
    "--jobs",
    type=click.IntRange(min=1),
    help="Worker processes parsing specs and building pages (default: one per processor; 1: build in this process).",
)
@as_of_option
def build(
    paths: tuple[Path, ...],
    project_file: Path | None,
    output: Path,
    templates_dir: Path | None,
    keep_sources: Path | None,
    force: bool,
    no_cache: bool,
    jobs: int | None,
    as_of: dt.datetime | None,
) -> None:
    """Build the handover site: one section per workflow, readiness included.

    PATHS are spec files or folders (default: specs/). Invalid specs stop the
    build with the messages of `specgen validate`. Exits 0 when the site is
    built, 1 when the specs are invalid or the build fails (the previous site
    is left as it was), 2 on a usage error such as an OUTPUT folder specgen
    did not build. Pages whose inputs did not change since the last build
    are taken from the build cache (see --no-cache).
    """
    from specgen.site.build import cache_folder, open_build_cache
    from specgen.site.headstart import head_start

    chosen = _paths(paths)
    cache = None if no_cache else open_build_cache(cache_folder(chosen, project_file))
    try:
        # the kept pages of the previous site are linked into the new one while the specs load
        with frozen_heap(), head_start(output, cache) as head:  # the collector skips what lives to the end
            _build(chosen, project_file, output, templates_dir, keep_sources, force, cache, jobs, as_of, head)
    finally:
        if cache is not None:
            cache.close()


def _build(
    paths: list[Path],
    project_file: Path | None,
    output: Path,
    templates_dir: Path | None,
    keep_sources: Path | None,
    force: bool,
    cache: SiteCache | None,
    jobs: int | None,
    as_of: dt.datetime | None,
    head: HeadStart | None,
) -> None:
    from specgen.site.build import build_site
    from specgen.site.palette import palette_warnings

    portfolio = load_portfolio(paths, project_file=project_file, memo=cache, jobs=jobs)
    if not portfolio.ok:
        _invalid(portfolio)
    portfolio.require_specs()
    unreadable = palette_warnings(portfolio)
    if unreadable:
        _emit(format_diagnostics(unreadable, "text"), err=True)
    report = _report(portfolio, today(as_of), cache)
    result = build_site(
        portfolio,
        output,
        report=report,
        user_templates=user_templates(templates_dir, portfolio=portfolio)[0],
        keep_sources=keep_sources,
        force=force,
        cache=cache,
        jobs=jobs,
        head=head,
    )
    for note in result.notes:
        _emit(note, err=True)
    kept = f"; mkdocs project kept in {result.sources}" if result.sources else ""
    if result.reused or result.computed:
        kept += f"; {result.pages - result.kept_pages} of {result.pages} pages rebuilt"
        kept += ", the rest reused from the cache" if result.kept_pages else ""
    noun = "workflow" if len(portfolio.specs) == 1 else "workflows"
    _emit(
        f"built {output}: {result.pages} pages for {len(portfolio.specs)} {noun} "
        f"in {result.seconds:.1f}s (rendering {result.render_seconds:.1f}s, mkdocs {result.mkdocs_seconds:.1f}s){kept}"
    )
    _emit(f"open {output / 'index.html'} in a browser, or zip the folder for the buyer")


@cli.command()
@paths_argument
@project_option
@templates_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to serve on.")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True, help="Port to serve on.")
@no_cache_option
@as_of_option
def serve(
    paths: tuple[Path, ...],
    project_file: Path | None,
    templates_dir: Path | None,
    host: str,
    port: int,
    no_cache: bool,
    as_of: dt.datetime | None,
) -> None:
    """Preview the handover site, rebuilding it when a spec or template changes.

    Serves on http://HOST:PORT until Ctrl-C (port 0: a free port). A commit
    or checkout in the specs' git repository rebuilds it too (the history
    pages change); git's other writes do not. A change
    that makes a spec invalid prints the problems, shows them in the browser
    and keeps the last good site. Requests whose Host header is not localhost
    or HOST:PORT are refused. Exits 2 on a usage error or when the port
    cannot be bound (before anything is served).
    """
    from specgen.site.build import default_cache
    from specgen.site.serve import PreviewBuild
    from specgen.site.serve import serve as serve_site

    chosen = _paths(paths)
    day = today(as_of)
    first = load_portfolio(chosen, project_file=project_file)
    templates = user_templates(templates_dir, portfolio=first)[0]
    watch: list[Path] = [*chosen, templates]
    if first.project_source is not None and first.project_source.path is not None:
        watch.append(first.project_source.path)

    def load(memo: SiteCache | None) -> tuple[Portfolio, PortfolioReport | None]:
        portfolio = load_portfolio(chosen, project_file=project_file, memo=memo)
        return portfolio, (_report(portfolio, day, memo) if portfolio.ok else None)

    def on_build(outcome: PreviewBuild) -> None:
        if outcome.ok and outcome.result is not None:
            for note in outcome.result.notes:
                _emit(note, err=True)
            result = outcome.result
            rebuilt = ""
            if result.kept_pages:  # the rest kept from the last build (or, the first time, from `specgen build`'s)
                rebuilt = f"; {result.pages - result.kept_pages} of {result.pages} pages rebuilt"
            _emit(f"built {result.pages} pages in {result.seconds:.1f}s{rebuilt}", err=True)
        else:
            kept = "still serving the last good site" if outcome.last_good else "no site yet"
            kept += ", the problems are shown in the browser"
            if outcome.diagnostics:
                _emit(format_diagnostics(outcome.diagnostics, "text"), err=True)
                _emit(f"the specs are invalid; {kept}", err=True)
            else:
                _emit(f"build failed: {terminal(outcome.error)}; {kept}", err=True)

    repositories = _repositories(chosen)

    def on_ready(url: str) -> None:
        git_state = "".join(f", the commits of {root}" for root in repositories)
        _emit(f"serving the handover site on {url} (Ctrl-C to stop); watching {_names(watch)}{git_state}", err=True)

    previous = signal.signal(signal.SIGTERM, _interrupt)  # stop cleanly on kill, as on Ctrl-C
    try:
        serve_site(
            load,
            watch=watch,
            user_templates=templates,
            host=host,
            port=port,
            on_build=on_build,
            on_ready=on_ready,
            cache=None if no_cache else default_cache(first),
            repositories=repositories,
        )
    except KeyboardInterrupt:
        _emit("stopped", err=True)
    finally:
        signal.signal(signal.SIGTERM, previous)


def _repositories(paths: list[Path]) -> list[Path]:
    """The git repositories holding ``paths`` (their commits change the history pages)."""
    from specgen import git

    found = {git.repo_root(path.resolve()) for path in paths}
    return sorted(root for root in found if root is not None)


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _names(paths: Sequence[Path]) -> str:
    return ", ".join(str(p) for p in paths if p.exists())
