"""Specs → the pages of the handover site, planned: what each page is and shows.

:func:`plan_pages` expands the page definitions of :mod:`specgen.site.pages`
into :class:`Page` objects (path, title, template, context, and the key its
Markdown is kept under in the build cache); :mod:`specgen.site.render`
renders them. Tables and step lists are written as HTML inside the Markdown:
Python-Markdown takes four times as long over Markdown tables, and the
build's time is mostly spent there.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from specgen.resources import bundled_templates
from specgen.site.cache import digest
from specgen.site.gather import SiteInputs, gather
from specgen.site.links import LinkIndex, Links
from specgen.site.pagememo import WatchedSite, code_digest, fingerprint, folder_digest
from specgen.site.pages import (
    BUNDLED_PAGE_DEFS,
    PORTFOLIO_PAGES,
    WORKFLOWS_DIR,
    LazyContext,
    Page,
    PageDef,
    PortfolioPageDef,
    workflow_pages_for,
)
from specgen.site.recent import RECENT
from specgen.site.views import SiteView, WorkflowView, sort_key
from specgen.spec.loader import Portfolio

if TYPE_CHECKING:  # the readiness report comes from specgen.rules
    from specgen.rules import PortfolioReport, SpecReport

__all__ = ["folder_of", "memo_salt", "plan_pages"]


def _reports_by_id(report: PortfolioReport | None) -> dict[str, SpecReport]:
    if report is None:
        return {}
    return {r.spec_id: r for r in report.specs}


def plan_pages(
    portfolio: Portfolio,
    *,
    report: PortfolioReport | None = None,
    glossary: Sequence[Mapping[str, str]] = (),
    workflow_pages: Sequence[PageDef] | None = None,
    portfolio_pages: Sequence[PortfolioPageDef] = PORTFOLIO_PAGES,
    user_templates: Path | None = None,
    inputs: SiteInputs | None = None,
    memo_salt: str | None = None,
) -> list[Page]:
    """Every page of the site, in nav order, with the context its template gets.

    ``report`` is the readiness report of :func:`specgen.rules.check_portfolio`
    (None: the pages say the workflow was not checked). ``workflow_pages``
    default to those the project's site settings choose (:func:`workflow_pages_for`). ``inputs`` are the
    histories and recorded approvals of the specs (:func:`specgen.site.gather.gather`,
    which is called when they are not given); past this point nothing is read
    but the templates. With ``memo_salt`` (:func:`memo_salt`), each page of a
    bundled definition gets the :attr:`Page.key` its Markdown is kept under.
    """
    reports = _reports_by_id(report)
    if inputs is None:
        inputs = gather(portfolio)
    if workflow_pages is None:
        workflow_pages = workflow_pages_for(portfolio.project.site)
    views = sorted(
        (
            WorkflowView(
                ls.spec,
                portfolio.project,
                reports.get(ls.spec.id),
                ls.source.name,
                ls.source.path,
                recorded_approvals=inputs.approvals.get(ls.spec.id, ()),
                history=inputs.history(ls.spec.id),
                attribution=inputs.attributions.get(ls.spec.id),
                evidence=inputs.evidence.get(ls.spec.id),
            )
            for ls in portfolio.specs
        ),
        key=sort_key,
    )
    site = SiteView(portfolio.project, views, glossary)
    index = LinkIndex()
    planned: list[tuple[str, str, PageDef | PortfolioPageDef, WorkflowView | None, Any, int | None]] = []
    for pdef in portfolio_pages:
        index.titles[pdef.path] = pdef.title
        planned.append((pdef.path, pdef.title, pdef, None, None, None))
    for view in views:
        folder = f"{WORKFLOWS_DIR}/{view.id}"
        for wdef in workflow_pages:
            items: Sequence[Any] = wdef.each(view.spec) if wdef.each else [None]
            for position, item in enumerate(items):
                fields = item.model_dump() if item is not None else {}
                path = f"{folder}/{wdef.slug.format(**fields)}.md"
                title = wdef.title.format(**fields)
                index.titles[path] = title
                if item is None:
                    index.pages[(view.id, wdef.slug)] = path
                    for kind in wdef.hosts:
                        index.hosts[(view.id, kind)] = path
                else:
                    for kind in wdef.hosts:
                        index.items[(view.id, kind, item.id)] = path
                planned.append((path, title, wdef, view, item, position if item is not None else None))
    salt = None
    if memo_salt is not None:  # the links between pages are part of every page
        salt = digest(memo_salt, fingerprint(index.titles, index.pages, index.hosts, index.items))
    texts = {ls.spec.id: ls.source.text_digest for ls in portfolio.specs if ls.source.path is not None}
    workflow_keys = {view.id: _workflow_key(view, texts.get(view.id)) for view in views} if salt is not None else {}
    # a workflow's keyed pages (their paths, titles, templates and order) follow from its spec, in
    # its key, and specgen's own page definitions, in the salt with every page's path and title
    # (the links): one key per workflow holds them all
    folder_keys = {w: digest("workflow pages", salt, k) for w, k in workflow_keys.items() if k is not None}
    pages = []
    for path, title, pdef, view, item, position in planned:
        key_parts: tuple[str, ...] | None = None
        if salt is not None and (pdef in PORTFOLIO_PAGES or pdef in BUNDLED_PAGE_DEFS):
            part = workflow_keys.get(view.id) if view is not None else "portfolio"
            key_parts = None if part is None else (salt, part, path, title, pdef.template, repr(position))
        # built when the page is rendered: most pages of a rebuild are taken from the cache instead
        context = LazyContext(functools.partial(_context, path, title, pdef, view, item, position, site, index))
        if isinstance(pdef, PortfolioPageDef) or view is None:
            made = functools.partial(pdef.produce, user_templates) if pdef.produce else None
            pages.append(Page(path, title, pdef.template, context, produce=made, key_parts=key_parts))
            continue
        extra = None
        if pdef.extra is not None:
            extra = functools.partial(pdef.extra, view, user_templates, functools.partial(RECENT.get, folder_of(path)))
        produce = functools.partial(pdef.produce, view, user_templates) if pdef.produce else None
        pages.append(
            Page(
                path,
                title,
                pdef.template,
                context,
                workflow=view.id,
                group=pdef.group,
                produce=produce,
                extra=extra,
                key_parts=key_parts,
                folder_key=folder_keys.get(view.id) if key_parts is not None else None,
                section=(view.title, view.stage),
            )
        )
    return pages


def _context(
    path: str,
    title: str,
    pdef: PageDef | PortfolioPageDef,
    view: WorkflowView | None,
    item: Any,
    position: int | None,
    site: SiteView,
    index: LinkIndex,
) -> dict[str, Any]:
    """What a page's template gets."""
    links = Links(path, index)
    context: dict[str, Any] = {"site": WatchedSite(site), "links": links, "page_title": title, "here": path}
    if isinstance(pdef, PortfolioPageDef) or view is None:
        return context
    context["workflow"] = view
    context["spec"] = view.spec
    if item is not None:
        context[pdef.item_name] = item
        field_name = pdef.sections[0] if pdef.sections else pdef.item_name
        context["findings"] = view.findings_in((), prefix=f"{field_name}[{position}]")
    else:
        context["findings"] = view.findings_in(pdef.sections)
    return context


