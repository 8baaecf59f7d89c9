"""Specs → Markdown pages of the handover site, through Jinja templates.

The page set is data: :data:`WORKFLOW_PAGES` lists the pages every workflow
gets (one :class:`PageDef` each: where it goes, its title, its template, the
spec sections it presents), :data:`PORTFOLIO_PAGES` the pages of the site as a
whole. Adding a page is one entry (and one template). :func:`plan_pages`
expands the definitions into :class:`Page` objects (path, title, template,
context); :func:`render_pages` renders them.

Spec text is untrusted. The Jinja environment escapes *every* value a template
prints (``{{ ... }}``) with :func:`markdown_escape` unless the value is
:class:`Md` — Markdown that specgen wrote itself, such as a link built by
:class:`Links`. So a template cannot forget to escape, and nothing written in
a spec becomes HTML, a link, emphasis or an attribute list on the page.
Mermaid labels get their own escaping (:func:`mermaid_label`).

Templates only lay out what the view objects here compute (who holds a role,
the path of a decision through its thresholds and approvers, the traceability
rows, the RACI matrix, a workflow's readiness status): the logic is Python,
the templates hold layout and wording. Tables and step lists are written as
HTML inside the Markdown: Python-Markdown takes four times as long over
Markdown tables, and the build's time is mostly spent there.
"""

from __future__ import annotations

import datetime as dt
import functools
import posixpath
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2
import yaml

from specgen.spec.fingerprint import fingerprint
from specgen.spec.loader import Portfolio
from specgen.spec.schema import (
    AcceptanceCondition,
    AuditField,
    Autonomy,
    Comparator,
    Control,
    Decision,
    EvalMetric,
    Person,
    Project,
    Role,
    Runbook,
    Spec,
    SpecApproval,
    Stage,
)
from specgen.templating import make_environment
from specgen.text import Md, mermaid_label, site_markdown

if TYPE_CHECKING:  # the readiness report comes from specgen.rules
    from specgen.rules import PortfolioReport, SpecReport

__all__ = [
    "ONE_PAGE_FOR_RUNBOOKS",
    "PORTFOLIO_PAGES",
    "WORKFLOW_PAGES",
    "Flow",
    "Links",
    "Md",
    "Page",
    "PageDef",
    "RenderError",
    "SiteView",
    "WorkflowView",
    "label",
    "make_site_environment",
    "plan_pages",
    "render_page",
    "render_pages",
    "render_planned_pages",
]


class RenderError(Exception):
    """A template could not be rendered (a syntax error, an unknown variable)."""


# ---------------------------------------------------------------- escaping


_COMPARATOR_TEXT = {Comparator.ge: "≥", Comparator.gt: ">", Comparator.le: "≤", Comparator.lt: "<", Comparator.eq: "="}


def label(value: object) -> str:
    """How a value reads on the page: enum values without underscores,
    comparators as symbols."""
    if isinstance(value, Comparator):
        return _COMPARATOR_TEXT[value]
    if isinstance(value, Enum):
        raw = value.value if isinstance(value.value, str) else value.name
        return raw.replace("_", " ")
    return str(value)


def _number(value: float) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return f"{value:.6g}" if isinstance(value, float) else str(value)


def _finalize(value: Any) -> Md:
    """What ``{{ value }}`` prints: trusted Markdown as is, everything else escaped."""
    kind = type(value)
    if kind is str or kind is Md:
        return site_markdown(value)
    if value is None:
        return Md("")
    if isinstance(value, bool):
        return Md("yes" if value else "no")
    if isinstance(value, (int, float)):
        return Md(_number(value))
    if isinstance(value, (dt.date, dt.datetime)):
        return Md(value.isoformat())
    if isinstance(value, Enum):
        return site_markdown(label(value))
    return site_markdown(value)


_ANCHOR = re.compile(r"^[a-z0-9][a-z0-9_.-]*$")


def _anchor(kind: str, ident: str) -> Md:
    if not _ANCHOR.match(ident):  # ids are validated by the schema; this is a guard
        raise RenderError(f"not an id: {ident!r}")
    return Md(f"{kind}-{ident}")


def _md_join(values: Iterable[Any], separator: str = ", ") -> Md:
    return Md(separator.join(_finalize(v) for v in values))


