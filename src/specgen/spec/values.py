"""Typed values used by the spec schema: durations, percentages, identifiers.

Each type validates the form a delivery lead writes in YAML (``15m``, ``99.5%``,
``risk-officer``) into a value the rules can compare, serialises back to the
same written form, and describes itself in the JSON Schema so editors can
complete and check it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Annotated, Any, ClassVar

from pydantic import (
    BeforeValidator,
    GetCoreSchemaHandler,
    GetJsonSchemaHandler,
    StringConstraints,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import core_schema

__all__ = ["TEXT_MAX", "TITLE_MAX", "Duration", "Id", "NonEmptyStr", "Percent", "Ratio", "ShortStr"]

_ID_PATTERN = r"^[a-z0-9][a-z0-9_.-]*$"

Id = Annotated[
    str,
    StringConstraints(pattern=_ID_PATTERN, min_length=1, max_length=80),
]
"""A stable identifier: lower-case letters, digits, ``-``, ``_`` and ``.``."""


TEXT_MAX = 10_000
"""Most characters of one free-text value (a long paragraph is about 1,000)."""
TITLE_MAX = 200
"""Most characters of a title or a name: it is shown on every page of the
site (the navigation) and in the DOCX properties."""

NonEmptyStr = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=TEXT_MAX)]
"""Free text that must say something (blank strings are rejected), at most
:data:`TEXT_MAX` characters."""
ShortStr = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=TITLE_MAX)]
"""A title or a name: non-blank, at most :data:`TITLE_MAX` characters."""


_UNIT_SECONDS = {
    "s": 1,
    "m": 60,
    "h": 3600,
    "d": 86400,
    "w": 7 * 86400,
    "mo": 30 * 86400,
    "y": 365 * 86400,
}
_DURATION_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(mo|s|m|h|d|w|y)\s*$")


_SEEN_MOST = 4096
"""Most written forms of one type whose value is remembered (see :class:`_WrittenValue`)."""


def _remembering(parse: Any) -> Any:
    """``parse``, remembering the value of each of the first :data:`_SEEN_MOST`
    texts it accepted: specs write the same few (``15m``, ``1h``) thousands of
    times, and the values are frozen, so one object serves them all."""
    seen: dict[str, Any] = {}

    def validate(value: Any) -> Any:
        if type(value) is not str:
            return parse(value)
        found = seen.get(value)
        if found is None:
            found = parse(value)
            if len(seen) < _SEEN_MOST:
                seen[value] = found
        return found

    return validate


class _WrittenValue:
    """A value written as text in YAML (``15m``, ``2%``): pydantic validates it
    with ``parse`` (remembering what each text gave: the values are frozen),
    serialises it back with ``str``, and describes it in the JSON Schema as a
    string of ``_PATTERN`` with ``_EXAMPLES``."""

    _PATTERN: str = ""
    _EXAMPLES: tuple[str, ...] = ()

    @classmethod
    def parse(cls, value: Any) -> Any:  # pragma: no cover - every subclass defines it
        raise NotImplementedError

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: GetCoreSchemaHandler) -> core_schema.CoreSchema:
        return core_schema.no_info_plain_validator_function(
            _remembering(cls.parse),
            serialization=core_schema.plain_serializer_function_ser_schema(str),
        )

    @classmethod
    def __get_pydantic_json_schema__(
        cls, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return {"type": "string", "pattern": cls._PATTERN, "examples": list(cls._EXAMPLES)}


@dataclass(frozen=True, order=True)
class Duration(_WrittenValue):
    """A span of time written as a number and a unit: ``30s``, ``15m``, ``4h``,
    ``2d``, ``1w``, ``3mo``, ``7y``. Compares by length; prints as written."""

    seconds: float
    text: str
    _PATTERN: ClassVar[str] = _DURATION_RE.pattern
    _EXAMPLES: ClassVar[tuple[str, ...]] = ("15m", "4h", "2d", "7y")

    @classmethod
    def parse(cls, value: Any) -> Duration:
        if isinstance(value, Duration):
            return value
        if isinstance(value, bool) or not isinstance(value, str):
            raise ValueError(
                "expected a duration such as '15m', '4h', '2d' or '7y' "
                f"(a number and one of s, m, h, d, w, mo, y), got {value!r}"
            )
        match = _DURATION_RE.match(value)
        if not match:
            raise ValueError(
                f"'{value}' is not a duration: write a number and a unit, "
                "such as '15m', '4h', '2d' or '7y' (units: s, m, h, d, w, mo, y)"
            )
        number, unit = match.groups()
        return cls(float(number) * _UNIT_SECONDS[unit], f"{number}{unit}")

    def __str__(self) -> str:
        return self.text


_PERCENT_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*%\s*$")


@dataclass(frozen=True, order=True)
class Percent(_WrittenValue):
    """A share written as ``2%`` or ``99.5%``; ``fraction`` is 0..1."""

    fraction: float
    _PATTERN: ClassVar[str] = _PERCENT_RE.pattern
    _EXAMPLES: ClassVar[tuple[str, ...]] = ("2%", "99.5%")

    @classmethod
    def parse(cls, value: Any) -> Percent:
        if isinstance(value, Percent):
            return value
        if isinstance(value, str):
            match = _PERCENT_RE.match(value)
            if not match:
                raise ValueError(f"'{value}' is not a percentage: write it like '2%' or '99.5%'")
            number = float(match.group(1))
        else:
            raise ValueError(f"expected a percentage such as '2%' or '99.5%', got {value!r}")
        if not 0 <= number <= 100:
            raise ValueError(f"a percentage must be between 0% and 100%, got {value!r}")
        return cls(number / 100)

    def __str__(self) -> str:
        return f"{self.fraction * 100:g}%"


def _ratio(value: Any) -> Any:
    if isinstance(value, str) and _PERCENT_RE.match(value):
        return Percent.parse(value).fraction
    return value


Ratio = Annotated[float, BeforeValidator(_ratio)]
"""A number between 0 and 1 (a confidence score); ``90%`` is accepted as 0.9."""


@dataclass(frozen=True)
class Ref:
    """Marks an id field as a reference to an entity of one of ``kinds``.

    The cross-reference check (:mod:`specgen.spec.xref`) finds these markers in the
    schema, so a new reference field is checked as soon as it is declared.
    """

    kinds: tuple[str, ...]


RoleRef = Annotated[str, StringConstraints(pattern=_ID_PATTERN), Ref(("role",))]
"""The id of a role (from the spec or the project file)."""
PersonRef = Annotated[str, StringConstraints(pattern=_ID_PATTERN), Ref(("person",))]
"""The id of a person (from the spec or the project file)."""
RoleOrPersonRef = Annotated[str, StringConstraints(pattern=_ID_PATTERN), Ref(("role", "person"))]
"""The id of a role or a person."""
DecisionRef = Annotated[str, StringConstraints(pattern=_ID_PATTERN), Ref(("decision",))]
"""The id of a decision in the same spec."""
ControlRef = Annotated[str, StringConstraints(pattern=_ID_PATTERN), Ref(("control",))]
"""The id of a runtime control in the same spec."""
RunbookRef = Annotated[str, StringConstraints(pattern=_ID_PATTERN), Ref(("runbook",))]
"""The id of a runbook in the same spec."""
SignalRef = Annotated[str, StringConstraints(pattern=_ID_PATTERN), Ref(("signal",))]
"""The id of an observability signal in the same spec."""
