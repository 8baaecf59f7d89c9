"""The production-readiness definition (statement-of-work text): the clause
data built from a spec, and its Markdown, DOCX and PDF renderings.

Modules: :mod:`~specgen.sow.model` (the data), :mod:`~specgen.sow.build`
(:func:`definition`, :func:`definitions`), :mod:`~specgen.sow.context` and the
``clauses*`` modules (the clause builders), :mod:`~specgen.sow.annex`,
:mod:`~specgen.sow.markdown`, :mod:`~specgen.sow.docx`, :mod:`~specgen.sow.pdf`
(with :mod:`~specgen.sow.attachments`) and
:mod:`~specgen.sow.files` (writing the files).
"""

from __future__ import annotations

from specgen.sow.build import definition, definitions
from specgen.sow.files import write_definition_files
from specgen.sow.markdown import render_markdown
from specgen.sow.model import DEFAULT_FORMATS, FORMATS, Clause, Definition, OverwriteError, SowError

__all__ = [
    "DEFAULT_FORMATS",
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
