"""The spec as data: values, the schema, YAML with source positions, loading,
cross-references, approvals sidecars and fingerprints.

Everything here works on files and models only; nothing in ``specgen.spec``
imports a part of specgen that sits above it (rules, review, renderers, CLI).
"""

from __future__ import annotations

from specgen.spec.fingerprint import fingerprint, section_fingerprints
from specgen.spec.loader import (
    LoadedSpec,
    Portfolio,
    Source,
    find_project_file,
    load_project,
    load_spec_text,
)
from specgen.spec.portfolio import load_portfolio
from specgen.spec.schema import Project, Spec, Stage, json_schema, json_schema_text

__all__ = [
    "LoadedSpec",
    "Portfolio",
    "Project",
    "Source",
    "Spec",
    "Stage",
    "find_project_file",
    "fingerprint",
    "json_schema",
    "json_schema_text",
    "load_portfolio",
    "load_project",
    "load_spec_text",
    "section_fingerprints",
]
