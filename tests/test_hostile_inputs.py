"""Hostile specs, sidecars and project folders: every command fails closed.

Every case runs the real CLI in a subprocess under a 2 GB address-space
limit (``ulimit -v 2000000``) and expects: the exit code below, a message
naming the file and line (``file:line:col``) or the file, no traceback,
nothing written (the project folder is unchanged, no output appears), and a
peak resident memory under 1 GB (the child's ``ru_maxrss``).

=================================================  =====  ===============================================
Case                                               exit   Message names
=================================================  =====  ===============================================
1 MB text repeated 4,000 times through aliases      1      the line of the alias that crosses the budget
``date: 2026-02-30`` / ``2026-13-01`` in a spec     1      file:line, field path, "not a valid date";
                                                           the other spec's problem still reported
``date: 2026-02-30`` in an approvals sidecar        1      the sidecar's file:line, field path
an integer of 5,000 digits                          1      file:line, field path, "more than 4,300 digits"
a 4.9 MB title (``build``)                          1      file:line, "title: too long", the limit
a text of 10,001 characters                         1      file:line, field path, the limit; other problems too
1,000 runbooks: a site of ~490 MB (``build``)       1      the spec's ``runbooks:`` line, the site budget
a 300-character title (``sow``: DOCX limit 255)     1      file:line, "title: too long"
a spec linked to a file outside the project         1      the link, nothing of the target's content
an approvals sidecar linked outside                 1      the link, nothing of the target's content
a site asset linked outside (``build``)             1      the link, nothing of the target's content
a page or wording template linked outside           1      the link, nothing of the target's content
a spec file name that is not UTF-8 (``build``)      1      the name, bytes escaped ("tri\\xffage.yml")
an asset file name that is not UTF-8 (``bundle``)   1      the name, bytes escaped
an empty specs folder: ``build``                    1      "no spec found"
an empty specs folder: ``validate``                 0      a warning, "no spec found"
a subfolder of specs that cannot be listed          1      the folder (in-process: root reads any folder,
                                                           so the listing fails through a patched scandir)
=================================================  =====  ===============================================

Out of memory anywhere (``ulimit -v``): a MemoryError is one line, exit 1; a
Rust panic in pydantic-core (a BaseException) one line, exit 3; no traceback
(``test_running_out_of_memory_is_one_line``: the allocation failure is
injected, as where it happens depends on the machine).

Not refused, but safe: a wording template whose DOCX title exceeds the
255-character core-property limit writes the document with the title cut
(``test_a_docx_title_over_the_core_property_limit_is_cut``).

Covered elsewhere, not repeated here: hostile archives for ``verify`` and
``bundle -o`` over a corrupt zip or a FIFO (tests/test_bundle_hostile.py),
hostile git histories and review arguments (tests/test_review_hostile.py),
control characters in every text output (tests/test_text.py).
"""

from __future__ import annotations

import os
import re
import resource
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest

from tests.paths import REPO, copy_examples

ADDRESS_SPACE = 2_000_000 * 1024
"""The limit the cases run under: ``ulimit -v 2000000``."""
MAX_RSS = 1024**3
"""The most resident memory a case may use."""

CREDIT = "specs/credit-decision-assistant.yml"
TRIAGE = "specs/support-ticket-triage.yml"
LOCATED = re.compile(r"^(?P<file>[^\s:]+):(?P<line>\d+):(?P<col>\d+): ", re.M)


@dataclass(frozen=True)
class Outcome:
    exit_code: int
    output: str
    max_rss: int
    """Peak resident memory of the child, in bytes."""


def run_limited(cwd: Path, *args: str, timeout: float = 120) -> Outcome:
    """Run ``specgen args`` in ``cwd`` in a child under ADDRESS_SPACE; its exit code, output and peak memory."""

    def _limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE, ADDRESS_SPACE))

    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    env.pop("SOURCE_DATE_EPOCH", None)
    out_path = cwd.parent / f".{cwd.name}.out"
    with open(out_path, "w+b") as out:
        child = subprocess.Popen(
            [sys.executable, "-c", "from specgen.cli import main; main()", *args],
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            preexec_fn=_limit,
        )
        try:
            _, status, usage = os.wait4(child.pid, 0)
        finally:
            child.returncode = 0  # reaped by wait4: Popen must not wait again
        out.seek(0)
        output = out.read().decode("utf-8", "replace")
    out_path.unlink()
    return Outcome(os.waitstatus_to_exitcode(status), output, usage.ru_maxrss * 1024)


def _snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    return {
        str(p.relative_to(folder)): (p.lstat().st_size, p.lstat().st_mtime_ns)
        for p in sorted(folder.rglob("*"))
        if not p.is_dir()
    }


