"""The repository's paths the tests use (a module to import, unlike conftest.py)."""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "specs"
PROJECT_FILE = REPO / "specgen.yml"
