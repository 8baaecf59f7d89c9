"""Safe YAML loading that remembers where every value came from.

PyYAML's ``safe_load`` loses source positions, silently keeps the last of two
duplicate keys, and expands aliases without limit ("billion laughs"). This
module composes the node graph with libyaml's C parser when it is present,
then builds plain Python values itself so that it can:

* record the line and column of every key and value, keyed by its path
  (``("decisions", 1, "approver")``);
* refuse duplicate keys and YAML merge keys;
* stop as soon as alias expansion produces more values, or more bytes of
  text, than a spec could hold, naming the line of the alias that did it;
* keep a scalar Python cannot construct (``2026-02-30``, an integer over its
  4,300-digit limit) as its text, marked as :class:`UnreadableScalar`, so that
  the schema reports it where it is, beside every other problem of the file.

Mapping keys are kept as the text written (``on:`` stays ``"on"``), values are
resolved with YAML's safe types (str, int, float, bool, null, date).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import yaml

from specgen.errors import SpecgenError

try:  # libyaml is several times faster; fall back to pure Python when absent
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

__all__ = [
    "MAX_EXPANDED_BYTES",
    "MAX_VALUES",
    "Mark",
    "Path_",
    "SourceMap",
    "UnreadableScalar",
    "YamlError",
    "load_yaml",
]

MAX_VALUES = 250_000
"""Most values one file may expand to (a large spec holds a few thousand)."""

MAX_EXPANDED_BYTES = 10 * 1024 * 1024
"""Most bytes of text (keys and values, UTF-8) one file may expand to through
aliases: twice the largest file read (``loader.MAX_FILE_BYTES``). A spec of
the largest size without aliases stays under it; one large text repeated
thousands of times through aliases does not."""

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
        self.alias = 0
        """The ordinal of the alias whose expansion went over a budget (0: none)."""


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


class UnreadableScalar(str):
    """A scalar YAML typed as a date or a number that is not one Python can
    hold (``2026-02-30``, ``2026-13-01``, an integer of more than 4,300
    digits). It stays its text; ``kind`` and ``reason`` say what is wrong, for
    the message of the field that expected a date or a number."""

    kind: str
    reason: str

    def __new__(cls, text: str, kind: str, reason: str) -> UnreadableScalar:
        value = super().__new__(cls, text)
        value.kind = kind
        value.reason = reason
        return value

    def describe(self) -> str:
        shown = self if len(self) <= 40 else self[:37] + "..."
        return f"'{shown}' is not a valid {self.kind}: {self.reason}"


_KIND_OF_TAG = {
    "tag:yaml.org,2002:timestamp": "date",
    "tag:yaml.org,2002:int": "number",
    "tag:yaml.org,2002:float": "number",
}


def _int_digits_limit() -> int:
    return int(getattr(sys, "get_int_max_str_digits", lambda: 4300)())


def _text_bytes(text: str) -> int:
    return len(text) if text.isascii() else len(text.encode("utf-8", "surrogatepass"))


_STR_TAG = "tag:yaml.org,2002:str"
_MERGE_TAG = "tag:yaml.org,2002:merge"


class _Builder:
    """Builds plain values from the node graph, counting values and bytes.

    A node met a second time is an alias. The aliases met outside another
    alias's expansion are, in order, the alias events of the document, so
    their ordinal finds the alias's own line when a budget is exceeded (the
    node graph keeps only the anchor's position).
    """

    def __init__(self, loader: Any, limit: int, max_bytes: int) -> None:
        self.loader = loader
        self.limit = limit
        self.max_bytes = max_bytes
        self.count = 0
        self.size = 0
        self.aliases = 0
        """Aliases met so far outside another alias's expansion."""
        self.expanding = 0
        """How many aliases deep the builder is now."""
        self.built: set[int] = set()
        self.source_map = SourceMap()
        self._values = self.source_map.values
        self._keys = self.source_map.keys

    def _over(self, message: str, node: yaml.Node, path: Path_) -> YamlError:
        error = YamlError(message, _mark(node), path)
        error.alias = self.aliases if self.expanding else 0
        return error

    def _met(self, node: yaml.Node) -> bool:
        """Note ``node`` as seen; true (and one more alias) when it was seen before."""
        key = id(node)
        if key not in self.built:
            self.built.add(key)
            return False
        if not self.expanding:
            self.aliases += 1
        return True

    def _count_text(self, text: str, node: yaml.Node, path: Path_) -> None:
        self.size += _text_bytes(text)
        if self.size > self.max_bytes:
            raise self._over(
                f"the document expands to more than {self.max_bytes // 1024 // 1024} MiB of text "
                "(an alias repeats a large value?); refusing to load it",
                node,
                path,
            )

    def build(self, node: yaml.Node, path: Path_) -> Any:
        if self._met(node):
            self.expanding += 1
            try:
                return self._build(node, path)
            finally:
                self.expanding -= 1
        return self._build(node, path)

    def _build(self, node: yaml.Node, path: Path_) -> Any:
        self.count += 1
        if self.count > self.limit:
            raise self._over(
                f"the document expands to more than {self.limit:,} values "
                "(through anchors and aliases?); refusing to load it",
                node,
                path,
            )
        if len(path) > MAX_DEPTH:
            raise self._over(
                f"the document nests deeper than {MAX_DEPTH} levels (a recursive alias?)",
                node,
                path,
            )
        if path not in self._values:
            self._values[path] = node.start_mark
        if isinstance(node, yaml.ScalarNode):
            self._count_text(node.value, node, path)
            if node.tag == _STR_TAG:  # most values: skip the constructor's bookkeeping
                return node.value
            return self._construct(node)
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path)
        return [self.build(item, (*path, i)) for i, item in enumerate(node.value)]

    def _construct(self, node: yaml.ScalarNode) -> Any:
        try:
            return self.loader.construct_object(node, deep=True)
        except (ValueError, OverflowError) as exc:  # 2026-02-30; an int over 4,300 digits
            self.loader.recursive_objects.pop(node, None)
            kind = _KIND_OF_TAG.get(node.tag, "value")
            reason = str(exc) if kind != "number" else f"it has more than {_int_digits_limit():,} digits"
            return UnreadableScalar(node.value, kind, reason)

    def _mapping(self, node: yaml.MappingNode, path: Path_) -> dict[str, Any]:
        result: dict[str, Any] = {}
        keys = self._keys
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE_TAG:
                raise YamlError("merge keys ('<<') are not supported: write the fields out", _mark(key_node), path)
            if not isinstance(key_node, yaml.ScalarNode):
                raise YamlError("a key must be plain text, not a list or mapping", _mark(key_node), path)
            aliased = self._met(key_node)
            self.expanding += aliased
            self._count_text(key_node.value, key_node, path)
            self.expanding -= aliased
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


def _alias_mark(text: str, ordinal: int) -> Mark | None:
    """Where the ``ordinal``-th alias (``*name``) of the document is written."""
    loader = _Loader(text)
    try:
        seen = 0
        while loader.check_event():
            event = loader.get_event()
            if isinstance(event, yaml.AliasEvent):
                seen += 1
                if seen == ordinal:
                    return _as_mark(event.start_mark)
    except yaml.YAMLError:  # pragma: no cover - the text was parsed once already
        pass
    finally:
        loader.dispose()
    return None


def load_yaml(
    source: str | bytes, *, limit: int = MAX_VALUES, max_bytes: int = MAX_EXPANDED_BYTES
) -> tuple[Any, SourceMap]:
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
        builder = _Builder(loader, limit, max_bytes)
        try:
            data = builder.build(node, ())
        except yaml.constructor.ConstructorError as exc:
            raise YamlError(_explain(exc, text), _problem_mark(exc)) from None
        except YamlError as exc:
            if exc.alias:
                exc.mark = _alias_mark(text, exc.alias) or exc.mark
            raise
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