@dataclass(frozen=True)
class Case:
    """One hostile input: how to make it, the command, and what must be said."""

    name: str
    make: Callable[[Path], None]
    args: tuple[str, ...]
    exit_code: int
    fragments: tuple[str, ...]
    """Each must appear in the output."""
    located: tuple[str, ...] = ()
    """Files that must be named with a line (``file:line:col: ``)."""
    check: Callable[[Path, str], None] | None = None
    """A further check on (project folder, output)."""
    outputs: tuple[str, ...] = field(default=())
    """Paths the command was asked to write: none may appear."""


# ---------------------------------------------------------------- making cases


def _edit(tree: Path, name: str, old: str, new: str, count: int = 1) -> None:
    path = tree / name
    text = path.read_text(encoding="utf-8")
    assert old in text, (name, old)
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def _alias_bomb(tree: Path) -> None:
    big = "x" * 1_000_000
    aliases = "".join("    - *big\n" for _ in range(4000))
    _edit(tree, TRIAGE, "title: Support-ticket triage assistant", f"title: &big {big}")
    in_scope = "  in_scope:\n    - E-mail and web-form tickets in English and German for Cards and Online Banking\n"
    _edit(tree, TRIAGE, in_scope, "  in_scope:\n" + aliases)


def _names_an_alias(tree: Path, output: str) -> None:
    match = next(m for m in LOCATED.finditer(output) if m["file"] == TRIAGE)
    line = (tree / TRIAGE).read_text(encoding="utf-8").splitlines()[int(match["line"]) - 1]
    assert line.strip() == "- *big", (match.group(0), line)


def _impossible_dates(tree: Path) -> None:
    _edit(tree, TRIAGE, "date: 2026-06-10", "date: 2026-02-30")
    _edit(tree, TRIAGE, "tested: 2026-10-20", "tested: 2026-13-01")
    _edit(tree, CREDIT, "stage: system_of_record", "stage: system_of_recrod")


def _sidecar_date(tree: Path) -> None:
    (tree / "specs/support-ticket-triage.approvals.yml").write_text(
        "schema_version: 1\n"
        "spec: support-ticket-triage\n"
        "approvals:\n"
        "  - role: model-risk-lead\n"
        "    by: hannah-schmidt\n"
        "    date: 2026-02-30\n"
        f"    fingerprint: sha256:{'0' * 64}\n",
        encoding="utf-8",
    )


def _huge_title(tree: Path) -> None:
    _edit(tree, TRIAGE, "title: Support-ticket triage assistant", "title: " + "T" * 4_900_000)


def _long_summary(tree: Path) -> None:
    _edit(tree, CREDIT, "summary: >-\n", "summary: " + "S" * 10_001 + "\nx_summary: >-\n")


def _thousand_runbooks(tree: Path) -> None:
    title = "T" * 190
    runbooks = "".join(
        f"  - id: rb-{i}\n    title: {title} {i}\n    trigger: x\n    severity: sev3\n    meaning: x\n"
        "    diagnosis: [x]\n    mitigation: [x]\n    verify: [x]\n"
        "    escalation:\n      - after: 1h\n        to: ml-platform-lead\n    response_target: 1h\n"
        for i in range(1000)
    )
    _edit(tree, TRIAGE, "runbooks:\n", "runbooks:\n" + runbooks)


def _title_of(length: int) -> Callable[[Path], None]:
    def _make(tree: Path) -> None:
        _edit(tree, TRIAGE, "title: Support-ticket triage assistant", "title: " + "T" * length)

    return _make


SECRET = "SECRET-CONTENT-OF-A-FILE-OUTSIDE"


def _secret(tree: Path) -> Path:
    """A file outside the project, which a link in the project points to."""
    outside = tree.parent / "outside.yml"
    outside.write_text(f"{SECRET}: 1\nid: {SECRET}\n", encoding="utf-8")
    return outside


def _link(name: str) -> Callable[[Path], None]:
    def _make(tree: Path) -> None:
        target = tree / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.symlink_to(_secret(tree))

    return _make


def _echoes_nothing(tree: Path, output: str) -> None:
    assert SECRET not in output


def _bad_name(name: bytes, text: str = "") -> Callable[[Path], None]:
    def _make(tree: Path) -> None:
        path = os.fsdecode(bytes(tree) + b"/" + name)
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        Path(path).write_text(text or "hello\n", encoding="utf-8")

    return _make


def _other_spec(tree: Path) -> str:
    text = (tree / TRIAGE).read_text(encoding="utf-8")
    return text.replace("id: support-ticket-triage", "id: other-triage", 1)


