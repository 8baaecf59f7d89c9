"""Safe YAML loading that remembers where every value came from.

PyYAML's ``safe_load`` loses source positions, silently keeps the last of two
duplicate keys, and expands aliases without limit ("billion laughs"). This
module composes the node graph with libyaml's C parser when it is present,
then builds plain Python values itself so that it can:

* record the line and column of every key and value, keyed by its path
  (``("decisions", 1, "approver")``);
* refuse duplicate keys and YAML merge keys;
* stop as soon as alias expansion produces more values than a spec could hold.

Mapping keys are kept as the text written (``on:`` stays ``"on"``), values are
resolved with YAML's safe types (str, int, float, bool, null, date).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import yaml

from specgen.errors import SpecgenError

try:  # libyaml is several times faster; fall back to pure Python when absent
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

__all__ = ["MAX_VALUES", "Mark", "Path_", "SourceMap", "YamlError", "load_yaml"]

MAX_VALUES = 250_000
"""Most values one file may expand to (a large spec holds a few thousand)."""

MAX_DEPTH = 64
"""Deepest nesting accepted; the spec format needs fewer than ten levels."""

Path_ = tuple[str | int, ...]


@dataclass(frozen=True, order=True)
class Mark:
    """A 1-based line and column in a source file."""

    line: int
    column: int


class YamlError(SpecgenError):
    """The text is not YAML a spec can be read from."""

    def __init__(self, message: str, mark: Mark | None = None, path: Path_ = ()) -> None:
        super().__init__(message)
        self.message = message
        self.mark = mark
        self.path = path


@dataclass
class SourceMap:
    """Positions of values (and of their keys) by path.

    The parser's own mark objects are stored as they are and turned into
    1-based :class:`Mark` values only when asked for: most positions of a
    valid spec are never read.
    """

    values: dict[Path_, Any] = field(default_factory=dict)
    keys: dict[Path_, Any] = field(default_factory=dict)

    def locate(self, path: Path_, *, key: bool = False) -> Mark:
        """Position of ``path``; of its nearest ancestor if it is not written."""
        for end in range(len(path), -1, -1):
            prefix = tuple(path[:end])
            if key and prefix in self.keys:
                return _as_mark(self.keys[prefix])
            if prefix in self.values:
                return _as_mark(self.values[prefix])
        return Mark(1, 1)

    def has(self, path: Path_) -> bool:
        return tuple(path) in self.values


def _as_mark(raw: Any) -> Mark:
    return raw if isinstance(raw, Mark) else Mark(raw.line + 1, raw.column + 1)


def _mark(node: yaml.Node) -> Mark:
    return _as_mark(node.start_mark)


_STR_TAG = "tag:yaml.org,2002:str"
_MERGE_TAG = "tag:yaml.org,2002:merge"


class _Builder:
    def __init__(self, loader: Any, limit: int) -> None:
        self.loader = loader
        self.limit = limit
        self.count = 0
        self.source_map = SourceMap()
        self._values = self.source_map.values
        self._keys = self.source_map.keys

    def build(self, node: yaml.Node, path: Path_) -> Any:
        self.count += 1
        if self.count > self.limit:
            raise YamlError(
                f"the document expands to more than {self.limit:,} values "
                "(through anchors and aliases?); refusing to load it",
                _mark(node),
                path,
            )
        if len(path) > MAX_DEPTH:
            raise YamlError(
                f"the document nests deeper than {MAX_DEPTH} levels (a recursive alias?)",
                _mark(node),
                path,
            )
        if path not in self._values:
            self._values[path] = node.start_mark
        if isinstance(node, yaml.ScalarNode):
            if node.tag == _STR_TAG:  # most values: skip the constructor's bookkeeping
                return node.value
            return self.loader.construct_object(node, deep=True)
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path)
        return [self.build(item, (*path, i)) for i, item in enumerate(node.value)]

    def _mapping(self, node: yaml.MappingNode, path: Path_) -> dict[str, Any]:
        result: dict[str, Any] = {}
        keys = self._keys
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE_TAG:
                raise YamlError("merge keys ('<<') are not supported: write the fields out", _mark(key_node), path)
            if not isinstance(key_node, yaml.ScalarNode):
                raise YamlError("a key must be plain text, not a list or mapping", _mark(key_node), path)
            key = str(key_node.value)
            child = (*path, key)
            if key in result:
                first = _as_mark(keys[child])
                raise YamlError(
                    f"duplicate key '{key}' (first defined at line {first.line}); "
                    "YAML would silently keep only the last one",
                    _mark(key_node),
                    child,
                )
            keys[child] = key_node.start_mark
            result[key] = self.build(value_node, child)
        return result


def _problem_mark(exc: yaml.MarkedYAMLError) -> Mark | None:
    mark = exc.problem_mark or exc.context_mark
    return Mark(mark.line + 1, mark.column + 1) if mark else None


def _explain(exc: yaml.MarkedYAMLError, text: str = "") -> str:
    problem = (exc.problem or "").strip()
    mark = exc.problem_mark
    if mark is not None and 0 <= mark.index < len(text) and text[mark.index] == "\t":
        return "tab character: YAML indents with spaces only, replace the tab with spaces"
    if "found duplicate anchor" in problem:
        return problem
    if problem.startswith("mapping values are not allowed"):
        return "not valid YAML: a ': ' inside a value starts a mapping here; put the whole text in quotes"
    context = (exc.context or "").strip()
    text = f"{context}: {problem}" if context else problem
    return f"not valid YAML: {text}"


def _decode(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise YamlError(
            f"the file is not UTF-8 text (byte 0x{data[exc.start]:02x} cannot be decoded); save it as UTF-8",
            Mark(line, column),
        ) from None


def load_yaml(source: str | bytes, *, limit: int = MAX_VALUES) -> tuple[Any, SourceMap]:
    """Parse one YAML document into plain values and a :class:`SourceMap`.

    Raises :class:`YamlError` with a position for anything that is not a
    single, safe, well-formed document.
    """
    text = _decode(source) if isinstance(source, bytes) else source
    if not text.strip() or all(not line.strip() or line.lstrip().startswith("#") for line in text.splitlines()):
        raise YamlError("the file is empty", Mark(1, 1))
    loader = _Loader(text)
    try:
        try:
            node = loader.get_single_node()
        except yaml.composer.ComposerError as exc:
            if "expected a single document" in str(exc.context or ""):
                raise YamlError(
                    "the file holds more than one YAML document ('---'); put one spec per file",
                    _problem_mark(exc),
                ) from None
            raise YamlError(_explain(exc, text), _problem_mark(exc)) from None
        except yaml.MarkedYAMLError as exc:
            raise YamlError(_explain(exc, text), _problem_mark(exc)) from None
        except yaml.YAMLError as exc:  # pragma: no cover - unmarked reader errors
            raise YamlError(f"not valid YAML: {exc}") from None
        if node is None:
            raise YamlError("the file is empty", Mark(1, 1))
        builder = _Builder(loader, limit)
        try:
            data = builder.build(node, ())
        except yaml.constructor.ConstructorError as exc:
            raise YamlError(_explain(exc, text), _problem_mark(exc)) from None
        return data, builder.source_map
    finally:
        loader.dispose()


def iter_paths(data: Any, path: Path_ = ()) -> Iterator[tuple[Path_, Any]]:
    """Every (path, value) pair in a loaded document, depth first."""
    yield path, data
    if isinstance(data, dict):
        for key, value in data.items():
            yield from iter_paths(value, (*path, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from iter_paths(value, (*path, index))
