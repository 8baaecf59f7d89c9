"""JUnit XML (``pytest --junitxml`` and the many harnesses that write it), streamed.

Every ``<testcase>`` counts once for its metric and slice: the metric is its
``metric`` property, else its suite's name; the slice its ``slice`` property,
else 'all' (pytest: ``record_property("slice", "fr")``). A case with
``<failure>`` or ``<error>`` fails, one with ``<skipped>`` is left out, any
other passes; the value is the pass rate. A suite property ``spec`` names the
spec the run measures. The run date is the first suite's ``timestamp``.

The file is parsed with :mod:`defusedxml` (entity declarations and external
references are refused) by ``iterparse``: each test case is dropped once
counted, so memory stays flat however large the file.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from xml.etree.ElementTree import Element, ParseError

from specgen.evidence.errors import located
from specgen.evidence.model import Measurement, ReadResult

__all__ = ["read_junit"]

_FAILED = {"failure", "error"}


def _properties(element: Element) -> dict[str, str]:
    found: dict[str, str] = {}
    for child in element:
        if child.tag == "properties":
            for prop in child:
                if prop.tag == "property" and prop.get("name"):
                    found[prop.get("name", "")] = prop.get("value", prop.text or "")
    return found


def read_junit(path: Path) -> ReadResult:
    """Pass rates per suite (or ``metric`` property) and per ``slice`` property."""
    from defusedxml import DefusedXmlException  # imported when a JUnit file is read
    from defusedxml.ElementTree import iterparse

    name = str(path)
    counts: dict[tuple[str, str], list[int]] = {}
    stack: list[Element] = []
    suites: list[str] = []
    suite_props: dict[str, str] = {}
    timestamp: str | None = None
    root_name = ""
    try:
        for event, element in iterparse(str(path), events=("start", "end")):
            if event == "start":
                stack.append(element)
                if element.tag == "testsuite":
                    suites.append(element.get("name") or "tests")
                    timestamp = timestamp or element.get("timestamp")
                elif element.tag == "testsuites" and len(stack) == 1:
                    root_name = element.get("name") or ""
                continue
            stack.pop()
            if element.tag == "properties" and stack and stack[-1].tag in ("testsuite", "testsuites"):
                suite_props.update(_properties(stack[-1]))
            elif element.tag == "testcase":
                props = _properties(element)
                tags = {child.tag for child in element}
                if "skipped" not in tags:
                    metric = props.get("metric") or (suites[-1] if suites else "tests")
                    slice_ = props.get("slice") or "all"
                    ok = 0 if tags & _FAILED else 1
                    for key in {(metric, "all"), (metric, slice_)}:
                        tally = counts.setdefault(key, [0, 0])
                        tally[0] += ok
                        tally[1] += 1
                element.clear()
                if stack:
                    stack[-1].remove(element)
            elif element.tag == "testsuite" and suites:
                suites.pop()
    except DefusedXmlException as exc:
        raise located(
            name, "", f"refused: the XML declares entities or external references ({type(exc).__name__})"
        ) from None
    except ParseError as exc:
        line, column = exc.position
        raise located(
            name, f"{line}:{column + 1}", f"not well-formed XML ({exc.msg}); is the file truncated?"
        ) from None
    except OSError as exc:
        raise located(name, "", f"cannot read it ({exc.strerror})") from None
    if timestamp is None:
        raise located(name, "testsuite", "no run date: the testsuite has no timestamp attribute")
    try:
        when = dt.datetime.fromisoformat(timestamp.replace("Z", "+00:00"))
    except ValueError:
        raise located(name, "testsuite", f"timestamp {timestamp!r} is not an ISO date") from None
    if when.tzinfo is not None:
        when = when.astimezone(dt.timezone.utc)
    if not counts:
        raise located(name, "", "no test cases that ran")
    measurements = [
        Measurement(metric, slice_, ok / n, n, ok, f"testsuite '{metric}'")
        for (metric, slice_), (ok, n) in sorted(counts.items())
    ]
    tool = "pytest" if root_name.startswith("pytest") else "junit"
    return ReadResult(tool, when.date(), measurements, suite_props.get("tool_version"), suite_props.get("spec"))
