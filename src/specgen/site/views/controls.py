"""The controls and monitoring page."""

from __future__ import annotations

from specgen.site.environment import label
from specgen.site.views.base import WorkflowBase
from specgen.spec.schema import AuditField

__all__ = ["ControlsView"]


class ControlsView(WorkflowBase):
    """Controls, monitoring and the audit trail."""

    def audit_fields(self) -> tuple[list[str], list[str]]:
        """(what the audit trail records, what it does not), over every kind of record."""
        recorded = set(self.spec.audit.records) if self.spec.audit else set()
        return [label(f) for f in AuditField if f in recorded], [label(f) for f in AuditField if f not in recorded]
