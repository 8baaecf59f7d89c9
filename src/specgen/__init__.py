"""specgen: production-readiness specs for AI workflows.

The public API: load and validate specs (:func:`load_portfolio`), and the
models they become (:mod:`specgen.spec.schema`). The CLI (:mod:`specgen.cli`) is a
thin layer over these functions.
"""

from __future__ import annotations

__version__ = "0.1.0"

from specgen.diagnostics import Diagnostic, Level, format_diagnostics
from specgen.spec.loader import LoadedSpec, Portfolio, load_spec_text
from specgen.spec.portfolio import load_portfolio
from specgen.spec.schema import Project, Spec, Stage, json_schema

__all__ = [
    "Diagnostic",
    "Level",
    "LoadedSpec",
    "Portfolio",
    "Project",
    "Spec",
    "Stage",
    "__version__",
    "format_diagnostics",
    "json_schema",
    "load_portfolio",
    "load_spec_text",
]
