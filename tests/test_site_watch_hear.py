"""The preview hears of a save at once where the system tells (inotify),
and the poll that finds the same change later does not hand it over again
(:class:`specgen.site.watch.HearingObserver`)."""

from __future__ import annotations

import contextlib
import importlib
import os
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from watchdog.events import FileSystemEventHandler
from watchdog.observers.polling import PollingObserverVFS

from specgen import load_portfolio
from specgen.site.serve import Preview
from specgen.site.watch import HearingObserver, visible_entries

serve_module = importlib.import_module("specgen.site.serve")  # the module, not the function the package exports

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="inotify is Linux's")


class _Record(FileSystemEventHandler):  # type: ignore[misc]
    """Every file event handed over, and whether the poll handed it over."""

    def __init__(self, polling: threading.local) -> None:
        self.events: list[tuple[str, str, bool]] = []
        self.named: list[set[str]] = []  # the paths each event names (a move: two)
        self._polling = polling
        self._lock = threading.Lock()

    def dispatch(self, event: Any) -> None:
        if event.is_directory:
            return
        found = (type(event).__name__, os.fsdecode(event.src_path), bool(getattr(self._polling, "on", False)))
        with self._lock:
            self.events.append(found)
            self.named.append({os.fsdecode(p) for p in (event.src_path, getattr(event, "dest_path", "")) if p})

    def files(self) -> list[tuple[str, str, bool]]:
        with self._lock:
            return list(self.events)


class _Poller(PollingObserverVFS):  # type: ignore[misc]
    """A poll that counts the file changes it found, handed over or not."""

    def __init__(self, interval: float) -> None:
        super().__init__(os.stat, visible_entries, polling_interval=interval)
        self.polling = threading.local()
        self.found: list[str] = []

    def schedule(self, handler: Any, path: str, **options: Any) -> Any:
        poller = self

        class Found(FileSystemEventHandler):  # type: ignore[misc]
            def dispatch(self, event: Any) -> None:
                if not event.is_directory:
                    poller.found.append(os.fsdecode(event.src_path))
                poller.polling.on = True
                try:
                    handler.dispatch(event)
                finally:
                    poller.polling.on = False

        return super().schedule(Found(), path, **options)


def _within(seconds: float, ready: Any) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if ready():
            return True
        time.sleep(0.005)
    return bool(ready())


def _observe(folder: Path, interval: float, **options: Any) -> tuple[HearingObserver, _Poller, _Record]:
    poller = _Poller(interval)
    observer = HearingObserver(poller, **options)
    record = _Record(poller.polling)
    observer.schedule(record, str(folder), recursive=True)
    observer.start()
    return observer, poller, record


def _stop(observer: HearingObserver) -> None:
    observer.stop()
    observer.join(10)


def test_a_save_is_heard_before_the_poll_and_a_read_is_no_change(tmp_path: Path) -> None:
    spec = tmp_path / "specs" / "a.yml"
    spec.parent.mkdir()
    spec.write_text("id: a\n", encoding="utf-8")
    observer, _, record = _observe(spec.parent, interval=60.0)  # no poll while the test runs
    try:
        assert observer.hearing
        spec.read_text(encoding="utf-8")  # what every build does: not a change
        time.sleep(0.3)
        assert record.files() == []
        spec.write_text("id: b\n", encoding="utf-8")
        assert _within(5.0, lambda: any(path == str(spec) for _, path, _ in record.files())), record.files()
    finally:
        _stop(observer)


def test_hidden_files_are_not_heard(tmp_path: Path) -> None:
    folder = tmp_path / "specs"
    (folder / ".venv").mkdir(parents=True)
    observer, _, record = _observe(folder, interval=60.0)
    try:
        (folder / ".venv" / "module.py").write_text("x = 1\n", encoding="utf-8")
        (folder / ".a.yml.swp").write_text("x", encoding="utf-8")
        (folder / "seen.yml").write_text("id: a\n", encoding="utf-8")  # heard after the others
        assert _within(5.0, lambda: record.files())
        time.sleep(0.2)
        assert {path for _, path, _ in record.files()} == {str(folder / "seen.yml")}
    finally:
        _stop(observer)


def _polled_after_told(start: int, record: _Record) -> list[tuple[str, str, bool]]:
    """The events from the ``start``-th on that the poll handed over about a
    file after the system's last word on it. (A poll that looks before that
    word arrives, or between two of its words on one save, finds the file
    as the system has not told of it yet, and rightly hands it over.)"""
    events = record.files()
    named = record.named[start : len(events)]
    last_told: dict[str, int] = {}
    for index, (event, paths) in enumerate(zip(events[start:], named, strict=True)):
        if not event[2]:
            last_told.update(dict.fromkeys(paths, index))
    return [
        event
        for index, (event, paths) in enumerate(zip(events[start:], named, strict=True))
        if event[2] and any(index > last_told.get(path, len(events)) for path in paths)
    ]


