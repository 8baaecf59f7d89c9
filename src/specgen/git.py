"""Reading specs out of git: revisions, file listings, file contents, history.

A thin layer over the ``git`` command (no GitPython): every function runs one
git command in a repository and returns plain data, or raises
:class:`GitError` with git's own one-line explanation. Nothing here writes to
the repository.
"""

from __future__ import annotations

import ast
import datetime as dt
import os
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "Commit",
    "GitError",
    "RevisionError",
    "file_history",
    "is_revision",
    "list_files",
    "read_blob",
    "read_blobs",
    "read_blobs_at",
    "relative_to_root",
    "repo_root",
    "resolve_revision",
]

_TIMEOUT = 60


class GitError(Exception):
    """git is missing, the folder is not a repository, or a git command failed."""


class RevisionError(GitError):
    """A name that is not a revision of the repository."""


@dataclass(frozen=True)
class Commit:
    """One commit that touched a file, and the file's path in that commit."""

    sha: str
    author: str
    date: dt.date
    subject: str
    path: str

    @property
    def short(self) -> str:
        return self.sha[:7]


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env.update({"GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C", "GIT_PAGER": "cat", "GIT_OPTIONAL_LOCKS": "0"})
    return env


def _git(
    args: Sequence[str], cwd: Path, *, check: bool = True, stdin: bytes | None = None
) -> subprocess.CompletedProcess[bytes]:
    try:
        done = subprocess.run(
            ["git", "--no-pager", *args],
            cwd=cwd,
            input=stdin,
            capture_output=True,
            env=_env(),
            timeout=_TIMEOUT,
            check=False,
        )
    except FileNotFoundError:
        raise GitError("git is not installed (it is needed to read specs from revisions)") from None
    except subprocess.TimeoutExpired:
        raise GitError(f"git {args[0]} took longer than {_TIMEOUT}s") from None
    if check and done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise GitError(message[0] if message else f"git {args[0]} failed")
    return done


def repo_root(path: Path) -> Path | None:
    """The top folder of the git work tree holding ``path``, or None."""
    folder = path if path.is_dir() else path.parent
    try:
        done = _git(["rev-parse", "--show-toplevel"], folder if folder.exists() else Path.cwd(), check=False)
    except GitError:
        return None
    if done.returncode != 0:
        return None
    return Path(done.stdout.decode("utf-8").strip()).resolve()


def resolve_revision(rev: str, root: Path) -> str:
    """The commit id ``rev`` names; :class:`RevisionError` when it names none."""
    if rev.startswith("-"):
        raise RevisionError(f"'{rev}' is not a revision")
    done = _git(["rev-parse", "--verify", "--quiet", "--end-of-options", f"{rev}^{{commit}}"], root, check=False)
    if done.returncode != 0:
        raise RevisionError(f"'{rev}' is not a revision of the repository at {root}")
    return done.stdout.decode("ascii").strip()


def is_revision(rev: str, root: Path) -> bool:
    """Whether ``rev`` names a commit."""
    try:
        resolve_revision(rev, root)
    except GitError:
        return False
    return True


def relative_to_root(path: Path, root: Path) -> str:
    """``path`` as a repository path (posix, relative to ``root``); '' for the root."""
    rel = os.path.relpath(path.resolve(), root)
    if rel == "." or rel.startswith(".."):
        return "" if rel == "." else rel
    return Path(rel).as_posix()


def _unquote(name: str) -> str:
    """Undo git's C-style quoting of unusual path names."""
    if name.startswith('"') and name.endswith('"'):
        return ast.literal_eval("b" + name).decode("utf-8", "replace")
    return name


def list_files(rev: str, root: Path, prefixes: Sequence[str] = ()) -> list[str]:
    """Files (repository paths, sorted) in ``rev`` under the given paths."""
    args = ["ls-tree", "-r", "--name-only", "-z", "--full-tree", rev, "--"]
    done = _git([*args, *prefixes], root)
    names = [n for n in done.stdout.decode("utf-8", "replace").split("\0") if n]
    return sorted(names)


def read_blob(rev: str, path: str, root: Path) -> bytes | None:
    """The content of ``path`` in ``rev``, or None when the file is not there."""
    if not list_files(rev, root, [path]):
        return None
    return _git(["cat-file", "blob", f"{rev}:{path}"], root).stdout


def read_blobs(rev: str, paths: Sequence[str], root: Path) -> list[bytes | None]:
    """The contents of several files of ``rev`` in one git process (None where absent)."""
    return read_blobs_at([(rev, p) for p in paths], root)


def read_blobs_at(items: Sequence[tuple[str, str]], root: Path) -> list[bytes | None]:
    """The contents of (revision, path) pairs in one git process (None where absent)."""
    if not items:
        return []
    request = "".join(f"{rev}:{path}\n" for rev, path in items).encode("utf-8")
    done = _git(["cat-file", "--batch"], root, stdin=request)
    out: list[bytes | None] = []
    data, pos = done.stdout, 0
    for _ in items:
        end = data.index(b"\n", pos)
        header = data[pos:end].split()
        pos = end + 1
        if len(header) != 3 or header[1] != b"blob":
            out.append(None)
            continue
        size = int(header[2])
        out.append(data[pos : pos + size])
        pos += size + 1
    return out


_SEP = "\x1f"
_START = "\x1e"


def file_history(path: str, root: Path) -> list[Commit]:
    """Commits that changed ``path`` (following renames), newest first."""
    fmt = _START + _SEP.join(["%H", "%an", "%cI", "%s"])
    done = _git(["log", "--follow", "--name-only", f"--format={fmt}", "--", path], root)
    commits: list[Commit] = []
    for block in done.stdout.decode("utf-8", "replace").split(_START):
        if not block.strip():
            continue
        header, _, rest = block.partition("\n")
        sha, author, date, subject = [*header.split(_SEP), "", "", ""][:4]
        names = [line for line in rest.splitlines() if line.strip()]
        file_path = _unquote(names[-1]) if names else path
        commits.append(Commit(sha, author, dt.date.fromisoformat(date[:10]), subject, file_path))
    return commits
