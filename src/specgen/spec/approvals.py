"""Approvals of specs that cannot go stale silently.

An approval records who (a person, for a role) approved which content of a
spec: the spec's fingerprint and its per-section fingerprints
(:mod:`specgen.spec.fingerprint`), so cosmetic edits (comments, key order,
whitespace) keep it valid and any content edit makes it stale, naming the
sections that changed since.

Approvals live in a sidecar file beside the spec, ``<spec>.approvals.yml``,
written by :func:`approve` (``specgen approve``) so that the hand-written
spec, with its comments, is never rewritten. Approvals written inline in the
spec (``approvals:``) count too. :func:`approval_diagnostics` reports, for
every role, a latest approval whose fingerprint no longer matches the spec;
:func:`specgen.spec.loader.load_portfolio` calls it, so ``validate`` and every
other command see stale approvals.
"""

from __future__ import annotations

import datetime as dt
import difflib
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import yaml
from pydantic import Field, ValidationError

from specgen import clock
from specgen.diagnostics import Diagnostic, Level
from specgen.spec.fingerprint import changed_sections, fingerprint, section_fingerprints
from specgen.spec.loader import LoadedSpec, Portfolio, Source, read_source, validation_diagnostics
from specgen.spec.schema import Model, Project, SpecApproval
from specgen.spec.values import Id
from specgen.spec.yamlsrc import Path_

__all__ = [
    "APPROVALS_SUFFIX",
    "ApprovalError",
    "ApprovalOutcome",
    "ApprovalUsageError",
    "ApprovalsFile",
    "RecordedApproval",
    "approval_diagnostics",
    "approvals_path",
    "approve",
    "is_approvals_file",
    "load_approvals",
    "new_approval",
    "recorded_approvals",
    "render_approvals_file",
]

APPROVALS_SUFFIX = ".approvals"
"""``specs/x.yml`` has its approvals in ``specs/x.approvals.yml``."""

CODE = "approval"


class ApprovalsFile(Model):
    """The sidecar file of one spec's approvals (written by ``specgen approve``)."""

    schema_version: Annotated[int, Field(ge=1, le=1)] = 1
    """Version of the approvals file format."""
    spec: Id
    """Id of the spec these approvals are for."""
    approvals: list[SpecApproval] = Field(default_factory=list)
    """Approvals, oldest first."""


def approvals_path(spec_file: Path) -> Path:
    """The sidecar file of ``spec_file``: ``x.yml`` → ``x.approvals.yml``."""
    return spec_file.with_name(f"{spec_file.stem}{APPROVALS_SUFFIX}{spec_file.suffix}")


def is_approvals_file(path: Path) -> bool:
    """Whether ``path`` is an approvals sidecar (not a spec)."""
    return Path(path.name).stem.endswith(APPROVALS_SUFFIX)


# ---------------------------------------------------------------- reading


def load_approvals(path: Path) -> tuple[ApprovalsFile | None, Source | None, list[Diagnostic]]:
    """Read a sidecar file: (model, source, []) or (None, source or None, problems)."""
    source, problems = read_source(path)
    if source is None:
        return None, None, [_as_approval_problem(d) for d in problems]
    try:
        return ApprovalsFile.model_validate(source.data), source, []
    except ValidationError as exc:
        return None, source, [_as_approval_problem(d) for d in validation_diagnostics(ApprovalsFile, exc, source)]


def _as_approval_problem(d: Diagnostic) -> Diagnostic:
    return Diagnostic(d.file, d.line, d.column, d.path, d.message, d.level, CODE)


def sidecar_approvals(spec_file: Path, spec_id: str | None = None) -> list[SpecApproval]:
    """The approvals in the approvals file beside ``spec_file`` (none when there
    is no such file, or it is invalid, or for another spec than ``spec_id``
    when given: ``validate`` reports those)."""
    sidecar = approvals_path(spec_file)
    if not sidecar.is_file():
        return []
    model, _, _ = load_approvals(sidecar)
    if model is None or (spec_id is not None and model.spec != spec_id):
        return []
    return list(model.approvals)


@dataclass(frozen=True)
class RecordedApproval:
    """An approval and where it is written (inline in the spec or in the sidecar)."""

    approval: SpecApproval
    source: Source
    path: Path_

    def diagnostic(self, message: str, level: Level = Level.warning) -> Diagnostic:
        return self.source.diagnostic(self.path, message, code=CODE, level=level)


def recorded_approvals(loaded: LoadedSpec) -> tuple[list[RecordedApproval], list[Diagnostic]]:
    """The spec's approvals, inline ones first, then the sidecar's; and problems
    with the sidecar (unreadable, invalid, or for another spec)."""
    found = [RecordedApproval(a, loaded.source, ("approvals", i)) for i, a in enumerate(loaded.spec.approvals)]
    if loaded.source.path is None:
        return found, []
    sidecar = approvals_path(loaded.source.path)
    if not sidecar.is_file():
        return found, []
    model, source, problems = load_approvals(sidecar)
    if model is None or source is None:
        return found, problems
    if model.spec != loaded.spec.id:
        return found, [
            source.diagnostic(
                ("spec",),
                f"these approvals are for spec '{model.spec}', but {loaded.source.name} is spec '{loaded.spec.id}'",
                code=CODE,
            )
        ]
    found.extend(RecordedApproval(a, source, ("approvals", i)) for i, a in enumerate(model.approvals))
    return found, []


