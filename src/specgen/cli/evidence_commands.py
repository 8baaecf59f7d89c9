"""``specgen evidence``: record measured results against a spec, list and show them."""

from __future__ import annotations

import json
import sys
from datetime import datetime
from pathlib import Path

import click

from specgen.cli.app import ExitCode, _emit, cli, project_option, today
from specgen.diagnostics import Level
from specgen.text import terminal

__all__ = ["evidence"]

as_of_option = click.option(
    "--as-of",
    "as_of",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Date staleness is judged against, YYYY-MM-DD (default: today).",
)


def _loaded_spec(spec: Path, project_file: Path | None):
    from specgen.evidence import EvidenceError, EvidenceUsageError, is_evidence_file
    from specgen.spec.portfolio import load_portfolio

    if not spec.is_file():
        raise EvidenceUsageError(f"{spec}: no such spec file")
    if is_evidence_file(spec):
        raise EvidenceUsageError(f"{spec} is an evidence file; name the spec beside it")
    portfolio = load_portfolio([spec], project_file=project_file)
    errors = [d for d in portfolio.diagnostics if d.level is Level.error and d.code != "approval"]
    if errors or not portfolio.specs:
        raise EvidenceError(f"{spec} has errors; fix them before recording evidence", diagnostics=errors)
    return portfolio.specs[0], portfolio.project


def _num(value: float | None) -> str:
    return "—" if value is None else f"{value:.4g}"


@cli.group()
def evidence() -> None:
    """Record measured results as acceptance evidence, and show what they prove.

    Evidence lives beside the spec (x.yml → x.evidence.yml); each result file
    is copied into the evidence store (evidence/sha256/… beside specgen.yml).
    """


@evidence.command("add")
@click.argument("results", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--spec", "spec", required=True, type=click.Path(path_type=Path), help="The spec the results measure.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["promptfoo", "junit", "csv", "json"]),
    help="Format of the result files (default: from the suffix and content).",
)
@click.option(
    "--slice-var",
    default="slice",
    show_default=True,
    help="promptfoo: the test variable whose values are the slices.",
)
@project_option
def add(results: tuple[Path, ...], spec: Path, fmt: str | None, slice_var: str, project_file: Path | None) -> None:
    """Import RESULTS (promptfoo JSON, JUnit XML, CSV or JSON tables) as evidence for SPEC.

    All or nothing: a bad file changes nothing. Re-importing a file already
    recorded changes nothing. Exits 0 when recorded, 1 for a bad file, 2 for
    a missing file or spec.
    """
    from specgen.evidence import add_evidence, spec_evidence

    loaded, project = _loaded_spec(spec, project_file)
    outcome = add_evidence(loaded, list(results), slice_var=slice_var, fmt=fmt)
    for name in outcome.already:
        _emit(f"already recorded: {terminal(name)}")
    if outcome.added:
        _emit(f"recorded {len(outcome.added)} measurement(s) in {terminal(outcome.sidecar)}")
    for record in outcome.added:
        _emit(f"  {terminal(record.metric)} [{terminal(record.slice)}] = {_num(record.value)} on {record.n} cases")
    summary = spec_evidence(loaded, project)
    loose = sorted(set(summary.loose_metrics) & {r.metric for r in outcome.added})
    if loose:
        names = ", ".join(terminal(m) for m in loose)
        _emit(f"note: bound to no condition or metric (measured_by): {names}", err=True)
    sys.exit(ExitCode.OK)


@evidence.command("list")
@click.argument("spec", type=click.Path(path_type=Path))
@project_option
@as_of_option
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def list_command(spec: Path, project_file: Path | None, as_of: datetime | None, fmt: str) -> None:
    """List SPEC's conditions and metrics with their computed verdicts, and results matching nothing."""
    from specgen.evidence import spec_evidence

    loaded, project = _loaded_spec(spec, project_file)
    summary = spec_evidence(loaded, project, today(as_of))
    if summary.problem:
        _emit(f"error: {terminal(summary.problem)}", err=True)
        sys.exit(ExitCode.FAILED)
    if fmt == "json":
        rows = [
            {
                "item": i.label,
                "kind": "condition" if i.is_condition else "metric",
                "verdict": i.verdict.kind.value,
                "reason": i.verdict.reason,
                "value": i.verdict.shown_value,
                "n": i.verdict.record.n if i.verdict.record else None,
                "interval": i.verdict.shown_interval,
                "run_date": i.verdict.record.run_date.isoformat() if i.verdict.record else None,
                "sha256": i.verdict.record.artefact.sha256 if i.verdict.record else None,
            }
            for i in summary.items
        ]
        data = {"spec": summary.spec_id, "items": rows, "unmatched": [list(u) for u in summary.unmatched]}
        _emit(json.dumps(data, indent=2, sort_keys=True))
        sys.exit(ExitCode.OK)
    for i in summary.items:
        _emit(f"{i.verdict.kind.value:<12} {terminal(i.label)}: {terminal(i.verdict.reason)}")
    for metric, slice_ in summary.unmatched:
        _emit(f"{'unmatched':<12} {terminal(metric)} [{terminal(slice_)}]: no condition or metric is measured by it")
    _emit(f"{len(summary.records)} record(s) from {len({r.artefact.sha256 for r in summary.records})} file(s)")
    sys.exit(ExitCode.OK)


@evidence.command("show")
@click.argument("spec", type=click.Path(path_type=Path))
@project_option
def show(spec: Path, project_file: Path | None) -> None:
    """Print every record of SPEC's evidence: value, cases, interval, run, tool, artefact, spec version."""
    from specgen.evidence import load_evidence

    loaded, _ = _loaded_spec(spec, project_file)
    found = load_evidence(spec, loaded.spec.id)
    if found is None or not found.records:
        _emit(f"no evidence recorded for {terminal(spec)}")
        sys.exit(ExitCode.OK)
    for r in found.records:
        interval = f" 95% CI [{_num(r.interval[0])}, {_num(r.interval[1])}]" if r.interval else ""
        version = f" {r.tool_version}" if r.tool_version else ""
        _emit(
            f"{terminal(r.metric)} [{terminal(r.slice)}] = {_num(r.value)} on {r.n} cases{interval}\n"
            f"  run {r.run_date} by {terminal(r.tool)}{terminal(version)}; "
            f"file {terminal(r.artefact.name)} sha256:{r.artefact.sha256[:16]}…\n"
            f"  against spec version {terminal(r.spec_version)} ({r.fingerprint[:19]}…)"
            + (f", commit {r.commit[:12]}" if r.commit else "")
        )
    sys.exit(ExitCode.OK)
