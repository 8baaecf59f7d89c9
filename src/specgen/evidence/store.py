"""The evidence sidecar beside a spec, and the content-addressed evidence store.

``specs/x.yml`` keeps its evidence records in ``specs/x.evidence.yml``
(:class:`EvidenceFile`), so the hand-written spec is never rewritten. Each
imported result file is copied into the evidence store, ``evidence/`` beside
the project file (``specgen.yml``; beside the spec when there is none), as
``evidence/sha256/<hex><suffix>``: a file imported twice is stored once, and
its records are recorded once.

:func:`add_evidence` is atomic: every file is read and checked first; only
when all are good are the artefacts and then the sidecar written.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from specgen import clock
from specgen.diagnostics import Diagnostic
from specgen.evidence.errors import EvidenceError, EvidenceUsageError
from specgen.evidence.model import Artefact, EvidenceFile, EvidenceRecord, ReadResult, wilson_interval
from specgen.evidence.readers import read_result_file
from specgen.evidence.verify import Fetch, store_fetch, verify_records
from specgen.git import head_commit, repo_root
from specgen.reproducible import write_atomic
from specgen.spec.files import display_name
from specgen.spec.fingerprint import fingerprint, normalised
from specgen.spec.loader import LoadedSpec, find_project_file, read_source, validation_diagnostics
from specgen.spec.memo import Memo
from specgen.spec.schema import Spec

__all__ = [
    "DEPENDS_ON",
    "EVIDENCE_SUFFIX",
    "ImportOutcome",
    "add_evidence",
    "dependency_fingerprints",
    "evidence_diagnostics",
    "evidence_path",
    "is_evidence_file",
    "load_evidence",
    "parse_evidence",
    "store_root",
]

EVIDENCE_SUFFIX = ".evidence"
"""``specs/x.yml`` has its evidence in ``specs/x.evidence.yml``."""
STORE_DIR = "evidence"
DEPENDS_ON = ("decisions", "acceptance.conditions", "acceptance.evaluation.metrics")
"""What a verdict depends on: the decisions, and the conditions and metrics with
their bars; evidence measured before one of them changed is stale."""


def dependency_fingerprints(spec: Spec) -> dict[str, str]:
    """``sha256:<hex>`` of each part in :data:`DEPENDS_ON` (canonical JSON, like
    :func:`specgen.spec.fingerprint.fingerprint`)."""
    data = normalised(spec)
    out = {}
    for dotted in DEPENDS_ON:
        node: Any = data
        for key in dotted.split("."):
            node = node.get(key) if isinstance(node, dict) else None
        text = json.dumps(node, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        out[dotted] = "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()
    return out


_HEADER = (
    "# Evidence for {spec_file}, recorded by `specgen evidence add`.\n"
    "# Do not edit by hand: every value was read from the result file named in `artefact`.\n"
)


def evidence_path(spec_file: Path) -> Path:
    """The sidecar of ``spec_file``: ``x.yml`` → ``x.evidence.yml``."""
    return spec_file.with_name(f"{spec_file.stem}{EVIDENCE_SUFFIX}{spec_file.suffix}")


def is_evidence_file(path: Path) -> bool:
    """Whether ``path`` is an evidence sidecar (not a spec)."""
    return Path(path.name).stem.endswith(EVIDENCE_SUFFIX)


def store_root(spec_file: Path) -> Path:
    """The folder holding the evidence store: the project file's, else the spec's."""
    project = find_project_file(spec_file.resolve().parent)
    return (project.parent if project else spec_file.resolve().parent) / STORE_DIR


def load_evidence(spec_file: Path, spec_id: str | None = None, memo: Memo | None = None) -> EvidenceFile | None:
    """The spec's evidence sidecar, None when there is none. Raises
    :class:`EvidenceError` (located) when it is unreadable, invalid, for
    another spec than ``spec_id``, or says what its result files in the
    evidence store do not (:mod:`specgen.evidence.verify`; ``memo``, the
    build cache, keeps what each unchanged result file said)."""
    sidecar = evidence_path(spec_file)
    if not sidecar.is_file():
        return None
    source, problems = read_source(sidecar)
    if source is None:
        raise EvidenceError(f"{sidecar} cannot be read", diagnostics=problems)
    try:
        model = EvidenceFile.model_validate(source.data)
    except ValidationError as exc:
        raise EvidenceError(
            f"{sidecar} is not a valid evidence file", diagnostics=validation_diagnostics(EvidenceFile, exc, source)
        ) from None
    if spec_id is not None and model.spec != spec_id:
        raise EvidenceError(f"{sidecar}: this evidence is for spec '{model.spec}', not '{spec_id}'")
    problems = verify_records(model, source, store_fetch(store_root(spec_file)), memo)
    if problems:
        raise EvidenceError(f"{sidecar} does not match its result files", diagnostics=problems)
    return model


def evidence_diagnostics(specs: Sequence[LoadedSpec]) -> list[Diagnostic]:
    """The problems of the specs' evidence files, located where they can be:
    one that cannot be read, does not validate, or is another spec's. Nothing
    uses such a file's records (``check`` finds no evidence and says why)."""
    out: list[Diagnostic] = []
    for loaded in specs:
        if loaded.source.path is None:
            continue
        try:
            load_evidence(loaded.source.path, loaded.spec.id)
        except EvidenceError as exc:
            if exc.diagnostics:
                out.extend(exc.diagnostics)
            else:  # another spec's evidence
                sidecar = evidence_path(loaded.source.path)
                message = exc.message.removeprefix(f"{sidecar}: ")
                out.append(Diagnostic(display_name(sidecar), 1, 1, "spec", message, code="evidence"))
    return out


