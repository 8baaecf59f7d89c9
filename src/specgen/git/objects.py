"""The files of a revision and their contents, read by object id."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from specgen.git.run import GitError, RevisionError, decode_name, is_object_id, run

__all__ = ["TreeEntry", "list_files", "list_tree", "read_blob", "read_objects"]


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
    done = run(["ls-tree", "-r", "-z", "--long", "--full-tree", rev, "--", *prefixes], root)
    entries = []
    for record in done.stdout.split(b"\0"):
        if not record:
            continue
        meta, tab, path = record.partition(b"\t")
        fields = meta.decode("ascii", "replace").split()  # the size is padded with spaces
        if not tab or len(fields) != 4 or not is_object_id(fields[2]) or not (fields[3].isdigit() or fields[3] == "-"):
            raise GitError(f"git ls-tree gave an entry that cannot be read: {record[:80]!r}")
        size = int(fields[3]) if fields[3].isdigit() else None
        entries.append(TreeEntry(decode_name(path), fields[0], fields[1], fields[2], size))
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
        if not is_object_id(oid):
            raise GitError(f"'{oid}' is not an object id")
    done = run(["cat-file", "--batch"], root, stdin="".join(f"{oid}\n" for oid in oids).encode("ascii"))
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
