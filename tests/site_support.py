"""Helpers for the handover-site tests: markup injection and HTML inspection."""

from __future__ import annotations

import hashlib
import posixpath
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

PROBE = "xss-probe"
PAYLOAD = (
    f' <script>window.__xss=1</script><img src=x onerror="window.__xss=2" class="{PROBE}">'
    f'<b class="{PROBE}">b</b> *em* [link](https://evil.example) {{: .{PROBE} }} `code`'
)
"""Appended to every free-text field: HTML, Markdown and attribute-list syntax."""
NOT_INJECTED = frozenset({"logo", "field"})
"""Keys whose text must stay usable: a file path, a rule's field path."""


def _paths(data: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    if isinstance(data, dict):
        for key, value in data.items():
            if key not in NOT_INJECTED:
                yield from _paths(value, (*path, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from _paths(value, (*path, index))
    elif isinstance(data, str):
        yield path


def _get(data: Any, path: tuple[Any, ...]) -> Any:
    for part in path:
        data = data[part]
    return data


def _set(data: Any, path: tuple[Any, ...], value: Any) -> None:
    _get(data, path[:-1])[path[-1]] = value


def inject_markup(data: dict[str, Any], model: type[BaseModel]) -> int:
    """Append :data:`PAYLOAD` to every string of ``data`` the model accepts as
    free text (ids, enums, durations... are put back when validation rejects
    them). Returns how many fields carry the payload."""
    injected = {path: _get(data, path) for path in _paths(data)}
    for path, value in injected.items():
        _set(data, path, value + PAYLOAD)
    while True:
        try:
            model.model_validate(data)
            return len(injected)
        except ValidationError as exc:
            rejected = set()
            for error in exc.errors():
                loc = tuple(p for p in error["loc"] if isinstance(p, (str, int)))
                rejected |= {p for p in injected if loc[: len(p)] == p or p[: len(loc)] == loc}
            if not rejected:
                raise
            for path in rejected:
                _set(data, path, injected.pop(path))


@dataclass
class PageScan:
    """What the HTML of a built site contains, for the checks of the tests."""

    probes: list[str] = field(default_factory=list)
    """Elements carrying the probe class: markup that escaped."""
    handlers: list[str] = field(default_factory=list)
    """Event-handler attributes (onerror=...)."""
    inline_scripts: list[str] = field(default_factory=list)
    """Inline scripts mentioning the payload."""
    foreign: list[str] = field(default_factory=list)
    """Assets (script, stylesheet, image, font) from another host."""
    text: list[str] = field(default_factory=list)


class _Scanner(HTMLParser):
    def __init__(self, page: str, scan: PageScan) -> None:
        super().__init__(convert_charrefs=True)
        self.page = page
        self.scan = scan
        self._script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if PROBE in (values.get("class") or ""):
            self.scan.probes.append(f"{self.page}: <{tag} {values}>")
        self.scan.handlers.extend(f"{self.page}: {tag}[{name}]" for name, _ in attrs if name.startswith("on"))
        source = values.get("src") or (values.get("href") if tag == "link" else None)
        if tag in {"script", "link", "img", "iframe", "source"} and source and re.match(r"(?i)^(https?:)?//", source):
            self.scan.foreign.append(f"{self.page}: <{tag}> {source}")
        self._script = tag == "script" and "src" not in values

    def handle_endtag(self, tag: str) -> None:
        self._script = False

    def handle_data(self, data: str) -> None:
        if self._script and "__xss" in data:
            self.scan.inline_scripts.append(f"{self.page}: {data[:80]}")
        elif not self._script:
            self.scan.text.append(data)


def scan_site(site: Path) -> PageScan:
    """Scan every HTML page of a built site."""
    scan = PageScan()
    for page in sorted(site.rglob("*.html")):
        scanner = _Scanner(page.relative_to(site).as_posix(), scan)
        scanner.feed(page.read_text(encoding="utf-8"))
        scanner.close()
    return scan


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.hrefs: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if values.get("id"):
            self.ids.add(values["id"] or "")
        if tag == "a" and values.get("href"):
            self.hrefs.append(values["href"] or "")


def broken_links(site: Path) -> tuple[list[str], int]:
    """Links between the site's pages whose file or anchor does not exist,
    and how many links were checked (404.html aside)."""
    pages: dict[str, _Links] = {}
    for page in site.rglob("*.html"):
        if page.name == "404.html":  # served for any missing URL, so its links are absolute
            continue
        parser = _Links()
        parser.feed(page.read_text(encoding="utf-8"))
        pages[page.relative_to(site).as_posix()] = parser
    broken, checked = [], 0
    for name, parser in sorted(pages.items()):
        for href in parser.hrefs:
            if re.match(r"^[a-z]+:", href):
                continue
            target, _, anchor = href.partition("#")
            resolved = posixpath.normpath(posixpath.join(posixpath.dirname(name), target)) if target else name
            checked += 1
            if target and not (site / resolved).exists():
                broken.append(f"{name}: {href} (no file)")
            elif anchor and resolved in pages and anchor not in pages[resolved].ids:
                broken.append(f"{name}: {href} (no anchor)")
    return broken, checked


def file_digests(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` (relative POSIX path) with the sha256 of its bytes."""
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def add_hostile_copy(tree: Path, spec_data: dict[str, Any]) -> None:
    """A copy of ``spec_data`` (a spec as data) under ``tree/specs`` with
    :data:`PAYLOAD` in every free-text field: what a shortcut must keep as text."""
    from specgen.spec.schema import Spec

    data = {**spec_data, "id": "hostile-copy"}
    assert inject_markup(data, Spec) > 150
    (tree / "specs" / "hostile-copy.yml").write_text(yaml.safe_dump(data), encoding="utf-8")


def built_both_ways(run: Any, tree: Path, switch_off: Any) -> tuple[Path, Path]:
    """The site of ``tree`` built (no cache, one process) as it is, then again
    after ``switch_off()`` turns a shortcut off; asserts both are byte-identical."""
    assert run("build", "specs", "-o", "with", "--no-cache", "--jobs", "1", cwd=tree).exit_code == 0
    switch_off()
    assert run("build", "specs", "-o", "without", "--no-cache", "--jobs", "1", cwd=tree).exit_code == 0
    assert file_digests(tree / "with") == file_digests(tree / "without")
    return tree / "with", tree / "without"
