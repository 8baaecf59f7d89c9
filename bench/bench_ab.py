"""Benchmark: one step of the edit loop under two versions of specgen, alternately.

This machine's speed drifts by a third within minutes, so two versions timed
one after the other differ by more than most levers save. This times them
in turns: each round builds the same generated portfolio (``bench_build``)
with each version (untimed: the cache's keys include specgen's code, so a
version's first build fills it), then times ``--runs`` of the step under it,
and prints the medians and minimums of wall and processor time per version.

With ``--count instructions`` each run is counted instead of timed: the
instructions the ``specgen`` process executes, under valgrind's callgrind
(:func:`timing.count_instructions`; forked workers are not counted, and the
steps here run in one process). The count moves by under a tenth of a per
cent between runs of the same work, where wall time moves by a third, so a
lever of one per cent can be told from noise; a run takes 15-50 times as
long.

Each version is a git revision of this repository, checked out into a
temporary worktree and run from its ``src/`` (``PYTHONPATH``), so the
working tree is never touched; ``WORKTREE`` stands for the working tree as
it is, uncommitted changes included.

    python bench/bench_ab.py HEAD~1 WORKTREE                  # a one-spec text edit, 100 specs
    python bench/bench_ab.py f330a49 HEAD --step noop --size 10 --rounds 5
    python bench/bench_ab.py HEAD~3 HEAD --step validate --size 100
    python bench/bench_ab.py HEAD~1 WORKTREE --count instructions --rounds 1 --runs 2

Steps: ``edit`` (a spec's summary edited, then ``specgen build``), ``noop``
(``specgen build`` again), ``validate`` (``specgen validate``).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_build import make_portfolio
from bench_incremental import CLI, _edit, _env, _settle
from timing import count_instructions, machine_check

REPO = Path(__file__).resolve().parent.parent
WORKTREE = "WORKTREE"
STEPS = {
    "edit": ["build", "specs", "-o", "site"],
    "noop": ["build", "specs", "-o", "site"],
    "validate": ["validate", "specs"],
}


def _checkout(revision: str, into: Path) -> Path:
    """The ``src/`` folder of ``revision`` (a worktree in ``into``), or this tree's."""
    if revision == WORKTREE:
        return REPO / "src"
    where = into / revision.replace("/", "_").replace("~", "-").replace("^", "-")
    subprocess.run(["git", "-C", str(REPO), "worktree", "add", "--detach", "--quiet", str(where), revision], check=True)
    return where / "src"


def _imports_from(src: Path) -> None:
    """Fail unless a process run with ``src`` on its path imports specgen from there."""
    done = subprocess.run(
        [sys.executable, "-c", "import specgen; print(specgen.__file__)"],
        env=_env(src),
        capture_output=True,
        text=True,
        check=True,
    )
    if not Path(done.stdout.strip()).is_relative_to(src):
        raise SystemExit(f"specgen is imported from {done.stdout.strip()}, not from {src}")


def _compile(src: Path) -> None:
    """Write the bytecode of every module of ``src``: with ``PYTHONDONTWRITEBYTECODE``
    set, a fresh checkout would otherwise compile its sources in every run."""
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(src)], check=True, stdout=subprocess.DEVNULL)


def _run(args: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, float]:
    """Wall and processor seconds of one ``specgen`` process."""
    start = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-c", CLI, *args], cwd=cwd, env=env, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"specgen {' '.join(args)} failed under {env.get('PYTHONPATH')}")
    _settle(cwd / ".specgen-cache" / "trash")
    return wall, usage.ru_utime + usage.ru_stime


def _count(args: list[str], cwd: Path, env: dict[str, str]) -> int:
    """Instructions of one ``specgen`` process (not of any worker it forks)."""
    counted = count_instructions([sys.executable, "-c", CLI, *args], cwd=cwd, env=env)
    _settle(cwd / ".specgen-cache" / "trash")
    return counted


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("before", help="a git revision, or WORKTREE")
    parser.add_argument("after", help="a git revision, or WORKTREE")
    parser.add_argument("--step", choices=sorted(STEPS), default="edit", help="what to time (default: edit)")
    parser.add_argument("--size", type=int, default=100, help="specs in the portfolio (default: 100)")
    parser.add_argument("--rounds", type=int, default=4, help="rounds, each version once per round (default: 4)")
    parser.add_argument("--runs", type=int, default=3, help="timed runs per version and round (default: 3)")
    parser.add_argument(
        "--count",
        choices=("seconds", "instructions"),
        default="seconds",
        help="time each run, or count its instructions under valgrind (default: seconds)",
    )
    args = parser.parse_args()
    versions = [args.before, args.after]
    added: list[Path] = []
    with tempfile.TemporaryDirectory(prefix="specgen-bench-ab-") as tmp:
        root = Path(tmp)
        try:
            sources = {}
            for version in versions:
                src = _checkout(version, root / "trees")
                _imports_from(src)
                _compile(src)
                sources[version] = src
                if version != WORKTREE:
                    added.append(src.parent)
            project = root / "project"
            specs = sorted(make_portfolio(project, args.size).glob("*.yml"))
            print(f"{args.step} at {args.size} specs: {args.rounds} rounds of {args.runs} runs per version")
            print(machine_check())
            times: dict[str, list[tuple[float, float]]] = {version: [] for version in versions}
            counts: dict[str, list[int]] = {version: [] for version in versions}
            edits = 0
            for _ in range(args.rounds):
                for version in versions:
                    env = _env(sources[version])
                    _run(STEPS["noop"], project, env)  # untimed: this version's cache, filled
                    for _ in range(args.runs):
                        if args.step == "edit":
                            edits += 1
                            _edit(specs[edits % len(specs)], "summary", edits)
                        if args.count == "instructions":
                            counts[version].append(_count(STEPS[args.step], project, env))
                        else:
                            times[version].append(_run(STEPS[args.step], project, env))
            if args.count == "instructions":
                _print_counts(versions, counts)
                return
            for version in versions:
                walls = [wall for wall, _ in times[version]]
                cpus = [cpu for _, cpu in times[version]]
                print(
                    f"{version:>12}: wall median {statistics.median(walls):.3f} s, min {min(walls):.3f} s; "
                    f"processor median {statistics.median(cpus):.3f} s, min {min(cpus):.3f} s ({len(walls)} runs)"
                )
            print(machine_check())
        finally:
            for tree in added:
                subprocess.run(["git", "-C", str(REPO), "worktree", "remove", "--force", str(tree)], check=False)


def _print_counts(versions: list[str], counts: dict[str, list[int]]) -> None:
    """Median and smallest count per version, and the second's change against the first."""
    medians = {version: statistics.median(counts[version]) for version in versions}
    for version in versions:
        print(
            f"{version:>12}: instructions median {medians[version] / 1e6:,.1f} million, "
            f"min {min(counts[version]) / 1e6:,.1f} million ({len(counts[version])} runs)"
        )
    before, after = medians[versions[0]], medians[versions[1]]
    print(f"change: {(after - before) / before:+.2%} of the instructions of {versions[0]}")


if __name__ == "__main__":
    main()