def _bad_spec_name(tree: Path) -> None:
    _bad_name(b"specs/tri\xffage.yml", _other_spec(tree))(tree)


def _empty(tree: Path) -> None:
    for path in (tree / "specs").iterdir():
        path.unlink()


def _huge_integer(tree: Path) -> None:
    _edit(tree, TRIAGE, "schema_version: 1", "schema_version: " + "1" * 5000)


CASES = [
    Case(
        "alias-bomb-bytes",
        _alias_bomb,
        ("validate",),
        1,
        ("expands to more than 10 MiB of text",),
        located=(TRIAGE,),
        check=_names_an_alias,
    ),
    Case(
        "impossible-dates",
        _impossible_dates,
        ("validate",),
        1,
        (
            "scorecard.signed_by[0].date: '2026-02-30' is not a valid date",
            "runtime.controls[0].tested: '2026-13-01' is not a valid date",
            "stage: expected one of",  # the other spec's problem is still reported
        ),
        located=(TRIAGE, CREDIT),
    ),
    Case(
        "sidecar-impossible-date",
        _sidecar_date,
        ("validate",),
        1,
        ("approvals[0].date: '2026-02-30' is not a valid date",),
        located=("specs/support-ticket-triage.approvals.yml",),
    ),
    Case(
        "title-of-4.9-MB",
        _huge_title,
        ("build", "specs", "-o", "site"),
        1,
        ("title: too long: 4,900,000 characters, at most 200 allowed",),
        located=(TRIAGE,),
        outputs=("site",),
    ),
    Case(
        "text-over-10000-characters",
        _long_summary,
        ("validate",),
        1,
        ("summary: too long: 10,001 characters, at most 10,000 allowed", "x_summary: unknown field"),
        located=(CREDIT,),
    ),
    Case(
        "site-over-its-budget",
        _thousand_runbooks,
        ("build", "specs", "-o", "site"),
        1,
        ("runbooks: this workflow makes 1,0", "pages of the site; put its runbooks on one", "over its budget of 96 MB"),
        located=(TRIAGE,),
        outputs=("site",),
    ),
    Case(
        "title-over-the-docx-property-limit",
        _title_of(300),
        ("sow", TRIAGE, "-o", "definitions"),
        1,
        ("title: too long: 300 characters, at most 200 allowed",),
        located=(TRIAGE,),
        outputs=("definitions",),
    ),
    Case(
        "spec-linked-outside",
        _link("specs/evil.yml"),
        ("validate",),
        1,
        ("specs/evil.yml is a symbolic link to a file outside the project",),
        located=("specs/evil.yml",),
        check=_echoes_nothing,
    ),
    Case(
        "sidecar-linked-outside",
        _link("specs/support-ticket-triage.approvals.yml"),
        ("validate",),
        1,
        ("specs/support-ticket-triage.approvals.yml is a symbolic link to a file outside the project",),
        located=("specs/support-ticket-triage.approvals.yml",),
        check=_echoes_nothing,
    ),
    Case(
        "site-asset-linked-outside",
        _link("templates/site/assets/leak.txt"),
        ("build", "specs", "-o", "site"),
        1,
        ("templates/site/assets/leak.txt is a symbolic link to a file outside the project",),
        check=_echoes_nothing,
        outputs=("site",),
    ),
    Case(
        "page-template-linked-outside",
        _link("templates/site/workflow/overview.md.j2"),
        ("build", "specs", "-o", "site"),
        1,
        ("templates/site/workflow/overview.md.j2 is a symbolic link to a file outside the project",),
        check=_echoes_nothing,
        outputs=("site",),
    ),
    Case(
        "wording-template-linked-outside",
        _link("templates/sow/wording.j2"),
        ("sow", TRIAGE, "-o", "definitions"),
        1,
        ("templates/sow/wording.j2 is a symbolic link to a file outside the project",),
        check=_echoes_nothing,
        outputs=("definitions",),
    ),
    Case(
        "spec-name-not-utf8",
        _bad_spec_name,
        ("build", "specs", "-o", "site"),
        1,
        ("specs/tri\\xffage.yml: the file name is not UTF-8 text; rename the file",),
        located=("specs/tri\\xffage.yml",),
        outputs=("site",),
    ),
    Case(
        "asset-name-not-utf8",
        _bad_name(b"templates/site/assets/x\xfe/a\xfe.txt"),
        ("bundle", "-o", "handover.zip"),
        1,
        ("templates/site/assets/x\\xfe/a\\xfe.txt: the file name is not UTF-8 text",),
        outputs=("handover.zip",),
    ),
    Case(
        "empty-portfolio-build",
        _empty,
        ("build", "specs", "-o", "site"),
        1,
        ("no spec found in specs; nothing to build",),
        outputs=("site",),
    ),
    Case(
        "empty-portfolio-validate",
        _empty,
        ("validate",),
        0,
        ("specs:1:1: warning: no spec found here",),
    ),
    Case(
        "integer-over-4300-digits",
        _huge_integer,
        ("validate",),
        1,
        ("schema_version: '1111", "is not a valid number: it has more than 4,300 digits"),
        located=(TRIAGE,),
    ),
]


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    return copy_examples(tmp_path / "project")


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_hostile_input_fails_closed(case: Case, tree: Path) -> None:
    case.make(tree)
    before = _snapshot(tree)
    outcome = run_limited(tree, *case.args)
    output = outcome.output
    assert outcome.exit_code == case.exit_code, output[-3000:]
    assert "Traceback" not in output and "internal error" not in output, output[-3000:]
    for fragment in case.fragments:
        assert fragment in output, (fragment, output[-3000:])
    named = {m["file"] for m in LOCATED.finditer(output)}
    for file in case.located:
        assert file in named, (file, output[-3000:])
    if case.check is not None:
        case.check(tree, output)
    assert _snapshot(tree) == before  # nothing written
    for name in case.outputs:
        assert not (tree / name).exists()
    assert outcome.max_rss < MAX_RSS, f"{outcome.max_rss / 2**20:.0f} MB"


