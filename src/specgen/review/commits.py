"""Each spec file's commits, kept in the build cache.

The history follows a spec file through ``git log --follow``: one git
process per file. :func:`file_commits` keeps each file's list under the
file's path and the repository's state (:func:`specgen.git.log_state`:
HEAD, the shallow cut-off and grafts, git's configuration and version), so
a build asks git again only when one of those moved. A kept list is checked
(object ids, dates) before it is used; anything else is read from git again.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from specgen import git
from specgen.spec.memo import Memo, derived_key

__all__ = ["file_commits", "restore_commits"]


def file_commits(rel: str, root: Path, memo: Memo | None = None, log_key: str | None = None) -> list[git.Commit]:
    """The commits that hold a version of the file, oldest first; kept in
    ``memo`` under the repository's ``log_key`` and the file's path."""
    key = None if memo is None or log_key is None else derived_key("git-log", rel, log_key)
    if key is not None:
        kept = restore_commits(memo.get(key))  # type: ignore[union-attr]
        if kept is not None:
            return kept
    commits = [c for c in reversed(git.file_history(rel, root)) if c.blob is not None]
    if key is not None:
        stored = [[c.sha, c.author, c.date.isoformat(), c.subject, c.path, c.blob, c.copied_from] for c in commits]
        try:
            json.dumps(stored, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError:  # a path git gave with bytes that are not UTF-8: not kept
            return commits
        memo.put(key, stored)  # type: ignore[union-attr]
    return commits


def restore_commits(value: Any) -> list[git.Commit] | None:
    """The commits stored by :func:`file_commits`; None for anything else (a
    damaged or foreign entry is read from git again, never trusted)."""
    if not isinstance(value, list):
        return None
    commits = []
    for item in value:
        if not (isinstance(item, list) and len(item) == 7 and all(isinstance(field, str) for field in item[:6])):
            return None
        sha, author, date, subject, path, blob, source = item
        if not (git.is_object_id(sha) and git.is_object_id(blob) and path):
            return None
        if source is not None and not (isinstance(source, str) and source and not commits):
            return None  # a copy's source is a path, and a copy is the file's first commit (oldest first)
        try:
            day = dt.date.fromisoformat(date)
        except ValueError:
            return None
        commits.append(git.Commit(sha, author, day, subject, path, blob, source))
    return commits