def _cell(value: Any, empty: str = "—") -> Md:
    """A table cell: the value escaped, or a dash when there is nothing."""
    if value is None or value == "" or value == []:
        return Md(empty)
    if isinstance(value, (list, tuple)):
        return _md_join(value)
    return Md(_finalize(value))


_ADMONITIONS = {"error": "failure", "warning": "warning", "info": "info"}


def _admonition(level: object) -> Md:
    """The admonition type for a finding's severity (failure, warning, info)."""
    return Md(_ADMONITIONS.get(str(getattr(level, "value", level)), "note"))


def _number_filter(value: float | int | None) -> Md:
    return Md("—" if value is None else _number(value))


# ---------------------------------------------------------------- pages as data


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
    extra: Callable[[WorkflowView], Mapping[str, Any]] | None = None
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


def _definition_page(view: WorkflowView, user_templates: Path | None) -> str:
    """The production-readiness definition (the statement-of-work text) as a page."""
    from specgen import sow

    defn = sow.definition(view.spec, view.project, report=view.report)
    return sow.render_markdown(defn, template_dirs=_template_dirs(user_templates))


@functools.lru_cache(maxsize=256)
def _repo_root(folder: Path) -> Path | None:
    """The git work tree holding ``folder`` (one ``git`` call per folder and build:
    :func:`plan_pages` clears the cache)."""
    from specgen.git import repo_root

    return repo_root(folder)


def _history_page(view: WorkflowView, user_templates: Path | None) -> str:
    """The change history from git (empty outside a repository)."""
    from specgen.review.history import History, render_history_page, spec_history

    root = _repo_root(view.source_path.resolve().parent) if view.source_path is not None else None
    if view.source_path is None or root is None:
        history = History(view.id, view.id, None)
    else:
        history = spec_history(view.source_path, root, project=view.project)
    return render_history_page(history, user_dirs=_template_dirs(user_templates))


def _field_reference_page(user_templates: Path | None) -> str:
    from specgen.spec.fieldref import render_field_reference

    return render_field_reference("spec", user_dirs=_template_dirs(user_templates))


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
)
"""The pages every workflow gets, in nav order: one per question a buyer asks.
Who owns it (overview), what it may decide alone and where a human steps in
(decision boundaries, with the traceability matrix), how its outputs are
checked (controls and monitoring), what happens when it fails (runbooks, each
printing on its own sheet), how we know it is good enough (acceptance and
readiness), how we take it over or leave (exit and handover).

Every page costs the theme a few milliseconds whatever it holds, so the set is
kept small; :data:`ONE_PAGE_PER_RUNBOOK` is the alternative for runbooks."""

ONE_PAGE_FOR_RUNBOOKS = PageDef(
    "runbooks",
    "Runbooks",
    "site/workflow/runbooks.md.j2",
    sections=("runbooks",),
    hosts=("runbook",),
)
"""All runbooks of a workflow on one page (each printing on its own sheet)
instead of a page per runbook: replace the ``runbooks/{id}`` entry of
:data:`WORKFLOW_PAGES` with this one for large portfolios (about 13 ms less
per runbook page in the build)."""

PORTFOLIO_PAGES: tuple[PortfolioPageDef, ...] = (
    PortfolioPageDef("index.md", "Home", "site/home.md.j2"),
    PortfolioPageDef("glossary.md", "Glossary", "site/glossary.md.j2"),
    PortfolioPageDef("reference.md", "Field reference", "reference/fields.md.j2", produce=_field_reference_page),
)
"""Pages of the site as a whole."""

WORKFLOWS_DIR = "workflows"


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


# ---------------------------------------------------------------- links


