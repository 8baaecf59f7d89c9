"""Benchmark: governance diff and change history on a git repository of specs.

Builds a temporary git repository with N specs the size of the credit example
(copies with their own ids) and C commits, each changing every spec (a
threshold, the version), then times, as the median of the repeats:

* diff: ``specgen.review.diff.diff_revisions`` between the first and last commit
  (every spec loaded from git twice, compared and classified);
* diff (working tree): the same against the working tree;
* render: the Markdown pull-request comment of that diff;
* history: ``specgen.review.history.spec_history`` of one spec over all C commits,
  and its page.

Run on demand (not part of the tests):

    python bench/bench_review.py                  # 50 specs, 20 commits
    python bench/bench_review.py --specs 200 --commits 50 --repeat 3
"""

from __future__ import annotations

import argparse
import copy
import os
import shutil
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from specgen.review.diff import diff_revisions
from specgen.review.history import render_history_page, spec_history
from specgen.review.render import render_diff

REPO = Path(__file__).resolve().parent.parent


def _git(root: Path, *args: str) -> None:
    env = dict(os.environ, GIT_AUTHOR_NAME="bench", GIT_AUTHOR_EMAIL="bench@example.invalid")
    env.update(GIT_COMMITTER_NAME="bench", GIT_COMMITTER_EMAIL="bench@example.invalid", GIT_CONFIG_GLOBAL=os.devnull)
    subprocess.run(["git", *args], cwd=root, env=env, check=True, capture_output=True)


def _build(root: Path, specs: int, commits: int) -> None:
    base = yaml.safe_load((REPO / "specs" / "credit-decision-assistant.yml").read_text(encoding="utf-8"))
    (root / "specs").mkdir(parents=True)
    shutil.copy(REPO / "specgen.yml", root / "specgen.yml")
    _git(root, "init", "-q")
    for c in range(commits):
        for i in range(specs):
            data: dict[str, Any] = copy.deepcopy(base)
            data["id"] = f"workflow-{i:04d}"
            data["version"] = f"1.{c}.0"
            data["decisions"][0]["confidence_threshold"] = round(0.95 - c * 0.01, 2)
            text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
            (root / "specs" / f"workflow-{i:04d}.yml").write_text(text, encoding="utf-8")
        _git(root, "add", "-A")
        _git(root, "commit", "-q", "-m", f"revision {c}")


def _time(fn: Callable[[], object], repeat: int) -> float:
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - start)
    return statistics.median(runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--specs", type=int, default=50)
    parser.add_argument("--commits", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "repo"
        root.mkdir()
        start = time.perf_counter()
        _build(root, args.specs, args.commits)
        print(f"repository: {args.specs} specs x {args.commits} commits, built in {time.perf_counter() - start:.1f}s")
        first = f"HEAD~{args.commits - 1}"
        report = diff_revisions(first, "HEAD", ["specs"], cwd=root)
        changes = sum(len(s.changes) for s in report.specs)
        figures = {
            "diff (two revisions)": _time(lambda: diff_revisions(first, "HEAD", ["specs"], cwd=root), args.repeat),
            "diff (working tree)": _time(lambda: diff_revisions(first, None, ["specs"], cwd=root), args.repeat),
            "render markdown": _time(lambda: render_diff(report, "markdown"), args.repeat),
        }
        spec = root / "specs" / "workflow-0000.yml"
        history = spec_history(spec, root)
        figures["history (one spec)"] = _time(lambda: spec_history(spec, root), args.repeat)
        figures["history page"] = _time(lambda: render_history_page(history), args.repeat)
        print(f"diff: {changes} changes in {len(report.specs)} specs; history: {len(history)} versions")
        for name, seconds in figures.items():
            per = f" ({seconds / args.specs * 1000:.1f} ms per spec)" if name.startswith("diff") else ""
            print(f"{name:>22}: {seconds * 1000:8.1f} ms{per}")


if __name__ == "__main__":
    main()
