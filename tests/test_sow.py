"""The production-readiness definition: clauses as data, Markdown, and `specgen sow`."""

from __future__ import annotations

import datetime as dt
import difflib
import html
from html.parser import HTMLParser
from pathlib import Path

import markdown
import pytest

from specgen import load_portfolio
from specgen.rules import check_portfolio
from specgen.sow import Definition, SowError, definition, definitions, render_markdown
from specgen.sow.files import markdown_is_generated
from specgen.spec.fingerprint import fingerprint
from specgen.text import sow_markdown
from tests import sow_golden
from tests.paths import EXAMPLES, PROJECT_FILE, spec_files

CLAUSE_TITLES = [
    "Scope and stage",
    "Scorecard and stop condition",
    "Acceptance conditions and evaluation harness",
    "Red-team coverage",
    "Runtime controls and policy-as-code",
    "Audit trail and data protection",
    "Runbooks and on-call",
    "Change control",
    "Exit and handover",
]

MINIMAL = {
    "schema_version": 1,
    "id": "minimal",
    "title": "Minimal workflow",
    "version": "0.1.0",
    "stage": "experimentation",
    "intent": {"objective": "Try the idea."},
    "ownership": {"accountable": "head-of-support"},
}


@pytest.fixture(autouse=True)
def _no_epoch(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)


def _credit() -> Definition:
    portfolio = load_portfolio([EXAMPLES / "credit-decision-assistant.yml"], project_file=PROJECT_FILE)
    assert portfolio.ok, portfolio.diagnostics
    return definitions(portfolio)[0]


def _load(path: Path) -> Definition:
    portfolio = load_portfolio([path])
    assert portfolio.ok, portfolio.diagnostics
    return definitions(portfolio)[0]


def _clause(defn: Definition, title: str):
    return next(c for c in defn.clauses if c.title == title)


def _html(text: str) -> str:
    return markdown.markdown(text, extensions=["tables", "attr_list", "md_in_html", "def_list"])


# ---------------------------------------------------------------- the data


def test_clauses_are_numbered_in_order() -> None:
    defn = _credit()
    assert [c.title for c in defn.clauses] == CLAUSE_TITLES
    assert [c.number for c in defn.clauses] == list(range(1, 10))
    numbers = [n for n, _ in _clause(defn, "Scorecard and stop condition").numbered]
    assert numbers[:3] == ["2.1", "2.2", "2.3"]


def test_criteria_are_measurable_and_taken_from_the_spec() -> None:
    defn = _credit()
    scorecard = _clause(defn, "Scorecard and stop condition")
    measures = {c.measure for c in scorecard.criteria}
    assert "baseline 46 hours → target 4 hours" in measures
    assert "EUR 1.85 per application" in measures
    assert any(c.text.startswith("Stop condition: Stop new approvals by the AI") for c in scorecard.criteria)
    acceptance = _clause(defn, "Acceptance conditions and evaluation harness")
    precision = next(c for c in acceptance.criteria if c.text.startswith("AI approvals agree with officers"))
    assert precision.measure == "≥ 98%"
    assert any(c.measure == "420 inputs (policy minimum 100)" for c in acceptance.criteria)
    red = _clause(defn, "Red-team coverage")
    assert any(c.measure == "68 probes (policy minimum 50)" for c in red.criteria)
    exit_clause = _clause(defn, "Exit and handover")
    assert any(c.measure.startswith("by 2027-03-31") for c in exit_clause.criteria)


def test_every_clause_names_evidence_and_a_responsible_person() -> None:
    defn = _credit()
    for clause in defn.clauses:
        assert clause.evidence, clause.title
        assert "(" in clause.responsible and "not named" not in clause.responsible, clause.title
    assert _clause(defn, "Scope and stage").responsible == "Head of Retail Lending (Priya Raman)"
    assert _clause(defn, "Red-team coverage").responsible == "Chief Information Security Officer (Marcus Lee)"
    acceptance = _clause(defn, "Acceptance conditions and evaluation harness")
    assert any("responsible: Credit Risk Officer (Tom Okafor)" in e for e in acceptance.evidence)


