"""Decision records carry MADR's context, drivers and justification, and every output shows them."""

from __future__ import annotations

from pathlib import Path

from specgen import load_portfolio
from specgen.site.render import render_pages
from specgen.sow import definitions
from specgen.spec.fieldref import render_field_reference
from tests.paths import EXAMPLES, PROJECT_FILE
from tests.rules_support import check_data

CREDIT = EXAMPLES / "credit-decision-assistant.yml"


def _portfolio(path: Path = CREDIT):
    portfolio = load_portfolio([path], project_file=PROJECT_FILE)
    assert portfolio.ok, portfolio.diagnostics
    return portfolio


def test_the_examples_give_the_reason_for_every_accepted_choice() -> None:
    portfolio = load_portfolio([EXAMPLES], project_file=PROJECT_FILE)
    records = [r for loaded in portfolio.specs for r in loaded.spec.decision_records]
    assert len(portfolio.specs) == 2 and len(records) == 3
    assert all(r.because and r.context and r.drivers for r in records)


def test_an_accepted_record_without_because_is_a_finding_at_its_place(write_spec, credit_data) -> None:
    del credit_data["decision_records"][1]["because"]
    report = check_data(write_spec, credit_data)
    findings = [f for f in report.findings if f.rule_id == "ADR-001"]
    assert [(f.message, f.path) for f in findings] == [
        ("decision record 'adr-002-hosting' says what was chosen but not why (because)", "decision_records[1].because")
    ]


def test_the_decisions_page_shows_context_drivers_and_because() -> None:
    page = render_pages(_portfolio())["workflows/credit-decision-assistant/decisions.md"]
    section = page[page.index("### Run inference in the EU sovereign cloud region { #record-adr-002-hosting }") :]
    assert "**Context and problem.** Applicant data is personal data that must stay in the EU" in section
    assert "- Data-residency obligations for applicant data\n- Access to current models\n" in section
    assert (
        "**Chosen option.** EU sovereign cloud, because it meets the data-residency obligations "
        "and still offers current models.\n"
    ) in section
    assert "- Model choice limited to models offered in the sovereign region" in section


def test_the_decisions_page_names_a_missing_reason_as_a_gap(write_spec, credit_data) -> None:
    del credit_data["decision_records"][0]["because"]
    portfolio = load_portfolio([write_spec(credit_data, "credit")])
    assert portfolio.ok, portfolio.diagnostics
    page = render_pages(portfolio)["workflows/credit-decision-assistant/decisions.md"]
    assert "This spec does not describe why this option was chosen (because)." in page


def test_the_statement_of_work_cites_the_choice_and_why() -> None:
    scope = next(c for c in definitions(_portfolio())[0].clauses if c.title == "Scope and stage")
    record = next(e for e in scope.evidence if e.startswith("Decision record adr-001-hybrid"))
    assert record == (
        "Decision record adr-001-hybrid: Automation for scoring, bounded agent for the credit memo "
        "(accepted, 2025-11-12). Context: Each application needs a risk score and a credit memo. The score "
        "follows the bank's scorecard model; the memo summarises documents that differ with every applicant. "
        "Decision drivers: Scoring must be reproducible for model-risk validation; Memo drafting has to read "
        "documents whose layout varies; Officers must be able to see every step the AI took. Chosen option: "
        "Automation for scoring with a bounded memo agent, because scoring is a known path and memo drafting "
        "is not."
    )


def test_the_field_reference_follows_the_model() -> None:
    reference = render_field_reference("spec")
    assert "| because | text | Why that option was chosen, the justification (MADR '..., because ...'). |" in reference
    assert "| drivers | list of text |" in reference and "| context | text |" in reference
