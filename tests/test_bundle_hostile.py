"""`specgen verify` and `specgen bundle` on hostile archives: they fail closed.

Every case runs the CLI (click's runner, or a subprocess where the old code
would hang or run out of memory) and expects, unless stated otherwise:
exit code 1, a one-line message naming the file or entry, no traceback,
and nothing written next to the archive.

==================================================  =====  ==================================================
Case                                                exit   Message names
==================================================  =====  ==================================================
bzip2 bomb in a listed entry (600 MB of zeros)      1      the entry, "bzip2" (nothing is expanded)
the same under a 1 GB address-space limit           1      the entry; no MemoryError
an entry larger than the manifest records           1      the entry, both sizes (nothing is read)
an entry larger than MAX_ENTRY_BYTES                1      the entry, the limit
an entry that lies about its size (says small)      1      the entry (only the declared bytes are read)
a MANIFEST over MAX_MANIFEST_BYTES                  1      handover/MANIFEST.json, the limit
a MANIFEST that is a bzip2 bomb                     1      handover/MANIFEST.json, "bzip2"
a MANIFEST of the wrong shape (several)             1      handover/MANIFEST.json, where it is wrong
   ... with --format json                           1      "ok": false
a FIFO or a device as the archive                   1      the path, "not a regular file" (no hang)
20,000 unsafe entries                               1      every one of them (correct counts)
a corrupt entry (deflate, magic, CRC, truncated)    1      the entry, "cannot be read"
a corrupt MANIFEST (same corruptions)               1      handover/MANIFEST.json, "cannot be read"
a device, FIFO or folder-with-data entry            1      the entry as an unsafe path
bundle -o over a corrupt zip / a FIFO               2      the output ("not a specgen bundle"); kept as is
   ... with --force                                 0      the output is replaced by a bundle
control characters in names and manifest text       0/1    escaped: no raw C0/C1/DEL, no forged line
==================================================  =====  ==================================================
"""

from __future__ import annotations

import bz2
import json
import os
import resource
import stat
import struct
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from specgen.cli import cli
from tests.paths import REPO, copy_examples

MANIFEST = "handover/MANIFEST.json"
SPEC = "handover/specs/credit-decision-assistant.yml"
BOMB_BYTES = 600 * 2**20


@pytest.fixture(autouse=True)
def _no_epoch(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)


@pytest.fixture(scope="module")
def small_bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A bundle of the examples without the site (fast), built once for the module."""
    folder = copy_examples(tmp_path_factory.mktemp("small"))
    result = CliRunner().invoke(cli, ["bundle", str(folder / "specs"), "-o", str(folder / "handover.zip"), "--no-site"])
    assert result.exit_code == 0, result.output
    return folder / "handover.zip"


@pytest.fixture(scope="module")
def bomb() -> bytes:
    """600 MB of zeros, bzip2-compressed into a few hundred bytes."""
    compressor = bz2.BZ2Compressor(9)
    zeros = bytes(2**20)
    parts = [compressor.compress(zeros) for _ in range(BOMB_BYTES // len(zeros))]
    return b"".join([*parts, compressor.flush()])


@pytest.fixture
def work(tmp_path: Path) -> Path:
    folder = tmp_path / "work"
    folder.mkdir()
    return folder


def _entries(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _info(name: str, *, mode: int = 0o100644, method: int = zipfile.ZIP_DEFLATED) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
    info.create_system = 3
    info.external_attr = mode << 16
    info.compress_type = method
    return info


def _write(path: Path, entries: dict[str, bytes], extra: list[tuple[zipfile.ZipInfo, bytes]] = ()) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(_info(name), data)
        for info, data in extra:
            archive.writestr(info, data)
    return path


def _crc_of_zeros(size: int) -> int:
    crc, chunk = 0, bytes(min(size, 2**20))
    for offset in range(0, size, len(chunk) or 1):
        crc = zipfile.crc32(chunk[: size - offset], crc)
    return crc


def _patch_central(path: Path, name: str, **fields: int) -> None:
    """Overwrite fields of ``name``'s central-directory record (method, crc, compress_size, file_size)."""
    offsets = {"method": (10, "<H"), "crc": (16, "<I"), "compress_size": (20, "<I"), "file_size": (24, "<I")}
    data = bytearray(path.read_bytes())
    pos = data.find(b"PK\x01\x02")
    while pos >= 0:
        (length,) = struct.unpack_from("<H", data, pos + 28)
        if data[pos + 46 : pos + 46 + length] == name.encode():
            for key, value in fields.items():
                offset, fmt = offsets[key]
                struct.pack_into(fmt, data, pos + offset, value)
        pos = data.find(b"PK\x01\x02", pos + 4)
    path.write_bytes(bytes(data))


