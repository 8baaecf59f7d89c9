"""`specgen sow --format pdf`: the archival PDF, read back with a real PDF library (pypdf).

Without WeasyPrint (the ``pdf`` extra) or Pango these tests skip, saying why;
with SPECGEN_REQUIRE_PDF=1 (set by CI) that is a failure instead. veraPDF (the
PDF/A validator) is a Java program downloaded from its own site, not from a
package registry, so it does not run here: the tests read the PDF/A
identification, the tags, the embedded files and the fonts instead.
"""

from __future__ import annotations

import io
import json
import os
import re
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml

from specgen import load_portfolio
from specgen.sow import definitions
from specgen.sow.attachments import EVIDENCE_MANIFEST_NAME, spec_attachments
from specgen.sow.pdf import pdf_available, pdf_is_generated, render_html, render_pdf
from tests.paths import EXAMPLES, PROJECT_FILE

pypdf = pytest.importorskip("pypdf")

EXAMPLE_IDS = ["credit-decision-assistant", "support-ticket-triage"]
EPOCH = "1797292800"
"""2026-12-15T00:00:00Z: the day the PDFs are made and the definitions compared
with them are computed, after the examples' evidence runs (2026-12-01)."""


@pytest.fixture(autouse=True)
def _pdf_engine() -> None:
    if not pdf_available():
        reason = "WeasyPrint or Pango is not installed (pip install 'specgen[pdf]')"
        if os.environ.get("SPECGEN_REQUIRE_PDF") == "1":
            pytest.fail(f"SPECGEN_REQUIRE_PDF=1 but the PDF tests cannot run: {reason}")
        pytest.skip(reason)


def _write(out: Path) -> dict[str, bytes]:
    """Both examples' PDFs, written by the CLI under a fixed SOURCE_DATE_EPOCH."""
    from click.testing import CliRunner

    from specgen.cli import cli

    env = {"SOURCE_DATE_EPOCH": EPOCH}
    result = CliRunner(env=env).invoke(
        cli, ["sow", str(EXAMPLES), "--project", str(PROJECT_FILE), "-o", str(out), "--format", "pdf"]
    )
    assert result.exit_code == 0, result.output
    return {spec_id: (out / f"{spec_id}.pdf").read_bytes() for spec_id in EXAMPLE_IDS}


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    return _write(tmp_path_factory.mktemp("pdf"))


def _squeeze(text: str) -> str:
    """Text without whitespace: line breaks fall wherever the typesetting puts them."""
    return re.sub(r"\s+", "", text)


def _outline(reader) -> list[str]:
    titles: list[str] = []

    def walk(items: list) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item)
            else:
                titles.append(item.title)

    walk(reader.outline)
    return titles


def _defn(spec_id: str):
    """The definition the PDF was made from: the same specs on the same day (:data:`EPOCH`)."""
    portfolio = load_portfolio([EXAMPLES / f"{spec_id}.yml"], project_file=PROJECT_FILE)
    assert portfolio.ok
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", EPOCH)
        return portfolio, definitions(portfolio)[0]


@pytest.mark.parametrize("spec_id", EXAMPLE_IDS)
def test_the_outline_has_every_clause_annex_and_the_signoff(written: dict[str, bytes], spec_id: str) -> None:
    _, defn = _defn(spec_id)
    reader = pypdf.PdfReader(io.BytesIO(written[spec_id]))
    expected = [
        f"Production-readiness definition: {defn.title}",
        *(f"{c.number}. {c.title}" for c in defn.clauses),
        "Annex A. Open readiness findings",
        "Annex B. Active waivers",
        "Sign-off",
    ]
    assert _outline(reader) == expected


@pytest.mark.parametrize("spec_id", EXAMPLE_IDS)
def test_every_clause_criterion_and_evidence_item_is_in_the_text(written: dict[str, bytes], spec_id: str) -> None:
    _, defn = _defn(spec_id)
    reader = pypdf.PdfReader(io.BytesIO(written[spec_id]))
    text = _squeeze("".join(page.extract_text() for page in reader.pages))
    for clause in defn.clauses:
        assert _squeeze(f"{clause.number}. {clause.title}") in text
        assert _squeeze(clause.statement) in text
        for number, criterion in clause.numbered:
            assert _squeeze(number) in text and _squeeze(criterion.text) in text and _squeeze(criterion.measure) in text
        for item in (*clause.evidence, *clause.open_items, clause.responsible):
            assert _squeeze(item) in text


