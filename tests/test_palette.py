"""The configured colours are checked for contrast: an unreadable palette gets a located warning."""

from __future__ import annotations

from pathlib import Path

import pytest

from specgen import load_portfolio
from specgen.diagnostics import Level
from specgen.site.mkdocs import MATERIAL_COLOURS
from specgen.site.palette import MINIMUM_CONTRAST, WHITE, _rgb, contrast, link_colours, palette_warnings
from tests.paths import EXAMPLES, PROJECT_FILE


def _project(tmp_path: Path, primary: str, accent: str = "indigo") -> Path:
    text = PROJECT_FILE.read_text(encoding="utf-8")
    lines = [
        f"  primary_color: {primary}"
        if line.startswith("  primary_color:")
        else f"  accent_color: {accent}"
        if line.startswith("  accent_color:")
        else line
        for line in text.splitlines()
    ]
    path = tmp_path / "specgen.yml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_contrast_is_the_wcag_ratio() -> None:
    assert contrast((0.0, 0.0, 0.0), WHITE) == pytest.approx(21.0)
    assert contrast(WHITE, WHITE) == pytest.approx(1.0)
    assert contrast(_rgb("#767676"), WHITE) == pytest.approx(4.54, abs=0.01)  # the lightest grey that passes AA
    assert _rgb("#000000de") == pytest.approx((0.13, 0.13, 0.13), abs=0.01)  # alpha over white
    assert _rgb("hsl(0, 100%, 50%)") == pytest.approx((1.0, 0.0, 0.0))


def test_every_theme_colour_has_a_link_colour_read_from_the_theme() -> None:
    for colour in MATERIAL_COLOURS:
        assert _rgb(link_colours(colour, colour)["link"]) is not None, colour


def test_the_examples_palette_is_readable() -> None:
    portfolio = load_portfolio([EXAMPLES], project_file=PROJECT_FILE)
    assert palette_warnings(portfolio) == []


def test_an_unreadable_primary_colour_gets_a_located_warning(tmp_path: Path) -> None:
    project = _project(tmp_path, "yellow")
    portfolio = load_portfolio([EXAMPLES], project_file=project)
    [warning] = palette_warnings(portfolio)
    assert warning.level is Level.warning and warning.code == "palette"
    assert warning.path == "site.primary_color"
    line = next(n for n, text in enumerate(project.read_text().splitlines(), 1) if "primary_color" in text)
    assert (warning.file, warning.line) == (portfolio.project_source.name, line)
    assert "#b8a500" in warning.message and f"{MINIMUM_CONTRAST}:1" in warning.message


def test_the_accent_colour_is_not_checked(tmp_path: Path) -> None:
    """It colours a link only under the pointer; the theme's own default would fail."""
    portfolio = load_portfolio([EXAMPLES], project_file=_project(tmp_path, "indigo", accent="yellow"))
    assert palette_warnings(portfolio) == []


def test_build_prints_the_warning_and_still_builds(run, example_tree: Path) -> None:
    _project(example_tree, "light-green")
    result = run("build", "specs", "-o", "site", cwd=example_tree)
    assert result.exit_code == 0, result.output
    assert "specgen.yml:" in result.output and "warning: site.primary_color: 'light-green'" in result.output
    assert (example_tree / "site" / "index.html").exists()
