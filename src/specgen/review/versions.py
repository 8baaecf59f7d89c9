"""What a spec's history needs of each past version, kept in the build cache.

The history page shows, for every commit that changed a spec file, that
version's number, fingerprint and approvals, and the classified changes
since the version before. Validating every past version of every spec on
every build of the site cost more than the rest of the history (at 100
specs of eight versions each, a third of a one-spec edit), so what the
history needs of a version is kept under the version's object id (git's
hash of its bytes, see :class:`VersionFacts`), and the changes between two
versions under both ids and the project's sign-off roles. A spec's versions
are read and validated only when something of theirs is missing.

What comes back from the cache is checked field by field; anything that
does not check is worked out again, never trusted.
"""

from __future__ import annotations

import re
import typing
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import ValidationError

from specgen import git
from specgen.review.classifiers import ChangeKind, Effect, Impact
from specgen.review.diff import diff_specs
from specgen.review.report import Change
from specgen.spec.fingerprint import fingerprint
from specgen.spec.loader import LoadedSpec, spec_from_bytes
from specgen.spec.memo import Memo, derived_key
from specgen.spec.schema import Project, Spec, SpecApproval

__all__ = ["INVALID", "Entry", "VersionFacts", "keep_changes", "keep_facts", "kept_changes", "kept_facts", "versions"]

INVALID: Literal["invalid"] = "invalid"
"""What is kept for a version that does not validate (it is no version of the history)."""

_FINGERPRINT = re.compile(r"sha256:[0-9a-f]{64}")


@dataclass(frozen=True)
class VersionFacts:
    """What the history needs of one valid version of a spec."""

    id: str
    title: str
    version: str
    fingerprint: str
    approvals: tuple[SpecApproval, ...]
    """The approvals written in the version itself."""
    people: tuple[tuple[str, str], ...]
    """Person id and name, in the version's order."""
    roles: tuple[tuple[str, str], ...]
    """Role id and title, in the version's order."""

    @classmethod
    def of(cls, spec: Spec) -> VersionFacts:
        return cls(
            spec.id,
            spec.title,
            spec.version,
            fingerprint(spec),
            tuple(spec.approvals),
            tuple((p.id, p.name) for p in spec.people),
            tuple((r.id, r.title) for r in spec.roles),
        )

    def to_data(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "version": self.version,
            "fingerprint": self.fingerprint,
            "approvals": [a.model_dump(mode="json") for a in self.approvals],
            "people": [list(pair) for pair in self.people],
            "roles": [list(pair) for pair in self.roles],
        }

    @classmethod
    def from_data(cls, data: Any) -> VersionFacts | None:
        """The facts :meth:`to_data` wrote; None for anything else."""
        if not isinstance(data, dict):
            return None
        texts = [data.get(name) for name in ("id", "title", "version", "fingerprint")]
        if not all(isinstance(text, str) for text in texts) or not _FINGERPRINT.fullmatch(texts[3]):
            return None
        pairs = [_pairs(data.get("people")), _pairs(data.get("roles"))]
        approvals = data.get("approvals")
        if pairs[0] is None or pairs[1] is None or not isinstance(approvals, list):
            return None
        try:
            kept = tuple(SpecApproval.model_validate(a) for a in approvals)
        except ValidationError:
            return None
        return cls(*texts, kept, pairs[0], pairs[1])  # type: ignore[arg-type]


def _pairs(value: Any) -> tuple[tuple[str, str], ...] | None:
    if not isinstance(value, list):
        return None
    pairs = []
    for pair in value:
        if not (isinstance(pair, list) and len(pair) == 2 and all(isinstance(s, str) for s in pair)):
            return None
        pairs.append((pair[0], pair[1]))
    return tuple(pairs)


def _facts_key(blob: str) -> str:
    return derived_key("version-facts", "", blob)


def kept_facts(memo: Memo, blob: str) -> VersionFacts | Literal["invalid"] | None:
    """What ``memo`` holds of the version with object id ``blob``: its facts,
    :data:`INVALID`, or None when it holds nothing usable."""
    value = memo.get(_facts_key(blob))
    return INVALID if value == INVALID else VersionFacts.from_data(value)


def keep_facts(memo: Memo, blob: str, facts: VersionFacts | None) -> None:
    """Keep the facts of version ``blob`` (None: it does not validate)."""
    memo.put(_facts_key(blob), INVALID if facts is None else facts.to_data())


def _changes_key(signoff: Sequence[str], before: str, after: str) -> str:
    return derived_key("version-changes", "\0".join(signoff), before, after)


