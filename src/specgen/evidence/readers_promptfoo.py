"""promptfoo results (``promptfoo eval -o results.json``), streamed.

The file is one JSON object; its ``results.results`` list holds one entry per
test (and prompt and provider), which is where it grows. :class:`JsonStream`
reads the file in chunks and decodes one value at a time (the standard
library's decoder, so no new dependency), so each test result is counted and
dropped: memory follows the largest single value, not the file. Everything
else (``config``, ``prompts``, ``stats``) is decoded as a whole, as it is small.

Read: the pass rate (``pass_rate``: tests that passed) and every named metric
(assertions with ``metric:``, scored as promptfoo's own
``namedScores``/``namedScoresCount``: one case per assertion), overall and per
value of the test variable ``slice_var``; the run date from
``results.timestamp``; the spec from ``config.metadata.spec``.
"""

from __future__ import annotations

import codecs
import json
from pathlib import Path
from types import TracebackType
from typing import Any

from specgen.evidence.model import Measurement, ReadResult
from specgen.evidence.readers_common import fail, parse_date, reject_constant, text

__all__ = ["JsonStream", "read_promptfoo_stream"]

CHUNK = 1 << 20
_DECODER = json.JSONDecoder(parse_constant=reject_constant)
_SPACE = " \t\r\n"