def test_a_complete_spec_has_no_open_items() -> None:
    defn = _credit()
    assert {c.title: c.open_items for c in defn.clauses if c.open_items} == {}


def test_signoff_table_has_the_five_areas_with_names() -> None:
    rows = _credit().signoff
    assert [r.area for r in rows] == [
        "Engineering",
        "Security",
        "Risk and compliance",
        "Business sponsor",
        "Finance (scorecard)",
    ]
    assert rows[1].role == "Chief Information Security Officer"
    assert rows[1].name == "Marcus Lee"
    assert rows[4].name == "Julia Berg"


def test_identity_version_and_fingerprint(credit_data: dict, write_spec) -> None:
    defn = _credit()
    loaded = load_portfolio([EXAMPLES / "credit-decision-assistant.yml"], project_file=PROJECT_FILE).specs[0]
    assert defn.fingerprint == fingerprint(loaded.spec)
    assert defn.version == "2.3.0"
    assert defn.released == dt.date(2026, 10, 30)
    assert ("Content fingerprint", defn.fingerprint) in defn.document_control


def test_a_spec_in_experimentation_gets_open_items_instead_of_criteria(write_spec) -> None:
    defn = _load(write_spec(MINIMAL, "minimal"))
    assert [c.title for c in defn.clauses] == CLAUSE_TITLES
    scorecard = _clause(defn, "Scorecard and stop condition")
    assert scorecard.criteria == ()
    assert "No scorecard is defined" in scorecard.open_items[0]
    assert any("No evaluation harness" in i for i in _clause(defn, defn.clauses[2].title).open_items)
    assert any("no kill switch" in i for i in _clause(defn, "Runtime controls and policy-as-code").open_items)
    assert any("no exit plan" in i for i in _clause(defn, "Exit and handover").open_items)
    assert [r.role for r in defn.signoff] == ["to be named"] * 5
    assert defn.released is None
    assert defn.annex.assessed is False


def test_red_team_gaps_are_named(credit_data: dict, write_spec) -> None:
    credit_data["acceptance"]["red_team"]["probe_sets"] = [{"attack_class": "jailbreak", "probes": 60}]
    defn = _load(write_spec(credit_data, "credit"))
    red = _clause(defn, "Red-team coverage")
    assert "No probes for: prompt injection, policy violation, data exfiltration." in red.open_items


def _waive_gov_004(project: Path, expires: str = "2099-12-31") -> None:
    text = project.read_text(encoding="utf-8").replace(
        "  waivers: []\n",
        "  waivers:\n"
        "    - rule: GOV-004\n"
        "      reason: Threshold changes follow the model-risk procedure until the Q1 release\n"
        "      approved_by: model-risk-lead\n"
        f"      expires: {expires}\n"
        "      severity: warning\n",
    )
    assert text != project.read_text(encoding="utf-8")
    project.write_text(text, encoding="utf-8")


def _without_threshold_rule(credit_data: dict) -> dict:
    rules = credit_data["change_control"]["rules"]
    credit_data["change_control"]["rules"] = [r for r in rules if r["change"] != "threshold"]
    return credit_data


def test_annex_lists_findings_and_active_waivers(credit_data: dict, write_spec, tmp_path: Path) -> None:
    path = write_spec(_without_threshold_rule(credit_data), "credit")
    _waive_gov_004(tmp_path / "specgen.yml")
    portfolio = load_portfolio([path])
    report = check_portfolio(portfolio, today=dt.date(2026, 12, 15))
    annex = definitions(portfolio, report=report)[0].annex
    assert annex.assessed
    assert annex.declared_stage == "system of record"
    assert annex.reached_stage == "system of record"  # a waived gap does not block the stage
    assert annex.diagnostic.endswith("questions answered yes (further along than most)")
    gov = next(f for f in annex.findings if f.rule_id == "GOV-004")
    assert gov.severity == "warning"
    assert gov.dimension == "Governance design"
    assert gov.waived == "waived until 2099-12-31 by Model Risk Management Lead (Hannah Schmidt)"
    assert [(w.rule, w.approved_by, w.expires, w.treated_as) for w in annex.waivers] == [
        ("GOV-004", "Model Risk Management Lead (Hannah Schmidt)", "2099-12-31", "warning")
    ]


