"""The results of a governance diff: classified changes, per spec and for the whole comparison."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from specgen.review.classifiers import ChangeKind, Effect, Impact

__all__ = ["Change", "DiffReport", "SpecDiff", "SpecStatus"]


@dataclass(frozen=True)
class Change:
    """One classified change of one spec."""

    spec: str
    path: str
    kind: ChangeKind
    before: Any
    """The value before, as JSON-ready data (None when added)."""
    after: Any
    """The value after, as JSON-ready data (None when removed)."""
    impact: Impact
    effect: Effect
    label: str
    signoff: tuple[str, ...] = ()
    """Roles that must sign the change off (only for changes that loosen)."""

    @property
    def needs_signoff(self) -> bool:
        return self.effect is Effect.loosens

    def to_dict(self) -> dict[str, Any]:
        return {
            "spec": self.spec,
            "path": self.path,
            "kind": self.kind.value,
            "before": self.before,
            "after": self.after,
            "impact": self.impact.value,
            "direction": self.effect.value,
            "label": self.label,
            "needs_signoff": list(self.signoff) if self.needs_signoff else [],
        }


class SpecStatus(str, Enum):
    """What happened to a spec between the two sides."""

    added = "added"
    removed = "removed"
    modified = "modified"
    renamed = "renamed"
    unchanged = "unchanged"
    invalid = "invalid"


@dataclass
class SpecDiff:
    """The changes of one spec (matched by id across the two sides)."""

    id: str
    title: str
    status: SpecStatus
    base_file: str | None
    head_file: str | None
    changes: list[Change] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    """Why the spec could not be compared (a side that does not validate)."""

    @property
    def needs_signoff(self) -> bool:
        return any(c.needs_signoff for c in self.changes)

    @property
    def loosening(self) -> list[Change]:
        return [c for c in self.changes if c.needs_signoff]

    def count(self, effect: Effect) -> int:
        return sum(1 for c in self.changes if c.effect is effect)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "status": self.status.value,
            "base_file": self.base_file,
            "head_file": self.head_file,
            "needs_signoff": self.needs_signoff,
            "problems": list(self.problems),
            "changes": [c.to_dict() for c in self.changes],
        }


@dataclass
class DiffReport:
    """Everything :func:`compare_sides` found, ready to render."""

    base: str
    head: str
    specs: list[SpecDiff]
    project: SpecDiff | None = None
    signoff_roles: tuple[str, ...] = ()
    role_titles: dict[str, str] = field(default_factory=dict)

    @property
    def all(self) -> list[SpecDiff]:
        """The spec diffs, then the project file's when it changed or could not be compared."""
        shown = self.project is not None and bool(self.project.changes or self.project.problems)
        return [*self.specs, *([self.project] if shown and self.project else [])]

    @property
    def changed(self) -> list[SpecDiff]:
        return [s for s in self.all if s.status is not SpecStatus.unchanged]

    @property
    def changed_specs(self) -> list[SpecDiff]:
        """The specs (not the project file) that changed or could not be compared."""
        return [s for s in self.specs if s.status is not SpecStatus.unchanged]

    @property
    def project_changed(self) -> bool:
        """The project file changed, or could not be compared."""
        return any(s is self.project for s in self.changed)

    @property
    def needs_signoff(self) -> bool:
        return any(s.needs_signoff for s in self.all)

    @property
    def invalid(self) -> list[SpecDiff]:
        """The specs, and the project file, that could not be compared."""
        return [s for s in self.all if s.status is SpecStatus.invalid]

    @property
    def project_invalid(self) -> bool:
        return self.project is not None and self.project.status is SpecStatus.invalid

    @property
    def failed(self) -> bool:
        """Something needs sign-off, or a side could not be compared."""
        return self.needs_signoff or bool(self.invalid)

    @property
    def loosening(self) -> list[Change]:
        return [c for s in self.all for c in s.loosening]

    def to_dict(self) -> dict[str, Any]:
        return {
            "base": self.base,
            "head": self.head,
            "needs_signoff": self.needs_signoff,
            "signoff_roles": list(self.signoff_roles),
            "specs": [s.to_dict() for s in self.specs],
            "project": self.project.to_dict() if self.project else None,
        }
