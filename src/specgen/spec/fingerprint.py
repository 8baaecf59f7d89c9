"""Content fingerprints of a spec: what was signed or approved, exactly.

A fingerprint hashes the *validated* spec, not its text: comments, key order,
quoting and whitespace do not change it; any change of content does. The
``approvals`` section is left out, so recording an approval does not change
what was approved. Section fingerprints say which sections changed since.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from specgen.spec.schema import Spec

__all__ = ["EXCLUDED", "changed_sections", "fingerprint", "normalised", "section_fingerprints"]

EXCLUDED = frozenset({"approvals"})
"""Top-level fields outside the fingerprint."""


def normalised(spec: Spec) -> dict[str, Any]:
    """The spec as JSON-ready data, without the excluded sections."""
    return spec.model_dump(mode="json", exclude=set(EXCLUDED))


def _hash(data: Any) -> str:
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


def fingerprint(spec: Spec) -> str:
    """``sha256:<hex>`` of the normalised spec."""
    return _hash(normalised(spec))


def section_fingerprints(spec: Spec) -> dict[str, str]:
    """One fingerprint per top-level section (field), in schema order."""
    data = normalised(spec)
    return {name: _hash(data[name]) for name in type(spec).model_fields if name in data}


def changed_sections(before: dict[str, str], spec: Spec) -> list[str]:
    """Sections of ``spec`` whose fingerprint differs from ``before``."""
    now = section_fingerprints(spec)
    return [name for name in now if before.get(name) != now[name]] + sorted(set(before) - set(now))
