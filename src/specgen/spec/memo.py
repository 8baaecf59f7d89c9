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
The salt covers the format, the versions of specgen, pydantic and PyYAML, and
the source bytes of the modules that shape a stored value (an editable
install does not change its version when the schema is edited).
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

import pydantic
import pydantic_core
import yaml
from pydantic import ValidationError

from specgen import __version__
from specgen.spec.schema import Spec
from specgen.spec.yamlsrc import Mark, Path_, SourceMap, YamlError, load_yaml

__all__ = [
    "FORMAT",
    "LazyData",
    "Memo",
    "PackedSourceMap",
    "compute_salt",
    "memo_key",
    "pack",
    "recall",
    "remember",
    "salt",
    "unpack",
]

FORMAT = "specgen-spec-memo 1"
"""Changed whenever the layout of a stored value changes."""


class Memo(Protocol):
    """Where validated specs are remembered: values are JSON data."""

    def get(self, key: str) -> Any | None: ...

    def put(self, key: str, value: Any) -> None: ...


# ---------------------------------------------------------------- keys


def shaping_files() -> list[Path]:
    """The modules whose source decides what a stored value means."""
    here = Path(__file__).resolve().parent
    named = [here / name for name in ("yamlsrc.py", "loader.py", "values.py", "memo.py")]
    return sorted((here / "schema").glob("*.py")) + named


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
    ]
    for path in shaping_files() if files is None else files:
        parts += [path.name, _read(path)]
    return _hash(*parts)


@functools.cache
def salt() -> str:
    """:func:`compute_salt`, once per process."""
    return compute_salt()


def memo_key(raw: bytes, name: str) -> str:
    """The key of a spec file: its bytes and display name, salted."""
    return _hash(salt(), raw, name)


# ---------------------------------------------------------------- positions


def _as_pair(raw: Any) -> tuple[int, int]:
    if isinstance(raw, Mark):
        return raw.line, raw.column
    return raw.line + 1, raw.column + 1  # a parser's 0-based mark, as yamlsrc._as_mark reads it


def _pack_marks(marks: dict[Path_, Any]) -> list[Any]:
    """Paths front-coded (how many leading parts are the previous path's, then
    the rest) followed by the 1-based line and column, all in one flat list."""
    flat: list[Any] = []
    previous: Path_ = ()
    for path, raw in marks.items():
        shared = 0
        for a, b in zip(previous, path, strict=False):  # paths of different lengths
            if a != b or type(a) is not type(b):
                break
            shared += 1
        flat += [shared, len(path) - shared, *path[shared:], *_as_pair(raw)]
        previous = path
    return flat


def _unpack_marks(flat: list[Any]) -> dict[Path_, Mark]:
    marks: dict[Path_, Mark] = {}
    previous: Path_ = ()
    i = 0
    while i < len(flat):
        shared, rest = flat[i], flat[i + 1]
        if not (isinstance(shared, int) and isinstance(rest, int) and 0 <= shared <= len(previous) and rest >= 0):
            raise ValueError("malformed positions")
        tail = flat[i + 2 : i + 2 + rest]
        line, column = flat[i + 2 + rest], flat[i + 3 + rest]
        if not all(isinstance(p, (str, int)) and not isinstance(p, bool) for p in tail) or len(tail) != rest:
            raise ValueError("malformed positions")
        if not (type(line) is int and type(column) is int and line > 0 and column > 0):
            raise ValueError("malformed positions")
        path = (*previous[:shared], *tail)
        marks[path] = Mark(line, column)
        previous = path
        i += 4 + rest
    return marks


class PackedSourceMap(SourceMap):
    """A :class:`SourceMap` decoded from :func:`pack`'s form when first used.

    Should the packed form not decode, the positions come from parsing
    ``text`` again: never wrong, never an exception."""

    def __init__(self, packed: str, text: str) -> None:
        self._packed = packed
        self._text = text
        self._maps: tuple[dict[Path_, Any], dict[Path_, Any]] | None = None

    def _decoded(self) -> tuple[dict[Path_, Any], dict[Path_, Any]]:
        if self._maps is None:
            try:
                both = json.loads(self._packed)
                self._maps = _unpack_marks(both[0]), _unpack_marks(both[1])
            except (ValueError, TypeError, IndexError, KeyError, RecursionError):
                try:
                    fresh = load_yaml(self._text.encode("utf-8"))[1]
                except YamlError:  # pragma: no cover - a stored spec's text was valid YAML
                    fresh = SourceMap()
                self._maps = fresh.values, fresh.keys
        return self._maps

    @property  # type: ignore[override]
    def values(self) -> dict[Path_, Any]:
        return self._decoded()[0]

    @property  # type: ignore[override]
    def keys(self) -> dict[Path_, Any]:
        return self._decoded()[1]


class LazyData:
    """Mixin for a restored source: its raw YAML data (read only while
    validating, which a restored spec skips) is parsed from ``text`` when
    first read. A data of None means not read yet."""

    text: str
    _data: Any = None

    @property
    def data(self) -> Any:
        if self._data is None:
            self._data = load_yaml(self.text.encode("utf-8"))[0]
        return self._data

    @data.setter
    def data(self, value: Any) -> None:
        self._data = value


# ---------------------------------------------------------------- values


def pack(key: str, spec: Spec, positions: SourceMap) -> dict[str, Any] | None:
    """The value to store for a valid spec, or None when its JSON would not
    rebuild an equal model (then it is simply not stored)."""
    model = spec.model_dump_json(exclude_unset=True)
    try:
        if Spec.model_validate_json(model) != spec:
            return None
    except ValidationError:
        return None
    packed = json.dumps([_pack_marks(positions.values), _pack_marks(positions.keys)], separators=(",", ":"))
    return {"format": FORMAT, "key": key, "spec": model, "positions": packed}


def unpack(value: Any, key: str, text: str) -> tuple[Spec, SourceMap] | None:
    """The spec and positions of a stored value, or None for anything that is
    not a value :func:`pack` made under ``key``."""
    if not isinstance(value, dict) or value.get("format") != FORMAT or value.get("key") != key:
        return None
    model, packed = value.get("spec"), value.get("positions")
    if not isinstance(model, str) or not isinstance(packed, str):
        return None
    try:
        spec = Spec.model_validate_json(model)
    except (ValidationError, ValueError, RecursionError):
        return None
    return spec, PackedSourceMap(packed, text)


def recall(memo: Memo | None, raw: bytes | None, name: str) -> tuple[Spec, SourceMap, str] | None:
    """The spec, positions and text remembered for a file's bytes, or None
    (no memo, a file not read, a miss, or a stored value not to be trusted)."""
    if memo is None or raw is None:
        return None
    key = memo_key(raw, name)
    text = raw.decode("utf-8", "replace")  # as the loader decodes it
    found = unpack(memo.get(key), key, text)
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
