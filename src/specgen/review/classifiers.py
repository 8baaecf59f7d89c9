"""The building blocks of the governance classification: its vocabulary
and the small factories that make a classifier.

A change is a :class:`RawChange` (a path, its kind, the values before and
after); a classifier turns one into a :class:`Verdict` (the governance area,
whether it loosens or tightens, a label). :mod:`specgen.review.classify`
holds the tables that give each field path its classifier, built from these:
:func:`presence`, :func:`ordered`, :func:`ranked`, :func:`flag`,
:func:`redefined`, :func:`owner`, :func:`review`, :func:`steps`, :func:`bar`,
:func:`cadence` and :func:`staff_fact`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import Any

from pydantic import BaseModel

from specgen.spec import schema
from specgen.spec.values import Duration, Percent

__all__ = [
    "ChangeKind",
    "Classifier",
    "Effect",
    "Impact",
    "Key",
    "PathT",
    "RawChange",
    "Verdict",
    "bar",
    "cadence",
    "flag",
    "ordered",
    "owner",
    "path_pattern",
    "path_text",
    "presence",
    "ranked",
    "redefined",
    "review",
    "staff_fact",
    "steps",
]

# ---------------------------------------------------------------- vocabulary


class Effect(str, Enum):
    """Which way a change moves governance."""

    loosens = "loosens"
    """Less oversight, lower bars, fewer controls: needs sign-off."""
    tightens = "tightens"
    """More oversight, higher bars, more controls."""
    neutral = "neutral"
    """Neither, or it depends: worth a reviewer's look, no sign-off needed."""


class Impact(str, Enum):
    """The governance area a change touches."""

    stage = "stage"
    autonomy = "autonomy"
    threshold = "threshold"
    acceptance = "acceptance"
    evaluation = "evaluation"
    red_team = "red_team"
    control = "control"
    oversight = "oversight"
    runbook = "runbook"
    ownership = "ownership"
    monitoring = "monitoring"
    audit = "audit"
    scope = "scope"
    data = "data"
    scorecard = "scorecard"
    change_control = "change_control"
    exit = "exit"
    policy = "policy"
    identity = "identity"
    design = "design"
    """The key design choices and why they were made (decision records)."""
    content = "content"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ")


class ChangeKind(str, Enum):
    """What happened to the value at a path."""

    added = "added"
    removed = "removed"
    changed = "changed"
    moved = "moved"


@dataclass(frozen=True)
class Key:
    """A list item in a path: its id, natural key, value or position."""

    value: str


PathT = tuple["str | Key", ...]


def path_text(path: PathT) -> str:
    """``("decisions", Key("approve"), "autonomy")`` → ``decisions[approve].autonomy``."""
    out = ""
    for part in path:
        if isinstance(part, Key):
            out += f"[{part.value}]"
        else:
            out += f".{part}" if out else part
    return out


def path_pattern(path: PathT) -> str:
    """The path with every list item written ``[*]``: the key of the rule tables."""
    return path_text(tuple(Key("*") if isinstance(p, Key) else p for p in path))


@dataclass(frozen=True)
class RawChange:
    """One difference found by :func:`structural_diff`, before classification.

    ``before`` and ``after`` are the typed values (models, enums, durations);
    ``parent_before``/``parent_after`` the models holding them, so a rule can
    read a neighbouring field (a threshold's comparator).
    """

    path: PathT
    kind: ChangeKind
    before: Any
    after: Any
    parent_before: BaseModel | None = None
    parent_after: BaseModel | None = None

    @property
    def pattern(self) -> str:
        return path_pattern(self.path)


@dataclass(frozen=True)
class Verdict:
    """How a rule classifies one change."""

    impact: Impact
    effect: Effect
    label: str


# ---------------------------------------------------------------- classifiers

Classifier = Callable[[RawChange], "Verdict | None"]

_L, _T, _N = Effect.loosens, Effect.tightens, Effect.neutral


def _magnitude(value: Any) -> Any:
    if isinstance(value, Duration):
        return value.seconds
    if isinstance(value, Percent):
        return value.fraction
    return value


def _opposite(effect: Effect) -> Effect:
    return {_L: _T, _T: _L, _N: _N}[effect]


def presence(
    impact: Impact, removed: str, added: str, changed: str | None = None, *, removal: Effect = _L
) -> Classifier:
    """Removing the thing loosens (``removal``), adding it does the opposite."""

    def rule(c: RawChange) -> Verdict | None:
        if c.kind is ChangeKind.removed:
            return Verdict(impact, removal, removed)
        if c.kind is ChangeKind.added:
            return Verdict(impact, _opposite(removal), added)
        return Verdict(impact, _N, changed) if changed else None

    return rule


