"""Helpers for the evidence tests: a small project with a spec whose conditions
name their measurement, result files in the plain table format, and the real
tools (pytest always; promptfoo where installed)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.paths import EXAMPLES, PROJECT_FILE, REPO

SPEC = "support-ticket-triage"
HEADER = "metric,slice,value,n,passed,date,tool,spec\n"


def make_project(folder: Path) -> Path:
    """The support example (without its recorded evidence) and the example project file."""
    (folder / "specs").mkdir(parents=True)
    shutil.copy(PROJECT_FILE, folder / "specgen.yml")
    spec = folder / "specs" / f"{SPEC}.yml"
    shutil.copy(EXAMPLES / f"{SPEC}.yml", spec)
    return spec


def table(folder: Path, name: str, rows: list[str], header: str = HEADER) -> Path:
    """A result file in specgen's plain CSV table format."""
    path = folder / name
    path.write_text(header + "".join(r + "\n" for r in rows), encoding="utf-8")
    return path


def good_rows(day: str = "2026-11-10", routing: tuple[int, int] = (96, 100)) -> list[str]:
    ok, n = routing
    return [
        f"routing_accuracy,all,{ok / n},{n},{ok},{day},harness,{SPEC}",
        f"routing_accuracy,de,0.95,40,38,{day},harness,{SPEC}",
        f"draft_acceptance,all,0.7,100,70,{day},harness,{SPEC}",
        f"policy_breaches,all,0,100,,{day},harness,{SPEC}",
    ]


def evidence_state(folder: Path) -> dict[str, bytes]:
    """Every file of the evidence store and every sidecar, to compare before and after."""
    files = sorted((folder / "evidence").rglob("*")) if (folder / "evidence").exists() else []
    files += sorted((folder / "specs").glob("*.evidence.yml"))
    return {str(p.relative_to(folder)): p.read_bytes() for p in files if p.is_file()}


def sidecar(spec: Path) -> dict:
    return yaml.safe_load(spec.with_name(f"{spec.stem}.evidence.yml").read_text(encoding="utf-8"))


def run_pytest_junit(folder: Path, source: str) -> Path:
    """Really run pytest on a generated test file; returns its --junitxml output."""
    test_file = folder / "test_generated_eval.py"
    test_file.write_text(source, encoding="utf-8")
    out = folder / "junit.xml"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            str(test_file),
            f"--junitxml={out}",
            "-o",
            "junit_suite_name=routing_accuracy",
        ],
        cwd=folder,
        capture_output=True,
        check=False,
        timeout=120,
    )
    assert out.is_file()
    return out


def promptfoo_command() -> str | None:
    """promptfoo 0.115: $PROMPTFOO, the copy .ci/run installs under .tools/, or the PATH."""
    candidates = [
        os.environ.get("PROMPTFOO"),
        str(REPO / ".tools" / "promptfoo" / "node_modules" / ".bin" / "promptfoo"),
    ]
    for candidate in candidates:
        if candidate and Path(candidate).is_file():
            return candidate
    return shutil.which("promptfoo")


def require_promptfoo() -> str:
    found = promptfoo_command()
    if found is None:
        reason = (
            "promptfoo is not installed (PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm install promptfoo@0.115; see .ci/run)"
        )
        if os.environ.get("SPECGEN_REQUIRE_PROMPTFOO"):
            pytest.fail(reason)
        pytest.skip(reason)
    return found
