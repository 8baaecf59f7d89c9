"""Byte-reproducible output: build dates, deterministic zip archives, atomic writes.

Everything specgen packs (the DOCX of a readiness definition, the handover
bundle) goes through :func:`zip_bytes`, so the same inputs give the same bytes:
entries in a fixed order, one fixed timestamp, fixed permissions and
compression. The timestamp is ``SOURCE_DATE_EPOCH`` when it is set (the
reproducible-builds convention), else a date the caller derives from its input.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import tempfile
import zipfile
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path

from specgen.clock import ZIP_EPOCH

__all__ = [
    "source_date_epoch_default",
    "write_atomic",
    "zip_bytes",
]

_ZIP_LAST = dt.datetime(2107, 12, 31, 23, 59, 58, tzinfo=dt.timezone.utc)


@contextlib.contextmanager
def source_date_epoch_default(when: dt.datetime) -> Iterator[None]:
    """Within the block, ``SOURCE_DATE_EPOCH`` is ``when`` unless it was already set.

    For tools that only read the environment (mkdocs dates its sitemap with
    it). The previous environment is restored on exit; not thread-safe.
    """
    if os.environ.get("SOURCE_DATE_EPOCH", "").strip():
        yield
        return
    os.environ["SOURCE_DATE_EPOCH"] = str(int(when.timestamp()))
    try:
        yield
    finally:
        os.environ.pop("SOURCE_DATE_EPOCH", None)


def _zip_time(when: dt.datetime) -> tuple[int, int, int, int, int, int]:
    utc = when.astimezone(dt.timezone.utc)
    utc = min(max(utc, ZIP_EPOCH), _ZIP_LAST)
    # zip stores seconds in steps of two
    return (utc.year, utc.month, utc.day, utc.hour, utc.minute, utc.second - utc.second % 2)


def zip_bytes(
    entries: Mapping[str, bytes],
    *,
    when: dt.datetime = ZIP_EPOCH,
    first: Iterable[str] = (),
) -> bytes:
    """A deflated zip of ``entries`` (archive name → content), reproducibly.

    Names listed in ``first`` come first (in that order, when present), the
    rest sorted; every entry gets the timestamp ``when`` and mode 0644.
    """
    import io

    leading = [name for name in first if name in entries]
    order = leading + sorted(set(entries) - set(leading))
    stamp = _zip_time(when)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in order:
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3  # unix, so the mode below is read
            info.external_attr = (0o100644 & 0xFFFF) << 16
            archive.writestr(info, entries[name], compress_type=zipfile.ZIP_DEFLATED, compresslevel=6)
    return buffer.getvalue()


def _umask() -> int:
    current = os.umask(0o022)
    os.umask(current)
    return current


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file and a rename, so a
    failure never leaves a half-written file or destroys the previous one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    tmp = Path(name)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
