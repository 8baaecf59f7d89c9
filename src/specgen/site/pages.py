"""The site's pages as data.

:data:`WORKFLOW_PAGES` lists the pages every workflow gets (one
:class:`PageDef` each: where it goes, its title, its template, the spec
sections it presents), :data:`PORTFOLIO_PAGES` the pages of the site as a
whole. Adding a page is one entry (and one template).
:func:`specgen.site.plan.plan_pages` expands the definitions into
:class:`Page` objects (path, title, template, context).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from specgen.site.cache import digest
from specgen.site.views import WorkflowView
from specgen.spec.schema import Runbook, SiteSettings, Spec, Stage

__all__ = [
    "BUNDLED_PAGE_DEFS",
    "PORTFOLIO_PAGES",
    "PRINT_SLUG",
    "WORKFLOWS_DIR",
    "WORKFLOW_PAGES",
    "LazyContext",
    "Page",
    "PageDef",
    "PortfolioPageDef",
    "workflow_pages_for",
]


@dataclass(frozen=True)
class PageDef:
    """One kind of page of a workflow.

    ``slug`` is the path inside the workflow's folder, without ``.md``; for a
    page per item (``each``) it is a format string over the item
    (``"runbooks/{id}"``) and ``title`` too (``"{title}"``). ``sections`` are
    the spec's top-level fields the page presents: readiness findings about
    them are shown on it. ``hosts`` are the kinds of entity the page carries
    anchors for, so other pages can link to them (see :class:`Links`).
    ``extra`` adds context the template needs beyond the standard one.
    """

    slug: str
    title: str
    template: str
    sections: tuple[str, ...] = ()
    hosts: tuple[str, ...] = ()
    each: Callable[[Spec], Sequence[Any]] | None = None
    item_name: str = "item"
    group: str | None = None
    """Nav sub-section of the workflow the page sits in ("Runbooks")."""
    extra: Callable[[WorkflowView, Path | None, Callable[[str], str | None]], Mapping[str, Any]] | None = None
    """Called with the workflow, the user's template folder and the Markdown of
    the workflow's pages rendered just before, by slug (None where not), when
    the page is rendered."""
    produce: Callable[[WorkflowView, Path | None], str] | None = None
    """For a page another module writes (such as the change history): called
    with the workflow and the user's template folder, it returns the page's
    Markdown, which is used as is (that module escapes spec text itself);
    ``template`` is then only informative."""


@dataclass(frozen=True)
class PortfolioPageDef:
    """A page of the site as a whole (home, glossary, field reference)."""

    path: str
    title: str
    template: str
    produce: Callable[[Path | None], str] | None = None
    """For a page another module writes: called with the user's template
    folder, it returns the page's Markdown (see :attr:`PageDef.produce`)."""


def _runbooks(spec: Spec) -> Sequence[Runbook]:
    return spec.runbooks


def _template_dirs(user_templates: Path | None) -> tuple[Path, ...]:
    return (user_templates,) if user_templates is not None else ()


_LAST_DEFINITION: list[tuple[WorkflowView, Any]] = []
"""The definition made last in this process, with its workflow: the printable
page, rendered after the definition page, shows it too. One only, so a
portfolio's definitions are not all held through the build."""


def _definition(view: WorkflowView) -> Any:
    """The workflow's production-readiness definition (a :class:`specgen.sow.Definition`)."""
    from specgen import sow

    if _LAST_DEFINITION and _LAST_DEFINITION[0][0] is view:
        return _LAST_DEFINITION[0][1]
    made = sow.definition(view.spec, view.project, report=view.report, evidence=view.evidence)
    _LAST_DEFINITION[:] = [(view, made)]
    return made


def _definition_page(view: WorkflowView, user_templates: Path | None) -> str:
    """The production-readiness definition (the statement-of-work text) as a page."""
    from specgen import sow

    return sow.render_markdown(_definition(view), template_dirs=_template_dirs(user_templates))


def _history_page(view: WorkflowView, user_templates: Path | None) -> str:
    """The change history from git, as gathered before rendering (empty outside
    a repository)."""
    from specgen.review.history import History, render_history_page

    history = view.history if view.history is not None else History(view.id, view.id, None)
    return render_history_page(history, user_dirs=_template_dirs(user_templates))


