"""Commands about the specs themselves: ``validate``, ``schema``, ``init``."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from specgen.cli.app import (
    ExitCode,
    _emit,
    _load,
    _summary,
    cli,
    paths_argument,
    project_option,
    templates_option,
    user_templates,
)
from specgen.diagnostics import FORMATS, Diagnostic, Level, format_diagnostics


@cli.command()
@paths_argument
@project_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="text",
    show_default=True,
    help="text for people, json for programs, github for pull-request annotations.",
)
def validate(paths: tuple[Path, ...], project_file: Path | None, fmt: str) -> None:
    """Check specs against the schema and their cross-references.

    PATHS are spec files or folders (default: specs/). Each spec's approvals
    and evidence files are checked too. Exits 0 when every spec is valid, 1
    when any is not, 2 on a usage error.
    """
    from specgen.evidence.store import evidence_diagnostics

    portfolio = _load(paths, project_file)
    diagnostics = sorted([*portfolio.diagnostics, *evidence_diagnostics(portfolio.specs)], key=Diagnostic.sort_key)
    if fmt == "json":
        _emit(format_diagnostics(diagnostics, "json"))
    else:
        _emit(format_diagnostics(diagnostics, fmt))
        if fmt == "text":
            _emit(_summary(portfolio, diagnostics))
    failed = any(d.level is Level.error for d in diagnostics)
    sys.exit(ExitCode.FAILED if failed else ExitCode.OK)


@cli.command()
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the JSON Schema to this file instead of printing it.",
)
@click.option(
    "--project-file", "of_project", is_flag=True, help="The schema of the project file (specgen.yml) instead of a spec."
)
@click.option("--force", is_flag=True, help="Overwrite the output file if it exists.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["json", "markdown"]),
    default="json",
    show_default=True,
    help="json: the JSON Schema; markdown: the field reference for people.",
)
@templates_option
def schema(output: Path | None, of_project: bool, force: bool, fmt: str, templates_dir: Path | None) -> None:
    """Print the JSON Schema of a spec (for editors and other tools),
    or the field reference (--format markdown)."""
    from specgen.spec.fieldref import render_field_reference
    from specgen.spec.schema import json_schema_text

    kind = "project" if of_project else "spec"
    if fmt == "json":
        text = json_schema_text(kind)
    else:
        text = render_field_reference(kind, user_dirs=user_templates(templates_dir)).rstrip("\n")
    if output is None:
        _emit(text)
        return
    if output.exists() and not force:
        raise click.UsageError(f"{output} exists; pass --force to overwrite it")
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(text + "\n", encoding="utf-8")
    _emit(f"wrote {output}")


@cli.command()
@click.argument("name")
@click.option(
    "--stage",
    type=click.Choice(["experimentation", "limited_rollout", "system_of_record"]),
    default="experimentation",
    show_default=True,
    help="The stage the workflow is at.",
)
@click.option(
    "-d",
    "--dir",
    "folder",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("specs"),
    show_default=True,
    help="Folder to write the spec into.",
)
@templates_option
def init(name: str, stage: str, folder: Path, templates_dir: Path | None) -> None:
    """Write a new, commented spec NAME.yml that validates as it is.

    NAME is the workflow id (lower-case, digits, '-'); the file is never
    overwritten.
    """
    from specgen.spec.scaffold import write_new_spec

    path = write_new_spec(name, stage=stage, folder=folder, user_dirs=user_templates(templates_dir, anchor=folder))
    _emit(f"wrote {path}: fill in the TODOs, then run: specgen validate {path}")


@cli.command()
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path), default=Path("."))
def examples(folder: Path) -> None:
    """Copy the bundled example specs (and their specgen.yml) into FOLDER.

    Never overwrites: stops before writing if any file is already there.
    """
    from specgen.spec.scaffold import copy_examples

    written = copy_examples(folder)
    for path in written:
        _emit(f"wrote {path}")
