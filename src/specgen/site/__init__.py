"""The handover site.

Modules: :mod:`~specgen.site.pages` (the pages as data), :mod:`~specgen.site.views`
(the specs as the templates see them), :mod:`~specgen.site.flows` (Mermaid flows),
:mod:`~specgen.site.links`, :mod:`~specgen.site.environment` (the Jinja
environment), :mod:`~specgen.site.plan` and :mod:`~specgen.site.render` (planning and rendering the pages),
:mod:`~specgen.site.mkdocs` (configuration and the mkdocs build),
:mod:`~specgen.site.build` (sources, :func:`build_site`),
:mod:`~specgen.site.staging` (staging folders, the atomic swap),
:mod:`~specgen.site.cache` and :mod:`~specgen.site.mkcache` (the build cache and
its mkdocs plugin),
:mod:`~specgen.site.gather` (the git histories and recorded approvals, read
before rendering), :mod:`~specgen.site.serve` (the live preview) and :mod:`~specgen.site.errors`.
"""

from __future__ import annotations

from specgen.site.build import MARKER, BuildResult, build_site
from specgen.site.errors import InvalidPortfolio, OutputNotOurs, SiteBuildError, SiteError
from specgen.site.gather import SiteInputs, gather
from specgen.site.mkdocs import run_mkdocs
from specgen.site.render import render_pages
from specgen.site.serve import Preview, PreviewBuild, serve

__all__ = [
    "MARKER",
    "BuildResult",
    "InvalidPortfolio",
    "OutputNotOurs",
    "Preview",
    "PreviewBuild",
    "SiteBuildError",
    "SiteError",
    "SiteInputs",
    "build_site",
    "gather",
    "render_pages",
    "run_mkdocs",
    "serve",
]