def _write_raw_bz2(path: Path, entries: dict[str, bytes], name: str, compressed: bytes, size: int) -> Path:
    """``entries`` deflated, then ``name`` holding ``compressed`` (bzip2 data said to unpack to ``size`` bytes).

    zipfile cannot store precompressed data, so ``name`` is written empty and
    last, then its headers are patched and the data slid in after its local header.
    """
    rest = {k: v for k, v in entries.items() if k != name}
    _write(path, rest, [(_info(name, method=zipfile.ZIP_STORED), b"")])
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo(name)
    crc = _crc_of_zeros(size)
    _patch_central(path, name, method=zipfile.ZIP_BZIP2, crc=crc, compress_size=len(compressed), file_size=size)
    data = bytearray(path.read_bytes())
    local = info.header_offset
    struct.pack_into("<H", data, local + 8, zipfile.ZIP_BZIP2)
    struct.pack_into("<III", data, local + 14, crc, len(compressed), size)
    end = local + 30 + len(name.encode()) + len(info.extra)
    eocd = data.rfind(b"PK\x05\x06")
    (directory,) = struct.unpack_from("<I", data, eocd + 16)
    struct.pack_into("<I", data, eocd + 16, directory + len(compressed))
    path.write_bytes(bytes(data[:end]) + compressed + bytes(data[end:]))
    return path


def _snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    return {p.name: (p.stat().st_size, p.stat().st_mtime_ns) for p in folder.iterdir()}


def _run(*args: str | Path) -> Result:
    """The CLI in-process; an exception escaping the command fails the test (it would be a traceback)."""
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


