"""Reusing specgen's own rendering of a page when nothing it shows changed.

A page's Markdown is a function of declared inputs, digested into its key:

==========================  ===================================================
input                        digested as
==========================  ===================================================
specgen itself               the bytes of its Python modules (a development
                             edit counts, not only a new version) and the
                             versions of Jinja and Python
the templates                every template and data file, bundled and the
                             user's (not the site's assets or theme)
the project                  the project file's text
the links between pages      every page's title and what each page hosts
the site's other files       the evidence result files copied into it
the page                     its path, title, template and definition
the workflow (its pages)     the spec's text, name and path; its readiness
                             report; its history, recorded approvals, their
                             attribution and its evidence
==========================  ===================================================

Only the bundled page definitions are memoised (a caller's own may hold any
function). A page that reads the site as a whole (``site`` in its context:
the home page, the glossary, or a user's template that lists the workflows)
is rendered every time: the :class:`WatchedSite` given to it notices.
Inputs that cannot be digested (a type :func:`canonical` does not know)
make their workflow's pages render every time, never hit wrongly.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import json
from collections.abc import Iterable, Mapping
from functools import lru_cache
from pathlib import Path, PurePath
from typing import Any, Protocol

from pydantic import BaseModel

from specgen.derivation import derived_from
from specgen.site.cache import digest, tool_versions
from specgen.spec.memo import code_salt

__all__ = ["Memo", "PageText", "WatchedSite", "canonical", "code_digest", "fingerprint", "folder_digest"]

FORMAT = "specgen-page-memo 1"


class Memo(Protocol):
    """Where rendered pages are kept (the build cache, :class:`specgen.site.cache.SiteCache`)."""

    def get(self, key: str) -> Any | None: ...

    def put(self, key: str, value: Any) -> None: ...

    def keep(self, key: str) -> None:
        """Keep the entry under ``key`` though it was not read."""


_PLAIN = (str, bool, int, float, type(None))
_FIELDS: dict[type, tuple[str, ...] | None] = {}


def _dataclass_fields(kind: type) -> tuple[str, ...] | None:
    if kind not in _FIELDS:
        is_dataclass = dataclasses.is_dataclass(kind)
        _FIELDS[kind] = tuple(f.name for f in dataclasses.fields(kind)) if is_dataclass else None
    return _FIELDS[kind]


def canonical(value: Any) -> Any:
    """``value`` as JSON data with one spelling per meaning (sorted mappings
    and sets, dates as ISO text). Raises ``TypeError`` for a type it does not know."""
    kind = type(value)
    if kind in _PLAIN:
        return value
    if kind is list or kind is tuple:
        return [canonical(v) for v in value]
    names = _dataclass_fields(kind)
    if names is not None:
        derived = derived_from(value)  # what it was computed from, when that is known (specgen.derivation)
        if derived is not None:
            return [kind.__name__, "derived from", derived]
        return [kind.__name__, {name: canonical(getattr(value, name)) for name in names}]
    if isinstance(value, enum.Enum):
        return [kind.__name__, canonical(value.value)]
    if isinstance(value, _PLAIN):  # subclasses of str and int
        return value
    if isinstance(value, (list, tuple)):
        return [canonical(v) for v in value]
    if isinstance(value, (dt.date, dt.datetime, dt.time)):
        return [kind.__name__, value.isoformat()]
    if isinstance(value, PurePath):
        return ["path", value.as_posix()]
    if isinstance(value, BaseModel):
        return [kind.__name__, value.model_dump(mode="json")]
    if kind is dict and _text_map(value):  # the same data as below, without a call per key and value
        return ["map", sorted([k, v] for k, v in value.items())]
    if isinstance(value, Mapping):
        return ["map", sorted([canonical(k), canonical(v)] for k, v in value.items())]
    if isinstance(value, (set, frozenset)):
        if all(isinstance(v, str) for v in value):
            return ["set", sorted(value)]
        return ["set", sorted(json.dumps(canonical(v), sort_keys=True) for v in value)]
    raise TypeError(f"cannot digest a {kind.__name__}")


def _text_map(value: dict[Any, Any]) -> bool:
    """Whether every key of ``value`` is text or a tuple of texts, and every
    value text: :func:`canonical` of each is itself (a tuple spelt as a list),
    as the index of a site's pages is (12,000 titles at 1,000 specs)."""
    return all(type(v) is str for v in value.values()) and all(
        type(k) is str or (type(k) is tuple and all(type(part) is str for part in k)) for k in value
    )


def fingerprint(*values: Any) -> str:
    """The digest of ``values`` (see :func:`canonical`)."""
    return digest(json.dumps([canonical(v) for v in values], sort_keys=True, separators=(",", ":")))


def _files_digest(files: Iterable[tuple[str, Path]]) -> str:
    return digest(*(part for name, path in files for part in (name, path.read_bytes())))


def folder_digest(folder: Path | None, *, skip: tuple[str, ...] = ()) -> str:
    """The digest of every file under ``folder`` (names and bytes), but those under ``skip``."""
    if folder is None or not folder.is_dir():
        return digest("none")
    files = []
    for path in sorted(folder.rglob("*")):
        name = path.relative_to(folder).as_posix()
        if path.is_file() and not any(name == s or name.startswith(f"{s}/") for s in skip):
            files.append((name, path))
    return _files_digest(files)


@lru_cache(maxsize=1)
def code_digest() -> str:
    """The digest of specgen's own modules (:func:`specgen.spec.memo.code_salt`)
    and of the tools rendering depends on."""
    return digest(FORMAT, tool_versions(), code_salt())


class WatchedSite:
    """The site view, noting whether a template read it."""

    def __init__(self, site: Any) -> None:
        self._site = site
        self.read = False

    def __getattr__(self, name: str) -> Any:
        self.read = True
        return getattr(self._site, name)

    def __bool__(self) -> bool:
        self.read = True
        return bool(self._site)


class PageText:
    """A page's Markdown by its digest and size; the text itself is taken
    from the memo, or rendered again, only when something reads it (a page
    kept from the previous site never is)."""

    __slots__ = ("_load", "_text", "digest", "size")

    def __init__(self, digest_: str, size: int, text: str | None = None, load: Any = None) -> None:
        self.digest = digest_
        self.size = size
        """Bytes of the text in UTF-8."""
        self._text = text
        self._load = load

    @classmethod
    def of(cls, text: str, load: Any = None) -> PageText:
        """A text just rendered (``load``: how to have it again once released)."""
        return cls(digest(text), len(text.encode("utf-8")), text, load)

    def release(self) -> None:
        """Let go of the text (read again if needed) when it can be had again."""
        if self._load is not None:
            self._text = None

    @property
    def text(self) -> str:
        if self._text is None:
            text = self._load()
            if digest(text) != self.digest:  # cannot happen: the same inputs render the same text
                raise ValueError("a kept page does not match its digest")
            self._text = text
        return self._text
