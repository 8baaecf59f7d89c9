"""`specgen evidence`: real result files are recorded beside the spec, verdicts are computed,
and check, the site and the bundle use them."""

from __future__ import annotations

import json
import subprocess
import zipfile
from pathlib import Path

import pytest

from specgen import load_portfolio
from specgen.evidence import wilson_interval
from specgen.site.render import render_pages
from tests.evidence_support import (
    SPEC,
    evidence_state,
    good_rows,
    make_project,
    require_promptfoo,
    run_pytest_junit,
    sidecar,
    table,
)

AS_OF = "2026-12-15"
AS_OF_EPOCH = "1797292800"  # 2026-12-15T00:00:00Z: "today" for staleness, so no test ages


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", AS_OF_EPOCH)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return make_project(tmp_path / "p")


def _check(run, spec: Path, *more: str):
    return run("check", spec, "--as-of", AS_OF, "--format", "json", *more)


def _findings(result, rule: str) -> list[dict]:
    data = json.loads(result.output)
    return [f for s in data["specs"] for f in s["findings"] if f["rule_id"] == rule]


# ---------------------------------------------------------------- the interval


def test_wilson_interval_matches_the_textbook_values() -> None:
    low, high = wilson_interval(81, 263)  # Wilson (1927) / Newcombe (1998) example: 0.2553 - 0.3662
    assert (round(low, 4), round(high, 4)) == (0.2553, 0.3662)
    assert wilson_interval(0, 10)[0] == 0.0 and wilson_interval(10, 10)[1] == 1.0


# ---------------------------------------------------------------- real tools