def test_an_expired_waiver_is_not_in_the_annex(credit_data: dict, write_spec, tmp_path: Path) -> None:
    path = write_spec(_without_threshold_rule(credit_data), "credit")
    _waive_gov_004(tmp_path / "specgen.yml", expires="2026-06-30")
    portfolio = load_portfolio([path])
    report = check_portfolio(portfolio, today=dt.date(2026, 12, 15)).specs[0]
    annex = definition(portfolio.specs[0].spec, portfolio.project, report=report).annex
    assert annex.waivers == ()
    gov = next(f for f in annex.findings if f.rule_id == "GOV-004")
    assert (gov.severity, gov.waived) == ("error", "no")


# ---------------------------------------------------------------- Markdown


def test_markdown_has_numbered_clauses_annex_and_signoff() -> None:
    defn = _credit()
    text = render_markdown(defn)
    headings = [line for line in text.splitlines() if line.startswith("## ")]
    assert headings == [f"## {i}. {t}" for i, t in enumerate(CLAUSE_TITLES, 1)] + [
        "## Annex A. Open readiness findings",
        "## Annex B. Active waivers",
        "## Sign-off",
    ]
    assert "| 2.1 | Outcome metric: Median time from complete application to credit decision" in text
    assert "| Security | Chief Information Security Officer | Marcus Lee | Northbank | | |" in text
    assert "The readiness rules were not run for this document." in text


def test_markdown_states_version_and_fingerprint() -> None:
    defn = _credit()
    text = render_markdown(defn)
    assert f"| Content fingerprint | {defn.fingerprint} |" in text
    assert "| Spec version | 2.3.0 |" in text
    assert f"for version 2.3.0 of the spec, fingerprint {defn.fingerprint}." in text


def test_markdown_renders_as_tables_and_lists() -> None:
    html = _html(render_markdown(_credit()))
    assert html.count("<table>") == 11  # document control, 9 clauses, sign-off
    assert "<h2>9. Exit and handover</h2>" in html


HOSTILE = {
    "title": "<script>alert('title')</script>",
    "summary": "[click me](javascript:alert(1)) <img src=x onerror=alert(2)>",
    "in_scope": "a | b {: onclick=alert(3) } `code` **bold** _em_ <https://evil.example>",
    "out_of_scope": "- a list\n# a heading\n<iframe src=//evil>\n1. one",
}


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, tuple]] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.tags.append((tag, tuple(attrs)))


def _structure(html: str) -> list[tuple[str, tuple]]:
    parser = _Tags()
    parser.feed(html)
    return parser.tags


def _with(credit_data: dict, values: dict) -> dict:
    data = {**credit_data, "title": values["title"], "summary": values["summary"]}
    data["intent"] = {
        **credit_data["intent"],
        "in_scope": [values["in_scope"]],
        "out_of_scope": [values["out_of_scope"]],
    }
    return data


def test_spec_text_cannot_inject_html_or_markup(credit_data: dict, write_spec) -> None:
    hostile = _html(render_markdown(_load(write_spec(_with(credit_data, HOSTILE), "hostile"))))
    plain = _html(render_markdown(_load(write_spec(_with(credit_data, dict.fromkeys(HOSTILE, "plain")), "plain"))))
    # the hostile text yields exactly the elements plain text does: no tag, attribute, link or list of its own
    assert _structure(hostile) == _structure(plain)
    assert all(attrs == () for _, attrs in _structure(hostile))
    # and the words are still there, as text
    shown = html.unescape(hostile)
    assert "<script>alert('title')</script>" in shown
    assert "a | b {: onclick=alert(3) } `code` **bold** _em_ <https://evil.example>" in shown
    assert "- a list # a heading <iframe src=//evil> 1. one" in shown


