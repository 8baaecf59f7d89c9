"""Benchmark: loading a portfolio fresh against loading it from the memo of
validated specs (:mod:`specgen.spec.memo`, issue 10).

Generates N specs (``bench_build.make_portfolio``: 52 items each) and times,
in one process, medians over ``--runs`` rounds:

* fresh: ``load_portfolio`` without a memo (parse YAML with positions, validate);
* filling: with an empty memo (a fresh load, plus storing every spec);
* from memo: every spec unchanged, the memo a dict of JSON text;
* from cache: the same from the real build cache (``SiteCache``, SQLite on disk,
  opened afresh each round);
* one edit: one spec changed, the rest from the build cache;
* load and check, fresh and from the memo (the check reads the positions of
  its findings, so a restored spec's positions are decoded then);

and ``read_portfolio`` alone (schema only, without the checks across files)
for two of them. Figures only, never a timed assertion.

    python bench/bench_load.py                 # 100 specs, 5 runs
    python bench/bench_load.py --sizes 10,100,1000 --runs 3
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path
from typing import Any

from bench_build import make_portfolio
from timing import median_seconds

from specgen.rules import check_portfolio
from specgen.site.cache import open_cache
from specgen.spec.loader import read_portfolio
from specgen.spec.memo import salt
from specgen.spec.portfolio import load_portfolio


class DictMemo:
    """A memo in memory, values kept as JSON text like a real cache."""

    def __init__(self) -> None:
        self.store: dict[str, str] = {}

    def get(self, key: str) -> Any | None:
        return json.loads(self.store[key]) if key in self.store else None

    def put(self, key: str, value: Any) -> None:
        self.store[key] = json.dumps(value, separators=(",", ":"))


def run(count: int, runs: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        specs = make_portfolio(root, count)
        cache_dir = root / ".specgen-cache"
        load_portfolio([specs])  # warm up imports and pydantic

        fresh = median_seconds(runs, lambda: load_portfolio([specs]))
        fresh_read = median_seconds(runs, lambda: read_portfolio([specs]))
        filling = median_seconds(runs, lambda: load_portfolio([specs], memo=DictMemo()))
        memo = DictMemo()
        load_portfolio([specs], memo=memo)
        stored = sum(len(v) for v in memo.store.values())
        from_memo = median_seconds(runs, lambda: load_portfolio([specs], memo=memo))
        from_memo_read = median_seconds(runs, lambda: read_portfolio([specs], memo=memo))
        # The check locates its findings: positions of restored specs are read then.
        fresh_check = median_seconds(runs, lambda: check_portfolio(load_portfolio([specs])))
        memo_check = median_seconds(runs, lambda: check_portfolio(load_portfolio([specs], memo=memo)))

        cache = open_cache(cache_dir)
        load_portfolio([specs], memo=cache)
        cache.commit()
        cache.close()

        def from_cache() -> None:
            opened = open_cache(cache_dir)
            try:
                portfolio = load_portfolio([specs], memo=opened)
                assert opened.hits >= len(portfolio.specs) - 1, opened.notes
            finally:
                opened.close()

        cached = median_seconds(runs, from_cache)

        edited = sorted(specs.glob("*.yml"))[0]
        original = edited.read_text(encoding="utf-8")
        rounds = iter(range(10**6))

        def one_edit() -> None:
            edited.write_text(original.replace("summary: ", f"summary: Edit {next(rounds)}. ", 1), encoding="utf-8")
            from_cache()

        edit = median_seconds(runs, one_edit)
        edited.write_text(original, encoding="utf-8")

    rows = [
        ("fresh", fresh, f"({fresh_read:.3f} s)"),
        ("filling an empty memo", filling, ""),
        ("from memo (dict of JSON)", from_memo, f"({from_memo_read:.3f} s)  {fresh / from_memo:4.1f}x faster"),
        ("from the build cache", cached, f"SQLite, opened each time  {fresh / cached:4.1f}x faster"),
        ("one spec edited, cache", edit, ""),
        ("fresh, then check", fresh_check, ""),
        ("from memo, then check", memo_check, f"{fresh_check / memo_check:4.1f}x faster"),
    ]
    print(f"load {count} specs: load_portfolio (read_portfolio in brackets), medians of {runs}")
    for label, seconds, note in rows:
        print(f"  {label:<26} {seconds:7.3f} s  {note}")
    print(f"  stored: {stored / count / 1024:.0f} KiB of JSON per spec (before the cache's zlib)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="100", help="comma-separated numbers of specs")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    start = time.perf_counter()
    salt()
    print(f"the memo's salt (once per process): {(time.perf_counter() - start) * 1000:.1f} ms")
    for size in (int(s) for s in args.sizes.split(",")):
        run(size, args.runs)


if __name__ == "__main__":
    main()
