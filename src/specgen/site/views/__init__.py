"""The portfolio and its workflows as the templates see them.

Templates only lay out what the view objects here compute (who holds a role,
the path of a decision through its thresholds and approvers, the traceability
rows, the RACI matrix, a workflow's readiness status): the logic is Python,
the templates hold layout and wording. :class:`WorkflowView` is one object per
workflow, made of one small view per page family over the shared look-ups of
:class:`WorkflowBase`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from specgen.site.views.acceptance import AcceptanceView, MetricRow
from specgen.site.views.base import Status, WorkflowBase
from specgen.site.views.controls import ControlsView
from specgen.site.views.decisions import DecisionsView, TraceRow
from specgen.site.views.operations import OperationsView
from specgen.site.views.overview import OverviewView, RaciMatrix
from specgen.spec.schema import Project, Stage

__all__ = [
    "AcceptanceView",
    "ControlsView",
    "DecisionsView",
    "MetricRow",
    "OperationsView",
    "OverviewView",
    "RaciMatrix",
    "SiteView",
    "Status",
    "TraceRow",
    "WorkflowBase",
    "WorkflowView",
    "site_name",
    "sort_key",
]


class WorkflowView(OverviewView, DecisionsView, ControlsView, AcceptanceView, OperationsView):
    """One spec as the templates see it: the model plus look-ups and derived
    tables, for every page of the workflow (the exit page needs only the
    shared look-ups)."""


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


def sort_key(view: WorkflowView) -> tuple[int, str, str]:
    return (-view.stage.rank, view.title.casefold(), view.id)