class Links:
    """Links from one page to the others, as HTML ``<a>`` elements.

    HTML rather than Markdown links because tables are written as HTML (Markdown
    tables cost the build four times as much) and links must work in both.
    Pages are addressed by their ``.md`` path; the link goes to the ``.html``
    file mkdocs writes for it (the site never uses directory URLs, so it also
    works from ``file://``). Entities (a decision, a control...) are found
    through :class:`LinkIndex`.
    """

    def __init__(self, here: str, index: LinkIndex) -> None:
        self.here = here
        self._folder = posixpath.dirname(here) or "."
        self._index = index

    def href(self, target: str, anchor: str | None = None) -> str:
        """The relative URL of the page at ``target`` (docs-relative ``.md`` path)."""
        url = self._index.relative(self._folder, target)
        return f"{url}#{anchor}" if anchor else url

    def to(self, target: str, text: Any, anchor: str | None = None) -> Md:
        """A link to the page at ``target`` (docs-relative ``.md`` path), showing ``text``."""
        return Md(f'<a href="{self.href(target, anchor)}">{_finalize(text)}</a>')

    def page(self, workflow: str, slug: str, text: Any | None = None) -> Md:
        """A link to one of a workflow's pages by slug ("decisions")."""
        path = self._index.page_path(workflow, slug)
        return self.to(path, text if text is not None else self._index.titles[path])

    def entity(self, workflow: str, kind: str, ident: str, text: Any | None = None) -> Md:
        """A link to the anchor of an entity (a decision, a control...)."""
        target = self._index.entity_target(workflow, kind, ident)
        if target is None:  # an unknown id: show it as text rather than a dead link
            return Md(_finalize(text if text is not None else ident))
        path, anchor = target
        return self.to(path, text if text is not None else ident, anchor)


@dataclass
class LinkIndex:
    """Where every page and entity anchor of the site is."""

    titles: dict[str, str] = field(default_factory=dict)
    pages: dict[tuple[str, str], str] = field(default_factory=dict)
    hosts: dict[tuple[str, str], str] = field(default_factory=dict)
    items: dict[tuple[str, str, str], str] = field(default_factory=dict)

    _relative: dict[tuple[str, str], str] = field(default_factory=dict)

    def relative(self, folder: str, target: str) -> str:
        """URL of the HTML file of ``target`` (a ``.md`` path) from ``folder``."""
        key = (folder, target)
        url = self._relative.get(key)
        if url is None:
            url = posixpath.relpath(target[: -len(".md")] + ".html", folder)
            self._relative[key] = url
        return url

    def page_path(self, workflow: str, slug: str) -> str:
        return self.pages[(workflow, slug)]

    def entity_target(self, workflow: str, kind: str, ident: str) -> tuple[str, str | None] | None:
        item = self.items.get((workflow, kind, ident))
        if item is not None:
            return item, None
        host = self.hosts.get((workflow, kind))
        if host is None:
            return None
        return host, str(_anchor(kind, ident))


# ---------------------------------------------------------------- views


_SHAPES = {"box": ("[", "]"), "round": ("([", "])"), "diamond": ("{", "}"), "subroutine": ("[[", "]]")}


@dataclass(frozen=True)
class FlowNode:
    """A box in a decision's flowchart."""

    id: str
    text: str
    shape: str = "box"
    """box, round (start/end), diamond (a test) or subroutine (a fallback)."""
    style: str = "step"
    """step, ai, human, escalation or fallback: what kind of step it is."""

    @property
    def mermaid(self) -> Md:
        """The node in Mermaid syntax, its text escaped: ``id["text"]``."""
        opening, closing = _SHAPES[self.shape]
        return Md(f'{self.id}{opening}"{mermaid_label(self.text)}"{closing}')


@dataclass(frozen=True)
class FlowEdge:
    """An arrow between two boxes, with an optional label; dotted for exceptions."""

    source: str
    target: str
    text: str = ""
    dotted: bool = False

    @property
    def mermaid(self) -> Md:
        """The arrow in Mermaid syntax, its label escaped: ``a -->|label| b``."""
        arrow = "-.->" if self.dotted else "-->"
        text = f"|{mermaid_label(self.text, 40)}|" if self.text else ""
        return Md(f"{self.source} {arrow}{text} {self.target}")


@dataclass(frozen=True)
class Flow:
    """The path of one decision: AI alone → threshold → human approver →
    escalation → fallback, as boxes and arrows for a Mermaid flowchart."""

    nodes: tuple[FlowNode, ...]
    edges: tuple[FlowEdge, ...]


