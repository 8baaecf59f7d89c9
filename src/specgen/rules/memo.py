"""Rule outcomes remembered by the hash of everything they are computed from.

Running every rule on every spec is most of ``specgen check``'s time, and
between two builds of ``specgen build`` or ``serve`` nearly every spec is
unchanged. What a rule concludes about a spec (its gaps, located, or why it
does not apply) and the ten diagnostic answers depend on nothing but:

* the spec file's text and display name (the positions come from the text);
* its evidence sidecar's bytes (or that there is none);
* the project (its policy, people, roles and declarative rules);
* the date (evidence freshness);
* specgen's own code, and the versions of the libraries that load specs.

:func:`outcome_key` digests exactly these; :func:`pack` and :func:`unpack`
turn the outcomes into JSON data and back. Waivers, stages and severities
are applied afterwards, every time, by :mod:`specgen.rules.engine`. A stored
value that does not decode is a miss, never trusted. A spec made in code
(no file) has no key and is always checked.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path
from typing import Any

from specgen.rules.model import DiagnosticAnswer, DiagnosticReading
from specgen.spec.loader import LoadedSpec
from specgen.spec.memo import derived_key
from specgen.spec.schema import Project
from specgen.spec.yamlsrc import Path_

__all__ = ["FORMAT", "Outcome", "outcome_key", "pack", "project_digest", "unpack"]

FORMAT = "specgen-rule-outcomes 1"
"""Changed whenever the layout of a stored value changes."""

Outcome = tuple[str | None, list[tuple[Path_, str, int, int]]]
"""What one rule concluded: (why it does not apply, or None; its gaps as
(path, message, line, column))."""
Recalled = tuple[dict[str, Outcome], DiagnosticReading]
"""Every rule's outcome by rule id, and the diagnostic reading."""


def project_digest(project: Project) -> str:
    """The digest of the project, for :func:`outcome_key` (computed once per check)."""
    return hashlib.sha256(project.model_dump_json().encode("utf-8")).hexdigest()


def outcome_key(loaded: LoadedSpec, project: str, today: dt.date) -> str | None:
    """The key of a spec's rule outcomes (``project``: :func:`project_digest`);
    None when they cannot be keyed (a spec made in code, or an evidence
    sidecar that cannot be read). ``loaded`` must be as the loader made it:
    the spec its source's text validates to."""
    source = loaded.source
    if source.path is None or not isinstance(source.text, str):
        return None
    from specgen.evidence.store import evidence_path

    sidecar = evidence_path(Path(source.path))
    try:
        evidence = b"present" + sidecar.read_bytes() if sidecar.is_file() else b"absent"
    except OSError:
        return None  # the check reports it; an unreadable file is never keyed
    evidence_digest = hashlib.sha256(evidence).hexdigest()
    return derived_key(FORMAT, source.name, source.text_digest, evidence_digest, project, today.isoformat())


def pack(outcomes: dict[str, Outcome], diagnostic: DiagnosticReading) -> dict[str, Any]:
    """JSON data for :meth:`Memo.put`."""
    return {
        "rules": {
            rule_id: [reason, [[list(path), message, line, column] for path, message, line, column in gaps]]
            for rule_id, (reason, gaps) in outcomes.items()
        },
        "diagnostic": diagnostic.to_dict(),
    }


def unpack(value: Any, rule_ids: list[str]) -> Recalled | None:
    """The outcomes of ``rule_ids`` and the diagnostic reading stored in
    ``value``; None when it is not exactly that."""
    try:
        stored = value["rules"]
        if set(stored) != set(rule_ids):
            return None
        outcomes: dict[str, Outcome] = {}
        for rule_id in rule_ids:
            reason, gaps = stored[rule_id]
            if reason is not None and not isinstance(reason, str):
                return None
            outcomes[rule_id] = (reason, [_gap(gap) for gap in gaps])
        reading = value["diagnostic"]
        answers = [
            DiagnosticAnswer(_int(a["number"]), _str(a["question"]), _bool(a["answer"]), _str(a["evidence"]))
            for a in reading["answers"]
        ]
        return outcomes, DiagnosticReading(answers, _int(reading["yes_count"]), _str(reading["reading"]))
    except (KeyError, TypeError, ValueError):
        return None


def _gap(data: Any) -> tuple[Path_, str, int, int]:
    path, message, line, column = data
    if not isinstance(path, list) or not all(isinstance(p, str | int) and not isinstance(p, bool) for p in path):
        raise ValueError("not a path")
    return tuple(path), _str(message), _int(line), _int(column)


def _str(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError("not a string")
    return value


def _int(value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise ValueError("not an integer")
    return value


def _bool(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError("not a boolean")
    return value
