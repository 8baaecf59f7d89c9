"""The handover bundle: what it holds, reproducible bytes, and `specgen verify`."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from specgen import load_portfolio
from specgen.bundle import BundleError, build_bundle, verify_bundle
from specgen.cli import cli
from specgen.spec.fingerprint import fingerprint
from tests.paths import copy_examples, spec_files


@pytest.fixture(autouse=True)
def _no_epoch(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)


def _entries(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _rewrite(path: Path, entries: dict[str, bytes]) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)


@pytest.fixture(scope="module")
def built_bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One complete bundle of the examples (site included), built once for the module."""
    folder = copy_examples(tmp_path_factory.mktemp("built"))
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("SOURCE_DATE_EPOCH", raising=False)
        result = CliRunner().invoke(cli, ["bundle", str(folder / "specs"), "-o", str(folder / "handover.zip")])
    assert result.exit_code == 0, result.output
    return folder / "handover.zip"


@pytest.fixture
def bundle_zip(built_bundle: Path, example_tree: Path) -> Path:
    """A copy of the complete bundle in the example tree, free to tamper with."""
    return Path(shutil.copy(built_bundle, example_tree / "handover.zip"))


# ---------------------------------------------------------------- contents


def test_bundle_holds_everything_the_buyer_keeps(bundle_zip: Path, example_tree: Path) -> None:
    entries = _entries(bundle_zip)
    assert all(name.startswith("handover/") for name in entries)
    written = spec_files(example_tree / "specs")
    for spec_file in written:
        # the specs as written, byte for byte (comments included)
        assert entries[f"handover/specs/{spec_file.name}"] == spec_file.read_bytes()
        assert f"handover/definitions/{spec_file.stem}.md" in entries
        assert f"handover/definitions/{spec_file.stem}.docx" in entries
    assert entries["handover/specgen.yml"] == (example_tree / "specgen.yml").read_bytes()
    for name in ("README.md", "MANIFEST.json", "export/specs.json", "schema/spec.schema.json"):
        assert f"handover/{name}" in entries, name
    assert "specgen verify" in entries["handover/README.md"].decode("utf-8")


