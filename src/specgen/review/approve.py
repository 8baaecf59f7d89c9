"""Recording an approval: ``specgen approve``.

Writes the approvals sidecar beside a spec (:mod:`specgen.spec.approvals`
reads and checks it), never the hand-written spec itself.
"""

from __future__ import annotations

import datetime as dt
import difflib
from dataclasses import dataclass
from pathlib import Path

import yaml

from specgen import clock
from specgen.diagnostics import Level
from specgen.errors import ExitCode, SpecgenError
from specgen.reproducible import write_atomic
from specgen.spec.approvals import ApprovalsFile, approvals_path, is_approvals_file, load_approvals
from specgen.spec.fingerprint import fingerprint, section_fingerprints
from specgen.spec.loader import LoadedSpec
from specgen.spec.portfolio import load_portfolio
from specgen.spec.roster import Roster
from specgen.spec.schema import SpecApproval

__all__ = [
    "ApprovalError",
    "ApprovalOutcome",
    "ApprovalUsageError",
    "approve",
    "new_approval",
    "render_approvals_file",
]


class ApprovalError(SpecgenError):
    """The approval cannot be recorded: the spec or its approvals file is invalid."""


class ApprovalUsageError(ApprovalError):
    """The approval asked for is wrong: unknown role or person, not a spec file."""

    exit_code = ExitCode.USAGE


@dataclass(frozen=True)
class ApprovalOutcome:
    """What :func:`approve` did."""

    path: Path
    """The approvals file."""
    approval: SpecApproval
    recorded: bool
    """False when the same approval (role, person, content) was already there."""
    created: bool
    """True when the approvals file was created."""
    note: str | None = None
    """Something worth saying, e.g. the person does not hold the role today."""


def new_approval(loaded: LoadedSpec, role: str, person: str, date: dt.date) -> SpecApproval:
    """An approval of the spec's current content."""
    spec = loaded.spec
    return SpecApproval(
        role=role, by=person, date=date, fingerprint=fingerprint(spec), sections=section_fingerprints(spec)
    )


_HEADER = """\
# Approvals of {spec_file}, recorded by `specgen approve`.
# Each approval pins the content fingerprint of the version approved: after a
# content change `specgen validate` reports it as stale. Do not edit by hand.
"""


def render_approvals_file(model: ApprovalsFile, spec_file: str) -> str:
    """The sidecar's text: a header comment and deterministic YAML."""
    data = model.model_dump(mode="python")
    body = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, default_flow_style=False, width=1000)
    return _HEADER.format(spec_file=spec_file) + body


def _resolve(kind: str, wanted: str, known: dict[str, str]) -> str:
    if wanted in known:
        return wanted
    by_name = [ident for ident, name in known.items() if name.casefold() == wanted.strip().casefold()]
    if len(by_name) == 1:
        return by_name[0]
    close = difflib.get_close_matches(wanted, list(known), n=1, cutoff=0.6)
    hint = f"; did you mean '{close[0]}'?" if close else f" (known: {', '.join(sorted(known)) or 'none'})"
    return _fail(f"unknown {kind} '{wanted}'{hint}")


def _fail(message: str) -> str:
    raise ApprovalUsageError(message)


def approve(
    spec_file: Path,
    role: str,
    by: str,
    *,
    project_file: Path | None = None,
    date: dt.date | None = None,
) -> ApprovalOutcome:
    """Record that person ``by`` (an id, or a full name) approved the current
    content of ``spec_file`` for ``role``, in the spec's approvals file.

    Refuses (:class:`ApprovalError`) when the spec or its approvals file has
    errors; :class:`ApprovalUsageError` for an unknown role or person. The spec
    itself is never written.
    """
    if not spec_file.is_file():
        raise ApprovalUsageError(f"{spec_file} is not a spec file")
    if is_approvals_file(spec_file):
        raise ApprovalUsageError(f"{spec_file} is an approvals file; name the spec beside it")
    portfolio = load_portfolio([spec_file], project_file=project_file)
    errors = [d for d in portfolio.diagnostics if d.level is Level.error]
    if errors or not portfolio.specs:
        raise ApprovalError(f"{spec_file} has errors; fix them before approving it", diagnostics=errors)
    loaded = portfolio.specs[0]
    roster = Roster(portfolio.project, loaded.spec)
    roles, people = roster.titles(), roster.names()
    role_id = _resolve("role", role, roles)
    person_id = _resolve("person", by, people)
    approval = new_approval(loaded, role_id, person_id, date or clock.today())
    sidecar = approvals_path(spec_file)
    existing = ApprovalsFile(spec=loaded.spec.id)
    if sidecar.is_file():
        model, _, _problems = load_approvals(sidecar)
        existing = model or existing
    role_model = roster.role(role_id)
    holder = role_model.holder if role_model else None
    note = None
    if holder and holder != person_id:
        note = (
            f"{role_id} is held by {holder}, not {person_id}: recorded as given "
            "(validate and check report it until the holder approves)"
        )
    same = [
        a for a in existing.approvals if (a.role, a.by, a.fingerprint) == (role_id, person_id, approval.fingerprint)
    ]
    if same:
        return ApprovalOutcome(sidecar, same[-1], recorded=False, created=False, note=note)
    updated = ApprovalsFile(spec=loaded.spec.id, approvals=[*existing.approvals, approval])
    created = not sidecar.exists()
    write_atomic(sidecar, render_approvals_file(updated, spec_file.name).encode("utf-8"))
    return ApprovalOutcome(sidecar, approval, recorded=True, created=created, note=note)