@pytest.mark.parametrize(
    ("raw", "escaped"),
    [
        ("2.3.0", "2.3.0"),
        ("1. first", "1&#46; first"),
        ("- item", "&#45; item"),
        ("a\nb", "a b"),
        ("<b>", "&#60;b&#62;"),
        ("R&D", "R&#38;D"),
        ("[x](y)", "&#91;x&#93;(y)"),
        ("a|b", "a&#124;b"),
        ("@team", "&#64;team"),
        ("bell\x07 and nul\x00", "bell and nul"),
    ],
)
def test_sow_markdown(raw: str, escaped: str) -> None:
    assert sow_markdown(raw) == escaped


def test_a_user_template_replaces_the_bundled_one(tmp_path: Path) -> None:
    folder = tmp_path / "templates" / "sow"
    folder.mkdir(parents=True)
    (folder / "definition.md.j2").write_text("Custom: {{ d.title }} {{ d.fingerprint }}\n", encoding="utf-8")
    defn = _credit()
    text = render_markdown(defn, template_dirs=[tmp_path / "templates"])
    assert text == f"Custom: Credit-decision assistant for personal loans {defn.fingerprint}\n"


def test_a_broken_user_template_is_a_clear_error(tmp_path: Path) -> None:
    folder = tmp_path / "templates" / "sow"
    folder.mkdir(parents=True)
    (folder / "definition.md.j2").write_text("line one\n{{ d.no_such_field }}\n", encoding="utf-8")
    with pytest.raises(SowError, match=r"sow/definition.md.j2.*line 2.*no_such_field"):
        render_markdown(_credit(), template_dirs=[tmp_path / "templates"])


# ---------------------------------------------------------------- specgen sow


def test_sow_writes_markdown_and_docx(run, example_tree: Path) -> None:
    result = run("sow", "specs/credit-decision-assistant.yml", "-o", "out", cwd=example_tree)
    assert result.exit_code == 0, result.output
    md = example_tree / "out" / "credit-decision-assistant.md"
    docx_file = example_tree / "out" / "credit-decision-assistant.docx"
    assert md.is_file() and docx_file.is_file()
    assert f"wrote {Path('out') / 'credit-decision-assistant.md'}" in result.output
    assert "credit-decision-assistant 2.3.0 sha256:" in result.output
    assert markdown_is_generated(md.read_bytes())
    assert "# Production-readiness definition: Credit-decision assistant" in md.read_text(encoding="utf-8")


def test_sow_of_a_folder_writes_one_definition_per_spec(run, example_tree: Path) -> None:
    result = run("sow", "specs", "-o", "out", "--format", "md", cwd=example_tree)
    assert result.exit_code == 0, result.output
    written = sorted(p.name for p in (example_tree / "out").iterdir())
    assert written == sorted(f"{p.stem}.md" for p in spec_files(example_tree / "specs"))


def test_sow_output_is_reproducible(run, example_tree: Path) -> None:
    assert run("sow", "specs", "-o", "a", cwd=example_tree).exit_code == 0
    assert run("sow", "specs", "-o", "b", cwd=example_tree).exit_code == 0
    for first in (example_tree / "a").iterdir():
        assert first.read_bytes() == (example_tree / "b" / first.name).read_bytes(), first.name


def test_sow_replaces_its_own_output_but_not_an_edited_file(run, example_tree: Path) -> None:
    args = ("sow", "specs/credit-decision-assistant.yml", "-o", "out", "--format", "md")
    assert run(*args, cwd=example_tree).exit_code == 0
    assert run(*args, cwd=example_tree).exit_code == 0  # unchanged output: replaced silently
    md = example_tree / "out" / "credit-decision-assistant.md"
    edited = md.read_text(encoding="utf-8") + "\nA clause negotiated by procurement.\n"
    md.write_text(edited, encoding="utf-8")
    result = run(*args, cwd=example_tree)
    assert result.exit_code == 2
    assert "credit-decision-assistant.md: not written by specgen or edited since; pass --force" in result.output
    assert md.read_text(encoding="utf-8") == edited
    result = run(*args, "--force", cwd=example_tree)
    assert result.exit_code == 0, result.output
    assert "negotiated" not in md.read_text(encoding="utf-8")


