"""Acceptance proven by measured evidence.

Readers turn result files (promptfoo JSON, JUnit XML, a plain CSV/JSON table)
into measurements (:mod:`~specgen.evidence.readers`); :func:`add_evidence`
records them in the evidence sidecar beside the spec and copies each file into
the content-addressed evidence store (:mod:`~specgen.evidence.store`);
:func:`verdict_for` computes whether a condition holds
(:mod:`~specgen.evidence.verdict`); :func:`spec_evidence` gathers it all for
one spec, for ``check``, the site and the SoW.
"""

from __future__ import annotations

from specgen.evidence.errors import EvidenceError, EvidenceUsageError
from specgen.evidence.model import Artefact, EvidenceFile, EvidenceRecord, Measurement, wilson_interval
from specgen.evidence.readers import FORMATS, read_result_file
from specgen.evidence.store import (
    ImportOutcome,
    add_evidence,
    evidence_path,
    is_evidence_file,
    load_evidence,
    store_root,
)
from specgen.evidence.summary import ConditionEvidence, SpecEvidence, spec_evidence
from specgen.evidence.verdict import Verdict, VerdictKind, verdict_for

__all__ = [
    "FORMATS",
    "Artefact",
    "ConditionEvidence",
    "EvidenceError",
    "EvidenceFile",
    "EvidenceRecord",
    "EvidenceUsageError",
    "ImportOutcome",
    "Measurement",
    "SpecEvidence",
    "Verdict",
    "VerdictKind",
    "add_evidence",
    "evidence_path",
    "is_evidence_file",
    "load_evidence",
    "read_result_file",
    "spec_evidence",
    "store_root",
    "verdict_for",
    "wilson_interval",
]
