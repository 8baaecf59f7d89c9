"""Source positions packed for the build cache, decoded only when asked for.

A spec restored from :mod:`specgen.spec.memo` needs the positions of its
fields only when something reports a problem at one, so they are stored as
the tree of the document (:func:`packed_positions`) and read back as a
:class:`PackedSourceMap` that decodes the part a look-up walks down; a
restored source parses its raw YAML again only if something reads it
(:class:`LazyData`).
"""

from __future__ import annotations

import json
from typing import Any

from specgen.errors import SpecgenError
from specgen.spec.yamlsrc import Mark, Path_, SourceMap, YamlError, load_yaml

__all__ = ["LazyData", "PackedSourceMap", "packed_positions"]


# # Positions are packed as the tree of the document: a node is
# [value line, value column, key line, key column] (1-based, 0 when there is
# no such mark), followed for a mapping by {key: node} and for a list by
# [node, ...]. One json.loads rebuilds it, and a look-up walks down the path
# (a few steps) instead of decoding every position of the file.


class _Unpackable(SpecgenError):
    """Positions that do not form a document's tree (caught here: the spec is
    not stored, or its positions come from parsing the text again)."""


def _pack_tree(positions: SourceMap) -> list[Any]:
    root: list[Any] = [0, 0, 0, 0]
    nodes: dict[Path_, list[Any]] = {(): root}
    for offset, marks in ((0, positions.values), (2, positions.keys)):
        for path, raw in marks.items():
            at = nodes.get(path) or _node(nodes, path)
            if isinstance(raw, Mark):
                at[offset], at[offset + 1] = raw.line, raw.column
            else:  # a parser's 0-based mark, read as yamlsrc._as_mark reads it
                at[offset], at[offset + 1] = raw.line + 1, raw.column + 1
    return root


def _node(nodes: dict[Path_, list[Any]], path: Path_) -> list[Any]:
    """The node of ``path`` in the tree ``nodes`` indexes, made with any missing
    ancestors. (A loop, not a recursive closure: a closure that calls itself is
    a reference cycle, which kept every spec's tree until the collector ran.)"""
    missing, at = [], path
    while at not in nodes:
        missing.append(at)
        at = at[:-1]
    for made_path in reversed(missing):
        parent, last = nodes[made_path[:-1]], made_path[-1]
        if len(parent) == 4:
            parent.append({} if isinstance(last, str) else [])
        children = parent[4]
        made: list[Any] = [0, 0, 0, 0]
        if isinstance(last, str) and isinstance(children, dict):
            children[last] = made
        elif type(last) is int and isinstance(children, list) and last == len(children):
            children.append(made)  # items come in order: a path's index is the next one
        else:
            raise _Unpackable(made_path)
        nodes[made_path] = made
    return nodes[path]


def _checked(node: Any) -> list[Any]:
    if (
        type(node) is not list
        or len(node) not in (4, 5)
        or not all(type(n) is int and n >= 0 for n in node[:4])
        or (len(node) == 5 and not isinstance(node[4], (dict, list)))
    ):
        raise _Unpackable("malformed positions")
    return node


class PackedSourceMap(SourceMap):
    """A :class:`SourceMap` read from :func:`pack`'s form when first used.

    :meth:`locate` and :meth:`has` walk down the packed tree; :attr:`values`
    and :attr:`keys` are built whole only when asked for. Should the packed
    form not decode, the positions come from parsing ``text`` again: never
    wrong, never an exception."""

    def __init__(self, packed: str, text: str) -> None:
        self._packed = packed
        self._text = text
        self._tree: list[Any] | None = None
        self._fallback: SourceMap | None = None
        self._maps: tuple[dict[Path_, Any], dict[Path_, Any]] | None = None

    def _reparsed(self) -> SourceMap:
        if self._fallback is None:
            try:
                self._fallback = load_yaml(self._text.encode("utf-8"))[1]
            except YamlError:  # pragma: no cover - a stored spec's text was valid YAML
                self._fallback = SourceMap()
        return self._fallback

    def _chain(self, path: Path_) -> list[list[Any]] | None:
        """The nodes from the root along ``path`` as far as it is written
        (None when the packed form turns out not to be sound)."""
        if self._fallback is not None:
            return None
        try:
            if self._tree is None:
                self._tree = _checked(json.loads(self._packed))
            current = self._tree
            chain = [current]
            for part in path:
                if len(current) == 4:
                    break
                children = current[4]
                found = None
                if isinstance(part, str) and isinstance(children, dict):
                    found = children.get(part)
                elif isinstance(part, int) and isinstance(children, list) and 0 <= part < len(children):
                    found = children[part]
                if found is None:
                    break
                current = _checked(found)
                chain.append(current)
            return chain
        except (_Unpackable, ValueError, TypeError, RecursionError):
            self._reparsed()
            return None

    def locate(self, path: Path_, *, key: bool = False) -> Mark:
        chain = self._chain(path)
        if chain is None:
            return self._reparsed().locate(path, key=key)
        for node in reversed(chain):
            if key and node[2]:
                return Mark(node[2], node[3])
            if node[0]:
                return Mark(node[0], node[1])
        return Mark(1, 1)

    def has(self, path: Path_) -> bool:
        chain = self._chain(path)
        if chain is None:
            return self._reparsed().has(path)
        return len(chain) == len(path) + 1 and chain[-1][0] > 0

    def _whole(self) -> tuple[dict[Path_, Any], dict[Path_, Any]]:
        if self._maps is None:
            values: dict[Path_, Any] = {}
            keys: dict[Path_, Any] = {}

            def walk(node: list[Any], path: Path_) -> None:
                _checked(node)
                if node[2]:
                    keys[path] = Mark(node[2], node[3])
                if node[0]:
                    values[path] = Mark(node[0], node[1])
                if len(node) == 5:
                    children = node[4]
                    pairs = children.items() if isinstance(children, dict) else enumerate(children)
                    for part, child in pairs:
                        walk(child, (*path, part))

            chain = self._chain(())
            try:
                if chain is None:
                    raise _Unpackable("not decoded")
                walk(chain[0], ())
                self._maps = values, keys
            except (_Unpackable, TypeError, RecursionError):
                fresh = self._reparsed()
                self._maps = fresh.values, fresh.keys
        return self._maps

    @property  # type: ignore[override]
    def values(self) -> dict[Path_, Any]:
        return self._whole()[0]

    @property  # type: ignore[override]
    def keys(self) -> dict[Path_, Any]:
        return self._whole()[1]


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


def packed_positions(positions: SourceMap) -> str | None:
    """``positions`` in the packed form a stored value holds (None when they
    do not form a document's tree)."""
    try:
        return json.dumps(_pack_tree(positions), separators=(",", ":"))  # ASCII: any text survives
    except (ValueError, TypeError, _Unpackable):
        return None
