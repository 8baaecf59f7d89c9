"""Specs → Markdown pages of the handover site, through Jinja templates.

:func:`plan_pages` expands the page definitions of :mod:`specgen.site.pages`
into :class:`Page` objects (path, title, template, context);
:func:`render_pages` renders them. Tables and step lists are written as HTML
inside the Markdown: Python-Markdown takes four times as long over Markdown
tables, and the build's time is mostly spent there.
"""

from __future__ import annotations

import functools
import re
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2

from specgen.gcpause import paused_gc
from specgen.parallel import WorkerError, fork_map
from specgen.resources import bundled_templates
from specgen.site import budget
from specgen.site.cache import SiteCache, digest
from specgen.site.environment import RenderError, load_glossary, make_site_environment
from specgen.site.gather import SiteInputs, gather
from specgen.site.links import LinkIndex, Links
from specgen.site.pagememo import Memo, PageText, WatchedSite, code_digest, fingerprint, folder_digest
from specgen.site.pages import (
    BUNDLED_PAGE_DEFS,
    PORTFOLIO_PAGES,
    WORKFLOWS_DIR,
    Page,
    PageDef,
    PortfolioPageDef,
    workflow_pages_for,
)
from specgen.site.views import SiteView, WorkflowView, sort_key
from specgen.spec.loader import Portfolio
from specgen.spec.memo import restored

if TYPE_CHECKING:  # the readiness report comes from specgen.rules
    from specgen.rules import PortfolioReport, SpecReport

__all__ = ["memo_salt", "plan_pages", "render_page", "render_pages", "render_planned_pages", "render_texts"]


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
    texts = {ls.spec.id: ls.source.text for ls in portfolio.specs if ls.source.path is not None}
    workflow_keys = {view.id: _workflow_key(view, texts.get(view.id)) for view in views} if salt is not None else {}
    pages = []
    for path, title, pdef, view, item, position in planned:
        links = Links(path, index)
        context: dict[str, Any] = {"site": WatchedSite(site), "links": links, "page_title": title, "here": path}
        key = None
        if salt is not None and (pdef in PORTFOLIO_PAGES or pdef in BUNDLED_PAGE_DEFS):
            part = workflow_keys.get(view.id) if view is not None else "portfolio"
            key = None if part is None else digest(salt, part, path, title, pdef.template, repr(position))
        if isinstance(pdef, PortfolioPageDef) or view is None:
            made = functools.partial(pdef.produce, user_templates) if pdef.produce else None
            pages.append(Page(path, title, pdef.template, context, produce=made, key=key))
            continue
        context["workflow"] = view
        context["spec"] = view.spec
        if item is not None:
            context[pdef.item_name] = item
            field_name = pdef.sections[0] if pdef.sections else pdef.item_name
            context["findings"] = view.findings_in((), prefix=f"{field_name}[{position}]")
        else:
            context["findings"] = view.findings_in(pdef.sections)
        extra = None
        if pdef.extra is not None:
            extra = functools.partial(pdef.extra, view, user_templates, functools.partial(_RECENT.get, folder_of(path)))
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
                key=key,
            )
        )
    return pages


