"""Reading specs out of git: revisions, file listings, file contents, history.

A thin layer over the ``git`` command (no GitPython), and the only place in
specgen that runs git: every function runs one git command in a repository
and returns plain data, or raises :class:`GitError` with git's own one-line
explanation. Nothing here writes to the repository.

File names are data, not syntax: listings are read NUL-separated (``-z``) and
never re-parsed from lines, names are decoded without loss (undecodable bytes
become surrogates, so callers can refuse them), and file contents are read by
object id, each answer of ``git cat-file --batch`` checked against the id
asked for. A file name holding a newline therefore cannot shift one file's
content onto another.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from specgen.errors import ExitCode, SpecgenError

__all__ = [
    "BlameLine",
    "Commit",
    "GitError",
    "RevisionError",
    "TreeEntry",
    "blame",
    "file_history",
    "head_commit",
    "is_revision",
    "is_shallow",
    "list_files",
    "list_tree",
    "newest_commit",
    "read_blob",
    "read_objects",
    "relative_to_root",
    "repo_root",
    "resolve_revision",
    "verify_commit",
]

_TIMEOUT = 60


class GitError(SpecgenError):
    """git is missing, the folder is not a repository, or a git command failed."""


class RevisionError(GitError):
    """A name that is not a revision of the repository."""

    exit_code = ExitCode.USAGE


@dataclass(frozen=True)
class Commit:
    """One commit that touched a file, and the file's path and blob in that commit."""

    sha: str
    author: str
    date: dt.date
    subject: str
    path: str
    blob: str | None = None
    """The object id of the file's content in this commit (None when the commit deleted it)."""

    @property
    def short(self) -> str:
        return self.sha[:7]


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


def _git(
    args: Sequence[str], cwd: Path, *, check: bool = True, stdin: bytes | None = None
) -> subprocess.CompletedProcess[bytes]:
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
        done = _git(["rev-parse", "--show-toplevel"], folder if folder.exists() else Path.cwd(), check=False)
    except GitError:
        return None
    if done.returncode != 0:
        return None
    return Path(done.stdout.decode("utf-8").strip()).resolve()


def is_shallow(root: Path) -> bool:
    """Whether the repository is a shallow clone (its history is cut off)."""
    done = _git(["rev-parse", "--is-shallow-repository"], root, check=False)
    return done.returncode == 0 and done.stdout.strip() == b"true"


def head_commit(folder: Path) -> str | None:
    """The commit checked out in the repository holding ``folder``; None outside git or before a commit."""
    try:
        done = _git(["rev-parse", "--verify", "--quiet", "HEAD"], folder, check=False)
    except (GitError, OSError):
        return None
    commit = done.stdout.decode("ascii", "replace").strip()
    return commit if done.returncode == 0 and _is_object_id(commit) else None


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


_HEX = frozenset("0123456789abcdef")


def _is_object_id(text: str) -> bool:
    """A full object id (SHA-1 or SHA-256), lowercase hex."""
    return len(text) in (40, 64) and set(text) <= _HEX


def _name(raw: bytes) -> str:
    """A file name from git: UTF-8, undecodable bytes kept as surrogates (callers refuse them)."""
    return raw.decode("utf-8", "surrogateescape")


@dataclass(frozen=True)
class TreeEntry:
    """One file of a revision: its repository path, mode, object type, object id
    and size in bytes (None for a submodule, which has none)."""

    path: str
    mode: str
    type: str
    oid: str
    size: int | None = None

    @property
    def is_file(self) -> bool:
        """A regular file (not a symbolic link or a submodule)."""
        return self.type == "blob" and self.mode in ("100644", "100755")


