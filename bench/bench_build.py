"""Benchmark: ``specgen build`` on generated portfolios of growing size.

Generates portfolios of N specs (default 10 and 100; add 1000 on demand), each
a copy of the credit-decision example grown to about 50 items (8 decisions,
8 acceptance conditions, 10 runtime controls and its 4 runbooks' 26 steps),
so 100 specs hold about 5,000 items. Each size runs ``--runs`` clean builds
(no cache), each in a fresh Python process, and reports the one of median
build time:

* seconds: loading and validating, the readiness check, our rendering
  (templates → Markdown → mkdocs project) and mkdocs' own build;
* peak memory (max RSS) after rendering and at the end of the mkdocs build;
* pages and the size of the site on disk;

then how time grows with size (seconds per spec at each size), then the edit
loop of ``bench_incremental.py`` (one-spec edits with the build cache), and
last issue 10's targets beside what was measured: a clean build under 4.5 s
and a one-spec edit under 1 s at 100 specs, peak memory at most 199 MB.

Run on demand (not part of the tests):

    python bench/bench_build.py                    # 10 and 100 specs, then their edit loop
    python bench/bench_build.py --sizes 10,100,1000 --runs 1
    python bench/bench_build.py --jobs 1 --no-edits    # clean builds in one process only
    python bench/bench_build.py --one-runbooks-page    # all runbooks of a workflow on one page
"""

from __future__ import annotations

import argparse
import copy
import itertools
import json
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

from specgen import load_portfolio
from specgen.resources import bundled_examples, bundled_project_file

TARGET = {"decisions": 8, "conditions": 8, "controls": 10}


def _grow(items: list[dict[str, Any]], count: int, suffix_key: str = "id") -> list[dict[str, Any]]:
    """``items`` repeated up to ``count``, copies getting their own ids."""
    out = []
    for i in range(count):
        item = copy.deepcopy(items[i % len(items)])
        if i >= len(items):
            item[suffix_key] = f"{item[suffix_key]}-{i}"
            if "title" in item:
                item["title"] = f"{item['title']} ({i})"
        out.append(item)
    return out


def spec_data(index: int) -> dict[str, Any]:
    """One generated spec: the credit example, grown and renamed."""
    data = yaml.safe_load((bundled_examples() / "credit-decision-assistant.yml").read_text(encoding="utf-8"))
    data["id"] = f"workflow-{index:04d}"
    data["title"] = f"Workflow {index:04d}: {data['title']}"
    data["decisions"] = _grow(data["decisions"], TARGET["decisions"])
    data["runtime"]["controls"] = _grow(data["runtime"]["controls"], TARGET["controls"])
    decision_ids = [d["id"] for d in data["decisions"]]
    conditions = _grow(data["acceptance"]["conditions"], TARGET["conditions"])
    for i, condition in enumerate(conditions):
        condition["decisions"] = [decision_ids[i % len(decision_ids)]]
    data["acceptance"]["conditions"] = conditions
    return data


def make_portfolio(folder: Path, count: int, one_runbooks_page: bool = False) -> Path:
    """Write ``count`` generated specs and the example project file into ``folder``
    (with ``site.one_runbooks_page`` set when asked)."""
    specs = folder / "specs"
    specs.mkdir(parents=True)
    shutil.copy(bundled_project_file(), folder / "specgen.yml")
    if one_runbooks_page:
        project = yaml.safe_load((folder / "specgen.yml").read_text(encoding="utf-8"))
        project.setdefault("site", {})["one_runbooks_page"] = True
        (folder / "specgen.yml").write_text(yaml.safe_dump(project, sort_keys=False), encoding="utf-8")
    for i in range(count):
        data = spec_data(i)
        (specs / f"{data['id']}.yml").write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return specs


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _size_mb(folder: Path) -> float:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 1e6


def run_one(count: int, one_runbooks_page: bool = False, jobs: int | None = None) -> dict[str, Any]:
    """Generate, load, check, render and build one portfolio (a clean build:
    no cache); the figures. ``one_runbooks_page``: one runbooks page per
    workflow instead of a page per runbook; ``jobs``: worker processes."""
    from specgen.rules import check_portfolio
    from specgen.site.build import build_site

    with tempfile.TemporaryDirectory(prefix="specgen-bench-") as tmp:
        root = Path(tmp)
        specs = make_portfolio(root, count, one_runbooks_page)
        start = time.perf_counter()
        portfolio = load_portfolio([specs], project_file=root / "specgen.yml")
        if not portfolio.ok:
            problems = "\n".join(map(str, portfolio.diagnostics[:5]))
            raise SystemExit(f"generated portfolio does not validate:\n{problems}")
        loaded = time.perf_counter()
        report = check_portfolio(portfolio)
        checked = time.perf_counter()
        result = build_site(portfolio, root / "site", report=report, jobs=jobs)
        built = time.perf_counter()
        rendered = checked + result.render_seconds
        rss_render = _rss_mb()
        items = sum(
            len(s.spec.decisions)
            + len(s.spec.conditions)
            + len(s.spec.controls)
            + sum(len(r.diagnosis) + len(r.mitigation) + len(r.rollback) + len(r.verify) for r in s.spec.runbooks)
            for s in portfolio.specs
        )
        return {
            "specs": count,
            "items": items,
            "pages": result.pages,
            "load_s": loaded - start,
            "check_s": checked - loaded,
            "render_s": rendered - checked,
            "mkdocs_s": built - rendered,
            "build_s": built - checked,
            "rss_render_mb": rss_render,
            "rss_peak_mb": _rss_mb(),
            "site_mb": _size_mb(root / "site"),
        }