def kept_changes(memo: Memo, signoff: Sequence[str], before: str, after: str) -> tuple[Change, ...] | None:
    """The changes from version ``before`` to version ``after`` (object ids)
    under the sign-off roles ``signoff``, when ``memo`` holds them."""
    value = memo.get(_changes_key(signoff, before, after))
    if not isinstance(value, list):
        return None
    changes = []
    for item in value:
        change = _change(item)
        if change is None:
            return None
        changes.append(change)
    return tuple(changes)


def keep_changes(memo: Memo, signoff: Sequence[str], before: str, after: str, changes: Sequence[Change]) -> None:
    data = [
        {
            "spec": c.spec,
            "path": c.path,
            "kind": c.kind.value,
            "before": c.before,
            "after": c.after,
            "impact": c.impact.value,
            "effect": c.effect.value,
            "label": c.label,
            "signoff": list(c.signoff),
        }
        for c in changes
    ]
    memo.put(_changes_key(signoff, before, after), data)


def _change(item: Any) -> Change | None:
    if not isinstance(item, dict) or set(item) != _CHANGE_FIELDS:
        return None
    texts = [item[name] for name in ("spec", "path", "kind", "impact", "effect", "label")]
    signoff = item["signoff"]
    if not all(isinstance(text, str) for text in texts) or not isinstance(signoff, list):
        return None
    if not all(isinstance(role, str) for role in signoff):
        return None
    try:
        kind, impact, effect = ChangeKind(item["kind"]), Impact(item["impact"]), Effect(item["effect"])
    except ValueError:
        return None
    return Change(
        item["spec"], item["path"], kind, item["before"], item["after"], impact, effect, item["label"], tuple(signoff)
    )


_CHANGE_FIELDS = frozenset({"spec", "path", "kind", "before", "after", "impact", "effect", "label", "signoff"})


@dataclass
class Entry:
    """One version of a spec file's history, as :func:`versions` walks them."""

    commit: git.Commit
    facts: VersionFacts
    changes: tuple[Change, ...]
    raw: bytes | None
    model: Spec | None


class _NeedContents(Exception):
    """A version's facts or changes are not kept: its contents must be read."""


def versions(
    commits: Sequence[git.Commit],
    blobs: Sequence[bytes] | None,
    project: Project,
    memo: Memo | None,
    current: LoadedSpec | None = None,
    keep: Memo | None = None,
) -> list[Entry] | None:
    """The versions among ``commits`` (oldest first): those that validate and
    differ from the one before, each with its changes since. What ``memo``
    keeps of a version is taken from it; the
    rest is worked out from ``blobs``, the contents, and kept. Without
    ``blobs``, None when something is not kept. ``current`` is the file as
    loaded: a version with its bytes is that spec. What is worked out is
    kept in ``keep`` (default: ``memo``)."""
    keep = memo if keep is None else keep
    signoff = tuple(project.loosening_signoff)
    current_bytes = current.source.text.encode("utf-8", "surrogatepass") if current is not None else None

    def model_of(commit: git.Commit, raw: bytes | None) -> Spec | None:
        if raw is None:
            raise _NeedContents
        if current is not None and raw == current_bytes:  # the same bytes validate to the same spec
            return current.spec
        return spec_from_bytes(raw, f"{commit.short}:{commit.path}", memo)

    entries: list[Entry] = []
    raws: Sequence[bytes | None] = blobs if blobs is not None else [None] * len(commits)
    try:
        for commit, raw in zip(commits, raws, strict=True):
            blob = typing.cast(str, commit.blob)
            model = None
            facts = kept_facts(memo, blob) if memo is not None else None
            if facts is None:
                model = model_of(commit, raw)
                facts = VersionFacts.of(model) if model is not None else INVALID
                if keep is not None:
                    keep_facts(keep, blob, facts if facts != INVALID else None)
            if facts == INVALID:
                continue
            last = entries[-1] if entries else None
            if last is not None and (last.facts.version, last.facts.fingerprint) == (facts.version, facts.fingerprint):
                continue
            changes: tuple[Change, ...] | None = ()
            if last is not None:
                before = typing.cast(str, last.commit.blob)
                changes = kept_changes(memo, signoff, before, blob) if memo is not None else None
                if changes is None:
                    last.model = last.model or model_of(last.commit, last.raw)
                    model = model or model_of(commit, raw)
                    changes = tuple(diff_specs(last.model, model, project))
                    if keep is not None:
                        keep_changes(keep, signoff, before, blob, changes)
            entries.append(Entry(commit, typing.cast(VersionFacts, facts), changes, raw, model))
    except _NeedContents:
        return None
    return entries