def _subprocess(*args: str | Path, timeout: float = 60, limit: int | None = None) -> subprocess.CompletedProcess[str]:
    """The ``specgen`` console entry point in a child process, optionally under an address-space limit."""

    def _limit() -> None:
        if limit is not None:
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    env.pop("SOURCE_DATE_EPOCH", None)
    return subprocess.run(
        [sys.executable, "-c", "import sys; from specgen.cli import main; main(sys.argv[1:])", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
        preexec_fn=_limit,
        check=False,
    )


def _refused(output: str, code: int, exit_code: int, *fragments: str) -> None:
    """The expectation shared by every case: the exit code, the named thing, no traceback."""
    assert exit_code == code, output
    for fragment in fragments:
        assert fragment in output, output
    assert "Traceback" not in output
    assert "internal error" not in output


@pytest.fixture
def tampered(small_bundle: Path, work: Path) -> Iterator[tuple[Path, dict[str, bytes]]]:
    """A path in an empty folder for a hostile archive, the bundle's entries, and a check nothing else appears."""
    target = work / "hostile.zip"
    yield target, _entries(small_bundle)
    assert sorted(p.name for p in work.iterdir()) == ["hostile.zip"]


# ---------------------------------------------------------------- sizes and bombs


def test_a_bzip2_bomb_is_refused_without_being_expanded(tampered, bomb: bytes) -> None:
    target, entries = tampered
    _write_raw_bz2(target, entries, SPEC, bomb, BOMB_BYTES)
    before = target.read_bytes()
    result = _run("verify", target)
    _refused(result.output, 1, result.exit_code, f"refused: {SPEC} (compressed with bzip2;")
    assert target.read_bytes() == before


def test_a_bzip2_bomb_that_declares_a_small_size_is_refused(tampered, bomb: bytes) -> None:
    target, entries = tampered
    _write_raw_bz2(target, entries, SPEC, bomb, len(entries[SPEC]))
    result = _run("verify", target)
    _refused(result.output, 1, result.exit_code, f"refused: {SPEC} (compressed with bzip2;")


def test_a_bzip2_bomb_stays_within_a_1_gb_address_space(tampered, bomb: bytes) -> None:
    target, entries = tampered
    _write_raw_bz2(target, entries, SPEC, bomb, BOMB_BYTES)
    done = _subprocess("verify", target, limit=2**30)
    output = done.stdout + done.stderr
    _refused(output, 1, done.returncode, SPEC, "bzip2")
    assert "MemoryError" not in output


def test_an_entry_larger_than_the_manifest_records_is_not_read(tampered) -> None:
    target, entries = tampered
    recorded = len(entries[SPEC])
    entries[SPEC] += bytes(10 * 2**20)
    _write(target, entries)
    result = _run("verify", target)
    _refused(
        result.output,
        1,
        result.exit_code,
        f"refused: {SPEC} ({recorded + 10 * 2**20} bytes; the manifest records {recorded})",
    )


def test_an_entry_over_the_size_limit_is_refused(tampered, monkeypatch: pytest.MonkeyPatch) -> None:
    target, entries = tampered
    _write(target, entries)
    from specgen.bundle import verify

    monkeypatch.setattr(verify, "MAX_ENTRY_BYTES", 30_000)
    result = _run("verify", target, "--format", "json")
    assert result.exit_code == 1, result.output
    report = json.loads(result.output)
    assert report["ok"] is False
    big = sorted(name for name, data in entries.items() if len(data) > 30_000 and name != MANIFEST)
    assert big and [r.split(" (")[0] for r in report["refused"]] == big
    assert all("over the limit of 30000 bytes" in r for r in report["refused"])


def test_an_entry_that_understates_its_size_is_read_only_that_far(tampered) -> None:
    """The declared size bounds the read: 50 MB behind a small header yields a mismatch, not 50 MB."""
    target, entries = tampered
    recorded = len(entries[SPEC])
    entries[SPEC] = bytes(50 * 2**20)
    _write(target, entries)
    _patch_central(target, SPEC, file_size=recorded, crc=zipfile.crc32(bytes(recorded)))
    result = _run("verify", target)
    _refused(result.output, 1, result.exit_code, SPEC)


def test_a_manifest_over_the_size_limit_is_refused(tampered) -> None:
    target, entries = tampered
    entries[MANIFEST] = entries[MANIFEST] + b" " * 4 * 2**20  # MAX_MANIFEST_BYTES
    _write(target, entries)
    result = _run("verify", target)
    _refused(result.output, 1, result.exit_code, f"{MANIFEST} is larger than the limit of")


def test_a_manifest_that_is_a_bzip2_bomb_is_refused(tampered, bomb: bytes) -> None:
    target, entries = tampered
    _write_raw_bz2(target, entries, MANIFEST, bomb, BOMB_BYTES)
    result = _run("verify", target)
    _refused(result.output, 1, result.exit_code, f"{MANIFEST} cannot be read: compressed with bzip2")


# ---------------------------------------------------------------- the manifest's shape


def _reshape(manifest: dict, case: str) -> bytes:
    if case == "a list":
        return json.dumps([manifest]).encode()
    if case == "files as a mapping":
        manifest["files"] = {f["path"]: f["sha256"] for f in manifest["files"]}
    elif case == "a file without sha256":
        del manifest["files"][0]["sha256"]
    elif case == "a sha256 that is not hex":
        manifest["files"][0]["sha256"] = "z" * 64
    elif case == "a size that is text":
        manifest["files"][0]["size"] = "12"
    elif case == "a negative size":
        manifest["files"][0]["size"] = -1
    elif case == "specs as strings":
        manifest["specs"] = ["credit-decision-assistant"]
    elif case == "a file listed twice":
        manifest["files"].append(dict(manifest["files"][0]))
    elif case == "a key given twice":
        text = json.dumps(manifest)
        return text.replace('"format":', '"format": "specgen-handover/1", "format":', 1).encode()
    elif case == "nested too deeply":
        return b"[" * 100_000 + b"]" * 100_000
    elif case == "not UTF-8":
        return json.dumps(manifest).encode("utf-16")
    elif case == "a huge number":  # more digits than Python converts
        manifest["files"][0]["size"] = 123456789
        return json.dumps(manifest).replace("123456789", "9" * 5000).encode()
    return json.dumps(manifest).encode()


SHAPES = [
    "a list",
    "files as a mapping",
    "a file without sha256",
    "a sha256 that is not hex",
    "a size that is text",
    "a negative size",
    "specs as strings",
    "a file listed twice",
    "a key given twice",
    "nested too deeply",
    "not UTF-8",
    "a huge number",
]


@pytest.mark.parametrize("case", SHAPES)
def test_a_manifest_of_the_wrong_shape_is_a_clear_error(tampered, case: str) -> None:
    target, entries = tampered
    entries[MANIFEST] = _reshape(json.loads(entries[MANIFEST]), case)
    _write(target, entries)
    result = _run("verify", target)
    _refused(result.output, 1, result.exit_code, f"{target}: {MANIFEST} ")
    assert len(result.output.strip().splitlines()) == 1, result.output


@pytest.mark.parametrize("case", ["specs as strings", "files as a mapping"])
def test_a_manifest_of_the_wrong_shape_is_not_ok_in_json(tampered, case: str) -> None:
    target, entries = tampered
    entries[MANIFEST] = _reshape(json.loads(entries[MANIFEST]), case)
    _write(target, entries)
    result = _run("verify", target, "--format", "json")
    assert result.exit_code == 1, result.output
    report = json.loads(result.output)
    assert report["ok"] is False
    assert any(MANIFEST in p for p in report["problems"])


# ---------------------------------------------------------------- what the archive is


def test_a_fifo_is_refused_before_it_is_opened(work: Path) -> None:
    fifo = work / "handover.zip"
    os.mkfifo(fifo)
    done = _subprocess("verify", fifo, timeout=60)
    _refused(done.stdout + done.stderr, 1, done.returncode, f"{fifo}: not a regular file")


def test_a_device_is_refused(tmp_path: Path) -> None:
    result = _run("verify", "/dev/null")
    _refused(result.output, 1, result.exit_code, "/dev/null: not a regular file")


@pytest.mark.filterwarnings("ignore:Duplicate name")
def test_twenty_thousand_unsafe_entries_are_all_named(tampered) -> None:
    target, entries = tampered
    extra = [(_info(f"../escape/{i}.txt", method=zipfile.ZIP_STORED), b"") for i in range(20_000)]
    extra += [(_info(SPEC), entries[SPEC])]  # the same name twice
    _write(target, entries, extra)
    result = _run("verify", target, "--format", "json")
    assert result.exit_code == 1, result.output
    report = json.loads(result.output)
    assert report["unsafe"][:3] == ["../escape/0.txt", "../escape/1.txt", "../escape/2.txt"]
    assert len(report["unsafe"]) == 20_001
    assert report["unsafe"][-1] == f"{SPEC} (stored twice)"
    assert report["checked"] == len(entries) - 1
    assert report["changed"] == report["missing"] == report["added"] == report["refused"] == []


# ---------------------------------------------------------------- corrupt data


def _corrupt(path: Path, name: str, how: str) -> None:
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo(name)
    data = bytearray(path.read_bytes())
    start = info.header_offset + 30 + len(name.encode()) + len(info.extra)
    if how == "deflate data":
        data[start : start + 16] = b"\xff" * 16
        path.write_bytes(bytes(data))
    elif how == "local header magic":
        data[info.header_offset : info.header_offset + 4] = b"XXXX"
        path.write_bytes(bytes(data))
    elif how == "crc":
        _patch_central(path, name, crc=info.CRC ^ 1)
    elif how == "truncated stream":
        _patch_central(path, name, compress_size=info.compress_size // 2)


CORRUPTIONS = ["deflate data", "local header magic", "crc", "truncated stream"]


@pytest.mark.parametrize("how", CORRUPTIONS)
def test_a_corrupt_entry_is_located(tampered, how: str) -> None:
    target, entries = tampered
    _write(target, entries)
    _corrupt(target, SPEC, how)
    result = _run("verify", target)
    _refused(result.output, 1, result.exit_code, f"refused: {SPEC} (cannot be read: ")


@pytest.mark.parametrize("how", CORRUPTIONS)
def test_a_corrupt_manifest_is_located(tampered, how: str) -> None:
    target, entries = tampered
    _write(target, entries)
    _corrupt(target, MANIFEST, how)
    result = _run("verify", target)
    _refused(result.output, 1, result.exit_code, f"{target}: {MANIFEST} cannot be read: ")


# ---------------------------------------------------------------- entries that are not regular files


@pytest.mark.parametrize(
    ("name", "mode", "data", "reason"),
    [
        ("handover/site/dev", 0o020644, b"", "a device or other special file"),
        ("handover/site/pipe", 0o010644, b"", "a device or other special file"),
        ("handover/site/", 0o040755, b"payload", "a folder holding data"),
        ("handover/site/notes", 0o040755, b"", "a folder without a trailing slash"),
    ],
)
def test_entries_that_are_not_regular_files_are_unsafe(
    tampered, name: str, mode: int, data: bytes, reason: str
) -> None:
    target, entries = tampered
    _write(target, entries, [(_info(name, mode=mode), data)])
    result = _run("verify", target)
    _refused(result.output, 1, result.exit_code, f"unsafe path: {name} ({reason})")


def test_a_symlink_entry_is_still_unsafe(tampered) -> None:
    target, entries = tampered
    _write(target, entries, [(_info("handover/site/link", mode=0o120777), b"/etc/passwd")])
    result = _run("verify", target)
    _refused(result.output, 1, result.exit_code, "unsafe path: handover/site/link")


# ---------------------------------------------------------------- bundle -o over something hostile


@pytest.fixture
def project(small_bundle: Path, work: Path) -> Path:
    return copy_examples(work)


@pytest.mark.parametrize("how", ["deflate data", "bzip2 bomb"])
def test_bundle_over_a_corrupt_zip_keeps_it(project: Path, small_bundle: Path, bomb: bytes, how: str) -> None:
    target = project / "handover.zip"
    entries = _entries(small_bundle)
    if how == "bzip2 bomb":
        _write_raw_bz2(target, entries, MANIFEST, bomb, BOMB_BYTES)
    else:
        _write(target, entries)
        _corrupt(target, MANIFEST, how)
    before = target.read_bytes()
    listing = _snapshot(project)
    result = _run("bundle", project / "specs", "-o", target, "--no-site")
    _refused(result.output, 2, result.exit_code, f"{target} exists and is not a specgen bundle; pass --force")
    assert target.read_bytes() == before
    assert _snapshot(project) == listing
    result = _run("bundle", project / "specs", "-o", target, "--no-site", "--force")
    assert result.exit_code == 0, result.output
    assert _run("verify", target).exit_code == 0


def test_bundle_over_a_fifo_keeps_it(project: Path) -> None:
    fifo = project / "handover.zip"
    os.mkfifo(fifo)
    done = _subprocess("bundle", project / "specs", "-o", fifo, "--no-site", timeout=120)
    _refused(done.stdout + done.stderr, 2, done.returncode, "exists and is not a specgen bundle")
    assert stat.S_ISFIFO(fifo.stat().st_mode)


# ---------------------------------------------------------------- text from the archive


HOSTILE_TEXT = [
    "x\n::error file=x::forged",
    "x\r::error file=x::forged",
    "x\x1b[2J\x1b]0;title\x07",
    "x\x9b31m\x7f\x00",
    "x\u2028::error file=x::forged\u2029",
    "x\u202ereversed",
]


def _assert_no_raw_control(output: str) -> None:
    for line in output.split("\n"):
        assert not line.startswith("::error"), output
        assert not any(c in line for c in "\r\x1b\x07\x9b\x7f\x00\u2028\u2029\u202e\x85"), repr(line)


@pytest.mark.parametrize("text", HOSTILE_TEXT)
def test_entry_names_are_printed_escaped(tampered, text: str) -> None:
    target, entries = tampered
    _write(target, entries, [(_info(f"handover/{text}"), b"x")])
    result = _run("verify", target)
    _refused(result.output, 1, result.exit_code, "added: handover/x")
    _assert_no_raw_control(result.output)


@pytest.mark.parametrize("text", HOSTILE_TEXT)
def test_manifest_text_is_printed_escaped(tampered, text: str) -> None:
    target, entries = tampered
    manifest = json.loads(entries[MANIFEST])
    manifest["specs"][0]["version"] = text
    manifest["specs"][0]["title"] = text
    entries[MANIFEST] = json.dumps(manifest).encode()
    _write(target, entries)
    result = _run("verify", target)
    assert result.exit_code == 0, result.output
    assert "credit-decision-assistant x" in result.output
    _assert_no_raw_control(result.output)
    assert len(result.output.strip().splitlines()) == 1 + len(manifest["specs"])


def test_problems_quoting_the_archive_are_printed_escaped(tampered) -> None:
    target, entries = tampered
    manifest = json.loads(entries[MANIFEST])
    manifest["format"] = "evil\n::error file=x::forged"
    entries[MANIFEST] = json.dumps(manifest).encode()
    _write(target, entries)
    result = _run("verify", target)
    _refused(result.output, 1, result.exit_code, MANIFEST)
    _assert_no_raw_control(result.output)
