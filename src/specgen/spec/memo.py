"""Validated specs remembered by the hash of their file, for the edit loop.

Parsing YAML with source positions is most of the cost of loading a
portfolio, and between two builds of ``specgen serve`` or ``build`` nearly
every file is unchanged. :func:`specgen.spec.loader.read_portfolio` takes a
:class:`Memo` (the build cache implements it) and, for each spec file:

* looks its key up: SHA-256 over :func:`salt`, the file's bytes and its
  display name (the name is part of every diagnostic);
* on a hit, rebuilds the :class:`~specgen.spec.schema.Spec` with pydantic from
  the stored JSON, and a source whose positions are decoded from their packed
  form only when first asked for, and whose raw YAML data is parsed again only
  if something reads it;
* on a miss, parses and validates the file as always and, when it is valid,
  stores the model and its positions (:func:`pack`).

Only specs that validate, and whose stored form rebuilds an equal model, are
stored: an invalid file is parsed every time so its diagnostics stay exact.
A stored value that does not decode or validate is a miss, never trusted.
The salt covers the format, the versions of specgen, pydantic, PyYAML and
Python, and the source bytes of the modules that shape a stored value (an editable
install does not change its version when the schema is edited).
"""

from __future__ import annotations

import functools
import hashlib
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Protocol, TypeVar

import pydantic
import pydantic_core
import yaml
from pydantic import ValidationError

from specgen import __version__
from specgen.spec.packedpos import PackedSourceMap, packed_positions
from specgen.spec.schema import Spec
from specgen.spec.yamlsrc import SourceMap

__all__ = [
    "FORMAT",
    "Memo",
    "code_salt",
    "compute_salt",
    "derived_key",
    "made",
    "memo_key",
    "pack",
    "recall",
    "remember",
    "restored",
    "salt",
    "unpack",
]

FORMAT = "specgen-spec-memo 2"
"""Changed whenever the layout of a stored value changes."""


class Memo(Protocol):
    """Where validated specs are remembered: values are JSON data, or bytes
    (a spec's, see :func:`pack`) given back as they were put."""

    def get(self, key: str) -> Any | None: ...

    def put(self, key: str, value: Any) -> None: ...


_T = TypeVar("_T")


def restored(memo: Memo, key: str, restore: Callable[[Any], _T | None], variant: str = "") -> _T | None:
    """``restore`` of the value ``memo`` holds under ``key`` (None for none,
    or when ``restore`` rejects it). A memo that keeps the objects it restored
    for the next build of the process (the build cache in ``specgen serve``,
    :mod:`specgen.site.warm`) returns the object it kept, which the caller
    must not change; ``variant`` tells apart objects made from one value for
    different readers."""
    keeps = getattr(memo, "restored", None)
    if callable(keeps):
        return keeps(key, restore, variant)  # type: ignore[no-any-return]
    value = memo.get(key)
    return None if value is None else restore(value)


def made(memo: Memo | None, key: str, variant: str, make: Callable[[], _T]) -> _T:
    """``make()``; or, in a long-lived process whose build cache keeps
    objects between builds (``specgen serve``, :mod:`specgen.site.warm`),
    the object an earlier build made under ``key`` and ``variant``, which
    the caller must not change. ``key`` must cover everything ``make`` reads."""
    if memo is None or getattr(memo, "warm", None) is None:
        return make()
    cache: Any = memo
    kept = cache.kept_objects([key], variant)
    if key in kept:
        return kept[key]  # type: ignore[no-any-return]
    value = make()
    cache.keep(key)  # used by this build: kept for the next
    cache.keep_object(key, variant, value)
    return value


# ---------------------------------------------------------------- keys


def shaping_files() -> list[Path]:
    """The modules whose source decides what a stored value means."""
    here = Path(__file__).resolve().parent
    named = [here / name for name in ("yamlsrc.py", "loader.py", "values.py", "memo.py", "packedpos.py")]
    return sorted((here / "schema").rglob("*.py")) + named


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError:  # a module that is not there (values.py moved): its absence is hashed
        return b""


def _hash(*parts: str | bytes) -> str:
    hashed = hashlib.sha256()
    for part in parts:  # length-prefixed, so no two lists of parts collide
        data = part.encode("utf-8", "surrogatepass") if isinstance(part, str) else part
        hashed.update(len(data).to_bytes(8, "big"))
        hashed.update(data)
    return hashed.hexdigest()


