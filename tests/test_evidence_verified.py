"""Evidence records say what their result files say, or the evidence is not used.

The sidecar's records were once taken at their word: raising a ``value``,
or deleting the record of a failing slice, changed a verdict, and ``diff``
showed the new verdict as the evidence's own. Now every record is read again
from its result file in the evidence store, by ``validate``, ``check``, the
site and documents, and both sides of ``diff``.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from specgen.evidence.model import EvidenceFile
from specgen.evidence.store import render_evidence_file
from specgen.review.diff import SpecStatus, diff_revisions
from tests.paths import EVIDENCE_STORE, EXAMPLES, copy_examples
from tests.review_helpers import GitRepo, credit

SPEC = "credit-decision-assistant"
SIDECAR = f"{SPEC}.evidence.yml"


def _edit_records(path: Path, edit: Callable[[list[dict[str, Any]]], None]) -> None:
    """Change the records as a person would, and write the file as specgen writes it."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    edit(data["records"])
    path.write_text(render_evidence_file(EvidenceFile.model_validate(data), f"{SPEC}.yml"), encoding="utf-8")


def _raise_value(records: list[dict[str, Any]]) -> None:
    first = records[0]
    assert (first["metric"], first["slice"]) == ("decision_agreement", "all")
    first["value"], first["successes"] = 0.99, 337  # as if 337 of 340 had agreed


def _drop_a_slice(records: list[dict[str, Any]]) -> None:
    records[:] = [r for r in records if (r["metric"], r["slice"]) != ("decision_agreement", "thin-file applicants")]


def _stored(folder: Path, metric: str = "decision_agreement") -> Path:
    """The store's copy of the result file the credit spec's ``metric`` was read from."""
    data = yaml.safe_load((folder / "specs" / SIDECAR).read_text(encoding="utf-8"))
    stored = next(r["artefact"]["stored"] for r in data["records"] if r["metric"] == metric)
    return folder / "evidence" / stored


def test_the_examples_records_are_what_their_files_say(example_tree: Path, run: Callable[..., Any]) -> None:
    result = run("validate", "specs", cwd=example_tree)
    assert result.exit_code == 0, result.output
    assert run("check", "specs", cwd=example_tree).exit_code == 0


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (_raise_value, ":6:3: records[0]: not what credit-decision-assistant-golden.json says: value 0.99, the file"),
        (_drop_a_slice, "the record of decision_agreement on slice 'thin-file applicants' from"),
    ],
    ids=["value raised", "failing slice dropped"],
)
def test_a_record_edited_by_hand_is_refused(
    example_tree: Path, run: Callable[..., Any], edit: Callable[[list[dict[str, Any]]], None], expected: str
) -> None:
    _edit_records(example_tree / "specs" / SIDECAR, edit)
    result = run("validate", "specs", cwd=example_tree)
    assert result.exit_code == 1
    assert expected in result.output, result.output

    checked = json.loads(run("check", "specs", "--format", "json", cwd=example_tree).output)
    (credit_report,) = [s for s in checked["specs"] if s["spec_id"] == SPEC]
    messages = [f["message"] for f in credit_report["findings"] if f["rule_id"] == "EVID-001"]
    assert messages and all("the evidence file cannot be used" in m for m in messages), messages
    assert "does not match its result files" in messages[0]


def test_a_store_copy_missing_or_changed_is_refused(example_tree: Path, run: Callable[..., Any]) -> None:
    stored = _stored(example_tree)
    original = stored.read_bytes()
    stored.write_bytes(original.replace(b'"pass": false', b'"pass": true', 1))
    assert stored.read_bytes() != original
    changed = run("validate", "specs", cwd=example_tree)
    assert changed.exit_code == 1 and "is not the file its SHA-256 names" in changed.output

    stored.unlink()
    missing = run("validate", "specs", cwd=example_tree)
    assert missing.exit_code == 1
    assert (
        f"credit-decision-assistant-golden.json ({stored.parent.name}/{stored.name}) is not in the evidence store"
        in (missing.output)
    )


def test_a_record_read_with_another_slice_variable_is_refused(example_tree: Path, run: Callable[..., Any]) -> None:
    """How the file was read is part of the record: the examples' promptfoo runs
    slice by the test variable ``segment``; read by ``slice``, they say otherwise."""

    def forget(records: list[dict[str, Any]]) -> None:
        for r in records:
            r["artefact"].pop("slice_var", None)

    _edit_records(example_tree / "specs" / SIDECAR, forget)
    result = run("validate", "specs", cwd=example_tree)
    assert result.exit_code == 1
    assert "states no decision_agreement on slice 'thin-file applicants' (read by the test variable 'slice'" in (
        result.output
    )
    assert "needs it as artefact.slice_var" in result.output