def list_tree(rev: str, root: Path, prefixes: Sequence[str] = ()) -> list[TreeEntry]:
    """Files of ``rev`` under the given repository paths, sorted by path.

    Read NUL-separated, so any byte a name may hold (a newline included) stays
    inside that name.
    """
    if rev.startswith("-"):
        raise RevisionError(f"'{rev}' is not a revision")
    done = _git(["ls-tree", "-r", "-z", "--long", "--full-tree", rev, "--", *prefixes], root)
    entries = []
    for record in done.stdout.split(b"\0"):
        if not record:
            continue
        meta, tab, path = record.partition(b"\t")
        fields = meta.decode("ascii", "replace").split()  # the size is padded with spaces
        if not tab or len(fields) != 4 or not _is_object_id(fields[2]) or not (fields[3].isdigit() or fields[3] == "-"):
            raise GitError(f"git ls-tree gave an entry that cannot be read: {record[:80]!r}")
        size = int(fields[3]) if fields[3].isdigit() else None
        entries.append(TreeEntry(_name(path), fields[0], fields[1], fields[2], size))
    return sorted(entries, key=lambda e: e.path)


def list_files(rev: str, root: Path, prefixes: Sequence[str] = ()) -> list[str]:
    """Files (repository paths, sorted) in ``rev`` under the given paths."""
    return [e.path for e in list_tree(rev, root, prefixes)]


def read_objects(oids: Sequence[str], root: Path) -> list[bytes]:
    """The contents of blobs, by object id, in one git process.

    Each id is checked before it is sent and each answer's header must name
    the id asked for, be a blob and hold as many bytes as it says; anything
    else is a :class:`GitError`, never a silently shifted or missing answer.
    """
    if not oids:
        return []
    for oid in oids:
        if not _is_object_id(oid):
            raise GitError(f"'{oid}' is not an object id")
    done = _git(["cat-file", "--batch"], root, stdin="".join(f"{oid}\n" for oid in oids).encode("ascii"))
    out: list[bytes] = []
    data, pos = done.stdout, 0
    for oid in oids:
        end = data.find(b"\n", pos)
        header = data[pos:end].decode("ascii", "replace").split(" ") if end >= 0 else []
        if len(header) != 3 or header[0] != oid or header[1] != "blob" or not header[2].isdigit():
            raise GitError(f"git cat-file did not return blob {oid} (it answered {' '.join(header) or 'nothing'})")
        start, size = end + 1, int(header[2])
        if data[start + size : start + size + 1] != b"\n":
            raise GitError(f"git cat-file returned a truncated blob {oid}")
        out.append(data[start : start + size])
        pos = start + size + 1
    return out


def read_blob(rev: str, path: str, root: Path) -> bytes | None:
    """The content of the file ``path`` in ``rev``, or None when that file is not there."""
    found = [e for e in list_tree(rev, root, [path]) if e.path == path and e.type == "blob"]
    return read_objects([found[0].oid], root)[0] if found else None


_ZERO = frozenset("0")


def file_history(path: str, root: Path) -> list[Commit]:
    """Commits that changed ``path`` (following renames), newest first, each with
    the file's path and blob id in that commit.

    Read with ``--raw -z``: every commit is a header of four NUL-separated
    fields (id, date, author, subject), then its raw diff entries, each a
    status record followed by one path (two for a rename or copy). Nothing in
    a subject or a file name can start a record of its own.
    """
    fmt = "%x1e%H%x00%cI%x00%an%x00%s"
    args = ["log", "--follow", "--raw", "--no-abbrev", "-z", f"--format={fmt}", "--", path]
    tokens = _git(args, root).stdout.split(b"\0")
    commits: list[Commit] = []
    i = 0
    while i < len(tokens):
        token = tokens[i].lstrip(b"\n")
        if not token:
            i += 1
            continue
        if not token.startswith(b"\x1e") or i + 3 >= len(tokens):
            raise GitError(f"git log gave output that cannot be read near {token[:80]!r}")
        sha = token[1:].decode("ascii", "replace")
        date = tokens[i + 1].decode("ascii", "replace")
        author = tokens[i + 2].decode("utf-8", "replace")
        subject = tokens[i + 3].decode("utf-8", "replace")
        if not _is_object_id(sha):
            raise GitError(f"git log gave a commit id that cannot be read: {sha[:80]!r}")
        i += 4
        file_path, blob = path, None
        while i < len(tokens) and tokens[i].lstrip(b"\n").startswith(b":"):
            fields = tokens[i].lstrip(b"\n")[1:].decode("ascii", "replace").split(" ")
            if len(fields) != 5 or not fields[4]:
                raise GitError(f"git log gave a raw diff entry that cannot be read: {tokens[i][:80]!r}")
            paths = 2 if fields[4][0] in "RC" else 1
            if i + paths >= len(tokens):
                raise GitError("git log output ended inside a raw diff entry")
            file_path = _name(tokens[i + paths])
            new = fields[3]
            blob = None if set(new) <= _ZERO or not _is_object_id(new) else new
            i += 1 + paths
        commits.append(Commit(sha, author, dt.date.fromisoformat(date[:10]), subject, file_path, blob))
    return commits