@dataclass(frozen=True)
class TraceRow:
    """One decision followed through what guards it and proves it."""

    decision: Decision
    controls: tuple[Control, ...]
    conditions: tuple[AcceptanceCondition, ...]
    runbooks: tuple[Runbook, ...]

    @property
    def gaps(self) -> tuple[str, ...]:
        """What is missing for this decision, in words."""
        out = []
        if not self.controls:
            out.append("no runtime control")
        if not self.conditions:
            out.append("no acceptance condition")
        if not self.runbooks:
            out.append("no runbook")
        return tuple(out)


@dataclass(frozen=True)
class RaciMatrix:
    """Activities × roles, each cell one of R, A, C, I (or several)."""

    roles: tuple[str, ...]
    rows: tuple[tuple[str, tuple[str, ...]], ...]


@dataclass(frozen=True)
class MetricRow:
    """An evaluation metric with its verdict."""

    metric: EvalMetric
    passed: bool | None

    @property
    def verdict(self) -> str:
        """Whether the latest value meets the pass mark, in words."""
        return {None: "no value yet", True: "✔ yes", False: "✘ no"}[self.passed]


@dataclass(frozen=True)
class Status:
    """A workflow's readiness in one line, for the home page and overview."""

    text: str
    kind: str
    """ready, gaps, blocked or unknown."""
    icon: str

    @property
    def admonition(self) -> Md:
        """The admonition type that shows this status."""
        return Md({"ready": "success", "gaps": "warning", "blocked": "failure"}.get(self.kind, "note"))


_COMPARE: dict[Comparator, Callable[[float, float], bool]] = {
    Comparator.ge: lambda a, b: a >= b,
    Comparator.gt: lambda a, b: a > b,
    Comparator.le: lambda a, b: a <= b,
    Comparator.lt: lambda a, b: a < b,
    Comparator.eq: lambda a, b: a == b,
}

_AUTONOMY_TEXT = {
    Autonomy.ai_alone: "AI decides alone",
    Autonomy.human_approves: "AI proposes, a human approves",
    Autonomy.human_decides: "A human decides; the AI assists",
}


