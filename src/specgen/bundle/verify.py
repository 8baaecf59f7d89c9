"""Checking a handover bundle against its manifest, treating the archive as hostile.

:func:`verify_bundle` names every file changed, missing or added, every entry
whose path would escape the folder it is unpacked into or that is not a
regular file, and every entry it refused to read. It fails closed and within
bounds, whatever the archive holds:

- the path must be a regular file; a FIFO or a device is refused before it
  is opened (and checked again on the open descriptor), so nothing blocks;
- ``MANIFEST.json`` is read up to :data:`~specgen.bundle.manifest.MAX_MANIFEST_BYTES`
  and validated by :class:`~specgen.bundle.manifest.Manifest`;
- only stored and deflated entries are read (what specgen and zip tools
  write); bzip2 and lzma entries are refused unread, as Python's zipfile
  expands them without bound;
- an entry is read only when its declared size is the size the manifest
  records and at most :data:`MAX_ENTRY_BYTES`, and no more than
  :data:`MAX_TOTAL_BYTES` are read in all; it is streamed and hashed in
  chunks, and reading stops as soon as a bound is passed;
- a corrupt entry is reported by name, never raised;
- the work is linear in the number of entries.

What a match proves: each file listed in the manifest, as Python's zipfile
reads it, has the SHA-256 and size the manifest records, and nothing else is
in the archive. It does not prove who built the bundle (the manifest is not
signed: compare the archive's own SHA-256 with the one recorded at handover),
nor that every unzip tool reads a malformed archive the same way.
"""

from __future__ import annotations

import hashlib
import os
import stat
import struct
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from specgen.bundle.manifest import MANIFEST, MAX_MANIFEST_BYTES, PREFIX, Manifest, ManifestError, parse_manifest
from specgen.confine import escapes
from specgen.errors import SpecgenError

__all__ = [
    "ARCHIVE_ERRORS",
    "MAX_ENTRY_BYTES",
    "MAX_TOTAL_BYTES",
    "NotRegularFileError",
    "Verification",
    "open_regular",
    "read_manifest",
    "verify_bundle",
]

MAX_ENTRY_BYTES = 256 * 2**20
"""The largest file read from an archive (256 MiB); a larger one is refused unread."""
MAX_TOTAL_BYTES = 4 * 2**30
"""The most read from one archive in all (4 GiB); files past it are refused unread."""
CHUNK = 2**16

ARCHIVE_ERRORS: tuple[type[BaseException], ...] = (
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
    OSError,
    RuntimeError,  # encrypted
    NotImplementedError,  # an unsupported zip feature
    ValueError,  # includes UnicodeDecodeError of a name
    struct.error,
    OverflowError,
)
"""What reading a damaged or hostile zip with zipfile raises."""

_READABLE = {zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED}
_METHOD_NAMES = {zipfile.ZIP_BZIP2: "bzip2", zipfile.ZIP_LZMA: "lzma"}
_FILE_KINDS = {
    stat.S_IFIFO: "a named pipe",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
    stat.S_IFSOCK: "a socket",
    stat.S_IFDIR: "a folder",
    stat.S_IFLNK: "a symbolic link",
}


class NotRegularFileError(OSError):
    """The path is a FIFO, a device, a folder...: not something to read as an archive."""


class EntryRefusedError(SpecgenError):
    """An entry is not read: the message says why."""


class EntryTooLargeError(EntryRefusedError):
    """An entry is, or turns out to be, larger than allowed."""


@dataclass
class Verification:
    """The result of checking an archive against its manifest."""

    path: Path
    checked: int = 0
    """Files whose hash matched."""
    changed: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    unsafe: list[str] = field(default_factory=list)
    """Entries (or manifest paths) that would escape the folder they are unpacked into, or are not regular files."""
    refused: list[str] = field(default_factory=list)
    """Listed entries not read or not readable, each as ``name (why)``: too large, corrupt, bzip2..."""
    problems: list[str] = field(default_factory=list)
    """Why the archive could not be checked at all (not a zip, no manifest...)."""
    manifest: Manifest | None = None

    @property
    def ok(self) -> bool:
        return not (self.changed or self.missing or self.added or self.unsafe or self.refused or self.problems)


# ---------------------------------------------------------------- opening


def open_regular(path: Path) -> BinaryIO:
    """``path`` opened for reading, only if it is a regular file.

    Checked before opening (a device is never opened) and again on the open
    descriptor (the path cannot be swapped in between); the open does not
    block on a FIFO. Raises :class:`NotRegularFileError` or OSError.
    """
    before = os.stat(path).st_mode
    if not stat.S_ISREG(before):
        raise NotRegularFileError(_FILE_KINDS.get(stat.S_IFMT(before), "not a regular file"))
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0)
    descriptor = os.open(path, flags)
    try:
        mode = os.fstat(descriptor).st_mode
        if not stat.S_ISREG(mode):
            raise NotRegularFileError(_FILE_KINDS.get(stat.S_IFMT(mode), "not a regular file"))
        os.set_blocking(descriptor, True)
    except BaseException:
        os.close(descriptor)
        raise
    return os.fdopen(descriptor, "rb")


# ---------------------------------------------------------------- entries


def _is_symlink(info: zipfile.ZipInfo) -> bool:
    return info.create_system == 3 and stat.S_ISLNK(info.external_attr >> 16)


def _not_regular(info: zipfile.ZipInfo) -> str | None:
    """Why an entry is neither a plain file nor an empty folder, or None."""
    kind = stat.S_IFMT(info.external_attr >> 16) if info.create_system == 3 else 0
    folder = kind == stat.S_IFDIR or bool(info.external_attr & 0x10)  # unix mode, or the MS-DOS attribute
    if info.is_dir():
        if kind not in (0, stat.S_IFDIR):
            return "a device or other special file"
        return "a folder holding data" if info.file_size else None
    if folder:
        return "a folder without a trailing slash"
    if kind not in (0, stat.S_IFREG):
        return "a device or other special file"
    return None


