"""Change history of a spec from git: versions, dates, governance changes, approvals.

:func:`spec_history` walks ``git log --follow`` of a spec file, up to the
copy it was made as, if it was (:func:`specgen.git.file_history`). Every commit in
which the spec validates and its ``version`` or content fingerprint changed is
a :class:`Version`, with the governance-relevant changes since the previous
version (from :mod:`specgen.review.diff`) and the approvals whose fingerprint matches
that content. :func:`render_history_page` renders the handover site's
change-history page through ``templates/site/history.md.j2``. Outside a git
repository the history is empty; nothing here raises for that. In a shallow
clone the history stops at the clone's cut-off, and :attr:`History.shallow`
says so (the page says it too).
"""

from __future__ import annotations

import datetime as dt
import typing
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from specgen import git
from specgen.parallel import fork_map, usable_jobs
from specgen.review.commits import file_commits
from specgen.review.diff import Change, Effect
from specgen.review.render import review_environment
from specgen.review.versions import Entry, versions
from specgen.spec.approvals import Attribution, approval_key, attribute, sidecar_approvals
from specgen.spec.loader import (
    LoadedSpec,
    discover_spec_files,
    find_project_file,
    load_project,
    load_spec_text,
)
from specgen.spec.memo import Memo
from specgen.spec.schema import Project, SpecApproval

__all__ = ["History", "Version", "render_history_page", "spec_histories", "spec_history"]


@dataclass(frozen=True)
class Version:
    """One version of a spec as committed."""

    commit: str
    date: dt.date
    """Commit date."""
    author: str
    subject: str
    """First line of the commit message."""
    path: str
    """The spec's path in that commit (it may have been renamed since)."""
    version: str
    """The spec's own ``version`` field."""
    fingerprint: str
    changes: tuple[Change, ...] = ()
    """Changes since the previous version (none for the first)."""
    approvals: tuple[SpecApproval, ...] = ()
    """Approvals of exactly this content."""

    @property
    def short(self) -> str:
        return self.commit[:7]

    @property
    def loosening(self) -> list[Change]:
        return [c for c in self.changes if c.effect is Effect.loosens]

    @property
    def governance_changes(self) -> list[Change]:
        """Changes that loosen or tighten governance (neutral edits left out)."""
        return [c for c in self.changes if c.effect is not Effect.neutral]

    def to_dict(self) -> dict[str, Any]:
        return {
            "commit": self.commit,
            "date": self.date.isoformat(),
            "author": self.author,
            "subject": self.subject,
            "path": self.path,
            "version": self.version,
            "fingerprint": self.fingerprint,
            "changes": [c.to_dict() for c in self.changes],
            "approvals": [a.model_dump(mode="json", exclude={"sections"}) for a in self.approvals],
        }

    def approvals_dicts(self, recorded_by: dict[str, str]) -> list[dict[str, Any]]:
        """The approvals as data, each with who recorded it when git says it was not the approver."""
        return [
            {**a.model_dump(mode="json", exclude={"sections"}), "recorded_by": recorded_by.get(approval_key(a))}
            for a in self.approvals
        ]


@dataclass
class History:
    """The versions of one spec, newest first. Iterates, indexes and counts like a list."""

    spec_id: str
    title: str
    path: str | None
    versions: list[Version] = field(default_factory=list)
    people: dict[str, str] = field(default_factory=dict)
    """Person id → name, to show approvers by name."""
    roles: dict[str, str] = field(default_factory=dict)
    """Role id → title."""
    shallow: bool = False
    """The repository is a shallow clone: versions older than its cut-off are missing."""
    recorded_by: dict[str, str] = field(default_factory=dict)
    """Approval key (:func:`specgen.spec.approvals.approval_key`) → the author of the
    commit that recorded the approval, where that is not the approver."""
    copied_from: str | None = None
    """The file this one was made as a copy of (its path then): that file's
    versions before the copy are not this one's, and are not listed."""

    def recorder(self, approval: SpecApproval) -> str | None:
        """Who recorded an approval, when git says it was not the approver."""
        return self.recorded_by.get(approval_key(approval))

    def __iter__(self) -> Iterator[Version]:
        return iter(self.versions)

    def __len__(self) -> int:
        return len(self.versions)

    def __getitem__(self, index: int) -> Version:
        return self.versions[index]

    def to_dict(self) -> dict[str, Any]:
        return {
            "spec": self.spec_id,
            "title": self.title,
            "path": self.path,
            "shallow": self.shallow,
            "copied_from": self.copied_from,
            "versions": [{**v.to_dict(), "approvals": v.approvals_dicts(self.recorded_by)} for v in self.versions],
        }


