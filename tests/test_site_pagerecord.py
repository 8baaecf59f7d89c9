"""The search index written from page records: ``search_index.js`` copied from the JSON."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from specgen.site import pagerecord
from specgen.site.pagerecord import PageRecord

LEAD = b"var __index = "


def _source(tmp_path: Path, size: int) -> Path:
    source = tmp_path / "search_index.json"
    source.write_bytes(bytes((i * 7 + i // 251) % 256 for i in range(size)))
    return source


def _partial_then(error: int | None):
    """A copy_file_range that copies a first piece, then fails with ``error`` (None: copies nothing more)."""
    real = os.copy_file_range
    calls = []

    def copy(src: int, dst: int, count: int, offset_src: int | None = None, offset_dst: int | None = None) -> int:
        calls.append(count)
        if len(calls) == 1:
            return real(src, dst, min(count, 1000), offset_src)
        if error is None:
            return 0
        raise OSError(error, os.strerror(error))

    return copy


@pytest.mark.parametrize(
    "system",
    ["copies", "has no copy_file_range", "refuses at once", "stops part way", "fails part way"],
)
@pytest.mark.parametrize("size", [0, 1, 70_000])
def test_the_script_is_the_lead_then_the_json_however_the_system_copies(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, system: str, size: int
) -> None:
    source = _source(tmp_path, size)
    if system == "has no copy_file_range":
        monkeypatch.delattr(os, "copy_file_range", raising=False)
    elif system == "refuses at once":

        def refuse(*args: object) -> int:
            raise OSError(errno.EXDEV, "cross-device")

        monkeypatch.setattr(os, "copy_file_range", refuse)
    elif system == "stops part way":
        monkeypatch.setattr(os, "copy_file_range", _partial_then(None))
    elif system == "fails part way":
        monkeypatch.setattr(os, "copy_file_range", _partial_then(errno.EINVAL))
    target = tmp_path / "search_index.js"
    target.write_bytes(b"an older, longer script " * 5000)  # replaced whole, never left behind
    pagerecord._copy_after(LEAD, source, target)
    assert target.read_bytes() == LEAD + source.read_bytes()


def test_a_kept_pages_entries_may_be_a_view_of_the_previous_index() -> None:
    index = b'{"docs":[{"location":"a.html"},{"location":"b.html"}]}'
    view = memoryview(index)[9:30]
    record = PageRecord.from_data({"title": "A", "meta": {}, "anchors": [], "links": None}, view)
    assert bytes(record.search_chunk) == b'{"location":"a.html"}'
    with pytest.raises(ValueError):
        PageRecord.from_data({"title": "A", "meta": {}, "anchors": [], "links": None}, memoryview(index)[9:29])
    with pytest.raises(ValueError):
        PageRecord.from_data({"title": "A", "meta": {}, "anchors": [], "links": None}, "not bytes")  # type: ignore[arg-type]


def _pieces(count: int) -> list[bytes | memoryview]:
    data = bytes((i * 13) % 256 for i in range(count * 7))
    view = memoryview(data)
    return [view[i * 7 : i * 7 + (i % 8)] if i % 2 else bytes(data[i * 7 : i * 7 + (i % 5)]) for i in range(count)]


def _short_writev(limit: int):
    """A writev that takes at most ``limit`` bytes a call, as a system may."""
    real = os.writev
    calls = []

    def writev(fd: int, buffers: list[memoryview]) -> int:
        calls.append(len(buffers))
        if len(calls) > 10_000:  # far more than the bytes need: the writer is not moving on
            raise AssertionError("writev asked again and again for the same bytes")
        joined = b"".join(bytes(b) for b in buffers)[:limit]
        return real(fd, [joined])

    writev.calls = calls  # type: ignore[attr-defined]
    return writev


@pytest.mark.parametrize("count", [0, 1, 2, 3 * pagerecord._BATCH + 5])
def test_parts_are_written_whole_and_in_order(tmp_path: Path, count: int) -> None:
    parts = _pieces(count)
    target = tmp_path / "index.json"
    target.write_bytes(b"an older, longer file " * 5000)  # replaced whole, never left behind
    pagerecord.write_parts(target, parts)
    assert target.read_bytes() == b"".join(bytes(p) for p in parts)


@pytest.mark.parametrize("limit", [1, 5, 4096])
def test_a_system_taking_part_of_a_write_gets_the_rest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, limit: int
) -> None:
    parts = _pieces(600)
    writev = _short_writev(limit)
    monkeypatch.setattr(os, "writev", writev)
    pagerecord.write_parts(tmp_path / "index.json", parts)
    assert (tmp_path / "index.json").read_bytes() == b"".join(bytes(p) for p in parts)
    assert writev.calls  # type: ignore[attr-defined]


def test_many_parts_go_to_the_system_together(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    parts = _pieces(2 * pagerecord._BATCH)
    writev = _short_writev(10**9)
    monkeypatch.setattr(os, "writev", writev)
    pagerecord.write_parts(tmp_path / "index.json", parts)
    assert (tmp_path / "index.json").read_bytes() == b"".join(bytes(p) for p in parts)
    assert len(writev.calls) == 2  # type: ignore[attr-defined]


def test_without_writev_each_part_is_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    parts = _pieces(300)
    monkeypatch.delattr(os, "writev", raising=False)
    pagerecord.write_parts(tmp_path / "index.json", parts)
    assert (tmp_path / "index.json").read_bytes() == b"".join(bytes(p) for p in parts)


def test_a_system_taking_nothing_is_an_error_not_a_hang(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "writev", lambda fd, buffers: 0)
    with pytest.raises(OSError, match="nothing could be written"):
        pagerecord.write_parts(tmp_path / "index.json", [b"{}", b",", b"{}"])
