"""Which commit wrote an approval: its author, and whether it is signed.

An approval is a claim written in a file (the approvals file beside a spec,
or the spec's own ``approvals:``): "this person approved this content for this
role". Where the file is in git, ``git blame`` says which commits wrote the
claim's lines. The newest of them is the commit that recorded the approval as
it stands: its author is who recorded it, which the site and ``history`` show
when that author's e-mail is not the approver's. Where the project's policy
asks for signed commits (``policy.approvals.signed_commits``), every commit
that wrote a line of the claim must pass ``git verify-commit`` with a
signature by the approver (the signer git names has the approver's e-mail).

Everything runs through :mod:`specgen.git`, one ``git blame`` per file and one
``git verify-commit`` (and one ``git log`` for its signer) per distinct commit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from specgen import git
from specgen.spec.loader import Source
from specgen.spec.yamlsrc import Path_

__all__ = ["ApprovalCommit", "Located", "approval_commits"]


class Located(Protocol):
    """Something written at a path of a source file (an approval as recorded)."""

    @property
    def source(self) -> Source: ...

    @property
    def path(self) -> Path_: ...


@dataclass(frozen=True)
class ApprovalCommit:
    """What git says about the lines of one recorded approval."""

    sha: str | None
    """The newest commit that wrote one of its lines; None when a line is not
    committed yet (or, with :attr:`cut_off`, when the commit is not in a shallow clone)."""
    author: str
    """That commit's author (empty when not committed)."""
    email: str
    """That commit's author e-mail."""
    commits: tuple[str, ...] = ()
    """Every commit that wrote one of its lines."""
    signed: bool | None = None
    """Whether every one of ``commits`` has a good signature (None: not checked, or not committed)."""
    signers: tuple[str | None, ...] = ()
    """Who signed each of ``commits`` (:func:`specgen.git.commit_signer`), when checked."""
    cut_off: bool = False
    """The repository is a shallow clone and the lines are older than its cut-off:
    git blames the cut-off commit for them, so which commit wrote them is unknown."""

    @property
    def short(self) -> str:
        return self.sha[:7] if self.sha else "uncommitted"

    def signed_by(self, email: str | None) -> bool:
        """Whether every commit that wrote the approval has a good signature
        by ``email`` (the approver's): a key any other trusted signer holds
        does not vouch for the approver. Never for an approver without one."""
        if not (self.signed and email and self.signers):
            return False
        wanted = email.strip().casefold()
        return all(signer is not None and _email_of(signer) == wanted for signer in self.signers)

    def recorded_by(self, approver_email: str | None) -> str | None:
        """The author who recorded the approval, when it is not the approver
        (judged by e-mail; an approver without one is never matched). None
        when the approver committed it, or it is not committed."""
        if self.sha is None:
            return None
        if approver_email and approver_email.strip().casefold() == self.email.strip().casefold():
            return None
        return self.author or self.email


def _email_of(signer: str) -> str:
    """The e-mail of a signer as git names it: ``Name <e-mail>`` for an OpenPGP
    user id, the principal itself for an SSH key (an e-mail, by convention)."""
    start, end = signer.rfind("<"), signer.rfind(">")
    address = signer[start + 1 : end] if 0 <= start < end else signer
    return address.strip().casefold()


def _line_range(source: Source, path: Path_) -> range:
    """The lines (1-based) of the value at ``path``: from its first line up to the
    line before the next sibling or top-level key that follows it."""
    start = source.positions.locate(path).line
    parent = tuple(path[:-1])
    followers = [
        source.positions.locate(p, key=len(p) == 1).line
        for p in (*source.positions.values, *source.positions.keys)
        if len(p) == 1 or (len(p) == len(path) and tuple(p[:-1]) == parent)
    ]
    later = [line for line in followers if line > start]
    end = min(later) - 1 if later else source.text.count("\n") + 1
    return range(start, max(start, end) + 1)


def _meaningful(text_lines: list[str], lines: range) -> list[int]:
    """The lines of a range that hold YAML (blank and comment lines left out)."""
    kept = []
    for number in lines:
        text = text_lines[number - 1].strip() if number <= len(text_lines) else ""
        if text and not text.startswith("#"):
            kept.append(number)
    return kept or [lines.start]


def approval_commits(recorded: Sequence[Located], *, verify: bool = False) -> list[ApprovalCommit | None]:
    """For each recorded approval, the commit that wrote it (see
    :class:`ApprovalCommit`); None when its file is not in a git repository
    (or git cannot be run). ``verify`` checks the signatures."""
    out: list[ApprovalCommit | None] = [None] * len(recorded)
    blames: dict[int, list[git.BlameLine] | None] = {}
    verified: dict[str, str | None] = {}
    shallow: dict[Path, bool] = {}
    for index, item in enumerate(recorded):
        source = item.source
        if source.path is None:
            continue
        file = Path(source.path).resolve()
        root = git.repo_root(file)
        if root is None:
            continue
        try:
            if id(source) not in blames:
                blames[id(source)] = git.blame(
                    git.relative_to_root(file, root), root, source.text.encode("utf-8", "surrogateescape")
                )
            blamed = blames[id(source)]
            numbers = _meaningful(source.text.split("\n"), _line_range(source, item.path))
            if blamed is None:  # the file is not committed at all
                out[index] = ApprovalCommit(None, "", "")
                continue
            lines = [blamed[n - 1] for n in numbers if n <= len(blamed)]
            if not lines or any(line.sha is None for line in lines):
                out[index] = ApprovalCommit(None, "", "")
                continue
            if any(line.boundary for line in lines):
                if root not in shallow:
                    shallow[root] = git.is_shallow(root)
                if shallow[root]:
                    out[index] = ApprovalCommit(None, "", "", cut_off=True)
                    continue
            commits = tuple(sorted({line.sha for line in lines if line.sha}))
            newest_sha = git.newest_commit(commits, root)
            newest = next(line for line in lines if line.sha == newest_sha)
            signed = None
            signers: tuple[str | None, ...] = ()
            if verify:
                for sha in commits:
                    if sha not in verified:
                        verified[sha] = git.commit_signer(sha, root)
                signers = tuple(verified[sha] for sha in commits)
                signed = all(signer is not None for signer in signers)
            out[index] = ApprovalCommit(newest.sha, newest.author, newest.email, commits, signed, signers)
        except git.GitError:
            out[index] = None
    return out
