"""Approvals of specs that cannot go stale silently.

An approval records who (a person, for a role) approved which content of a
spec: the spec's fingerprint and its per-section fingerprints
(:mod:`specgen.spec.fingerprint`), so cosmetic edits (comments, key order,
whitespace) keep it valid and any content edit makes it stale, naming the
sections that changed since.

Approvals live in a sidecar file beside the spec, ``<spec>.approvals.yml``,
written by :func:`specgen.review.approve.approve` (``specgen approve``) so that the hand-written
spec, with its comments, is never rewritten. Approvals written inline in the
spec (``approvals:``) count too. :func:`approval_diagnostics` reports, for
every role, a latest approval whose fingerprint no longer matches the spec;
:func:`specgen.spec.portfolio.load_portfolio` calls it, so ``validate`` and every
other command see stale approvals.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated

from pydantic import Field, ValidationError

from specgen import clock
from specgen.diagnostics import Diagnostic, Level
from specgen.spec.fingerprint import changed_sections, fingerprint
from specgen.spec.loader import LoadedSpec, Portfolio, Source, read_source, validation_diagnostics
from specgen.spec.provenance import ApprovalCommit, approval_commits
from specgen.spec.roster import Roster
from specgen.spec.schema import Model, Project, SpecApproval
from specgen.spec.values import Id
from specgen.spec.yamlsrc import Path_

__all__ = [
    "APPROVALS_SUFFIX",
    "ApprovalsFile",
    "Attribution",
    "RecordedApproval",
    "approval_diagnostics",
    "approval_key",
    "approvals_path",
    "attribute",
    "is_approvals_file",
    "load_approvals",
    "recorded_approvals",
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
    source, problems = read_source(path, within=(path.parent,))  # never a link out of the project
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


def _claim_problems(item: RecordedApproval, roster: Roster, day: dt.date, sections: frozenset[str]) -> list[str]:
    """What an approval claims that the project does not bear out: a person who
    does not hold the role, a date in the future, a section the spec has not."""
    a = item.approval
    problems = []
    role = roster.role(a.role)
    if role is not None and a.by in roster.people and role.holder != a.by:
        held = f"held by '{role.holder}'" if role.holder else "which names no holder"
        problems.append(f"approval by '{a.by}' for role '{a.role}', {held}: '{a.by}' does not hold the role")
    if a.date > day:
        problems.append(f"approval dated {a.date.isoformat()}, in the future (today is {day.isoformat()})")
    unknown = sorted(set(a.sections) - sections)
    if unknown:
        problems.append(f"approval names unknown section(s): {', '.join(unknown)}")
    return problems


_POLICY = "policy.approvals.signed_commits"


def _signed_only(recorded: list[RecordedApproval], roster: Roster, out: list[Diagnostic]) -> list[RecordedApproval]:
    """The approvals whose every line is in a commit with a good signature; a
    diagnostic for each of the others (an error for a commit that is not
    signed, a warning for one not committed yet, which a pre-commit hook sees)."""
    kept = []
    for item, commit in zip(recorded, approval_commits(recorded, verify=True), strict=True):
        a = item.approval
        what = f"approval by {a.role}, given by {a.by} on {a.date.isoformat()}, is not counted"
        person = roster.person(a.by)
        email = person.email if person else None
        if commit is not None and commit.sha is not None and commit.signed_by(email):
            kept.append(item)
        elif commit is not None and commit.sha is not None and commit.signed:
            signers = ", ".join(sorted({s for s in commit.signers if s}))
            whose = f"the approver's e-mail, {email}" if email else f"an e-mail for {a.by} (none is recorded)"
            out.append(
                item.diagnostic(
                    f"{what}: {_which_commits(commit)} is signed by {signers}, and the signature must be the "
                    f"approver's, with {whose}: a key another person holds does not vouch for the approver "
                    f"({_POLICY})",
                    Level.error,
                )
            )
        elif commit is not None and commit.cut_off:
            out.append(
                item.diagnostic(
                    f"{what}: the commit that recorded it is older than this shallow clone's history, so its "
                    f"signature cannot be checked (fetch the history: git fetch --unshallow; {_POLICY})",
                    Level.error,
                )
            )
        elif commit is None or commit.sha is None:
            where = "in a git repository" if commit is None else "committed yet"
            required = f"the project requires signed commits ({_POLICY})"
            out.append(item.diagnostic(f"{what}: it is not {where}, and {required}"))
        else:
            unsigned = _which_commits(commit)
            out.append(
                item.diagnostic(
                    f"{what}: {unsigned} has no good signature (git verify-commit), "
                    f"and the project requires signed commits ({_POLICY})",
                    Level.error,
                )
            )
    return kept


def _which_commits(commit: ApprovalCommit) -> str:
    """The commit(s) that wrote an approval, for a message."""
    who = f"{commit.author} <{commit.email}>"
    if len(commit.commits) == 1:
        return f"the commit that recorded it, {commit.short} by {who},"
    return f"one of the commits that wrote it ({', '.join(sha[:7] for sha in commit.commits)}; newest by {who})"


def spec_approval_diagnostics(loaded: LoadedSpec, project: Project, today: dt.date | None = None) -> list[Diagnostic]:
    """Stale approvals, unknown approvers and claims the project does not bear
    out (a person who does not hold the role, a future date, an unknown
    section) of one spec. A future-dated approval never counts as the latest."""
    recorded, out = recorded_approvals(loaded)
    if not recorded:
        return out
    roster = Roster(project, loaded.spec)
    people = roster.names()
    day = clock.today(today)
    sections = frozenset(type(loaded.spec).model_fields)
    for item in recorded:
        for problem in _claim_problems(item, roster, day, sections):
            out.append(item.diagnostic(problem, Level.error))
    recorded = [item for item in recorded if item.approval.date <= day]
    if project.policy.approvals.signed_commits:
        recorded = _signed_only(recorded, roster, out)
    for item in _latest_per_role(recorded):
        if item.source is loaded.source:  # inline: the cross-reference check covers it
            continue
        a = item.approval
        if a.role not in roster.roles:
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


# ---------------------------------------------------------------- attribution


def approval_key(approval: SpecApproval) -> str:
    """One approval's identity: role, person, date and fingerprint."""
    return "\0".join((approval.role, approval.by, approval.date.isoformat(), approval.fingerprint))


