"""Rendering the handover site's pages: escaping, the page set, templates, golden pages.

No mkdocs build here (see test_site_build.py): these tests render Markdown
through :mod:`specgen.site.render` and, for escaping, convert it with Python-Markdown
configured like the site.
"""

from __future__ import annotations

import difflib
import html
import re
from html.parser import HTMLParser
from pathlib import Path

import markdown
import pytest
from pymdownx.superfences import fence_code_format

from specgen import load_portfolio
from specgen.rules import check_portfolio
from specgen.site.environment import RenderError, make_site_environment
from specgen.site.gather import gather
from specgen.site.pages import WORKFLOW_PAGES, PageDef
from specgen.site.plan import plan_pages
from specgen.site.render import render_pages
from specgen.site.views import WorkflowView
from specgen.spec.schema import Autonomy
from specgen.text import mermaid_label
from specgen.text import site_markdown as markdown_escape
from tests.hostile import HOSTILE
from tests.paths import EXAMPLES, PROJECT_FILE
from tests.site_golden import FIXTURE, GOLDEN, GOLDEN_PAGES, golden_name, render_fixture

EXTENSIONS = ["tables", "admonition", "pymdownx.details", "attr_list", "toc", "pymdownx.superfences"]
EXTENSION_CONFIG = {
    "pymdownx.superfences": {"custom_fences": [{"name": "mermaid", "class": "mermaid", "format": fence_code_format}]}
}

CONTEXTS = [
    ("{}", "p"),
    ("intro {} outro", "p"),
    ("- {}", "li"),
    ("1. {}", "li"),
    ("## {}", "h2"),
    ("| a |\n|---|\n| {} |", "td"),
    ("<table><tbody><tr><td>{}</td></tr></tbody></table>", "td"),
    ('!!! note "{}"\n    body', "p"),
    ("first line\n{}", "p"),
]


