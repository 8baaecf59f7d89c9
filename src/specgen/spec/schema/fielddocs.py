"""Field descriptions: the docstring under each field of a model, read when asked.

Every field of a spec model is described by the string under it::

    class Owner(Model):
        role: Text
        \"\"\"What the owner answers for.\"\"\"

pydantic's ``use_attribute_docstrings`` reads them as each model class is
made, by finding the class's source through the stack and tokenizing it:
about a quarter of importing the schema, paid by every ``specgen`` command,
though only three things ever read a description: the message for a missing
field (:mod:`specgen.spec.messages`), the field reference
(:mod:`specgen.spec.fieldref`) and the JSON Schema (:mod:`.export`). Here
they are read from each module's source once, the first time one is asked
for, by the same rule as pydantic's (a string statement right after an
annotated field, cleaned with :func:`inspect.cleandoc`; a field's
description is that of the class that annotates it, or the one given with
``Field(description=...)``). A test holds the two to the same answers for
every model.
"""

from __future__ import annotations

import ast
import inspect
import sys
from functools import cache
from typing import Any

__all__ = ["describe_properties", "field_description"]


def field_description(model: type[Any], name: str) -> str | None:
    """The description of ``model``'s field ``name`` (None: none, or no such field)."""
    info = model.model_fields.get(name)
    if info is None:
        return None
    if info.description is not None:
        return str(info.description)
    for klass in model.__mro__:  # the class whose annotation made the field describes it
        if name in inspect.get_annotations(klass):  # its own, not inherited
            return _class_docs(klass.__module__, klass.__qualname__).get(name)
    return None


def describe_properties(schema: dict[str, Any], model: type[Any]) -> None:
    """Put each field's description into ``model``'s JSON Schema (pydantic's
    ``json_schema_extra`` hook, called for each model as its schema is made;
    the keys are sorted after it, so the output is as pydantic's own)."""
    properties = schema.get("properties")
    if not isinstance(properties, dict):
        return
    for name, info in model.model_fields.items():
        found = properties.get(info.alias or name)
        if isinstance(found, dict) and "description" not in found:
            text = field_description(model, name)
            if text:
                found["description"] = text


@cache
def _class_docs(module: str, qualname: str) -> dict[str, str]:
    """Field name → docstring in the class ``qualname`` of ``module``'s source."""
    node = _module_classes(module).get(qualname)
    return {} if node is None else _docstrings(node)


@cache
def _module_classes(module: str) -> dict[str, ast.ClassDef]:
    """Every class in ``module``'s source by qualified name (``Outer.Inner``)."""
    try:
        tree = ast.parse(inspect.getsource(sys.modules[module]))
    except (KeyError, OSError, TypeError, SyntaxError):
        return {}
    found: dict[str, ast.ClassDef] = {}

    def visit(body: list[ast.stmt], prefix: str) -> None:
        for stmt in body:
            if isinstance(stmt, ast.ClassDef):
                found[prefix + stmt.name] = stmt
                visit(stmt.body, f"{prefix}{stmt.name}.")

    visit(tree.body, "")
    return found


def _docstrings(node: ast.ClassDef) -> dict[str, str]:
    """pydantic's rule: a string statement right after an annotated name."""
    docs: dict[str, str] = {}
    target: str | None = None
    previous: ast.stmt | None = None
    for stmt in node.body:
        if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
            target = stmt.target.id
        elif (
            isinstance(stmt, ast.Expr)
            and isinstance(stmt.value, ast.Constant)
            and isinstance(stmt.value.value, str)
            and isinstance(previous, ast.AnnAssign)
        ):
            if target:
                docs[target] = inspect.cleandoc(stmt.value.value)
            target = None
        previous = stmt
    return docs
