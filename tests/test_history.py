"""Change history of a spec from git, and its page on the handover site."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from specgen.review.approve import approve
from specgen.review.diff import Effect
from specgen.review.history import History, render_history_page, spec_history
from tests.review_helpers import GitRepo, credit


def _decision(data: dict[str, Any], ident: str) -> dict[str, Any]:
    return next(d for d in data["decisions"] if d["id"] == ident)


@pytest.fixture
def repo(tmp_path: Path) -> GitRepo:
    """Five commits: v2.3.0, a cosmetic edit, v2.4.0 (threshold lowered), a rename, v2.5.0 approved."""
    r = GitRepo(tmp_path / "repo")
    data = credit()
    r.write(data)
    r.commit("First version", author="Kwame Asante")
    r.write_text("# only a comment changed\n" + (r.specs / "credit-decision-assistant.yml").read_text())
    r.commit("Comment")
    data["version"] = "2.4.0"
    _decision(data, "approve-low-risk")["confidence_threshold"] = 0.8
    data["ownership"]["technical_owner"] = "vendor-delivery-lead"
    r.write(data)
    r.commit("Lower the <b>approval</b> threshold")
    r.git("mv", "specs/credit-decision-assistant.yml", "specs/credit.yml")
    r.commit("Rename the file")
    data["version"] = "2.5.0"
    data["audit"]["retention"] = "12y"
    r.write(data, "credit")
    r.commit("Keep audit records longer")
    return r


def test_versions_dates_changes_and_approvals(repo: GitRepo) -> None:
    approve(repo.specs / "credit.yml", "ciso", "marcus-lee", date=dt.date(2026, 1, 6))
    history = spec_history(repo.specs / "credit.yml", repo.root)

    assert (history.spec_id, history.path) == ("credit-decision-assistant", "specs/credit.yml")
    assert [(v.version, v.date, v.author, v.path) for v in history] == [
        ("2.5.0", dt.date(2026, 1, 5), "Sara Nilsson", "specs/credit.yml"),
        ("2.4.0", dt.date(2026, 1, 3), "Sara Nilsson", "specs/credit-decision-assistant.yml"),
        ("2.3.0", dt.date(2026, 1, 1), "Kwame Asante", "specs/credit-decision-assistant.yml"),
    ]
    latest, middle, first = history
    assert [(c.path, c.label, c.effect) for c in latest.governance_changes] == [
        ("audit.retention", "audit retention lengthened", Effect.tightens)
    ]
    assert [(c.path, c.effect) for c in middle.loosening] == [
        ("decisions[approve-low-risk].confidence_threshold", Effect.loosens)
    ]
    assert first.changes == ()
    assert [(a.role, a.by) for a in latest.approvals] == [("ciso", "marcus-lee")]
    assert middle.approvals == () and first.approvals == ()


def test_history_page(repo: GitRepo) -> None:
    approve(repo.specs / "credit.yml", "ciso", "marcus-lee", date=dt.date(2026, 1, 6))
    page = render_history_page(spec_history(repo.specs / "credit.yml", repo.root))
    lines = page.splitlines()
    assert lines[0] == "# Change history: Credit-decision assistant for personal loans"
    assert "| Version | Date | Commit | Loosens | Tightens | Approved by |" in lines
    assert any(
        line.startswith("| 2.5.0 | 2026-01-05 |")
        and line.endswith("| 0 | 1 | Chief Information Security Officer: Marcus Lee (2026-01-06) |")
        for line in lines
    )
    assert any(
        line.startswith("| 2.4.0 | 2026-01-03 |") and line.endswith("| 1 | 0 | **not approved** |") for line in lines
    )
    assert "## Version 2.4.0 (2026-01-03)" in lines
    assert (
        "| **loosens** | confidence threshold lowered | `decisions[approve-low-risk].confidence_threshold` | 0.92 | 0.8 |"
    ) in lines
    assert "And 2 other edits that neither loosen nor tighten governance." in lines
    assert "<b>" not in page  # commit subjects are untrusted text too
    assert "Lower the &#60;b&#62;approval&#60;/b&#62; threshold" in page
    assert "The first recorded version." in lines


def test_history_is_deterministic_and_found_by_spec_id(repo: GitRepo, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(repo.root)
    by_id = render_history_page(spec_history("credit-decision-assistant"))
    assert by_id == render_history_page(spec_history(repo.specs / "credit.yml", repo.root))


def test_no_git_repository_means_empty_history(tmp_path: Path, write_spec: Callable[..., Path]) -> None:
    path = write_spec(credit(), "credit-decision-assistant")
    history = spec_history(path)
    assert isinstance(history, History)
    assert len(history) == 0
    assert "No history is recorded for this workflow" in render_history_page(history)


def test_uncommitted_spec_has_empty_history(repo: GitRepo) -> None:
    shutil.copy(repo.specs / "credit.yml", repo.specs / "draft.yml")
    assert list(spec_history(repo.specs / "draft.yml", repo.root)) == []


def test_user_template_overrides_the_page(repo: GitRepo) -> None:
    folder = repo.root / "templates" / "site"
    folder.mkdir(parents=True)
    (folder / "history.md.j2").write_text("{{ history.versions|length }} versions\n", encoding="utf-8")
    page = render_history_page(spec_history(repo.specs / "credit.yml", repo.root), user_dirs=[repo.root / "templates"])
    assert page == "3 versions\n"


def test_history_command(repo: GitRepo, run: Callable[..., Any]) -> None:
    page = run("history", "specs/credit.yml", cwd=repo.root)
    assert page.exit_code == 0, page.output
    assert page.output.startswith("# Change history: Credit-decision assistant")
    as_json = run("history", "credit-decision-assistant", "--format", "json", cwd=repo.root)
    assert as_json.exit_code == 0
    data = json.loads(as_json.output)
    assert [v["version"] for v in data["versions"]] == ["2.5.0", "2.4.0", "2.3.0"]
    unknown = run("history", "no-such-spec", cwd=repo.root)
    assert unknown.exit_code == 2
    assert "'no-such-spec' is neither a spec file nor the id of a spec" in unknown.output


def _spy(monkeypatch: pytest.MonkeyPatch, owner: Any, name: str, note: Callable[..., Any]) -> list[Any]:
    """Replace ``owner.name`` by a wrapper that calls the real one after
    appending ``note`` of its arguments to the list returned."""
    calls: list[Any] = []
    real = getattr(owner, name)

    def spy(*args: Any, **kwargs: Any) -> Any:
        calls.append(note(*args, **kwargs))
        return real(*args, **kwargs)

    monkeypatch.setattr(owner, name, spy)
    return calls


def test_a_site_build_validates_each_past_version_once(repo: GitRepo, run, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every build shows each spec's history, read from git: the past versions
    are validated once and then taken from the build cache, and the spec as it
    is is not read again for its history (the site is the same)."""
    from specgen.spec import loader

    first = run("build", "specs", "-o", "site", cwd=repo.root)
    assert first.exit_code == 0, first.output
    parsed = _spy(monkeypatch, loader, "parse_source", lambda raw, name, path=None: name)
    second = run("build", "specs", "-o", "again", cwd=repo.root)
    assert second.exit_code == 0, second.output
    specs = [name for name in parsed if name.endswith(".yml") and not name.endswith("specgen.yml")]
    assert specs == [], "a spec or a past version was parsed again"
    page = "workflows/credit-decision-assistant/history.html"
    assert (repo.root / "again" / page).read_bytes() == (repo.root / "site" / page).read_bytes()
    assert "2.3.0" in (repo.root / "again" / page).read_text(encoding="utf-8")