def ordered(impact: Impact, noun: str, *, looser: str, up: str = "raised", down: str = "lowered") -> Classifier:
    """A value whose ``looser`` direction ("higher" or "lower") loosens governance.

    Durations compare by length, percentages by fraction. Removing the value
    loosens; setting it tightens.
    """

    def rule(c: RawChange) -> Verdict | None:
        if c.kind is ChangeKind.removed:
            return Verdict(impact, _L, f"{noun} removed")
        if c.kind is ChangeKind.added:
            return Verdict(impact, _T, f"{noun} set")
        before, after = _magnitude(c.before), _magnitude(c.after)
        if before == after:
            return Verdict(impact, _N, f"{noun} rewritten")
        higher = after > before
        loosens = higher == (looser == "higher")
        return Verdict(impact, _L if loosens else _T, f"{noun} {up if higher else down}")

    return rule


def ranked(
    impact: Impact, noun: str, rank: Callable[[Any], int], *, up: str, down: str, up_effect: Effect
) -> Classifier:
    """An enumeration with an order (stage, autonomy, severity)."""

    def rule(c: RawChange) -> Verdict | None:
        if c.kind is not ChangeKind.changed:
            return presence(impact, f"{noun} removed", f"{noun} set")(c)
        higher = rank(c.after) > rank(c.before)
        return Verdict(impact, up_effect if higher else _opposite(up_effect), f"{noun} {up if higher else down}")

    return rule


def flag(impact: Impact, off: str, on: str, *, off_effect: Effect = _L) -> Classifier:
    """A yes/no safeguard: turning it off loosens."""

    def rule(c: RawChange) -> Verdict | None:
        if c.kind is ChangeKind.changed and isinstance(c.after, bool):
            return Verdict(impact, _opposite(off_effect) if c.after else off_effect, on if c.after else off)
        return None

    return rule


def redefined(impact: Impact, removed: str, added: str, changed: str) -> Classifier:
    """What a bar measures (its metric, slice, comparator, the evidence bound to
    it): any change may let a weaker measurement pass, so changing or
    removing it loosens; adding one tightens."""

    def rule(c: RawChange) -> Verdict | None:
        if c.kind is ChangeKind.removed:
            return Verdict(impact, _L, removed)
        if c.kind is ChangeKind.added:
            return Verdict(impact, _T, added)
        return Verdict(impact, _L, changed)

    return rule


def owner(noun: str) -> Classifier:
    """Who owns, approves or is called: a change needs review; removing it loosens."""
    return presence(Impact.ownership, f"{noun} removed", f"{noun} named", f"{noun} changed")


def review(impact: Impact, noun: str) -> Classifier:
    """A change worth a look that neither loosens nor tightens by itself."""

    def rule(c: RawChange) -> Verdict | None:
        return Verdict(impact, _N, f"{noun} {c.kind.value}")

    return rule


def steps(impact: Impact, noun: str, *, removal: Effect = _L) -> Classifier:
    """Steps of a procedure: a removed step loosens, a reworded one needs reading."""

    def rule(c: RawChange) -> Verdict | None:
        if c.kind is ChangeKind.changed:
            return Verdict(impact, _N, f"{noun} reworded")
        if c.kind is ChangeKind.moved:
            return Verdict(impact, _N, f"{noun} moved")
        return presence(impact, f"{noun} removed", f"{noun} added", removal=removal)(c)

    return rule


def bar(impact: Impact, noun: str) -> Classifier:
    """A threshold read with its comparator: for '>=' lowering loosens, for '<=' raising does."""

    def rule(c: RawChange) -> Verdict | None:
        if c.kind is not ChangeKind.changed:
            return None
        parent = c.parent_after or c.parent_before
        comparator = getattr(parent, "comparator", schema.Comparator.ge)
        if comparator is schema.Comparator.eq:
            return Verdict(impact, _N, f"{noun} changed")
        looser = "lower" if comparator in (schema.Comparator.ge, schema.Comparator.gt) else "higher"
        return ordered(impact, noun, looser=looser)(c)

    return rule


def staff_fact(noun: str, why: str, *, added: Effect = _N) -> Classifier:
    """A fact that decides whose staff a person counts as (a person's
    organisation, the vendor's name): the readiness rules read it (OPS-003,
    SIGN-001), so changing or removing it loosens whatever the new value is;
    setting it where there was none does ``added``."""

    def rule(c: RawChange) -> Verdict | None:
        if c.kind is ChangeKind.added:
            return Verdict(Impact.ownership, added, f"{noun} set")
        what = "removed" if c.kind is ChangeKind.removed else "changed"
        return Verdict(Impact.ownership, _L, f"{noun} {what}: {why}")

    return rule


_CADENCE_RANK = {c: i for i, c in enumerate(schema.Cadence)}  # continuous first, yearly last


def cadence(impact: Impact, noun: str) -> Classifier:
    """How often something happens: less often loosens, removing it too."""
    return ranked(
        impact, noun, _CADENCE_RANK.__getitem__, up="made less frequent", down="made more frequent", up_effect=_L
    )
