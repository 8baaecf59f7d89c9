"""A spec's history lists the versions of its own workflow only.

``git log --follow`` follows a file into the file it was copied from, and
through a change of the spec's id. Those older versions are another
workflow's: their approvals must not show as approvals of this one, and
their changes are not this workflow's changes.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from collections.abc import Callable
from typing import Any

import pytest

from specgen.review.approve import approve
from specgen.review.history import render_history_page, spec_history
from tests.review_helpers import GitRepo, credit

ORIGINAL = "credit-decision-assistant"


@pytest.fixture
def copied(tmp_path) -> GitRepo:
    """The credit spec at 2.3.0 approved by the CISO; then copied with its
    approvals file to ``business-credit.yml`` and, a commit later, given its
    own id and title (the usual way to start a workflow from another's spec)."""
    r = GitRepo(tmp_path / "repo")
    r.write(credit())
    approve(r.specs / f"{ORIGINAL}.yml", "ciso", "marcus-lee", date=dt.date(2026, 1, 2))
    r.commit("First version, approved")
    shutil.copy(r.specs / f"{ORIGINAL}.yml", r.specs / "business-credit.yml")
    shutil.copy(r.specs / f"{ORIGINAL}.approvals.yml", r.specs / "business-credit.approvals.yml")
    r.commit("Start the business-credit workflow from the personal-loan one")
    data = credit()
    data.update(id="business-credit", title="Business credit decisions", version="0.1.0")
    r.write(data, "business-credit")
    r.commit("Business credit gets its own id")
    return r


def test_a_copied_spec_does_not_inherit_the_originals_versions_or_approvals(copied: GitRepo) -> None:
    git_follows = copied.git("log", "--follow", "--format=%s", "--", "specs/business-credit.yml").splitlines()
    assert "First version, approved" in git_follows  # what git gives: the original's commits too

    history = spec_history(copied.specs / "business-credit.yml", copied.root)

    assert history.spec_id == "business-credit"
    assert [(v.version, v.subject) for v in history] == [("0.1.0", "Business credit gets its own id")]
    assert history[0].changes == ()  # the first version of this workflow: no changes "since" another's
    assert history[0].approvals == ()
    assert history.other_workflow == ORIGINAL

    # the original keeps its own history and its approval
    original = spec_history(copied.specs / f"{ORIGINAL}.yml", copied.root)
    assert original.other_workflow is None
    assert [[(a.role, a.by) for a in v.approvals] for v in original] == [[("ciso", "marcus-lee")]]


def test_the_history_page_and_json_say_which_workflow_the_older_commits_hold(
    copied: GitRepo, run: Callable[..., Any]
) -> None:
    page = run("history", "specs/business-credit.yml", cwd=copied.root)
    assert page.exit_code == 0, page.output
    assert f"**Older commits of `specs/business-credit.yml` hold another workflow**, `{ORIGINAL}`" in page.output
    assert "Marcus Lee" not in page.output and "2.3.0" not in page.output
    assert "| 0.1.0 | 2026-01-03 |" in page.output

    data = json.loads(run("history", "business-credit", "--format", "json", cwd=copied.root).output)
    assert data["other_workflow"] == ORIGINAL
    assert [v["version"] for v in data["versions"]] == ["0.1.0"]

    (copied.specs / "business-credit.approvals.yml").unlink()  # approvals of another spec: validate refuses them
    copied.commit("Drop the approvals copied with the spec")
    built = run("build", "specs", "-o", "site", cwd=copied.root)
    assert built.exit_code == 0, built.output
    html = (copied.root / "site/workflows/business-credit/history.html").read_text(encoding="utf-8")
    assert "hold another workflow" in html and "2.3.0" not in html
    mine = (copied.root / f"site/workflows/{ORIGINAL}/history.html").read_text(encoding="utf-8")
    assert "hold another workflow" not in mine and "Marcus Lee" in mine


def test_a_change_of_id_starts_a_new_history_and_a_rename_does_not(tmp_path) -> None:
    r = GitRepo(tmp_path / "repo")
    data = credit()
    r.write(data)
    r.commit("First version")
    r.git("mv", f"specs/{ORIGINAL}.yml", "specs/loans.yml")
    data["version"] = "2.4.0"
    r.write(data, "loans")
    r.commit("Rename the file, same workflow")
    assert [v.version for v in spec_history(r.specs / "loans.yml", r.root)] == ["2.4.0", "2.3.0"]

    data.update(id="loans", version="3.0.0")
    r.write(data, "loans")
    r.commit("The workflow is now called loans")
    data["version"] = "3.1.0"
    r.write(data, "loans")
    r.commit("Next version")
    history = spec_history(r.specs / "loans.yml", r.root)
    assert [v.version for v in history] == ["3.1.0", "3.0.0"]
    assert history.other_workflow == ORIGINAL
    assert history[0].changes and history[1].changes == ()


def test_an_id_changed_but_not_committed_has_no_committed_version(copied: GitRepo) -> None:
    data = credit()
    data.update(id="sme-credit", title="SME credit decisions", version="0.2.0")
    copied.write(data, "business-credit")

    history = spec_history(copied.specs / "business-credit.yml", copied.root)

    assert (history.spec_id, list(history), history.other_workflow) == ("sme-credit", [], "business-credit")
    page = render_history_page(history)
    assert "No version of this workflow is committed yet." in page
    assert "hold another workflow**, `business-credit`" in page
