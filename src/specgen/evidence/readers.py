"""Readers of result files: promptfoo JSON, JUnit XML, and a plain table (CSV or JSON).

Each reader turns the bytes of one file into a :class:`ReadResult`: the
measurements it states, the run date, the tool, and the spec it names (if
any). Files from outside are treated as hostile: JSON is decoded strictly as
UTF-8, XML is parsed with :mod:`defusedxml` (no entity expansion, no external
entities) and streamed, so a 200,000-case file never sits in memory; every
number is checked (finite, counts non-negative, one value per metric and
slice). A problem raises :class:`EvidenceError` naming the file and where.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from specgen.evidence.model import Measurement, ReadResult
from specgen.evidence.readers_common import fail as _fail
from specgen.evidence.readers_common import parse_date as _date
from specgen.evidence.readers_common import text as _text
from specgen.evidence.readers_junit import read_junit
from specgen.evidence.readers_promptfoo import JsonStream, read_promptfoo_stream

__all__ = ["FORMATS", "check_measurements", "read_result_file"]


def check_measurements(name: str, found: Iterable[Measurement]) -> list[Measurement]:
    """Refuse NaN or infinite values, negative or impossible counts, and a metric
    stated twice for the same slice."""
    seen: dict[tuple[str, str], str] = {}
    out = []
    for m in found:
        if not m.metric:
            raise _fail(name, m.where, "a measurement has no metric name")
        if not math.isfinite(m.value):
            raise _fail(name, m.where, f"metric '{m.metric}' has the value {m.value}, not a finite number")
        if m.n < 0 or (m.successes is not None and not 0 <= m.successes <= m.n):
            raise _fail(name, m.where, f"metric '{m.metric}' has an impossible count ({m.successes} of {m.n} cases)")
        key = (m.metric, m.slice)
        if key in seen:
            raise _fail(name, m.where, f"metric '{m.metric}' slice '{m.slice}' is stated twice (also at {seen[key]})")
        seen[key] = m.where
        out.append(m)
    return out


# ---------------------------------------------------------------- plain table

TABLE_COLUMNS = ("metric", "slice", "value", "n", "passed", "date", "tool", "tool_version", "spec")
REQUIRED = ("metric", "value", "n", "date")


def _number(name: str, where: str, column: str, raw: object, kind: Callable[[str], float | int]) -> Any:
    if isinstance(raw, bool):
        raise _fail(name, where, f"{column} is {raw}, not a number")
    try:
        value = kind(str(raw).strip())
    except (TypeError, ValueError):
        raise _fail(name, where, f"{column} {raw!r} is not a number") from None
    if isinstance(value, float) and not math.isfinite(value):
        raise _fail(name, where, f"{column} is {value}, not a finite number")
    return value


def _table(name: str, rows: list[tuple[str, dict[str, Any]]]) -> ReadResult:
    if not rows:
        raise _fail(name, "", "no rows")
    measurements = []
    meta: dict[str, set[str]] = {"date": set(), "tool": set(), "tool_version": set(), "spec": set()}
    for where, row in rows:
        unknown = sorted(set(row) - set(TABLE_COLUMNS))
        if unknown:
            raise _fail(name, where, f"unknown column(s) {', '.join(unknown)}; known: {', '.join(TABLE_COLUMNS)}")
        missing = [c for c in REQUIRED if row.get(c) in (None, "")]
        if missing:
            raise _fail(name, where, f"missing {', '.join(missing)}")
        n = _number(name, where, "n", row["n"], int)
        passed = row.get("passed")
        successes = None if passed in (None, "") else _number(name, where, "passed", passed, int)
        value = _number(name, where, "value", row["value"], float)
        if n < 0 or (successes is not None and successes < 0):
            raise _fail(name, where, "counts cannot be negative")
        if successes is not None and n and abs(value - successes / n) > 1e-9:
            raise _fail(name, where, f"value {value} is not passed/n = {successes}/{n}")
        for key in meta:
            if row.get(key) not in (None, ""):
                meta[key].add(str(row[key]).strip())
        slice_ = str(row.get("slice") or "all").strip()
        measurements.append(Measurement(str(row["metric"]).strip(), slice_, value, n, successes, where))
    for key, values in meta.items():
        if len(values) > 1:
            raise _fail(name, "", f"one file is one run: it names several {key}s ({', '.join(sorted(values))})")
    one = {k: next(iter(v), None) for k, v in meta.items()}
    return ReadResult(
        tool=one["tool"] or "table",
        tool_version=one["tool_version"],
        run_date=_date(name, rows[0][0], one["date"]),
        measurements=measurements,
        spec=one["spec"],
    )


def read_csv(name: str, data: bytes) -> ReadResult:
    text = _text(name, data)
    try:
        reader = csv.DictReader(io.StringIO(text, newline=""), strict=True)
        rows = [(f"{reader.line_num}", {k: v for k, v in row.items() if k is not None}) for row in reader]
    except csv.Error as exc:
        raise _fail(name, "", f"not valid CSV ({exc})") from None
    return _table(name, rows)


def read_json_table(name: str, data: Any) -> ReadResult:
    rows = data.get("results") if isinstance(data, dict) else data
    if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
        raise _fail(name, "", "neither promptfoo output nor a list of {metric, slice, value, n, date} rows")
    return _table(name, [(f"[{i}]", r) for i, r in enumerate(rows)])


FORMATS = ("promptfoo", "junit", "csv", "json")


def _read_json(path: Path, name: str, slice_var: str, fmt: str | None) -> ReadResult:
    """promptfoo output, streamed (its results one at a time), or a JSON table."""
    with JsonStream(path, name) as stream:
        first = stream.peek()
        if first == "{":
            found = read_promptfoo_stream(stream, slice_var)
            if isinstance(found, ReadResult):
                return found
            rows = found
        elif first == "[" and fmt != "promptfoo":
            rows = stream.value("")
            stream.end()
        else:
            raise _fail(name, stream.where(), "not a JSON object or list")
    if fmt == "promptfoo":
        raise _fail(name, "", "not promptfoo output (no results.results)")
    return read_json_table(name, rows)


def read_result_file(path: Path, *, slice_var: str = "slice", fmt: str | None = None) -> ReadResult:
    """Read one result file; the format from ``fmt`` or from its suffix and content."""
    name = str(path)
    try:
        if fmt == "junit" or (fmt is None and path.suffix.lower() == ".xml"):
            result = read_junit(path)
            result.measurements = check_measurements(name, result.measurements)
            return result
        data = path.read_bytes() if fmt == "csv" or (fmt is None and path.suffix.lower() == ".csv") else b""
    except OSError as exc:
        raise _fail(name, "", f"cannot read it ({exc.strerror})") from None
    if fmt == "csv" or (fmt is None and path.suffix.lower() == ".csv"):
        result = read_csv(name, data)
    else:
        result = _read_json(path, name, slice_var, fmt)
    result.measurements = check_measurements(name, result.measurements)
    return result
