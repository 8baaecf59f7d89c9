"""A throwaway git repository of specs, for the diff, approvals and history tests.

Commits use fixed names, e-mails and dates passed through the environment, so
no global git configuration is read or written.
"""

from __future__ import annotations

import copy
import datetime as dt
import functools
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

from tests.paths import EXAMPLES, PROJECT_FILE, dump_yaml, load_yaml

CREDIT = EXAMPLES / "credit-decision-assistant.yml"


@functools.lru_cache(maxsize=1)
def _credit() -> dict[str, Any]:
    return load_yaml(CREDIT.read_text(encoding="utf-8"))


def credit() -> dict[str, Any]:
    """The credit example as data (a fresh copy each time)."""
    return copy.deepcopy(_credit())


class GitRepo:
    """A git repository in ``root`` with specgen.yml and a specs/ folder."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.specs = root / "specs"
        self.specs.mkdir(parents=True, exist_ok=True)
        shutil.copy(PROJECT_FILE, root / "specgen.yml")
        self._day = 0
        self.git("init", "-q", "-b", "main")

    def env(self, author: str = "Sara Nilsson") -> dict[str, str]:
        env = dict(os.environ)
        for key in [k for k in env if k.startswith("GIT_")]:
            del env[key]
        day = dt.date(2026, 1, 1) + dt.timedelta(days=max(self._day, 1) - 1)  # one day a commit, past January too
        date = f"{day.isoformat()}T12:00:00+00:00"
        env.update(
            GIT_AUTHOR_NAME=author,
            GIT_AUTHOR_EMAIL="author@example.invalid",
            GIT_COMMITTER_NAME=author,
            GIT_COMMITTER_EMAIL="author@example.invalid",
            GIT_AUTHOR_DATE=date,
            GIT_COMMITTER_DATE=date,
            GIT_CONFIG_NOSYSTEM="1",
            GIT_CONFIG_GLOBAL=os.devnull,
        )
        return env

    def git(self, *args: str) -> str:
        done = subprocess.run(["git", *args], cwd=self.root, env=self.env(), capture_output=True, text=True, check=True)
        return done.stdout

    def write(self, data: dict[str, Any], name: str = "credit-decision-assistant") -> Path:
        path = self.specs / f"{name}.yml"
        path.write_text(dump_yaml(data), encoding="utf-8")
        return path

    def write_text(self, text: str, name: str = "credit-decision-assistant") -> Path:
        path = self.specs / f"{name}.yml"
        path.write_text(text, encoding="utf-8")
        return path

    def commit(self, message: str, author: str = "Sara Nilsson") -> str:
        self._day += 1
        env = self.env(author)
        subprocess.run(["git", "add", "-A"], cwd=self.root, env=env, check=True)
        subprocess.run(["git", "commit", "-q", "--allow-empty", "-m", message], cwd=self.root, env=env, check=True)
        return self.git("rev-parse", "HEAD").strip()


def credit_repo(tmp_path: Path) -> GitRepo:
    """A repository in ``tmp_path/repo`` whose first commit holds the credit example."""
    r = GitRepo(tmp_path / "repo")
    r.write(credit())
    r.commit("credit v1")
    return r