def test_a_docx_title_over_the_core_property_limit_is_cut(tree: Path) -> None:
    _title_of(200)(tree)
    wording = (REPO / "templates/sow/wording.j2").read_text(encoding="utf-8")
    line = "{% set title %}Production-readiness definition: {{ d.title }}{% endset %}"
    assert line in wording
    longer = "{% set title %}Production-readiness definition of the AI workflow for the statement of work: {{ d.title }}{% endset %}"
    (tree / "templates/sow").mkdir(parents=True)
    (tree / "templates/sow/wording.j2").write_text(wording.replace(line, longer), encoding="utf-8")
    outcome = run_limited(tree, "sow", TRIAGE, "-o", "definitions", "--format", "docx")
    assert outcome.exit_code == 0, outcome.output
    with zipfile.ZipFile(tree / "definitions/support-ticket-triage.docx") as docx:
        core = ElementTree.fromstring(docx.read("docProps/core.xml"))
    title = core.find("{http://purl.org/dc/elements/1.1/}title")
    assert title is not None and title.text is not None
    assert len(title.text) == 255
    assert title.text.startswith("Production-readiness definition of the AI workflow for the statement of work: TTT")
    assert title.text.endswith("T\u2026")


def test_an_unreadable_subfolder_is_reported(
    tree: Path, run: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    locked = tree / "specs" / "locked"
    locked.mkdir()
    shutil.copy(tree / TRIAGE, locked / "hidden-from-us.yml")
    if os.geteuid() != 0:
        locked.chmod(0)
    else:  # root lists any folder: make the listing fail as it would for anyone else
        real = os.scandir

        def scandir(path: Any = ".") -> Any:
            if Path(os.fsdecode(path)).resolve() == locked.resolve():
                raise PermissionError(13, "Permission denied", os.fsdecode(path))
            return real(path)

        monkeypatch.setattr(os, "scandir", scandir)
    try:
        result = run("validate", cwd=tree)
    finally:
        locked.chmod(0o755)
    assert result.exit_code == 1, result.output
    assert "specs/locked:1:1: cannot list the folder: the specs in it are not read" in result.output


@pytest.mark.parametrize("error", ["MemoryError", "PanicException"])
def test_running_out_of_memory_is_one_line(
    error: str, tree: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Under ``ulimit -v`` an allocation can fail anywhere: a MemoryError, or a
    Rust panic in pydantic-core (a BaseException). Neither ends in a traceback."""
    from specgen.cli import main
    from specgen.spec import loader

    panic = type(error, (BaseException,), {})  # pyo3's PanicException derives from BaseException

    def exhausted(*args: Any, **kwargs: Any) -> Any:
        raise MemoryError() if error == "MemoryError" else panic("PyObject pointer is null")

    monkeypatch.setattr(loader, "load_yaml", exhausted)
    monkeypatch.chdir(tree)
    with pytest.raises(SystemExit) as exit_info:
        main(["validate"])
    err = capsys.readouterr().err
    assert "Traceback" not in err
    if error == "MemoryError":
        assert exit_info.value.code == 1
        assert err == "specgen: out of memory: the input is too large for the memory this process may use\n"
    else:
        assert exit_info.value.code == 3
        assert err.startswith("specgen: internal error: PanicException: PyObject pointer is null")
        assert err.count("\n") == 1