def compile_bytecode() -> None:
    """Compile specgen's modules, as installing the package does: with
    PYTHONDONTWRITEBYTECODE set (or a read-only tree), every fresh process
    would otherwise compile the modules changed since, and time that."""
    import compileall

    import specgen

    compileall.compile_dir(Path(specgen.__file__).parent, quiet=2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10,100", help="comma-separated portfolio sizes (default: 10,100)")
    parser.add_argument(
        "--one-runbooks-page",
        action="store_true",
        help="one runbooks page per workflow (sets site.one_runbooks_page in the project file)",
    )
    parser.add_argument("--jobs", type=int, help="worker processes building pages (default: one per processor)")
    parser.add_argument(
        "--runs", type=int, default=3, help="clean builds and rounds of the edit loop per size (default: 3)"
    )
    parser.add_argument("--no-edits", action="store_true", help="leave out the edit loop (bench_incremental.py)")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one is not None:
        print(json.dumps(run_one(args.one, args.one_runbooks_page, args.jobs)))
        return
    from timing import machine_check  # here: the tests load this file without bench/ on the path

    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    compile_bytecode()
    print(machine_check())
    rows = []
    for size in sizes:
        command = [sys.executable, __file__, "--one", str(size)] + (
            ["--one-runbooks-page"] if args.one_runbooks_page else []
        )
        command += ["--jobs", str(args.jobs)] if args.jobs else []
        runs = []
        for _ in range(max(1, args.runs)):
            done = subprocess.run(command, check=True, capture_output=True, text=True)
            runs.append(json.loads(done.stdout.strip().splitlines()[-1]))
        rows.append(sorted(runs, key=lambda r: r["build_s"])[len(runs) // 2])  # the run of median build time
    header = (
        f"{'specs':>6} {'items':>6} {'pages':>6} {'load s':>7} {'check s':>8} {'render s':>9} {'mkdocs s':>9} "
        f"{'build s':>8} {'RSS render MB':>14} {'RSS peak MB':>12} {'site MB':>8}"
    )
    print(header)
    for r in rows:
        print(
            f"{r['specs']:>6} {r['items']:>6} {r['pages']:>6} {r['load_s']:>7.2f} {r['check_s']:>8.2f} "
            f"{r['render_s']:>9.2f} {r['mkdocs_s']:>9.2f} {r['build_s']:>8.2f} {r['rss_render_mb']:>14.0f} "
            f"{r['rss_peak_mb']:>12.0f} {r['site_mb']:>8.1f}"
        )
    print("\ngrowth (build = render + mkdocs; linear means a constant time per spec):")
    for r in rows:
        per_spec = {k: 1000 * r[k] / r["specs"] for k in ("build_s", "render_s", "mkdocs_s")}
        print(
            f"  {r['specs']:>5} specs: {per_spec['build_s']:.1f} ms per spec, "
            f"{1000 * r['build_s'] / r['pages']:.2f} ms per page "
            f"(render {per_spec['render_s']:.1f}, mkdocs {per_spec['mkdocs_s']:.1f} ms per spec)"
        )
    for a, b in itertools.pairwise(rows):
        ratio = (b["build_s"] / a["build_s"]) / (b["specs"] / a["specs"])
        print(f"  {a['specs']} → {b['specs']} specs: time × {b['build_s'] / a['build_s']:.1f}, {ratio:.2f} × linear")
    edits = {} if args.no_edits else _edit_loop(sizes, args.runs)
    _targets(rows, edits)
    print(machine_check())


def _edit_loop(sizes: list[int], runs: int) -> dict[int, dict[str, float]]:
    """Medians of bench_incremental.py's steps per size (fresh processes, with the cache)."""
    from bench_incremental import STEPS, _env, run_size

    out = {}
    for size in sizes:
        times = run_size(size, runs, _env(None))
        out[size] = {step: statistics.median(t for t, _ in times[step]) for step in STEPS}
        out[size]["peak"] = max(rss for step in STEPS for _, rss in times[step])
    return out


def _targets(rows: list[dict[str, Any]], edits: dict[int, dict[str, float]]) -> None:
    """Issue 10's targets and what was measured, side by side (never asserted)."""
    if edits:
        from bench_incremental import STEPS

        print("\nedit loop (fresh `specgen build` processes with the cache, wall seconds, medians):")
        print(f"{'specs':>6} " + " ".join(f"{s:>14}" for s in STEPS) + f" {'peak RSS MB':>12}")
        for size, med in sorted(edits.items()):
            print(f"{size:>6} " + " ".join(f"{med[s]:>14.2f}" for s in STEPS) + f" {med['peak']:>12.0f}")
    print("\ntargets (issue 10)                         measured      verdict")
    for r in rows:
        if r["specs"] == 100:
            _line("full clean build, 100 specs: < 4.5 s", r["build_s"], r["build_s"] < 4.5, "s")
            _line("peak memory, full build, 100 specs: <= 199 MB", r["rss_peak_mb"], r["rss_peak_mb"] <= 199, "MB")
    for size, med in sorted(edits.items()):
        _line(f"one-spec text edit, {size} specs: < 1 s", med["text edit"], med["text edit"] < 1.0, "s")
        _line(f"peak memory, edit loop, {size} specs: <= 199 MB", med["peak"], med["peak"] <= 199, "MB")
        print(f"  {size} specs: text edit / full build = {med['text edit'] / med['full build']:.2f}")


def _line(what: str, value: float, meets: bool, unit: str) -> None:
    print(f"  {what:<46} {value:>8.2f} {unit:<3} {'meets' if meets else 'misses'}")


if __name__ == "__main__":
    main()
