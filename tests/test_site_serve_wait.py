"""How the preview waits between seeing a change and building it.

The watcher looks at the files every :data:`~specgen.site.serve.POLL_SECONDS`
and hands over all the changes one look found at once. The preview waits
:data:`~specgen.site.serve.BUILD_DELAY_SECONDS` for more before it builds:
long enough that the changes of one look (an editor's save of several files)
make one build, and shorter than a poll, since a wait that long joins
nothing more and only delays every save.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

from specgen import load_portfolio
from specgen.site.serve import BUILD_DELAY_SECONDS, POLL_SECONDS, Preview


def _notify(preview: Preview) -> None:
    """What the watcher does for each change it found (mkdocs' handler)."""
    server = preview.server
    with server._rebuild_cond:
        server._want_rebuild = True
        server._rebuild_cond.notify_all()


def _builds_after(preview: Preview, builds: list[str], count: int, seconds: float = 30.0) -> bool:
    deadline = time.monotonic() + seconds
    while len(builds) < count and time.monotonic() < deadline:
        time.sleep(0.01)
    return len(builds) >= count


def test_the_changes_of_one_look_make_one_build_and_the_next_look_another(example_tree: Path, monkeypatch) -> None:
    monkeypatch.chdir(example_tree)
    builds: list[str] = []

    def load(memo=None):
        return load_portfolio([Path("specs")], project_file=Path("specgen.yml"), memo=memo), None

    def built(outcome) -> None:
        builds.append("ok" if outcome.ok else "failed")

    preview = Preview(load, watch=[Path("specs")], port=0, on_build=built)  # nothing under it changes
    thread = threading.Thread(target=preview.run, daemon=True)
    try:
        preview.build()
        thread.start()
        assert builds == ["ok"]
        for _ in range(5):  # one look found five files changed: handed over back to back
            _notify(preview)
        assert _builds_after(preview, builds, 2)
        time.sleep(POLL_SECONDS)  # as long as the next look takes to come
        assert builds == ["ok", "ok"], "the changes of one look were built more than once"
        _notify(preview)  # the next look's change
        assert _builds_after(preview, builds, 3)
    finally:
        preview.shutdown()
        thread.join(timeout=10)
    assert builds == ["ok", "ok", "ok"]


def test_the_preview_waits_less_than_a_look(example_tree: Path) -> None:
    preview = Preview(lambda memo=None: (None, None), watch=[example_tree / "specs"], port=0)  # never built
    try:
        assert preview.server.build_delay == BUILD_DELAY_SECONDS
        assert 0 < BUILD_DELAY_SECONDS < POLL_SECONDS / 5
    finally:
        preview.shutdown()
