"""One Markdown instance per build (:mod:`specgen.site.mdreuse`).

Reusing the instance must not change a byte, whatever a page before left
behind: the site is built both ways from the examples plus a spec with
markup in every text field and compared file by file; a conversion that
fails must not leave its instance to the next page.
"""

from __future__ import annotations

from pathlib import Path

import markdown
import pytest
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page

from specgen.site import mdreuse
from tests.site_support import add_hostile_copy, built_both_ways


def _counting(monkeypatch: pytest.MonkeyPatch) -> list[markdown.Markdown]:
    """Every Markdown instance the converter makes, in order."""
    made: list[markdown.Markdown] = []

    class Counted(markdown.Markdown):
        def __init__(self, *args, **kwargs) -> None:
            super().__init__(*args, **kwargs)
            made.append(self)

    monkeypatch.setattr(mdreuse.markdown, "Markdown", Counted)
    return made


@pytest.mark.slow
def test_the_site_is_the_same_with_one_instance_and_with_one_per_page(
    run, example_tree: Path, credit_data: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_hostile_copy(example_tree, credit_data)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    made = _counting(monkeypatch)
    counts: list[int] = []

    def switch_off() -> None:
        counts.append(len(made))
        monkeypatch.setattr(mdreuse, "REUSE", False)

    reused, _ = built_both_ways(run, example_tree, switch_off)
    pages = len(list(reused.rglob("*.html")))
    assert pages > 30
    assert counts == [2]  # mkdocs' check of the configuration's, then the one every page went through
    assert len(made) - counts[0] > pages / 2  # mkdocs' own Page.render: one per page


def _config(tmp_path: Path) -> MkDocsConfig:
    config = MkDocsConfig(config_file_path=str(tmp_path / "mkdocs.yml"))
    (tmp_path / "docs").mkdir(exist_ok=True)
    config.load_dict(
        {
            "site_name": "t",
            "docs_dir": str(tmp_path / "docs"),
            "markdown_extensions": ["admonition", "attr_list", {"toc": {"permalink": True}}],
        }
    )
    errors, warnings = config.validate()
    assert not errors and not warnings
    return config


class _Pages:
    """Pages of one folder, as mkdocs makes them."""

    def __init__(self, tmp_path: Path) -> None:
        self.config = _config(tmp_path)
        self.files = Files([])

    def page(self, name: str, text: str) -> Page:
        file = File(f"a/{name}.md", src_dir=None, dest_dir=self.config.site_dir, use_directory_urls=False)
        file.content_string = text
        self.files.append(file)
        page = Page(None, file, self.config)
        page.read_source(self.config)
        return page


def test_a_page_after_another_converts_as_on_its_own(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pages = _Pages(tmp_path)
    made = _counting(monkeypatch)
    converter = mdreuse.Converter()
    first = pages.page("one", "# Same\n\n[ref]: https://example.org\n\n!!! note\n    text\n\n## Same")
    second = pages.page("two", "# Same\n\nuses [the ref][ref]")
    converter.render(first, pages.config, pages.files)
    converter.render(second, pages.config, pages.files)
    alone = pages.page("three", second.markdown)
    mdreuse.Converter().render(alone, pages.config, pages.files)
    assert len(made) == 2
    assert second.content == alone.content
    assert 'id="same"' in second.content  # not same_1: the first page's ids are forgotten
    assert "[the ref][ref]" in second.content  # nor its link definitions
    assert [(a.id, a.title) for a in second.toc] == [(a.id, a.title) for a in alone.toc]
    assert second._title_from_render == "Same"


def test_a_failed_conversion_drops_its_instance(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pages = _Pages(tmp_path)
    made = _counting(monkeypatch)
    converter = mdreuse.Converter()
    converter.render(pages.page("one", "# One"), pages.config, pages.files)

    def broken(text: str) -> str:
        raise ValueError("half-way")

    monkeypatch.setattr(made[0], "convert", broken)
    with pytest.raises(ValueError, match="half-way"):
        converter.render(pages.page("two", "# Two"), pages.config, pages.files)
    page = pages.page("three", "# Three")
    converter.render(page, pages.config, pages.files)
    assert len(made) == 2
    assert page._title_from_render == "Three"
