"""Shared fixtures: the repository's paths, a CLI runner, spec builders."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from specgen.cli import cli
from tests.paths import EVIDENCE_STORE, EXAMPLES, PROJECT_FILE, REPO, copy_examples, dump_yaml, load_yaml

SLOW_MARKS = ("browser", "office")
SLOW_MODULES = (
    "test_site_build",
    "test_site_staging",
    "test_site_incremental",
    "test_site_delta",
    "test_site_engine",
    "test_browser_site",
    "test_bundle",
    "test_bundle_hostile",
    "test_precommit",
    "test_sow_docx",
    "test_sow_pdf",
    "test_review_hostile",
    "test_history",
    "test_history_incremental",
    "test_serve",
    "test_git_env",
    "test_approvals_git",
    "test_hostile_inputs",
)
"""Tests that build real sites, archives or git repositories, or run outside
tools: ``pytest -m "not slow"`` leaves them out of the inner loop."""


@pytest.fixture(scope="session", autouse=True)
def _user_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Compiled templates go to a folder of the test session, not the user's cache."""
    os.environ["SPECGEN_CACHE_HOME"] = str(tmp_path_factory.mktemp("user-cache"))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if item.module.__name__.rpartition(".")[2] in SLOW_MODULES or any(
            item.get_closest_marker(m) for m in SLOW_MARKS
        ):
            item.add_marker(pytest.mark.slow)


@pytest.fixture
def repo() -> Path:
    return REPO


@pytest.fixture
def run(monkeypatch: pytest.MonkeyPatch) -> Callable[..., Result]:
    """Run the specgen CLI in-process; returns click's Result (exit_code, output)."""

    def _run(*args: str | os.PathLike[str], cwd: Path | None = None) -> Result:
        if cwd is not None:
            monkeypatch.chdir(cwd)
        return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)

    return _run


@pytest.fixture
def example_tree(tmp_path: Path) -> Path:
    """A copy of the bundled examples (specs/, specgen.yml and the evidence store) in tmp_path."""
    return copy_examples(tmp_path)


@pytest.fixture
def credit_data() -> dict:
    """The credit-decision example as plain data, to mutate in tests."""
    return load_yaml((EXAMPLES / "credit-decision-assistant.yml").read_text(encoding="utf-8"))


@pytest.fixture
def write_spec(tmp_path: Path) -> Callable[[dict, str], Path]:
    """Write spec data as YAML into tmp_path/specs/<name>.yml, with the example project file."""

    def _write(data: dict, name: str = "spec") -> Path:
        folder = tmp_path / "specs"
        folder.mkdir(exist_ok=True)
        if not (tmp_path / "specgen.yml").exists():
            shutil.copy(PROJECT_FILE, tmp_path / "specgen.yml")
        path = folder / f"{name}.yml"
        path.write_text(dump_yaml(data), encoding="utf-8")
        recorded = EXAMPLES / f"{data.get('id')}.evidence.yml"  # an example's measured evidence goes with it
        if isinstance(data, dict) and recorded.is_file():
            shutil.copy(recorded, folder / f"{name}.evidence.yml")
            if not (tmp_path / "evidence").exists():  # and the result files its records are read from
                shutil.copytree(EVIDENCE_STORE, tmp_path / "evidence")
        return path

    return _write
