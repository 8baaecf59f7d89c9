"""Benchmark: importing large result files with ``specgen evidence add``'s readers.

Generates a JUnit XML file (in the shape ``pytest --junitxml`` writes, with a
``slice`` property per case) and a promptfoo results file (in the shape of
``promptfoo eval -o``, one named metric per test, a slice variable), each at
two sizes, and reads each in a fresh Python process, reporting seconds and
peak memory (max RSS, and the Python heap peak from tracemalloc). The JUnit
reader streams (defusedxml iterparse, each case dropped once counted), so its
memory should stay flat as the file grows: the ratio between the two sizes is
printed. The promptfoo reader streams too: it decodes one test result at a time
(the file is read in 1 MB chunks), so its memory stops growing once the
buffer is full.

Run on demand (not part of the tests):

    python bench/bench_evidence.py                       # JUnit 20,000 and 200,000; promptfoo 2,000 and 20,000
    python bench/bench_evidence.py --promptfoo 20000,200000   # past the buffer: flat
    python bench/bench_evidence.py --junit 200000 --promptfoo 20000
"""

from __future__ import annotations

import argparse
import itertools
import json
import subprocess
import sys
import tempfile
from pathlib import Path

SRC = Path(__file__).resolve().parent.parent / "src"

MEASURE = """
import json, resource, sys, time, tracemalloc
from pathlib import Path
sys.path.insert(0, {src!r})
from specgen.evidence.readers import read_result_file
tracemalloc.start()
start = time.perf_counter()
result = read_result_file(Path({path!r}), slice_var="lang")
seconds = time.perf_counter() - start
heap = tracemalloc.get_traced_memory()[1]
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
print(json.dumps({{"seconds": seconds, "heap": heap, "rss": rss, "measurements": len(result.measurements),
                   "cases": max(m.n for m in result.measurements)}}))
"""


def write_junit(path: Path, cases: int) -> None:
    with path.open("w", encoding="utf-8") as out:
        out.write('<?xml version="1.0" encoding="utf-8"?><testsuites name="pytest tests">')
        out.write(f'<testsuite name="routing_accuracy" errors="0" failures="0" skipped="0" tests="{cases}" ')
        out.write('time="1.0" timestamp="2026-11-10T10:00:00.000000+00:00" hostname="bench">')
        for i in range(cases):
            lang = ("en", "de", "fr")[i % 3]
            out.write(f'<testcase classname="test_routing" name="test_case[{i}]" time="0.001">')
            out.write(f'<properties><property name="slice" value="{lang}" /></properties>')
            if i % 20 == 0:
                out.write('<failure message="AssertionError: wrong queue">assert routed == expected</failure>')
            out.write("</testcase>")
        out.write("</testsuite></testsuites>")


def write_promptfoo(path: Path, cases: int) -> None:
    with path.open("w", encoding="utf-8") as out:
        out.write('{"evalId": "bench", "results": {"version": 3, "timestamp": "2026-11-10T10:00:00.000Z", "results": [')
        for i in range(cases):
            lang = ("en", "de", "fr")[i % 3]
            ok = i % 20 != 0
            row = {
                "id": f"row-{i}",
                "promptIdx": 0,
                "testIdx": i,
                "success": ok,
                "score": 1 if ok else 0,
                "namedScores": {"routing_accuracy": 1 if ok else 0},
                "vars": {"ticket": f"ticket {i} " + "text " * 40, "lang": lang},
                "response": {"output": f"ticket {i} " + "text " * 40},
                "gradingResult": {
                    "pass": ok,
                    "score": 1 if ok else 0,
                    "componentResults": [
                        {
                            "pass": ok,
                            "score": 1 if ok else 0,
                            "assertion": {"type": "icontains", "metric": "routing_accuracy"},
                        }
                    ],
                },
            }
            out.write(("," if i else "") + json.dumps(row, indent=2))
        out.write('], "stats": {"successes": 0, "failures": 0}}, "config": {"metadata": {}}}')


def measure(path: Path) -> dict[str, float]:
    code = MEASURE.format(src=str(SRC), path=str(path))
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--junit", default="20000,200000", help="JUnit sizes (cases), comma-separated")
    parser.add_argument("--promptfoo", default="2000,20000", help="promptfoo sizes (cases), comma-separated")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        for kind, sizes, writer, suffix in (
            ("JUnit XML", args.junit, write_junit, "xml"),
            ("promptfoo JSON", args.promptfoo, write_promptfoo, "json"),
        ):
            results = []
            for size in (int(s) for s in sizes.split(",")):
                path = Path(tmp) / f"results-{size}.{suffix}"
                writer(path, size)
                found = measure(path)
                results.append((size, path.stat().st_size, found))
                print(
                    f"{kind:15} {size:>8,} cases {path.stat().st_size / 1e6:8.1f} MB  "
                    f"{found['seconds']:6.2f} s  peak RSS {found['rss'] / 1e6:7.1f} MB  "
                    f"heap peak {found['heap'] / 1e6:7.1f} MB  ({found['measurements']} measurements)"
                )
            for (small, _, a), (large, _, b) in itertools.pairwise(results):
                print(
                    f"{kind:15} {small:,} -> {large:,} cases: heap peak x{b['heap'] / a['heap']:.2f}, "
                    f"peak RSS x{b['rss'] / a['rss']:.2f}, time x{b['seconds'] / a['seconds']:.1f}"
                )


if __name__ == "__main__":
    main()
