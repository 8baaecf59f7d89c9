"""The site's output budget: a spec cannot make a site of hundreds of megabytes.

Each page of the site carries the navigation of its own workflow in full
(the rest is pruned to the path to the page, at most ten entries a level),
so a workflow's share grows with the square of its page count: a 430 KB
spec with 1,000 runbooks (a page each) made a 486 MB site. Before
rendering, :func:`check_plan` estimates the navigation's share from the
page titles; after rendering,
:func:`check_rendered` adds the pages' Markdown (each becomes its HTML page and
its part of the search index). Over :func:`budget` the build stops with a
message that names the spec with the most pages, before mkdocs writes
anything.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence

from specgen.site.errors import SiteError
from specgen.site.mkdocs import NAV_GROUP_SIZE
from specgen.site.pages import WORKFLOWS_DIR, Page
from specgen.spec.loader import Portfolio

__all__ = ["BASE_BUDGET", "BUDGET_PER_SPEC", "SiteTooLarge", "budget", "check_plan", "check_rendered"]

BASE_BUDGET = 64 * 1024 * 1024
"""Bytes of HTML and search index a site may have, whatever its size..."""
BUDGET_PER_SPEC = 16 * 1024 * 1024
"""... and this many more per workflow (the examples make about 1 MB each)."""
NAV_ENTRY_BYTES = 300
"""HTML around one navigation entry, besides its title (measured: about 285)."""
SOURCE_FACTOR = 3
"""Bytes of output per byte of a page's Markdown: its HTML page and its share
of the search index (measured: about 2.5)."""
MIB = 1024 * 1024


class SiteTooLarge(SiteError):
    """The site would exceed its output budget; the diagnostic names the spec with the most pages."""


def budget(portfolio: Portfolio) -> int:
    """The most bytes the site of ``portfolio`` may have."""
    return BASE_BUDGET + BUDGET_PER_SPEC * len(portfolio.specs)


def _nav_bytes(pages: Sequence[Page]) -> int:
    """Each page carries every entry of its own workflow (all of the portfolio's
    pages, for a page outside one) and, pruned, a few levels of at most
    :data:`~specgen.site.mkdocs.NAV_GROUP_SIZE` entries for the rest."""
    entry = {page.path: len(page.title.encode("utf-8")) + NAV_ENTRY_BYTES for page in pages}
    shares: Counter[str | None] = Counter()
    counts: Counter[str | None] = Counter()
    for page in pages:
        shares[page.workflow] += entry[page.path]
        counts[page.workflow] += 1
    workflows = max(len(counts) - (None in counts), 1)
    levels = 2 + math.ceil(math.log(workflows, NAV_GROUP_SIZE)) if workflows > 1 else 2
    pruned = (counts[None] + levels * NAV_GROUP_SIZE) * (max(entry.values(), default=0))
    return sum(counts[w] * shares[w] for w in counts) + len(pages) * pruned


def _refuse(portfolio: Portfolio, pages: Sequence[Page], estimate: int) -> SiteTooLarge:
    per_workflow = Counter(
        page.path.split("/")[1] for page in pages if page.path.startswith(f"{WORKFLOWS_DIR}/") and "/" in page.path
    )
    limit = budget(portfolio)
    message = (
        f"the site would be about {estimate // MIB:,} MB ({len(pages):,} pages, each carrying the navigation "
        f"of its workflow), over its budget of {limit // MIB:,} MB for {len(portfolio.specs)} workflows"
    )
    diagnostics = []
    if per_workflow:
        spec_id, count = per_workflow.most_common(1)[0]
        loaded = next((ls for ls in portfolio.specs if ls.spec.id == spec_id), None)
        if loaded is not None:
            where = ("runbooks",) if loaded.spec.runbooks else ()
            diagnostics.append(
                loaded.source.diagnostic(
                    where,
                    f"this workflow makes {count:,} pages of the site; put its runbooks on one page "
                    "(site.one_runbooks_page: true in specgen.yml) or split it into several specs",
                    key=True,
                    code="site",
                )
            )
    return SiteTooLarge(message, diagnostics=diagnostics)


def check_plan(portfolio: Portfolio, pages: Sequence[Page]) -> None:
    """Refuse, before rendering, a site whose navigation alone is over budget."""
    estimate = _nav_bytes(pages)
    if estimate > budget(portfolio):
        raise _refuse(portfolio, pages, estimate)


def check_rendered(portfolio: Portfolio, rendered: Sequence[tuple[Page, int]]) -> None:
    """Refuse, before mkdocs writes anything, a site estimated over budget
    (``rendered``: each page with the size of its Markdown in bytes)."""
    pages = [page for page, _ in rendered]
    estimate = _nav_bytes(pages) + SOURCE_FACTOR * sum(size for _, size in rendered)
    if estimate > budget(portfolio):
        raise _refuse(portfolio, pages, estimate)