class WorkflowView:
    """One spec as the templates see it: the model plus look-ups and derived tables."""

    def __init__(
        self,
        spec: Spec,
        project: Project,
        report: SpecReport | None,
        source: str,
        source_path: Path | None = None,
    ) -> None:
        self.spec = spec
        self.project = project
        self.report = report
        self.source = source
        """The spec file's name as loaded."""
        self.source_path = source_path
        """The spec file, when it was read from disk."""
        self.id = spec.id
        self._roles: dict[str, Role] = {r.id: r for r in (*project.roles, *spec.roles)}
        self._people: dict[str, Person] = {p.id: p for p in (*project.people, *spec.people)}
        self._controls = {c.id: c for c in spec.controls}
        self._conditions = spec.conditions
        self._runbooks = {r.id: r for r in spec.runbooks}
        self._signals = {s.id: s for s in spec.signals}
        self._decision_titles = {d.id: d.title for d in spec.decisions}

    # -- names for ids

    def person(self, ident: str | None) -> str:
        """'Name (organisation)' for a person id."""
        if ident is None:
            return ""
        person = self._people.get(ident)
        if person is None:
            return ident
        return f"{person.name} ({person.organisation})" if person.organisation else person.name

    def role(self, ident: str | None) -> str:
        """'Title (holder's name)' for a role id."""
        if ident is None:
            return ""
        role = self._roles.get(ident)
        if role is None:
            return ident
        holder = self._people.get(role.holder) if role.holder else None
        return f"{role.title} ({holder.name})" if holder else role.title

    def who(self, ident: str | None) -> str:
        """A role (with its holder) or a person, whichever the id names."""
        if ident is not None and ident not in self._roles and ident in self._people:
            return self.person(ident)
        return self.role(ident)

    def role_title(self, ident: str) -> str:
        """The role's title alone."""
        role = self._roles.get(ident)
        return role.title if role else ident

    def contact(self, ident: str) -> str:
        """Who holds a role and how to reach them."""
        role = self._roles.get(ident)
        holder = self._people.get(role.holder) if role and role.holder else None
        if holder is None:
            return "no holder named"
        return f"{holder.name}, {holder.email}" if holder.email else holder.name

    def roles(self, idents: Iterable[str]) -> list[str]:
        """:meth:`role` for each id."""
        return [self.role(i) for i in idents]

    def people(self, idents: Iterable[str]) -> list[str]:
        """:meth:`person` for each id."""
        return [self.person(i) for i in idents]

    # -- identity

    @property
    def title(self) -> str:
        return self.spec.title

    @property
    def stage(self) -> Stage:
        return self.spec.stage

    @property
    def fingerprint(self) -> str:
        """Content fingerprint of the spec, to match against signed documents."""
        return fingerprint(self.spec)

    @functools.cached_property
    def approvals(self) -> list[SpecApproval]:
        """Approvals written in the spec, then those recorded by ``specgen approve``
        in the approvals file beside it."""
        from specgen.spec.approvals import sidecar_approvals

        recorded = sidecar_approvals(self.source_path, self.spec.id) if self.source_path is not None else []
        return [*self.spec.approvals, *recorded]

    def approval_current(self, approval_fingerprint: str) -> bool:
        """Whether an approval was given to the spec as it is now."""
        return approval_fingerprint == self.fingerprint

    # -- decisions

    def autonomy_text(self, decision: Decision) -> str:
        """Who decides, in words."""
        return _AUTONOMY_TEXT[decision.autonomy]

    def threshold_text(self, decision: Decision) -> str:
        """The confidence below which the AI must not act alone."""
        if decision.confidence_threshold is None:
            return ""
        return f"confidence ≥ {_number(decision.confidence_threshold)}"

    def escalation_text(self, decision: Decision) -> str:
        """'Role (holder) within 4h'."""
        esc = decision.escalation
        if esc is None:
            return ""
        return self.role(esc.to) + (f" within {esc.within}" if esc.within else "")

    def override_text(self, decision: Decision) -> str:
        """The override policy in one line."""
        rule = decision.override
        if rule is None:
            return ""
        if not rule.allowed:
            return "not allowed"
        parts = ["by " + ", ".join(self.roles(rule.by))] if rule.by else ["allowed"]
        parts.append("logged" if rule.logged else "not logged")
        if rule.reason_required:
            parts.append("reason required")
        return "; ".join(parts)

    def flow(self, decision: Decision) -> Flow:
        """The decision's path as a flowchart: AI → threshold → human → escalation → fallback."""
        autonomy = decision.autonomy
        verb = {
            Autonomy.ai_alone: "AI decides",
            Autonomy.human_approves: "AI proposes",
            Autonomy.human_decides: "AI assists",
        }[autonomy]
        nodes = [FlowNode("start", "Case arrives", "round"), FlowNode("ai", f"{verb}: {decision.title}", style="ai")]
        edges = [FlowEdge("start", "ai")]
        escalation = decision.escalation
        if escalation is not None:
            text = "Escalate to " + self.escalation_text(decision)
            nodes.append(FlowNode("escalation", text, style="escalation"))
        last, passed = "ai", ""
        if decision.confidence_threshold is not None:
            nodes.append(FlowNode("threshold", f"Confidence ≥ {_number(decision.confidence_threshold)}?", "diamond"))
            edges.append(FlowEdge("ai", "threshold"))
            last, passed = "threshold", "yes"
        if autonomy is Autonomy.ai_alone:
            nodes.append(FlowNode("act", "AI acts alone; reviewed after the fact", "round", "ai"))
            edges.append(FlowEdge(last, "act", passed))
            if last == "threshold":
                edges.append(FlowEdge(last, "escalation" if escalation else "fallback", "no"))
        else:
            who = self.role(decision.approver) if decision.approver else "A human (no approver named)"
            action = "approves or rejects" if autonomy is Autonomy.human_approves else "decides"
            nodes.append(FlowNode("human", f"{who} {action}", style="human"))
            nodes.append(FlowNode("done", "Decision takes effect", "round"))
            edges.append(FlowEdge(last, "human", passed))
            if last == "threshold":
                edges.append(FlowEdge(last, "escalation" if escalation else "human", "no"))
            edges.append(FlowEdge("human", "done"))
            if escalation is not None:
                edges.append(FlowEdge("human", "escalation", "cannot settle", dotted=True))
        fallback = decision.fallback or "none written"
        nodes.append(FlowNode("fallback", f"Fallback: {fallback}", "subroutine", "fallback"))
        edges.append(FlowEdge("ai", "fallback", "AI unavailable", dotted=True))
        return Flow(tuple(nodes), tuple(edges))

    def controls_of(self, decision: Decision) -> list[Control]:
        """The runtime controls guarding a decision (unknown ids left out)."""
        return [self._controls[c] for c in decision.controls if c in self._controls]

    def conditions_of(self, decision: Decision) -> list[AcceptanceCondition]:
        """Acceptance conditions covering a decision."""
        return [c for c in self._conditions if decision.id in c.decisions]

    def runbook(self, ident: str | None) -> Runbook | None:
        """The runbook with that id, if any."""
        return self._runbooks.get(ident) if ident else None

    def trace(self) -> list[TraceRow]:
        """Decisions → controls → acceptance conditions → runbooks."""
        rows = []
        for decision in self.spec.decisions:
            controls = self.controls_of(decision)
            runbook_ids = list(dict.fromkeys(c.runbook for c in controls if c.runbook))
            runbooks = tuple(self._runbooks[r] for r in runbook_ids if r in self._runbooks)
            rows.append(TraceRow(decision, tuple(controls), tuple(self.conditions_of(decision)), runbooks))
        return rows

    def untraced_controls(self) -> list[Control]:
        """Controls no decision names."""
        named = {c for d in self.spec.decisions for c in d.controls}
        return [c for c in self.spec.controls if c.id not in named]

    # -- ownership

    def raci(self) -> RaciMatrix:
        """The RACI matrix: one column per role that appears, in order of appearance."""
        entries = self.spec.ownership.raci
        order: dict[str, None] = {}
        for entry in entries:
            for ident in (entry.accountable, *entry.responsible, *entry.consulted, *entry.informed):
                order.setdefault(ident, None)
        roles = tuple(order)
        rows = []
        for entry in entries:
            cells = []
            for ident in roles:
                letters = "".join(
                    letter
                    for letter, members in (
                        ("R", entry.responsible),
                        ("A", [entry.accountable]),
                        ("C", entry.consulted),
                        ("I", entry.informed),
                    )
                    if ident in members
                )
                cells.append(letters)
            rows.append((entry.activity, tuple(cells)))
        return RaciMatrix(tuple(self.role_title(r) for r in roles), tuple(rows))

    def owners(self) -> list[tuple[str, str]]:
        """(what they own, who) for every named owner."""
        own = self.spec.ownership
        pairs = [
            ("Accountable for the workflow", own.accountable),
            ("Business outcome", own.business_owner),
            ("Technical performance", own.technical_owner),
            ("Process adoption", own.adoption_owner),
            ("Sponsor", own.sponsor),
        ]
        return [(what, self.role(ident)) for what, ident in pairs if ident]

    # -- checks

    def metric_rows(self) -> list[MetricRow]:
        """Evaluation metrics with whether the latest value meets the threshold."""
        harness = self.spec.acceptance.evaluation if self.spec.acceptance else None
        if harness is None:
            return []
        return [
            MetricRow(m, None if m.value is None else _COMPARE[m.comparator](m.value, m.threshold))
            for m in harness.metrics
        ]

    def audit_fields(self) -> tuple[list[str], list[str]]:
        """(what the audit trail records, what it does not), over every kind of record."""
        recorded = set(self.spec.audit.records) if self.spec.audit else set()
        return [label(f) for f in AuditField if f in recorded], [label(f) for f in AuditField if f not in recorded]

    def runbook_title(self, ident: str) -> str:
        """A runbook's title (its id when there is no such runbook)."""
        runbook = self._runbooks.get(ident)
        return runbook.title if runbook else ident

    def decision_title(self, ident: str) -> str:
        """A decision's title (its id when there is no such decision)."""
        return self._decision_titles.get(ident, ident)

    def runbook_parts(self, runbook: Runbook) -> list[tuple[str, list[str]]]:
        """The runbook's numbered parts, in the order they are followed."""
        return [
            ("1. Diagnose", runbook.diagnosis),
            ("2. Mitigate", runbook.mitigation),
            ("3. Roll back", runbook.rollback),
            ("4. Verify recovery", runbook.verify),
        ]

    def signals_for(self, runbook: Runbook) -> list[Any]:
        """Signals whose alerts lead to a runbook (named either way)."""
        named = [self._signals[s] for s in runbook.signals if s in self._signals]
        pointing = [s for s in self.spec.signals if s.runbook == runbook.id and s not in named]
        return named + pointing

    def controls_for(self, runbook: Runbook) -> list[Control]:
        """Controls that send their operator to a runbook."""
        return [c for c in self.spec.controls if c.runbook == runbook.id]

    def decisions_for(self, runbook: Runbook) -> list[Decision]:
        """Decisions guarded by controls that lead to a runbook."""
        controls = {c.id for c in self.controls_for(runbook)}
        return [d for d in self.spec.decisions if controls & set(d.controls)]

    # -- readiness

    @property
    def status(self) -> Status:
        """The readiness status in one line."""
        report = self.report
        if report is None:
            return Status("Not checked", "unknown", "?")
        errors, warnings = len(report.errors), len(report.warnings)
        counts = f"{errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)}"
        reached = report.reached_stage
        if reached is not None and reached.rank >= self.stage.rank and not errors:
            return Status(f"Ready for {self.stage.label} ({counts})", "ready", "✔")
        if reached is None:
            return Status(f"Not ready for any stage ({counts})", "blocked", "✘")
        return Status(f"Ready for {reached.label} only, declared {self.stage.label} ({counts})", "gaps", "⚠")

    def not_applicable(self) -> list[tuple[str, list[str]]]:
        """Rules that do not apply, grouped by the reason they do not."""
        groups: dict[str, list[str]] = {}
        for rule_id, reason in self.report.not_applicable if self.report else []:
            groups.setdefault(reason, []).append(rule_id)
        return list(groups.items())

    def findings_in(self, sections: Sequence[str], prefix: str | None = None) -> list[Any]:
        """Open findings about the given top-level sections (or under one item's path)."""
        if self.report is None:
            return []
        out = []
        for finding in self.report.findings:
            path = finding.path or ""
            if prefix is not None:
                if path == prefix or path.startswith((prefix + ".", prefix + "[")):
                    out.append(finding)
                continue
            head = re.split(r"[.\[]", path, maxsplit=1)[0]
            if head in sections:
                out.append(finding)
        return out


