"""The production-readiness definition (statement-of-work text): the clause
data built from a spec, and its Markdown and DOCX renderings.
"""

from __future__ import annotations

from specgen.sow.clauses import (
    FORMATS,
    Clause,
    Definition,
    OverwriteError,
    SowError,
    definition,
    definitions,
    render_markdown,
    write_definition_files,
)

__all__ = [
    "FORMATS",
    "Clause",
    "Definition",
    "OverwriteError",
    "SowError",
    "definition",
    "definitions",
    "render_markdown",
    "write_definition_files",
]