def test_bundle_carries_each_workflows_pdf_and_printable_page(
    bundle_zip: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from specgen.bundle.archive import definition_formats
    from specgen.sow import pdf

    entries = _entries(bundle_zip)
    manifest = json.loads(entries["handover/MANIFEST.json"])
    for spec in manifest["specs"]:
        assert f"handover/site/workflows/{spec['id']}/print.html" in entries
        if pdf.pdf_available():
            assert entries[f"handover/definitions/{spec['id']}.pdf"].startswith(b"%PDF-")
            assert f"definitions/{spec['id']}.pdf" in spec["definitions"]
        else:  # the bundle says what it holds: no PDF without the pdf extra
            assert f"handover/definitions/{spec['id']}.pdf" not in entries
            assert f"definitions/{spec['id']}.pdf" not in spec["definitions"]
    monkeypatch.setattr(pdf, "pdf_available", lambda: False)
    assert definition_formats() == ("md", "docx")


def test_bundle_holds_the_offline_site(bundle_zip: Path) -> None:
    entries = _entries(bundle_zip)
    site = {name for name in entries if name.startswith("handover/site/")}
    assert "handover/site/index.html" in site
    assert any(name.startswith("handover/site/workflows/credit-decision-assistant/") for name in site)
    assert "handover/site/.specgen-site" not in site  # the site's ownership marker stays out
    assert "open `site/index.html`" in entries["handover/README.md"].decode("utf-8")


def test_the_site_is_dated_by_the_bundle_not_by_the_clock(bundle_zip: Path) -> None:
    """mkdocs stamps sitemap.xml.gz with the build date; the bundle gives it its own
    (the latest release date of the examples), so tomorrow's build is the same."""
    entries = _entries(bundle_zip)
    gz = entries.get("handover/site/sitemap.xml.gz")
    if gz is None:
        pytest.skip("the site has no sitemap.xml.gz")
    assert int.from_bytes(gz[4:8], "little") == 1793318400  # 2026-10-30T00:00:00Z


def test_manifest_lists_every_file_with_its_hash(bundle_zip: Path) -> None:
    entries = _entries(bundle_zip)
    manifest = json.loads(entries["handover/MANIFEST.json"])
    listed = {f["path"]: f["sha256"] for f in manifest["files"]}
    files = {name.removeprefix("handover/"): data for name, data in entries.items()}
    del files["MANIFEST.json"]
    assert set(listed) == set(files)
    for path, data in files.items():
        assert listed[path] == hashlib.sha256(data).hexdigest(), path
    assert manifest["generator"] == {"name": "specgen", "version": "0.1.0"}
    assert manifest["git_commit"] is None  # the example tree is not a git repository


def test_manifest_and_export_carry_each_spec_fingerprint(bundle_zip: Path, example_tree: Path) -> None:
    portfolio = load_portfolio([example_tree / "specs"])
    expected = {s.spec.id: fingerprint(s.spec) for s in portfolio.specs}
    entries = _entries(bundle_zip)
    manifest = json.loads(entries["handover/MANIFEST.json"])
    assert {s["id"]: s["fingerprint"] for s in manifest["specs"]} == expected
    export = json.loads(entries["handover/export/specs.json"])
    assert {s["id"]: s["fingerprint"] for s in export["specs"]} == expected
    credit = next(s for s in export["specs"] if s["id"] == "credit-decision-assistant")
    assert credit["spec"]["scorecard"]["metric"]["baseline"] == 46
    for spec_id, print_ in expected.items():
        definition = entries[f"handover/definitions/{spec_id}.md"].decode("utf-8")
        assert f"| Content fingerprint | {print_} |" in definition


def test_the_git_commit_of_the_specs_is_recorded(run, example_tree: Path) -> None:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    git = ["git", "-C", str(example_tree), "-c", "user.name=t", "-c", "user.email=t@example.invalid"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-q", "-m", "specs"], check=True)
    head = subprocess.run([*git, "rev-parse", "HEAD"], check=True, capture_output=True, text=True).stdout.strip()
    assert run("bundle", "-o", "handover.zip", "--no-site", cwd=example_tree).exit_code == 0
    manifest = json.loads(_entries(example_tree / "handover.zip")["handover/MANIFEST.json"])
    assert manifest["git_commit"] == head


def test_a_single_spec_makes_a_bundle_too(run, example_tree: Path) -> None:
    result = run("bundle", "specs/credit-decision-assistant.yml", "-o", "one.zip", "--no-site", cwd=example_tree)
    assert result.exit_code == 0, result.output
    assert "1 spec," in result.output
    names = set(_entries(example_tree / "one.zip"))
    assert "handover/definitions/credit-decision-assistant.docx" in names
    assert not any("support-ticket" in n for n in names)


# ---------------------------------------------------------------- reproducible


def test_building_twice_gives_identical_bytes(run, example_tree: Path) -> None:
    assert run("bundle", "-o", "a.zip", cwd=example_tree).exit_code == 0
    assert run("bundle", "-o", "b.zip", cwd=example_tree).exit_code == 0
    assert (example_tree / "a.zip").read_bytes() == (example_tree / "b.zip").read_bytes()
    with zipfile.ZipFile(example_tree / "a.zip") as archive:
        infos = archive.infolist()
    names = [i.filename for i in infos]
    assert names == sorted(names)
    assert len({i.date_time for i in infos}) == 1
    assert {i.external_attr >> 16 for i in infos} == {0o100644}


def test_source_date_epoch_is_honoured(run, example_tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")  # 2026-01-01T00:00:00Z
    assert run("bundle", "-o", "a.zip", cwd=example_tree).exit_code == 0
    assert run("bundle", "-o", "b.zip", cwd=example_tree).exit_code == 0
    assert (example_tree / "a.zip").read_bytes() == (example_tree / "b.zip").read_bytes()
    with zipfile.ZipFile(example_tree / "a.zip") as archive:
        assert {i.date_time for i in archive.infolist()} == {(2026, 1, 1, 0, 0, 0)}
        assert json.loads(archive.read("handover/MANIFEST.json"))["built"] == "2026-01-01T00:00:00Z"


# ---------------------------------------------------------------- output safety


def test_an_existing_file_that_is_not_a_bundle_is_kept(run, example_tree: Path) -> None:
    target = example_tree / "notes.zip"
    target.write_bytes(b"my own notes")
    result = run("bundle", "-o", "notes.zip", cwd=example_tree)
    assert result.exit_code == 2
    assert "notes.zip exists and is not a specgen bundle; pass --force" in result.output
    assert target.read_bytes() == b"my own notes"
    assert run("bundle", "-o", "notes.zip", "--force", "--no-site", cwd=example_tree).exit_code == 0
    assert verify_bundle(target).ok


def test_a_previous_bundle_is_replaced(run, bundle_zip: Path, example_tree: Path) -> None:
    spec = example_tree / "specs" / "credit-decision-assistant.yml"
    spec.write_text(spec.read_text(encoding="utf-8").replace("version: 2.3.0", "version: 2.3.1"), encoding="utf-8")
    result = run("bundle", "-o", "handover.zip", "--no-site", cwd=example_tree)
    assert result.exit_code == 0, result.output
    manifest = json.loads(_entries(bundle_zip)["handover/MANIFEST.json"])
    assert "2.3.1" in {s["version"] for s in manifest["specs"]}


def test_a_failed_build_leaves_the_previous_bundle_intact(run, bundle_zip: Path, example_tree: Path) -> None:
    before = bundle_zip.read_bytes()
    spec = example_tree / "specs" / "credit-decision-assistant.yml"
    spec.write_text(spec.read_text(encoding="utf-8").replace("stage: system_of_record", "stage: live"), "utf-8")
    result = run("bundle", "-o", "handover.zip", cwd=example_tree)
    assert result.exit_code == 1
    assert "stage: expected one of experimentation" in result.output
    assert bundle_zip.read_bytes() == before
    assert [p.name for p in example_tree.iterdir() if p.name.endswith(".tmp")] == []


def test_a_folder_as_output_is_a_usage_error(run, example_tree: Path) -> None:
    (example_tree / "out").mkdir()
    result = run("bundle", "-o", "out", cwd=example_tree)
    assert result.exit_code == 2


# ---------------------------------------------------------------- verify


def test_verify_accepts_an_untouched_bundle(run, bundle_zip: Path) -> None:
    result = run("verify", bundle_zip)
    assert result.exit_code == 0, result.output
    assert "files match the manifest" in result.output
    assert "credit-decision-assistant 2.3.0 sha256:" in result.output


def test_verify_names_a_tampered_file(run, bundle_zip: Path) -> None:
    entries = _entries(bundle_zip)
    name = "handover/definitions/credit-decision-assistant.md"
    original = entries[name].decode("utf-8")
    assert "| ≥ 98% |" in original
    entries[name] = original.replace("| ≥ 98% |", "| ≥ 90% |").encode("utf-8")
    _rewrite(bundle_zip, entries)
    result = run("verify", bundle_zip)
    assert result.exit_code == 1
    assert f"changed: {name}" in result.output
    assert "does not match its manifest: 1 changed, 0 missing, 0 added" in result.output


def test_verify_names_missing_and_added_files(run, bundle_zip: Path) -> None:
    entries = _entries(bundle_zip)
    del entries["handover/specs/credit-decision-assistant.yml"]
    entries["handover/specs/extra.yml"] = b"id: extra\n"
    _rewrite(bundle_zip, entries)
    result = run("verify", bundle_zip, "--format", "json")
    assert result.exit_code == 1
    report = json.loads(result.output)
    assert report["ok"] is False
    assert report["missing"] == ["handover/specs/credit-decision-assistant.yml"]
    assert report["added"] == ["handover/specs/extra.yml"]
    assert report["changed"] == []


@pytest.mark.parametrize("evil", ["../outside.txt", "/etc/cron.d/x", "handover/../../x", "C:/windows/x", "a\\..\\b"])
def test_verify_rejects_paths_that_escape(run, bundle_zip: Path, evil: str) -> None:
    entries = _entries(bundle_zip)
    entries[evil] = b"payload"
    _rewrite(bundle_zip, entries)
    result = run("verify", bundle_zip)
    assert result.exit_code == 1
    assert f"unsafe path: {evil}" in result.output


def test_verify_rejects_a_manifest_pointing_outside(run, bundle_zip: Path) -> None:
    entries = _entries(bundle_zip)
    manifest = json.loads(entries["handover/MANIFEST.json"])
    manifest["files"].append({"path": "../../.bashrc", "sha256": "0" * 64, "size": 1})
    entries["handover/MANIFEST.json"] = json.dumps(manifest).encode()
    _rewrite(bundle_zip, entries)
    result = verify_bundle(bundle_zip)
    assert not result.ok
    assert "handover/../../.bashrc" in result.unsafe


def test_verify_rejects_a_symlink_entry(bundle_zip: Path) -> None:
    entries = _entries(bundle_zip)
    with zipfile.ZipFile(bundle_zip, "w") as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
        link = zipfile.ZipInfo("handover/site/link")
        link.create_system = 3
        link.external_attr = 0o120777 << 16
        archive.writestr(link, "/etc/passwd")
    assert verify_bundle(bundle_zip).unsafe == ["handover/site/link"]


def test_verify_of_something_that_is_not_a_bundle(run, tmp_path: Path) -> None:
    text = tmp_path / "notes.zip"
    text.write_text("hello", encoding="utf-8")
    result = run("verify", text)
    assert result.exit_code == 1
    assert "not a zip archive" in result.output
    other = tmp_path / "other.zip"
    _rewrite(other, {"readme.txt": b"hi"})
    result = run("verify", other)
    assert result.exit_code == 1
    assert "no handover/MANIFEST.json: not a specgen handover bundle" in result.output


def test_verify_of_a_missing_archive_is_a_usage_error(run, tmp_path: Path) -> None:
    assert run("verify", tmp_path / "nope.zip").exit_code == 2


def test_library_build_returns_what_it_wrote(example_tree: Path) -> None:
    portfolio = load_portfolio([example_tree / "specs"])
    result = build_bundle(portfolio, example_tree / "lib.zip", site=False)
    data = (example_tree / "lib.zip").read_bytes()
    assert result.sha256 == hashlib.sha256(data).hexdigest()
    assert result.size == len(data)
    assert result.files == len(_entries(example_tree / "lib.zip"))


def test_library_build_refuses_invalid_specs(credit_data: dict, write_spec, tmp_path: Path) -> None:
    credit_data["stage"] = "live"
    portfolio = load_portfolio([write_spec(credit_data, "credit")])
    with pytest.raises(BundleError, match="the specs have errors"):
        build_bundle(portfolio, tmp_path / "out.zip")
    assert not (tmp_path / "out.zip").exists()