def test_a_real_pytest_junit_file_is_imported_per_suite_and_slice(
    run, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH")  # the run is dated today
    junit = run_pytest_junit(
        project.parent.parent,
        "import pytest\n"
        "@pytest.mark.parametrize('i', range(40))\n"
        "def test_fr(record_property, i):\n"
        "    record_property('slice', 'fr')\n"
        "    assert i != 3\n"
        "@pytest.mark.parametrize('i', range(10))\n"
        "def test_other(i):\n"
        "    assert True\n"
        "@pytest.mark.skip\n"
        "def test_skipped():\n"
        "    pass\n",
    )
    result = run("evidence", "add", junit, "--spec", project)
    assert result.exit_code == 0, result.output
    records = {(r["metric"], r["slice"]): r for r in sidecar(project)["records"]}
    assert records[("routing_accuracy", "fr")]["n"] == 40
    assert records[("routing_accuracy", "fr")]["successes"] == 39
    assert records[("routing_accuracy", "all")]["n"] == 50  # skipped cases are left out
    assert records[("routing_accuracy", "all")]["tool"] == "pytest"
    low, high = records[("routing_accuracy", "all")]["interval"]
    assert low < 49 / 50 < high
    stored = project.parent.parent / "evidence" / records[("routing_accuracy", "all")]["artefact"]["stored"]
    assert stored.read_bytes() == junit.read_bytes()


PROMPTFOO_CONFIG = """\
description: routing
metadata:
  spec: support-ticket-triage
prompts:
  - "Ticket: {{ticket}} Queue: {{queue}}"
providers:
  - echo
defaultTest:
  assert:
    - type: icontains
      value: "Queue: {{expected}}"
      metric: routing_accuracy
tests: file://cases.csv
"""


def test_a_real_promptfoo_run_is_imported_with_its_named_metrics_and_slices(
    run, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH")  # the run is dated today
    promptfoo = require_promptfoo()
    work = project.parent.parent / "eval"
    work.mkdir()
    (work / "promptfooconfig.yaml").write_text(PROMPTFOO_CONFIG, encoding="utf-8")
    rows = ["ticket,queue,expected,lang"]
    rows += [f"t{i},billing,{'billing' if i % 10 else 'returns'},{'de' if i < 40 else 'en'}" for i in range(100)]
    (work / "cases.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    env = {
        "PATH": "/usr/bin:/bin:/usr/local/bin",
        "HOME": str(work),
        "PROMPTFOO_DISABLE_TELEMETRY": "1",
        "PROMPTFOO_DISABLE_UPDATE": "1",
        "PROMPTFOO_CONFIG_DIR": str(work / ".promptfoo"),
    }
    done = subprocess.run(
        [promptfoo, "eval", "-c", "promptfooconfig.yaml", "-o", "results.json", "--no-cache", "--no-table"],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    results = work / "results.json"
    assert results.is_file(), done.stdout + done.stderr
    tool_says = json.loads(results.read_text(encoding="utf-8"))["results"]["prompts"][0]["metrics"]
    result = run("evidence", "add", results, "--spec", project, "--slice-var", "lang")
    assert result.exit_code == 0, result.output
    records = {(r["metric"], r["slice"]): r for r in sidecar(project)["records"]}
    overall = records[("routing_accuracy", "all")]
    # the same number promptfoo itself reports (namedScores / namedScoresCount)
    assert (
        overall["value"]
        == tool_says["namedScores"]["routing_accuracy"] / tool_says["namedScoresCount"]["routing_accuracy"]
    )
    assert (overall["n"], overall["successes"]) == (100, 90)
    assert (records[("routing_accuracy", "de")]["n"], records[("routing_accuracy", "de")]["successes"]) == (40, 36)
    assert records[("pass_rate", "all")]["value"] == 0.9
    assert overall["tool"] == "promptfoo"
    # re-importing the same file changes nothing
    before = evidence_state(project.parent.parent)
    again = run("evidence", "add", results, "--spec", project, "--slice-var", "lang")
    assert again.exit_code == 0 and "already recorded" in again.output
    assert evidence_state(project.parent.parent) == before


# ---------------------------------------------------------------- verdicts in check


def test_check_reports_holds(run, project: Path) -> None:
    assert run("evidence", "add", table(project.parent, "r.csv", good_rows()), "--spec", project).exit_code == 0
    result = _check(run, project)
    assert result.exit_code == 0, result.output
    assert _findings(result, "EVID-001") == [] and _findings(result, "EVID-002") == []
    listed = run("evidence", "list", project, "--as-of", AS_OF)
    assert listed.output.count("holds") == 5


def test_check_reports_a_failing_condition_at_its_line(run, project: Path) -> None:
    rows = good_rows(routing=(90, 100))
    assert run("evidence", "add", table(project.parent, "r.csv", rows), "--spec", project).exit_code == 0
    result = _check(run, project, "--stage", "experimentation")
    assert result.exit_code == 1
    (finding, *others) = _findings(result, "EVID-002")
    assert "ac-routing-accuracy' fails: measured 90 on 100 cases" in finding["message"]
    assert finding["path"] == "acceptance.conditions[0].measured_by"
    line = next(
        i for i, t in enumerate(project.read_text().splitlines(), 1) if "measured_by: {metric: routing_accuracy}" in t
    )
    assert finding["line"] == line
    assert any("routing accuracy' fails" in f["message"] for f in others)  # the evaluation metric too


def test_check_reports_stale_evidence_by_age_and_by_fingerprint(run, project: Path) -> None:
    assert run("evidence", "add", table(project.parent, "r.csv", good_rows()), "--spec", project).exit_code == 0
    old = _check(run, project, "--as-of", "2027-06-01")  # later --as-of wins
    assert any("stale: measured 203 days ago; the policy allows 90" in f["message"] for f in _findings(old, "EVID-001"))
    text = project.read_text(encoding="utf-8")
    project.write_text(text.replace("[route-ticket]", "[route-ticket, draft-reply]", 1), encoding="utf-8")
    changed = _check(run, project)
    assert changed.exit_code == 1
    messages = [f["message"] for f in _findings(changed, "EVID-001")]
    assert any("stale: measured before the spec's acceptance.conditions changed" in m for m in messages)


def test_check_reports_not_proven_on_too_few_cases_and_by_the_interval(run, project: Path, tmp_path: Path) -> None:
    rows = good_rows(routing=(10, 10))
    assert run("evidence", "add", table(project.parent, "r.csv", rows), "--spec", project).exit_code == 0
    result = _check(run, project)
    assert any(
        "not proven: 10 cases; the policy asks for at least 30" in f["message"] for f in _findings(result, "EVID-001")
    )
    # at system of record, a policy that asks for the interval bound: 96/100 has a lower bound of 90.2% < 94%
    other = make_project(tmp_path / "q")
    spec_text = other.read_text(encoding="utf-8").replace("stage: limited_rollout", "stage: system_of_record", 1)
    other.write_text(spec_text, encoding="utf-8")
    project_file = other.parent.parent / "specgen.yml"
    project_file.write_text(
        project_file.read_text(encoding="utf-8").replace(
            "    golden_set_min: 100\n", "    golden_set_min: 100\n    evidence_interval_bound: true\n", 1
        ),
        encoding="utf-8",
    )
    assert run("evidence", "add", table(other.parent, "r.csv", good_rows()), "--spec", other).exit_code == 0
    bound = _check(run, other)
    assert any("not proven: the 95% interval [90." in f["message"] for f in _findings(bound, "EVID-001"))


def test_conditions_without_evidence_and_results_that_match_nothing_are_reported(run, project: Path) -> None:
    rows = [*good_rows()[1:], f"latency_p95,all,3.2,500,,2026-11-10,harness,{SPEC}"]
    added = run("evidence", "add", table(project.parent, "r.csv", rows), "--spec", project)
    assert added.exit_code == 0
    assert "note: bound to no condition or metric (measured_by): latency_p95" in added.output
    result = _check(run, project)
    assert any("ac-routing-accuracy': no evidence" in f["message"] for f in _findings(result, "EVID-001"))
    assert any("latency_p95" in f["message"] for f in _findings(result, "EVID-003"))
    listed = run("evidence", "list", project, "--as-of", AS_OF, "--format", "json")
    data = json.loads(listed.output)
    assert ["latency_p95", "all"] in data["unmatched"]
    assert {i["item"]: i["verdict"] for i in data["items"]}["ac-routing-accuracy"] == "no evidence"


def test_a_typed_metric_value_is_asserted_not_measured(run, project: Path) -> None:
    text = project.read_text(encoding="utf-8")
    project.write_text(
        text.replace("        measured_by: {metric: routing_accuracy}\n", "        value: 0.951\n", 1), encoding="utf-8"
    )
    result = _check(run, project)
    assert any("typed by hand (asserted, not measured)" in f["message"] for f in _findings(result, "EVID-003"))


# ---------------------------------------------------------------- bad input changes nothing

BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
<testsuites><testsuite name="s" timestamp="2026-11-10T10:00:00"><testcase name="a">&lol2;</testcase></testsuite></testsuites>
"""
EXTERNAL = """<?xml version="1.0"?>
<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<testsuites><testsuite name="s" timestamp="2026-11-10T10:00:00"><testcase name="&x;"/></testsuite></testsuites>
"""


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("truncated.json", b'{"results": {"results": [{"success": tr', "truncated.json:1:"),
        (
            "latin1.csv",
            ("metric,value,n,date\nd\xe9bit,0.5,10,2026-11-10\n").encode("latin-1"),
            "latin1.csv:2:2: not UTF-8",
        ),
        ("bomb.xml", BILLION_LAUGHS.encode(), "bomb.xml: refused: the XML declares entities"),
        ("external.xml", EXTERNAL.encode(), "external.xml: refused: the XML declares entities"),
        (
            "cut.xml",
            b'<testsuites><testsuite name="s" timestamp="2026-11-10T10:00:00"><testcase name="a">',
            "cut.xml:1:",
        ),
        ("nan.json", b'[{"metric": "m", "value": NaN, "n": 3, "date": "2026-11-10"}]', "NaN is not a number"),
        ("inf.csv", b"metric,value,n,date\nm,inf,3,2026-11-10\n", "inf.csv:2: value is inf"),
        ("negative.csv", b"metric,value,n,date\nm,0.5,-3,2026-11-10\n", "counts cannot be negative"),
        (
            "twice.csv",
            b"metric,value,n,date\nm,0.5,3,2026-11-10\nm,0.6,3,2026-11-10\n",
            "twice.csv:3: metric 'm' slice 'all' is stated twice",
        ),
        (
            "other.csv",
            b"metric,value,n,date,spec\nm,0.5,3,2026-11-10,credit-decision-assistant\n",
            "for spec 'credit-decision-assistant', not 'support-ticket-triage'",
        ),
    ],
)
def test_a_bad_result_file_is_refused_and_changes_nothing(
    run, project: Path, name: str, content: bytes, message: str
) -> None:
    folder = project.parent.parent
    good = table(project.parent, "good.csv", good_rows())
    assert run("evidence", "add", good, "--spec", project).exit_code == 0
    before = evidence_state(folder)
    bad = folder / name
    bad.write_bytes(content)
    fresh = table(project.parent, "fresh.csv", good_rows(day="2026-11-12"))
    result = run("evidence", "add", fresh, bad, "--spec", project)  # a good file first: all or nothing
    assert result.exit_code == 1, result.output
    assert message in result.output
    assert "Traceback" not in result.output
    assert evidence_state(folder) == before


def test_an_unknown_spec_or_missing_file_is_a_usage_error(run, project: Path) -> None:
    good = table(project.parent, "good.csv", good_rows())
    assert run("evidence", "add", good, "--spec", project.parent / "nope.yml").exit_code == 2
    assert run("evidence", "add", project.parent / "missing.json", "--spec", project).exit_code == 2
    assert not (project.parent.parent / "evidence").exists()


# ---------------------------------------------------------------- where the buyer looks


def test_show_prints_every_record_with_its_provenance(run, project: Path) -> None:
    assert run("evidence", "add", table(project.parent, "r.csv", good_rows()), "--spec", project).exit_code == 0
    shown = run("evidence", "show", project)
    assert shown.exit_code == 0
    assert "routing_accuracy [all] = 0.96 on 100 cases 95% CI [0.9016, 0.9843]" in shown.output
    assert "run 2026-11-10 by harness; file r.csv sha256:" in shown.output
    assert "against spec version 0.9.0 (sha256:" in shown.output


def test_the_acceptance_page_shows_measured_values_and_verdicts(run, project: Path) -> None:
    rows = good_rows(routing=(90, 100))
    assert run("evidence", "add", table(project.parent, "r.csv", rows), "--spec", project).exit_code == 0
    portfolio = load_portfolio([project.parent], project_file=project.parent.parent / "specgen.yml")
    page = render_pages(portfolio)[f"workflows/{SPEC}/acceptance.md"]
    assert '<tr data-verdict="fails">' in page and "✘ fails" in page
    assert "measured 90 on 100 cases (harness, 2026-11-10); the bar is &#62;= 94 %" in page
    assert "<strong>90 %</strong> on 100 cases<br>95% interval 82.56 – 94.48" in page and "2026-11-10" in page
    assert 'href="../../evidence/' in page and "r.csv</a>" in page


def test_the_examples_are_backed_by_evidence_that_holds(run) -> None:
    from tests.paths import EXAMPLES

    for spec in ("credit-decision-assistant", "support-ticket-triage"):
        listed = run("evidence", "list", EXAMPLES / f"{spec}.yml", "--as-of", "2026-12-01", "--format", "json")
        items = json.loads(listed.output)["items"]
        assert items and {i["verdict"] for i in items} == {"holds"}, items
        assert all(i["sha256"] for i in items)


def test_a_run_dated_after_the_day_checked_does_not_count(run) -> None:
    """--as-of asks how things stood on that day: evidence recorded later did not exist yet."""
    from tests.paths import EXAMPLES

    spec = EXAMPLES / "credit-decision-assistant.yml"
    before = json.loads(run("evidence", "list", spec, "--as-of", "2026-11-30", "--format", "json").output)["items"]
    assert before and {i["verdict"] for i in before} == {"no evidence"}
    assert all("on or before 2026-11-30 (the first recorded run is dated 2026-12-01)" in i["reason"] for i in before)
    checked = run("check", spec, "--as-of", "2026-11-30")
    assert checked.exit_code == 1 and "EVID-001" in checked.output


@pytest.mark.slow
def test_bundle_carries_the_result_files_and_verify_finds_a_tampered_one(run, project: Path) -> None:
    folder = project.parent.parent
    assert run("evidence", "add", table(project.parent, "r.csv", good_rows()), "--spec", project).exit_code == 0
    archive = folder / "handover.zip"
    assert run("bundle", project.parent, "-o", archive, "--no-site").exit_code == 0
    with zipfile.ZipFile(archive) as z:
        entries = {n: z.read(n) for n in z.namelist()}
    stored = [n for n in entries if n.startswith("handover/evidence/sha256/")]
    assert len(stored) == 1 and f"handover/specs/{SPEC}.evidence.yml" in entries
    assert run("verify", archive).exit_code == 0
    entries[stored[0]] = entries[stored[0]].replace(b"0.96", b"0.99")
    with zipfile.ZipFile(archive, "w") as z:
        for name, data in entries.items():
            z.writestr(name, data)
    result = run("verify", archive)
    assert result.exit_code == 1
    assert f"changed: {stored[0]}" in result.output


def test_the_statement_of_work_lists_the_evidence_per_criterion(run, project: Path) -> None:
    assert run("evidence", "add", table(project.parent, "r.csv", good_rows()), "--spec", project).exit_code == 0
    out = project.parent.parent / "sow"
    result = run("sow", project, "-o", out, "--format", "md")
    assert result.exit_code == 0, result.output
    text = (out / f"{SPEC}.md").read_text(encoding="utf-8")
    assert "Measured for condition ac-routing-accuracy: 96 % on 100 cases, harness run of 2026-11-10" in text
    assert "result file r.csv (sha256 " in text and "verdict computed by specgen: holds." in text


def test_diff_flags_a_holds_to_fails_flip_for_sign_off(run, project: Path) -> None:
    folder = project.parent.parent
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid", "-c", "commit.gpgsign=false"]
    subprocess.run(["git", "init", "-q", str(folder)], check=True)
    assert run("evidence", "add", table(folder, "a.csv", good_rows()), "--spec", project).exit_code == 0
    subprocess.run([*git, "-C", str(folder), "add", "-A"], check=True)
    subprocess.run([*git, "-C", str(folder), "commit", "-qm", "base"], check=True)
    rows = good_rows(day="2026-11-12", routing=(90, 100))
    assert run("evidence", "add", table(folder, "b.csv", rows), "--spec", project).exit_code == 0
    result = run("diff", "HEAD", "--format", "json", cwd=folder)
    assert result.exit_code == 1, result.output
    changes = json.loads(result.output)["specs"][0]["changes"]
    flip = next(c for c in changes if c["path"] == "acceptance.conditions[0]")
    assert (flip["before"], flip["after"], flip["direction"]) == ("holds", "fails", "loosens")
    assert flip["needs_signoff"]
    assert any(c["label"] == "new evidence run" and c["after"]["file"] == "b.csv" for c in changes)


def test_specgen_examples_copies_the_evidence_with_the_specs(run, tmp_path: Path) -> None:
    assert run("examples", tmp_path / "mine").exit_code == 0
    assert any((tmp_path / "mine" / "evidence" / "sha256").iterdir())
    listed = run("evidence", "list", tmp_path / "mine" / "specs" / f"{SPEC}.yml", "--as-of", "2026-12-01")
    assert listed.exit_code == 0 and "no evidence" not in listed.output and "holds" in listed.output


def test_a_tampered_copy_in_the_evidence_store_is_refused_by_bundle(run, project: Path) -> None:
    folder = project.parent.parent
    assert run("evidence", "add", table(project.parent, "r.csv", good_rows()), "--spec", project).exit_code == 0
    (stored,) = (folder / "evidence" / "sha256").iterdir()
    stored.write_bytes(stored.read_bytes().replace(b"0.96", b"0.99"))
    result = run("bundle", project.parent, "-o", folder / "handover.zip", "--no-site")
    assert result.exit_code == 1
    # refused as the evidence is read: its records are checked against the stored copy
    assert "records[0].artefact: the evidence store's sha256/" in result.output
    assert "is not the file its SHA-256 names" in result.output
    assert not (folder / "handover.zip").exists()


def test_an_evidence_file_cannot_point_outside_the_store(run, project: Path) -> None:
    assert run("evidence", "add", table(project.parent, "r.csv", good_rows()), "--spec", project).exit_code == 0
    sidecar_file = project.with_name(f"{SPEC}.evidence.yml")
    text = sidecar_file.read_text(encoding="utf-8")
    sidecar_file.write_text(text.replace("stored: sha256/", "stored: ../../../etc/passwd#", 1), encoding="utf-8")
    result = run("evidence", "show", project)
    assert result.exit_code == 1
    assert "artefact.stored" in result.output


@pytest.mark.parametrize("chunk", [1 << 20, 64])
def test_the_committed_promptfoo_outputs_read_the_same_in_any_chunk_size(
    chunk: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The examples' real promptfoo files, streamed in small pieces, give the recorded measurements."""
    import yaml

    import specgen.evidence.readers_promptfoo as streaming
    from specgen.evidence import read_result_file
    from tests.paths import REPO

    monkeypatch.setattr(streaming, "CHUNK", chunk)
    records = yaml.safe_load((REPO / "specs" / "credit-decision-assistant.evidence.yml").read_text(encoding="utf-8"))
    by_file: dict[str, dict] = {}
    for r in records["records"]:
        if r["tool"] == "promptfoo":
            by_file.setdefault(r["artefact"]["stored"], {})[(r["metric"], r["slice"])] = (r["value"], r["n"])
    assert len(by_file) == 2
    for stored, expected in by_file.items():
        result = read_result_file(REPO / "evidence" / stored, slice_var="segment")
        assert {(m.metric, m.slice): (m.value, m.n) for m in result.measurements} == expected
        assert result.spec == "credit-decision-assistant"


def test_the_sites_definition_page_lists_the_evidence_as_the_statement_of_work_does(run, project: Path) -> None:
    """The site's definition page is the statement of work's text: measured evidence included."""
    assert run("evidence", "add", table(project.parent, "r.csv", good_rows()), "--spec", project).exit_code == 0
    folder = project.parent.parent
    assert run("sow", project, "-o", folder / "sow", "--format", "md").exit_code == 0
    built = run("build", project, "-o", folder / "site", "--keep-sources", folder / "kept", "--no-cache")
    assert built.exit_code == 0, built.output
    sow_text = (folder / "sow" / f"{SPEC}.md").read_text(encoding="utf-8")
    pages = list((folder / "kept" / "docs" / "workflows").glob("*/definition.md"))
    assert len(pages) == 1
    page = pages[0].read_text(encoding="utf-8")
    measured = [line for line in sow_text.splitlines() if "Measured for condition" in line]
    assert measured and all(line in page for line in measured)
    printed = (pages[0].parent / "print.md").read_text(encoding="utf-8")
    assert all(line in printed for line in measured)
    html = (folder / "site" / pages[0].parent.relative_to(folder / "kept" / "docs") / "definition.html").read_text()
    assert "verdict computed by specgen: holds." in html
