"""Benchmark: ``specgen verify`` on hostile archives stays linear and bounded.

Builds, in a temporary folder, archives of N entries each (default 1,000,
5,000, 20,000):

* unsafe: N entries named ``../escape/<i>.txt`` next to an empty, valid manifest;
* added: N plain entries the manifest does not list;
* listed: N small files, all listed in the manifest (every one read and hashed);

then times ``specgen.bundle.verify.verify_bundle`` on each (median of the
repeats) and prints seconds and microseconds per entry. Linear work shows as
a flat per-entry figure across N (the quadratic version took 32 s on 20,000
unsafe entries). Also prints the peak memory of the process.

Run on demand (not part of the tests):

    python bench/bench_verify.py
    python bench/bench_verify.py --entries 1000 50000 --repeat 3
"""

from __future__ import annotations

import argparse
import hashlib
import json
import resource
import statistics
import tempfile
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

from specgen.bundle import verify_bundle

MANIFEST = "handover/MANIFEST.json"


def _manifest(files: dict[str, bytes]) -> bytes:
    return json.dumps(
        {
            "format": "specgen-handover/1",
            "generator": {"name": "specgen", "version": "bench"},
            "git_commit": None,
            "built": "2026-01-01T00:00:00Z",
            "specs": [],
            "files": [
                {"path": path, "sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
                for path, data in sorted(files.items())
            ],
        }
    ).encode()


def _archive(path: Path, listed: dict[str, bytes], others: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(MANIFEST, _manifest(listed))
        for name, data in {**{f"handover/{k}": v for k, v in listed.items()}, **others}.items():
            archive.writestr(name, data)
    return path


KINDS: dict[str, Callable[[int], tuple[dict[str, bytes], dict[str, bytes]]]] = {
    "unsafe": lambda n: ({}, {f"../escape/{i}.txt": b"" for i in range(n)}),
    "added": lambda n: ({}, {f"handover/extra/{i}.txt": b"x" for i in range(n)}),
    "listed": lambda n: ({f"files/{i}.txt": f"file {i}\n".encode() * 20 for i in range(n)}, {}),
}


def main() -> None:
    """Parse the options, build the archives, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, nargs="+", default=[1_000, 5_000, 20_000], help="archive sizes")
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement; the median is shown")
    args = parser.parse_args()
    print(f"{'kind':8} {'entries':>8} {'seconds':>9} {'us/entry':>9}  result")
    with tempfile.TemporaryDirectory(prefix="specgen-bench-") as tmp:
        for kind, make in KINDS.items():
            for n in args.entries:
                path = _archive(Path(tmp) / f"{kind}-{n}.zip", *make(n))
                times = []
                for _ in range(args.repeat):
                    start = time.perf_counter()
                    result = verify_bundle(path)
                    times.append(time.perf_counter() - start)
                seconds = statistics.median(times)
                summary = (
                    f"checked {result.checked}, unsafe {len(result.unsafe)}, added {len(result.added)}, ok {result.ok}"
                )
                print(f"{kind:8} {n:8} {seconds:9.3f} {seconds / n * 1e6:9.1f}  {summary}")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory: {peak:.0f} MiB")


if __name__ == "__main__":
    main()