def _find_by_id(spec_id: str, root: Path) -> Path | None:
    files, _ = discover_spec_files([root])
    for path in files:
        if path.stem == spec_id:
            loaded, _ = load_spec_text(path.read_bytes(), str(path), path)
            if loaded is not None and loaded.spec.id == spec_id:
                return path
    for path in files:
        loaded, _ = load_spec_text(path.read_bytes(), str(path), path)
        if loaded is not None and loaded.spec.id == spec_id:
            return path
    return None


def _spec_path(spec: Path | str, root: Path | None) -> Path | None:
    path = Path(spec)
    if path.is_file():
        return path.resolve()
    if isinstance(spec, str) and "/" not in spec and not path.suffix:
        base = root or git.repo_root(Path.cwd())
        return _find_by_id(spec, base) if base else None
    return None


def spec_history(
    spec: Path | str,
    repo_root: Path | None = None,
    *,
    project: Project | None = None,
    memo: Memo | None = None,
    attribution: Attribution | None = None,
    shallow: bool | None = None,
    log_key: str | None = None,
) -> History:
    """The versions of a spec (a file path, or a spec id looked up under the
    repository) recorded in git, newest first. Empty when there is no repository
    or the file was never committed.

    Approvals come from the spec's approvals file in the working tree and the
    approvals written inline in each version. ``project`` supplies the sign-off
    roles and the names of people (default: the nearest ``specgen.yml``).
    ``memo`` (the build cache) keeps each version's validated spec by its
    bytes; ``attribution`` is the working tree spec's
    (:func:`specgen.spec.approvals.attribute`) and ``shallow`` whether the
    repository is a shallow clone, when the caller knows them. With ``memo``
    and ``log_key`` (:attr:`specgen.git.LogState.key`), the file's list of
    commits is kept in the memo too.
    """
    path = _spec_path(spec, repo_root)
    root = repo_root.resolve() if repo_root else git.repo_root(path if path else Path.cwd())
    label = str(spec)
    if path is None or root is None:
        return History(label, label, None)
    if project is None:
        project, _, _ = load_project(find_project_file(path))
    rel = git.relative_to_root(path, root)
    try:
        if shallow is None:
            shallow = git.is_shallow(root)
        commits = file_commits(rel, root, memo, log_key)
        entries = versions(commits, None, project, memo)
        if entries is None:
            blobs = git.read_objects([typing.cast(str, c.blob) for c in commits], root)
            entries = typing.cast(list[Entry], versions(commits, blobs, project, memo))
    except git.GitError:
        return History(label, label, rel)
    if attribution is None:
        attribution = _attribution(path, project)
    return _history(
        label, path, rel, entries, project, attribution, shallow, commits[0].copied_from if commits else None
    )


def spec_histories(
    paths: Sequence[Path],
    root: Path,
    *,
    project: Project,
    attributions: Sequence[Attribution],
    shallow: bool,
    memo: Memo | None = None,
    log_key: str | None = None,
    specs: Sequence[LoadedSpec] | None = None,
    jobs: int | None = 1,
) -> list[History]:
    """:func:`spec_history` of each spec file of one repository (``root``),
    with the attribution of each as it is, reading the past versions of all
    of them in one git process rather than one per spec. With ``memo`` and
    ``log_key`` (:attr:`specgen.git.LogState.key`), each file's list of commits
    is taken from the memo when the repository is as it was: no git process
    per spec either. ``specs`` are the files as loaded: a past version with
    the same bytes as its file is that spec, not parsed or looked up again.
    The histories to work out from the versions themselves are worked out in
    ``jobs`` worker processes when there are enough (None: one per processor)."""
    resolved = [path.resolve() for path in paths]
    rels = [git.relative_to_root(path, root) for path in resolved]
    logs: list[list[git.Commit] | None] = []
    for rel in rels:
        try:
            logs.append(file_commits(rel, root, memo, log_key))
        except git.GitError:
            logs.append(None)
    kept = [versions(log, None, project, memo) if log is not None else None for log in logs]
    wanted = sorted(
        {typing.cast(str, c.blob) for log, ks in zip(logs, kept, strict=True) if log and ks is None for c in log}
    )
    contents: dict[str, bytes] | None = {}
    try:
        if wanted:
            contents = dict(zip(wanted, git.read_objects(wanted, root), strict=True))
    except git.GitError:  # one spec's unreadable version: each spec read on its own, as spec_history does
        contents = None
    currents: Sequence[LoadedSpec | None] = specs if specs is not None else [None] * len(paths)
    if contents:
        _in_workers(logs, kept, contents, currents, project, memo, jobs)
    histories = []
    for path, real, rel, log, entries, attribution, current in zip(
        paths, resolved, rels, logs, kept, attributions, currents, strict=True
    ):
        label = str(path)
        if log is None:
            histories.append(History(label, label, rel))
            continue
        if entries is None and contents is None:
            found = spec_history(
                path, root, project=project, memo=memo, attribution=attribution, shallow=shallow, log_key=log_key
            )
            histories.append(found)
            continue
        if entries is None:
            blobs = [typing.cast(dict[str, bytes], contents)[typing.cast(str, c.blob)] for c in log]
            entries = typing.cast(list[Entry], versions(log, blobs, project, memo, current))
        copied = log[0].copied_from if log else None
        histories.append(_history(label, real, rel, entries, project, attribution, shallow, copied))
    return histories


