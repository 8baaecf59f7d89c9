"""Running git: the one place specgen starts a ``git`` process, in an
environment cut down to the repository the folder names, and the plain
questions about a repository (its top folder, HEAD, whether it is shallow,
what a revision names)."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Sequence
from pathlib import Path

from specgen.errors import ExitCode, SpecgenError

__all__ = [
    "GitError",
    "RevisionError",
    "decode_name",
    "head_commit",
    "is_object_id",
    "is_revision",
    "is_shallow",
    "relative_to_root",
    "repo_root",
    "resolve_revision",
    "run",
]

_TIMEOUT = 60


class GitError(SpecgenError):
    """git is missing, the folder is not a repository, or a git command failed."""


class RevisionError(GitError):
    """A name that is not a revision of the repository."""

    exit_code = ExitCode.USAGE


_KEPT_GIT_VARIABLES = frozenset({"GIT_CONFIG_GLOBAL"})
"""The caller's ``GIT_*`` variables that pass through: the user's global config
file (the same power as ``$HOME``). Everything else is dropped: ``GIT_DIR``,
``GIT_WORK_TREE``, ``GIT_INDEX_FILE``, ``GIT_OBJECT_DIRECTORY``,
``GIT_ALTERNATE_OBJECT_DIRECTORIES``, ``GIT_CONFIG_PARAMETERS``,
``GIT_CONFIG_COUNT``/``KEY``/``VALUE``, ``GIT_NAMESPACE``,
``GIT_REPLACE_REF_BASE``, ``GIT_EXTERNAL_DIFF``... would make git read another
repository, other objects or other configuration than the folder names."""

_FIXED = {
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_ATTR_NOSYSTEM": "1",
    "GIT_NO_REPLACE_OBJECTS": "1",
    "GIT_TERMINAL_PROMPT": "0",
    "GIT_ASKPASS": "",
    "SSH_ASKPASS": "",
    "GIT_PAGER": "cat",
    "PAGER": "cat",
    "GIT_OPTIONAL_LOCKS": "0",
    "LC_ALL": "C",
}
"""No system-wide configuration, no replace refs (``git replace`` would show
other content under an object's id), no prompt, no pager, no locks taken."""


def _env() -> dict[str, str]:
    """The environment git runs in: the caller's, without its git variables."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_") or k in _KEPT_GIT_VARIABLES}
    env.update(_FIXED)
    return env


def run(
    args: Sequence[str], cwd: Path, *, check: bool = True, stdin: bytes | None = None
) -> subprocess.CompletedProcess[bytes]:
    """One git command in ``cwd``, in :func:`_env`'s environment, with ``stdin``
    as its input; :class:`GitError` when git cannot run or (with ``check``) fails."""
    try:
        done = subprocess.run(
            ["git", "--no-pager", "--no-replace-objects", "-c", "core.fsmonitor=false", *args],
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
        done = run(["rev-parse", "--show-toplevel"], folder if folder.exists() else Path.cwd(), check=False)
    except GitError:
        return None
    if done.returncode != 0:
        return None
    return Path(done.stdout.decode("utf-8").strip()).resolve()


def is_shallow(root: Path) -> bool:
    """Whether the repository is a shallow clone (its history is cut off)."""
    done = run(["rev-parse", "--is-shallow-repository"], root, check=False)
    return done.returncode == 0 and done.stdout.strip() == b"true"


def head_commit(folder: Path) -> str | None:
    """The commit checked out in the repository holding ``folder``; None outside git or before a commit."""
    try:
        done = run(["rev-parse", "--verify", "--quiet", "HEAD"], folder, check=False)
    except (GitError, OSError):
        return None
    commit = done.stdout.decode("ascii", "replace").strip()
    return commit if done.returncode == 0 and is_object_id(commit) else None


def resolve_revision(rev: str, root: Path) -> str:
    """The commit id ``rev`` names; :class:`RevisionError` when it names none."""
    if rev.startswith("-"):
        raise RevisionError(f"'{rev}' is not a revision")
    done = run(["rev-parse", "--verify", "--quiet", "--end-of-options", f"{rev}^{{commit}}"], root, check=False)
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


_HEX = frozenset("0123456789abcdef")


def is_object_id(text: str) -> bool:
    """A full object id (SHA-1 or SHA-256), lowercase hex."""
    return len(text) in (40, 64) and set(text) <= _HEX


def decode_name(raw: bytes) -> str:
    """A file name from git: UTF-8, undecodable bytes kept as surrogates (callers refuse them)."""
    return raw.decode("utf-8", "surrogateescape")