@dataclass(frozen=True)
class BlameLine:
    """Who last changed one line of a file: the commit, its author and e-mail, and
    its commit time. ``sha`` is None for a line not committed yet."""

    sha: str | None
    author: str
    email: str
    time: int
    boundary: bool = False
    """The commit is a root commit, or (in a shallow clone) the commit the
    history is cut off at, which git blames for every older line."""


def blame(path: str, root: Path, contents: bytes) -> list[BlameLine] | None:
    """The commit behind every line of ``contents``, the text of the repository
    file ``path`` as read (``git blame --contents -`` against HEAD), in line order.

    None when the file is not in HEAD (never committed) or HEAD does not exist.
    Read from ``--line-porcelain``: every line gets a header (commit id, line
    numbers) and its own key lines, and the file's line itself is the one that
    starts with a tab, so nothing in a name or a line can start a record.
    """
    done = _git(["blame", "--line-porcelain", "--contents", "-", "--", path], root, check=False, stdin=contents)
    if done.returncode != 0:
        return None
    lines: list[BlameLine] = []
    sha: str | None = None
    fields: dict[str, str] = {}
    for raw in done.stdout.split(b"\n"):
        if sha is None:
            if not raw:
                continue
            head = raw.decode("ascii", "replace").split(" ")
            if len(head) not in (3, 4) or not _is_object_id(head[0]):
                raise GitError(f"git blame gave output that cannot be read near {raw[:80]!r}")
            sha, fields = head[0], {}
        elif raw.startswith(b"\t"):
            email = fields.get("author-mail", "").strip()
            email = email[1:-1] if email.startswith("<") and email.endswith(">") else email
            time = fields.get("committer-time", "0")
            lines.append(
                BlameLine(
                    None if set(sha) <= _ZERO else sha,
                    fields.get("author", ""),
                    email,
                    int(time) if time.isdigit() else 0,
                    "boundary" in fields,
                )
            )
            sha = None
        else:
            key, _, value = raw.decode("utf-8", "replace").partition(" ")
            fields[key] = value
    return lines


def verify_commit(sha: str, root: Path) -> bool:
    """Whether commit ``sha`` carries a good signature (``git verify-commit``),
    by a key git is configured to trust (``gpg.ssh.allowedSignersFile`` for SSH
    signatures, the GnuPG keyring for OpenPGP ones)."""
    if not _is_object_id(sha):
        raise GitError(f"'{sha}' is not a commit id")
    return _git(["verify-commit", sha], root, check=False).returncode == 0


def newest_commit(shas: Sequence[str], root: Path) -> str:
    """Of several commits, one no other of them descends from (``git rev-list
    --topo-order``: children first), so the one that came last in history,
    whatever its clock said."""
    for sha in shas:
        if not _is_object_id(sha):
            raise GitError(f"'{sha}' is not a commit id")
    if len(set(shas)) == 1:
        return shas[0]
    done = _git(["rev-list", "--topo-order", "--max-count=1", *sorted(set(shas)), "--"], root)
    newest = done.stdout.decode("ascii", "replace").strip()
    if newest not in shas:
        raise GitError(f"git rev-list did not name one of the commits asked about: {newest[:80]!r}")
    return newest
