"""What a computed object was derived from, for digesting it cheaply.

The site's build cache finds a workflow's pages by a digest of everything
they show (:func:`specgen.site.pagememo.fingerprint`). Two of those inputs
are computed from others: a spec's readiness report (from the spec file,
its evidence file, the project, the date, the stage and the rules) and its
evidence verdicts (from the same files and date). Spelling them out field by
field to digest them cost about half a millisecond per spec, on every build.

Where the code that computes such an object knows a key that covers every
input (the rules' cache key, :func:`specgen.rules.memo.outcome_key`), it
marks the object with it (:func:`mark`), and digesting uses the key instead
of the fields (:func:`derived_from`). The mark is not a field: it is not
compared, not serialised and not copied by ``dataclasses.replace`` (a
changed copy is digested field by field). What it asks: an object marked
must be exactly what its key's inputs make, and must not be changed after.
"""

from __future__ import annotations

import json
from typing import Any

__all__ = ["derived_from", "mark"]

_ATTRIBUTE = "_specgen_derived_from"


def mark(value: Any, *parts: str) -> None:
    """Record that ``value`` is what the inputs named by ``parts`` make (keys,
    and what else tells their inputs apart; frozen dataclasses too). The parts
    are kept as one JSON text, not hashed: whoever digests the object hashes it."""
    object.__setattr__(value, _ATTRIBUTE, json.dumps(parts))


def derived_from(value: Any) -> str | None:
    """The key ``value`` was marked with, if any."""
    found = getattr(value, "__dict__", {}).get(_ATTRIBUTE)
    return found if isinstance(found, str) else None
