"""What git says about a file's past: the commits that changed it (following
renames), who last changed each line, and whether a commit is signed."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from specgen.git.run import GitError, decode_name, is_object_id, run

__all__ = [
    "BlameLine",
    "Commit",
    "LogState",
    "StatePaths",
    "blame",
    "commit_signer",
    "file_history",
    "log_state",
    "newest_commit",
    "state_paths",
    "verify_commit",
]


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
    copied_from: str | None = None
    """The file this commit made the file as a copy of (the file's first commit)."""

    @property
    def short(self) -> str:
        return self.sha[:7]


@dataclass(frozen=True)
class LogState:
    """What a repository's file histories depend on, beside each file's path."""

    shallow: bool
    """The repository is a shallow clone (its history is cut off)."""
    key: str | None
    """A digest of everything that decides what :func:`file_history` answers for
    a path: the commit checked out, the shallow clone's cut-off and any grafts
    (both change the history without moving HEAD), git's configuration (rename
    detection, output encoding) and git's version. None before the first commit."""


def log_state(root: Path) -> LogState:
    """The :class:`LogState` of the repository at ``root``, in three git processes
    however many files' histories it stands for (replace refs are never read)."""
    paths = ["--git-path", "shallow", "--git-path", "info/grafts"]
    done = run(["rev-parse", "--is-shallow-repository", *paths, "--verify", "--quiet", "HEAD"], root, check=False)
    lines = done.stdout.decode("utf-8", "surrogateescape").splitlines()
    if done.returncode not in (0, 1) or len(lines) < 3:
        raise GitError("git rev-parse gave output that cannot be read")
    shallow = lines[0] == "true"
    head = lines[3] if done.returncode == 0 and len(lines) == 4 and is_object_id(lines[3]) else None
    try:
        cut_off = [_file_or_none(root / line) for line in lines[1:3]]
    except OSError:  # unreadable: nothing can be said to be the same as last time
        head = None
    if head is None:
        return LogState(shallow, None)
    hashed = hashlib.sha256()
    for part in [
        head.encode("ascii"),
        *cut_off,
        run(["config", "--list", "-z"], root, check=False).stdout,
        run(["version"], root).stdout,
    ]:
        hashed.update(len(part).to_bytes(8, "big") + part)
    return LogState(shallow, hashed.hexdigest())


@dataclass(frozen=True)
class StatePaths:
    """Where a repository keeps what :func:`log_state` reads, for a watcher."""

    folders: tuple[Path, ...]
    """The git folders (that of the work tree and, for a linked work tree, the
    common one): changes under them are git's own business (objects, the index
    an editor refreshes) unless they are one of the paths below."""
    files: tuple[Path, ...]
    """HEAD, the configuration, the packed refs, the shallow cut-off, the grafts."""
    refs: tuple[Path, ...]
    """The folders of the refs: the loose refs (a commit moves the branch's ref
    there) and, in a repository that keeps its refs in a reftable, its tables."""


_STATE_FILES = ("HEAD", "config", "packed-refs", "shallow", "info/grafts")
_REF_FOLDERS = ("refs", "reftable")


def state_paths(root: Path) -> StatePaths | None:
    """The :class:`StatePaths` of the repository at ``root``; None outside git."""
    asked = [part for name in (*_STATE_FILES, *_REF_FOLDERS) for part in ("--git-path", name)]
    try:
        done = run(["rev-parse", "--git-dir", "--git-common-dir", *asked], root, check=False)
    except GitError:
        return None
    lines = done.stdout.decode("utf-8", "surrogateescape").splitlines()
    if done.returncode != 0 or len(lines) != 2 + len(asked) // 2:
        return None
    paths = [(root / line).resolve() for line in lines]  # relative answers are relative to root
    files, refs = paths[2 : 2 + len(_STATE_FILES)], paths[2 + len(_STATE_FILES) :]
    return StatePaths(tuple(dict.fromkeys(paths[:2])), tuple(files), tuple(refs))


def _file_or_none(path: Path) -> bytes:
    """The bytes of ``path`` behind a NUL; a marker no file's bytes can be, when it is missing."""
    try:
        return b"\x00" + path.read_bytes()
    except FileNotFoundError:
        return b"missing"


_ZERO = frozenset("0")


def file_history(path: str, root: Path) -> list[Commit]:
    """Commits that changed ``path`` (following renames), newest first, each with
    the file's path and blob id in that commit.

    ``--follow`` also follows a file into the one it was copied from, whose
    commits are that file's, not this one's: the list ends at the copy.

    Read with ``--raw -z``: every commit is a header of four NUL-separated
    fields (id, date, author, subject), then its raw diff entries, each a
    status record followed by one path (two for a rename or copy). Nothing in
    a subject or a file name can start a record of its own.
    """
    fmt = "%x1e%H%x00%cI%x00%an%x00%s"
    args = ["log", "--follow", "--raw", "--no-abbrev", "-z", f"--format={fmt}", "--", path]
    tokens = run(args, root).stdout.split(b"\0")
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
        if not is_object_id(sha):
            raise GitError(f"git log gave a commit id that cannot be read: {sha[:80]!r}")
        i += 4
        file_path, blob, source = path, None, None
        while i < len(tokens) and tokens[i].lstrip(b"\n").startswith(b":"):
            fields = tokens[i].lstrip(b"\n")[1:].decode("ascii", "replace").split(" ")
            if len(fields) != 5 or not fields[4]:
                raise GitError(f"git log gave a raw diff entry that cannot be read: {tokens[i][:80]!r}")
            paths = 2 if fields[4][0] in "RC" else 1
            if i + paths >= len(tokens):
                raise GitError("git log output ended inside a raw diff entry")
            file_path = decode_name(tokens[i + paths])
            source = decode_name(tokens[i + 1]) if fields[4][0] == "C" else None
            new = fields[3]
            blob = None if set(new) <= _ZERO or not is_object_id(new) else new
            i += 1 + paths
        commits.append(Commit(sha, author, dt.date.fromisoformat(date[:10]), subject, file_path, blob, source))
        if source is not None:
            break
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
    done = run(["blame", "--line-porcelain", "--contents", "-", "--", path], root, check=False, stdin=contents)
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
            if len(head) not in (3, 4) or not is_object_id(head[0]):
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
    if not is_object_id(sha):
        raise GitError(f"'{sha}' is not a commit id")
    return run(["verify-commit", sha], root, check=False).returncode == 0


def commit_signer(sha: str, root: Path) -> str | None:
    """Who signed commit ``sha``, when ``git verify-commit`` finds its signature
    good: the signer git names (``%GS``: the principal an SSH key is listed
    under in ``gpg.ssh.allowedSignersFile``, the user id of an OpenPGP key).
    None for a commit without a good signature, or whose signer has no name.
    A good signature says the key is trusted, not whose it is: the caller
    compares the signer with the person the commit speaks for."""
    if not verify_commit(sha, root):
        return None
    done = run(["log", "-1", "--format=%GS", sha, "--"], root)
    signer = done.stdout.decode("utf-8", "replace").strip()
    return signer or None


def newest_commit(shas: Sequence[str], root: Path) -> str:
    """Of several commits, one no other of them descends from (``git rev-list
    --topo-order``: children first), so the one that came last in history,
    whatever its clock said."""
    for sha in shas:
        if not is_object_id(sha):
            raise GitError(f"'{sha}' is not a commit id")
    if len(set(shas)) == 1:
        return shas[0]
    done = run(["rev-list", "--topo-order", "--max-count=1", *sorted(set(shas)), "--"], root)
    newest = done.stdout.decode("ascii", "replace").strip()
    if newest not in shas:
        raise GitError(f"git rev-list did not name one of the commits asked about: {newest[:80]!r}")
    return newest
