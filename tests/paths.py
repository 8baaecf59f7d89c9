"""The repository's paths the tests use (a module to import, unlike conftest.py)."""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "specs"
PROJECT_FILE = REPO / "specgen.yml"


def spec_files(folder: Path = EXAMPLES) -> list[Path]:
    """The spec files of a folder, without the sidecars beside them (approvals, evidence)."""
    return sorted(p for p in folder.glob("*.yml") if not p.stem.endswith((".approvals", ".evidence")))
