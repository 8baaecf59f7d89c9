"""What the site shows beyond the specs themselves, read once before rendering.

A workflow's change history comes from git, its recorded approvals from
the approvals file beside the spec, who recorded each approval (and
whether its commit is signed, where the project requires it) from ``git
blame`` of the files that hold them, and the measured evidence (with the
result files to copy into the site) from the evidence file beside the
spec. :func:`gather` reads them for every spec
of a portfolio; the views and the page plan then take them as data, so
rendering reads nothing but its templates.
"""

from __future__ import annotations

import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from specgen import clock, derivation
from specgen.confine import Resolver
from specgen.spec.approvals import Attribution
from specgen.spec.loader import LoadedSpec, Portfolio
from specgen.spec.memo import Memo, made
from specgen.spec.schema import Project, SpecApproval

if TYPE_CHECKING:  # imported when used: specgen.review is not needed to import the site
    from specgen.evidence import SpecEvidence
    from specgen.review.history import History

__all__ = ["SiteInputs", "artefact_page_path", "gather"]


@dataclass(frozen=True)
class SiteInputs:
    """Per spec id: what the pages show that is not written in the spec."""

    histories: Mapping[str, History] = field(default_factory=dict)
    """The change history from git (empty outside a repository)."""
    approvals: Mapping[str, list[SpecApproval]] = field(default_factory=dict)
    """Approvals recorded by ``specgen approve`` in the approvals file beside the spec."""
    attributions: Mapping[str, Attribution] = field(default_factory=dict)
    """Who recorded each approval, from git; which count under the signed-commit policy."""
    evidence: Mapping[str, SpecEvidence] = field(default_factory=dict)
    """Recorded evidence and its computed verdicts (the evidence file beside the spec)."""
    artefacts: Mapping[str, Path] = field(default_factory=dict)
    """Result files to copy into the site: path inside ``docs/`` → file in the evidence store."""

    def history(self, spec_id: str) -> History:
        """The spec's history; an empty one when none was gathered."""
        from specgen.review.history import History

        found = self.histories.get(spec_id)
        return found if found is not None else History(spec_id, spec_id, None)


def gather(portfolio: Portfolio, memo: Memo | None = None, jobs: int | None = 1) -> SiteInputs:
    """Read the git history and the recorded approvals of every spec (one
    ``git`` call per spec folder to find the repository, then the history);
    ``memo`` (the build cache) keeps the specs' past versions, validated,
    and each spec file's list of commits while the repository's
    :class:`~specgen.git.LogState` stays the same. Histories worked out from
    the past versions themselves are worked out in ``jobs`` worker processes
    when there are enough."""
    from specgen.evidence import store_root
    from specgen.git import GitError, LogState, log_state, repo_root
    from specgen.review.history import History, spec_histories, spec_history
    from specgen.rules.memo import outcome_key, project_digest
    from specgen.spec.approvals import attribute, sidecar_approvals

    roots: dict[Path, Path | None] = {}
    in_git: dict[Path, list[tuple[str, LoadedSpec]]] = {}
    histories: dict[str, History] = {}
    approvals: dict[str, list[SpecApproval]] = {}
    attributions: dict[str, Attribution] = {}
    evidence: dict[str, SpecEvidence] = {}
    artefacts: dict[str, Path] = {}
    project, day = project_digest(portfolio.project), clock.today()
    resolve = Resolver()  # each folder resolved once for the pass over its specs
    for loaded in portfolio.specs:
        spec_id, path = loaded.spec.id, loaded.source.path
        attributions[spec_id] = attribute(loaded, portfolio.project)
        if path is None:
            histories[spec_id] = History(spec_id, spec_id, None)
            approvals[spec_id] = []
            continue
        folder = resolve(path).parent
        if folder not in roots:
            roots[folder] = repo_root(folder)
        root = roots[folder]
        if root is None:
            histories[spec_id] = History(spec_id, spec_id, None)
        else:  # read below, with the other specs of the same repository
            in_git.setdefault(root, []).append((spec_id, loaded))
        approvals[spec_id] = sidecar_approvals(path, spec_id)
        # the key before the evidence file is read: should it change in between, the key is
        # the older one and the next build, under the newer key, reads it again
        key = outcome_key(loaded, project, day)
        found = evidence[spec_id] = _evidence(loaded, portfolio.project, key, memo)
        if found.records:
            store = store_root(path)
            for record in found.records:
                stored = store / record.artefact.stored
                if stored.is_file():
                    artefacts[artefact_page_path(record.artefact.stored)] = stored
    for root, specs in in_git.items():  # one question per repository, and one git process for all past versions
        try:
            state: LogState | None = log_state(root)
        except GitError:
            state = None
        if state is None:
            for spec_id, loaded in specs:
                histories[spec_id] = spec_history(loaded.source.path, root, project=portfolio.project, memo=memo)
            continue
        found = spec_histories(
            [typing.cast(Path, loaded.source.path) for _, loaded in specs],
            root,
            project=portfolio.project,
            attributions=[attributions[spec_id] for spec_id, _ in specs],
            shallow=state.shallow,
            memo=memo,
            log_key=state.key,
            specs=[loaded for _, loaded in specs],
            jobs=jobs,
        )
        histories.update((spec_id, history) for (spec_id, _), history in zip(specs, found, strict=True))
    ordered = {spec_id: histories[spec_id] for spec_id in approvals}  # the specs' order, as the loop saw them
    return SiteInputs(ordered, approvals, attributions, evidence, artefacts)


_EVIDENCE = "spec evidence"
"""The variant under which a long-lived process keeps a spec's evidence (:mod:`specgen.site.warm`)."""


def _evidence(loaded: LoadedSpec, project: Project, key: str | None, memo: Memo | None) -> SpecEvidence:
    """The spec's evidence and verdicts, marked with ``key``
    (:func:`specgen.rules.memo.outcome_key`:
    the spec file, its evidence file, the project and the date: all they are
    made from). Where an earlier build of this process (the preview) made
    them under the same key, those (never changed after) are taken: working
    out 12,000 verdicts again cost 0.05 s of every preview build at 1,000 specs."""
    from specgen.evidence import spec_evidence

    if key is None:
        return spec_evidence(loaded, project, memo=memo)

    def make() -> SpecEvidence:
        found = spec_evidence(loaded, project, memo=memo)
        derivation.mark(found, "evidence", key)
        return found

    return made(memo, key, _EVIDENCE, make)


def artefact_page_path(stored: str) -> str:
    """Where a stored result file is copied inside the site's ``docs/``."""
    return f"evidence/{stored.rsplit('/', 1)[-1]}"