def _two_specs(repo: GitRepo) -> None:
    from tests.paths import EXAMPLES

    repo.write_text((EXAMPLES / "support-ticket-triage.yml").read_text(encoding="utf-8"), "support")
    repo.commit("Add the support workflow")


def test_a_site_build_reads_every_past_version_in_one_git_process(
    repo: GitRepo, run, monkeypatch: pytest.MonkeyPatch
) -> None:
    from specgen import git

    _two_specs(repo)
    asked = _spy(monkeypatch, git, "read_objects", lambda oids, root: len(oids))
    result = run("build", "specs", "-o", "site", "--no-cache", cwd=repo.root)
    assert result.exit_code == 0, result.output
    assert asked == [5], "one git process for the four versions of one spec and the one of the other"
    page = (repo.root / "site" / "workflows" / "support-ticket-triage" / "history.html").read_text(encoding="utf-8")
    assert "Add the support workflow" in page


def test_an_unreadable_batch_falls_back_to_one_spec_at_a_time(
    repo: GitRepo, run, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Should git fail to give every version at once, each spec's history is
    read on its own, as ``specgen history`` reads it: the site is the same."""
    from specgen import git

    _two_specs(repo)
    clean = run("build", "specs", "-o", "clean", "--no-cache", cwd=repo.root)
    assert clean.exit_code == 0, clean.output
    real = git.read_objects
    calls: list[int] = []

    def no_batches(oids, root):  # the first call, for every spec at once, fails
        calls.append(len(oids))
        if len(calls) == 1:
            raise git.GitError("git cat-file failed")
        return real(oids, root)

    monkeypatch.setattr(git, "read_objects", no_batches)
    result = run("build", "specs", "-o", "site", "--no-cache", cwd=repo.root)
    assert result.exit_code == 0, result.output
    assert calls[0] == 5 and len(calls) == 3, calls
    for spec in ("credit-decision-assistant", "support-ticket-triage"):
        page = f"workflows/{spec}/history.html"
        assert (repo.root / "site" / page).read_bytes() == (repo.root / "clean" / page).read_bytes()


def _history_pages(site: Path) -> dict[str, bytes]:
    return {str(p.relative_to(site)): p.read_bytes() for p in sorted(site.glob("workflows/*/history.html"))}


def test_a_site_build_asks_git_for_each_files_commits_once(repo: GitRepo, run, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each spec file's list of commits is kept in the build cache while the
    repository is as it was, and what the history needs of each version: a
    second build starts no ``git log`` and reads, validates or hashes no past
    version, and a new commit is seen at once."""
    from specgen import git
    from specgen.review import versions

    _two_specs(repo)
    first = run("build", "specs", "-o", "site", cwd=repo.root)
    assert first.exit_code == 0, first.output
    logs = _spy(monkeypatch, git, "file_history", lambda path, root: path)
    hashed = _spy(monkeypatch, versions, "fingerprint", lambda spec: spec.id)
    read = _spy(monkeypatch, git, "read_objects", lambda oids, root: len(oids))
    second = run("build", "specs", "-o", "again", cwd=repo.root)
    assert second.exit_code == 0, second.output
    assert (logs, hashed, read) == ([], [], []), "no git log, no version read or hashed"
    assert _history_pages(repo.root / "again") == _history_pages(repo.root / "site")

    data = credit()
    data["version"] = "2.6.0"
    repo.write(data, "credit")
    repo.commit("A version after the cache was filled")
    third = run("build", "specs", "-o", "third", cwd=repo.root)
    assert third.exit_code == 0, third.output
    assert sorted(logs) == ["specs/credit.yml", "specs/support.yml"]
    assert hashed == ["credit-decision-assistant"], "only the new version is hashed"
    assert read == [5], "the versions of the spec with a new one are read, not the other spec's"
    page = (repo.root / "third" / "workflows" / "credit-decision-assistant" / "history.html").read_text("utf-8")
    assert "A version after the cache was filled" in page and "2.6.0" in page


def test_deepening_a_shallow_clone_shows_the_older_versions(repo: GitRepo, run, tmp_path: Path) -> None:
    """``git fetch --deepen`` moves the cut-off without moving HEAD: the next
    build must not show the shorter history it kept."""
    clone = GitRepo.__new__(GitRepo)
    clone.root, clone.specs, clone._day = tmp_path / "clone", tmp_path / "clone" / "specs", 9
    repo.git("clone", "-q", "--depth", "1", f"file://{repo.root}", str(clone.root))
    shallow = run("build", "specs", "-o", "site", cwd=clone.root)
    assert shallow.exit_code == 0, shallow.output
    page = clone.root / "site" / "workflows" / "credit-decision-assistant" / "history.html"
    assert "2.4.0" not in page.read_text("utf-8") and "2.5.0" in page.read_text("utf-8")
    head = clone.git("rev-parse", "HEAD")
    clone.git("fetch", "-q", "--deepen", "4")
    assert clone.git("rev-parse", "HEAD") == head
    deeper = run("build", "specs", "-o", "site", cwd=clone.root)
    assert deeper.exit_code == 0, deeper.output
    assert "2.4.0" in page.read_text("utf-8") and "2.3.0" in page.read_text("utf-8")


def test_the_log_state_changes_with_what_changes_a_files_history(repo: GitRepo, tmp_path: Path) -> None:
    from specgen import git

    first = git.log_state(repo.root)
    assert first.key is not None and not first.shallow
    assert git.log_state(repo.root) == first, "nothing changed, the same state"
    assert git.log_state(repo.specs) == first, "asked from a folder inside the work tree"
    repo.git("config", "diff.renameLimit", "1")
    configured = git.log_state(repo.root)
    assert configured.key not in (None, first.key), "rename detection is configuration"
    repo.commit("Nothing but a commit")
    assert git.log_state(repo.root).key not in (None, first.key, configured.key)
    parent, grandparent = repo.git("rev-parse", "HEAD~1", "HEAD~2").split()
    (repo.root / ".git" / "shallow").write_text(parent + "\n")
    cut = git.log_state(repo.root)
    assert cut.shallow and cut.key is not None
    (repo.root / ".git" / "shallow").write_text(grandparent + "\n")
    assert git.log_state(repo.root).key != cut.key, "a new cut-off, the same HEAD"
    unborn = GitRepo(tmp_path / "unborn")
    assert git.log_state(unborn.root) == git.LogState(False, None)


def test_the_state_paths_of_a_work_tree_and_a_linked_one(repo: GitRepo, tmp_path: Path) -> None:
    """What the preview watches: HEAD of the work tree itself, the refs and
    settings the work trees share."""
    from specgen import git

    main = git.state_paths(repo.specs)
    assert main is not None
    dot_git = (repo.root / ".git").resolve()
    assert main.folders == (dot_git,)
    assert main.files[:2] == (dot_git / "HEAD", dot_git / "config")
    assert main.refs == (dot_git / "refs", dot_git / "reftable"), "loose refs, or a reftable's tables"
    repo.git("worktree", "add", "-q", str(tmp_path / "linked"), "-b", "linked")
    linked = git.state_paths(tmp_path / "linked")
    assert linked is not None
    assert linked.folders == ((dot_git / "worktrees" / "linked").resolve(), dot_git)
    assert linked.files[0] == dot_git / "worktrees" / "linked" / "HEAD", "its own HEAD"
    assert linked.files[1] == dot_git / "config" and linked.refs[0] == dot_git / "refs", "shared"
    assert git.state_paths(tmp_path) is None, "outside git"


class _DictMemo(dict):
    def put(self, key: str, value: Any) -> None:
        self[key] = value


def _histories(
    repo: GitRepo, memo: _DictMemo | None = None, specs: list[Any] | None = None, data: bool = True, jobs: int = 1
) -> Any:
    """``spec_histories`` of every spec file of ``repo``, as data (else as they are)."""
    from specgen import git
    from specgen.review.history import spec_histories
    from specgen.spec.approvals import Attribution
    from specgen.spec.loader import load_project

    project, _, _ = load_project(repo.root / "specgen.yml")
    paths = sorted(repo.specs.glob("*.yml"))
    found = spec_histories(
        paths,
        repo.root,
        project=project,
        attributions=[Attribution()] * len(paths),
        shallow=False,
        memo=memo,
        log_key=git.log_state(repo.root).key,
        specs=specs,
        jobs=jobs,
    )
    return [h.to_dict() for h in found] if data else found


def test_damaged_entries_are_read_from_git_again(repo: GitRepo) -> None:
    """What the cache holds of a file's commits, a version (its facts) or the
    changes between two versions is checked before it is used: anything
    damaged or foreign is worked out again, and the history is the same."""
    _two_specs(repo)
    clean = _histories(repo, data=False)
    memo = _DictMemo()
    assert _histories(repo, memo, data=False) == clean
    commit_lists = [k for k, v in memo.items() if isinstance(v, list) and v and isinstance(v[0], list)]
    facts = [k for k, v in memo.items() if isinstance(v, dict) and "fingerprint" in v]
    changes = [k for k, v in memo.items() if isinstance(v, list) and v and isinstance(v[0], dict)]
    assert (len(commit_lists), len(facts), len(changes)) == (2, 5, 2)
    good = dict(memo)
    assert _histories(repo, memo, data=False) == clean, "all from the cache"
    fact = memo[facts[0]]
    damage = [
        (["not", "a", "commit"], {"a": 1}, [{"kind": "nope"}]),
        ([["0" * 40, "a", "2026-13-01", "s", "specs/credit.yml", "1" * 40]], {**fact, "fingerprint": "sha256:zz"}, [1]),
        (
            [["../../etc", "a", "2026-01-01", "s", "specs/credit.yml", "1" * 40]],
            {**fact, "approvals": [{"role": "ciso"}]},
            [{**memo[changes[0]][0], "effect": "opens the door"}],
        ),
        ({"a": 1}, {**fact, "people": [["only-an-id"]]}, "invalid"),
    ]
    for bad_log, bad_facts, bad_changes in damage:
        memo.update({k: bad_log for k in commit_lists})
        memo.update({k: bad_facts for k in facts})
        memo.update({k: bad_changes for k in changes})
        assert _histories(repo, memo, data=False) == clean, (bad_log, bad_facts, bad_changes)
        assert memo == good, "the damaged entries are replaced by what git says"


def test_only_a_version_with_the_files_bytes_is_taken_from_the_file(repo: GitRepo, run) -> None:
    """A past version with the bytes of the file as it is is the spec already
    loaded; an edit not yet committed is no version."""
    from specgen.spec.loader import load_spec_text

    _two_specs(repo)
    data = credit()
    data["version"] = "9.9.9"
    repo.write(data, "credit")  # not committed
    loaded = [load_spec_text(p.read_bytes(), str(p), p)[0] for p in sorted(repo.specs.glob("*.yml"))]
    assert _histories(repo, specs=loaded) == _histories(repo)
    credit_history = _histories(repo, specs=loaded)[0]
    assert [v["version"] for v in credit_history["versions"]] == ["2.5.0", "2.4.0", "2.3.0"]
    result = run("build", "specs", "-o", "site", cwd=repo.root)
    assert result.exit_code == 0, result.output
    page = (repo.root / "site" / "workflows" / "credit-decision-assistant" / "history.html").read_text("utf-8")
    assert "Version 2.5.0" in page and "Version 9.9.9" not in page


def test_histories_worked_out_in_worker_processes_are_the_same(repo: GitRepo, monkeypatch: pytest.MonkeyPatch) -> None:
    """A build without the cache works out every spec's history from its past
    versions: once there are enough specs, in worker processes, which send
    back the entries and what they would have kept. Both are the same as
    worked out here."""
    from specgen.review import history

    data = credit()
    for number in range(50):
        data["id"] = f"workflow-{number:02d}"
        repo.write(data, f"workflow-{number:02d}")
    repo.commit("Fifty workflows")
    for number in range(0, 50, 2):
        data["id"], data["version"] = f"workflow-{number:02d}", "2.6.0"
        _decision(data, "approve-low-risk")["confidence_threshold"] = 0.7
        repo.write(data, f"workflow-{number:02d}")
    repo.commit("Half of them loosened")
    forked = _spy(monkeypatch, history, "fork_map", lambda count, work, **options: count)
    here, there = _DictMemo(), _DictMemo()
    one = _histories(repo, here, data=False)
    assert forked == []
    workers = _histories(repo, there, data=False, jobs=2)
    assert forked == [51], "every spec file (the credit example's too) in the workers"
    assert workers == one
    # the credit spec's three versions, one of each workflow, a second of half of them (git follows
    # each new file into the credit spec it is a copy of; those versions are not the workflow's)
    assert sum(len(h) for h in one) == 3 + 50 + 25 and any(v.loosening for h in one for v in h)

    def kept(memo: _DictMemo) -> dict[str, Any]:  # facts and changes, not validated specs
        return {k: v for k, v in memo.items() if not isinstance(v, bytes)}

    assert kept(there) == kept(here) and len(kept(here)) > 100
    assert _histories(repo, there, data=False) == one, "the next build takes them from the cache"