def test_the_poll_does_not_hand_over_what_was_heard(tmp_path: Path) -> None:
    spec = tmp_path / "specs" / "a.yml"
    spec.parent.mkdir()
    spec.write_text("id: a\n", encoding="utf-8")
    observer, poller, record = _observe(spec.parent, interval=0.1)
    try:
        time.sleep(0.3)  # the poll's first look is taken
        spec.write_text("id: b\n", encoding="utf-8")
        assert _within(5.0, lambda: str(spec) in poller.found), "the poll never found the change"
        time.sleep(0.3)
        written = record.files()
        assert any(not polled for _, _, polled in written), written
        assert _polled_after_told(0, record) == [], written
        spec.unlink()  # a deletion too
        assert _within(5.0, lambda: poller.found.count(str(spec)) >= 2), "the poll never found the deletion"
        time.sleep(0.3)
        deleted = record.files()[len(written) :]
        assert "FileDeletedEvent" in [name for name, _, _ in deleted], deleted
        assert _polled_after_told(len(written), record) == [], deleted
    finally:
        _stop(observer)


def test_an_editor_saving_through_a_new_file_is_heard_once(tmp_path: Path) -> None:
    """Many editors write a new file beside the spec and move it over the
    spec: the system tells of the move; the poll then finds a new file
    under the spec's name, as the system told of it, and hands nothing over."""
    spec = tmp_path / "specs" / "a.yml"
    spec.parent.mkdir()
    spec.write_text("id: a\n", encoding="utf-8")
    observer, poller, record = _observe(spec.parent, interval=0.1)
    try:
        time.sleep(0.3)
        swap = spec.parent / "a.yml.new"
        swap.write_text("id: b\n", encoding="utf-8")
        os.replace(swap, spec)
        assert _within(5.0, lambda: str(spec) in poller.found), "the poll never found the change"
        time.sleep(0.3)
        events = record.files()
        assert ("FileMovedEvent", str(swap), False) in events, events
        assert _polled_after_told(0, record) == [], events
    finally:
        _stop(observer)


def test_a_folder_with_too_many_folders_is_polled_and_the_poll_hands_its_changes_over(tmp_path: Path) -> None:
    spec = tmp_path / "specs" / "a.yml"
    (spec.parent / "sub").mkdir(parents=True)
    spec.write_text("id: a\n", encoding="utf-8")
    observer, _, record = _observe(spec.parent, interval=0.1, folder_limit=0)
    try:
        assert not observer.hearing
        time.sleep(0.3)
        spec.write_text("id: b\n", encoding="utf-8")
        assert _within(5.0, lambda: record.files()), "the poll did not hand the change over"
        assert all(polled for _, _, polled in record.files()), record.files()
    finally:
        _stop(observer)


@contextlib.contextmanager
def _running_preview(tree: Path, monkeypatch, poll: float) -> Iterator[tuple[list[bool], Path]]:
    """A preview of ``tree``'s specs, built once and running, polling every
    ``poll`` seconds: the outcome of each of its builds, and a spec to save."""
    monkeypatch.chdir(tree)
    monkeypatch.setattr(serve_module, "POLL_SECONDS", poll)
    builds: list[bool] = []

    def load(memo=None):
        return load_portfolio([Path("specs")], project_file=Path("specgen.yml"), memo=memo), None

    preview = Preview(load, watch=[Path("specs")], port=0, on_build=lambda outcome: builds.append(outcome.ok))
    thread = threading.Thread(target=preview.run, daemon=True)
    try:
        preview.build()
        thread.start()
        yield builds, sorted(Path("specs").glob("*.yml"))[0]
    finally:
        preview.shutdown()
        thread.join(timeout=10)


def _save(spec: Path, words: str) -> None:
    spec.write_text(spec.read_text(encoding="utf-8").replace("summary: ", f"summary: {words} ", 1), encoding="utf-8")


def test_the_preview_builds_a_save_long_before_its_next_poll(example_tree: Path, monkeypatch) -> None:
    with _running_preview(example_tree, monkeypatch, poll=60.0) as (builds, spec):
        _save(spec, "Heard.")
        assert _within(30.0, lambda: len(builds) >= 2), "the save was not built before the poll"
        assert builds == [True, True]


def test_one_save_makes_one_build_though_the_poll_finds_it_too(example_tree: Path, monkeypatch) -> None:
    with _running_preview(example_tree, monkeypatch, poll=0.05) as (builds, spec):
        time.sleep(0.3)  # the poll's first look is taken
        _save(spec, "Once.")
        assert _within(30.0, lambda: len(builds) >= 2)
        time.sleep(1.0)  # twenty polls
        assert builds == [True, True], "the poll built the save again"
