"""`specgen serve`: a port in use is an error before anything claims to serve,
build errors reach the browser (escaped), and the Host header is checked.

The preview runs as a real `specgen serve` subprocess on a free port and is
asked over real HTTP.
"""

from __future__ import annotations

import http.client
import os
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.paths import REPO

SPEC = "specs/credit-decision-assistant.yml"
HOSTILE_STAGE = '"<script>alert(1)</script>"'
WAIT = 180.0
"""How long to wait for the preview to start or rebuild (a limit, not a measurement)."""


def _set_stage(tree: Path, stage: str) -> None:
    path = tree / SPEC
    text = path.read_text(encoding="utf-8")
    path.write_text(re.sub(r"(?m)^stage: .*$", f"stage: {stage}", text), encoding="utf-8")


class Server:
    """A `specgen serve` subprocess and its stderr, read line by line."""

    def __init__(self, tree: Path, *args: str) -> None:
        env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
        self.process = subprocess.Popen(
            [sys.executable, "-c", "from specgen.cli import main; main()", "serve", "--port", "0", *args],
            cwd=tree,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()
        line = self.wait_for("serving the handover site on ")
        found = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
        assert found, line
        self.port = int(found.group(1))

    def _read(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self.lines.put(line)

    def wait_for(self, text: str) -> str:
        deadline = time.monotonic() + WAIT
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=1)
            except queue.Empty:
                assert self.process.poll() is None, "".join(self.seen)
                continue
            self.seen.append(line)
            if text in line:
                return line
        raise AssertionError(f"no line with {text!r} in:\n{''.join(self.seen)}")

    def get(self, path: str = "/", host: str | None = None) -> tuple[int, str]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            connection.putrequest("GET", path, skip_host=True)
            connection.putheader("Host", host if host is not None else f"127.0.0.1:{self.port}")
            connection.endheaders()
            response = connection.getresponse()
            return response.status, response.read().decode("utf-8", "replace")
        finally:
            connection.close()

    def stop(self) -> None:
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


@pytest.fixture
def start(example_tree: Path) -> Iterator[Callable[..., Server]]:
    started: list[Server] = []

    def _start(*args: str) -> Server:
        server = Server(example_tree, *args)
        started.append(server)
        return server

    yield _start
    for server in started:
        server.stop()


def _assert_escaped(page: str) -> None:
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_a_port_in_use_is_an_error_before_serving(example_tree: Path, run: Callable[..., Any]) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run("serve", "--port", str(port), cwd=example_tree)
    assert result.exit_code == 2, result.output
    assert f"cannot serve on 127.0.0.1:{port}" in result.output
    assert "serving" not in result.output
    assert "built" not in result.output  # nothing was built for a preview that cannot be served


def test_build_errors_are_shown_in_the_browser_escaped(example_tree: Path, start: Callable[..., Server]) -> None:
    _set_stage(example_tree, HOSTILE_STAGE)
    server = start()
    assert any("no site yet" in line for line in server.seen), server.seen
    assert not any("last good site" in line for line in server.seen)
    status, page = server.get("/")
    assert status == 500
    assert "The site could not be built." in page
    assert "credit-decision-assistant.yml:9:8" in page
    _assert_escaped(page)

    _set_stage(example_tree, "system_of_record")
    server.wait_for("built ")
    status, page = server.get("/")
    assert status == 200
    assert "specgen-build-errors" not in page

    _set_stage(example_tree, HOSTILE_STAGE)
    server.wait_for("still serving the last good site")
    status, page = server.get("/")
    assert status == 200  # the last good site, with the problems over it
    assert 'id="specgen-build-errors"' in page
    assert "this is the last good site" in page
    _assert_escaped(page)


HOSTS = [
    ("127.0.0.1:{port}", True),
    ("localhost:{port}", True),
    ("LOCALHOST:{port}", True),
    ("evil.example:{port}", False),
    ("evil.example", False),
    ("127.0.0.1:1", False),
    ("localhost", False),
    ("", False),
    ("127.0.0.1:{port}@evil.example", False),
    ("[::1]:{port}x", False),
]


def test_the_host_header_must_name_the_preview(start: Callable[..., Server]) -> None:
    """A page whose DNS name is rebound to 127.0.0.1 sends its own name as Host: refused."""
    server = start()
    answers = {}
    for host, _ in HOSTS:
        status, body = server.get("/", host=host.format(port=server.port))
        answers[host] = status
        assert status != 421 or "Misdirected" in body
    assert answers == {host: 200 if allowed else 421 for host, allowed in HOSTS}
    assert server.get("/livereload/1/1", host=f"evil.example:{server.port}")[0] == 421


@pytest.mark.parametrize(
    ("header", "bound", "allowed"),
    [
        ("192.168.1.5:8000", "0.0.0.0", True),
        ("[fe80::1]:8000", "::", True),
        ("evil.example:8000", "0.0.0.0", False),
        ("192.168.1.5:8000", "127.0.0.1", False),
        ("docs.internal:8000", "docs.internal", True),
        ("[::1]:8000", "::1", True),
        ("example.com:80", "127.0.0.1", False),
    ],
)
def test_allowed_hosts_for_other_bindings(header: str, bound: str, allowed: bool) -> None:
    from specgen.site.serve import allowed_host

    assert allowed_host(header, bound, 8000) is allowed


def _lines_within(server: Server, seconds: float) -> list[str]:
    """What the preview says in the next ``seconds``."""
    said, deadline = [], time.monotonic() + seconds
    while (left := deadline - time.monotonic()) > 0:
        try:
            said.append(server.lines.get(timeout=left))
        except queue.Empty:
            break
    server.seen.extend(said)
    return said


@pytest.mark.parametrize("watched", ["specs", "."], ids=["specs folder", "whole work tree"])
def test_a_commit_rebuilds_the_history_but_gits_own_writes_do_not(tmp_path: Path, watched: str) -> None:
    """Committing a saved spec changes no spec file, but the history page now
    shows the version: the preview watches the repository's HEAD, refs and
    settings. git's other writes (an editor refreshing the index, new objects)
    are not changes, even with the whole work tree watched."""
    from tests.review_helpers import GitRepo, credit

    repo = GitRepo(tmp_path / "repo")
    data = credit()
    repo.write(data)
    repo.commit("First version")
    server = Server(repo.root, watched)  # started: the first build is done
    try:
        history = "/workflows/credit-decision-assistant/history.html"
        assert "2.9.0" not in server.get(history)[1]
        data["version"] = "2.9.0"
        repo.write(data)
        server.wait_for("built ")
        assert "2.9.0" not in server.get(history)[1], "saved, not yet a version"
        repo.commit("Version 2.9.0 for the <b>review</b>")
        server.wait_for("built ")
        page = server.get(history)[1]
        assert "2.9.0" in page and "Version 2.9.0 for the &#60;b&#62;review" in page and "<b>review" not in page
        _lines_within(server, 1.0)  # a commit seen half-made (a ref's lock file first) may build twice
        index = repo.root / ".git" / "index"
        os.utime(index, ns=(index.stat().st_atime_ns, index.stat().st_mtime_ns + 10**9))
        blob = tmp_path / "blob.txt"
        blob.write_text("a new object, as git writes them\n", encoding="utf-8")
        repo.git("hash-object", "-w", str(blob))
        said = _lines_within(server, 2.0)
        assert not [line for line in said if "built " in line], said
        repo.git("checkout", "-q", "-b", "other", "HEAD~1")
        server.wait_for("built ")
        assert "2.9.0" not in server.get(history)[1], "another branch, another history"
    finally:
        server.stop()


def test_hidden_folders_are_not_watched(example_tree: Path, start: Callable[..., Server]) -> None:
    """No build reads a hidden folder (the loader leaves them out), so the
    preview does not walk one: ``specgen serve .`` beside a ``.venv`` of
    50,000 files walked them four times a second."""
    venv = example_tree / ".venv" / "lib"
    venv.mkdir(parents=True)
    (venv / "module.py").write_text("x = 1\n", encoding="utf-8")
    server = start(".")  # started: the first build is done
    (venv / "module.py").write_text("x = 2\n", encoding="utf-8")
    (venv / "new.py").write_text("y = 1\n", encoding="utf-8")
    said = _lines_within(server, 2.0)
    assert not [line for line in said if "built " in line], said
    _set_stage(example_tree, "limited_rollout")
    server.wait_for("built ")


def test_a_preview_started_after_a_build_says_it_rebuilt_nothing_and_the_next_build_too(
    example_tree: Path, run: Callable[..., Any], start: Callable[..., Server]
) -> None:
    built = run("build", "specs", "-o", "site", cwd=example_tree)
    assert built.exit_code == 0, built.output
    pages = int(re.search(r"(\d+) pages for", built.output).group(1))
    server = start("specs")  # started once its first build is done: it says so before it serves
    assert any(f"built {pages} pages in" in line and f"; 0 of {pages} pages rebuilt" in line for line in server.seen), (
        server.seen
    )
    status, page = server.get("/index.html")
    assert status == 200 and "<html" in page
    server.stop()
    again = run("build", "specs", "-o", "site", cwd=example_tree)  # the preview left the build's record in place
    assert again.exit_code == 0 and f"0 of {pages} pages rebuilt" in again.output, again.output