class SiteView:
    """The portfolio as the templates see it."""

    def __init__(self, project: Project, workflows: Sequence[WorkflowView], glossary: Sequence[Mapping[str, str]]):
        self.project = project
        self.workflows = list(workflows)
        self.glossary = list(glossary)
        self.name = site_name(project)
        self.organisation = project.organisation
        self.vendor = project.vendor

    def by_stage(self) -> list[tuple[Stage, list[WorkflowView]]]:
        """Workflows grouped by stage, most mature first (empty stages left out)."""
        groups = []
        for stage in sorted(Stage, key=lambda s: -s.rank):
            members = [w for w in self.workflows if w.stage is stage]
            if members:
                groups.append((stage, members))
        return groups


def site_name(project: Project) -> str:
    """The site's title: the project's ``site.name``, else one made from the organisation."""
    if project.site.name:
        return project.site.name
    if project.organisation:
        return f"{project.organisation} — AI workflows"
    return "AI workflows — handover"


def _sort_key(view: WorkflowView) -> tuple[int, str, str]:
    return (-view.stage.rank, view.title.casefold(), view.id)


# ---------------------------------------------------------------- environment


def make_site_environment(user_templates: Path | None = None) -> jinja2.Environment:
    """The Jinja environment for site pages: the user's templates first, the
    bundled ones second, every printed value escaped unless it is :class:`Md`."""
    env = make_environment(
        [user_templates] if user_templates is not None else [],
        escape=_finalize,
        filters={
            "md": site_markdown,
            "mermaid": mermaid_label,
            "label": label,
            "cell": _cell,
            "mdjoin": _md_join,
            "num": _number_filter,
        },
    )
    env.globals.update(anchor=_anchor, admonition=_admonition, br=Md("<br>"), Md=Md)
    return env


