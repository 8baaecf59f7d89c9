"""What the live preview watches, and which changes it takes for changes.

The preview (:mod:`specgen.site.serve`) polls the spec folders, the
templates and the project file, and the state of the git repositories the
specs are in, for the history pages come from git. Three rules decide what
counts:

- hidden folders and files are not looked at (:func:`visible_entries`): no
  build reads them (the loader leaves them out), and walking a ``.venv`` or
  ``.git`` four times a second kept a processor busy;
- the build cache's own writes are no change, even where the cache sits in a
  watched folder (:func:`watch_filter`);
- in a git repository only what :func:`specgen.git.log_state` reads is a
  change (HEAD, the refs, the configuration, the shallow cut-off): a commit
  or a checkout rebuilds the history pages, an editor refreshing the index
  does not (:func:`repository_states`, :func:`state_watches`).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from specgen import git

__all__ = ["repository_states", "state_watches", "unignored", "visible_entries", "watch_filter"]


def visible_entries(folder: str | None) -> list[os.DirEntry[str]]:
    """The entries of ``folder`` the watcher looks at: not hidden ones, which
    no build reads (the loader leaves hidden folders and files out). Polling
    walks every watched folder four times a second; with ``specgen serve .``
    that was also ``.git`` and a ``.venv`` (50,000 files, 0.6 s a walk)."""
    with os.scandir(folder) as entries:
        return [entry for entry in entries if not entry.name.startswith(".")]


def repository_states(repositories: Iterable[Path]) -> list[git.StatePaths]:
    """Where each of the git ``repositories`` keeps its state (none outside git)."""
    return [state for root in repositories if (state := git.state_paths(root)) is not None]


def watch_filter(cache: Path | None, states: Sequence[git.StatePaths]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The folders whose changes are no change (the build ``cache``, git's own
    folders) and, inside them, the paths whose changes are (git's state)."""
    ignored = [str(Path(cache).resolve())] if cache is not None else []
    ignored += [str(folder) for state in states for folder in state.folders]
    kept = [str(path) for state in states for path in (*state.files, *state.refs)]
    return tuple(ignored), tuple(kept)


def state_watches(states: Sequence[git.StatePaths], watched: Sequence[Path]) -> list[tuple[Path, bool]]:
    """The folders to watch for git's state, beside the ``watched`` ones, and
    whether recursively: the folders holding the state files (their other
    entries are filtered out) and the ref folders that exist."""
    files = sorted({path.parent for state in states for path in state.files} - set(watched))
    refs = sorted({folder for state in states for folder in state.refs})
    return [(folder, False) for folder in files if folder.is_dir()] + [
        (folder, True) for folder in refs if folder.is_dir()
    ]


def unignored(handler: Any, ignored: tuple[str, ...], kept: tuple[str, ...] = ()) -> Any:
    """``handler``, passed only the events about a path outside the ``ignored``
    folders, or at or under one of the ``kept`` paths."""
    from watchdog.events import FileSystemEventHandler

    def under(where: str, folder: str) -> bool:
        return where == folder or where.startswith(folder + os.sep)

    def counts(path: str | bytes) -> bool:
        where = os.path.abspath(os.fsdecode(path))
        return any(under(where, keep) for keep in kept) or not any(under(where, folder) for folder in ignored)

    class Unignored(FileSystemEventHandler):  # type: ignore[misc]
        def dispatch(self, event: Any) -> None:
            paths = [event.src_path, getattr(event, "dest_path", "")]
            if any(counts(path) for path in paths if path):
                handler.dispatch(event)

    return Unignored()