def _field_reference_page(user_templates: Path | None) -> str:
    from specgen.spec.fieldref import render_field_reference

    return render_field_reference("spec", user_dirs=_template_dirs(user_templates))


def _print_context(
    view: WorkflowView, user_templates: Path | None, rendered: Callable[[str], str | None]
) -> Mapping[str, Any]:
    """What the printable page includes: each section page's template with the
    findings it shows, in nav order (all runbooks at once), and its text
    (``markdown``) where that page was rendered just before (``rendered``
    gives a page's Markdown by slug), so its template need not run again;
    then the definition: ``definition_markdown`` is the definition page's own
    Markdown, so the two show the same text and the site converts it once
    (:mod:`specgen.site.sections`); ``definition`` is its data."""
    from specgen import sow
    from specgen.text import Md

    sections = []
    for pdef in WORKFLOW_PAGES:
        if pdef.produce is not None or pdef.slug == PRINT_SLUG:
            continue
        if pdef.each is not None:
            pdef = _ALL_RUNBOOKS_PAGE
        text = rendered(pdef.slug)
        markdown = Md(text) if text is not None else None
        sections.append({"template": pdef.template, "findings": view.findings_in(pdef.sections), "markdown": markdown})
    definition = _definition(view)
    text = rendered("definition")
    if text is None:
        text = sow.render_markdown(definition, template_dirs=_template_dirs(user_templates))
    return {"sections": sections, "definition": definition, "definition_markdown": Md(text)}


PRINT_SLUG = "print"
"""The printable page of a workflow: every section on one page."""

WORKFLOW_PAGES: tuple[PageDef, ...] = (
    PageDef(
        "index",
        "Overview",
        "site/workflow/overview.md.j2",
        sections=(
            *("", "schema_version", "id", "title", "version", "stage", "consequence", "summary"),
            *("integrations", "people", "roles", "intent", "ownership", "scorecard", "signoff", "approvals"),
        ),
    ),
    PageDef(
        "decisions",
        "Decision boundaries",
        "site/workflow/decisions.md.j2",
        sections=("decisions", "decision_records"),
        hosts=("decision", "record"),
    ),
    PageDef(
        "controls",
        "Controls and monitoring",
        "site/workflow/controls.md.j2",
        sections=("runtime", "observability", "audit", "data", "change_control"),
        hosts=("control", "signal", "source"),
    ),
    PageDef(
        "runbooks/{id}",
        "{title}",
        "site/workflow/runbook.md.j2",
        sections=("runbooks",),
        hosts=("runbook",),
        each=_runbooks,
        item_name="runbook",
        group="Runbooks",
    ),
    PageDef(
        "acceptance",
        "Acceptance and readiness",
        "site/workflow/acceptance.md.j2",
        sections=("acceptance",),
        hosts=("condition", "readiness"),
    ),
    PageDef(
        "exit",
        "Exit and handover",
        "site/workflow/exit.md.j2",
        sections=("exit", "dependencies"),
        hosts=("dependency",),
    ),
    PageDef(
        "definition",
        "Production-readiness definition",
        "sow/definition.md.j2",
        produce=_definition_page,
    ),
    PageDef(
        "history",
        "Change history",
        "site/history.md.j2",
        produce=_history_page,
    ),
    PageDef(PRINT_SLUG, "Printable version", "site/workflow/print.md.j2", extra=_print_context),
)
"""The pages every workflow gets, in nav order: one per question a buyer asks.
Who owns it (overview), what it may decide alone and where a human steps in
(decision boundaries, with the traceability matrix), how its outputs are
checked (controls and monitoring), what happens when it fails (runbooks, each
printing on its own sheet), how we know it is good enough (acceptance and
readiness), how we take it over or leave (exit and handover); then the
definition, the change history and every section on one printable page.

Every page costs the theme a few milliseconds whatever it holds, so the set is
kept small; the project's ``site.one_runbooks_page`` puts all runbooks of a
workflow on one page instead (see :func:`workflow_pages_for`)."""

