"""The clauses of the definition, in document order.

Each builder takes the :class:`specgen.sow.context.Context` of one spec and
the clause's number and returns a :class:`specgen.sow.model.Clause`: what the
clause commits to, measurable acceptance criteria taken from the spec, the
evidence to be delivered, the responsible party and what the spec leaves open.
The builders are grouped by area:

* :mod:`specgen.sow.clauses_scope`: scope and stage, scorecard;
* :mod:`specgen.sow.clauses_assurance`: acceptance and evaluation, red team;
* :mod:`specgen.sow.clauses_operations`: runtime controls, audit trail, runbooks and on-call;
* :mod:`specgen.sow.clauses_handover`: change control, exit and handover.
"""

from __future__ import annotations

from collections.abc import Callable

from specgen.sow.clauses_assurance import evaluation, red_team
from specgen.sow.clauses_handover import change_control, exit_plan
from specgen.sow.clauses_operations import audit, operations, runtime
from specgen.sow.clauses_scope import scope, scorecard
from specgen.sow.context import Context
from specgen.sow.model import Clause

__all__ = ["CLAUSE_BUILDERS", "clauses"]

CLAUSE_BUILDERS: tuple[Callable[[Context, int], Clause], ...] = (
    scope,
    scorecard,
    evaluation,
    red_team,
    runtime,
    audit,
    operations,
    change_control,
    exit_plan,
)
"""The clauses, in document order; each is numbered by its position."""


def clauses(ctx: Context) -> tuple[Clause, ...]:
    """Every clause of the spec in ``ctx``, numbered from 1."""
    return tuple(build(ctx, number) for number, build in enumerate(CLAUSE_BUILDERS, start=1))
