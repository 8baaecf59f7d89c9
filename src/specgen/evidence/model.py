"""What a measurement is, and what a recorded piece of evidence holds.

A reader turns a result file into :class:`Measurement` s (metric, slice,
value, cases); recording one against a spec makes an :class:`EvidenceRecord`
that also names the run (date, tool), the artefact (stored path, sha256) and
the spec it was measured against (version, fingerprints, git commit). The
records of one spec live in its evidence sidecar, :class:`EvidenceFile`.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Annotated, Literal

from pydantic import Field

from specgen.spec.schema import Model
from specgen.spec.values import Id

__all__ = ["Artefact", "EvidenceFile", "EvidenceRecord", "Measurement", "ReadResult", "wilson_interval"]

Z95 = 1.959963984540054
"""The normal quantile of a two-sided 95% interval."""


def wilson_interval(successes: int, n: int, z: float = Z95) -> tuple[float, float]:
    """The Wilson score interval of ``successes`` out of ``n`` (95% by default)."""
    if n <= 0:
        raise ValueError("a proportion needs at least one case")
    p = successes / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    low = 0.0 if successes == 0 else max(0.0, centre - half)
    high = 1.0 if successes == n else min(1.0, centre + half)
    return low, high


@dataclass(frozen=True)
class Measurement:
    """One number a result file states: ``metric`` on ``slice`` over ``n`` cases.

    ``successes`` is set for a proportion (value = successes / n), which then
    has a Wilson interval; any other value (a mean, a latency) has none.
    """

    metric: str
    slice: str
    value: float
    n: int
    successes: int | None = None
    where: str = ""
    """Where in the file it was read (for messages)."""


@dataclass
class ReadResult:
    """What one result file states: its measurements and the run that made them."""

    tool: str
    run_date: dt.date
    measurements: list[Measurement]
    tool_version: str | None = None
    spec: str | None = None
    """The spec id the file says it measures, if it says."""


class Artefact(Model):
    """The result file, as imported and as kept in the evidence store."""

    name: str
    """The file's name when it was imported."""
    stored: Annotated[str, Field(pattern=r"^sha256/[0-9a-f]{64}(\.[a-z0-9]{1,10})?$")]
    """Its copy in the evidence store, relative to the store's folder (``sha256/<hex><suffix>``)."""
    sha256: Annotated[str, Field(pattern="^[0-9a-f]{64}$")]
    """SHA-256 of its bytes."""
    format: Literal["promptfoo", "junit", "csv", "json"] | None = None
    """The format it was read as when one was asked for (``--format``); else from its suffix and content."""
    slice_var: str | None = None
    """promptfoo's test variable naming the slice, when not ``slice`` (``--slice-var``)."""


class EvidenceRecord(Model):
    """One measured value, the run that produced it, and what it was measured against."""

    metric: str
    """Metric name as the result file states it."""
    slice: str = "all"
    """Slice measured ('all' or a slice value)."""
    value: float
    """Measured value (a proportion between 0 and 1 for pass rates)."""
    n: Annotated[int, Field(ge=0)]
    """Number of cases."""
    successes: Annotated[int, Field(ge=0)] | None = None
    """For a proportion: cases that passed."""
    interval: tuple[float, float] | None = None
    """For a proportion: the 95% Wilson interval."""
    run_date: dt.date
    """When the run happened (read from the file)."""
    tool: str
    """The tool that wrote the file (promptfoo, junit, table)."""
    tool_version: str | None = None
    """The tool's version when the file states it."""
    artefact: Artefact
    """The result file."""
    spec_version: str
    """The spec's version when the evidence was recorded."""
    fingerprint: str
    """The spec's content fingerprint when the evidence was recorded."""
    sections: dict[str, str] = Field(default_factory=dict)
    """Fingerprints of what the verdict depends on (the decisions, the conditions and metrics)."""
    commit: str | None = None
    """The git commit checked out when the evidence was recorded, if any."""

    @property
    def is_proportion(self) -> bool:
        return self.successes is not None


class EvidenceFile(Model):
    """The evidence sidecar of one spec (written by ``specgen evidence add``)."""

    schema_version: Annotated[int, Field(ge=1, le=1)] = 1
    """Version of the evidence file format."""
    spec: Id
    """Id of the spec this evidence is for."""
    records: list[EvidenceRecord] = Field(default_factory=list)
    """Recorded measurements, in the order they were imported."""
