"""The handover site: page views, Mermaid flows, links, the page plan, the
Jinja environment, the mkdocs configuration and build, and the preview server.
"""

from __future__ import annotations

from specgen.site.build import (
    MARKER,
    BuildResult,
    InvalidPortfolio,
    OutputNotOurs,
    Preview,
    PreviewBuild,
    SiteBuildError,
    SiteError,
    build_site,
    run_mkdocs,
    serve,
)
from specgen.site.render import render_pages

__all__ = [
    "MARKER",
    "BuildResult",
    "InvalidPortfolio",
    "OutputNotOurs",
    "Preview",
    "PreviewBuild",
    "SiteBuildError",
    "SiteError",
    "build_site",
    "render_pages",
    "run_mkdocs",
    "serve",
]
