"""What every page of a workflow looks up: names for ids, the spec's
identity, its readiness status and the findings about a section."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from specgen.spec.approvals import Attribution
from specgen.spec.fingerprint import fingerprint
from specgen.spec.roster import Roster
from specgen.spec.schema import Project, Runbook, Spec, SpecApproval, Stage
from specgen.text import Md

if TYPE_CHECKING:  # the readiness report comes from specgen.rules
    from specgen.evidence import SpecEvidence
    from specgen.review.history import History
    from specgen.rules import SpecReport

__all__ = ["Status", "WorkflowBase"]


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


class WorkflowBase:
    """One spec as the templates see it: the model plus the look-ups every
    page family shares (the families in this package add their own tables)."""

    def __init__(
        self,
        spec: Spec,
        project: Project,
        report: SpecReport | None,
        source: str,
        source_path: Path | None = None,
        *,
        recorded_approvals: Sequence[SpecApproval] = (),
        history: History | None = None,
        attribution: Attribution | None = None,
        evidence: SpecEvidence | None = None,
    ) -> None:
        self.spec = spec
        self.project = project
        self.report = report
        self.source = source
        """The spec file's name as loaded."""
        self.source_path = source_path
        """The spec file, when it was read from disk."""
        self.recorded_approvals = list(recorded_approvals)
        """Approvals recorded by ``specgen approve`` in the approvals file beside
        the spec (read before rendering: see :mod:`specgen.site.gather`)."""
        self.history = history
        """The spec's change history from git, when it was gathered."""
        self.evidence = evidence
        """Recorded evidence and computed verdicts (read before rendering, like approvals)."""
        self.attribution = attribution if attribution is not None else Attribution()
        """Who recorded each approval, from git (read before rendering)."""
        self.id = spec.id
        self.roster = Roster(project, spec)
        """The people and roles the spec can name (the project's and its own)."""
        self._controls = {c.id: c for c in spec.controls}
        self._conditions = spec.conditions
        self._runbooks = {r.id: r for r in spec.runbooks}
        self._signals = {s.id: s for s in spec.signals}
        self._decision_titles = {d.id: d.title for d in spec.decisions}

    # -- names for ids

    def person(self, ident: str | None) -> str:
        """'Name (organisation)' for a person id."""
        return self.roster.person_with_organisation(ident)

    def role(self, ident: str | None) -> str:
        """'Title (holder's name)' for a role id."""
        if ident is None:
            return ""
        role = self.roster.role(ident)
        if role is None:
            return ident
        holder = self.roster.holder(ident)
        return f"{role.title} ({holder.name})" if holder else role.title

    def who(self, ident: str | None) -> str:
        """A role (with its holder) or a person, whichever the id names."""
        if self.roster.role(ident) is None and self.roster.person(ident) is not None:
            return self.person(ident)
        return self.role(ident)

    def role_title(self, ident: str) -> str:
        """The role's title alone."""
        return self.roster.role_title(ident)

    def contact(self, ident: str) -> str:
        """Who holds a role and how to reach them."""
        holder = self.roster.holder(ident)
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

    @cached_property
    def fingerprint(self) -> str:
        """Content fingerprint of the spec, to match against signed documents."""
        return fingerprint(self.spec)

    def runbook(self, ident: str | None) -> Runbook | None:
        """The runbook with that id, if any."""
        return self._runbooks.get(ident) if ident else None

    def runbook_title(self, ident: str) -> str:
        """A runbook's title (its id when there is no such runbook)."""
        runbook = self._runbooks.get(ident)
        return runbook.title if runbook else ident

    def decision_title(self, ident: str) -> str:
        """A decision's title (its id when there is no such decision)."""
        return self._decision_titles.get(ident, ident)

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

    def findings_in(self, sections: Sequence[str], prefix: str | None = None) -> list[Any]:
        """Open findings about the given top-level sections (or under one item's path)."""
        if prefix is not None:
            starts = (prefix + ".", prefix + "[")
            return [f for path, _, f in self._finding_paths if path == prefix or path.startswith(starts)]
        return [f for _, head, f in self._finding_paths if head in sections]

    @cached_property
    def _finding_paths(self) -> list[tuple[str, str, Any]]:
        """Every finding with its path and that path's top-level section, in
        report order (split once: a workflow has a dozen pages that ask)."""
        if self.report is None:
            return []
        out = []
        for finding in self.report.findings:
            path = finding.path or ""
            out.append((path, re.split(r"[.\[]", path, maxsplit=1)[0], finding))
        return out
