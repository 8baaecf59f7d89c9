"""Benchmark: validating a portfolio against parsing it with libyaml alone.

Generates N specs the size of the bundled examples (copies of them with their
own ids) in a temporary folder, then times

* parse-only: ``yaml.load(text, Loader=CSafeLoader)`` on every file, the
  floor any YAML tool pays;
* validate: ``specgen.load_portfolio`` — parse with positions, duplicate-key
  and alias checks, pydantic validation, cross-references — what
  ``specgen validate`` does.

Run on demand (not part of the tests):

    python bench/bench_validate.py            # 1,000 specs
    python bench/bench_validate.py --specs 200 --repeat 5

Prints the figures; the aim is validate within 2x of parse-only.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import time
from pathlib import Path

import yaml

from specgen import load_portfolio
from specgen.resources import bundled_examples, bundled_project_file


def make_portfolio(folder: Path, count: int) -> list[Path]:
    """Write ``count`` specs into ``folder/specs`` (alternating the examples)."""
    examples = sorted(bundled_examples().glob("*.yml"))
    texts = [(p.read_text(encoding="utf-8"), p.stem) for p in examples]
    specs = folder / "specs"
    specs.mkdir(parents=True)
    shutil.copy(bundled_project_file(), folder / "specgen.yml")
    paths = []
    for i in range(count):
        text, stem = texts[i % len(texts)]
        new_id = f"{stem}-{i:04d}"
        path = specs / f"{new_id}.yml"
        path.write_text(text.replace(f"id: {stem}\n", f"id: {new_id}\n", 1), encoding="utf-8")
        paths.append(path)
    return paths


def parse_only(paths: list[Path]) -> None:
    for path in paths:
        yaml.load(path.read_bytes(), Loader=yaml.CSafeLoader)  # CSafeLoader is the safe loader


def validate(folder: Path) -> None:
    portfolio = load_portfolio([folder / "specs"], project_file=folder / "specgen.yml")
    if not portfolio.ok:
        raise SystemExit("generated portfolio does not validate:\n" + "\n".join(map(str, portfolio.diagnostics[:5])))


def timed(fn, repeat: int) -> list[float]:
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - start)
    return runs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--specs", type=int, default=1000, help="portfolio size (default 1000)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each measurement (default 3)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        paths = make_portfolio(folder, args.specs)
        size = sum(p.stat().st_size for p in paths)
        print(f"portfolio: {args.specs} specs, {size / 1e6:.1f} MB of YAML, libyaml: {yaml.__with_libyaml__}")
        parse = timed(lambda: parse_only(paths), args.repeat)
        full = timed(lambda: validate(folder), args.repeat)
        p, v = statistics.median(parse), statistics.median(full)
        print(f"parse-only (libyaml CSafeLoader): median {p:.2f} s  runs {', '.join(f'{x:.2f}' for x in parse)}")
        print(f"specgen validate (load_portfolio): median {v:.2f} s  runs {', '.join(f'{x:.2f}' for x in full)}")
        print(f"ratio validate / parse-only: {v / p:.2f}x  (aim: <= 2x)")
        print(f"per spec: parse {p / args.specs * 1e3:.2f} ms, validate {v / args.specs * 1e3:.2f} ms")


if __name__ == "__main__":
    main()
