"""The planned pages of the handover site → their Markdown, through Jinja.

:func:`render_texts` renders what :func:`specgen.site.plan.plan_pages`
planned, in worker processes, and takes a page from the build cache instead
when its inputs are those of a page rendered before
(:mod:`specgen.site.pagememo`; a workflow's pages are one entry, looked up
once); :func:`render_pages` is the same as plain text by path, for tests and
other programs.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2

from specgen.gcpause import paused_gc
from specgen.parallel import WorkerError, fork_map
from specgen.site import budget
from specgen.site.cache import SiteCache, digest
from specgen.site.environment import RenderError, load_glossary, make_site_environment
from specgen.site.gather import SiteInputs, gather
from specgen.site.pagememo import Memo, PageText, WatchedSite
from specgen.site.pages import PORTFOLIO_PAGES, Page, PageDef, PortfolioPageDef
from specgen.site.plan import memo_salt, plan_pages
from specgen.site.recent import RECENT
from specgen.spec.loader import Portfolio
from specgen.spec.memo import restored

if TYPE_CHECKING:  # the readiness report comes from specgen.rules
    from specgen.rules import PortfolioReport

__all__ = ["render_page", "render_pages", "render_planned_pages", "render_texts"]


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
    folders = _folders(pages) if memo is not None else {}
    texts: list[PageText | None] = [None] * len(pages)
    for folder in folders.values():
        folder.restore(env, pages, texts, memo)
    for index, page in enumerate(pages):
        if texts[index] is None and not (page.workflow in folders and folders[page.workflow].found):
            texts[index] = _kept(env, page, memo)  # one by one: pages without a workflow's entry
    missing = [index for index, text in enumerate(texts) if text is None]

    def render(index: int) -> tuple[str, bool]:
        page = pages[missing[index]]
        watched = page.context.get("site")
        text = render_page(env, page)
        reads_site = isinstance(watched, WatchedSite) and watched.read
        if not reads_site:  # a page including it would not know it reads the whole site
            RECENT.put(page.path, text)
        return text, reads_site

    RECENT.clear()
    try:
        hooks = {"before_fork": memo.suspend, "after_pool": memo.resume} if isinstance(memo, SiteCache) else {}
        groups = [pages[index].workflow or pages[index].path for index in missing]  # a workflow's pages together
        fresh = fork_map(len(missing), render, jobs=jobs, groups=groups, **hooks)
    except WorkerError as exc:  # a template's error, from a worker process
        raise RenderError(str(exc).removeprefix("RenderError: ")) from None
    RECENT.clear()
    unkept = set()
    for index, (text, reads_site) in zip(missing, fresh, strict=True):
        in_folder = pages[index].folder_key is not None and pages[index].workflow in folders
        texts[index] = _fresh(env, pages[index], text, memo, reads_site, alone=not in_folder)
        if reads_site:
            unkept.add(index)
    for folder in folders.values():
        folder.remember(texts, unkept, memo)
    rendered = [(page, text) for page, text in zip(pages, texts, strict=True) if text is not None]
    budget.check_rendered(portfolio, [(page, text.size) for page, text in rendered])
    return rendered


class _Folder:
    """A workflow's pages that have a key, kept in the build cache as one
    entry (under their :attr:`~specgen.site.pages.Page.folder_key`): their
    texts' digests and sizes, None for a page that read the whole site and
    is rendered every time. One look-up per workflow instead of one per
    page; the workflow's key already holds everything its pages depend on,
    so the pages of a workflow are kept, or not, together, and a kept page
    never works out its own key."""

    __slots__ = ("found", "indexes", "key")

    def __init__(self, key: str, indexes: list[int]) -> None:
        self.key = key
        self.indexes = indexes
        self.found = False

    def restore(
        self, env: jinja2.Environment, pages: Sequence[Page], texts: list[PageText | None], memo: Memo | None
    ) -> None:
        """Fill ``texts`` of this workflow's pages from its entry, when there is one."""
        if memo is None:
            return
        kept = restored(memo, self.key, functools.partial(_folder_entry, len(self.indexes)))
        if kept is None:
            return
        self.found = True
        for index, entry in zip(self.indexes, kept, strict=True):
            if entry is not None:
                texts[index] = _text(env, pages[index], memo, *entry)

    def remember(self, texts: Sequence[PageText | None], unkept: set[int], memo: Memo | None) -> None:
        """Store this workflow's entry, unless it was found."""
        if self.found or memo is None:
            return
        entries = []
        for index in self.indexes:
            text = texts[index]
            if text is None:  # cannot happen: every page was rendered or kept
                return
            entries.append(None if index in unkept else [text.digest, text.size])
        memo.put(self.key, entries)


def _folders(pages: Sequence[Page]) -> dict[str, _Folder]:
    """The keyed pages of each workflow, by workflow."""
    indexes: dict[str, list[int]] = {}
    keys: dict[str, str] = {}
    for index, page in enumerate(pages):
        if page.workflow is not None and page.folder_key is not None:
            indexes.setdefault(page.workflow, []).append(index)
            keys[page.workflow] = page.folder_key
    return {workflow: _Folder(keys[workflow], found) for workflow, found in indexes.items()}


def _folder_entry(count: int, value: Any) -> list[tuple[str, int] | None] | None:
    """A folder's entries from what :meth:`_Folder.remember` stored (None if it is not that)."""
    if not isinstance(value, list) or len(value) != count:
        return None
    entries: list[tuple[str, int] | None] = []
    for item in value:
        if item is None:
            entries.append(None)
        elif (
            isinstance(item, list)
            and len(item) == 2
            and isinstance(item[0], str)
            and isinstance(item[1], int)
            and not isinstance(item[1], bool)
        ):
            entries.append((item[0], item[1]))
        else:
            return None
    return entries


def _text(env: jinja2.Environment, page: Page, memo: Memo, text_digest: str, size: int) -> PageText:
    """A page's kept text, read from ``memo`` only if something reads it."""
    text_key = digest("page-text", text_digest)
    memo.keep(text_key)

    def load() -> str:
        text = memo.get(text_key)
        return text if isinstance(text, str) else render_page(env, page)

    return PageText(text_digest, size, load=load)


def _kept(env: jinja2.Environment, page: Page, memo: Memo | None) -> PageText | None:
    """A page's text from ``memo`` (read lazily) when it holds the page's key."""
    if memo is None or page.key is None:
        return None
    kept = restored(memo, page.key, _digest_and_size)
    if kept is None:
        return None
    return _text(env, page, memo, *kept)


def _digest_and_size(kept: Any) -> tuple[str, int] | None:
    """A kept page's text digest and size, from what :func:`_fresh` stored."""
    if isinstance(kept, dict) and isinstance(kept.get("digest"), str) and isinstance(kept.get("size"), int):
        return kept["digest"], kept["size"]
    return None


def _fresh(
    env: jinja2.Environment, page: Page, rendered: str, memo: Memo | None, reads_site: bool, *, alone: bool = True
) -> PageText:
    """A page just rendered, its text kept in ``memo`` unless it read the
    whole site; with ``alone``, its digest and size too, under its key (else
    its workflow's entry keeps them, see :class:`_Folder`)."""
    text = PageText.of(rendered, load=lambda: render_page(env, page))
    if memo is not None and page.key is not None and not reads_site:
        if alone:
            memo.put(page.key, {"digest": text.digest, "size": text.size})
        memo.put(digest("page-text", text.digest), rendered)
    return text