def _workflow_key(view: WorkflowView, text: str | None) -> str | None:
    """The digest of what a workflow's pages show (None: it cannot be digested).
    A spec read from a file is its text (the project's is in every key),
    digested on its own: sha256 of the text costs a fifth of its JSON
    spelling; one made otherwise, its model."""
    try:
        return fingerprint(
            digest("spec text", text) if text is not None else view.spec,
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


class _RecentTexts:
    """The Markdown of the pages rendered last in this process, by folder and
    slug: a workflow's printable page includes its section pages' own text
    rather than rendering their templates again. Emptied at the start of
    each :func:`render_texts`; at most :data:`KEEP` pages. A page that read
    the whole site is not kept: the page including it must render it and so
    be known to read the whole site too (:class:`WatchedSite`)."""

    KEEP = 16

    def __init__(self) -> None:
        self._texts: OrderedDict[tuple[str, str], str] = OrderedDict()

    def put(self, path: str, text: str) -> None:
        folder, _, name = path.rpartition("/")
        self._texts[(folder, name.removesuffix(".md"))] = text
        while len(self._texts) > self.KEEP:
            self._texts.popitem(last=False)

    def get(self, folder: str, slug: str) -> str | None:
        """The text of page ``slug`` (``"decisions"``) of ``folder``, if rendered just before."""
        return self._texts.get((folder, slug))

    def clear(self) -> None:
        self._texts.clear()


_RECENT = _RecentTexts()


def folder_of(path: str) -> str:
    """The folder of a page's docs path (``workflows/x`` of ``workflows/x/exit.md``)."""
    return path.rpartition("/")[0]


def render_page(env: jinja2.Environment, page: Page) -> str:
    """One page's Markdown. Template problems raise :class:`RenderError`
    naming the template and line."""
    try:
        if page.produce:
            text = page.produce()
        else:
            context = {**page.context, **page.extra()} if page.extra else page.context
            text = env.get_template(page.template).render(context)
    except jinja2.TemplateSyntaxError as exc:
        where = exc.filename or exc.name or page.template
        raise RenderError(f"{where}:{exc.lineno}: template syntax error: {exc.message}") from exc
    except jinja2.TemplateNotFound as exc:
        raise RenderError(f"template not found: {exc.name}") from exc
    except jinja2.UndefinedError as exc:
        raise RenderError(f"{page.template} (rendering {page.path}): {exc.message}") from exc
    except RenderError:
        raise
    except Exception as exc:  # a template calling something with bad arguments
        raise RenderError(f"{page.template} (rendering {page.path}): {type(exc).__name__}: {exc}") from exc
    return _tidy(text)


_BLANKS = re.compile(r"\n{3,}")


def _tidy(text: str) -> str:
    """Trailing spaces off, at most one blank line in a row, one final newline."""
    lines = [line.rstrip() for line in text.splitlines()]
    return _BLANKS.sub("\n\n", "\n".join(lines)).strip("\n") + "\n"


def render_pages(
    portfolio: Portfolio,
    *,
    report: PortfolioReport | None = None,
    user_templates: Path | None = None,
    workflow_pages: Sequence[PageDef] | None = None,
    portfolio_pages: Sequence[PortfolioPageDef] = PORTFOLIO_PAGES,
    inputs: SiteInputs | None = None,
) -> dict[str, str]:
    """Every page of the site as ``{docs-relative path: Markdown}``, in nav order."""
    rendered = render_planned_pages(
        portfolio,
        report=report,
        user_templates=user_templates,
        workflow_pages=workflow_pages,
        portfolio_pages=portfolio_pages,
        inputs=inputs,
    )
    return {page.path: text for page, text in rendered}


def render_planned_pages(
    portfolio: Portfolio,
    *,
    report: PortfolioReport | None = None,
    user_templates: Path | None = None,
    workflow_pages: Sequence[PageDef] | None = None,
    portfolio_pages: Sequence[PortfolioPageDef] = PORTFOLIO_PAGES,
    inputs: SiteInputs | None = None,
) -> list[tuple[Page, str]]:
    """Every page of the site with its Markdown, in nav order (:func:`render_pages`
    is the same as a mapping). Raises :class:`specgen.site.budget.SiteTooLarge`
    for a site over its output budget."""
    rendered = render_texts(
        portfolio,
        report=report,
        user_templates=user_templates,
        workflow_pages=workflow_pages,
        portfolio_pages=portfolio_pages,
        inputs=inputs,
    )
    return [(page, text.text) for page, text in rendered]


def render_texts(
    portfolio: Portfolio,
    *,
    report: PortfolioReport | None = None,
    user_templates: Path | None = None,
    workflow_pages: Sequence[PageDef] | None = None,
    portfolio_pages: Sequence[PortfolioPageDef] = PORTFOLIO_PAGES,
    inputs: SiteInputs | None = None,
    memo: Memo | None = None,
    jobs: int | None = 1,
) -> list[tuple[Page, PageText]]:
    """What the site build renders: :func:`render_planned_pages`, each page's
    Markdown as a :class:`PageText`. With ``memo`` (the build cache), a page
    whose inputs are those of a page rendered before is taken from it, and
    its text read only if needed (:mod:`specgen.site.pagememo`). The other
    pages are rendered in ``jobs`` worker processes (None: one per
    processor; see :mod:`specgen.parallel`)."""
    env = make_site_environment(user_templates)
    if inputs is None:
        inputs = gather(portfolio, memo)
    salt = memo_salt(portfolio, user_templates, inputs) if memo is not None else None
    with paused_gc(freeze=True):  # a page, its context and views each, kept through the build
        pages = plan_pages(
            portfolio,
            report=report,
            glossary=load_glossary(env),
            workflow_pages=workflow_pages,
            portfolio_pages=portfolio_pages,
            user_templates=user_templates,
            inputs=inputs,
            memo_salt=salt,
        )
    budget.check_plan(portfolio, pages)
    texts: list[PageText | None] = [_kept(env, page, memo) for page in pages]
    missing = [index for index, text in enumerate(texts) if text is None]

    def render(index: int) -> tuple[str, bool]:
        page = pages[missing[index]]
        watched = page.context.get("site")
        text = render_page(env, page)
        reads_site = isinstance(watched, WatchedSite) and watched.read
        if not reads_site:  # a page including it would not know it reads the whole site
            _RECENT.put(page.path, text)
        return text, reads_site

    _RECENT.clear()
    try:
        hooks = {"before_fork": memo.suspend, "after_pool": memo.resume} if isinstance(memo, SiteCache) else {}
        groups = [pages[index].workflow or pages[index].path for index in missing]  # a workflow's pages together
        fresh = fork_map(len(missing), render, jobs=jobs, groups=groups, **hooks)
    except WorkerError as exc:  # a template's error, from a worker process
        raise RenderError(str(exc).removeprefix("RenderError: ")) from None
    _RECENT.clear()
    for index, (text, reads_site) in zip(missing, fresh, strict=True):
        texts[index] = _fresh(env, pages[index], text, memo, reads_site)
    rendered = [(page, text) for page, text in zip(pages, texts, strict=True) if text is not None]
    budget.check_rendered(portfolio, [(page, text.size) for page, text in rendered])
    return rendered


def _kept(env: jinja2.Environment, page: Page, memo: Memo | None) -> PageText | None:
    """A page's text from ``memo`` (read lazily) when it holds the page's key."""
    if memo is None or page.key is None:
        return None
    kept = restored(memo, page.key, _digest_and_size)
    if kept is None:
        return None
    text_digest, size = kept
    text_key = digest("page-text", text_digest)
    memo.keep(text_key)

    def load() -> str:
        text = memo.get(text_key)
        return text if isinstance(text, str) else render_page(env, page)

    return PageText(text_digest, size, load=load)


def _digest_and_size(kept: Any) -> tuple[str, int] | None:
    """A kept page's text digest and size, from what :func:`_fresh` stored."""
    if isinstance(kept, dict) and isinstance(kept.get("digest"), str) and isinstance(kept.get("size"), int):
        return kept["digest"], kept["size"]
    return None


def _fresh(env: jinja2.Environment, page: Page, rendered: str, memo: Memo | None, reads_site: bool) -> PageText:
    """A page just rendered, kept in ``memo`` unless it read the whole site."""
    text = PageText.of(rendered, load=lambda: render_page(env, page))
    if memo is not None and page.key is not None and not reads_site:
        memo.put(page.key, {"digest": text.digest, "size": text.size})
        memo.put(digest("page-text", text.digest), rendered)
    return text
