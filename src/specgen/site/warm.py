"""What a long-lived process (``specgen serve``) keeps between its builds.

The build cache (:mod:`specgen.site.cache`) stores JSON; every build of a
fresh process turns it back into objects: a validated spec from its JSON
(pydantic validates it again), the rules' outcomes, a page's record. At
1,000 specs that is about a second of every edit, spent turning unchanged
data into the same objects as last time.

A :class:`Warm` lives as long as the preview and is handed to each build's
cache (:func:`specgen.site.cache.open_cache`). :meth:`SiteCache.restored`
then returns the object an earlier build of this process restored or stored
under the same key and variant, instead of reading and converting the entry
again. The keys are the cache's own (digests of every input), so an object
is found only where the entry it was made from would be; the variant tells
apart objects made from one entry for different readers (the rules'
outcomes for one set of rules or another).

What it asks of the code that reads these objects: never change one. They
are shared by every later build of the process, so a change would leak into
builds whose inputs never asked for it. The specs are frozen pydantic models;
the other objects are read only. The equivalence test of the edit loop runs
through a preview (``tests/test_site_serve_warm.py``) to show the bytes stay
those of a clean build.

Only what the last build used is kept (:meth:`Warm.retain`), so the memory
held is about one build's worth of these objects.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

__all__ = ["Warm"]


class Warm:
    """Objects restored from (or stored in) the build cache, by key and variant."""

    def __init__(self) -> None:
        self._objects: dict[tuple[str, str], Any] = {}

    def get(self, key: str, variant: str = "") -> Any | None:
        """The object kept under ``key`` and ``variant``, or None."""
        return self._objects.get((key, variant))

    def put(self, key: str, variant: str, value: Any) -> None:
        """Keep ``value`` (never None) under ``key`` and ``variant``."""
        if value is not None:
            self._objects[(key, variant)] = value

    def retain(self, keys: Collection[str]) -> None:
        """Drop every object whose key is not in ``keys`` (those the last build used)."""
        self._objects = {found: value for found, value in self._objects.items() if found[0] in keys}

    def __len__(self) -> int:
        return len(self._objects)
