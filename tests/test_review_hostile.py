"""The review gate fails closed: typos, missing paths, hostile file names and
spec text, and truncated history are reported, never passed as "no change".

Every case goes through the CLI against a real git repository in tmp_path.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.review_helpers import GitRepo, credit

HOSTILE = "Answer pages\n::error file=x::pwned \x1b]0;x\x07 \x02\x03"
"""Spec text that would start a fake CI annotation and set a terminal's title."""


@pytest.fixture
def repo(tmp_path: Path) -> GitRepo:
    """A repository whose first commit holds the credit example."""
    r = GitRepo(tmp_path / "repo")
    r.write(credit())
    r.commit("credit v1")
    return r


def _assert_inert(output: str) -> None:
    """No control character reaches the output, and no spec text starts a line."""
    assert not any(ch in output for ch in "\x1b\x07\x02\x03"), repr(output)
    assert not any(line.lstrip().startswith("::error") for line in output.splitlines()), output


# ---------------------------------------------------------------- hostile spec text


def test_spec_text_cannot_start_a_line_or_drive_the_terminal(repo: GitRepo, run: Callable[..., Any]) -> None:
    data = credit()
    data["title"] = HOSTILE
    data["ownership"]["raci"].append(
        {"activity": HOSTILE, "accountable": "ml-platform-lead", "responsible": ["ml-platform-lead"]}
    )
    repo.write(data)
    repo.commit("hostile text")
    text = run("diff", "HEAD~1", "HEAD", cwd=repo.root)
    assert "ownership.raci[Answer pages\\n::error file=x::pwned \\x1b]0;x\\x07 \\x02\\x03]: " in text.output
    _assert_inert(text.output)
    markdown = run("diff", "HEAD~1", "HEAD", "--format", "markdown", cwd=repo.root)
    assert "raci" in markdown.output
    _assert_inert(markdown.output)