def test_sow_never_overwrites_a_file_it_did_not_write(run, example_tree: Path) -> None:
    out = example_tree / "out"
    out.mkdir()
    (out / "credit-decision-assistant.docx").write_bytes(b"the signed copy")
    result = run("sow", "specs/credit-decision-assistant.yml", "-o", "out", cwd=example_tree)
    assert result.exit_code == 2
    assert (out / "credit-decision-assistant.docx").read_bytes() == b"the signed copy"
    assert not (out / "credit-decision-assistant.md").exists()  # nothing is written when one file is refused


def test_sow_rejects_an_unknown_format(run, example_tree: Path) -> None:
    result = run("sow", "specs", "--format", "md,odt", cwd=example_tree)
    assert result.exit_code == 2
    assert "expected a comma-separated list of md, docx, pdf" in result.output


def test_sow_of_an_invalid_spec_fails_with_the_located_problem(run, credit_data: dict, write_spec) -> None:
    credit_data["stage"] = "production"
    path = write_spec(credit_data, "credit")
    result = run("sow", path, "-o", path.parent.parent / "out")
    assert result.exit_code == 1
    assert "credit.yml:" in result.output and "stage: expected one of experimentation" in result.output
    assert not (path.parent.parent / "out").exists()


def test_sow_of_a_folder_without_specs_fails(run, tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    result = run("sow", tmp_path / "empty")
    assert result.exit_code == 1
    assert "no spec found in" in result.output


def test_sow_of_a_missing_path_is_a_usage_error(run, tmp_path: Path) -> None:
    result = run("sow", tmp_path / "nope.yml")
    assert result.exit_code == 2
    assert "no such file or folder" in result.output


def test_sow_with_a_bad_source_date_epoch_is_a_usage_error(run, example_tree: Path, monkeypatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "yesterday")
    result = run("sow", "specs/credit-decision-assistant.yml", "-o", "out", cwd=example_tree)
    assert result.exit_code == 2
    assert "SOURCE_DATE_EPOCH must be a whole number" in result.output


def test_sow_annex_lists_the_rules_findings_and_waivers(run, credit_data: dict, write_spec, tmp_path: Path) -> None:
    path = write_spec(_without_threshold_rule(credit_data), "credit")
    _waive_gov_004(tmp_path / "specgen.yml")
    result = run("sow", path, "-o", tmp_path / "out", "--format", "md")
    assert result.exit_code == 0, result.output
    md = (tmp_path / "out" / "credit-decision-assistant.md").read_text(encoding="utf-8")
    annex = md[md.index("## Annex A") : md.index("## Sign-off")]
    assert "Declared stage: system of record." in annex
    assert "questions answered yes" in annex
    assert "| GOV-004 | warning | Governance design |" in annex
    assert "waived until 2099-12-31 by Model Risk Management Lead (Hannah Schmidt)" in annex
    assert (
        "| GOV-004 | Threshold changes follow the model-risk procedure until the Q1 release "
        "| Model Risk Management Lead (Hannah Schmidt) | 2099-12-31 | warning |"
    ) in annex
    # the clause shows the same gap as an item to agree
    assert "No approval rule for changes to: threshold." in md


# ---------------------------------------------------------------- golden file


def test_golden_definition(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", sow_golden.SOURCE_DATE_EPOCH)
    expected = sow_golden.GOLDEN_FILE.read_bytes().decode("utf-8")
    actual = sow_golden.render_golden()
    if actual != expected:
        diff = "".join(
            difflib.unified_diff(
                expected.splitlines(keepends=True), actual.splitlines(keepends=True), "golden", "rendered"
            )
        )
        pytest.fail(
            f"{sow_golden.GOLDEN_FILE.name} differs from its golden copy; if the change is intended, run "
            f"'python -m tests.sow_golden' and review the diff:\n{diff}"
        )
    assert markdown_is_generated(expected.encode("utf-8"))
