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

import datetime as dt
import hashlib
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

from specgen.diagnostics import Diagnostic
from specgen.evidence.errors import EvidenceError
from specgen.evidence.model import Artefact, EvidenceFile, EvidenceRecord, Measurement, ReadResult, wilson_interval
from specgen.evidence.readers import read_result_file
from specgen.spec.loader import Source
from specgen.spec.memo import Memo, derived_key

__all__ = ["Fetch", "record_problems", "store_fetch", "verify_records"]

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


def record_problems(
    evidence: EvidenceFile, fetch: Fetch, memo: Memo | None = None
) -> list[tuple[tuple[str | int, ...], str]]:
    """Each disagreement between ``evidence`` and its result files, as (path
    in the evidence file, message). ``fetch`` finds a stored result file;
    ``memo`` (the build cache) keeps what a file said (:func:`_read_again`)."""
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
        try:
            read = _read_again(path, first, memo)
        except EvidenceError as exc:
            out.append((where, f"{first.name} cannot be read again: {exc.message.removeprefix(str(path))}"))
            continue
        if read is None:
            out.append((where, f"the evidence store's {first.stored} is not the file its SHA-256 names"))
            continue
        stated = {(m.metric, m.slice): m for m in read.measurements}
        run = (read.run_date, read.tool, read.tool_version)
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


def verify_records(evidence: EvidenceFile, source: Source, fetch: Fetch, memo: Memo | None = None) -> list[Diagnostic]:
    """:func:`record_problems`, located in ``source`` (the evidence file)."""
    problems = record_problems(evidence, fetch, memo)
    return [source.diagnostic(path, message, code="evidence") for path, message in problems]


MEMO_FORMAT = "specgen-evidence-read 1"
"""Changed whenever what :func:`_read_again` keeps changes layout."""
_RECENT: dict[str, ReadResult] = {}
"""What the files read in this process said, by the same key (a build reads a spec's evidence more than once)."""
_RECENT_MAX = 256


def _read_again(path: Path, artefact: Artefact, memo: Memo | None) -> ReadResult | None:
    """What the stored result file ``path`` says, read as ``artefact`` was
    first read; None when its bytes are not the ones its SHA-256 names.
    Raises :class:`EvidenceError` when it cannot be read.

    A file is hashed and read once for as long as it stays the same file:
    what it said is kept (in this process, and in ``memo``) under its path,
    inode, size, modification and change times (the change time no tool can
    set back), the format and slice variable, and specgen's code."""
    st = path.stat()
    identity = f"{st.st_ino}:{st.st_size}:{st.st_mtime_ns}:{st.st_ctime_ns}"
    key = derived_key(
        MEMO_FORMAT, str(path.resolve()), identity, artefact.sha256, str(artefact.format), str(artefact.slice_var)
    )
    found = _RECENT.get(key)
    if found is None and memo is not None:
        found = _restore(memo.get(key))
    if found is None:
        if _sha256(path) != artefact.sha256:
            return None
        found = read_result_file(path, slice_var=artefact.slice_var or "slice", fmt=artefact.format)
        if memo is not None:
            memo.put(key, _keepable(found))
    if len(_RECENT) >= _RECENT_MAX:
        _RECENT.clear()
    _RECENT[key] = found
    return found


def _sha256(path: Path) -> str:
    """The file's SHA-256, read in chunks: a result file may be larger than memory."""
    hashed = hashlib.sha256()
    with path.open("rb") as file:
        for chunk in iter(lambda: file.read(1 << 20), b""):
            hashed.update(chunk)
    return hashed.hexdigest()


def _keepable(result: ReadResult) -> dict[str, Any]:
    return {
        "tool": result.tool,
        "tool_version": result.tool_version,
        "run_date": result.run_date.isoformat(),
        "measurements": [[m.metric, m.slice, m.value, m.n, m.successes] for m in result.measurements],
    }


def _restore(value: Any) -> ReadResult | None:
    """A kept reading, checked field by field; None for anything else."""
    try:
        tool, version, day, rows = value["tool"], value["tool_version"], value["run_date"], value["measurements"]
        measurements = []
        for metric, slice_, number, n, successes in rows:
            ok = isinstance(metric, str) and isinstance(slice_, str) and type(n) is int
            ok = ok and isinstance(number, (int, float)) and not isinstance(number, bool)
            if not ok or not (successes is None or type(successes) is int):
                return None
            measurements.append(Measurement(metric, slice_, float(number), n, successes))
        if not isinstance(tool, str) or not (version is None or isinstance(version, str)):
            return None
        return ReadResult(tool, dt.date.fromisoformat(day), measurements, version)
    except (TypeError, KeyError, ValueError):
        return None


def store_fetch(store: Path) -> Fetch:
    """Result files from the evidence store folder ``store`` on disk."""

    def fetch(stored: str) -> Path | None:
        path = store / stored  # ``stored`` is validated as sha256/<hex><suffix>: no way out of the store
        return path if path.is_file() and not path.is_symlink() else None

    return fetch
