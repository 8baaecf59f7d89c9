"""The decision boundaries page: who decides, each decision's flow, and the
traceability matrix (decisions → controls → acceptance conditions → runbooks)."""

from __future__ import annotations

from dataclasses import dataclass

from specgen.site.environment import number
from specgen.site.flows import Flow, decision_flow
from specgen.site.views.base import WorkflowBase
from specgen.spec.schema import AcceptanceCondition, Autonomy, Control, Decision, Runbook

__all__ = ["DecisionsView", "TraceRow"]


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


_AUTONOMY_TEXT = {
    Autonomy.ai_alone: "AI decides alone",
    Autonomy.human_approves: "AI proposes, a human approves",
    Autonomy.human_decides: "A human decides; the AI assists",
}


class DecisionsView(WorkflowBase):
    """Decision boundaries and traceability."""

    def autonomy_text(self, decision: Decision) -> str:
        """Who decides, in words."""
        return _AUTONOMY_TEXT[decision.autonomy]

    def threshold_text(self, decision: Decision) -> str:
        """The confidence below which the AI must not act alone."""
        if decision.confidence_threshold is None:
            return ""
        return f"confidence ≥ {number(decision.confidence_threshold)}"

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
        approver = self.role(decision.approver) if decision.approver else "A human (no approver named)"
        escalation_to = self.escalation_text(decision) if decision.escalation is not None else ""
        return decision_flow(
            decision,
            approver=approver,
            escalation_to=escalation_to,
            who_decides=self.autonomy_text(decision),
            threshold=self.threshold_text(decision),
        )

    def controls_of(self, decision: Decision) -> list[Control]:
        """The runtime controls guarding a decision (unknown ids left out)."""
        return [self._controls[c] for c in decision.controls if c in self._controls]

    def conditions_of(self, decision: Decision) -> list[AcceptanceCondition]:
        """Acceptance conditions covering a decision."""
        return [c for c in self._conditions if decision.id in c.decisions]

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
