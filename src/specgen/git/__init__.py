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

from specgen.git.log import (
    BlameLine,
    Commit,
    LogState,
    StatePaths,
    blame,
    commit_signer,
    file_history,
    log_state,
    newest_commit,
    state_paths,
    verify_commit,
)
from specgen.git.objects import TreeEntry, list_files, list_tree, read_blob, read_objects
from specgen.git.run import (
    GitError,
    RevisionError,
    head_commit,
    is_object_id,
    is_revision,
    is_shallow,
    relative_to_root,
    repo_root,
    resolve_revision,
)

__all__ = [
    "BlameLine",
    "Commit",
    "GitError",
    "LogState",
    "RevisionError",
    "StatePaths",
    "TreeEntry",
    "blame",
    "commit_signer",
    "file_history",
    "head_commit",
    "is_object_id",
    "is_revision",
    "is_shallow",
    "list_files",
    "list_tree",
    "log_state",
    "newest_commit",
    "read_blob",
    "read_objects",
    "relative_to_root",
    "repo_root",
    "resolve_revision",
    "state_paths",
    "verify_commit",
]