_ALL_RUNBOOKS_PAGE = PageDef(
    "runbooks",
    "Runbooks",
    "site/workflow/runbooks.md.j2",
    sections=("runbooks",),
    hosts=("runbook",),
)
"""All runbooks of a workflow on one page (each printing on its own sheet),
in place of the ``runbooks/{id}`` entry of :data:`WORKFLOW_PAGES` (about 13 ms
less per runbook page in the build)."""


def workflow_pages_for(settings: SiteSettings) -> tuple[PageDef, ...]:
    """The pages every workflow gets under the project's site settings:
    :data:`WORKFLOW_PAGES`, with one page for all runbooks when
    ``site.one_runbooks_page`` is set."""
    if not settings.one_runbooks_page:
        return WORKFLOW_PAGES
    return tuple(_ALL_RUNBOOKS_PAGE if page.slug == "runbooks/{id}" else page for page in WORKFLOW_PAGES)


BUNDLED_PAGE_DEFS: frozenset[PageDef] = frozenset({*WORKFLOW_PAGES, _ALL_RUNBOOKS_PAGE})
"""The workflow page definitions specgen ships (whose pages may be memoised)."""

PORTFOLIO_PAGES: tuple[PortfolioPageDef, ...] = (
    PortfolioPageDef("index.md", "Home", "site/home.md.j2"),
    PortfolioPageDef("glossary.md", "Glossary", "site/glossary.md.j2"),
    PortfolioPageDef("reference.md", "Field reference", "reference/fields.md.j2", produce=_field_reference_page),
)
"""Pages of the site as a whole."""

WORKFLOWS_DIR = "workflows"


class LazyContext(Mapping[str, Any]):
    """A page's template context, made by ``make`` when first read: a page
    whose Markdown is taken from the build cache never needs it."""

    __slots__ = ("_data", "_make")

    def __init__(self, make: Callable[[], Mapping[str, Any]]) -> None:
        self._make: Callable[[], Mapping[str, Any]] | None = make
        self._data: Mapping[str, Any] | None = None

    def _made(self) -> Mapping[str, Any]:
        if self._data is None:
            assert self._make is not None
            self._data, self._make = self._make(), None
        return self._data

    def __getitem__(self, key: str) -> Any:
        return self._made()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._made())

    def __len__(self) -> int:
        return len(self._made())


@dataclass(frozen=True)
class Page:
    """One Markdown page to render: where it goes and what renders it."""

    path: str
    """Path inside ``docs/`` (POSIX), e.g. ``workflows/credit/decisions.md``."""
    title: str
    """Plain-text title for the navigation."""
    template: str
    context: Mapping[str, Any] = field(repr=False)
    workflow: str | None = None
    """Id of the spec the page belongs to (None for portfolio pages)."""
    group: str | None = None
    """Nav sub-section inside the workflow."""
    produce: Callable[[], str] | None = field(default=None, repr=False, compare=False)
    """Writes the page's Markdown instead of the template (see :attr:`PageDef.produce`)."""
    extra: Callable[[], Mapping[str, Any]] | None = field(default=None, repr=False, compare=False)
    """More context, computed only when the page is rendered (see :attr:`PageDef.extra`)."""
    key_parts: tuple[str, ...] | None = field(default=None, repr=False, compare=False)
    """What :attr:`key` is the digest of (None: not known, the page is always rendered)."""
    folder_key: str | None = field(default=None, compare=False)
    """The key its workflow's pages are kept under together in the build
    cache (:mod:`specgen.site.render`); None: the page is kept on its own."""
    section: tuple[str, Stage] | None = field(default=None, compare=False)
    """Its workflow's title and stage, which head and place its section of
    the navigation (:func:`specgen.site.mkdocs.nav_for`), without building
    the template context of a page taken from the cache."""

    @property
    def key(self) -> str | None:
        """The digest of everything the page's Markdown depends on (None: not
        known, the page is always rendered); see :mod:`specgen.site.pagememo`.
        Worked out when asked: a build asks it only of the pages it renders
        and of those not kept with their workflow's, a few of 12,000 at 1,000 specs."""
        return None if self.key_parts is None else digest(*self.key_parts)
