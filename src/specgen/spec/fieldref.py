"""The field reference: every field of the spec format, as data and as Markdown.

Walks the pydantic models from :class:`~specgen.spec.schema.Spec` (or
:class:`~specgen.spec.schema.Project`) down, so the reference can never disagree
with the schema; the field docstrings are the descriptions.
"""

from __future__ import annotations

import enum
import types
import typing
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel

from specgen.spec.schema import Project, Spec
from specgen.spec.schema.fielddocs import field_description
from specgen.spec.values import Duration, Percent, Ref
from specgen.templating import make_environment
from specgen.text import Md, site_markdown

__all__ = ["FieldRow", "ModelSection", "field_reference", "render_field_reference"]


@dataclass(frozen=True)
class FieldRow:
    name: str
    type: str
    required: bool
    description: str


@dataclass(frozen=True)
class ModelSection:
    name: str
    description: str
    fields: list[FieldRow]


def _type_name(annotation: typing.Any) -> str:
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is typing.Annotated:
        ref = next((m for m in args[1:] if isinstance(m, Ref)), None)
        if ref is not None:
            return " or ".join(f"{k} id" for k in ref.kinds)
        return _type_name(args[0])
    if origin in (typing.Union, types.UnionType):
        names = [_type_name(a) for a in args if a is not type(None)]
        return " or ".join(names)
    if origin is list:
        return f"list of {_type_name(args[0])}"
    if origin is dict:
        return "mapping"
    if isinstance(annotation, type):
        if issubclass(annotation, enum.Enum):
            return " | ".join(m.value for m in annotation)
        if issubclass(annotation, BaseModel):
            return annotation.__name__
        if annotation is Duration:
            return "duration (15m, 4h, 7y)"
        if annotation is Percent:
            return "percentage (2%)"
        return {"str": "text", "int": "whole number", "float": "number", "bool": "true/false", "date": "date"}.get(
            annotation.__name__, annotation.__name__
        )
    return str(annotation)


def _models(annotation: typing.Any) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    found = []
    for arg in typing.get_args(annotation):
        found.extend(_models(arg))
    return found


def field_reference(root: type[BaseModel] = Spec) -> list[ModelSection]:
    """Every model reachable from ``root``, breadth first, with its fields."""
    sections: list[ModelSection] = []
    seen: set[type[BaseModel]] = set()
    queue: list[type[BaseModel]] = [root]
    while queue:
        model = queue.pop(0)
        if model in seen:
            continue
        seen.add(model)
        rows = []
        for name, info in model.model_fields.items():
            described = field_description(model, name) or ""
            rows.append(FieldRow(name, _type_name(info.annotation), info.is_required(), described))
            queue.extend(m for m in _models(info.annotation) if m not in seen)
        doc = (model.__doc__ or "").strip().splitlines()[0] if model.__doc__ else ""
        sections.append(ModelSection(model.__name__, doc, rows))
    return sections


def _cell(text: str) -> Md:
    """A table cell of the reference. Its text is specgen's own (the schema's
    docstrings, with their code spans), never a spec's: trusted, with only the
    cell delimiter escaped."""
    return Md(str(text).replace("|", "\\|").replace("\n", " "))


def render_field_reference(kind: str = "spec", *, user_dirs: Sequence[Path] = ()) -> str:
    """The field reference as Markdown (template ``reference/fields.md.j2``;
    ``user_dirs`` are searched before the bundled templates)."""
    root = Spec if kind == "spec" else Project
    env = make_environment(user_dirs, escape=site_markdown, filters={"cell": _cell})
    return env.get_template("reference/fields.md.j2").render(kind=kind, sections=field_reference(root))
