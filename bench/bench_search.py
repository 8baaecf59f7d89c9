"""Benchmark: material's search parser against specgen's fast tokenizer.

Builds the site of a generated portfolio (``bench_build.make_portfolio``,
default 100 specs) once, keeping every page's HTML as the search plugin
receives it, then times in-process, medians over ``--runs`` rounds:

* parse: ``Parser().feed(html); close()`` over all pages, material's
  ``Parser`` (``html.parser`` underneath) against
  :class:`specgen.site.searchparse.FastParser` (the fast tokenizer calling
  material's handlers: "tokenizer") and :class:`~specgen.site.searchparse.SectionParser`
  (the same with specgen's handlers: "parse");
* index: ``SearchIndex.add_entry_from_context`` over all pages, as the
  search plugin calls it, material's against the one
  :func:`~specgen.site.searchparse.use_fast_parser` installs;

and checks the entries are the same (they must be; ``tests/test_search_parse.py``
is the proof), with how many pages the fast tokenizer read itself.

    PYTHONPATH=src python bench/bench_search.py              # 100 specs, 3 runs
    PYTHONPATH=src python bench/bench_search.py --specs 10 --runs 5
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench_build import make_portfolio
from material.plugins.search.plugin import Parser, SearchIndex
from tests.search_support import entries, fast_index, page_snapshots
from timing import median_seconds

from specgen import load_portfolio
from specgen.site.searchparse import FastParser, SectionParser


def _parse_all(parser: type[Any], pages: Sequence[Any]) -> None:
    for page in pages:
        p = parser()
        p.feed(page.content)
        p.close()


def _index_all(make: Callable[[], SearchIndex], pages: Sequence[Any]) -> None:
    index = make()
    for page in pages:
        index.add_entry_from_context(page)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--specs", type=int, default=100, help="specs in the generated portfolio (default: 100)")
    parser.add_argument("--runs", type=int, default=3, help="rounds to take the median of (default: 3)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="specgen-bench-search-") as tmp:
        root = Path(tmp)
        specs = make_portfolio(root, args.specs)
        portfolio = load_portfolio([specs], project_file=root / "specgen.yml")
        pages = page_snapshots(portfolio, root)
    size = sum(len(p.content) for p in pages) / 1e6
    same = sum(entries(SearchIndex(), p) == entries(fast_index(), p) for p in pages)
    fast = 0
    for page in pages:
        p = FastParser()
        p.feed(page.content)
        p.close()
        fast += p.fast
    print(f"{args.specs} specs: {len(pages)} pages, {size:.1f} MB of page HTML")
    print(f"same entries: {same}/{len(pages)} pages; read by the fast tokenizer: {fast}/{len(pages)}")
    print(f"{'':>9} {'material':>10} {'fast':>10} {'ratio':>7}   (median of {args.runs}, seconds)")
    for name, slow_work, fast_work in (
        ("tokenizer", lambda: _parse_all(Parser, pages), lambda: _parse_all(FastParser, pages)),
        ("parse", lambda: _parse_all(Parser, pages), lambda: _parse_all(SectionParser, pages)),
        ("index", lambda: _index_all(SearchIndex, pages), lambda: _index_all(fast_index, pages)),
    ):
        before = median_seconds(args.runs, slow_work)
        after = median_seconds(args.runs, fast_work)
        print(f"{name:>9} {before:10.3f} {after:10.3f} {before / after:6.2f}x")


if __name__ == "__main__":
    main()
