"""A spec file's history ends where the file was made as a copy of another.

``git log --follow`` follows a new file into the file it was copied from:
that file's versions, changes and approvals are not this one's. A renamed
file, and a file whose spec changed its id, keep their whole history (as
``specgen diff`` compares a file whose id changed as one spec, so that a
change of id cannot hide a loosening).
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from collections.abc import Callable
from typing import Any

import pytest

from specgen.review.approve import approve
from specgen.review.commits import file_commits, restore_commits
from specgen.review.diff import Effect
from specgen.review.history import spec_history
from tests.review_helpers import GitRepo, credit

ORIGINAL = "credit-decision-assistant"


@pytest.fixture
def copied(tmp_path) -> GitRepo:
    """The credit spec approved by the CISO; then copied with its approvals
    file to ``business-credit.yml`` and, a commit later, given its own id and
    title (the usual way to start a workflow from another's spec)."""
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


def test_a_copy_does_not_inherit_the_originals_versions_or_approvals(copied: GitRepo) -> None:
    git_follows = copied.git("log", "--follow", "--format=%s", "--", "specs/business-credit.yml").splitlines()
    assert "First version, approved" in git_follows  # what git gives: the original's commits too

    history = spec_history(copied.specs / "business-credit.yml", copied.root)

    assert history.spec_id == "business-credit"
    assert [v.subject for v in history] == [
        "Business credit gets its own id",
        "Start the business-credit workflow from the personal-loan one",
    ]
    assert history.copied_from == f"specs/{ORIGINAL}.yml"
    assert [v.approvals for v in history] == [(), ()]  # the copied approvals file is the original's

    original = spec_history(copied.specs / f"{ORIGINAL}.yml", copied.root)
    assert original.copied_from is None
    assert [[(a.role, a.by) for a in v.approvals] for v in original] == [[("ciso", "marcus-lee")]]


def test_the_page_json_and_site_say_what_the_file_was_copied_from(copied: GitRepo, run: Callable[..., Any]) -> None:
    page = run("history", "specs/business-credit.yml", cwd=copied.root)
    assert page.exit_code == 0, page.output
    assert f"`specs/business-credit.yml` was made as a copy of `specs/{ORIGINAL}.yml`" in page.output
    assert "Marcus Lee" not in page.output and "First version, approved" not in page.output

    data = json.loads(run("history", "business-credit", "--format", "json", cwd=copied.root).output)
    assert data["copied_from"] == f"specs/{ORIGINAL}.yml"
    assert [v["version"] for v in data["versions"]] == ["0.1.0", "2.3.0"]

    (copied.specs / "business-credit.approvals.yml").unlink()  # another spec's approvals: validate refuses them
    copied.commit("Drop the approvals copied with the spec")
    built = run("build", "specs", "-o", "site", cwd=copied.root)
    assert built.exit_code == 0, built.output
    html = (copied.root / "site/workflows/business-credit/history.html").read_text(encoding="utf-8")
    assert "was made as a copy of" in html and "First version, approved" not in html
    mine = (copied.root / f"site/workflows/{ORIGINAL}/history.html").read_text(encoding="utf-8")
    assert "was made as a copy of" not in mine and "Marcus Lee" in mine


def test_a_change_of_id_in_the_same_file_keeps_the_history_and_shows_its_loosening(tmp_path) -> None:
    r = GitRepo(tmp_path / "repo")
    data = credit()
    r.write(data)
    r.commit("First version")
    data.update(id="loans", version="3.0.0")
    next(d for d in data["decisions"] if d["id"] == "approve-low-risk")["confidence_threshold"] = 0.5
    r.write(data)
    r.commit("Rename the workflow and lower its threshold")

    history = spec_history(r.specs / f"{ORIGINAL}.yml", r.root)

    assert history.copied_from is None
    assert [v.version for v in history] == ["3.0.0", "2.3.0"]
    assert [(c.path, c.effect) for c in history[0].loosening] == [
        ("decisions[approve-low-risk].confidence_threshold", Effect.loosens)
    ]


def test_the_copy_is_kept_in_the_build_cache_and_checked(copied: GitRepo) -> None:
    class Memo(dict):  # type: ignore[type-arg]
        def put(self, key: str, value: Any) -> None:
            self[key] = value

    kept = Memo()
    first = file_commits("specs/business-credit.yml", copied.root, kept, "state")
    assert [c.copied_from for c in first] == [f"specs/{ORIGINAL}.yml", None]
    (stored,) = kept.values()
    assert restore_commits(stored) == first
    assert file_commits("specs/business-credit.yml", copied.root, kept, "state") == first
    assert restore_commits([stored[1], stored[0]]) is None  # a copy that is not the first commit
    assert restore_commits([[*stored[0][:6], ""], stored[1]]) is None
    assert restore_commits([[*stored[0][:6], 7], stored[1]]) is None
    assert restore_commits([stored[0][:6]]) is None  # kept before copies were: read from git again
