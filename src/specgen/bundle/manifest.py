"""``handover/MANIFEST.json``: its model, written by :mod:`specgen.bundle.archive`
and read back, bounded and validated, by :mod:`specgen.bundle.verify`.

The manifest lists every other file of the bundle with its SHA-256 and size,
each spec's content fingerprint, the git commit of the specs and the specgen
version. Reading one from an archive is reading untrusted input: its size is
bounded (:data:`MAX_MANIFEST_BYTES`), a key given twice or nesting deeper than
Python's JSON parser allows is an error, and the shape must match
:class:`Manifest` exactly (no coercion: a size written as text is wrong).
"""

from __future__ import annotations

import json
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from specgen.errors import SpecgenError

__all__ = [
    "MANIFEST",
    "MANIFEST_FORMAT",
    "MAX_MANIFEST_BYTES",
    "PREFIX",
    "Manifest",
    "ManifestError",
    "ManifestFile",
    "ManifestSpec",
    "parse_manifest",
]

PREFIX = "handover/"
"""Every entry of the archive sits under this folder."""
MANIFEST = "MANIFEST.json"
MANIFEST_FORMAT = "specgen-handover/1"
MAX_MANIFEST_BYTES = 4 * 2**20
"""The largest MANIFEST.json read (4 MiB: tens of thousands of files; a real one is a few KB)."""


class ManifestError(SpecgenError, ValueError):
    """The bytes are not a specgen handover manifest; the message says where and why, in one line."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class Generator(_Strict):
    name: str
    version: str


class ManifestSpec(_Strict):
    """One spec of the bundle."""

    id: str
    title: str
    version: str
    stage: str
    fingerprint: str
    source: str
    """The spec as written, relative to ``handover/``."""
    definitions: list[str]


class ManifestFile(_Strict):
    """One file of the bundle (relative to ``handover/``), with what it must hash to."""

    path: str
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    size: int = Field(ge=0)


class Manifest(_Strict):
    """The whole manifest; field order is the order written."""

    format: Literal["specgen-handover/1"]
    generator: Generator
    git_commit: str | None
    built: str = Field(pattern=r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
    specs: list[ManifestSpec]
    files: list[ManifestFile]

    @model_validator(mode="after")
    def _paths_once(self) -> Manifest:
        seen: set[str] = set()
        for entry in self.files:
            if entry.path in seen:
                raise ValueError(f"files: {entry.path!r} is listed twice")
            seen.add(entry.path)
        return self

    def listed(self) -> dict[str, ManifestFile]:
        """Path (relative to ``handover/``) → its entry."""
        return {entry.path: entry for entry in self.files}

    def to_json(self) -> dict[str, Any]:
        return self.model_dump(mode="json")


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ManifestError(f"the key {key!r} is given twice")
        result[key] = value
    return result


def _first_error(exc: ValidationError) -> str:
    """The first validation error as ``where: what`` (never the offending value, which is the archive's text)."""
    errors = exc.errors(include_url=False, include_input=False)
    first = errors[0]
    what = first["msg"].removeprefix("Value error, ")
    where = ".".join(str(part) for part in first["loc"])
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    return f"{where}: {what}{more}" if where else f"{what}{more}"


def parse_manifest(data: bytes) -> Manifest:
    """The manifest in ``data``; :class:`ManifestError` says why it is not one.

    ``data`` must already be bounded by the caller (see :data:`MAX_MANIFEST_BYTES`).
    """
    if len(data) > MAX_MANIFEST_BYTES:
        raise ManifestError(f"it is larger than the limit of {MAX_MANIFEST_BYTES} bytes")
    try:
        raw = json.loads(data.decode("utf-8"), object_pairs_hook=_no_duplicate_keys)
    except UnicodeDecodeError:
        raise ManifestError("it is not UTF-8 text") from None
    except RecursionError:
        raise ManifestError("it is nested too deeply") from None
    except ManifestError:
        raise
    except ValueError as exc:  # json.JSONDecodeError, or an integer too long to convert
        raise ManifestError(f"it is not JSON ({exc})") from None
    if not isinstance(raw, dict):
        kind = {list: "an array", str: "a string", bool: "a boolean", type(None): "null"}.get(type(raw), "a number")
        raise ManifestError(f"it is {kind}, not a JSON object")
    if raw.get("format") != MANIFEST_FORMAT:
        raise ManifestError(f"its format is not {MANIFEST_FORMAT}")
    try:
        return Manifest.model_validate(raw)
    except ValidationError as exc:
        raise ManifestError(_first_error(exc)) from None
