"""Golden copy of the readiness definition of the bundled credit example, and
the command that regenerates it.

The golden file is the Markdown `specgen sow` writes for
``specs/credit-decision-assistant.yml`` with the bundled templates and the
readiness report of a fixed day (:data:`AS_OF`, also set as
``SOURCE_DATE_EPOCH``), so the clock does not change it; changes to the
example, the clauses, the rules or the templates do. ``tests/test_sow.py``
compares against it and prints a diff; it changes only when someone runs, and
then reviews:

    python -m tests.sow_golden
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from specgen import load_portfolio
from specgen.rules import check_portfolio
from specgen.sow import definitions
from specgen.sow.files import definition_files

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
GOLDEN = HERE / "golden" / "sow"
SPEC_ID = "credit-decision-assistant"
GOLDEN_FILE = GOLDEN / f"{SPEC_ID}.md"
AS_OF = dt.date(2026, 12, 15)
"""The day the readiness rules are run for the golden copy."""
SOURCE_DATE_EPOCH = str(int(dt.datetime.combine(AS_OF, dt.time(), tzinfo=dt.timezone.utc).timestamp()))


def render_golden() -> str:
    """The Markdown definition of the credit example, as `specgen sow` writes it on :data:`AS_OF`."""
    portfolio = load_portfolio([REPO / "specs" / f"{SPEC_ID}.yml"], project_file=REPO / "specgen.yml")
    if not portfolio.ok:
        raise SystemExit("the credit example does not validate: " + "; ".join(d.message for d in portfolio.diagnostics))
    defns = definitions(portfolio, report=check_portfolio(portfolio, today=AS_OF))
    return definition_files(defns[0], ("md",))[f"{SPEC_ID}.md"].decode("utf-8")


def main() -> None:
    """Rewrite the golden file from the current code and templates."""
    os.environ["SOURCE_DATE_EPOCH"] = SOURCE_DATE_EPOCH
    GOLDEN.mkdir(parents=True, exist_ok=True)
    GOLDEN_FILE.write_bytes(render_golden().encode("utf-8"))
    print(f"wrote {GOLDEN_FILE.relative_to(REPO)}")


if __name__ == "__main__":
    main()