def _unreadable(info: zipfile.ZipInfo) -> str | None:
    """Why an entry is not read whatever its size, or None."""
    if info.flag_bits & 0x1:
        return "encrypted"
    if info.compress_type not in _READABLE:
        method = _METHOD_NAMES.get(info.compress_type, f"method {info.compress_type}")
        return f"compressed with {method}; only stored and deflated entries are read"
    return None


def _chunks(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int) -> Iterator[bytes]:
    """The entry's content in chunks, stopping as soon as more than ``limit`` bytes come out.

    Raises :class:`EntryRefusedError`, or one of :data:`ARCHIVE_ERRORS` for a damaged entry.
    """
    reason = _unreadable(info)
    if reason:
        raise EntryRefusedError(reason)
    if info.file_size > limit:
        raise EntryTooLargeError(f"{info.file_size} bytes, over the limit of {limit} bytes")
    read = 0
    with archive.open(info) as handle:
        while chunk := handle.read(CHUNK):
            read += len(chunk)
            if read > limit:
                raise EntryTooLargeError(f"more than the {limit} bytes allowed")
            yield chunk


def read_manifest(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> Manifest:
    """The validated manifest in entry ``info``.

    Raises :class:`ManifestError` (with a one-line reason), :class:`EntryRefusedError`
    or one of :data:`ARCHIVE_ERRORS`.
    """
    return parse_manifest(b"".join(_chunks(archive, info, MAX_MANIFEST_BYTES)))


def _manifest(archive: zipfile.ZipFile, info: zipfile.ZipInfo | None, result: Verification) -> Manifest | None:
    """The archive's manifest, or None with the reason in ``result.problems``."""
    where = PREFIX + MANIFEST
    if info is None:
        result.problems.append(f"no {where}: not a specgen handover bundle")
        return None
    try:
        return read_manifest(archive, info)
    except EntryTooLargeError:
        result.problems.append(f"{where} is larger than the limit of {MAX_MANIFEST_BYTES} bytes")
    except EntryRefusedError as exc:
        result.problems.append(f"{where} cannot be read: {exc}")
    except ManifestError as exc:
        result.problems.append(f"{where} is not a specgen handover manifest: {exc}")
    except ARCHIVE_ERRORS as exc:
        result.problems.append(f"{where} cannot be read: {exc}")
    return None


# ---------------------------------------------------------------- verifying


def verify_bundle(path: Path) -> Verification:
    """Check the archive at ``path`` against its ``handover/MANIFEST.json``.

    Never raises for a bad archive: every problem is in the result. Nothing
    is unpacked; entries are hashed as they are read, within the bounds in
    this module's description.
    """
    result = Verification(path)
    try:
        handle = open_regular(path)
    except NotRegularFileError as exc:
        result.problems.append(f"not a regular file ({exc}); give the path of a .zip file")
        return result
    except OSError as exc:
        result.problems.append(f"cannot be opened ({exc.strerror or exc})")
        return result
    with handle:
        try:
            archive = zipfile.ZipFile(handle)
        except ARCHIVE_ERRORS as exc:
            result.problems.append(f"not a zip archive ({exc})")
            return result
        with archive:
            _verify(archive, result)
    result.changed.sort()
    result.added.sort()
    return result


def _verify(archive: zipfile.ZipFile, result: Verification) -> None:
    regular: list[zipfile.ZipInfo] = []
    seen: set[str] = set()
    manifest_info: zipfile.ZipInfo | None = None
    for info in archive.infolist():
        name = info.filename
        reason = _not_regular(info)
        if escapes(name) or _is_symlink(info):
            result.unsafe.append(name)
        elif name in seen:
            result.unsafe.append(f"{name} (stored twice)")
        elif reason:
            result.unsafe.append(f"{name} ({reason})")
        elif name == PREFIX + MANIFEST:
            manifest_info = info
        elif not info.is_dir():
            regular.append(info)
        seen.add(name)
    manifest = _manifest(archive, manifest_info, result)
    if manifest is None:
        return
    result.manifest = manifest
    listed = manifest.listed()
    result.unsafe += [PREFIX + name for name in listed if escapes(name)]
    present: set[str] = set()
    budget = MAX_TOTAL_BYTES
    for info in regular:
        name = info.filename
        present.add(name)
        entry = listed.get(name[len(PREFIX) :]) if name.startswith(PREFIX) else None
        if entry is None:
            result.added.append(name)
            continue
        try:
            reason = _unreadable(info)
            if reason:
                raise EntryRefusedError(reason)
            if info.file_size != entry.size:
                raise EntryRefusedError(f"{info.file_size} bytes; the manifest records {entry.size}")
            if entry.size > budget:
                raise EntryRefusedError(f"past the limit of {MAX_TOTAL_BYTES} bytes read from one archive")
            digest = hashlib.sha256()
            for chunk in _chunks(archive, info, min(entry.size, MAX_ENTRY_BYTES)):
                digest.update(chunk)
        except EntryRefusedError as exc:
            result.refused.append(f"{name} ({exc})")
            continue
        except ARCHIVE_ERRORS as exc:
            result.refused.append(f"{name} (cannot be read: {exc})")
            continue
        budget -= entry.size
        if digest.hexdigest() == entry.sha256:
            result.checked += 1
        else:
            result.changed.append(name)
    result.missing = [PREFIX + name for name in sorted(listed) if PREFIX + name not in present]
