"""The live preview: :class:`Preview` (and :func:`serve`) rebuilds the site
on every change of a spec, the project file or a template and serves it on a
local port.

What it guards against:

- The port is bound when the preview is made, so a port in use is an error
  (:class:`ServeError`, exit 2) before anything claims to serve.
- A build that fails shows its problems in the browser: an error page while
  there is no good site yet, a banner over every page of the last good site
  after. Every line of it is escaped (:func:`specgen.text.html_text`), so spec
  text in an error is never HTML.
- Requests whose ``Host`` header names neither the loopback names nor the
  address served on are refused (421), so a web page whose DNS name is
  rebound to 127.0.0.1 cannot read the preview.
"""

from __future__ import annotations

import ipaddress
import shutil
import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from specgen.diagnostics import Diagnostic, format_diagnostics
from specgen.errors import UsageError
from specgen.gcpause import frozen_heap
from specgen.site.build import BuildResult, build_site, open_build_cache
from specgen.site.cache import SiteCache
from specgen.site.delta import latest_site
from specgen.site.errors import SiteError
from specgen.site.held import HeldBuild
from specgen.site.mkdocs import mkdocs_log
from specgen.site.warm import Warm
from specgen.site.watch import observer, repository_states, state_watches, unignored, watch_filter
from specgen.spec.loader import Portfolio
from specgen.text import html_text

if TYPE_CHECKING:
    from specgen.rules import PortfolioReport

__all__ = ["Loader", "Preview", "PreviewBuild", "ServeError", "allowed_host", "serve"]


class ServeError(UsageError):
    """The preview cannot listen where it was asked to (a port in use, an address not this machine's)."""


@dataclass
class PreviewBuild:
    """The outcome of one build of the live preview."""

    ok: bool
    result: BuildResult | None = None
    diagnostics: list[Diagnostic] = field(default_factory=list)
    """Validation problems when the specs do not validate."""
    error: str | None = None
    """Why the build failed otherwise."""
    last_good: bool = False
    """A failed build: whether an earlier build left a good site that is still served."""

    def lines(self) -> list[str]:
        """What went wrong, as plain-text lines (spec text escaped for a terminal)."""
        if self.ok:
            return []
        found = format_diagnostics(self.diagnostics, "text").splitlines() if self.diagnostics else []
        return found or [f"build failed: {self.error}"]


POLL_SECONDS = 0.25
"""How often the watched files are looked at (mkdocs' default is 0.5 s): a
save the system does not tell of at once (:class:`~specgen.site.watch.HearingObserver`)
is seen within a quarter of a second, for a few hundred stat calls."""

BUILD_DELAY_SECONDS = 0.02
"""How long the preview waits after a change for the next one before it
builds (mkdocs waits 0.1 s). The changes one look at the files finds are
handed over together, microseconds apart; the next look is a poll later,
which no wait shorter than a poll could join to these. So the wait only has
to outlast one look's handing over: 0.08 s sooner for every save."""

Loader = Callable[["SiteCache | None"], "tuple[Portfolio, PortfolioReport | None]"]
"""Loads the portfolio and its readiness report afresh (called on every change)."""

_LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "[::1]"})


def _split_host(header: str) -> tuple[str, int | None] | None:
    """``name:port`` (``[v6]:port``) of a Host header; None when it cannot be read."""
    header = header.strip().lower()
    if header.startswith("["):
        name, _, rest = header.partition("]")
        name += "]"
        port_text = rest[1:] if rest.startswith(":") else None
        if rest and port_text is None:
            return None
    else:
        name, colon, port_text_raw = header.rpartition(":")
        if not colon:
            name, port_text_raw = header, ""
        port_text = port_text_raw if colon else None
    if not name:
        return None
    if port_text is None:
        return name, None
    return (name, int(port_text)) if port_text.isdigit() and len(port_text) <= 5 else None


def _is_ip_literal(name: str) -> bool:
    try:
        ipaddress.ip_address(name.strip("[]"))
    except ValueError:
        return False
    return True


def allowed_host(header: str, bound_host: str, port: int) -> bool:
    """Whether a request's ``Host`` header names the preview: a loopback name or
    the address it is bound to, with its port (no port only for port 80).

    Bound to every address (``0.0.0.0``, ``::``), any IP address is accepted
    but still no other name: DNS rebinding needs a name.
    """
    parsed = _split_host(header)
    if parsed is None:
        return False
    name, asked_port = parsed
    if (asked_port if asked_port is not None else 80) != port:
        return False
    bound = bound_host.lower()
    bound = f"[{bound}]" if ":" in bound and not bound.startswith("[") else bound
    if name in _LOOPBACK_NAMES or name == bound:
        return True
    return bound in ("0.0.0.0", "[::]", "") and _is_ip_literal(name)


