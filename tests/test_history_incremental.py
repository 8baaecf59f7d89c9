"""Specs in git: the build cache never changes a byte of the history pages.

What a build keeps of git (each file's commit list under the repository's
state, each past version's facts under its object id, the changes between
two versions under both ids) must give the site a clean build gives. A
seeded random sequence of what people do in a repository (commits, version
bumps, approvals, renames, amends, resets, reverts, branch switches, new and deleted
specs, a version that does not validate, edits not yet committed) is built
with the cache after each step and compared, file for file, with a clean
build without it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
from pathlib import Path
from typing import Any

import pytest

from specgen.review.approve import approve
from tests.paths import EXAMPLES, dump_yaml, load_yaml
from tests.review_helpers import GitRepo

SEED = 20261206
STEPS = 32
PREVIEW_STEPS = 16
SUPPORT = EXAMPLES / "support-ticket-triage.yml"


def _digest(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _repository(tmp_path: Path, *specs: Path) -> GitRepo:
    """A repository with ``specs`` committed as their first versions."""
    repo = GitRepo(tmp_path / "repo")
    for source in specs:
        (repo.specs / source.name).write_bytes(source.read_bytes())
    repo.commit("First versions")
    return repo


class Story:
    """A repository and the steps the sequence draws from; each step returns what it did."""

    def __init__(self, repo: GitRepo, rng: random.Random) -> None:
        self.repo = repo
        self.rng = rng
        self.made = 0
        self.other_branch = False

    def _specs(self) -> list[Path]:
        return sorted(p for p in self.repo.specs.glob("*.yml") if not p.name.endswith(".approvals.yml"))

    def _subject(self, rev: str) -> str:
        return self.repo.git("log", "-1", "--format=%s", rev).strip()

    def _pick(self) -> Path:
        return self.rng.choice(self._specs())

    def _load(self, path: Path) -> dict[str, Any]:
        return load_yaml(path.read_text(encoding="utf-8"))

    def _write(self, path: Path, data: dict[str, Any]) -> None:
        path.write_text(dump_yaml(data), encoding="utf-8")

    def _words(self) -> str:
        return " ".join(self.rng.choice(["ledger", "audit", "<b>bold</b>", "*stars*", "é —"]) for _ in range(3))

    def _drop_edits(self) -> None:
        """An edit not committed is given up (git refuses to revert or switch over it)."""
        self.repo.git("checkout", "-q", "--", ".")

    def _bump(self, data: dict[str, Any]) -> None:
        major, minor, _ = (int(n) for n in str(data["version"]).split("."))
        data["version"] = f"{major}.{minor + 1}.0"

    def _reword(self, note: str = "{words}", bump: bool = False) -> Path:
        """A spec picked at random, its summary extended by ``note`` (``{words}``:
        random words, drawn after the pick) and its version bumped if asked."""
        path = self._pick()
        data = self._load(path)
        if bump:
            self._bump(data)
        data["summary"] = f"{data['summary']} {note.format(words=self._words()) if '{words}' in note else note}"
        self._write(path, data)
        return path

    def commit_text(self) -> str:
        path = self._reword()
        self.repo.commit(f"Reword {path.stem}")
        return f"text of {path.name}, committed"

    def commit_version(self) -> str:
        path = self._pick()
        data = self._load(path)
        self._bump(data)
        decision = self.rng.choice(data["decisions"])
        if decision.get("confidence_threshold") is not None:
            decision["confidence_threshold"] = self.rng.choice([0.7, 0.8, 0.9, 0.95])
        decision["description"] = f"{decision['description']} {self._words()}"
        self._write(path, data)
        self.repo.commit(f"Version {data['version']} of {path.stem}", author=self.rng.choice(["Kwame Asante", "Ana"]))
        return f"version {data['version']} of {path.name}"

    def commit_approval(self) -> str:
        path = self._pick()
        outcome = approve(path, "ciso", "marcus-lee", date=dt.date(2025, 12, 1 + self.rng.randrange(27)))
        self.repo.commit(f"Approve {path.stem}")
        return f"approval of {path.name} ({type(outcome).__name__})"

    def rename(self) -> str:
        path = self._pick()
        self.made += 1
        target = path.with_name(f"renamed-{self.made}.yml")
        self.repo.git("mv", str(path.relative_to(self.repo.root)), str(target.relative_to(self.repo.root)))
        sidecar = path.with_name(f"{path.stem}.approvals.yml")
        if sidecar.exists():
            self.repo.git("mv", str(sidecar.relative_to(self.repo.root)), f"specs/renamed-{self.made}.approvals.yml")
        self.repo.commit(f"Rename {path.stem}")
        return f"renamed {path.name} to {target.name}"

    def amend(self) -> str:
        path = self._reword("(amended {words})")
        self.repo.git("add", "-A")
        self.repo.git("commit", "-q", "--amend", "-m", f"Amended: {path.stem}")
        return f"amended the last commit with {path.name}"

    def reset(self) -> str:
        if int(self.repo.git("rev-list", "--count", "HEAD")) < 3:
            return self.commit_text()
        back = "HEAD~2" if self._subject("HEAD~1").startswith("Broken ") else "HEAD~1"  # never onto a broken version
        self.repo.git("reset", "-q", "--hard", back)
        return "reset to the commit before"

    def revert(self) -> str:
        """The last commit undone by a new one: a file's bytes come back with another version before them."""
        if int(self.repo.git("rev-list", "--count", "HEAD")) < 3 or self._subject("HEAD").startswith("Mend "):
            return self.commit_version()  # reverting a mend would bring the broken version back
        self._drop_edits()
        self.repo.git("revert", "--no-edit", "HEAD")
        return "reverted the last commit"

    def switch(self) -> str:
        self._drop_edits()
        if self.other_branch:
            self.repo.git("checkout", "-q", "main")
        else:
            self.repo.git("checkout", "-q", "-B", "other")
            path = self._reword("(on a branch)", bump=True)
            self.repo.commit(f"On a branch: {path.stem}")
        self.other_branch = not self.other_branch
        return "switched to " + ("the other branch" if self.other_branch else "main")

    def add(self) -> str:
        self.made += 1
        data = self._load(self._pick())
        data["id"] = f"copy-{self.made}"
        data["title"] = f"Copy {self.made}"
        self._write(self.repo.specs / f"copy-{self.made}.yml", data)
        self.repo.commit(f"Add copy {self.made}")
        return f"added copy-{self.made}"

    def remove(self) -> str:
        specs = self._specs()
        if len(specs) < 2:
            return self.add()
        path = self.rng.choice(specs)
        path.unlink()
        path.with_name(f"{path.stem}.approvals.yml").unlink(missing_ok=True)
        self.repo.commit(f"Remove {path.stem}")
        return f"removed {path.name}"

    def invalid_version(self) -> str:
        """A version that does not validate, committed, then mended in the next commit."""
        path = self._pick()
        before = path.read_bytes()
        data = self._load(path)
        data["stage"] = "not-a-stage"
        self._write(path, data)
        self.repo.commit(f"Broken {path.stem}")
        path.write_bytes(before)
        self.repo.commit(f"Mend {path.stem}")
        return f"an invalid version of {path.name} in its history"

    def uncommitted(self) -> str:
        path = self._reword("(not committed {words})")
        return f"uncommitted edit of {path.name}"


