"""Review: what a change to the specs means for governance.

The governance diff of two versions (:mod:`.diff`, built on
:mod:`.structural`, :mod:`.sides` and :mod:`.report`), the governance
classification table (:mod:`.classify`), a spec's history in git
(:mod:`.history`) and the PR-comment rendering (:mod:`.render`).
"""

from __future__ import annotations

from specgen.review.classifiers import Effect, Impact
from specgen.review.diff import Change, DiffReport, SpecStatus, diff_files, diff_revisions, diff_specs
from specgen.review.history import History, render_history_page, spec_history
from specgen.review.render import render_diff

__all__ = [
    "Change",
    "DiffReport",
    "Effect",
    "History",
    "Impact",
    "SpecStatus",
    "diff_files",
    "diff_revisions",
    "diff_specs",
    "render_diff",
    "render_history_page",
    "spec_history",
]