class _Kept(dict):  # type: ignore[type-arg]
    """What a worker process would have kept in the build cache, to send back."""

    def put(self, key: str, value: Any) -> None:
        self[key] = value


def _in_workers(
    logs: Sequence[Sequence[git.Commit] | None],
    kept: list[list[Entry] | None],
    contents: Mapping[str, bytes],
    currents: Sequence[LoadedSpec | None],
    project: Project,
    memo: Memo | None,
    jobs: int | None,
) -> None:
    """Fill in ``kept`` for the specs whose versions must be read, when there
    are enough of them for worker processes (a build without the cache
    validates every past version of every spec): each worker validates and
    diffs its specs' versions and sends back their entries and what it would
    have kept in ``memo``, which is kept here. Not the validated versions
    themselves, which would cost more to send than to make and be held here
    all at once."""
    todo = [i for i, (log, entries) in enumerate(zip(logs, kept, strict=True)) if log and entries is None]
    if usable_jobs(jobs, len(todo)) <= 1:
        return  # worked out one by one, with the memo, by the caller

    def work(index: int) -> tuple[list[Entry], dict[str, Any]]:
        log = typing.cast(Sequence[git.Commit], logs[todo[index]])
        blobs = [contents[typing.cast(str, c.blob)] for c in log]
        keep = _Kept()
        found = typing.cast(list[Entry], versions(log, blobs, project, None, currents[todo[index]], keep))
        for entry in found:
            entry.raw = entry.model = None
        return found, dict(keep)

    suspend, resume = getattr(memo, "suspend", None), getattr(memo, "resume", None)
    for index, (found, values) in zip(
        todo, fork_map(len(todo), work, jobs=jobs, before_fork=suspend, after_pool=resume), strict=True
    ):
        kept[index] = found
        if memo is not None:
            for key, value in values.items():
                memo.put(key, value)


def _history(
    label: str,
    path: Path,
    rel: str,
    entries: Sequence[Entry],
    project: Project,
    attribution: Attribution,
    shallow: bool,
    copied_from: str | None = None,
) -> History:
    """The history of the spec file ``path`` from its versions."""
    # the approvals file as it is, if it is this spec's (a copied one is the other spec's: validate says so)
    current_approvals = sidecar_approvals(path, entries[-1].facts.id if entries else None)
    versions = []
    for entry in entries:
        commit, facts = entry.commit, entry.facts
        approvals = tuple(
            a
            for a in [*facts.approvals, *current_approvals]
            if a.fingerprint == facts.fingerprint and attribution.counts(a)
        )
        versions.append(
            Version(
                commit.sha,
                commit.date,
                commit.author,
                commit.subject,
                commit.path,
                facts.version,
                facts.fingerprint,
                entry.changes,
                approvals,
            )
        )
    last = entries[-1].facts if entries else None
    people = {p.id: p.name for p in project.people}
    roles = {r.id: r.title for r in project.roles}
    if last is not None:
        people.update(last.people)
        roles.update(last.roles)
    return History(
        last.id if last else label,
        last.title if last else label,
        rel,
        list(reversed(versions)),
        people,
        roles,
        shallow,
        dict(attribution.recorded_by),
        copied_from,
    )


def _attribution(path: Path, project: Project) -> Attribution:
    """Who recorded the approvals of the spec as it is in the working tree (and,
    under the signed-commit policy, which do not count)."""
    loaded, _ = load_spec_text(path.read_bytes(), str(path), path)
    return attribute(loaded, project) if loaded is not None else Attribution()


def render_history_page(history: History, *, user_dirs: Sequence[Path] = ()) -> str:
    """The change-history page (Markdown) of one workflow, from ``site/history.md.j2``."""
    template = review_environment(user_dirs, "site").get_template("site/history.md.j2")
    return template.render(history=history).rstrip("\n") + "\n"