class JsonStream:
    """A JSON document read a value at a time from a file (strict UTF-8)."""

    def __init__(self, path: Path, name: str) -> None:
        self.path, self.name = path, name
        self._file: Any = None
        self._decoder = codecs.getincrementaldecoder("utf-8-sig")(errors="strict")
        self.buffer = ""
        self.pos = 0
        self._lines = 0  # newlines before the buffer
        self._line_start = 0  # where the current line starts, as an offset into the buffer (may be negative)
        self._eof = False

    def __enter__(self) -> JsonStream:
        try:
            self._file = self.path.open("rb")
        except OSError as exc:
            raise fail(self.name, "", f"cannot read it ({exc.strerror})") from None
        return self

    def __exit__(self, *exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        self._file.close()

    def _more(self) -> bool:
        if self._eof:
            return False
        raw = self._file.read(CHUNK)
        try:
            chunk = self._decoder.decode(raw, final=not raw)
        except UnicodeDecodeError:
            text(self.name, self.path.read_bytes())  # raises with the line and column
            raise
        if not raw:
            self._eof = True
        if self.pos > CHUNK:  # drop what was read, counting its lines for messages
            done = self.buffer[: self.pos]
            newlines = done.count("\n")
            self._lines += newlines
            self._line_start = (done.rfind("\n") + 1 if newlines else self._line_start) - self.pos
            self.buffer, self.pos = self.buffer[self.pos :], 0
        self.buffer += chunk
        return bool(raw) or bool(chunk)

    def where(self, offset: int | None = None) -> str:
        """``line:column`` of ``offset`` in the buffer (default: the current position)."""
        at = self.pos if offset is None else offset
        newlines = self.buffer.count("\n", 0, at)
        start = self.buffer.rfind("\n", 0, at) + 1 if newlines else self._line_start
        return f"{self._lines + newlines + 1}:{at - start + 1}"

    def peek(self) -> str:
        """The next character that is not white space ('' at the end)."""
        while True:
            while self.pos < len(self.buffer) and self.buffer[self.pos] in _SPACE:
                self.pos += 1
            if self.pos < len(self.buffer):
                return self.buffer[self.pos]
            if not self._more():
                return ""

    def expect(self, chars: str) -> str:
        found = self.peek()
        if not found or found not in chars:
            what = f"'{found}'" if found else "the end of the file"
            raise fail(
                self.name,
                self.where(),
                f"not valid JSON (expected {' or '.join(chars)}, found {what}); is the file truncated?",
            )
        self.pos += 1
        return found

    def value(self, where: str) -> Any:
        """Decode the next value whole."""
        self.peek()
        while True:
            try:
                value, end = _DECODER.raw_decode(self.buffer, self.pos)
            except json.JSONDecodeError as exc:
                if self._more():
                    continue
                raise fail(
                    self.name, self.where(exc.pos), f"not valid JSON ({exc.msg}); is the file truncated?"
                ) from None
            except ValueError as exc:
                raise fail(self.name, where, str(exc)) from None
            at_end = end == len(self.buffer) and not self._eof and self.buffer[self.pos] not in '{["'
            if at_end and self._more():  # a number may go on in the next chunk
                continue
            self.pos = end
            return value

    def end(self) -> None:
        if self.peek():
            raise fail(self.name, self.where(), "not valid JSON (more data after the document)")


class _Tally:
    """Running sums per (metric, slice): the cases are not kept."""

    def __init__(self) -> None:
        self.sums: dict[tuple[str, str], list[float]] = {}  # [total, cases, all scores 0 or 1]

    def add(self, metric: str, slice_: str, score: float) -> None:
        for key in {(metric, "all"), (metric, slice_)}:
            entry = self.sums.setdefault(key, [0.0, 0, 1])
            entry[0] += score
            entry[1] += 1
            if score not in (0, 1):
                entry[2] = 0

    def measurements(self, where: str) -> list[Measurement]:
        return [
            Measurement(metric, slice_, total / n, int(n), int(total) if binary else None, where)
            for (metric, slice_), (total, n, binary) in sorted(self.sums.items())
        ]


def _count(name: str, tally: _Tally, row: Any, where: str, slice_var: str) -> None:
    if not isinstance(row, dict) or not isinstance(row.get("success"), bool):
        raise fail(name, where, "a promptfoo result without 'success'")
    variables = row.get("vars") or (row.get("testCase") or {}).get("vars") or {}
    slice_ = str(variables.get(slice_var, "all")) if isinstance(variables, dict) else "all"
    tally.add("pass_rate", slice_, 1.0 if row["success"] else 0.0)
    grading = row.get("gradingResult") or {}
    for component in grading.get("componentResults") or [] if isinstance(grading, dict) else []:
        assertion = component.get("assertion") if isinstance(component, dict) else None
        metric = assertion.get("metric") if isinstance(assertion, dict) else None
        if metric:
            score = component.get("score", 1.0 if component.get("pass") else 0.0)
            if not isinstance(score, (int, float)) or isinstance(score, bool):
                raise fail(name, f"{where}.gradingResult", f"score of metric '{metric}' is not a number")
            tally.add(str(metric), slice_, float(score))


def _results_object(stream: JsonStream, tally: _Tally, slice_var: str) -> tuple[Any, bool]:
    """The ``results`` object: its timestamp, and whether it held a results list."""
    timestamp, seen = None, False
    if stream.expect("{") and stream.peek() == "}":
        stream.pos += 1
        return timestamp, seen
    while True:
        key = stream.value("results")
        stream.expect(":")
        if key == "results" and stream.peek() == "[":
            seen = True
            stream.expect("[")
            index = 0
            if stream.peek() == "]":
                stream.pos += 1
            else:
                while True:
                    where = f"results.results[{index}]"
                    _count(stream.name, tally, stream.value(where), where, slice_var)
                    index += 1
                    if stream.expect(",]") == "]":
                        break
        elif key == "timestamp":
            timestamp = stream.value("results.timestamp")
        else:
            stream.value(f"results.{key}")
        if stream.expect(",}") == "}":
            return timestamp, seen


def read_promptfoo_stream(stream: JsonStream, slice_var: str) -> ReadResult | list[Any] | Any:
    """promptfoo's results, or (for a ``{"results": [...]}`` table) the rows as they are."""
    tally = _Tally()
    timestamp, seen, spec, version = None, False, None, None
    stream.expect("{")
    if stream.peek() == "}":
        stream.pos += 1
        stream.end()
        return {}
    while True:
        key = stream.value("")
        stream.expect(":")
        if key == "results" and stream.peek() == "{":
            timestamp, seen = _results_object(stream, tally, slice_var)
        elif key == "results":
            rows = stream.value("results")
            if stream.expect(",}") == "}":
                stream.end()
            return rows  # a plain table in an object; the rest is ignored
        elif key == "config":
            config = stream.value("config")
            meta = config.get("metadata") if isinstance(config, dict) else None
            spec = meta.get("spec") if isinstance(meta, dict) else None
        elif key == "metadata":
            meta = stream.value("metadata")
            version = meta.get("promptfooVersion") if isinstance(meta, dict) else None
        else:
            stream.value(key if isinstance(key, str) else "")
        if stream.expect(",}") == "}":
            break
    stream.end()
    if not seen:
        return {}
    return ReadResult(
        tool="promptfoo",
        tool_version=version,
        run_date=parse_date(stream.name, "results.timestamp", timestamp),
        measurements=tally.measurements("results.results"),
        spec=spec,
    )