def parse_evidence(raw: bytes, name: str, fetch: Fetch | None = None) -> tuple[EvidenceFile | None, list[Diagnostic]]:
    """An evidence file's content (from git, say) as a model, or why it is not
    valid. With ``fetch`` (the evidence store it goes with), its records must
    also say what their result files say (:mod:`specgen.evidence.verify`)."""
    from specgen.spec.loader import parse_source

    source, problems = parse_source(raw, name)
    if source is None:
        return None, problems
    try:
        model = EvidenceFile.model_validate(source.data)
    except ValidationError as exc:
        return None, validation_diagnostics(EvidenceFile, exc, source)
    problems = verify_records(model, source, fetch) if fetch is not None else []
    return (None, problems) if problems else (model, [])


@dataclass
class ImportOutcome:
    """What :func:`add_evidence` did."""

    sidecar: Path
    added: list[EvidenceRecord] = field(default_factory=list)
    already: list[str] = field(default_factory=list)
    """Files whose content was already recorded (a re-import: nothing changed)."""
    stored: list[Path] = field(default_factory=list)


def _records(loaded: LoadedSpec, result: ReadResult, artefact: Artefact, commit: str | None) -> list[EvidenceRecord]:
    spec = loaded.spec
    depends = dependency_fingerprints(spec)
    out = []
    for m in result.measurements:
        interval = wilson_interval(m.successes, m.n) if m.successes is not None and m.n > 0 else None
        out.append(
            EvidenceRecord(
                metric=m.metric,
                slice=m.slice,
                value=m.value,
                n=m.n,
                successes=m.successes,
                interval=interval,
                run_date=result.run_date,
                tool=result.tool,
                tool_version=result.tool_version,
                artefact=artefact,
                spec_version=spec.version,
                fingerprint=fingerprint(spec),
                sections=depends,
                commit=commit,
            )
        )
    return out


def render_evidence_file(model: EvidenceFile, spec_file: str) -> str:
    """The sidecar's text: a header comment and deterministic YAML."""
    data = model.model_dump(mode="json", exclude_none=True)
    body = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, default_flow_style=False, width=1000)
    return _HEADER.format(spec_file=spec_file) + body


def add_evidence(
    loaded: LoadedSpec, results: list[Path], *, slice_var: str = "slice", fmt: str | None = None
) -> ImportOutcome:
    """Import ``results`` as evidence for ``loaded``'s spec: all or nothing."""
    spec_file = loaded.source.path
    if spec_file is None:
        raise EvidenceUsageError("evidence is recorded beside a spec file; this spec was not read from one")
    spec_id = loaded.spec.id
    existing = load_evidence(spec_file, spec_id) or EvidenceFile(spec=spec_id)
    known = {r.artefact.sha256 for r in existing.records}
    root = store_root(spec_file)
    repo = repo_root(spec_file.resolve().parent)
    commit = head_commit(repo) if repo else None
    outcome = ImportOutcome(evidence_path(spec_file))
    pending: list[tuple[Path, bytes]] = []
    for path in results:
        if not path.is_file():
            raise EvidenceUsageError(f"{path}: no such result file")
        result = read_result_file(path, slice_var=slice_var, fmt=fmt)
        if result.spec is not None and result.spec != spec_id:
            raise EvidenceError(f"{path}: this result file is for spec '{result.spec}', not '{spec_id}'")
        if result.run_date > clock.today():
            raise EvidenceError(f"{path}: the run is dated {result.run_date}, in the future")
        data = path.read_bytes()
        digest = hashlib.sha256(data).hexdigest()
        if digest in known:
            outcome.already.append(str(path))
            continue
        known.add(digest)
        suffix = path.suffix.lower()  # kept for a readable store; never one that spec discovery would read
        suffix = suffix if re.fullmatch(r"\.[a-z0-9]{1,10}", suffix) and suffix not in (".yml", ".yaml") else ""
        stored = f"sha256/{digest}{suffix}"
        read_as = {"format": fmt, "slice_var": slice_var if slice_var != "slice" else None}  # to read it again
        artefact = Artefact(name=path.name, stored=stored, sha256=digest, **read_as)
        outcome.added.extend(_records(loaded, result, artefact, commit))
        pending.append((root / stored, data))
    if not outcome.added:
        return outcome
    for target, data in pending:  # content-addressed: an existing copy is the same bytes
        if not target.is_file():
            write_atomic(target, data)
            outcome.stored.append(target)
    updated = EvidenceFile(spec=spec_id, records=[*existing.records, *outcome.added])
    write_atomic(outcome.sidecar, render_evidence_file(updated, spec_file.name).encode("utf-8"))
    return outcome