@pytest.mark.parametrize("spec_id", EXAMPLE_IDS)
def test_every_page_carries_the_fingerprint_and_its_number(written: dict[str, bytes], spec_id: str) -> None:
    _, defn = _defn(spec_id)
    reader = pypdf.PdfReader(io.BytesIO(written[spec_id]))
    total = len(reader.pages)
    assert total > 3
    for number, page in enumerate(reader.pages, start=1):
        text = _squeeze(page.extract_text())
        assert _squeeze(f"{defn.spec_id} version {defn.version} · {defn.fingerprint}") in text, number
        assert text.endswith(f"page{number}/{total}"), number


@pytest.mark.parametrize("spec_id", EXAMPLE_IDS)
def test_the_signoff_table_is_on_a_page_of_its_own(written: dict[str, bytes], spec_id: str) -> None:
    _, defn = _defn(spec_id)
    reader = pypdf.PdfReader(io.BytesIO(written[spec_id]))
    last = reader.pages[-1].extract_text()
    assert last.lstrip().startswith("Sign-off")
    assert "Annex B" not in last and "Signature" in last
    for row in defn.signoff:
        assert _squeeze(row.role) in _squeeze(last)
    assert "Sign-off" not in reader.pages[-2].extract_text().replace("sign-off", "")


@pytest.mark.parametrize("spec_id", EXAMPLE_IDS)
def test_the_spec_as_written_and_its_json_export_are_embedded(written: dict[str, bytes], spec_id: str) -> None:
    _, defn = _defn(spec_id)
    reader = pypdf.PdfReader(io.BytesIO(written[spec_id]))
    files = reader.attachments
    assert sorted(files) == sorted([f"{spec_id}.yml", f"{spec_id}.json", EVIDENCE_MANIFEST_NAME])
    # the examples carry recorded evidence: the PDF alone shows what was measured
    evidence = json.loads(files[EVIDENCE_MANIFEST_NAME][0])
    recorded = yaml.safe_load((EXAMPLES / f"{spec_id}.evidence.yml").read_text(encoding="utf-8"))
    assert evidence["spec"] == spec_id
    assert [r["artefact"]["sha256"] for r in evidence["records"]] == [
        r["artefact"]["sha256"] for r in recorded["records"]
    ]
    assert files[f"{spec_id}.yml"] == [(EXAMPLES / f"{spec_id}.yml").read_bytes()]
    export = json.loads(files[f"{spec_id}.json"][0])
    assert export["format"] == "specgen-export/1"
    assert [(s["id"], s["fingerprint"], s["source"]) for s in export["specs"]] == [
        (spec_id, defn.fingerprint, f"specs/{spec_id}.yml")
    ]
    assert export["specs"][0]["spec"]["title"] == yaml.safe_load(files[f"{spec_id}.yml"][0])["title"]
    # PDF/A-3: each embedded file is an associated file of the document, with its relationship
    root = reader.trailer["/Root"]
    associated = [ref.get_object() for ref in root["/AF"]]
    assert sorted(
        (f["/F"], f["/AFRelationship"], f["/EF"]["/F"].get_object()["/Subtype"]) for f in associated
    ) == sorted(
        [
            (f"{spec_id}.json", "/Data", "/application/json"),
            (f"{spec_id}.yml", "/Source", "/application/yaml"),
            (EVIDENCE_MANIFEST_NAME, "/Supplement", "/application/json"),
        ]
    )


@pytest.mark.parametrize("spec_id", EXAMPLE_IDS)
def test_it_is_identified_as_pdf_a_3b_tagged_with_embedded_fonts(written: dict[str, bytes], spec_id: str) -> None:
    _, defn = _defn(spec_id)
    reader = pypdf.PdfReader(io.BytesIO(written[spec_id]))
    xmp = reader.xmp_metadata
    assert xmp is not None
    packet = xmp.stream.get_data().decode("utf-8")
    assert 'pdfaid:part="3"' in packet and 'pdfaid:conformance="B"' in packet
    assert defn.fingerprint in packet
    assert xmp.xmp_create_date.isoformat().startswith("2026-12-15T00:00:00")
    root = reader.trailer["/Root"]
    assert bool(root["/MarkInfo"]["/Marked"])
    assert "/StructTreeRoot" in root and root["/Lang"] == "en"
    assert root["/OutputIntents"][0].get_object()["/S"] == "/GTS_PDFA1"
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            descriptor = font.get_object()["/DescendantFonts"][0].get_object()["/FontDescriptor"]
            assert any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3"))


