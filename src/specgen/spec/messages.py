"""pydantic's validation errors as diagnostics a person can act on.

Each error becomes a message at the file, line and column of the value (or
key) it is about: what was expected in plain words, what was found, and for
an unknown key or a choice the closest known one.
"""

from __future__ import annotations

import difflib
import types
import typing
from collections.abc import Sequence
from typing import Any, Protocol

from pydantic import BaseModel, ValidationError

from specgen.diagnostics import Diagnostic
from specgen.spec.schema.fielddocs import field_description
from specgen.spec.yamlsrc import Path_, UnreadableScalar

__all__ = ["Locates", "describe", "validation_diagnostics"]


class Locates(Protocol):
    """A source that can place a message at a path (:class:`specgen.spec.loader.Source`)."""

    def diagnostic(self, path: Path_, message: str, *, key: bool = ...) -> Diagnostic: ...


def _unwrap(annotation: Any) -> list[Any]:
    """The model classes an annotation can hold (through Optional, list, Annotated)."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _unwrap(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType, list, dict, tuple):
        found: list[Any] = []
        for arg in typing.get_args(annotation):
            found.extend(_unwrap(arg))
        return found
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return []


def _model_at(root: type[BaseModel], loc: Sequence[str | int]) -> type[BaseModel] | None:
    current: type[BaseModel] | None = root
    for part in loc:
        if current is None:
            return None
        if isinstance(part, int):
            continue
        info = current.model_fields.get(part)
        if info is None:
            return None
        models = _unwrap(info.annotation)
        current = models[0] if models else None
    return current


def describe(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, bool):
        return f"'{str(value).lower()}' (yes/no)"
    if value is None:
        return "nothing"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return f"'{shown}'"
    return f"'{value}'"


_TYPE_WORDS = {
    "string_type": "text",
    "int_type": "a whole number",
    "int_parsing": "a whole number",
    "int_from_float": "a whole number",
    "float_type": "a number",
    "float_parsing": "a number",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "date_type": "a date such as 2026-03-31",
    "date_parsing": "a date such as 2026-03-31",
    "date_from_datetime_parsing": "a date such as 2026-03-31",
    "list_type": "a list",
    "dict_type": "a mapping of keys to values",
    "model_type": "a mapping of fields",
    "model_attributes_type": "a mapping of fields",
}


def _message(root: type[BaseModel], error: Any) -> tuple[str, bool]:
    """A human message for one pydantic error, and whether to point at the key."""
    kind = error["type"]
    loc = error["loc"]
    value = error.get("input")
    ctx = error.get("ctx") or {}
    if isinstance(value, UnreadableScalar):  # 2026-02-30 where a date or a number was expected
        return value.describe(), False
    if kind == "missing":
        model = _model_at(root, loc[:-1])
        desc = ""
        if model is not None and loc[-1] in model.model_fields:
            desc = field_description(model, loc[-1]) or ""
        hint = f" ({desc.rstrip('.')})" if desc else ""
        return f"required field '{loc[-1]}' is missing{hint}", True
    if kind == "extra_forbidden":
        model = _model_at(root, loc[:-1])
        known = sorted(model.model_fields) if model else []
        close = difflib.get_close_matches(str(loc[-1]), known, n=1, cutoff=0.6)
        hint = (
            f"; did you mean '{close[0]}'?" if close else (f" (expected one of: {', '.join(known)})" if known else "")
        )
        return f"unknown field '{loc[-1]}'{hint}", True
    if kind == "enum":
        expected = ctx.get("expected", "").replace("'", "")
        options = [o.strip() for o in expected.replace(" or ", ", ").split(",") if o.strip()]
        close = difflib.get_close_matches(str(value), options, n=1, cutoff=0.6)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        return f"expected one of {', '.join(options)}; got {describe(value)}{hint}", False
    if kind == "string_pattern_mismatch":
        pattern = str(ctx.get("pattern", ""))
        if pattern.startswith("^[a-z0-9]"):
            return (
                f"{describe(value)} is not a valid id: use lower-case letters, digits, "
                "'-', '_' and '.', starting with a letter or digit"
            ), False
        choices = pattern.strip("^$()").split("|") if "|" in pattern else None
        if choices:
            return f"expected one of {', '.join(choices)}; got {describe(value)}", False
        return f"{describe(value)} does not have the expected form ({pattern})", False
    if kind in ("string_too_short", "too_short"):
        return "must not be empty", False
    if kind in ("string_too_long", "too_long"):
        limit = ctx.get("max_length", 0)
        unit = "characters" if isinstance(value, str) else "items"
        size = len(value) if isinstance(value, (str, list, dict)) else ctx.get("actual_length", 0)
        return f"too long: {size:,} {unit}, at most {limit:,} allowed here (see README, Reliability)", False
    if kind == "value_error":
        return str(ctx.get("error", error["msg"])), False
    if kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
        bound = next(iter(ctx.values()), "")
        word = {
            "greater_than_equal": "at least",
            "less_than_equal": "at most",
            "greater_than": "more than",
            "less_than": "less than",
        }[kind]
        return f"must be {word} {bound}; got {describe(value)}", False
    if kind in _TYPE_WORDS:
        hint = ""
        if kind == "string_type" and isinstance(value, dict) and len(value) == 1:
            hint = " (a ': ' inside text starts a mapping: put the whole text in quotes)"
        elif kind == "string_type" and isinstance(value, (int, float)) and not isinstance(value, bool):
            hint = f" (put it in quotes, '{value}': YAML reads unquoted 1.10 as the number 1.1)"
        return f"expected {_TYPE_WORDS[kind]}, got {describe(value)}{hint}", False
    return f"{error['msg']}; got {describe(value)}", False


def validation_diagnostics(root: type[BaseModel], exc: ValidationError, source: Locates) -> list[Diagnostic]:
    """Map a pydantic ValidationError to located diagnostics."""
    result = []
    for error in exc.errors(include_url=False):
        loc = tuple(part for part in error["loc"] if isinstance(part, (str, int)))
        message, at_key = _message(root, error)
        result.append(source.diagnostic(loc, message, key=at_key))
    return result