def load_glossary(env: jinja2.Environment) -> list[dict[str, str]]:
    """The glossary terms (``site/glossary.yml``, overridable like a template)."""
    assert env.loader is not None
    try:
        text, _, _ = env.loader.get_source(env, "site/glossary.yml")
    except jinja2.TemplateNotFound as exc:
        raise RenderError("site/glossary.yml not found in the templates") from exc
    data = yaml.safe_load(text) or []
    if not isinstance(data, list) or not all(isinstance(t, dict) and {"term", "meaning"} <= set(t) for t in data):
        raise RenderError("site/glossary.yml must be a list of {term, meaning} entries")
    terms = [{"term": str(t["term"]), "meaning": str(t["meaning"])} for t in data]
    return sorted(terms, key=lambda t: t["term"].casefold())


# ---------------------------------------------------------------- planning and rendering


def _reports_by_id(report: PortfolioReport | None) -> dict[str, SpecReport]:
    if report is None:
        return {}
    return {r.spec_id: r for r in report.specs}


def plan_pages(
    portfolio: Portfolio,
    *,
    report: PortfolioReport | None = None,
    glossary: Sequence[Mapping[str, str]] = (),
    workflow_pages: Sequence[PageDef] = WORKFLOW_PAGES,
    portfolio_pages: Sequence[PortfolioPageDef] = PORTFOLIO_PAGES,
    user_templates: Path | None = None,
) -> list[Page]:
    """Every page of the site, in nav order, with the context its template gets.

    ``report`` is the readiness report of :func:`specgen.rules.check_portfolio`
    (None: the pages say the workflow was not checked).
    """
    reports = _reports_by_id(report)
    _repo_root.cache_clear()
    views = sorted(
        (
            WorkflowView(ls.spec, portfolio.project, reports.get(ls.spec.id), ls.source.name, ls.source.path)
            for ls in portfolio.specs
        ),
        key=_sort_key,
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
    pages = []
    for path, title, pdef, view, item, position in planned:
        links = Links(path, index)
        context: dict[str, Any] = {"site": site, "links": links, "page_title": title, "here": path}
        if isinstance(pdef, PortfolioPageDef) or view is None:
            made = functools.partial(pdef.produce, user_templates) if pdef.produce else None
            pages.append(Page(path, title, pdef.template, context, produce=made))
            continue
        context["workflow"] = view
        context["spec"] = view.spec
        if item is not None:
            context[pdef.item_name] = item
            field_name = pdef.sections[0] if pdef.sections else pdef.item_name
            context["findings"] = view.findings_in((), prefix=f"{field_name}[{position}]")
        else:
            context["findings"] = view.findings_in(pdef.sections)
        if pdef.extra is not None:
            context.update(pdef.extra(view))
        produce = functools.partial(pdef.produce, view, user_templates) if pdef.produce else None
        pages.append(Page(path, title, pdef.template, context, workflow=view.id, group=pdef.group, produce=produce))
    return pages


def render_page(env: jinja2.Environment, page: Page) -> str:
    """One page's Markdown. Template problems raise :class:`RenderError`
    naming the template and line."""
    try:
        text = page.produce() if page.produce else env.get_template(page.template).render(page.context)
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
    workflow_pages: Sequence[PageDef] = WORKFLOW_PAGES,
    portfolio_pages: Sequence[PortfolioPageDef] = PORTFOLIO_PAGES,
) -> dict[str, str]:
    """Every page of the site as ``{docs-relative path: Markdown}``, in nav order."""
    rendered = render_planned_pages(
        portfolio,
        report=report,
        user_templates=user_templates,
        workflow_pages=workflow_pages,
        portfolio_pages=portfolio_pages,
    )
    return {page.path: text for page, text in rendered}


def render_planned_pages(
    portfolio: Portfolio,
    *,
    report: PortfolioReport | None = None,
    user_templates: Path | None = None,
    workflow_pages: Sequence[PageDef] = WORKFLOW_PAGES,
    portfolio_pages: Sequence[PortfolioPageDef] = PORTFOLIO_PAGES,
) -> list[tuple[Page, str]]:
    """Every page of the site with its Markdown, in nav order (what the site
    build writes; :func:`render_pages` is the same as a mapping)."""
    env = make_site_environment(user_templates)
    pages = plan_pages(
        portfolio,
        report=report,
        glossary=load_glossary(env),
        workflow_pages=workflow_pages,
        portfolio_pages=portfolio_pages,
        user_templates=user_templates,
    )
    return [(page, render_page(env, page)) for page in pages]