def test_two_runs_give_identical_bytes(written: dict[str, bytes], tmp_path: Path) -> None:
    assert _write(tmp_path) == written


def test_fonts_subset_by_fonttools_are_dated_too(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without HarfBuzz's subsetter WeasyPrint uses fontTools, which dates
    each subset font with the clock unless SOURCE_DATE_EPOCH is set: two
    renderings an hour apart must still be the same bytes, and the
    variable must be as it was afterwards."""
    import time

    from weasyprint.pdf import fonts

    monkeypatch.setattr(fonts, "harfbuzz_subset", None)
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    _, defn = _defn(EXAMPLE_IDS[0])
    first = render_pdf(defn)
    clock = time.time
    monkeypatch.setattr(time, "time", lambda: clock() + 3600)
    assert render_pdf(defn) == first
    assert "SOURCE_DATE_EPOCH" not in os.environ


def test_the_date_comes_from_source_date_epoch(monkeypatch: pytest.MonkeyPatch) -> None:
    _, defn = _defn("support-ticket-triage")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    first = render_pdf(defn)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767312000")
    second = pypdf.PdfReader(io.BytesIO(render_pdf(defn)))
    assert first != render_pdf(defn)
    assert second.xmp_metadata.xmp_create_date.isoformat().startswith("2026-01-02")


def test_the_evidence_manifest_is_embedded_when_there_is_one() -> None:
    portfolio, defn = _defn("support-ticket-triage")
    manifest = b'{"evidence": []}\n'
    attachments = spec_attachments(
        portfolio.specs[0], portfolio.project, PROJECT_FILE.parent, evidence_manifest=manifest
    )
    reader = pypdf.PdfReader(io.BytesIO(render_pdf(defn, attachments=attachments)))
    assert reader.attachments[EVIDENCE_MANIFEST_NAME] == [manifest]


HOSTILE_TITLE = "<script>alert('t')</script> & \"quoted\" <!-- c --> ]]>"


class _Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.tags.append(tag)


def test_spec_text_cannot_become_markup_in_the_pdf(credit_data: dict, write_spec) -> None:
    def page(title: str) -> tuple[str, bytes]:
        data = {**credit_data, "title": title, "summary": title}
        portfolio = load_portfolio([write_spec(data, "x")])
        assert portfolio.ok, portfolio.diagnostics
        defn = definitions(portfolio)[0]
        return render_html(defn), render_pdf(defn)

    hostile_html, hostile_pdf = page(HOSTILE_TITLE)
    plain_html, _ = page("plain")
    hostile, plain = _Elements(), _Elements()
    hostile.feed(hostile_html)
    plain.feed(plain_html)
    assert hostile.tags == plain.tags
    text = pypdf.PdfReader(io.BytesIO(hostile_pdf)).pages[0].extract_text()
    assert _squeeze(HOSTILE_TITLE) in _squeeze(text)


def test_sow_replaces_its_own_pdf_but_not_a_signed_one(run, example_tree: Path) -> None:
    args = ("sow", "specs/support-ticket-triage.yml", "-o", "out", "--format", "pdf")
    assert run(*args, cwd=example_tree).exit_code == 0
    path = example_tree / "out" / "support-ticket-triage.pdf"
    assert pdf_is_generated(path.read_bytes())
    assert run(*args, cwd=example_tree).exit_code == 0
    # a signature is an incremental update appended to the file
    signed = path.read_bytes() + b"\n1 0 obj\n<< /Sig true >>\nendobj\ntrailer\n<< >>\n%%EOF\n"
    path.write_bytes(signed)
    result = run(*args, cwd=example_tree)
    assert result.exit_code == 2
    assert "pass --force" in result.output
    assert path.read_bytes() == signed


def test_without_weasyprint_the_message_names_the_install_command(
    run, example_tree: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from specgen.sow import pdf

    pdf._weasyprint.cache_clear()
    monkeypatch.setitem(sys.modules, "weasyprint", None)  # import weasyprint raises ImportError
    try:
        result = run("sow", "specs", "-o", "out", "--format", "md,pdf", cwd=example_tree)
    finally:
        pdf._weasyprint.cache_clear()
    assert result.exit_code == 2
    assert "pip install 'specgen[pdf]'" in result.output
    assert "Traceback" not in result.output
    assert not (example_tree / "out").exists()  # nothing written, not even the Markdown