def compute_salt(files: Sequence[Path] | None = None) -> str:
    """The salt of every key: the format, the versions and ``files``' bytes
    (by default :func:`shaping_files`)."""
    parts: list[str | bytes] = [
        FORMAT,
        f"specgen {__version__}",
        f"pydantic {pydantic.VERSION}",
        f"pydantic-core {pydantic_core.__version__}",
        f"pyyaml {yaml.__version__} libyaml {getattr(yaml, '__with_libyaml__', False)}",
        f"python {sys.version_info.major}.{sys.version_info.minor}",
    ]
    for path in shaping_files() if files is None else files:
        parts += [path.name, _read(path)]
    return _hash(*parts)


@functools.cache
def salt() -> str:
    """:func:`compute_salt`, once per process."""
    return compute_salt()


@functools.cache
def code_salt() -> str:
    """:func:`salt` and the bytes of every module of specgen: the salt of
    what is computed from a spec by code anywhere in the package (its
    cross-references, the rules' outcomes), which may call any helper."""
    package = Path(__file__).resolve().parents[1]
    parts: list[str | bytes] = [salt()]
    for path in sorted(package.rglob("*.py")):
        parts += [path.relative_to(package).as_posix(), _read(path)]
    return _hash(*parts)


def derived_key(kind: str, name: str, text: str, *more: str) -> str:
    """The key of what ``kind`` computes from a spec file's ``text`` (shown as
    ``name``) and ``more``, salted with :func:`code_salt`. ``text`` may be the
    text's digest (:attr:`specgen.spec.loader.Source.text_digest`), worked
    out once however many keys hold it."""
    return _hash(kind, code_salt(), name, text, *more)


def memo_key(raw: bytes, name: str) -> str:
    """The key of a spec file: its bytes and display name, salted."""
    return _hash(salt(), raw, name)


# ---------------------------------------------------------------- values


def pack(key: str, spec: Spec, positions: SourceMap, packed: str | None = None) -> bytes | None:
    """The value to store for a valid spec, or None when its JSON would not
    rebuild an equal model (then it is simply not stored): three lines, a
    header naming the format and key, the packed positions (``packed`` when
    already made), and the model's JSON as pydantic writes it (bytes, so a
    memo stores them as they are and :func:`unpack` hands them to pydantic
    without decoding them first)."""
    packed = packed if packed is not None else packed_positions(positions)
    if packed is None:
        return None
    try:
        model = spec.model_dump_json(exclude_unset=True)
        if Spec.model_validate_json(model) != spec:
            return None
    except (ValueError, TypeError):  # pydantic's errors are ValueErrors
        return None
    header = json.dumps({"format": FORMAT, "key": key}, separators=(",", ":"))
    # json.dumps escapes every line break inside strings: neither line holds one
    return b"\n".join((header.encode("ascii"), packed.encode("ascii"), model.encode("utf-8")))


def unpack(value: Any, key: str, text: str) -> tuple[Spec, SourceMap] | None:
    """The spec and positions of a stored value, or None for anything that is
    not a value :func:`pack` made under ``key``."""
    if not isinstance(value, bytes):
        return None
    parts = value.split(b"\n", 2)
    if len(parts) != 3:
        return None
    header, packed, model = parts
    try:
        if json.loads(header) != {"format": FORMAT, "key": key}:
            return None
        spec = Spec.model_validate_json(model)
        return spec, PackedSourceMap(packed.decode("ascii"), text)
    except (ValidationError, ValueError, RecursionError):  # UnicodeDecodeError is a ValueError
        return None


def recall(memo: Memo | None, raw: bytes | None, name: str) -> tuple[Spec, SourceMap, str] | None:
    """The spec, positions and text remembered for a file's bytes, or None
    (no memo, a file not read, a miss, or a stored value not to be trusted)."""
    if memo is None or raw is None:
        return None
    key = memo_key(raw, name)
    text = raw.decode("utf-8", "replace")  # as the loader decodes it
    found = restored(memo, key, lambda value: unpack(value, key, text))
    return None if found is None else (*found, text)


def remember(memo: Memo | None, raw: bytes | None, name: str, spec: Spec, positions: SourceMap) -> None:
    """Store a valid spec read from ``raw`` (nothing without a memo, or when
    its JSON would not rebuild an equal model)."""
    if memo is None or raw is None:
        return
    key = memo_key(raw, name)
    value = pack(key, spec, positions)
    if value is not None:
        memo.put(key, value)
