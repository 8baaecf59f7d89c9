"""Every command that renders finds the user's templates in the one same way.

``--templates`` when given, else ``templates/`` beside the project file,
wherever the command is run from (``specgen.cli.app.user_templates``).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.paths import REPO


@pytest.fixture
def project(example_tree: Path) -> Path:
    """The examples in a project whose templates/ overrides init, the field
    reference, the diff text and the SoW definition with a marker line."""
    for name in ("init/spec.yml.j2", "reference/fields.md.j2", "review/diff.txt.j2", "sow/definition.md.j2"):
        target = example_tree / "templates" / name
        target.parent.mkdir(parents=True, exist_ok=True)
        source = (REPO / "templates" / name).read_text(encoding="utf-8")
        marker = "# OVERRIDDEN\n" if name.endswith(".yml.j2") else "OVERRIDDEN\n"
        target.write_text(marker + source, encoding="utf-8")
    return example_tree


def test_init_uses_the_project_templates_from_any_folder(run, project: Path) -> None:
    (project / "work").mkdir()
    result = run("init", "new-flow", "-d", project / "specs", cwd=project / "work")
    assert result.exit_code == 0, result.output
    assert (project / "specs" / "new-flow.yml").read_text(encoding="utf-8").startswith("# OVERRIDDEN")


def test_init_ignores_a_templates_folder_of_the_working_directory(run, project: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    shutil.copytree(project / "templates", elsewhere / "templates")
    (elsewhere / ".git").mkdir()  # stop the search for a project file here
    result = run("init", "other-flow", "-d", elsewhere / "out", cwd=elsewhere)
    assert result.exit_code == 0, result.output
    text = (elsewhere / "out" / "other-flow.yml").read_text(encoding="utf-8")
    assert text.startswith("# OVERRIDDEN")  # no project file: templates/ of the working directory
    bare = run("init", "third-flow", "-d", project / "specs", "--templates", REPO / "templates", cwd=elsewhere)
    assert bare.exit_code == 0, bare.output
    assert not (project / "specs" / "third-flow.yml").read_text(encoding="utf-8").startswith("# OVERRIDDEN")


def test_the_field_reference_follows_templates_overrides(run, project: Path) -> None:
    plain = run("schema", "--format", "markdown", cwd=project / "specs")
    assert plain.exit_code == 0, plain.output
    assert plain.output.startswith("OVERRIDDEN")
    explicit = run("schema", "--format", "markdown", "--templates", REPO / "templates", cwd=project)
    assert explicit.exit_code == 0
    assert not explicit.output.startswith("OVERRIDDEN")


def test_diff_of_two_files_uses_the_project_templates(run, project: Path) -> None:
    spec = project / "specs" / "credit-decision-assistant.yml"
    changed = project / "changed.yml"
    changed.write_text(spec.read_text(encoding="utf-8").replace("version: ", "version: 9", 1), encoding="utf-8")
    result = run("diff", spec, changed, cwd=project)
    assert "OVERRIDDEN" in result.output
    explicit = run("diff", spec, changed, "--templates", REPO / "templates", cwd=project)
    assert "OVERRIDDEN" not in explicit.output


def test_sow_uses_the_templates_option(run, project: Path, tmp_path: Path) -> None:
    spec = project / "specs" / "credit-decision-assistant.yml"
    out = tmp_path / "sow-out"
    result = run("sow", spec, "-o", out, "--format", "md", cwd=project)
    assert result.exit_code == 0, result.output
    (md,) = out.glob("*.md")
    assert "OVERRIDDEN" in md.read_text(encoding="utf-8")
    out2 = tmp_path / "sow-out2"
    result = run("sow", spec, "-o", out2, "--format", "md", "--templates", REPO / "templates", cwd=project)
    assert result.exit_code == 0, result.output
    (md2,) = out2.glob("*.md")
    assert "OVERRIDDEN" not in md2.read_text(encoding="utf-8")