_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>specgen: the site could not be built</title></head>
<body>{banner}</body></html>
"""
_BANNER = (
    '<div id="specgen-build-errors" role="alert" style="position:relative;z-index:1000;margin:0;padding:1em;'
    'background:#fde8e8;color:#5c0000;border-bottom:2px solid #b00020;font:14px/1.4 monospace">'
    '<strong>{headline}</strong><pre style="white-space:pre-wrap;margin:.5em 0 0">{lines}</pre></div>'
)


def error_banner(outcome: PreviewBuild) -> str:
    """The HTML that shows a failed build's problems, every line escaped."""
    headline = (
        "The last change could not be built; this is the last good site."
        if outcome.last_good
        else "The site could not be built."
    )
    return _BANNER.format(headline=headline, lines="\n".join(html_text(line) for line in outcome.lines()))


def _server_class() -> type:
    from mkdocs.livereload import LiveReloadServer

    class _Server(LiveReloadServer):  # type: ignore[misc]
        """mkdocs' live-reload server, bound at once, checking the Host header
        and showing the last build's problems."""

        preview: Preview

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.build_delay = BUILD_DELAY_SECONDS
            self.observer = observer(self.observer.timeout)

        def server_bind(self) -> None:
            if not getattr(self, "_bound", False):
                super().server_bind()
                self._bound = True

        def server_activate(self) -> None:
            if not getattr(self, "_active", False):
                super().server_activate()
                self._active = True

        ignored: tuple[str, ...] = ()
        """Folders under a watched path whose changes are no change of the site
        (the preview's build cache, git's own folders)."""
        kept: tuple[str, ...] = ()
        """Files and folders inside ``ignored`` whose changes are (git's HEAD, refs and settings)."""

        def watch(self, path: str, func: None = None, *, recursive: bool = True) -> None:
            schedule = self.observer.schedule

            def schedule_unignored(handler: Any, where: str, **options: Any) -> Any:
                return schedule(unignored(handler, self.ignored, self.kept), where, **options)

            self.observer.schedule = schedule_unignored  # the handler mkdocs makes, behind a filter
            try:
                super().watch(path, func, recursive=recursive)
            finally:
                del self.observer.schedule

        def start_watching(self) -> None:
            """Look at the watched files from now on; mkdocs would start only
            once the first build is done, and a save made during it (a minute
            at 1,000 specs) would not be built until the next one."""
            if self._watched_paths and not self.observer.is_alive():
                self.observer.start()
                self.observer.start = lambda: None  # serve() starts it again: it already runs

        def serve_request(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
            host, port = self.preview.host, self.server_address[1]
            if not allowed_host(environ.get("HTTP_HOST", ""), host, port):
                start_response("421 Misdirected Request", [("Content-Type", "text/plain; charset=utf-8")])
                return [b"421 Misdirected Request: this preview answers only to localhost and its own address\n"]
            failed = self.preview.failed
            path = environ.get("PATH_INFO", "")
            if failed is not None and not failed.last_good and not path.startswith("/livereload/"):
                page = LiveReloadServer._inject_js_into_html(
                    self, _PAGE.format(banner=error_banner(failed)).encode("utf-8"), self._visible_epoch
                )
                start_response("500 Internal Server Error", [("Content-Type", "text/html; charset=utf-8")])
                return [page]
            return super().serve_request(environ, start_response)

        def _inject_js_into_html(self, content: bytes, epoch: int) -> bytes:
            content = super()._inject_js_into_html(content, epoch)
            failed = self.preview.failed
            if failed is None:
                return content
            start = content.find(b"<body")
            end = content.find(b">", start) + 1 if start >= 0 else 0
            return content[:end] + error_banner(failed).encode("utf-8") + content[end:]

    return _Server


class Preview:
    """A live preview: builds the site, serves it on ``host:port`` and rebuilds
    when anything under ``watch`` changes, or the state of one of the git
    ``repositories`` the specs are in (a commit, a checkout, a deepened
    shallow clone, a setting: what the history pages show; git's other
    writes, such as an editor refreshing the index, are no change). A failed
    rebuild keeps the last good site, shows its problems over it and reports
    through ``on_build``. With a ``cache``, the first build takes the pages
    that did not change from the site the last ``specgen build`` made through
    it (:func:`specgen.site.delta.latest_site`), linked, never written through.

    The port is bound here: :class:`ServeError` when it cannot be (port 0
    picks a free one; :attr:`url` says which)."""

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
        repositories: Sequence[Path] = (),
    ) -> None:
        self._load = load
        self._cache = cache
        self._user_templates = user_templates
        self._on_build = on_build or (lambda outcome: None)
        self.host = host
        self.failed: PreviewBuild | None = None
        """The last build, when it failed (None after a good build)."""
        self._built = False
        self._warm = Warm()
        """What one build restored from the cache, for the next (:mod:`specgen.site.warm`)."""
        self._held = HeldBuild()
        """What its last good build left for the next, in a folder that is its own (:mod:`specgen.site.held`)."""
        self._workdir = Path(tempfile.mkdtemp(prefix="specgen-serve-"))
        self.site_dir = self._workdir / "site"
        self.site_dir.mkdir()
        try:
            self.server = _server_class()(
                builder=self.build, host=host, port=port, root=str(self.site_dir), polling_interval=POLL_SECONDS
            )
            self.server.preview = self
            self.server.server_bind()
            self.server.server_activate()
        except OSError as exc:
            shutil.rmtree(self._workdir, ignore_errors=True)
            raise ServeError(f"cannot serve on {host}:{port}: {exc.strerror or exc}") from None
        bound_port = self.server.server_address[1]
        shown = f"[{host}]" if ":" in host else host
        self.server.url = f"http://{shown}:{bound_port}/"
        self.server.error_handler = self._error_page
        self.watched = sorted({Path(p).resolve() for p in watch if Path(p).exists()})
        states = repository_states(repositories)  # a commit or checkout changes the history pages
        self.server.ignored, self.server.kept = watch_filter(cache, states)
        for path in self.watched:
            self.server.watch(str(path))
        for folder, recursive in state_watches(states, self.watched):
            self.server.watch(str(folder), recursive=recursive)
        self.server.start_watching()  # before the first build: a save during it is built next

    @property
    def url(self) -> str:
        """Where the preview is served."""
        return str(self.server.url)

    def _error_page(self, code: int) -> bytes | None:
        page = self.site_dir / f"{code}.html"
        return page.read_bytes() if page.is_file() else None

    def build(self) -> PreviewBuild:
        """Load and build once; never raises (the outcome says what happened)."""
        with frozen_heap():  # the collector skips what lives through the build; collected after it
            outcome = self._attempt()
        if outcome.ok:
            self._built = True
        else:
            outcome.last_good = self._built
        self.failed = None if outcome.ok else outcome
        self._on_build(outcome)
        return outcome

    def _attempt(self) -> PreviewBuild:
        cache = None
        try:
            cache = open_build_cache(self._cache, self._warm) if self._cache is not None else None
            portfolio, report = self._load(cache)
            if not portfolio.ok:
                outcome = PreviewBuild(False, diagnostics=list(portfolio.diagnostics))
            else:
                result = build_site(  # only the preview's server reads its folder: changed files move in
                    portfolio,
                    self.site_dir,
                    report=report,
                    user_templates=self._user_templates,
                    cache=cache,
                    in_place=True,
                    # its first build takes the unchanged pages of the last `specgen build`
                    seed=latest_site(cache) if cache is not None else None,
                    held=self._held,
                )
                outcome = PreviewBuild(True, result=result)
        except SiteError as exc:
            outcome = PreviewBuild(False, error=str(exc))
        except Exception as exc:  # the preview must survive anything a rebuild throws
            outcome = PreviewBuild(False, error=f"{type(exc).__name__}: {exc}")
        finally:
            if cache is not None:
                cache.close()
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
    repositories: Sequence[Path] = (),
) -> None:
    """Bind, build, serve and rebuild on change until interrupted (blocks).
    :class:`ServeError` (before anything is built) when the port cannot be bound;
    ``cache`` is the build cache's folder (see :func:`specgen.site.build.build_site`);
    ``repositories``: the git repositories the specs are in, whose commits,
    checkouts and settings change the history pages (:class:`Preview`)."""
    preview = Preview(
        load,
        watch=watch,
        user_templates=user_templates,
        host=host,
        port=port,
        on_build=on_build,
        cache=cache,
        repositories=repositories,
    )
    try:
        preview.build()
        if on_ready is not None:
            on_ready(preview.url)
        preview.run()
    finally:
        preview.shutdown()
