"""The definition as a Word document: structure read back with python-docx,
reproducible bytes, and a real office suite (LibreOffice) that opens it."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import os
import shutil
import subprocess
import zipfile
from pathlib import Path

import docx
import pytest

from specgen import load_portfolio
from specgen.sow import Definition, SowError, definitions
from specgen.sow.docx import docx_is_generated, render_docx
from specgen.sow.files import definition_files
from tests.paths import EXAMPLES, PROJECT_FILE, REPO


@pytest.fixture(autouse=True)
def _no_epoch(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)


def _credit() -> Definition:
    portfolio = load_portfolio([EXAMPLES / "credit-decision-assistant.yml"], project_file=PROJECT_FILE)
    return definitions(portfolio)[0]


def _open(data: bytes) -> docx.document.Document:
    return docx.Document(io.BytesIO(data))


def _all_text(document: docx.document.Document) -> str:
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts += [cell.text for cell in row.cells]
    for section in document.sections:
        parts += [p.text for p in section.footer.paragraphs]
    return "\n".join(parts)


def test_headings_use_word_styles_with_clause_numbers() -> None:
    document = _open(render_docx(_credit()))
    title = [p.text for p in document.paragraphs if p.style.name == "Title"]
    assert title == ["Production-readiness definition: Credit-decision assistant for personal loans"]
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert headings[:9] == [
        "1. Scope and stage",
        "2. Scorecard and stop condition",
        "3. Acceptance conditions and evaluation harness",
        "4. Red-team coverage",
        "5. Runtime controls and policy-as-code",
        "6. Audit trail and data protection",
        "7. Runbooks and on-call",
        "8. Change control",
        "9. Exit and handover",
    ]
    assert headings[9:] == ["Annex A. Open readiness findings", "Annex B. Active waivers", "Sign-off"]
    assert any(p.style.name == "List Bullet" for p in document.paragraphs)


def test_criteria_tables_are_numbered_by_clause() -> None:
    defn = _credit()
    document = _open(render_docx(defn))
    assert all(t.style.name == "Table Grid" for t in document.tables)
    criteria = [
        t for t in document.tables if [c.text for c in t.rows[0].cells] == ["No.", "Acceptance criterion", "Measure"]
    ]
    assert len(criteria) == 9
    scorecard = criteria[1]
    assert [r.cells[0].text for r in scorecard.rows[1:]] == ["2.1", "2.2", "2.3", "2.4"]
    assert scorecard.rows[1].cells[2].text == "baseline 46 hours → target 4 hours"
    # the header row repeats on every page a table spans
    header = scorecard.rows[0]._tr
    assert header.trPr is not None and header.trPr.find(docx.oxml.ns.qn("w:tblHeader")) is not None


def test_signoff_table_has_a_row_per_area_with_space_to_sign() -> None:
    document = _open(render_docx(_credit()))
    table = document.tables[-1]
    assert [c.text for c in table.rows[0].cells] == ["Area", "Role", "Name", "Organisation", "Signature", "Date"]
    rows = [[c.text for c in r.cells] for r in table.rows[1:]]
    assert [r[0] for r in rows] == [
        "Engineering",
        "Security",
        "Risk and compliance",
        "Business sponsor",
        "Finance (scorecard)",
    ]
    assert rows[3][1:5] == ["Head of Retail Lending", "Priya Raman", "Northbank", ""]


def test_document_states_version_and_fingerprint_everywhere() -> None:
    defn = _credit()
    document = _open(render_docx(defn))
    props = document.core_properties
    assert props.identifier == defn.fingerprint
    assert props.version == "2.3.0"
    assert props.title == "Production-readiness definition: Credit-decision assistant for personal loans"
    assert props.subject == "credit-decision-assistant version 2.3.0"
    footer = document.sections[0].footer.paragraphs[0].text
    assert f"credit-decision-assistant version 2.3.0 · {defn.fingerprint}" in footer
    control = document.tables[0]
    assert ["Content fingerprint", defn.fingerprint] in [[c.text for c in r.cells] for r in control.rows]
    assert f"for version 2.3.0 of the spec, fingerprint {defn.fingerprint}." in _all_text(document)


def test_docx_is_byte_reproducible() -> None:
    data = render_docx(_credit())
    assert render_docx(_credit()) == data
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        infos = archive.infolist()
    assert infos[0].filename == "[Content_Types].xml"
    assert {i.date_time for i in infos} == {(2026, 10, 30, 0, 0, 0)}  # the release date of version 2.3.0
    assert "docProps/thumbnail.jpeg" not in {i.filename for i in infos}
    assert _open(data).core_properties.created == dt.datetime(2026, 10, 30, tzinfo=dt.timezone.utc)


def test_source_date_epoch_sets_the_document_date(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")  # 2026-01-01T00:00:00Z
    data = render_docx(_credit())
    assert _open(data).core_properties.modified == dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
    assert render_docx(_credit()) == data


def test_characters_xml_cannot_hold_do_not_break_the_document(credit_data: dict, write_spec) -> None:
    credit_data["title"] = "Credit\x0bdecision\x00 assistant"
    # a vertical tab is whitespace (a space), a NUL is dropped: XML 1.0 can hold neither
    portfolio = load_portfolio([write_spec(credit_data, "credit")])
    document = _open(render_docx(definitions(portfolio)[0]))
    assert document.core_properties.title == "Production-readiness definition: Credit decision assistant"


def test_a_document_saved_by_someone_else_is_not_ours() -> None:
    data = render_docx(_credit())
    assert docx_is_generated(data)
    document = _open(data)
    document.add_paragraph("Amended by procurement.")
    edited = io.BytesIO()
    document.save(edited)
    assert not docx_is_generated(edited.getvalue())
    assert not docx_is_generated(b"not a zip")


# ---------------------------------------------------------------- a real office suite


def _soffice() -> str:
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if found:
        return found
    if os.environ.get("SPECGEN_REQUIRE_OFFICE") == "1":
        pytest.fail("SPECGEN_REQUIRE_OFFICE=1 but LibreOffice (soffice) is not installed")
    pytest.skip("LibreOffice (soffice) is not installed; install Debian's libreoffice-writer to run this test")


def _convert(soffice: str, source: Path, target: str, out: Path, profile: Path) -> Path:
    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--norestore",
            "--convert-to",
            target,
            "--outdir",
            str(out),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    return out / f"{source.stem}.{target.split(':')[0]}"


@pytest.mark.office
def test_libreoffice_converts_the_definition_to_pdf(tmp_path: Path) -> None:
    soffice = _soffice()
    source = tmp_path / "credit-decision-assistant.docx"
    source.write_bytes(render_docx(_credit()))
    pdf = _convert(soffice, source, "pdf", tmp_path / "pdf", tmp_path / "profile")
    assert pdf.is_file(), "LibreOffice wrote no PDF"
    assert pdf.read_bytes().startswith(b"%PDF-")
    assert pdf.stat().st_size > 10_000


@pytest.mark.office
def test_libreoffice_reads_every_clause_and_the_fingerprint(tmp_path: Path) -> None:
    soffice = _soffice()
    defn = _credit()
    source = tmp_path / "credit-decision-assistant.docx"
    source.write_bytes(render_docx(defn))
    text_file = _convert(soffice, source, "txt:Text (encoded):UTF8", tmp_path / "txt", tmp_path / "profile")
    text = text_file.read_text(encoding="utf-8-sig")
    for clause in defn.clauses:
        assert f"{clause.number}. {clause.title}" in text
    assert defn.fingerprint in text
    assert "Finance (scorecard)" in text
    # a document LibreOffice saved is no longer specgen's own: `specgen sow` will not overwrite it
    saved = _convert(soffice, source, "docx:MS Word 2007 XML", tmp_path / "saved", tmp_path / "profile")
    assert not docx_is_generated(saved.read_bytes())


# ---------------------------------------------------------------- one source for the wording


def _override_wording(tmp_path: Path, old: str, new: str) -> Path:
    """A user templates/ folder whose sow/wording.j2 is the bundled one with ``old`` replaced."""
    bundled = (REPO / "templates" / "sow" / "wording.j2").read_text(encoding="utf-8")
    assert bundled.count(old) == 1
    folder = tmp_path / "templates" / "sow"
    folder.mkdir(parents=True)
    (folder / "wording.j2").write_text(bundled.replace(old, new), encoding="utf-8")
    return tmp_path / "templates"


def test_a_wording_override_changes_the_markdown_and_the_docx_alike(tmp_path: Path) -> None:
    templates = _override_wording(
        tmp_path,
        "This definition belongs to the statement of work between",
        "Under the master agreement, this annex binds",
    )
    templates_sow = templates / "sow" / "wording.j2"
    templates_sow.write_text(
        templates_sow.read_text(encoding="utf-8")
        .replace('"Sign-off"', '"Signatures"')
        .replace('"Acceptance criterion"', '"Criterion"'),
        encoding="utf-8",
    )
    defn = _credit()
    files = definition_files(defn, template_dirs=[templates])
    markdown = files[f"{defn.spec_id}.md"].decode("utf-8")
    document = _open(files[f"{defn.spec_id}.docx"])
    intro = f"Under the master agreement, this annex binds {defn.organisation} (the buyer)"
    assert intro in markdown
    assert intro in document.paragraphs[1].text
    assert "statement of work between" not in markdown
    assert "statement of work between" not in _all_text(document)
    assert "\n## Signatures\n" in markdown
    assert [p.text for p in document.paragraphs if p.style.name == "Heading 1"][-1] == "Signatures"
    assert "| No. | Criterion | Measure |" in markdown
    assert [c.text for c in document.tables[1].rows[0].cells] == ["No.", "Criterion", "Measure"]


def test_the_wording_escapes_spec_text_for_each_target(tmp_path: Path) -> None:
    templates = _override_wording(tmp_path, "{% set title %}Production-readiness definition: ", "{% set title %}*SoW* ")
    defn = dataclasses.replace(_credit(), title="Loans <b>|</b> *beta*")
    files = definition_files(defn, template_dirs=[templates])
    markdown = files[f"{defn.spec_id}.md"].decode("utf-8")
    document = _open(files[f"{defn.spec_id}.docx"])
    # the template's own text is taken as written; the spec's title is escaped for Markdown, plain in Word
    assert markdown.splitlines()[1] == "# *SoW* Loans &#60;b&#62;&#124;&#60;/b&#62; &#42;beta&#42;"
    assert document.paragraphs[0].text == "*SoW* Loans <b>|</b> *beta*"
    assert document.core_properties.title == "*SoW* Loans <b>|</b> *beta*"


def test_a_wording_override_with_a_wrong_table_header_is_a_clear_error(tmp_path: Path) -> None:
    templates = _override_wording(tmp_path, '"Measure"]', '"Measure", "Extra"]')
    with pytest.raises(SowError, match=r"sow/wording.j2: 'criteria_header' must be a list of 3 column titles"):
        render_docx(_credit(), template_dirs=[templates])