class _Elements(HTMLParser):
    """Records every element and every attribute the HTML contains."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attrs: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attrs.extend(name for name, _ in attrs)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _convert(text: str) -> _Elements:
    parser = _Elements()
    parser.feed(markdown.Markdown(extensions=EXTENSIONS, extension_configs=EXTENSION_CONFIG).convert(text))
    return parser


@pytest.mark.parametrize("nasty", HOSTILE)
@pytest.mark.parametrize(("context", "element"), CONTEXTS)
def test_escaped_text_never_becomes_markup(nasty: str, context: str, element: str) -> None:
    baseline = _convert(context.format("plain"))
    converted = _convert(context.format(markdown_escape(nasty)))
    assert converted.tags == baseline.tags, f"{nasty!r} in {context!r} made {converted.tags}"
    assert sorted(set(converted.attrs)) == sorted(set(baseline.attrs))
    shown = " ".join("".join(converted.text).split())
    assert " ".join(re.sub(r"[\x00-\x08\x0e-\x1f\u202a-\u202e\u2066-\u2069]", "", nasty).split()) in shown


def test_escaping_leaves_plain_text_alone() -> None:
    text = "Credit Risk Officer (Tom Okafor), within 4h: 2.1% of loans, EUR 10,000; it's fine."
    assert markdown_escape(text) == text


@pytest.mark.parametrize("nasty", [*HOSTILE, 'quote " and ] and ) and ; and :::class and %% comment'])
def test_mermaid_labels_keep_only_plain_characters(nasty: str) -> None:
    label = mermaid_label(nasty, limit=1000)
    assert not re.search(r"[\"<>\[\]{}|`;:*#&]", re.sub(r"#\d+;", "", label))
    decoded = re.sub(r"#(\d+);", lambda m: chr(int(m.group(1))), label)
    assert decoded == " ".join(re.sub(r"[\x00-\x08\x0e-\x1f\u202a-\u202e\u2066-\u2069]", "", nasty).split())


def test_mermaid_labels_are_cut() -> None:
    assert mermaid_label("x" * 200, limit=20) == "x" * 19 + "#8230;"  # the ellipsis, as an entity code


# ---------------------------------------------------------------- the page set


@pytest.fixture(scope="module")
def examples():
    return load_portfolio([EXAMPLES], project_file=PROJECT_FILE)


def test_every_workflow_gets_its_pages(examples) -> None:
    pages = plan_pages(examples)
    paths = [p.path for p in pages]
    assert paths[:3] == ["index.md", "glossary.md", "reference.md"]
    for loaded in examples.specs:
        folder = f"workflows/{loaded.spec.id}"
        expected = []
        for d in WORKFLOW_PAGES:
            items = [r.id for r in loaded.spec.runbooks] if d.each else [None]
            expected.extend(f"{folder}/{d.slug.format(id=i)}.md" for i in items)
        assert [p for p in paths if p.startswith(folder + "/")] == expected


def test_a_page_is_one_more_entry(examples) -> None:
    extra = PageDef("notes", "Notes", "site/workflow/exit.md.j2", sections=("exit",))
    pages = render_pages(examples, workflow_pages=(*WORKFLOW_PAGES, extra))
    for loaded in examples.specs:
        assert pages[f"workflows/{loaded.spec.id}/notes.md"].startswith("# Exit and handover")


def test_a_page_another_module_writes(examples) -> None:
    seen = []

    def produce(view: WorkflowView, templates: Path | None) -> str:
        seen.append((view.id, templates))
        return f"# History of {view.id}\n"

    history = PageDef("history", "Change history", "site/history.md.j2", produce=produce)
    others = tuple(d for d in WORKFLOW_PAGES if d.slug != "history")
    pages = render_pages(examples, workflow_pages=(*others, history), user_templates=Path("nowhere"))
    assert pages["workflows/credit-decision-assistant/history.md"] == "# History of credit-decision-assistant\n"
    assert {ident for ident, _ in seen} == {ls.spec.id for ls in examples.specs}
    assert all(templates == Path("nowhere") for _, templates in seen)


def test_the_printable_page_has_every_section_in_order_and_the_definition(examples) -> None:
    pages = render_pages(examples, report=check_portfolio(examples))
    for loaded in examples.specs:
        folder = f"workflows/{loaded.spec.id}"
        printed = pages[f"{folder}/print.md"]
        headings = [line for line in printed.splitlines() if line.startswith("# ")]
        assert headings == [
            pages[f"{folder}/index.md"].partition("\n")[0],
            "# Decision boundaries",
            "# Controls and monitoring",
            "# Runbooks",
            "# Acceptance and readiness",
            "# Exit and handover",
            pages[f"{folder}/definition.md"].partition("\n")[0],
        ]
        # a page break before every section but the first; the marker turns on the print rules
        assert printed.count('<div class="sg-print-break"></div>') == len(headings) - 1
        # kept out of search (its words are found on the section pages); the print marker before the sections
        assert printed.startswith("---\nsearch:\n  exclude: true\n---\n\n*")
        marker = '<div class="sg-print-page"></div>\n\n'
        assert printed.count(marker) == 1 and printed.split(marker)[1].startswith(headings[0] + "\n")
        for runbook in loaded.spec.runbooks:
            assert f"## {markdown_escape(runbook.title)}" in printed
        # the overview links to it
        assert '<a href="print.html">printable version</a>' in pages[f"{folder}/index.md"]


def test_every_decision_flow_has_a_text_alternative_with_its_table_row(examples) -> None:
    pages = render_pages(examples)
    for loaded in examples.specs:
        text = pages[f"workflows/{loaded.spec.id}/decisions.md"]
        fences = re.findall(r"``` \{\.mermaid[^\n]*\nflowchart LR\n(.*?)\n```", text, re.S)
        assert len(fences) == len(loaded.spec.decisions)
        for decision, fence in zip(loaded.spec.decisions, fences, strict=True):
            title, description = fence.splitlines()[:2]
            assert title == f"  accTitle: Decision flow: {decision.title}".replace(";", ",")
            assert description.startswith("  accDescr: ")
            # the long description: the decision table's row in words, then each step
            for part in ("Who decides:", "The AI acts alone only when:", "Human approver:", "Escalation:"):
                assert part in description
            assert "Fallback when the AI is unavailable:" in description and "From Case arrives to " in description


def test_hostile_decision_text_stays_inside_the_text_alternative() -> None:
    from specgen.site.flows import Flow

    flow = Flow((), (), title="x%%{init: {'theme':'dark'}}%%\nclick A call alert()", summary="a } b { c; <b>#60;")
    line_title, line_description = str(flow.accessible).split("\n")
    assert line_title.startswith("accTitle: ") and line_description.startswith("  accDescr: ")
    for line in (line_title, line_description):
        assert not re.search(r"[{}%#<>;\n]", line)


def test_markdown_tables_get_the_heading_they_sit_under_as_caption() -> None:
    convert = markdown.Markdown(extensions=["tables", "toc", "specgen.site.captions"]).convert
    page = convert(f"## {markdown_escape('<script>x</script> & | b')}\n\n| a |\n|---|\n| 1 |\n\n| c |\n|---|\n| 2 |\n")
    captions = re.findall(r"<caption class=\"sg-caption\">(.*?)</caption>", page)
    assert captions == ["&#60;script&#62;x&#60;/script&#62; &#38; &#124; b"] * 2
    assert html.unescape(captions[0]) == "<script>x</script> & | b"


def test_every_html_table_of_the_site_has_a_caption_and_header_cells(examples) -> None:
    pages = render_pages(examples, report=check_portfolio(examples))
    for path, text in pages.items():
        for table in re.findall(r"<table>.*?</table>", text, re.S):
            assert table.startswith('<table>\n<caption class="sg-caption">'), (path, table[:120])
            assert "<th" in table, path


def test_a_page_per_runbook(examples) -> None:
    pages = render_pages(examples)
    credit = next(ls.spec for ls in examples.specs if ls.spec.id == "credit-decision-assistant")
    for runbook in credit.runbooks:
        text = pages[f"workflows/credit-decision-assistant/runbooks/{runbook.id}.md"]
        assert text.startswith(f"# {markdown_escape(runbook.title)} ")
    controls = pages["workflows/credit-decision-assistant/controls.md"]
    assert f'href="runbooks/{credit.runbooks[0].id}.html"' in controls


def test_one_page_for_all_runbooks_when_the_project_asks(example_tree) -> None:
    import yaml

    project_file = example_tree / "specgen.yml"
    data = yaml.safe_load(project_file.read_text(encoding="utf-8"))
    data.setdefault("site", {})["one_runbooks_page"] = True
    project_file.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    portfolio = load_portfolio([example_tree / "specs"], project_file=project_file)
    assert portfolio.ok
    pages = render_pages(portfolio)
    credit = next(ls.spec for ls in portfolio.specs if ls.spec.id == "credit-decision-assistant")
    text = pages["workflows/credit-decision-assistant/runbooks.md"]
    assert all(markdown_escape(r.title) in text for r in credit.runbooks)
    assert not any(p.startswith("workflows/credit-decision-assistant/runbooks/") for p in pages)


def test_definition_and_reference_pages(examples) -> None:
    from specgen import sow
    from specgen.spec.fingerprint import fingerprint

    pages = render_pages(examples)
    credit = next(ls.spec for ls in examples.specs if ls.spec.id == "credit-decision-assistant")
    definition = pages["workflows/credit-decision-assistant/definition.md"]
    assert fingerprint(credit) in definition
    # the page is the statement-of-work definition itself, word for word, measured evidence included
    by_id = {d.spec_id: d for d in sow.definitions(examples)}
    assert definition == sow.render_markdown(by_id[credit.id])
    assert "verdict computed by specgen" in definition
    assert definition.startswith(f"# Production-readiness definition: {markdown_escape(credit.title)}\n")
    assert "| **autonomy** |" in pages["reference.md"]
    assert "workflows/credit-decision-assistant/history.md" in pages


def test_rendering_reads_nothing_but_templates(examples, monkeypatch) -> None:
    """Histories and recorded approvals are gathered first; rendering only uses them."""
    import specgen.git
    import specgen.review.history
    import specgen.spec.approvals
    from specgen.site.gather import gather

    inputs = gather(examples)
    expected = render_pages(examples, inputs=inputs)
    assert expected == render_pages(examples)  # what render_pages gathers by itself

    def forbidden(*args, **kwargs):
        raise AssertionError("rendering read git or an approvals file")

    monkeypatch.setattr(specgen.git, "repo_root", forbidden)
    monkeypatch.setattr(specgen.git, "file_history", forbidden)
    monkeypatch.setattr(specgen.review.history, "spec_history", forbidden)
    monkeypatch.setattr(specgen.spec.approvals, "sidecar_approvals", forbidden)
    assert render_pages(examples, inputs=inputs) == expected


def test_links_point_at_anchors_the_pages_define(examples) -> None:
    pages = render_pages(examples, report=check_portfolio(examples))
    copied = set(gather(examples).artefacts)  # result files copied into the site as they are
    ids: dict[str, set[str]] = {}
    for path, text in pages.items():
        found = set(re.findall(r"\{ #([a-z0-9_.-]+)", text)) | set(re.findall(r'id="([^"]+)"', text))
        ids[path[: -len(".md")] + ".html"] = found
    checked = 0
    for path, text in pages.items():
        folder = path.rsplit("/", 1)[0] if "/" in path else ""
        for href in re.findall(r'href="([^"]+)"', text):
            target, _, anchor = href.partition("#")
            resolved = str(Path(folder, target)).replace("\\", "/") if folder else target
            resolved = re.sub(r"[^/]+/\.\./", "", resolved)
            resolved = re.sub(r"^workflows/\.\./", "", resolved)
            if resolved in copied:
                checked += 1
                continue
            assert resolved in ids, f"{path}: link to missing page {href}"
            assert not anchor or anchor in ids[resolved], f"{path}: link to missing anchor {href}"
            checked += 1
    assert checked > 50


# ---------------------------------------------------------------- content


def test_readiness_report_is_shown(examples) -> None:
    report = check_portfolio(examples)
    pages = render_pages(examples, report=report)
    credit = pages["workflows/credit-decision-assistant/acceptance.md"]
    reading = next(r for r in report.specs if r.spec_id == "credit-decision-assistant").diagnostic
    assert "## Readiness { #readiness-credit-decision-assistant }" in credit
    assert f"**{reading.yes_count} of 10 yes: {markdown_escape(reading.reading)}.**" in credit
    assert credit.count("<tr><td>") >= 10
    home = pages["index.md"]
    for spec_report in report.specs:
        assert spec_report.title.split()[0] in home


def test_without_a_report_pages_say_not_checked(examples) -> None:
    pages = render_pages(examples)
    assert "Not checked" in pages["index.md"]
    assert "built without a readiness report" in pages["workflows/credit-decision-assistant/acceptance.md"]


def test_findings_become_open_gap_admonitions(write_spec, credit_data, tmp_path) -> None:
    del credit_data["scorecard"]["stop_condition"]
    del credit_data["runtime"]["kill_switch"]
    write_spec(credit_data, "credit")
    portfolio = load_portfolio([tmp_path / "specs"], project_file=tmp_path / "specgen.yml")
    report = check_portfolio(portfolio)
    findings = report.specs[0].findings
    assert findings
    pages = render_pages(portfolio, report=report)
    shown = "\n".join(pages.values())
    for finding in findings:
        assert f'"Open gap: {markdown_escape(finding.title)}"' in shown, finding.rule_id
    overview = pages["workflows/credit-decision-assistant/index.md"]
    assert '!!! warning "Open gap: no stop condition"' in overview
    assert "This spec does not describe a kill switch" in pages["workflows/credit-decision-assistant/controls.md"]


def test_missing_sections_are_open_gaps(write_spec, tmp_path) -> None:
    minimal = {
        "schema_version": 1,
        "id": "tiny",
        "title": "Tiny",
        "version": "0.1",
        "stage": "experimentation",
        "intent": {"objective": "Try it"},
        "ownership": {"accountable": "ciso"},
    }
    write_spec(minimal, "tiny")
    portfolio = load_portfolio([tmp_path / "specs"], project_file=tmp_path / "specgen.yml")
    pages = render_pages(portfolio, report=check_portfolio(portfolio))
    gaps = sum(text.count('!!! warning "Open gap') for text in pages.values())
    assert gaps >= 10
    assert "This spec does not describe any decision" in pages["workflows/tiny/decisions.md"]


def _view(examples, spec_id: str) -> WorkflowView:
    loaded = next(ls for ls in examples.specs if ls.spec.id == spec_id)
    return WorkflowView(loaded.spec, examples.project, None, loaded.source.name)


def test_flows_follow_who_decides(examples) -> None:
    view = _view(examples, "credit-decision-assistant")
    by_autonomy = {d.autonomy: view.flow(d) for d in view.spec.decisions}
    alone = {(e.source, e.target, e.text) for e in by_autonomy[Autonomy.ai_alone].edges}
    assert {
        ("threshold", "act", "yes"),
        ("threshold", "escalation", "no"),
        ("ai", "fallback", "AI unavailable"),
    } <= alone
    approves = by_autonomy[Autonomy.human_approves]
    human = next(n for n in approves.nodes if n.id == "human")
    assert human.text == "Credit Risk Officer (Tom Okafor) approves or rejects"
    assert ("human", "escalation") in {(e.source, e.target) for e in approves.edges}
    decides = by_autonomy[Autonomy.human_decides]
    assert "threshold" not in {n.id for n in decides.nodes}


def test_traceability_and_raci(examples) -> None:
    view = _view(examples, "credit-decision-assistant")
    rows = {row.decision.id: row for row in view.trace()}
    approve = rows["approve-low-risk"]
    assert [c.id for c in approve.controls] == view.spec.decisions[0].controls
    assert {c.id for c in approve.conditions} >= {"ac-approval-precision", "ac-approval-parity"}
    assert {r.id for r in approve.runbooks} >= {"policy-engine-failure", "pii-leak"}
    raci = view.raci()
    first_activity, cells = raci.rows[0]
    assert first_activity == "Approve prompt and model changes"
    row = dict(zip(raci.roles, cells, strict=True))
    assert row["Model Risk Management Lead"] == "A"
    assert row["ML Platform Lead"] == "R"
    assert all(sum("A" in c for c in row) == 1 for _, row in raci.rows)


# ---------------------------------------------------------------- templates


def test_a_user_template_replaces_the_bundled_one(examples, tmp_path) -> None:
    folder = tmp_path / "templates" / "site" / "workflow"
    folder.mkdir(parents=True)
    (folder / "exit.md.j2").write_text("# Our exit page for {{ spec.title }}\n", encoding="utf-8")
    (tmp_path / "templates" / "site" / "glossary.yml").write_text(
        "- term: Widget\n  meaning: A <b>thing</b>.\n", encoding="utf-8"
    )
    pages = render_pages(examples, user_templates=tmp_path / "templates")
    assert pages["workflows/credit-decision-assistant/exit.md"] == (
        "# Our exit page for Credit-decision assistant for personal loans\n"
    )
    assert "A &#60;b&#62;thing&#60;/b&#62;." in pages["glossary.md"]
    assert "Canary" not in pages["glossary.md"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("# {{ spec.no_such_field }}\n", "site/workflow/exit.md.j2 (rendering workflows/"),
        ("# {{ nothing_here }}\n", "'nothing_here' is undefined"),
        ("# {% if %}\n", "exit.md.j2:1: template syntax error"),
    ],
)
def test_a_broken_template_names_itself(examples, tmp_path, text: str, message: str) -> None:
    folder = tmp_path / "templates" / "site" / "workflow"
    folder.mkdir(parents=True)
    (folder / "exit.md.j2").write_text(text, encoding="utf-8")
    with pytest.raises(RenderError) as caught:
        render_pages(examples, user_templates=tmp_path / "templates")
    assert message in str(caught.value)


def test_templates_print_every_value_escaped(tmp_path) -> None:
    folder = tmp_path / "site"
    folder.mkdir()
    (folder / "probe.md.j2").write_text(
        "{{ value }}|{{ value | md }}|{{ number }}|{{ items | mdjoin }}|{{ anchor('decision', 'a-b') }}\n",
        encoding="utf-8",
    )
    env = make_site_environment(tmp_path)
    out = env.get_template("site/probe.md.j2").render(value="<b>*x*</b>", number=0.5, items=["[a]", "b"])
    assert (
        out == "&#60;b&#62;&#42;x&#42;&#60;/b&#62;|&#60;b&#62;&#42;x&#42;&#60;/b&#62;|0.5|&#91;a&#93;, b|decision-a-b\n"
    )


# ---------------------------------------------------------------- golden pages


@pytest.mark.parametrize("page", GOLDEN_PAGES)
def test_golden_pages(page: str) -> None:
    expected = (GOLDEN / golden_name(page)).read_text(encoding="utf-8")
    actual = render_fixture()[page]
    if actual != expected:
        diff = "".join(
            difflib.unified_diff(
                expected.splitlines(keepends=True), actual.splitlines(keepends=True), "golden", "rendered"
            )
        )
        pytest.fail(
            f"{page} differs from its golden copy; if the change is intended, run "
            f"'python -m tests.site_golden' and review the diff:\n{diff}"
        )


def test_fixture_text_is_escaped_in_golden_pages() -> None:
    decisions = (GOLDEN / golden_name(GOLDEN_PAGES[0])).read_text(encoding="utf-8")
    assert "Claims triage &#60;beta&#62;" in decisions
    assert "<beta>" not in decisions
    assert html.unescape("&#60;beta&#62;") == "<beta>"
    assert FIXTURE.is_dir()


def test_overview_shows_approvals_recorded_by_specgen_approve(example_tree: Path) -> None:
    import datetime as dt

    from specgen.review.approve import approve

    spec_file = example_tree / "specs" / "support-ticket-triage.yml"
    approve(spec_file, "model-risk-lead", "hannah-schmidt", date=dt.date(2026, 11, 2))
    portfolio = load_portfolio([example_tree / "specs"])
    overview = render_pages(portfolio)["workflows/support-ticket-triage/index.md"]
    assert (
        "- Approved by Hannah Schmidt (Northbank) as Model Risk Management Lead (Hannah Schmidt) "
        "on 2026-11-02: this version of the spec" in overview
    )
    spec_file.write_text(
        spec_file.read_text(encoding="utf-8").replace("threshold: 94", "threshold: 90"), encoding="utf-8"
    )
    overview = render_pages(load_portfolio([example_tree / "specs"]))["workflows/support-ticket-triage/index.md"]
    assert "on 2026-11-02: an earlier version; the spec changed since" in overview
