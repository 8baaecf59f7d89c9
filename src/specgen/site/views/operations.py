"""The runbook pages: a runbook's parts and what leads to it."""

from __future__ import annotations

from typing import Any

from specgen.site.views.base import WorkflowBase
from specgen.spec.schema import Control, Decision, Runbook

__all__ = ["OperationsView"]


class OperationsView(WorkflowBase):
    """Runbooks: their parts and the signals, controls and decisions that lead to them."""

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
