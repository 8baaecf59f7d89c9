"""The review gate fails closed: typos, missing paths, hostile file names and
spec text, and truncated history are reported, never passed as "no change".

Every case goes through the CLI against a real git repository in tmp_path.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.review_helpers import GitRepo, credit, credit_repo

HOSTILE = "Answer pages\n::error file=x::pwned \x1b]0;x\x07 \x02\x03"
"""Spec text that would start a fake CI annotation and set a terminal's title."""


@pytest.fixture
def repo(tmp_path: Path) -> GitRepo:
    """A repository whose first commit holds the credit example."""
    return credit_repo(tmp_path)


def _lower_threshold(repo: GitRepo) -> None:
    data = credit()
    next(d for d in data["decisions"] if d["id"] == "approve-low-risk")["confidence_threshold"] = 0.10
    repo.write(data)


def _assert_inert(output: str) -> None:
    """No control character reaches the output, and no spec text starts a line."""
    assert not any(ch in output for ch in "\x1b\x07\x02\x03"), repr(output)
    assert not any(line.lstrip().startswith("::error") for line in output.splitlines()), output


# ---------------------------------------------------------------- arguments


def test_a_typo_for_a_branch_is_a_usage_error(repo: GitRepo, run: Callable[..., Any]) -> None:
    repo.git("branch", "feature")
    result = run("diff", "main", "featrue", cwd=repo.root)
    assert result.exit_code == 2, result.output
    assert "'featrue' is neither a revision nor a file or folder" in result.output
    assert "no spec changed" not in result.output


def test_a_path_that_does_not_exist_is_a_usage_error(repo: GitRepo, run: Callable[..., Any]) -> None:
    repo.git("branch", "feature")
    result = run("diff", "main", "feature", "spec/", cwd=repo.root)
    assert result.exit_code == 2, result.output
    assert "'spec/' is neither a revision nor a file or folder" in result.output


def test_a_path_that_holds_no_spec_is_a_usage_error(repo: GitRepo, run: Callable[..., Any]) -> None:
    (repo.root / "docs").mkdir()
    (repo.root / "docs" / "README.md").write_text("notes\n", encoding="utf-8")
    repo.commit("docs")
    result = run("diff", "HEAD~1", "HEAD", "docs", cwd=repo.root)
    assert result.exit_code == 2, result.output
    assert "'docs' holds no spec file" in result.output


# ---------------------------------------------------------------- hostile file names


def test_a_newline_in_a_file_name_cannot_shift_contents(repo: GitRepo, run: Callable[..., Any]) -> None:
    """A name that, sent as a line to `git cat-file --batch`, asks for BASE's copy of the spec."""
    base = repo.git("rev-parse", "HEAD").strip()
    _lower_threshold(repo)
    decoy = repo.specs / f"a.yml\n{base}:specs"
    decoy.mkdir()
    (decoy / "credit-decision-assistant.yml").write_text("id: decoy\n", encoding="utf-8")
    repo.commit("lower the threshold, and a decoy")

    result = run("diff", "HEAD~1", "HEAD", cwd=repo.root)
    assert result.exit_code == 1, result.output
    assert "decisions[approve-low-risk].confidence_threshold: 0.92 → 0.1" in result.output
    assert "confidence threshold lowered" in result.output
    assert f"specs/a.yml\\n{base}:specs/credit-decision-assistant.yml is refused in HEAD" in result.output
    assert "U+000A" in result.output
    as_json = json.loads(run("diff", "HEAD~1", "HEAD", "--format", "json", cwd=repo.root).output)
    assert any(s["status"] == "invalid" for s in as_json["specs"])


@pytest.mark.parametrize("name", ["evil\x1b[2J.yml", "notes\n.txt", "rtl\u202eLMY.yml"])
def test_a_control_character_in_a_committed_name_is_refused(repo: GitRepo, run: Callable[..., Any], name: str) -> None:
    other = credit()
    other["id"] = "second-workflow"
    repo.write(other, "second")
    (repo.specs / "second.yml").rename(repo.specs / name)
    repo.commit("a spec with a hostile name")

    for args in (("HEAD~1", "HEAD"), ("HEAD~1",)):  # two revisions; a revision and the working tree
        result = run("diff", *args, cwd=repo.root)
        assert result.exit_code == 1, result.output
        assert "specgen refuses it as a spec name" in result.output
        _assert_inert(result.output)
        if "\n" not in name and "\u202e" not in name:
            assert "\\x1b[2J" in result.output


def test_a_file_name_that_is_not_utf8_is_refused(repo: GitRepo, run: Callable[..., Any]) -> None:
    raw = os.fsencode(repo.specs) + b"/caf\xe9.yml"
    with open(raw, "wb") as handle:  # a bytes path: pathlib cannot hold one that is not UTF-8
        handle.write(b"id: [unclosed\n")
    repo.commit("a name in latin-1")
    result = run("diff", "HEAD~1", "HEAD", cwd=repo.root)
    assert result.exit_code == 1, result.output
    assert "bytes that are not UTF-8" in result.output


def test_a_committed_spec_over_the_size_limit_is_refused_unread(repo: GitRepo, run: Callable[..., Any]) -> None:
    from specgen.spec.loader import MAX_FILE_BYTES

    (repo.specs / "huge.yml").write_bytes(b"# " + b"x" * MAX_FILE_BYTES + b"\nid: huge\n")
    repo.commit("a spec over the limit")
    result = run("diff", "HEAD~1", "HEAD", cwd=repo.root)
    assert result.exit_code == 1, result.output
    assert "specs/huge.yml" in result.output and "larger than 5 MiB" in result.output


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


# ---------------------------------------------------------------- history


def test_history_of_a_shallow_clone_says_it_is_incomplete(repo: GitRepo, run: Callable[..., Any]) -> None:
    _lower_threshold(repo)
    repo.commit("v2")
    clone = repo.root.parent / "clone"
    subprocess.run(
        ["git", "clone", "-q", "--depth", "1", repo.root.as_uri(), str(clone)],
        env=repo.env(),
        check=True,
        capture_output=True,
    )
    page = run("history", "specs/credit-decision-assistant.yml", cwd=clone)
    assert page.exit_code == 0, page.output
    assert "shallow clone" in page.output
    as_json = json.loads(run("history", "specs/credit-decision-assistant.yml", "--format", "json", cwd=clone).output)
    assert as_json["shallow"] is True
    assert len(as_json["versions"]) == 1

    full = run("history", "specs/credit-decision-assistant.yml", cwd=repo.root)
    assert "shallow clone" not in full.output
