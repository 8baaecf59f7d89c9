"""Every drafted adverse-action reason names a policy rule the application failed.

Run by regenerate.sh with ``pytest --junitxml``; each case records its metric
(``record_property``) so specgen binds it to the condition.
"""

from __future__ import annotations

import pytest

RULES = {"DTI": lambda a: a["debt"] / a["income"] > 0.45, "AGE-OF-FILE": lambda a: a["file_months"] < 6}


def draft_reasons(application: dict[str, float]) -> list[str]:
    return [rule for rule, failed in RULES.items() if failed(application)]


CASES = [{"debt": 500 + 40 * i, "income": 2000 + 10 * i, "file_months": i % 12} for i in range(40)]


@pytest.mark.parametrize("application", CASES, ids=lambda a: f"debt{a['debt']}-file{a['file_months']}")
def test_reasons_match_failed_rules(record_property, record_testsuite_property, application) -> None:
    record_testsuite_property("spec", "credit-decision-assistant")
    record_property("metric", "adverse_reasons")
    record_property("slice", "decline")
    reasons = draft_reasons(application)
    assert all(RULES[r](application) for r in reasons)
