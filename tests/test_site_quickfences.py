"""Pages without a fence skip superfences' scan (:mod:`specgen.site.quickfences`).

The same HTML must come out with and without the shortcut: for hostile
text, fenced blocks of every kind specgen or a user's template could write,
and the whole example site with markup in every field of a spec.
"""

from __future__ import annotations

from pathlib import Path

import markdown
import pytest
import yaml

from specgen.site import quickfences
from specgen.site.engine import _resolve_names
from specgen.site.mkdocs import PythonName, mkdocs_config
from specgen.spec.schema import Project
from tests.hostile import HOSTILE
from tests.paths import PROJECT_FILE
from tests.site_support import add_hostile_copy, built_both_ways

FENCED = [
    "```mermaid\ngraph TD\n  A --> B\n```",
    "text\n\n~~~python\nprint(1)\n~~~\n",
    "> ```\n> quoted fence\n> ```",
    "- item\n\n    ```\n    indented fence\n    ```",
    "```` unterminated\nno end",
    "inline ``` three ticks ``` in a sentence",
]


def _markdown() -> markdown.Markdown:
    """A Markdown instance with the site's extensions, as mkdocs configures them."""
    project = Project.model_validate(yaml.safe_load(PROJECT_FILE.read_text(encoding="utf-8")))
    config = _resolve_names(mkdocs_config(project, []))
    extensions, configs = [], {}
    for item in config["markdown_extensions"]:
        if isinstance(item, dict):
            ((name, settings),) = item.items()
            extensions.append(name)
            configs[name] = settings
        else:
            extensions.append(item)
    assert "specgen.site.quickfences" in extensions
    assert not any(isinstance(v, PythonName) for v in configs.get("pymdownx.superfences", {}).values())
    return markdown.Markdown(extensions=extensions, extension_configs=configs)


def _scans(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    from pymdownx.superfences import SuperFencesBlockPreprocessor

    calls: list[int] = []
    search = SuperFencesBlockPreprocessor.search_nested

    def counted(self, lines):
        calls.append(len(lines))
        return search(self, lines)

    monkeypatch.setattr(SuperFencesBlockPreprocessor, "search_nested", counted)
    return calls


@pytest.mark.parametrize("text", HOSTILE + FENCED)
def test_the_html_is_the_same_with_and_without_the_shortcut(text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    scans = _scans(monkeypatch)
    quick = _markdown().convert(text)
    skipped = not scans
    monkeypatch.setattr(quickfences, "QUICK", False)
    assert _markdown().convert(text) == quick
    assert scans  # superfences scanned with the shortcut off
    assert skipped == ("```" not in text and "~~~" not in text)


def test_a_fence_is_still_a_fence() -> None:
    html = _markdown().convert("```mermaid\ngraph TD\n  A --> B\n```")
    assert '<pre class="mermaid"><code>graph TD' in html


def test_another_superfences_file_turns_the_shortcut_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(quickfences, "_SUPERFENCES_FILE", "0" * 64)
    monkeypatch.setattr(quickfences, "_CHECKED", {})
    scans = _scans(monkeypatch)
    _markdown().convert("no fence here")
    assert len(scans) == 1


@pytest.mark.slow
def test_the_site_is_the_same_with_and_without_the_shortcut(
    run, example_tree: Path, credit_data: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_hostile_copy(example_tree, credit_data)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    scans = _scans(monkeypatch)
    pages: list[int] = []

    def switch_off() -> None:
        pages.append(len(scans))
        monkeypatch.setattr(quickfences, "QUICK", False)

    with_it, _ = built_both_ways(run, example_tree, switch_off)
    converted = len(scans) - pages[0]
    assert 0 < pages[0] < converted / 2  # most pages skipped the scan; those with a diagram did not
    assert '<pre class="mermaid"' in (with_it / "workflows" / "credit-decision-assistant" / "decisions.html").read_text(
        encoding="utf-8"
    )
