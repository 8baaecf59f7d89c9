"""Evidence records checked against the result files they were read from.

An evidence sidecar says "do not edit by hand", but it is a YAML file in a
pull request like any other: a record whose ``value`` was raised, whose
failing slice was deleted, or whose result file is not the one in the store
would otherwise turn a failed acceptance condition into one that holds. So
every record is read again from its result file in the evidence store (the
copy named by its SHA-256), with the format and slice variable it was first
read with, and must say exactly what the file says: the value, the cases
and passes, the interval, the run's date and tool. Every measurement of a
result file must have its record, so a failing one cannot be dropped while
the others stay.

A record that cannot be checked (its result file missing from the store, or
no longer the bytes its hash names) fails the same way: the whole evidence
file is then unusable, as one that does not validate is.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable
from pathlib import Path

from specgen.diagnostics import Diagnostic
from specgen.evidence.errors import EvidenceError
from specgen.evidence.model import EvidenceFile, EvidenceRecord, Measurement, wilson_interval
from specgen.evidence.readers import read_result_file
from specgen.spec.loader import Source

__all__ = ["record_problems", "verify_records"]

Fetch = Callable[[str], Path | None]
"""The evidence store's copy of ``sha256/<hex><suffix>`` as a file to read, or
None when it has none; raises :class:`EvidenceError` for one it will not read."""


def _stated(record: EvidenceRecord, m: Measurement, run: tuple[object, ...]) -> list[str]:
    """What ``record`` says that the result file does not (empty: they agree)."""
    out = []
    if not _same(record.value, m.value):
        out.append(f"value {record.value!r}, the file {m.value!r}")
    if record.n != m.n:
        out.append(f"n {record.n}, the file {m.n}")
    if record.successes != m.successes:
        out.append(f"successes {record.successes}, the file {m.successes}")
    interval = wilson_interval(m.successes, m.n) if m.successes is not None and m.n > 0 else None
    if (record.interval is None) != (interval is None) or (
        record.interval is not None and interval is not None and not all(map(_same, record.interval, interval))
    ):
        out.append("an interval the cases do not give")
    for name, recorded, read in zip(("run_date", "tool", "tool_version"), _run_of(record), run, strict=True):
        if recorded != read:
            out.append(f"{name} {recorded}, the file {read}")
    return out


_SLICE_VAR_HINT = "evidence imported with --slice-var before specgen kept it needs it as artefact.slice_var"


def _same(recorded: float, read: float) -> bool:
    """Equal but for the last bits of a float (the interval's bounds were once
    worked out with a last step rounded otherwise: 0.9999999999999999 for 1)."""
    return math.isclose(recorded, read, rel_tol=0, abs_tol=1e-9)


def _run_of(record: EvidenceRecord) -> tuple[object, ...]:
    return (record.run_date, record.tool, record.tool_version)


def record_problems(evidence: EvidenceFile, fetch: Fetch) -> list[tuple[tuple[str | int, ...], str]]:
    """Each disagreement between ``evidence`` and its result files, as (path
    in the evidence file, message). ``fetch`` finds a stored result file."""
    out: list[tuple[tuple[str | int, ...], str]] = []
    by_file: dict[str, list[int]] = {}
    for index, record in enumerate(evidence.records):
        by_file.setdefault(record.artefact.sha256, []).append(index)
    for digest, indexes in by_file.items():
        first = evidence.records[indexes[0]].artefact
        where: tuple[str | int, ...] = ("records", indexes[0], "artefact")
        try:
            path = fetch(first.stored) if first.stored.startswith(f"sha256/{digest}") else None
        except EvidenceError as exc:  # there, but not to be read here (too large)
            out.append((where, f"{first.name} ({first.stored}): {exc.message}"))
            continue
        if path is None:
            missing = f"{first.name} ({first.stored}) is not in the evidence store: the record cannot be checked"
            out.append((where, missing))
            continue
        if hashlib.sha256(path.read_bytes()).hexdigest() != digest:
            out.append((where, f"the evidence store's {first.stored} is not the file its SHA-256 names"))
            continue
        try:
            result = read_result_file(path, slice_var=first.slice_var or "slice", fmt=first.format)
        except EvidenceError as exc:
            out.append((where, f"{first.name} cannot be read again: {exc.message.removeprefix(str(path))}"))
            continue
        stated = {(m.metric, m.slice): m for m in result.measurements}
        run = (result.run_date, result.tool, result.tool_version)
        recorded = set()
        for index in indexes:
            record = evidence.records[index]
            recorded.add((record.metric, record.slice))
            m = stated.get((record.metric, record.slice))
            if m is None:
                message = f"{first.name} states no {record.metric} on slice '{record.slice}'"
                if first.slice_var is None and record.slice != "all":  # recorded before the variable was kept
                    message += f" (read by the test variable 'slice'; {_SLICE_VAR_HINT})"
                out.append((("records", index, "metric"), message))
            elif differs := _stated(record, m, run):
                out.append((("records", index), f"not what {first.name} says: {'; '.join(differs)}"))
        for metric, slice_ in sorted(set(stated) - recorded):
            out.append((where, f"the record of {metric} on slice '{slice_}' from {first.name} was removed"))
    return out


def verify_records(evidence: EvidenceFile, source: Source, fetch: Fetch) -> list[Diagnostic]:
    """:func:`record_problems`, located in ``source`` (the evidence file)."""
    return [source.diagnostic(path, message, code="evidence") for path, message in record_problems(evidence, fetch)]


def store_fetch(store: Path) -> Fetch:
    """Result files from the evidence store folder ``store`` on disk."""

    def fetch(stored: str) -> Path | None:
        path = store / stored  # ``stored`` is validated as sha256/<hex><suffix>: no way out of the store
        return path if path.is_file() and not path.is_symlink() else None

    return fetch
