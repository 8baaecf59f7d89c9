"""A Python-Markdown extension: a page with no fence skips superfences' line scan.

pymdownx's superfences looks for fenced blocks by matching every line of a
page against its fence expression, which needs three backticks or three
tildes in a row (``RE_NESTED_FENCE_START``). Most of specgen's pages have
no fence at all (only Mermaid diagrams are fenced, and spec text cannot make
one: :mod:`specgen.text` escapes backticks and tildes), and on such a page the
scan finds nothing and hands the lines back unchanged. This extension, listed
after superfences, lets superfences' preprocessor run only on pages where
either run of three occurs somewhere: the same lines come out either way.

It changes nothing unless the preprocessor registered as
``fenced_code_block`` is superfences' own (not its tab-preserving variant)
and ``pymdownx/superfences.py`` is the file this was checked against
(pymdown-extensions 13.1.2, whose ``run`` only reads the highlighter's
settings, resets the scan and calls ``search_nested``). :data:`QUICK` off
turns it off for the tests' comparison. The site registers it by name
(``specgen.site.quickfences``).
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from markdown import Extension, Markdown

__all__ = ["QUICK", "QuickFencesExtension", "makeExtension"]

QUICK = True
"""Off: superfences scans every page (for the tests' comparison)."""

_SUPERFENCES_FILE = "74dd37f8184097bd0339ac95d33efa701fc39f248ac527e5afa3e1f47859fb42"
"""sha256 of pymdown-extensions 13.1.2's ``pymdownx/superfences.py``."""

_CHECKED: dict[str, bool] = {}


def _known(module_file: str | None) -> bool:
    """Whether superfences is the file this was checked against (read once per process)."""
    if module_file is None:
        return False
    if module_file not in _CHECKED:
        try:
            _CHECKED[module_file] = hashlib.sha256(Path(module_file).read_bytes()).hexdigest() == _SUPERFENCES_FILE
        except OSError:
            _CHECKED[module_file] = False
    return _CHECKED[module_file]


class QuickFencesExtension(Extension):
    """Wraps superfences' preprocessor (registered before this extension) with a quick test for fences."""

    def extendMarkdown(self, md: Markdown) -> None:
        if "fenced_code_block" not in md.preprocessors:
            return
        fenced = md.preprocessors["fenced_code_block"]
        try:
            from pymdownx import superfences
        except ImportError:  # pragma: no cover - superfences is a dependency of mkdocs-material
            return
        if type(fenced) is not superfences.SuperFencesBlockPreprocessor or not _known(superfences.__file__):
            return
        if getattr(fenced, "config", {}).get("preserve_tabs", False):
            return
        scan = fenced.run

        def run(lines: list[str]) -> list[str]:
            if QUICK:
                text = "\n".join(lines)
                if "```" not in text and "~~~" not in text:
                    return lines
            return scan(lines)

        fenced.run = run


def makeExtension(**kwargs: Any) -> QuickFencesExtension:
    return QuickFencesExtension(**kwargs)
