"""The bundled examples are valid specs."""

from __future__ import annotations

from specgen import load_portfolio
from tests.paths import EXAMPLES, PROJECT_FILE


def test_bundled_examples_validate() -> None:
    portfolio = load_portfolio([EXAMPLES], project_file=PROJECT_FILE)
    assert portfolio.diagnostics == []
    assert len(portfolio.specs) >= 1
