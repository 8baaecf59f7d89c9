"""Golden pages of the handover site, and the command that regenerates them.

The golden files are two pages rendered from the fixture in
``tests/data/site`` (no readiness report, so rule changes do not touch them).
``tests/test_site_render.py`` compares against them and prints a diff; they
change only when someone runs, and then reviews:

    python -m tests.site_golden
"""

from __future__ import annotations

from pathlib import Path

from specgen import load_portfolio
from specgen.site.render import render_pages

HERE = Path(__file__).resolve().parent
FIXTURE = HERE / "data" / "site"
GOLDEN = HERE / "golden" / "site"
GOLDEN_PAGES = (
    "workflows/claims-triage/decisions.md",
    "workflows/claims-triage/runbooks/misrouting.md",
)


def golden_name(page: str) -> str:
    """File name of a page's golden copy."""
    return page.replace("/", "__")


def render_fixture() -> dict[str, str]:
    """Every page of the fixture portfolio, rendered without a readiness report."""
    portfolio = load_portfolio([FIXTURE / "specs"], project_file=FIXTURE / "specgen.yml")
    if not portfolio.ok:
        raise SystemExit("the site fixture does not validate: " + "; ".join(d.message for d in portfolio.diagnostics))
    return render_pages(portfolio, user_templates=FIXTURE / "no-templates")


def main() -> None:
    """Rewrite the golden files from the current templates."""
    pages = render_fixture()
    GOLDEN.mkdir(parents=True, exist_ok=True)
    for page in GOLDEN_PAGES:
        path = GOLDEN / golden_name(page)
        path.write_text(pages[page], encoding="utf-8")
        print(f"wrote {path.relative_to(HERE.parent)}")


if __name__ == "__main__":
    main()
