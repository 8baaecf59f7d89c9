"""The live preview: :class:`Preview` (and :func:`serve`) rebuilds the site
on every change of a spec, the project file or a template and serves it on a
local port."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from specgen.diagnostics import Diagnostic
from specgen.site.build import BuildResult, build_site
from specgen.site.errors import SiteError
from specgen.site.mkdocs import mkdocs_log
from specgen.spec.loader import Portfolio

if TYPE_CHECKING:
    from specgen.rules import PortfolioReport

__all__ = ["Loader", "Preview", "PreviewBuild", "serve"]


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
        cache: Path | None = None,
    ) -> None:
        from mkdocs.livereload import LiveReloadServer

        self._load = load
        self._cache = cache
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
                result = build_site(
                    portfolio, self.site_dir, report=report, user_templates=self._user_templates, cache=self._cache
                )
                outcome = PreviewBuild(True, result=result)
        except SiteError as exc:
            outcome = PreviewBuild(False, error=str(exc))
        except Exception as exc:  # the preview must survive anything a rebuild throws
            outcome = PreviewBuild(False, error=f"{type(exc).__name__}: {exc}")
        self._on_build(outcome)
        return outcome

    def run(self) -> None:
        """Serve until :meth:`shutdown` (or Ctrl-C in the caller)."""
        with mkdocs_log():
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
    cache: Path | None = None,
) -> None:
    """Build, serve and rebuild on change until interrupted (blocks); ``cache``
    is the build cache's folder (see :func:`specgen.site.build.build_site`)."""
    preview = Preview(
        load, watch=watch, user_templates=user_templates, host=host, port=port, on_build=on_build, cache=cache
    )
    try:
        preview.build()
        if on_ready is not None:
            on_ready(preview.url)
        preview.run()
    finally:
        preview.shutdown()