# ---------------------------------------------------------------- checking


def _latest_per_role(recorded: Sequence[RecordedApproval]) -> list[RecordedApproval]:
    latest: dict[str, RecordedApproval] = {}
    for item in recorded:  # later entries win on the same date: they were recorded later
        current = latest.get(item.approval.role)
        if current is None or item.approval.date >= current.approval.date:
            latest[item.approval.role] = item
    return [latest[role] for role in sorted(latest)]


def _people(loaded: LoadedSpec, project: Project) -> dict[str, str]:
    return {p.id: p.name for p in [*project.people, *loaded.spec.people]}


def _roles(loaded: LoadedSpec, project: Project) -> dict[str, str]:
    return {r.id: r.title for r in [*project.roles, *loaded.spec.roles]}


def spec_approval_diagnostics(loaded: LoadedSpec, project: Project) -> list[Diagnostic]:
    """Stale approvals and unknown approvers of one spec."""
    recorded, out = recorded_approvals(loaded)
    if not recorded:
        return out
    people, roles = _people(loaded, project), _roles(loaded, project)
    for item in _latest_per_role(recorded):
        if item.source is loaded.source:  # inline: the cross-reference check covers it
            continue
        a = item.approval
        if a.role not in roles:
            out.append(item.diagnostic(f"approval names unknown role '{a.role}'"))
        if a.by not in people:
            out.append(item.diagnostic(f"approval names unknown person '{a.by}'"))
    current = fingerprint(loaded.spec)
    spec_file = loaded.source.name
    for item in _latest_per_role(recorded):
        a = item.approval
        if a.fingerprint == current:
            continue
        who = f"{a.by} ({people[a.by]})" if a.by in people else a.by
        sections = changed_sections(a.sections, loaded.spec) if a.sections else []
        since = f"sections changed since: {', '.join(sections)}" if sections else "the spec changed since"
        out.append(
            item.diagnostic(
                f"approval by {a.role}, given by {who} on {a.date.isoformat()}, is stale: {since} "
                f"(approve again: specgen approve {spec_file} --role {a.role} --by {a.by})"
            )
        )
    return out


def approval_diagnostics(portfolio: Portfolio) -> list[Diagnostic]:
    """Warnings (code ``approval``) for approvals that no longer match their spec,
    naming the role, person, date and the sections changed since; errors for an
    unreadable or invalid approvals file."""
    out: list[Diagnostic] = []
    for loaded in portfolio.specs:
        out.extend(spec_approval_diagnostics(loaded, portfolio.project))
    return out


# ---------------------------------------------------------------- recording


class ApprovalError(Exception):
    """The approval cannot be recorded: the spec or its approvals file is invalid."""

    def __init__(self, message: str, diagnostics: Sequence[Diagnostic] = ()) -> None:
        super().__init__(message)
        self.diagnostics = list(diagnostics)


class ApprovalUsageError(ApprovalError):
    """The approval asked for is wrong: unknown role or person, not a spec file."""


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


def _write_atomically(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


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
    from specgen.spec.loader import load_portfolio

    if not spec_file.is_file():
        raise ApprovalUsageError(f"{spec_file} is not a spec file")
    if is_approvals_file(spec_file):
        raise ApprovalUsageError(f"{spec_file} is an approvals file; name the spec beside it")
    portfolio = load_portfolio([spec_file], project_file=project_file)
    errors = [d for d in portfolio.diagnostics if d.level is Level.error]
    if errors or not portfolio.specs:
        raise ApprovalError(f"{spec_file} has errors; fix them before approving it", errors)
    loaded = portfolio.specs[0]
    roles, people = _roles(loaded, portfolio.project), _people(loaded, portfolio.project)
    role_id = _resolve("role", role, roles)
    person_id = _resolve("person", by, people)
    approval = new_approval(loaded, role_id, person_id, date or clock.today())
    sidecar = approvals_path(spec_file)
    existing = ApprovalsFile(spec=loaded.spec.id)
    if sidecar.is_file():
        model, _, _problems = load_approvals(sidecar)
        existing = model or existing
    holder = next((r.holder for r in [*portfolio.project.roles, *loaded.spec.roles] if r.id == role_id), None)
    note = None
    if holder and holder != person_id:
        note = f"{role_id} is held by {holder}, not {person_id}: recorded as given"
    same = [
        a for a in existing.approvals if (a.role, a.by, a.fingerprint) == (role_id, person_id, approval.fingerprint)
    ]
    if same:
        return ApprovalOutcome(sidecar, same[-1], recorded=False, created=False, note=note)
    updated = ApprovalsFile(spec=loaded.spec.id, approvals=[*existing.approvals, approval])
    created = not sidecar.exists()
    _write_atomically(sidecar, render_approvals_file(updated, spec_file.name))
    return ApprovalOutcome(sidecar, approval, recorded=True, created=created, note=note)
