"""The published pre-commit hook and the example CI workflow."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import click
import pytest
import yaml

from specgen.cli import cli
from tests.review_helpers import GitRepo, credit

REPO = Path(__file__).resolve().parent.parent
HOOKS = REPO / ".pre-commit-hooks.yaml"
CI_EXAMPLE = REPO / "docs" / "ci-example.yml"


def _hook() -> dict[str, Any]:
    from pre_commit.clientlib import load_manifest

    (hook,) = load_manifest(str(HOOKS))  # pre-commit's own schema check of the published file
    return hook


def test_published_hook_definition() -> None:
    hook = _hook()
    assert (hook["id"], hook["entry"], hook["language"], hook["pass_filenames"]) == (
        "specgen-validate",
        "specgen validate",
        "python",
        False,
    )
    files = re.compile(hook["files"])
    matched = ["specs/a.yml", "specs/sub/b.yaml", "specs/a.approvals.yml", "specgen.yml", "specgen.yaml"]
    assert [name for name in matched if not files.search(name)] == []
    ignored = ["src/specgen/cli.py", "docs/specs.yml", "README.md", "other/specgen.yml"]
    assert [name for name in ignored if files.search(name)] == []


def _specgen_executable() -> str:
    beside = Path(sys.executable).with_name("specgen")
    found = str(beside) if beside.exists() else shutil.which("specgen")
    if not found:
        pytest.skip("the specgen console script is not installed (pip install -e .)")
    return found


def _pre_commit(repo: GitRepo, home: Path) -> subprocess.CompletedProcess[str]:
    env = repo.env()
    env.update(PRE_COMMIT_HOME=str(home), PRE_COMMIT_COLOR="never", SKIP="")
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", "run", "--all-files"],
        cwd=repo.root,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_hook_runs_through_pre_commit(tmp_path: Path) -> None:
    """A local hook mirroring the published one (language: system, so no network) guards commits."""
    hook = _hook()
    local = {key: hook[key] for key in ("id", "name", "files", "pass_filenames", "require_serial")}
    local["language"] = "system"
    local["entry"] = hook["entry"].replace("specgen", shlex.quote(_specgen_executable()), 1)
    repo = GitRepo(tmp_path / "repo")
    (repo.root / ".pre-commit-config.yaml").write_text(
        yaml.safe_dump({"repos": [{"repo": "local", "hooks": [local]}]}, sort_keys=False), encoding="utf-8"
    )
    repo.write(credit())
    repo.git("add", "-A")
    home = tmp_path / "pre-commit-home"

    passed = _pre_commit(repo, home)
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "specgen validate" in passed.stdout and "Passed" in passed.stdout

    broken = credit()
    broken["decisions"][0]["approver"] = "nobody"
    repo.write(broken)
    repo.git("add", "-A")
    failed = _pre_commit(repo, home)
    assert failed.returncode == 1
    assert "Failed" in failed.stdout
    assert "decisions[0].approver: unknown role 'nobody'" in failed.stdout


def _specgen_lines(workflow: dict[str, Any]) -> list[list[str]]:
    """The arguments of every specgen command the workflow's steps run, GitHub expressions replaced."""
    scripts = [step["run"] for job in workflow["jobs"].values() for step in job["steps"] if "run" in step]
    commands = []
    for script in scripts:
        plain = re.sub(r"\$\{\{[^}]*\}\}", "main", script).replace("$(git log -1 --format=%ct)", "0")
        for line in plain.splitlines():
            for part in re.split(r"\|\||&&|;", line):
                words = shlex.split(part.split(">")[0], comments=True)
                while words and "=" in words[0]:  # VAR=value before the command
                    words.pop(0)
                if words[:1] == ["specgen"]:
                    commands.append(words[1:])
    return commands


def test_ci_example_uses_real_commands_and_options() -> None:
    workflow = yaml.safe_load(CI_EXAMPLE.read_text(encoding="utf-8"))
    assert set(workflow[True]) == {"pull_request", "push"}  # YAML 1.1 reads the key 'on' as true
    review_steps = workflow["jobs"]["review"]["steps"]
    assert review_steps[0]["with"]["fetch-depth"] == 0
    commands = _specgen_lines(workflow)
    names = [c[0] for c in commands]
    assert {"validate", "check", "diff", "build"} <= set(names)
    ours = {"validate", "diff"}  # the commands this repository defines for sure; others are checked when present
    for args in commands:
        command = cli.get_command(click.Context(cli), args[0])
        if command is None:
            assert args[0] not in ours
            continue
        command.make_context(args[0], list(args[1:]), resilient_parsing=False)
    assert ["diff", "origin/main", "--format", "markdown"] in commands


def test_ci_example_installs_specgen_from_a_pinned_repository_not_a_package_name(tmp_path: Path) -> None:
    """`pip install specgen` fails: no such package is published. The recipe's install
    line, pointed at this repository's current commit, builds specgen with pip."""
    workflow = yaml.safe_load(CI_EXAMPLE.read_text(encoding="utf-8"))
    installs = [
        step["run"]
        for job in workflow["jobs"].values()
        for step in job["steps"]
        if "pip install" in step.get("run", "")
    ]
    assert len(installs) == len(workflow["jobs"])  # each job installs it
    assert all(line == 'pip install "specgen @ git+${SPECGEN_REPO}@${SPECGEN_REF}"' for line in installs)
    assert workflow["env"]["SPECGEN_REF"] and workflow["env"]["SPECGEN_REPO"].endswith(".git")
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=REPO, capture_output=True, text=True, check=True)
    env = {**os.environ, "SPECGEN_REPO": f"file://localhost{REPO}", "SPECGEN_REF": head.stdout.strip()}
    requirement = subprocess.run(
        ["sh", "-c", 'printf %s "specgen @ git+${SPECGEN_REPO}@${SPECGEN_REF}"'],
        env=env,
        capture_output=True,
        text=True,
    ).stdout
    # pip wheel runs the same resolution as pip install, without touching this environment
    built = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(tmp_path),
            requirement,
        ],
        capture_output=True,
        text=True,
    )
    assert built.returncode == 0, built.stderr[-2000:]
    assert [p.name.split("-")[0] for p in tmp_path.glob("*.whl")] == ["specgen"]


def test_ci_example_checks_run_on_the_examples(run, example_tree: Path) -> None:
    """The recipe's validate and check steps, as written, pass on the bundled examples
    (diff and build need a git history and Pages; their options are checked above)."""
    workflow = yaml.safe_load(CI_EXAMPLE.read_text(encoding="utf-8"))
    ran = 0
    for args in _specgen_lines(workflow):
        if args[0] in ("validate", "check"):
            result = run(*args, cwd=example_tree)
            assert result.exit_code == 0, (args, result.output)
            ran += 1
    assert ran >= 3


def test_readme_shows_the_ci_example() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("<!-- section:review -->")[1].split("<!-- /section:review -->")[0]
    assert CI_EXAMPLE.read_text(encoding="utf-8").strip() in section
    assert os.path.relpath(CI_EXAMPLE, REPO) in section
