"""Benchmark: readiness definitions and the handover bundle for a portfolio.

Generates N specs the size of the bundled examples (copies with their own ids)
in a temporary folder, then times, per spec and in total:

* definition: building the clauses as data (``specgen.sow.definitions``);
* markdown: rendering them through the template;
* docx: rendering them to Word (python-docx, then the reproducible re-zip);
* bundle: ``specgen.bundle.archive.build_bundle`` (definitions in both formats, export,
  schema, manifest, zip, and the handover site unless ``--no-site``);
* verify: ``specgen.bundle.verify.verify_bundle`` on the archive.

Run on demand (not part of the tests):

    python bench/bench_sow.py                 # 50 specs
    python bench/bench_sow.py --specs 200 --repeat 3

Prints the figures (median of the repeats) and the archive size.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_validate import make_portfolio

from specgen import load_portfolio
from specgen.bundle import build_bundle, verify_bundle
from specgen.sow import definitions, render_markdown
from specgen.sow.docx import render_docx


def _time(action: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    times = []
    result = None
    for _ in range(repeat):
        start = time.perf_counter()
        result = action()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def main() -> None:
    """Parse the options, run the timings, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--specs", type=int, default=50, help="number of specs (default 50)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement; the median is shown")
    parser.add_argument("--no-site", action="store_true", help="leave the handover site out of the bundle")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="specgen-bench-") as tmp:
        folder = Path(tmp)
        make_portfolio(folder, args.specs)
        portfolio = load_portfolio([folder / "specs"])
        assert portfolio.ok, portfolio.diagnostics[:3]
        n = len(portfolio.specs)

        t_def, defns = _time(lambda: definitions(portfolio), args.repeat)
        t_md, _ = _time(lambda: [render_markdown(d) for d in defns], args.repeat)
        t_docx, _ = _time(lambda: [render_docx(d) for d in defns], args.repeat)
        out = folder / "handover.zip"
        t_bundle, result = _time(lambda: build_bundle(portfolio, out, site=not args.no_site, force=True), args.repeat)
        t_verify, check = _time(lambda: verify_bundle(out), args.repeat)
        assert check.ok

    print(f"specs: {n}, repeats: {args.repeat} (median shown)")
    for label, seconds in (
        ("definition (data)", t_def),
        ("markdown", t_md),
        ("docx", t_docx),
        ("bundle" + ("" if args.no_site else " with site"), t_bundle),
        ("verify", t_verify),
    ):
        print(f"{label:24} {seconds:8.3f} s total {seconds / n * 1000:8.2f} ms/spec")
    print(f"archive: {result.files} files, {result.size / 1024:.0f} KiB")


if __name__ == "__main__":
    main()
