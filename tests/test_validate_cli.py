"""`specgen validate`: every kind of bad input gives a located message, the
right exit code, and never a traceback."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from tests.paths import EXAMPLES, PROJECT_FILE


def _write(tmp_path: Path, text: str | bytes, name: str = "spec.yml") -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


MINIMAL = """\
schema_version: 1
id: minimal
title: Minimal workflow
version: 0.1.0
stage: experimentation
people:
  - id: ana
    name: Ana Lopez
roles:
  - id: owner
    title: Owner
    holder: ana
intent:
  objective: Try the idea.
ownership:
  accountable: owner
"""


def test_examples_are_valid(run) -> None:
    result = run("validate", EXAMPLES, "--project", PROJECT_FILE)
    assert result.exit_code == 0, result.output
    assert "2 specs valid" in result.output


def test_default_path_is_specs_folder(run, example_tree: Path) -> None:
    result = run("validate", cwd=example_tree)
    assert result.exit_code == 0, result.output
    assert "specs valid" in result.output


def test_minimal_experimentation_spec_is_valid(run, tmp_path: Path) -> None:
    path = _write(tmp_path, MINIMAL)
    result = run("validate", path, cwd=tmp_path)
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "1 spec valid"


@pytest.mark.parametrize(
    ("replace", "by", "expected"),
    [
        # unknown key, with a suggestion, located at the key
        (
            "  accountable: owner",
            "  accountable: owner\n  acountable: owner",
            "spec.yml:17:3: ownership.acountable: unknown field 'acountable'; did you mean 'accountable'?",
        ),
        # enumeration with a suggestion
        (
            "stage: experimentation",
            "stage: experimentaton",
            "spec.yml:5:8: stage: expected one of experimentation, limited_rollout, system_of_record; "
            "got 'experimentaton'; did you mean 'experimentation'?",
        ),
        # missing required field, located at the parent
        (
            "  objective: Try the idea.\n",
            "  users: [analysts]\n",
            "spec.yml:13:1: intent.objective: required field 'objective' is missing (The business objective",
        ),
        # invalid id
        ("id: minimal", "id: Minimal Flow", "spec.yml:2:5: id: 'Minimal Flow' is not a valid id"),
        # a list where a mapping belongs
        (
            "ownership:\n  accountable: owner",
            "ownership:\n  - owner",
            "spec.yml:16:3: ownership: expected a mapping of fields, got a list",
        ),
        # unquoted colon in text
        (
            "  objective: Try the idea.",
            "  objective: Goal: try the idea.",
            "spec.yml:14:18: not valid YAML: a ': ' inside a value starts a mapping here; put the whole text in quotes",
        ),
        (
            "  objective: Try the idea.",
            "  objective:\n    goal: try the idea",
            "spec.yml:15:5: intent.objective: expected text, got a mapping (a ': ' inside text starts a mapping",
        ),
        # blank text
        ("  objective: Try the idea.", "  objective: '  '", "intent.objective: must not be empty"),
        # wrong scalar type
        (
            "schema_version: 1",
            "schema_version: one",
            "spec.yml:1:17: schema_version: expected a whole number, got 'one'",
        ),
        ("schema_version: 1", "schema_version: 7", "schema_version: must be at most 1; got 7"),
    ],
)
def test_schema_errors_are_located(run, tmp_path: Path, replace: str, by: str, expected: str) -> None:
    assert replace in MINIMAL
    path = _write(tmp_path, MINIMAL.replace(replace, by))
    result = run("validate", path, cwd=tmp_path)
    assert result.exit_code == 1
    assert expected in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("4 hours", "'4 hours' is not a duration: write a number and a unit, such as '15m', '4h'"),
        ("90", "'90' is not a duration"),
    ],
)
def test_durations_are_typed(run, tmp_path: Path, value: str, message: str) -> None:
    text = MINIMAL + f"  on_call:\n    response_target: '{value}'\n"
    result = run("validate", _write(tmp_path, text), cwd=tmp_path)
    assert result.exit_code == 1
    assert f"spec.yml:18:22: ownership.on_call.response_target: {message}" in result.output


def test_percentages_and_ratios_are_typed(run, tmp_path: Path) -> None:
    text = MINIMAL + (
        "acceptance:\n  evaluation:\n    production_sampling: 2 percent\n"
        "decisions:\n  - id: d\n    title: D\n    autonomy: ai_alone\n    confidence_threshold: 140%\n"
    )
    result = run("validate", _write(tmp_path, text), cwd=tmp_path)
    assert result.exit_code == 1
    assert "acceptance.evaluation.production_sampling: '2 percent' is not a percentage" in result.output
    assert "decisions[0].confidence_threshold: a percentage must be between 0% and 100%, got '140%'" in result.output


def test_every_error_is_reported_not_only_the_first(run, tmp_path: Path) -> None:
    text = MINIMAL.replace("stage: experimentation", "stage: pilot").replace("version: 0.1.0", "versoin: 0.1.0")
    result = run("validate", _write(tmp_path, text), cwd=tmp_path)
    assert result.exit_code == 1
    assert "stage: expected one of" in result.output
    assert "unknown field 'versoin'; did you mean 'version'?" in result.output
    assert "required field 'version' is missing" in result.output
    assert "3 errors in 1 file" in result.output


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "spec.yml:1:1: the file is empty"),
        (b"# only a comment\n\n", "spec.yml:1:1: the file is empty"),
        (b"- a\n- b\n", "spec.yml:1:1: expected a mapping of fields at the top of the file, got a list"),
        (b"id: a\nid: b\n", "spec.yml:2:1: id: duplicate key 'id' (first defined at line 1)"),
        (b"intent:\n\tobjective: x\n", "spec.yml:2:1: tab character: YAML indents with spaces only"),
        (b"title: caf\xe9\n", "spec.yml:1:11: the file is not UTF-8 text (byte 0xe9 cannot be decoded)"),
        (b"a: [1, 2\n", "spec.yml:2:1: not valid YAML"),
        (b"a: 1\n---\nb: 2\n", "the file holds more than one YAML document"),
        (b"base: &b {x: 1}\nother:\n  <<: *b\n", "merge keys ('<<') are not supported"),
        (b"a: !!python/object:os.system ls\n", "not valid YAML"),
    ],
)
def test_broken_files_are_located_errors(run, tmp_path: Path, content: bytes, expected: str) -> None:
    result = run("validate", _write(tmp_path, content), cwd=tmp_path)
    assert result.exit_code == 1
    assert expected in result.output


def test_billion_laughs_fails_fast(run, tmp_path: Path) -> None:
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 10):
        refs = ",".join([f"*a{i - 1}"] * 9)
        lines.append(f"a{i}: &a{i} [{refs}]")
    result = run("validate", _write(tmp_path, "\n".join(lines) + "\n"), cwd=tmp_path)
    assert result.exit_code == 1
    assert "expands to more than 250,000 values (through anchors and aliases?)" in result.output


def test_recursive_alias_is_an_error(run, tmp_path: Path) -> None:
    result = run("validate", _write(tmp_path, "a: &a\n  - *a\n"), cwd=tmp_path)
    assert result.exit_code == 1
    assert "nests deeper than 64 levels" in result.output


def test_unresolved_references_name_what_was_expected(run, example_tree: Path) -> None:
    spec = example_tree / "specs" / "credit-decision-assistant.yml"
    text = spec.read_text(encoding="utf-8")
    text = text.replace("approver: credit-risk-officer", "approver: risk-lead", 1)
    text = text.replace("runbook: bureau-outage", "runbook: bureau-down", 1)
    text = text.replace("decisions: [decline]", "decisions: [declines]", 1)
    spec.write_text(text, encoding="utf-8")
    result = run("validate", cwd=example_tree)
    assert result.exit_code == 1
    out = result.output
    assert (
        "specs/credit-decision-assistant.yml:154:15: decisions[1].approver: unknown role 'risk-lead' (known: ciso, "
        in out
    )
    assert "runtime.controls[2].runbook: unknown runbook 'bureau-down' (known: bureau-outage, " in out
    assert "did you mean 'bureau-outage'?" in out
    assert (
        "unknown decision 'declines' (known: approve-low-risk, decline, refer-to-officer); did you mean 'decline'?"
        in out
    )


def test_duplicate_ids_within_a_kind(run, example_tree: Path) -> None:
    spec = example_tree / "specs" / "support-ticket-triage.yml"
    text = spec.read_text(encoding="utf-8").replace("- id: draft-reply", "- id: route-ticket")
    spec.write_text(text, encoding="utf-8")
    result = run("validate", cwd=example_tree)
    assert result.exit_code == 1
    assert "decisions[1].id: duplicate decision id 'route-ticket' (first defined at line " in result.output


def test_duplicate_spec_ids_across_files(run, example_tree: Path) -> None:
    source = example_tree / "specs" / "support-ticket-triage.yml"
    (example_tree / "specs" / "copy.yml").write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    result = run("validate", cwd=example_tree)
    assert result.exit_code == 1
    assert "id: duplicate spec id 'support-ticket-triage' (also used by " in result.output


def test_spec_may_not_redefine_a_project_role(run, example_tree: Path) -> None:
    spec = example_tree / "specs" / "support-ticket-triage.yml"
    text = spec.read_text(encoding="utf-8").replace(
        "intent:\n", "roles:\n  - id: ciso\n    title: Another CISO\n\nintent:\n", 1
    )
    spec.write_text(text, encoding="utf-8")
    result = run("validate", cwd=example_tree)
    assert result.exit_code == 1
    assert "roles[0].id: role 'ciso' is already defined in the project file" in result.output


def test_project_file_errors_are_located(run, example_tree: Path) -> None:
    project = example_tree / "specgen.yml"
    project.write_text(
        project.read_text(encoding="utf-8").replace("holder: tom-okafor", "holder: tom"), encoding="utf-8"
    )
    result = run("validate", cwd=example_tree)
    assert result.exit_code == 1
    assert "specgen.yml:" in result.output
    assert "roles[1].holder: unknown person 'tom'" in result.output


def test_json_format(run, tmp_path: Path) -> None:
    path = _write(tmp_path, MINIMAL.replace("stage: experimentation", "stage: pilot"))
    result = run("validate", path, "--format", "json", cwd=tmp_path)
    assert result.exit_code == 1
    data = json.loads(result.output)
    assert data == [
        {
            "file": "spec.yml",
            "line": 5,
            "column": 8,
            "path": "stage",
            "message": "expected one of experimentation, limited_rollout, system_of_record; got 'pilot'",
            "level": "error",
            "code": "schema",
        }
    ]


def test_github_format_annotates_lines(run, tmp_path: Path) -> None:
    path = _write(tmp_path, MINIMAL.replace("stage: experimentation", "stage: pilot"))
    result = run("validate", path, "--format", "github", cwd=tmp_path)
    assert result.exit_code == 1
    assert result.output.startswith("::error file=spec.yml,line=5,col=8,title=specgen schema::stage%3A ") is False
    assert result.output.startswith("::error file=spec.yml,line=5,col=8,title=specgen schema::stage: expected one of")


@pytest.mark.parametrize("args", [("validate", "no-such-dir"), ("validate", "--format", "xml"), ("frobnicate",)])
def test_usage_errors_exit_2(run, tmp_path: Path, args: tuple[str, ...]) -> None:
    result = run(*args, cwd=tmp_path)
    assert result.exit_code == 2


def test_folder_is_searched_recursively_and_hidden_folders_skipped(run, tmp_path: Path) -> None:
    (tmp_path / "specs" / "team-a").mkdir(parents=True)
    (tmp_path / "specs" / ".drafts").mkdir()
    _write(tmp_path / "specs" / "team-a", MINIMAL, "one.yaml")
    _write(tmp_path / "specs" / ".drafts", "not: [valid", "draft.yml")
    result = run("validate", "specs", cwd=tmp_path)
    assert result.exit_code == 0, result.output
    assert "1 spec valid" in result.output


def test_random_bytes_never_crash(run, tmp_path: Path) -> None:
    """Fuzz: mutated copies of a real spec give diagnostics, never an exception."""
    base = (EXAMPLES / "support-ticket-triage.yml").read_bytes()
    rng = random.Random(1234)
    for i in range(60):
        data = bytearray(base)
        for _ in range(rng.randint(1, 12)):
            pos = rng.randrange(len(data))
            data[pos] = rng.choice(b" :-[]{}&*!|>'\"\t\n#%@`abc019\xff")
        path = _write(tmp_path, bytes(data), f"fuzz{i}.yml")
        result = run("validate", path, "--project", PROJECT_FILE, cwd=tmp_path)
        assert result.exit_code in (0, 1), result.output