@dataclass(frozen=True)
class Attribution:
    """What git says about a spec's approvals, for the site and ``history``:
    who recorded each one when it was not the approver, and, under the
    project's signed-commit policy, which count."""

    recorded_by: dict[str, str] = field(default_factory=dict)
    """Approval key → the author of the commit that recorded it (when not the approver)."""
    signed_only: bool = False
    """The project requires approvals in signed commits."""
    signed: frozenset[str] = frozenset()
    """Approval keys whose lines are all in commits with a good signature."""

    def recorder(self, approval: SpecApproval) -> str | None:
        """Who recorded the approval, when git says it was not the approver."""
        return self.recorded_by.get(approval_key(approval))

    def counts(self, approval: SpecApproval) -> bool:
        """Whether the approval counts: always, unless the policy asks for a
        signed commit and it is not one the spec as it stands shows signed."""
        return not self.signed_only or approval_key(approval) in self.signed


def attribute(loaded: LoadedSpec, project: Project) -> Attribution:
    """Read, from git, who recorded each approval of a spec (inline and in the
    approvals file) and, under the signed-commit policy, which count."""
    policy = project.policy.approvals.signed_commits
    recorded, _ = recorded_approvals(loaded)
    if not recorded:
        return Attribution(signed_only=policy)
    roster = Roster(project, loaded.spec)
    recorded_by: dict[str, str] = {}
    signed: set[str] = set()
    for item, commit in zip(recorded, approval_commits(recorded, verify=policy), strict=True):
        key = approval_key(item.approval)
        person = roster.person(item.approval.by)
        author = commit.recorded_by(person.email if person else None) if commit is not None else None
        if author:
            recorded_by[key] = author
        if commit is not None and commit.signed_by(person.email if person else None):
            signed.add(key)
    return Attribution(recorded_by, policy, frozenset(signed))
