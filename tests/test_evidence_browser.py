"""The acceptance page, in headless Chromium, shows computed verdicts and links the result files."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from specgen import load_portfolio
from specgen.cli import cli
from specgen.rules import check_portfolio
from specgen.site.build import build_site
from tests.evidence_support import SPEC, good_rows, make_project, table
from tests.test_browser_site import browser  # noqa: F401 - the shared headless Chromium fixture

pytestmark = pytest.mark.browser


def test_the_built_site_shows_verdicts_and_opens_the_result_file(
    browser,  # noqa: F811
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1794700800")  # 2026-11-15: "today", so the evidence never ages
    spec = make_project(tmp_path / "p")
    runner = CliRunner()
    first = table(spec.parent, "first.csv", good_rows(day="2026-10-01", routing=(95, 100)))
    second = table(spec.parent, "second.csv", good_rows(day="2026-11-10", routing=(90, 100)))
    for results in (first, second):
        result = runner.invoke(cli, ["evidence", "add", str(results), "--spec", str(spec)], catch_exceptions=False)
        assert result.exit_code == 0, result.output
    portfolio = load_portfolio([spec.parent], project_file=tmp_path / "p" / "specgen.yml")
    site = build_site(portfolio, tmp_path / "site", report=check_portfolio(portfolio)).output
    page = browser.new_page(java_script_enabled=False)  # readable without JavaScript
    try:
        page.goto((site / "workflows" / SPEC / "acceptance.html").as_uri())
        rows = page.locator("table[data-evidence] tbody tr")
        assert rows.count() == 3
        routing = rows.nth(0)
        assert routing.get_attribute("data-verdict") == "fails"
        assert "fails" in routing.inner_text() and "measured 90 on 100 cases" in routing.inner_text()
        assert rows.nth(1).get_attribute("data-verdict") == "holds"
        assert routing.locator("svg.specgen-trend polyline").count() == 1  # two runs: a trend line
        link = routing.locator("a", has_text="second.csv")
        href = link.get_attribute("href")
        assert href and href.startswith("../../evidence/")
        target = (site / "workflows" / SPEC / href).resolve()  # copied into the site: works offline
        assert target.read_bytes() == second.read_bytes()
    finally:
        page.close()
