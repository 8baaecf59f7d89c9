"""The overview page: who owns the workflow, the RACI matrix, approvals."""

from __future__ import annotations

import functools
from dataclasses import dataclass

from specgen.site.views.base import WorkflowBase
from specgen.spec.schema import SpecApproval

__all__ = ["OverviewView", "RaciMatrix"]


@dataclass(frozen=True)
class RaciMatrix:
    """Activities × roles, each cell one of R, A, C, I (or several)."""

    roles: tuple[str, ...]
    rows: tuple[tuple[str, tuple[str, ...]], ...]


class OverviewView(WorkflowBase):
    """Ownership and approvals."""

    @functools.cached_property
    def approvals(self) -> list[SpecApproval]:
        """Approvals written in the spec, then those recorded by ``specgen approve``
        in the approvals file beside it (those the signed-commit policy does not
        count left out)."""
        return [a for a in (*self.spec.approvals, *self.recorded_approvals) if self.attribution.counts(a)]

    def recorder(self, approval: SpecApproval) -> str | None:
        """Who recorded an approval, when git says it was not the approver
        (the author of the commit that wrote it)."""
        return self.attribution.recorder(approval)

    def approval_current(self, approval_fingerprint: str) -> bool:
        """Whether an approval was given to the spec as it is now."""
        return approval_fingerprint == self.fingerprint

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
