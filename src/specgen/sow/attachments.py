"""What the definition's PDF carries inside it, so the PDF alone holds what was agreed.

:func:`spec_attachments` gives, for one spec: the spec's YAML as written
(relationship *Source*), its JSON export in the bundle's format
(``specgen-export/1``, relationship *Data*, see :mod:`specgen.spec.export`)
and, when evidence exists, the evidence manifest (relationship *Supplement*).

Extension point for evidence: whatever builds the evidence manifest of a spec
passes its bytes as ``evidence_manifest``; it is embedded as
:data:`EVIDENCE_MANIFEST_NAME`. Nothing else needs to change.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from specgen.evidence import load_evidence
from specgen.spec.export import export_json, source_path
from specgen.spec.loader import LoadedSpec
from specgen.spec.schema import Project

__all__ = ["EVIDENCE_MANIFEST_NAME", "Attachment", "evidence_json", "spec_attachments"]

EVIDENCE_MANIFEST_NAME = "evidence-manifest.json"
"""The name the evidence manifest is embedded under."""


@dataclass(frozen=True)
class Attachment:
    """A file embedded in the PDF (PDF/A-3 associated file)."""

    name: str
    data: bytes
    description: str
    relationship: str
    """Its relation to the document (ISO 32000-2, 7.11.3): Source, Data, Supplement."""
    media_type: str = "application/octet-stream"
    """Its MIME type, recorded in the PDF (not guessed from the name, which
    depends on the machine's MIME database)."""


def spec_attachments(
    loaded: LoadedSpec, project: Project, root: Path, *, evidence_manifest: bytes | None = None
) -> tuple[Attachment, ...]:
    """The files embedded in the PDF of ``loaded``'s definition.

    ``root`` is the project folder (the spec's path in the export is relative
    to it); ``evidence_manifest`` is the evidence manifest's bytes (by default
    :func:`evidence_json`, when the spec has an evidence file).
    """
    source = source_path(loaded, root)
    spec_id = loaded.spec.id
    found = [
        Attachment(
            PurePosixPath(source).name,
            loaded.source.text.encode("utf-8"),
            f"The spec '{spec_id}' as written ({source})",
            "Source",
            "application/yaml",
        ),
        Attachment(
            f"{spec_id}.json",
            export_json(project, [(loaded, source)]),
            f"The spec '{spec_id}' as validated data (specgen-export/1)",
            "Data",
            "application/json",
        ),
    ]
    if evidence_manifest is None:
        evidence_manifest = evidence_json(loaded)
    if evidence_manifest is not None:
        found.append(
            Attachment(
                EVIDENCE_MANIFEST_NAME,
                evidence_manifest,
                f"The evidence manifest of '{spec_id}'",
                "Supplement",
                "application/json",
            )
        )
    return tuple(found)


def evidence_json(loaded: LoadedSpec) -> bytes | None:
    """The spec's recorded evidence (``specgen evidence add``) as JSON: every
    record with its measurement, run, result-file hash and the spec version and
    fingerprint it was measured against. None when the spec has no evidence file."""
    if loaded.source.path is None:
        return None
    recorded = load_evidence(loaded.source.path, loaded.spec.id)
    if recorded is None:
        return None
    data = recorded.model_dump(mode="json", exclude_none=True)
    return (json.dumps(data, indent=2, ensure_ascii=False, sort_keys=True) + "\n").encode("utf-8")
