"""Cross-reference check: ids are unique within their kind, references resolve.

Which fields are references is read from the schema itself (fields typed
``RoleRef``, ``RunbookRef``... carry a :class:`specgen.spec.values.Ref` marker), so
this module holds no list of fields to keep in step with the schema.
"""

from __future__ import annotations

import difflib
import functools
import typing
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from specgen.diagnostics import Diagnostic, Level
from specgen.spec.loader import LoadedSpec, Portfolio, Source
from specgen.spec.memo import Memo, derived_key
from specgen.spec.schema import (
    AcceptanceCondition,
    Control,
    DataSource,
    Decision,
    DecisionRecord,
    Dependency,
    Person,
    Project,
    Role,
    Runbook,
    Signal,
    Spec,
)
from specgen.spec.values import Ref
from specgen.spec.yamlsrc import Path_

__all__ = ["ENTITY_KINDS", "Registry", "iter_refs", "reference_diagnostics", "registry_for"]

ENTITY_KINDS: dict[type[BaseModel], str] = {
    Person: "person",
    Role: "role",
    Decision: "decision",
    DecisionRecord: "decision record",
    Control: "control",
    AcceptanceCondition: "acceptance condition",
    Signal: "signal",
    Runbook: "runbook",
    DataSource: "data source",
    Dependency: "dependency",
}
"""Models whose ``id`` defines an entity that references can name."""


