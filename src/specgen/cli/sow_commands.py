"""Commands for what procurement signs and the buyer keeps: ``sow``, ``bundle``, ``verify``."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import NoReturn

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
    today,
    user_templates,
)
from specgen.diagnostics import format_diagnostics
from specgen.rules import PortfolioReport, check_portfolio
from specgen.spec.loader import Portfolio
from specgen.text import terminal


def _formats(ctx: click.Context, param: click.Parameter, value: str) -> tuple[str, ...]:
    from specgen.sow import FORMATS

    chosen = tuple(dict.fromkeys(part.strip() for part in value.split(",") if part.strip()))
    unknown = [f for f in chosen if f not in FORMATS]
    if not chosen or unknown:
        raise click.BadParameter(f"expected a comma-separated list of {', '.join(FORMATS)}; got {value!r}")
    return chosen


def _valid_portfolio(paths: tuple[Path, ...], project_file: Path | None) -> Portfolio:
    """Load the specs; print the problems and exit 1 when any is invalid or none is found."""
    portfolio = _load(paths, project_file)
    if not portfolio.ok:
        _emit(format_diagnostics(portfolio.diagnostics, "text"), err=True)
        _emit(_summary(portfolio, portfolio.diagnostics), err=True)
        sys.exit(ExitCode.FAILED)
    if not portfolio.specs:
        _emit(f"no spec found in {', '.join(str(p) for p in paths) or 'specs'}", err=True)
        sys.exit(ExitCode.FAILED)
    return portfolio


def _fail(message: str) -> NoReturn:
    _emit(f"specgen: {message}", err=True)
    sys.exit(ExitCode.FAILED)


def _readiness(portfolio: Portfolio) -> PortfolioReport:
    """The readiness report for the annex of open findings and waivers."""
    return check_portfolio(portfolio, today=today())


@cli.command()
@click.argument("spec", type=click.Path(path_type=Path))
@project_option
@click.option(
    "-o",
    "--output",
    "folder",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("definitions"),
    show_default=True,
    help="Folder to write <spec-id>.md and <spec-id>.docx into.",
)
@click.option(
    "--format",
    "formats",
    default="md,docx",
    show_default=True,
    callback=_formats,
    help="Comma-separated formats: md, docx.",
)
@click.option("--force", is_flag=True, help="Overwrite files that were edited since specgen wrote them.")
@templates_option
def sow(
    spec: Path,
    project_file: Path | None,
    folder: Path,
    formats: tuple[str, ...],
    force: bool,
    templates_dir: Path | None,
) -> None:
    """Write the production-readiness definition of SPEC for the statement of work.

    SPEC is a spec file (or a folder: one definition per spec). Each document
    has numbered clauses with measurable acceptance criteria, evidence and the
    responsible party, an annex of open findings and waivers, and a sign-off
    table; it states the spec version and content fingerprint. A file is
    replaced only if specgen wrote it and nobody edited it since (else pass
    --force). Exits 0 when written, 1 when the spec is invalid, 2 on a usage
    error or a file that would be overwritten.
    """
    from specgen.sow import definitions, write_definition_files

    portfolio = _valid_portfolio((spec,), project_file)
    report = _readiness(portfolio)
    defns = definitions(portfolio, report=report)
    written = write_definition_files(
        defns, folder, formats, force=force, template_dirs=user_templates(templates_dir, portfolio=portfolio)
    )
    for path in written:
        _emit(f"wrote {path}")
    for defn in defns:
        _emit(f"{defn.spec_id} {defn.version} {defn.fingerprint}")


@cli.command()
@paths_argument
@project_option
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("handover.zip"),
    show_default=True,
    help="The archive to write.",
)
@click.option("--no-site", is_flag=True, help="Leave the handover site out (faster; for checks in CI).")
@click.option("--force", is_flag=True, help="Overwrite OUTPUT even if it is not a specgen bundle.")
@templates_option
def bundle(
    paths: tuple[Path, ...],
    project_file: Path | None,
    output: Path,
    no_site: bool,
    force: bool,
    templates_dir: Path | None,
) -> None:
    """Pack everything the buyer keeps into one reproducible archive.

    PATHS are spec files or folders (default: specs/). The archive holds the
    offline handover site, the readiness definitions (md and docx), the specs
    as written, a JSON export, the JSON Schema, a README and a MANIFEST.json
    with every file's SHA-256. The same inputs give the same bytes
    (SOURCE_DATE_EPOCH is honoured). An existing OUTPUT is replaced only when
    it is a specgen bundle (else pass --force). Exits 0 when written, 1 when a
    spec is invalid, 2 on a usage error.
    """
    from specgen.bundle.archive import build_bundle

    portfolio = _valid_portfolio(paths, project_file)
    report = _readiness(portfolio)
    result = build_bundle(
        portfolio,
        output,
        report=report,
        template_dirs=user_templates(templates_dir, portfolio=portfolio),
        site=not no_site,
        force=force,
    )
    specs = len(result.manifest["specs"])
    _emit(
        f"wrote {result.path}: {result.files} files, {specs} spec{'s' if specs != 1 else ''}, "
        f"{result.size} bytes, sha256:{result.sha256}"
    )


@cli.command()
@click.argument("archive", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="text for people, json for programs.",
)
def verify(archive: Path, fmt: str) -> None:
    """Check a handover bundle against its MANIFEST.json.

    Names every file changed, missing or added since the bundle was built,
    every entry whose path would escape the folder it is unpacked into or
    that is not a regular file, and every entry refused unread (too large,
    damaged, not deflated). Exits 0 when the archive matches its manifest, 1
    when it does not (or is not a readable bundle), 2 on a usage error.
    """
    from specgen.bundle.verify import verify_bundle

    result = verify_bundle(archive)
    if fmt == "json":  # json.dumps escapes every control character and line break
        _emit(
            json.dumps(
                {
                    "archive": str(archive),
                    "ok": result.ok,
                    "checked": result.checked,
                    "changed": result.changed,
                    "missing": result.missing,
                    "added": result.added,
                    "unsafe": result.unsafe,
                    "refused": result.refused,
                    "problems": result.problems,
                },
                indent=2,
            )
        )
        sys.exit(ExitCode.OK if result.ok else ExitCode.FAILED)
    lines = [f"{archive}: {problem}" for problem in result.problems]
    lines += [f"unsafe path: {name}" for name in result.unsafe]
    lines += [f"refused: {name}" for name in result.refused]
    lines += [f"changed: {name}" for name in result.changed]
    lines += [f"missing: {name}" for name in result.missing]
    lines += [f"added: {name}" for name in result.added]
    if result.ok:
        lines = [f"{archive}: {result.checked} files match the manifest"]
        specs = result.manifest.specs if result.manifest else []
        lines += [f"  {spec.id} {spec.version} {spec.fingerprint}" for spec in specs]
    elif not result.problems:
        lines.append(
            f"{archive} does not match its manifest: {len(result.changed)} changed, {len(result.missing)} missing, "
            f"{len(result.added)} added, {len(result.unsafe)} unsafe, {len(result.refused)} refused"
        )
    _emit("\n".join(terminal(line) for line in lines))
    sys.exit(ExitCode.OK if result.ok else ExitCode.FAILED)


_BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
