"""git is run on the repository the command names, whatever the caller's
environment says: no ``GIT_DIR``/``GIT_WORK_TREE``/config variables from the
caller, no replace refs, no system configuration."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.review_helpers import GitRepo, credit


def _lower_threshold(data: dict[str, Any]) -> dict[str, Any]:
    next(d for d in data["decisions"] if d["id"] == "approve-low-risk")["confidence_threshold"] = 0.10
    return data


@pytest.fixture
def repo(tmp_path: Path) -> GitRepo:
    """Two commits: the credit example, then its confidence threshold lowered to 0.10."""
    r = GitRepo(tmp_path / "repo")
    r.write(credit())
    r.commit("credit v1")
    r.write(_lower_threshold(credit()))
    r.commit("lower the threshold")
    return r


def test_the_callers_git_dir_does_not_redirect_the_history(
    repo: GitRepo, tmp_path: Path, run: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    other = GitRepo(tmp_path / "other")
    other.commit("nothing here")
    monkeypatch.setenv("GIT_DIR", str(other.root / ".git"))
    monkeypatch.setenv("GIT_WORK_TREE", str(other.root))
    monkeypatch.setenv("GIT_INDEX_FILE", str(other.root / ".git" / "index"))
    monkeypatch.setenv("GIT_CONFIG_PARAMETERS", "'core.worktree'='/nonexistent'")
    result = run("history", "specs/credit-decision-assistant.yml", "--format", "json", cwd=repo.root)
    assert result.exit_code == 0, result.output
    assert '"commit"' in result.output  # the spec's own commits, not the other repository's (none)
    diff = run("diff", "HEAD~1", "HEAD", cwd=repo.root)
    assert diff.exit_code == 1, diff.output
    assert "0.1" in diff.output


def test_replace_refs_cannot_hide_a_change(repo: GitRepo, run: Callable[..., Any]) -> None:
    """``git replace`` makes git show another object under an id; the review reads the real one."""
    spec = "specs/credit-decision-assistant.yml"
    lowered = repo.git("rev-parse", f"HEAD:{spec}").strip()
    original = repo.git("rev-parse", f"HEAD~1:{spec}").strip()
    repo.git("replace", lowered, original)
    assert repo.git("cat-file", "-p", f"HEAD:{spec}") == repo.git("cat-file", "-p", f"HEAD~1:{spec}")

    result = run("diff", "HEAD~1", "HEAD", cwd=repo.root)
    assert result.exit_code == 1, result.output
    assert "no spec changed" not in result.output
    assert "0.1" in result.output
