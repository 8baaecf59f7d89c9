"""The JSON Schema of a spec or of the project file, as published in
``schema/*.schema.json`` and used by editors."""

from __future__ import annotations

from specgen.spec.schema.base import Model
from specgen.spec.schema.project import Project
from specgen.spec.schema.spec import Spec

SCHEMA_ID = "https://specgen.invalid/schema/v1/{kind}.json"


def json_schema(kind: str = "spec") -> dict[str, object]:
    """The JSON Schema of a spec (``kind="spec"``) or of the project file."""
    model: type[Model] = Spec if kind == "spec" else Project
    schema = model.model_json_schema(mode="validation")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID.format(kind=kind),
        **schema,
    }


def json_schema_text(kind: str = "spec") -> str:
    """:func:`json_schema` as stable, indented JSON."""
    import json

    return json.dumps(json_schema(kind), indent=2, ensure_ascii=False)