def _ref_of(annotation: typing.Any) -> tuple[Ref | None, bool]:
    """(Ref marker, is_list) for a field annotation."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        for meta in typing.get_args(annotation)[1:]:
            if isinstance(meta, Ref):
                return meta, False
        return None, False
    if origin is list:
        ref, _ = _ref_of(typing.get_args(annotation)[0])
        return ref, True
    if origin is not None:  # Optional / Union
        for arg in typing.get_args(annotation):
            ref, is_list = _ref_of(arg)
            if ref:
                return ref, is_list
    return None, False


@functools.cache
def _ref_fields(model: type[BaseModel]) -> tuple[tuple[str, Ref, bool], ...]:
    found = []
    for name, info in model.model_fields.items():
        ref = next((m for m in info.metadata if isinstance(m, Ref)), None)
        is_list = False
        if ref is None:
            ref, is_list = _ref_of(info.annotation)
        if ref is not None:
            found.append((name, ref, is_list))
    return tuple(found)


def _walk(model: BaseModel, path: Path_) -> Iterator[tuple[BaseModel, Path_]]:
    yield model, path
    for name in type(model).model_fields:
        value = getattr(model, name)
        if isinstance(value, BaseModel):
            yield from _walk(value, (*path, name))
        elif isinstance(value, list):
            for i, item in enumerate(value):
                if isinstance(item, BaseModel):
                    yield from _walk(item, (*path, name, i))


def _refs_of(node: BaseModel, node_path: Path_) -> Iterator[tuple[Path_, tuple[str, ...], str]]:
    for name, ref, is_list in _ref_fields(type(node)):
        value = getattr(node, name)
        if value is None:
            continue
        if is_list:
            for i, item in enumerate(value):
                yield (*node_path, name, i), ref.kinds, item
        else:
            yield (*node_path, name), ref.kinds, value


def iter_refs(model: BaseModel, path: Path_ = ()) -> Iterator[tuple[Path_, tuple[str, ...], str]]:
    """Every reference in a model: (path, kinds it may name, id named)."""
    for node, node_path in _walk(model, path):
        yield from _refs_of(node, node_path)


def iter_entities(model: BaseModel, path: Path_ = ()) -> Iterator[tuple[str, str, Path_]]:
    """Every entity defined in a model: (kind, id, path of the id)."""
    for node, node_path in _walk(model, path):
        kind = ENTITY_KINDS.get(type(node))
        if kind is not None:
            yield kind, node.id, (*node_path, "id")  # type: ignore[attr-defined]


def _index(model: BaseModel) -> tuple[list[tuple[str, str, Path_]], list[tuple[Path_, tuple[str, ...], str]]]:
    """Entities and references of a model, in one walk."""
    entities: list[tuple[str, str, Path_]] = []
    refs: list[tuple[Path_, tuple[str, ...], str]] = []
    for node, node_path in _walk(model, ()):
        kind = ENTITY_KINDS.get(type(node))
        if kind is not None:
            entities.append((kind, node.id, (*node_path, "id")))  # type: ignore[attr-defined]
        refs.extend(_refs_of(node, node_path))
    return entities, refs


@dataclass
class Registry:
    """Ids known to one spec, by kind (the project's people and roles included)."""

    ids: dict[str, dict[str, str]]

    def known(self, kind: str) -> dict[str, str]:
        return self.ids.get(kind, {})


def _registry(*entity_lists: list[tuple[str, str, Path_]]) -> Registry:
    ids: dict[str, dict[str, str]] = {}
    for label, entities in zip(("project", "spec"), entity_lists, strict=False):
        for kind, ident, _ in entities:
            ids.setdefault(kind, {}).setdefault(ident, label)
    return Registry(ids)


def registry_for(spec: Spec, project: Project) -> Registry:
    """The ids a spec can refer to: its own entities and the project's."""
    return _registry(list(iter_entities(project)), list(iter_entities(spec)))


def _unresolved(kinds: tuple[str, ...], ident: str, registry: Registry) -> str | None:
    known: list[str] = []
    for kind in kinds:
        names = registry.known(kind)
        if ident in names:
            return None
        known.extend(names)
    what = " or ".join(kinds)
    close = difflib.get_close_matches(ident, known, n=1, cutoff=0.6)
    listing = ", ".join(sorted(known)[:8]) + (", ..." if len(known) > 8 else "")
    hint = f"; did you mean '{close[0]}'?" if close else ""
    if not known:
        where = "specgen.yml or this spec" if {"role", "person"} & set(kinds) else "this spec"
        return f"unknown {what} '{ident}': no {what} is defined (define it in {where})"
    return f"unknown {what} '{ident}' (known: {listing}){hint}"


def _duplicates(entities: list[tuple[str, str, Path_]], source: Source) -> list[Diagnostic]:
    out = []
    seen: dict[tuple[str, str], Path_] = {}
    for kind, ident, path in entities:
        key = (kind, ident)
        if key in seen:
            first = source.positions.locate(seen[key]).line
            message = f"duplicate {kind} id '{ident}' (first defined at line {first})"
            out.append(source.diagnostic(path, message, code="reference"))
        else:
            seen[key] = path
    return out


def _unresolved_refs(
    refs: list[tuple[Path_, tuple[str, ...], str]], registry: Registry, source: Source
) -> list[Diagnostic]:
    out = []
    for path, kinds, ident in refs:
        problem = _unresolved(kinds, ident, registry)
        if problem:
            out.append(source.diagnostic(path, problem, code="reference"))
    return out


def check_spec(
    loaded: LoadedSpec, project: Project, project_entities: list[tuple[str, str, Path_]] | None = None
) -> list[Diagnostic]:
    """Duplicate ids and unresolved references in one spec."""
    source = loaded.source
    if project_entities is None:
        project_entities = list(iter_entities(project))
    entities, refs = _index(loaded.spec)
    out = _duplicates(entities, source)
    # a spec may not silently redefine a person or role of the project file
    project_ids = {(k, i) for k, i, _ in project_entities}
    for kind, ident, path in entities:
        if (kind, ident) in project_ids:
            message = f"{kind} '{ident}' is already defined in the project file"
            out.append(source.diagnostic(path, message, code="reference"))
    out.extend(_unresolved_refs(refs, _registry(project_entities, entities), source))
    return out


def check_project(project: Project, source: Source) -> list[Diagnostic]:
    """Duplicate ids and unresolved references in the project file."""
    entities, refs = _index(project)
    return _duplicates(entities, source) + _unresolved_refs(refs, _registry(entities), source)


MEMO_FORMAT = "specgen-xref 1"
"""Changed whenever the layout of a remembered value changes."""


def _remembered(value: Any) -> list[Diagnostic] | None:
    """The diagnostics stored in ``value``; None when it is not exactly a list of them."""
    if not isinstance(value, list):
        return None
    out = []
    for item in value:
        if not isinstance(item, list) or len(item) != 6:
            return None
        file, line, column, path, message, code = item
        if not (all(isinstance(v, str) for v in (file, path, message, code)) and _is_int(line) and _is_int(column)):
            return None
        out.append(Diagnostic(file, line, column, path, message, Level.error, code))
    return out


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _checked(
    loaded: LoadedSpec, project: Project, entities: list[tuple[str, str, Path_]], memo: Memo | None, project_key: str
) -> list[Diagnostic]:
    """:func:`check_spec`, or what it gave for the same file and project ids
    (by :func:`specgen.spec.memo.derived_key`)."""
    source = loaded.source
    if memo is None or source.path is None or not isinstance(source.text, str):
        return check_spec(loaded, project, entities)
    key = derived_key(MEMO_FORMAT, source.name, source.text_digest, project_key)
    stored = memo.get(key)
    found = None if stored is None else _remembered(stored)
    if found is None:
        found = check_spec(loaded, project, entities)
        if all(d.level is Level.error for d in found):
            memo.put(key, [[d.file, d.line, d.column, d.path, d.message, d.code] for d in found])
    return found


def reference_diagnostics(portfolio: Portfolio, memo: Memo | None = None) -> list[Diagnostic]:
    """Cross-reference diagnostics for the whole portfolio. With a ``memo``
    (the build cache), a spec file's own diagnostics are reused while its
    text and the ids the project defines stay the same."""
    out: list[Diagnostic] = []
    if not portfolio.project_valid:  # its people and roles are unknown (the loader says so)
        return out
    if portfolio.project_source is not None:
        out.extend(check_project(portfolio.project, portfolio.project_source))
    project_entities = list(iter_entities(portfolio.project))
    project_key = repr([(kind, ident) for kind, ident, _ in project_entities]) if memo is not None else ""
    first_by_id: dict[str, LoadedSpec] = {}
    for loaded in portfolio.specs:
        out.extend(_checked(loaded, portfolio.project, project_entities, memo, project_key))
        other = first_by_id.setdefault(loaded.spec.id, loaded)
        if other is not loaded:
            out.append(
                loaded.source.diagnostic(
                    ("id",),
                    f"duplicate spec id '{loaded.spec.id}' (also used by {other.source.name})",
                    code="reference",
                )
            )
    return out
