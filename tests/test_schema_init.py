"""`specgen schema`, `specgen init`, `specgen examples`, and packaging."""

from __future__ import annotations

import json
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import jsonschema
import pytest
import yaml

from specgen import load_portfolio
from specgen.spec.schema import json_schema, json_schema_text
from tests.paths import PROJECT_FILE, REPO, spec_files


def _as_json_data(path: Path) -> object:
    """YAML → the JSON an editor's schema validator sees (dates become strings)."""
    return json.loads(json.dumps(yaml.safe_load(path.read_text(encoding="utf-8")), default=str))


@pytest.mark.parametrize("spec", spec_files(), ids=lambda p: p.name)
def test_json_schema_accepts_the_examples(spec: Path) -> None:
    jsonschema.Draft202012Validator(json_schema("spec")).validate(_as_json_data(spec))


def test_json_schema_accepts_the_project_file() -> None:
    jsonschema.Draft202012Validator(json_schema("project")).validate(_as_json_data(PROJECT_FILE))


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("stage",), "pilot"),
        (("ownership", "unknown_key"), "x"),
        (("decisions", 0, "autonomy"), "sometimes"),
        (("decisions", 0, "escalation", "within"), "4 hours"),
        (("acceptance", "evaluation", "golden_set", "size"), -1),
        (("id",), "Not An Id"),
    ],
)
def test_json_schema_and_model_reject_the_same_mistakes(
    path: tuple, value: object, credit_data: dict, write_spec
) -> None:
    data = json.loads(json.dumps(credit_data, default=str))
    target = data
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = value
    errors = list(jsonschema.Draft202012Validator(json_schema("spec")).iter_errors(data))
    assert errors, "JSON Schema accepted an invalid spec"
    portfolio = load_portfolio([write_spec(data)])
    assert not portfolio.ok, "the model accepted an invalid spec"


def test_every_field_has_a_description() -> None:
    schema = json_schema("spec")
    missing = []
    for name, definition in schema["$defs"].items():
        for field, prop in definition.get("properties", {}).items():
            if not prop.get("description"):
                missing.append(f"{name}.{field}")
    assert missing == []


@pytest.mark.parametrize("kind", ["spec", "project"])
def test_committed_schema_files_are_current(kind: str) -> None:
    """schema/*.schema.json are generated; regenerate with
    `specgen schema -o schema/spec.schema.json --force` (and --project-file)."""
    committed = (REPO / "schema" / f"{kind}.schema.json").read_text(encoding="utf-8")
    assert committed == json_schema_text(kind) + "\n"


def test_schema_command_prints_and_writes(run, tmp_path: Path) -> None:
    result = run("schema")
    assert result.exit_code == 0
    assert json.loads(result.output)["title"] == "Spec"
    out = tmp_path / "s.json"
    assert run("schema", "-o", out).exit_code == 0
    assert json.loads(out.read_text(encoding="utf-8"))["$id"].endswith("/spec.json")
    again = run("schema", "-o", out)
    assert again.exit_code == 2
    assert "exists; pass --force" in again.output
    assert run("schema", "-o", out, "--force").exit_code == 0


@pytest.mark.parametrize("stage", ["experimentation", "limited_rollout", "system_of_record"])
def test_init_writes_a_valid_commented_spec(run, tmp_path: Path, stage: str) -> None:
    result = run("init", "invoice-matching", "--stage", stage, cwd=tmp_path)
    assert result.exit_code == 0, result.output
    path = tmp_path / "specs" / "invoice-matching.yml"
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# yaml-language-server: $schema=")
    assert f"stage: {stage}" in text
    assert "TODO" in text
    validated = run("validate", path, cwd=tmp_path)
    assert validated.exit_code == 0, validated.output
    if stage == "system_of_record":
        assert "audit:" in text and "exit:" in text


def test_init_refuses_to_overwrite(run, tmp_path: Path) -> None:
    assert run("init", "wf", cwd=tmp_path).exit_code == 0
    path = tmp_path / "specs" / "wf.yml"
    path.write_text("# my own edits\n", encoding="utf-8")
    result = run("init", "wf", cwd=tmp_path)
    assert result.exit_code == 2
    assert "already exists" in result.output
    assert path.read_text(encoding="utf-8") == "# my own edits\n"


def test_init_rejects_bad_names(run, tmp_path: Path) -> None:
    result = run("init", "My Workflow", cwd=tmp_path)
    assert result.exit_code == 2
    assert "not a valid workflow id" in result.output
    assert not (tmp_path / "specs").exists()


def test_examples_command_copies_valid_examples(run, tmp_path: Path) -> None:
    assert run("examples", tmp_path / "demo").exit_code == 0
    result = run("validate", cwd=tmp_path / "demo")
    assert result.exit_code == 0, result.output
    again = run("examples", tmp_path / "demo")
    assert again.exit_code == 2
    assert "not overwriting" in again.output


@pytest.mark.slow
def test_wheel_ships_templates_and_examples_and_runs_from_anywhere(tmp_path: Path) -> None:
    """`pip install .` (not editable) works from any directory."""
    wheel_dir = tmp_path / "wheel"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(wheel_dir),
            str(REPO),
        ],
        check=True,
    )
    wheel = next(wheel_dir.glob("specgen-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "specgen/_bundled/templates/init/spec.yml.j2" in names
    assert "specgen/_bundled/examples/specs/credit-decision-assistant.yml" in names
    assert "specgen/_bundled/examples/specgen.yml" in names

    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    # specgen's dependencies from this environment (no network here), after the venv's own
    # packages: a .pth line adds the folder, but not the editable specgen its own .pth files add
    own = next((venv / "lib").glob("python3*/site-packages"))
    (own / "zz_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    pip = venv / "bin" / "pip"
    subprocess.run([str(pip), "install", "-q", "--no-deps", "--force-reinstall", str(wheel)], check=True)
    specgen = venv / "bin" / "specgen"
    work = tmp_path / "elsewhere"
    work.mkdir()
    subprocess.run([str(specgen), "examples", "."], cwd=work, check=True, capture_output=True)
    subprocess.run([str(specgen), "init", "new-flow"], cwd=work, check=True, capture_output=True)
    done = subprocess.run([str(specgen), "validate"], cwd=work, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "3 specs valid" in done.stdout


def test_field_reference_lists_every_field_of_every_section(run) -> None:
    from specgen.spec import schema as s

    result = run("schema", "--format", "markdown")
    assert result.exit_code == 0
    text = result.output
    for model in (s.Spec, s.Decision, s.Runbook, s.ExitPlan, s.RedTeamHarness, s.AuditTrail):
        assert f"\n## {model.__name__}\n" in text
        for name in model.model_fields:
            assert f"| {name} |" in text or f"| **{name}** |" in text, f"{model.__name__}.{name}"
    assert "| **autonomy** | ai_alone \\| human_approves \\| human_decides |" in text
    assert "| approver | role id | Role that approves when a human must approve. |" in text
    project = run("schema", "--format", "markdown", "--project-file").output
    assert "\n## Waiver\n" in project and "| **expires** | date |" in project


def test_unwritable_output_is_a_message_not_a_traceback(tmp_path: Path) -> None:
    """Through the console script's entry point, as a user runs it."""
    target = tmp_path / "file"
    target.write_text("x", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-c", "from specgen.cli import main; main()", "schema", "-o", str(target / "schema.json")],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert done.stderr.startswith("specgen: File exists: ")  # the parent folder is a file
