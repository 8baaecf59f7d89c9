"""Commands for reviewing specs through pull requests: ``diff``, ``approve``, ``history``."""

from __future__ import annotations

import datetime as dt
import json
import sys
from collections.abc import Sequence
from pathlib import Path

import click

from specgen.cli.app import DEFAULT_SPECS, ExitCode, _emit, cli, project_option, templates_option, user_templates


def _split_arguments(base: str, more: Sequence[str]) -> tuple[str | None, list[str]]:
    """HEAD is the first argument after BASE when it names a revision and no file or folder.

    The paths are kept as typed, so an error about one names it as the user wrote it.
    """
    from specgen.git import is_revision, repo_root

    root = repo_root(Path.cwd())
    if root is None:
        raise click.UsageError(f"'{base}' is not a file, and {Path.cwd()} is not inside a git repository")
    if not is_revision(base, root):
        raise click.UsageError(f"'{base}' is neither a spec file nor a revision of the git repository")
    head = None
    rest = list(more)
    if rest and not Path(rest[0]).exists() and is_revision(rest[0], root):
        head = rest.pop(0)
    return head, rest or [str(p) for p in DEFAULT_SPECS]


@cli.command("diff")
@click.argument("base")
@click.argument("more", nargs=-1, metavar="[HEAD] [PATH]...")
@project_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "markdown", "json"]),
    default="text",
    show_default=True,
    help="text for people, markdown for a pull-request comment, json for programs.",
)
@templates_option
def diff_command(
    base: str, more: tuple[str, ...], project_file: Path | None, fmt: str, templates_dir: Path | None
) -> None:
    """Show what changed in the specs and whether it loosens governance.

    BASE and HEAD are git revisions (HEAD defaults to the working tree); PATHs
    are the spec files or folders to compare (default: specs/). BASE and HEAD
    may also be two spec files. Specs are matched by id, so renamed files are
    followed. Changes that loosen governance need sign-off from the roles in
    specgen.yml's loosening_signoff (read from BASE).

    Exits 0 when nothing needs sign-off, 1 when something does or a spec does
    not validate (or a file name is refused: one holding a newline or another
    control character), 2 on a usage error: an unknown revision, or a PATH that
    is no file or folder, or holds no spec file, on either side.
    """
    from specgen.review.diff import diff_files, diff_revisions
    from specgen.review.render import render_diff

    if Path(base).is_file():
        if len(more) != 1 or not Path(more[0]).is_file():
            raise click.UsageError("to compare two spec files, give exactly two files: specgen diff OLD.yml NEW.yml")
        report = diff_files(Path(base), Path(more[0]), project_file=project_file)
        anchor: Path | None = Path(more[0])
    else:
        head, paths = _split_arguments(base, more)
        report = diff_revisions(base, head, paths, project_file=project_file)
        anchor = Path(paths[0])
    templates = user_templates(templates_dir, anchor=anchor, project_file=project_file)
    _emit(render_diff(report, fmt, user_dirs=templates).rstrip("\n"))
    sys.exit(ExitCode.FAILED if report.failed else ExitCode.OK)


@cli.command()
@click.argument("spec", type=click.Path(path_type=Path))
@click.option("--role", required=True, help="The role approving (a role id from specgen.yml or the spec).")
@click.option("--by", "person", required=True, help="The person approving: a person id, or their full name.")
@click.option(
    "--date",
    "when",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Date of the approval (default: today, or SOURCE_DATE_EPOCH's day).",
)
@project_option
def approve(spec: Path, role: str, person: str, when: dt.datetime | None, project_file: Path | None) -> None:
    """Record that a person approved the current content of SPEC for a role.

    The approval goes into SPEC's approvals file (x.yml → x.approvals.yml,
    created if needed; the spec itself is never rewritten) with the content
    fingerprint, so `specgen validate` reports it as stale once the content
    changes. Exits 0 when recorded (or already recorded), 1 when the spec has
    errors, 2 for an unknown role or person.
    """
    from specgen.review.approve import approve as record

    outcome = record(spec, role, person, project_file=project_file, date=when.date() if when else None)
    a = outcome.approval
    short = a.fingerprint[:19]
    if outcome.note:
        _emit(f"note: {outcome.note}", err=True)
    if outcome.recorded:
        _emit(f"recorded in {outcome.path}: {a.role} approved by {a.by} on {a.date.isoformat()} ({short}…)")
    else:
        _emit(f"already recorded in {outcome.path}: {a.role} approved this content by {a.by} on {a.date.isoformat()}")
    sys.exit(ExitCode.OK)


@cli.command()
@click.argument("spec")
@project_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["markdown", "json"]),
    default="markdown",
    show_default=True,
    help="markdown: the handover site's change-history page; json for programs.",
)
@templates_option
def history(spec: str, project_file: Path | None, fmt: str, templates_dir: Path | None) -> None:
    """Print the change history of a spec from git (a file, or a spec id).

    Lists the versions (where the spec's version or content changed), their
    dates and authors, the governance changes between them and who approved
    which version. Outside a git repository the history is empty. Exits 0, or
    2 when SPEC is neither a file nor a spec id.
    """
    from specgen.review.history import render_history_page, spec_history
    from specgen.spec.loader import load_project

    project = load_project(project_file)[0] if project_file else None
    result = spec_history(spec, project=project)
    if result.path is None and not Path(spec).exists():
        raise click.UsageError(f"'{spec}' is neither a spec file nor the id of a spec in this repository")
    if fmt == "json":
        _emit(json.dumps(result.to_dict(), indent=2, ensure_ascii=False))
    else:
        templates = user_templates(templates_dir, anchor=Path(result.path or spec), project_file=project_file)
        _emit(render_history_page(result, user_dirs=templates).rstrip("\n"))
    sys.exit(ExitCode.OK)
