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

Polling sees a save up to a poll later. On Linux the preview also asks the
system to tell it of a change at once (inotify, :class:`HearingObserver`);
the poll stays, for the folders inotify cannot follow (a network mount,
a folder with too many subfolders to watch), and a change the system
already told of is not built a second time when the poll finds it.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from specgen import git

__all__ = [
    "HEARD_FOLDER_LIMIT",
    "HearingObserver",
    "observer",
    "repository_states",
    "state_watches",
    "unignored",
    "visible_entries",
    "watch_filter",
]

_log = logging.getLogger(__name__)

HEARD_FOLDER_LIMIT = 1024
"""A watched path with more folders than this (hidden ones too: inotify
watches every folder, each a kilobyte of the kernel's memory from a
per-user allowance, 8,192 watches on older systems) is only polled. A
git repository's ``.git`` has about 300; a ``.venv`` has thousands."""


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


Signature = tuple[int, int, int, int] | None
"""What a file is now: inode, size, modification and change times (None: no file)."""


def _signature(path: str) -> Signature:
    try:
        found = os.stat(path)
    except OSError:
        return None
    return found.st_ino, found.st_size, found.st_mtime_ns, found.st_ctime_ns


def _few_folders(path: str, limit: int) -> bool:
    """Whether ``path`` is a file, or a folder with at most ``limit`` folders in it."""
    if not os.path.isdir(path):
        return True
    count = 0
    for _, folders, _ in os.walk(path):
        count += len(folders)
        if count > limit:
            return False
    return True


class _Heard:
    """The files the system told of, as they were when it did: a poll that
    finds one of them still so found a change already handed over."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._files: dict[str, Signature] = {}

    def told(self, paths: Sequence[str]) -> None:
        with self._lock:
            for path in paths:
                self._files[path] = _signature(path)

    def known(self, paths: Sequence[str]) -> bool:
        with self._lock:
            return all(path in self._files and self._files[path] == _signature(path) for path in paths)


def _hidden(path: str, root: str) -> bool:
    """Whether ``path`` is hidden below ``root``, or in a hidden folder there."""
    inside = os.path.relpath(os.path.abspath(path), root)
    return any(part.startswith(".") and part not in (".", "..") for part in inside.split(os.sep))


def _event_paths(event: Any) -> list[str]:
    return [os.fsdecode(path) for path in (event.src_path, getattr(event, "dest_path", "")) if path]


class HearingObserver:
    """A polling observer (as mkdocs watches), and beside it, where the
    system can tell of a change at once (inotify on Linux), an observer that
    it tells: a save is built at once instead of at the next poll.

    Only writes count (a file created, written, closed after writing, moved
    or deleted): the build reading the specs is no change. A path with more
    than ``folder_limit`` folders, and every path when the system refuses
    (no inotify, its limits reached), is only polled, as before. A change
    the system told of is handed over again by the poll only if the file
    changed since (its inode, size or times): the poll that finds it is
    usually a quarter of a second behind, and would build it twice. (A
    change only the poll sees, made elsewhere on a network mount, is taken
    for the one told of if it leaves the same inode, size and times: on a
    file system that keeps whole seconds, a same-size change in the same
    second.)"""

    def __init__(self, poller: Any, *, folder_limit: int = HEARD_FOLDER_LIMIT) -> None:
        self.poller = poller
        self.timeout = poller.timeout
        self.folder_limit = folder_limit
        self.listener: Any = _inotify_observer()
        """The observer the system tells (None where there is none)."""
        self._heard = _Heard()
        self._pairs: dict[Any, Any] = {}
        self._listening = False

    @property
    def hearing(self) -> bool:
        """Whether the system tells this observer of changes at all."""
        return self.listener is not None and bool(self._pairs)

    def schedule(self, handler: Any, path: str, *, recursive: bool = False, **options: Any) -> Any:
        from watchdog.events import FileSystemEventHandler

        heard = self._heard

        class Polled(FileSystemEventHandler):  # type: ignore[misc]
            def dispatch(self, event: Any) -> None:
                if event.is_directory or not heard.known(_event_paths(event)):
                    handler.dispatch(event)

        root = os.path.abspath(path)

        class Told(FileSystemEventHandler):  # type: ignore[misc]
            def dispatch(self, event: Any) -> None:
                paths = _event_paths(event)
                if event.is_directory or all(_hidden(found, root) for found in paths):
                    return  # as the poll: no build reads a hidden file (see visible_entries)
                heard.told(paths)
                handler.dispatch(event)

        watch = self.poller.schedule(Polled(), path, recursive=recursive, **options)
        if self.listener is not None and (not recursive or _few_folders(path, self.folder_limit)):
            try:
                self._pairs[watch] = self.listener.schedule(
                    Told(), path, recursive=recursive, event_filter=_written_events()
                )
            except OSError as exc:  # the system's limits: this path is polled only
                _log.debug("not told of changes under %s: %s", path, exc)
        return watch

    def unschedule(self, watch: Any) -> None:
        self.poller.unschedule(watch)
        told = self._pairs.pop(watch, None)
        if told is not None and self.listener is not None:
            self.listener.unschedule(told)

    def start(self) -> None:
        self.poller.start()
        if self.listener is not None and self._pairs:
            try:
                self.listener.start()
                self._listening = True
            except OSError as exc:  # the system's limits, met by a folder's watches
                _log.debug("not told of changes: %s", exc)
                self._let_go()

    def stop(self) -> None:
        self.poller.stop()
        if self.listener is not None:
            self.listener.stop()  # also when never started: its reader began with the first watch

    def join(self, timeout: float | None = None) -> None:
        self.poller.join(timeout)
        if self.listener is not None and self._listening:
            self.listener.join(timeout)

    def _let_go(self) -> None:
        listener, self.listener, self._pairs = self.listener, None, {}
        if listener is not None:
            listener.stop()

    def is_alive(self) -> bool:
        return bool(self.poller.is_alive())


def observer(interval: float) -> HearingObserver:
    """What the preview watches with: a poll every ``interval`` seconds that
    skips hidden entries (:func:`visible_entries`), and the system's word
    where it gives one (:class:`HearingObserver`)."""
    from watchdog.observers.polling import PollingObserverVFS

    return HearingObserver(PollingObserverVFS(os.stat, visible_entries, polling_interval=interval))


def _inotify_observer() -> Any:
    """An observer the system tells of changes (inotify), where there is one."""
    try:
        from watchdog.observers.inotify import InotifyObserver
    except (ImportError, OSError):  # not Linux
        return None
    return InotifyObserver()


def _written_events() -> list[type]:
    """The events that are a change of a file's content or place (not a read)."""
    from watchdog.events import FileClosedEvent, FileCreatedEvent, FileDeletedEvent, FileModifiedEvent, FileMovedEvent

    return [FileClosedEvent, FileCreatedEvent, FileDeletedEvent, FileModifiedEvent, FileMovedEvent]