def _workflow_key(view: WorkflowView, text_digest: str | None) -> str | None:
    """The digest of what a workflow's pages show (None: it cannot be digested).
    A spec read from a file is its text (the project's is in every key), by
    the digest the loader's source keeps (:attr:`Source.text_digest`): sha256
    of the text costs a fifth of its JSON spelling; one made otherwise, its model."""
    try:
        return fingerprint(
            digest("spec text", text_digest) if text_digest is not None else view.spec,
            view.source,
            view.source_path,
            view.report,
            view.recorded_approvals,
            view.history,
            view.attribution,
            view.evidence,
        )
    except TypeError:
        return None


def memo_salt(portfolio: Portfolio, user_templates: Path | None, inputs: SiteInputs) -> str:
    """The digest of what every page depends on (see :mod:`specgen.site.pagememo`)."""
    skip = ("site/assets", "site/theme")
    project = portfolio.project_source.text if portfolio.project_source is not None else ""
    return digest(
        code_digest(),
        folder_digest(bundled_templates(), skip=skip),
        folder_digest(user_templates, skip=skip),
        project,
        fingerprint(sorted(inputs.artefacts)),
    )


def folder_of(path: str) -> str:
    """The folder of a page's docs path (``workflows/x`` of ``workflows/x/exit.md``)."""
    return path.rpartition("/")[0]
