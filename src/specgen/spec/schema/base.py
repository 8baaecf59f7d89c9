"""The base of every spec model, and what all sections share.

:class:`Model` (unknown keys are errors, values are immutable), the format
version, the text and confidence types, and the enumerations more than one
section uses: the stage and consequence that decide how strict the rules are,
incident severity and cadence.
"""

from __future__ import annotations

from enum import Enum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from specgen.spec.schema.fielddocs import describe_properties
from specgen.spec.values import NonEmptyStr, Ratio, ShortStr

SCHEMA_VERSION = 1


class Model(BaseModel):
    """Base for every spec model: unknown keys are errors, values are immutable."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        str_strip_whitespace=True,
        validate_default=False,
        # the docstring under each field describes it; read when asked, not as each class is made
        json_schema_extra=describe_properties,
        # a model's validator is made when first used: most are only ever part of Spec's or Project's
        defer_build=True,
    )


Text = NonEmptyStr
Title = ShortStr
Confidence = Annotated[Ratio, Field(ge=0, le=1)]


class Stage(str, Enum):
    """How far the workflow has come; it decides how strict the checks are."""

    experimentation = "experimentation"
    limited_rollout = "limited_rollout"
    system_of_record = "system_of_record"

    @property
    def rank(self) -> int:
        """0, 1, 2 from experimentation to system of record."""
        return _STAGE_RANK[self]  # a str enum: its member hashes and compares as its value

    @property
    def label(self) -> str:
        return self.value.replace("_", " ")


_STAGE_RANK = {"experimentation": 0, "limited_rollout": 1, "system_of_record": 2}


class Consequence(str, Enum):
    """What an error costs the business or the people it affects."""

    low = "low"
    medium = "medium"
    high = "high"
    critical = "critical"


class Severity(str, Enum):
    """Incident or probe severity, most severe first."""

    sev1 = "sev1"
    sev2 = "sev2"
    sev3 = "sev3"
    sev4 = "sev4"


class Cadence(str, Enum):
    """How often something recurs."""

    continuous = "continuous"
    daily = "daily"
    weekly = "weekly"
    fortnightly = "fortnightly"
    monthly = "monthly"
    quarterly = "quarterly"
    yearly = "yearly"
