"""Pages of sections are converted section by section (:mod:`specgen.site.sections`).

The printable page of a workflow repeats the section pages: it includes
their Markdown as rendered just before (:mod:`specgen.site.recent`), and the
extension converts it between page-break lines, taking a section's HTML from
a page converted just before when the Markdown is the same. Reused or made
afresh, the site must be the same.
"""

from __future__ import annotations

import re
from pathlib import Path

import markdown
import pytest

from specgen import load_portfolio
from specgen.rules import check_portfolio
from specgen.site import recent, sections
from specgen.site.build import build_site
from specgen.site.mkdocs import mkdocs_config
from specgen.spec.schema import Project

BREAK = sections.BREAK


def _md() -> markdown.Markdown:
    names = [e if isinstance(e, str) else next(iter(e)) for e in mkdocs_config(Project(), [])["markdown_extensions"]]
    assert "specgen.site.sections" in names
    keep = [n for n in names if not n.startswith("pymdownx")] + ["toc"]
    return markdown.Markdown(extensions=keep, extension_configs={"toc": {"permalink": True}})


def _ids(html: str) -> list[str]:
    return re.findall(r' id="([^"]+)"', html)


def test_sections_are_joined_by_the_break_lines() -> None:
    md = _md()
    html = md.convert(f"# One\n\nFirst *part*.\n\n{BREAK}\n\n# Two\n\nSecond part.\n")
    assert html.count(BREAK) == 1
    assert html.index("First <em>part</em>") < html.index(BREAK) < html.index("Second part.")
    assert [t["name"] for t in md.toc_tokens] == ["One", "Two"]


def test_a_heading_id_an_earlier_section_used_is_renamed_with_its_permalink() -> None:
    md = _md()
    text = f"# Evidence\n\nA.\n\n## Owner\n\nx\n\n{BREAK}\n\n# Evidence\n\nB.\n\n## Owner\n\nSee [here](#owner).\n"
    html = md.convert(text)
    assert _ids(html) == ["evidence", "owner", "evidence_1", "owner_1"]
    assert html.count('href="#evidence_1"') == 1  # the second heading's permalink
    assert 'href="#owner_1"' in html  # a link inside the renamed section follows it
    tokens = md.toc_tokens
    assert [(t["id"], [c["id"] for c in t["children"]]) for t in tokens] == [
        ("evidence", ["owner"]),
        ("evidence_1", ["owner_1"]),
    ]


def test_a_page_without_break_lines_is_converted_whole() -> None:
    text = "# Title\n\nSome **text** and a [link](x.html).\n"
    plain = markdown.Markdown(extensions=["toc"], extension_configs={"toc": {"permalink": True}}).convert(text)
    assert _md().convert(text) == plain


def test_a_section_taken_from_an_earlier_page_is_what_converting_it_gives() -> None:
    md = _md()
    page = "# Decisions\n\nWhat the AI *may* decide.\n"
    first = md.convert(page)
    md.reset()
    composed = md.convert(f"# Print\n\n{BREAK}\n\n{page}")
    assert composed.endswith(first)
    memo = next(iter(md.preprocessors["specgen_sections"].state.own_memo.values()))
    assert memo[0] == first


def test_break_lines_in_spec_text_are_text(credit_data: dict, write_spec, tmp_path: Path) -> None:
    credit_data["intent"]["objective"] = f"Objective {BREAK} still one paragraph"
    spec = write_spec(credit_data)
    portfolio = load_portfolio([spec])
    assert portfolio.ok, portfolio.diagnostics
    result = build_site(portfolio, tmp_path / "site", report=check_portfolio(portfolio), jobs=1)
    assert result.pages
    printed = (tmp_path / "site" / "workflows" / portfolio.specs[0].spec.id / "print.html").read_text()
    assert "Objective &lt;div" in printed or "Objective &#60;div" in printed


@pytest.mark.slow
def test_the_site_is_the_same_whether_sections_are_reused_or_not(
    repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    portfolio = load_portfolio([repo / "specs"])
    assert portfolio.ok
    report = check_portfolio(portfolio)
    build_site(portfolio, tmp_path / "reused", report=report, jobs=1)
    # nothing kept: every section's template rendered and its Markdown converted afresh
    monkeypatch.setattr(sections, "KEEP", 0)
    monkeypatch.setattr(recent.RecentTexts, "KEEP", 0)
    build_site(portfolio, tmp_path / "fresh", report=report, jobs=1)
    reused = {p.relative_to(tmp_path / "reused") for p in (tmp_path / "reused").rglob("*") if p.is_file()}
    fresh = {p.relative_to(tmp_path / "fresh") for p in (tmp_path / "fresh").rglob("*") if p.is_file()}
    assert reused == fresh
    for name in sorted(reused):
        assert (tmp_path / "reused" / name).read_bytes() == (tmp_path / "fresh" / name).read_bytes(), name
    printed = sorted((tmp_path / "reused").rglob("print.html"))
    assert len(printed) == len(portfolio.specs) >= 2
    for page in printed:
        ids = _ids(page.read_text(encoding="utf-8"))
        assert len(ids) == len(set(ids)), f"duplicate ids on {page}"


@pytest.mark.slow
def test_the_printable_page_shows_every_section_page(repo: Path, tmp_path: Path) -> None:
    portfolio = load_portfolio([repo / "specs"])
    build_site(portfolio, tmp_path / "site", report=check_portfolio(portfolio), jobs=1)
    folder = tmp_path / "site" / "workflows" / portfolio.specs[0].spec.id
    printed = (folder / "print.html").read_text(encoding="utf-8")
    for name in ("decisions", "controls", "acceptance", "exit", "definition"):
        page = (folder / f"{name}.html").read_text(encoding="utf-8")
        article = re.search(r'<article class="md-content__inner md-typeset">(.*?)</article>', page, re.S)
        assert article is not None
        first_heading = re.search(r"<h1[^>]*>(.*?)<a class=\"headerlink\"", article.group(1)).group(1)
        assert f'>{first_heading}<a class="headerlink"' in printed, name