def test_builds_in_git_equal_clean_builds_over_random_steps(
    run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    repo = _repository(tmp_path, EXAMPLES / "credit-decision-assistant.yml", SUPPORT)
    rng = random.Random(SEED)
    story = Story(repo, rng)
    first = run("build", "specs", "-o", "site", cwd=repo.root)
    assert first.exit_code == 0, first.output
    steps = (
        ["commit_text"] * 3
        + ["commit_version"] * 3
        + ["commit_approval", "rename", "amend", "reset", "revert", "switch", "add", "remove", "invalid_version"]
        + ["uncommitted"]
    )
    done: list[str] = []
    for step in range(STEPS):
        done.append(getattr(story, rng.choice(steps))())
        built = run("build", "specs", "-o", "site", cwd=repo.root)
        assert built.exit_code == 0, (done, built.output)
        clean = run("build", "specs", "-o", "clean", "--no-cache", cwd=repo.root)
        assert clean.exit_code == 0, (done, clean.output)
        assert _digest(repo.root / "site") == _digest(repo.root / "clean"), (step, done)
    kinds = {d.split(" ")[0] for d in done}
    assert {"version", "renamed", "amended", "reset", "reverted", "switched", "approval"} <= kinds, done
    histories = [p.read_text("utf-8") for p in (repo.root / "site").glob("workflows/*/history.html")]
    assert sum(page.count("Version ") for page in histories) > 5, "the pages show real histories"


def test_preview_builds_in_git_equal_clean_builds_over_random_steps(
    run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same through one live preview, which keeps what it restored from
    the cache between builds (:mod:`specgen.site.warm`)."""
    from tests.test_site_serve_warm import _preview

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    repo = _repository(tmp_path, EXAMPLES / "credit-decision-assistant.yml", SUPPORT)
    monkeypatch.chdir(repo.root)
    rng = random.Random(SEED + 1)
    story = Story(repo, rng)
    steps = ["commit_text", "commit_version", "commit_approval", "rename", "amend", "reset", "revert", "switch"]
    preview = _preview(repo.root, [])
    done: list[str] = []
    try:
        assert preview.build().ok
        for step in range(PREVIEW_STEPS):
            done.append(getattr(story, rng.choice([*steps, "add", "invalid_version", "uncommitted"]))())
            built = preview.build()
            assert built.ok, (done, built.lines())
            clean = run("build", "specs", "-o", "clean", "--no-cache", cwd=repo.root)
            assert clean.exit_code == 0, (done, clean.output)
            assert _digest(preview.site_dir) == _digest(repo.root / "clean"), (step, done)
    finally:
        preview.shutdown()
    assert len({d.split(" ")[0] for d in done}) >= 6, done


def test_a_reverted_version_shows_what_the_revert_changed(run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A revert brings back a file's earlier bytes with another version before
    them: what changed is worked out for the new pair, not taken from the
    pair those bytes were first in."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    repo = _repository(tmp_path, EXAMPLES / "credit-decision-assistant.yml")
    story = Story(repo, random.Random(SEED))
    path = repo.specs / "credit-decision-assistant.yml"
    story.commit_text()
    assert run("build", "specs", "-o", "site", cwd=repo.root).exit_code == 0
    data = load_yaml(path.read_text(encoding="utf-8"))
    data["version"] = "3.0.0"
    data["decisions"][0]["confidence_threshold"] = 0.5
    path.write_text(dump_yaml(data), encoding="utf-8")
    repo.commit("Version 3.0.0, a lower threshold")
    assert run("build", "specs", "-o", "site", cwd=repo.root).exit_code == 0
    assert story.revert() == "reverted the last commit"
    built = run("build", "specs", "-o", "site", cwd=repo.root)
    assert built.exit_code == 0, built.output
    assert run("build", "specs", "-o", "clean", "--no-cache", cwd=repo.root).exit_code == 0
    assert _digest(repo.root / "site") == _digest(repo.root / "clean")
    page = (repo.root / "site" / "workflows" / "credit-decision-assistant" / "history.html").read_text("utf-8")
    assert "confidence threshold lowered" in page, "the version"
    assert "confidence threshold raised" in page, "its revert, against the version before it"
