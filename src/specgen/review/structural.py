"""Structural diff: every difference between two validated models, as raw changes.

:func:`structural_diff` walks two models side by side and yields
:class:`~specgen.review.classifiers.RawChange` items, with list items matched by
``id`` (decisions, controls, runbooks...), by a natural key (a RACI activity,
a probe set's attack class...) or by position, and text steps matched as a
sequence (so a reworded runbook step is one change, not a removal and an
addition). Classifying the changes is :mod:`specgen.review.classify`'s job.
"""

from __future__ import annotations

import difflib
import typing
from collections.abc import Callable
from enum import Enum
from typing import Any

from pydantic import BaseModel

from specgen.review.classifiers import ChangeKind, Key, PathT, RawChange
from specgen.spec import schema
from specgen.spec.fingerprint import EXCLUDED
from specgen.spec.values import Ref

__all__ = ["structural_diff"]


_NATURAL_KEYS: dict[type[BaseModel], Callable[[Any], str]] = {
    schema.RaciEntry: lambda e: e.activity,
    schema.Signature: lambda s: s.role,
    schema.Integration: lambda i: i.system,
    schema.RolloutStep: lambda s: s.name,
    schema.EvalMetric: lambda m: m.name if m.slice == "all" else f"{m.name} ({m.slice})",
    schema.EvalResult: lambda r: f"{r.version} {r.date.isoformat()}",
    schema.ProbeSet: lambda p: p.attack_class.value,
    schema.ResponseSla: lambda s: s.severity.value,
    schema.EscalationStep: lambda s: s.to,
    schema.ChangeRule: lambda r: r.change.value,
    schema.ChangeLogEntry: lambda e: e.version,
    schema.Artifact: lambda a: a.name,
    schema.HandoverMilestone: lambda m: m.name,
    schema.SignoffParty: lambda s: s.area.value,
    schema.Waiver: lambda w: w.rule + (f" ({', '.join(w.specs)})" if w.specs else ""),
}
"""How items of lists of models without an ``id`` are matched across versions."""


def _item_key(item: BaseModel) -> str | None:
    if "id" in type(item).model_fields:
        return str(item.id)  # type: ignore[attr-defined]
    natural = _NATURAL_KEYS.get(type(item))
    return natural(item) if natural else None


def _list_item_type(annotation: Any) -> Any:
    """The item type of a ``list[...]`` annotation (through Optional and Annotated)."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _list_item_type(typing.get_args(annotation)[0])
    if origin is list:
        return typing.get_args(annotation)[0]
    for arg in typing.get_args(annotation):
        found = _list_item_type(arg)
        if found is not None:
            return found
    return None


def _is_set_like(item_type: Any) -> bool:
    """Lists of references and enum values compare as sets; free text as sequences."""
    if typing.get_origin(item_type) is typing.Annotated:
        if any(isinstance(meta, Ref) for meta in typing.get_args(item_type)[1:]):
            return True
        item_type = typing.get_args(item_type)[0]
    return isinstance(item_type, type) and issubclass(item_type, Enum)


def structural_diff(before: BaseModel, after: BaseModel, *, exclude: frozenset[str] = EXCLUDED) -> list[RawChange]:
    """Every difference between two models of the same type, in schema order.

    Top-level fields in ``exclude`` (the approvals) are left out.
    """
    out: list[RawChange] = []
    for name, info in type(before).model_fields.items():
        if name in exclude:
            continue
        _diff(getattr(before, name), getattr(after, name), (name,), info.annotation, before, after, out)
    return out


def _diff(a: Any, b: Any, path: PathT, annotation: Any, pa: Any, pb: Any, out: list[RawChange]) -> None:
    if a == b:
        return
    if isinstance(a, list) or isinstance(b, list):
        _diff_list(a or [], b or [], path, annotation, pa, pb, out)
    elif a is None:
        out.append(RawChange(path, ChangeKind.added, None, b, pa, pb))
    elif b is None:
        out.append(RawChange(path, ChangeKind.removed, a, None, pa, pb))
    elif isinstance(a, BaseModel) and type(a) is type(b):
        for name, info in type(a).model_fields.items():
            _diff(getattr(a, name), getattr(b, name), (*path, name), info.annotation, a, b, out)
    else:
        out.append(RawChange(path, ChangeKind.changed, a, b, pa, pb))


def _keys(items: list[Any]) -> list[str] | None:
    keys = [_item_key(item) for item in items]
    if any(k is None for k in keys) or len(set(keys)) != len(keys):
        return None
    return typing.cast(list[str], keys)


def _diff_list(
    la: list[Any], lb: list[Any], path: PathT, annotation: Any, pa: Any, pb: Any, out: list[RawChange]
) -> None:
    sample = (la or lb)[0]
    if isinstance(sample, BaseModel):
        keys_a, keys_b = _keys(la), _keys(lb)
        if keys_a is None or keys_b is None:  # no usable key: match by position
            keys_a = [str(i) for i in range(len(la))]
            keys_b = [str(i) for i in range(len(lb))]
        by_b = dict(zip(keys_b, lb, strict=True))
        for key, item in zip(keys_a, la, strict=True):
            if key in by_b:
                _diff(item, by_b[key], (*path, Key(key)), type(item), pa, pb, out)
            else:
                out.append(RawChange((*path, Key(key)), ChangeKind.removed, item, None, pa, pb))
        seen = set(keys_a)
        for key, item in zip(keys_b, lb, strict=True):
            if key not in seen:
                out.append(RawChange((*path, Key(key)), ChangeKind.added, None, item, pa, pb))
    elif _is_set_like(_list_item_type(annotation)):
        values_b = set(lb)
        values_a = set(la)
        for value in la:
            if value not in values_b:
                out.append(RawChange((*path, Key(_plain(value))), ChangeKind.removed, value, None, pa, pb))
        for value in lb:
            if value not in values_a:
                out.append(RawChange((*path, Key(_plain(value))), ChangeKind.added, None, value, pa, pb))
    else:
        _diff_sequence(la, lb, path, pa, pb, out)


def _plain(value: Any) -> str:
    return str(value.value) if isinstance(value, Enum) else str(value)


def _diff_sequence(la: list[Any], lb: list[Any], path: PathT, pa: Any, pb: Any, out: list[RawChange]) -> None:
    """Text steps: a replaced step is 'changed', a step found elsewhere 'moved'."""
    events: list[tuple[ChangeKind, int, int, Any, Any]] = []
    matcher = difflib.SequenceMatcher(a=la, b=lb, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        paired = min(i2 - i1, j2 - j1) if tag == "replace" else 0
        for k in range(paired):
            events.append((ChangeKind.changed, i1 + k, j1 + k, la[i1 + k], lb[j1 + k]))
        for i in range(i1 + paired, i2):
            events.append((ChangeKind.removed, i, -1, la[i], None))
        for j in range(j1 + paired, j2):
            events.append((ChangeKind.added, -1, j, None, lb[j]))
    added_at = {value: j for kind, _, j, _, value in events if kind is ChangeKind.added}
    moved = {value for kind, _, _, value, _ in events if kind is ChangeKind.removed and value in added_at}
    for kind, i, j, a, b in events:
        if kind is ChangeKind.added and b in moved:
            continue
        if kind is ChangeKind.removed and a in moved:
            out.append(RawChange((*path, Key(str(i))), ChangeKind.moved, a, f"{a}", pa, pb))
            continue
        index = j if kind is ChangeKind.added else i
        out.append(RawChange((*path, Key(str(index))), kind, a, b, pa, pb))