def test_evidence_add_records_how_it_read_the_file(tmp_path: Path, run: Callable[..., Any]) -> None:
    """The store's promptfoo run, imported again under another name with its
    slice variable: the record says how it was read, and reads back the same."""
    folder = copy_examples(tmp_path / "p")
    (folder / "specs" / SIDECAR).unlink()
    result_file = tmp_path / "golden-run.json"
    shutil.copy(_stored(EXAMPLES.parent), result_file)
    added = run("evidence", "add", result_file, "--spec", folder / "specs" / f"{SPEC}.yml", "--slice-var", "segment")
    assert added.exit_code == 0, added.output
    data = yaml.safe_load((folder / "specs" / SIDECAR).read_text(encoding="utf-8"))
    assert {r["artefact"].get("slice_var") for r in data["records"]} == {"segment"}
    assert "format" not in data["records"][0]["artefact"], "the format was found from the file, not asked for"
    assert run("validate", "specs", cwd=folder).exit_code == 0


@pytest.fixture
def repo(tmp_path: Path) -> GitRepo:
    r = GitRepo(tmp_path / "repo")
    r.write(credit())
    shutil.copy(EXAMPLES / SIDECAR, r.specs / SIDECAR)
    shutil.copytree(EVIDENCE_STORE, r.root / "evidence")
    r.commit("credit with its evidence")
    return r


def test_diff_refuses_a_forged_record_in_the_working_tree_and_in_a_revision(
    repo: GitRepo, run: Callable[..., Any]
) -> None:
    assert run("diff", "HEAD", cwd=repo.root).exit_code == 0
    _edit_records(repo.specs / SIDECAR, _raise_value)

    report = diff_revisions("HEAD", None, ["specs"], cwd=repo.root)
    (spec,) = report.specs
    assert spec.status is SpecStatus.invalid and report.failed
    assert "not what credit-decision-assistant-golden.json says: value 0.99" in spec.problems[0]
    assert not [c for c in spec.changes if "verdict" in c.label], "the forged verdict is not shown as a change"
    result = run("diff", "HEAD", cwd=repo.root)
    assert result.exit_code == 1, result.output

    repo.commit("forged evidence")  # read from git: the store of that revision
    between = diff_revisions("HEAD~1", "HEAD", ["specs"], cwd=repo.root)
    assert between.failed and "in HEAD" in between.specs[0].problems[0]
    assert run("diff", "HEAD~1", "HEAD", cwd=repo.root).exit_code == 1


def test_diff_reads_a_revision_s_own_store(repo: GitRepo) -> None:
    """A result file that is not in the revision's store cannot back its records,
    whatever the working tree holds."""
    stored = _stored(repo.root)
    content = stored.read_bytes()
    assert stored.name.startswith(hashlib.sha256(content).hexdigest())
    stored.unlink()
    repo.commit("the store copy left out of git")
    stored.write_bytes(content)  # back on disk, not in the revision
    report = diff_revisions("HEAD~1", "HEAD", ["specs"], cwd=repo.root)
    (spec,) = report.specs
    assert spec.status is SpecStatus.invalid
    assert "is not in the evidence store" in spec.problems[0] and "in HEAD" in spec.problems[0]


def test_a_result_file_too_large_to_read_from_git_is_not_read(repo: GitRepo, monkeypatch: pytest.MonkeyPatch) -> None:
    from specgen.review import sides

    monkeypatch.setattr(sides, "MAX_RESULT_BYTES", 100 * 1024)  # the golden run is 1.1 MB
    _edit_records(repo.specs / SIDECAR, _raise_value)
    repo.commit("a change, to compare two revisions")
    report = diff_revisions("HEAD~1", "HEAD", ["specs"], cwd=repo.root)
    (spec,) = report.specs
    assert spec.status is SpecStatus.invalid
    assert "larger than 0 MiB" in spec.problems[0] and "not read from git" in spec.problems[0]


def test_a_result_file_is_read_once_while_it_stays_the_same(
    example_tree: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every build reads every spec's evidence: an unchanged result file is
    read from what was kept (in the process, and in the build cache across
    builds), a changed one again."""
    from specgen.evidence import verify
    from specgen.evidence.store import load_evidence
    from specgen.site.build import open_build_cache

    reads: list[Path] = []
    real = verify.read_result_file

    def counting(path: Path, **kwargs: Any) -> Any:
        reads.append(path)
        return real(path, **kwargs)

    monkeypatch.setattr(verify, "read_result_file", counting)
    monkeypatch.setattr(verify, "_RECENT", {})
    spec = example_tree / "specs" / f"{SPEC}.yml"
    cache = open_build_cache(example_tree / "cache")
    try:
        assert load_evidence(spec, SPEC, cache) is not None
        files = len(reads)
        assert files == 4  # the credit spec's four result files
        assert load_evidence(spec, SPEC, cache) is not None and len(reads) == files, "kept in the process"
        cache.commit()
    finally:
        cache.close()

    verify._RECENT.clear()  # as a new process: from the build cache
    cache = open_build_cache(example_tree / "cache")
    try:
        assert load_evidence(spec, SPEC, cache) is not None and len(reads) == files
        stored = _stored(example_tree)
        stored.write_bytes(stored.read_bytes().replace(b'"pass": false', b'"pass": true', 1))
        with pytest.raises(Exception, match="does not match its result files"):
            load_evidence(spec, SPEC, cache)  # changed: hashed again, and refused
    finally:
        cache.close()
