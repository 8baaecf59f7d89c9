"""Validated specs reused by file hash (issue 10): a portfolio loaded through
a memo is the portfolio loaded from the files, and unchanged files are not
parsed again."""

from __future__ import annotations

import datetime as dt
import json
import os
import pickle
import shutil
from pathlib import Path
from typing import Any

import pytest

import specgen.spec.loader as loader_module
import specgen.spec.memo as memo_module
import specgen.spec.packedpos as packedpos_module
import specgen.spec.xref as xref_module
from specgen import load_portfolio, parallel
from specgen.rules import check_portfolio
from specgen.site.cache import open_cache
from specgen.spec.loader import Portfolio, read_portfolio
from specgen.spec.memo import compute_salt, memo_key, shaping_files
from specgen.spec.packedpos import LazyData
from specgen.spec.yamlsrc import _as_mark
from tests.paths import EXAMPLES, PROJECT_FILE, REPO, bench_build, dump_yaml, load_yaml, spec_files

TODAY = dt.date(2026, 6, 1)
GENERATED = 4
"""Generated specs of the benchmark (52 items each) in the test portfolio."""


def _bench_spec_data(index: int) -> dict[str, Any]:
    return bench_build().spec_data(index)


class DictMemo:
    """A memo in a dict, storing values as a real cache would: JSON data as
    JSON text, bytes (a spec's) as they are."""

    def __init__(self) -> None:
        self.store: dict[str, str | bytes] = {}
        self.puts = 0

    def get(self, key: str) -> Any | None:
        if key not in self.store:
            return None
        stored = self.store[key]
        return stored if isinstance(stored, bytes) else json.loads(stored)

    def put(self, key: str, value: Any) -> None:
        self.puts += isinstance(value, bytes)  # a spec (a file's reference check is stored as a list)
        self.store[key] = value if isinstance(value, bytes) else json.dumps(value)

    def spec_keys(self) -> list[str]:
        """The keys of the specs stored (not of their reference checks)."""
        return [key for key, stored in self.store.items() if isinstance(stored, bytes)]


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """The bundled examples, a test spec and generated benchmark specs, with the project file."""
    specs = tmp_path / "specs"
    shutil.copytree(EXAMPLES, specs)
    shutil.copy(REPO / "tests" / "data" / "site" / "specs" / "claims-triage.yml", specs)
    shutil.copy(PROJECT_FILE, tmp_path / "specgen.yml")
    for i in range(GENERATED):
        data = _bench_spec_data(i)
        text = dump_yaml(data).encode("utf-8")
        if i == 1:  # a byte-order mark, and Windows line ends: the same text and positions back
            text = b"\xef\xbb\xbf" + text.replace(b"\n", b"\r\n")
        (specs / f"{data['id']}.yml").write_bytes(text)
    return specs


@pytest.fixture
def parsed(monkeypatch: pytest.MonkeyPatch) -> list[bytes | str]:
    """Every text parsed as YAML by the loader or a restored source, in order."""
    seen: list[bytes | str] = []
    real = loader_module.load_yaml

    def counting(source: bytes | str, **kwargs: Any) -> Any:
        seen.append(source)
        return real(source, **kwargs)

    monkeypatch.setattr(loader_module, "load_yaml", counting)
    monkeypatch.setattr(packedpos_module, "load_yaml", counting)
    return seen


def _spec_names(folder: Path, seen: list[bytes | str]) -> list[str]:
    """The spec files whose bytes were parsed (the project file left out)."""
    by_bytes = {p.read_bytes(): p.name for p in spec_files(folder)}
    return [by_bytes[s if isinstance(s, bytes) else s.encode("utf-8")] for s in seen if s in by_bytes]


def _assert_same(restored: Portfolio, fresh: Portfolio) -> None:
    assert restored.files == fresh.files
    assert restored.diagnostics == fresh.diagnostics
    assert [ls.spec for ls in restored.specs] == [ls.spec for ls in fresh.specs]
    for got, want in zip(restored.specs, fresh.specs, strict=True):
        assert got.spec.model_dump() == want.spec.model_dump()
        assert got.spec.model_dump(exclude_unset=True) == want.spec.model_dump(exclude_unset=True)
        assert (got.source.path, got.source.name, got.source.text) == (
            want.source.path,
            want.source.name,
            want.source.text,
        )
        fresh_map, restored_map = want.source.positions, got.source.positions
        assert set(restored_map.values) == set(fresh_map.values)
        assert set(restored_map.keys) == set(fresh_map.keys)
        assert all(_as_mark(mark) == fresh_map.locate(path) for path, mark in restored_map.values.items())
        assert all(_as_mark(mark) == fresh_map.locate(path, key=True) for path, mark in restored_map.keys.items())
        for path in fresh_map.values:
            assert restored_map.has(path)
            assert restored_map.locate(path) == fresh_map.locate(path), path
            assert got.locate(path) == want.locate(path)
            for unwritten in ((*path, "no-such-key"), (*path, 10**6), (*path, -1), (*path, 0, "x")):
                assert restored_map.has(unwritten) is fresh_map.has(unwritten), unwritten
                assert restored_map.locate(unwritten) == fresh_map.locate(unwritten), unwritten
                assert restored_map.locate(unwritten, key=True) == fresh_map.locate(unwritten, key=True)
        for path in fresh_map.keys:
            assert restored_map.locate(path, key=True) == fresh_map.locate(path, key=True), path
    assert check_portfolio(restored, today=TODAY).to_dict() == check_portfolio(fresh, today=TODAY).to_dict()


def _restored(portfolio: Portfolio) -> list[str]:
    return [ls.source.name for ls in portfolio.specs if isinstance(ls.source, LazyData)]


def test_a_portfolio_from_the_memo_equals_one_from_the_files(folder: Path, parsed: list[bytes | str]) -> None:
    fresh = load_portfolio([folder])
    memo = DictMemo()
    first = load_portfolio([folder], memo=memo)
    assert memo.puts == len(fresh.specs) == 3 + GENERATED
    _assert_same(first, fresh)
    parsed.clear()

    second = load_portfolio([folder], memo=memo)

    assert _spec_names(folder, parsed) == []  # no spec was parsed
    assert sorted(_restored(second)) == sorted(ls.source.name for ls in fresh.specs)
    _assert_same(pickle.loads(pickle.dumps(second)), fresh)  # as a process pool would hand it over
    _assert_same(second, fresh)
    # The raw YAML data of a restored spec is parsed again only when read, and is the same.
    for got, want in zip(second.specs, fresh.specs, strict=True):
        assert got.source.data == want.source.data


def test_only_the_edited_spec_is_parsed_and_never_its_old_model(folder: Path, parsed: list[bytes | str]) -> None:
    memo = DictMemo()
    load_portfolio([folder], memo=memo)
    edited = folder / "support-ticket-triage.yml"
    text = edited.read_text(encoding="utf-8")
    edited.write_text(text.replace("Classifies incoming customer", "Sorts incoming customer"), encoding="utf-8")
    parsed.clear()

    after = load_portfolio([folder], memo=memo)

    assert _spec_names(folder, parsed) == ["support-ticket-triage.yml"]
    summary = next(ls.spec.summary for ls in after.specs if ls.spec.id == "support-ticket-triage")
    assert summary is not None and summary.startswith("Sorts incoming customer")
    _assert_same(after, load_portfolio([folder]))

    parsed.clear()
    again = load_portfolio([folder], memo=memo)
    assert _spec_names(folder, parsed) == []  # the edited version was remembered
    _assert_same(again, load_portfolio([folder]))


def test_a_spec_edited_to_be_invalid_is_reported_not_restored(folder: Path) -> None:
    memo = DictMemo()
    load_portfolio([folder], memo=memo)
    edited = folder / "support-ticket-triage.yml"
    original = edited.read_bytes()
    edited.write_text(
        original.decode("utf-8").replace("stage: limited_rollout", "stage: limited-rollout"), encoding="utf-8"
    )

    after = load_portfolio([folder], memo=memo)

    assert "support-ticket-triage" not in [ls.spec.id for ls in after.specs]
    schema_errors = [d for d in after.diagnostics if d.code == "schema"]
    assert [Path(d.file).name for d in schema_errors] == ["support-ticket-triage.yml"]
    assert schema_errors[0].path == "stage"
    _assert_same(after, load_portfolio([folder]))
    edited.write_bytes(original)  # back as it was: the earlier entry serves again
    _assert_same(load_portfolio([folder], memo=memo), load_portfolio([folder]))


def test_an_invalid_spec_is_never_stored(folder: Path, parsed: list[bytes | str]) -> None:
    (folder / "broken-yaml.yml").write_text("id: [unclosed\n", encoding="utf-8")
    (folder / "wrong-field.yml").write_text(
        (folder / "support-ticket-triage.yml")
        .read_text(encoding="utf-8")
        .replace("id: support-ticket-triage", "id: Wrong Id"),
        encoding="utf-8",
    )
    memo = DictMemo()
    fresh = load_portfolio([folder])
    assert {Path(d.file).name for d in fresh.diagnostics} >= {"broken-yaml.yml", "wrong-field.yml"}

    load_portfolio([folder], memo=memo)
    assert len(memo.spec_keys()) == len(fresh.specs)
    parsed.clear()
    second = load_portfolio([folder], memo=memo)

    assert sorted(_spec_names(folder, parsed)) == ["broken-yaml.yml", "wrong-field.yml"]
    _assert_same(second, fresh)


def _corrupt(value: bytes, how: str) -> Any:
    header_line, positions, model = value.split(b"\n", 2)
    header = json.loads(header_line)

    def joined(header: dict[str, Any] = header, positions: bytes = positions, model: bytes = model) -> bytes:
        return b"\n".join((json.dumps(header).encode(), positions, model))

    if how == "not bytes":
        return ["spec"]
    if how == "not three lines":
        return header_line + b" " + positions + b" " + model
    if how == "other format":
        return joined({**header, "format": "specgen-spec-memo 0"})
    if how == "another key":
        return joined({**header, "key": "0" * 64})
    if how == "truncated model":
        return joined(model=model[: len(model) // 2])
    if how == "model not valid":
        return joined(model=model.replace(b'"stage":"', b'"stage":"no-such-', 1))
    if how == "model not UTF-8":
        return joined(model=model.replace(b'"stage":"', b'"stage":"\xff', 1))
    if how == "positions garbage":
        return joined(positions=b"[[1,2,3],")
    if how == "positions wrong shape":
        return joined(positions=json.dumps([[0, 1, True, -1, 0], []]).encode())
    if how == "positions deep garbage":  # a node deep down is not one: found when a look-up reaches it
        tree = json.loads(positions)
        tree[4]["stage"] = "line 3"
        tree[4]["ownership"][0] = -1
        return joined(positions=json.dumps(tree).encode())
    raise AssertionError(how)


@pytest.mark.parametrize(
    "how",
    [
        "not bytes",
        "not three lines",
        "other format",
        "another key",
        "truncated model",
        "model not valid",
        "model not UTF-8",
        "positions garbage",
        "positions wrong shape",
        "positions deep garbage",
    ],
)
def test_a_corrupt_stored_value_is_not_trusted(folder: Path, how: str) -> None:
    memo = DictMemo()
    fresh = load_portfolio([folder])
    load_portfolio([folder], memo=memo)
    for key in memo.spec_keys():
        stored = memo.store[key]
        assert isinstance(stored, bytes)
        corrupt = _corrupt(stored, how)
        memo.store[key] = corrupt if isinstance(corrupt, bytes) else json.dumps(corrupt)

    restored = load_portfolio([folder], memo=memo)

    _assert_same(restored, fresh)
    if how.startswith("positions"):
        return  # the model is sound: positions that do not decode come from parsing the text
    assert _restored(restored) == []
    # each miss was parsed and stored afresh, so the next load restores them all
    _assert_same(load_portfolio([folder], memo=memo), fresh)
    assert len(_restored(load_portfolio([folder], memo=memo))) == len(fresh.specs)


def test_a_spec_whose_json_does_not_rebuild_it_is_not_stored(tmp_path: Path) -> None:
    """A percentage prints with six significant digits, so its JSON would
    rebuild a different model: that spec is loaded from its file every time."""
    shutil.copy(EXAMPLES / "support-ticket-triage.yml", tmp_path / "a.yml")
    text = (EXAMPLES / "support-ticket-triage.yml").read_text(encoding="utf-8")
    assert "traffic: 20%" in text
    (tmp_path / "b.yml").write_text(
        text.replace("id: support-ticket-triage", "id: other").replace("traffic: 20%", "traffic: 20.1234567%"),
        encoding="utf-8",
    )
    memo = DictMemo()
    fresh = load_portfolio([tmp_path], project_file=PROJECT_FILE)
    load_portfolio([tmp_path], project_file=PROJECT_FILE, memo=memo)
    assert memo.puts == 1
    second = load_portfolio([tmp_path], project_file=PROJECT_FILE, memo=memo)
    assert [Path(name).name for name in _restored(second)] == ["a.yml"]
    _assert_same(second, fresh)


def test_the_memo_is_the_build_cache(folder: Path, tmp_path: Path, parsed: list[bytes | str]) -> None:
    cache_dir = tmp_path / "cache"
    fresh = read_portfolio([folder])
    cache = open_cache(cache_dir)
    _assert_same(read_portfolio([folder], memo=cache), fresh)
    cache.commit()
    cache.close()
    parsed.clear()

    cache = open_cache(cache_dir)
    try:
        restored = read_portfolio([folder], memo=cache)
    finally:
        cache.close()

    assert cache.notes == []
    assert cache.hits == len(fresh.specs)
    assert _spec_names(folder, parsed) == []
    _assert_same(restored, fresh)


def test_the_key_covers_the_bytes_and_the_name() -> None:
    assert memo_key(b"a: 1\n", "a.yml") != memo_key(b"a: 2\n", "a.yml")
    assert memo_key(b"a: 1\n", "a.yml") != memo_key(b"a: 1\n", "b.yml")
    assert memo_key(b"a: 1\n", "a.yml") == memo_key(b"a: 1\n", "a.yml")


def test_the_salt_covers_the_modules_that_shape_a_value(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    files = shaping_files()
    names = {p.name for p in files}
    schema = loader_module.Path(memo_module.__file__).parent / "schema"
    assert {p.name for p in schema.glob("*.py")} <= names
    assert {"yamlsrc.py", "loader.py", "values.py", "memo.py", "packedpos.py"} <= names
    assert all(p.is_file() for p in files)

    copies = []
    for i, path in enumerate(files):
        copy = tmp_path / f"{i}-{path.name}"
        shutil.copy(path, copy)
        copies.append(copy)
    before = compute_salt(copies)
    assert compute_salt(copies) == before
    edited = next(p for p in copies if p.name.endswith("-acceptance.py"))
    edited.write_text(edited.read_text(encoding="utf-8") + "\n# a schema change\n", encoding="utf-8")
    assert compute_salt(copies) != before

    # The key uses the salt of the modules as they are now (once per process).
    key = memo_key(b"a: 1\n", "a.yml")
    monkeypatch.setattr(memo_module, "shaping_files", lambda: copies)
    memo_module.salt.cache_clear()
    try:
        assert memo_key(b"a: 1\n", "a.yml") != key
    finally:
        memo_module.salt.cache_clear()


# ---------------------------------------------------------------- cross-references


def _with_bad_ref(folder: Path) -> Path:
    """The credit example with its first decision approved by an undefined role."""
    path = folder / "credit-decision-assistant.yml"
    data = load_yaml(path.read_text(encoding="utf-8"))
    data["decisions"][0]["approver"] = "chief-approver"
    path.write_text(dump_yaml(data), encoding="utf-8")
    return path


def _reference_problems(portfolio: Portfolio) -> list[dict[str, object]]:
    """The reference problems of the decision :func:`_with_bad_ref` broke."""
    return [
        d.to_dict()
        for d in portfolio.diagnostics
        if d.code == "reference"
        and d.file.endswith("credit-decision-assistant.yml")
        and d.path == "decisions[0].approver"
    ]


def test_cross_reference_diagnostics_are_remembered_per_file(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _with_bad_ref(folder)
    fresh = load_portfolio([folder])
    assert any("chief-approver" in d["message"] for d in _reference_problems(fresh))
    memo = DictMemo()
    assert load_portfolio([folder], memo=memo).diagnostics == fresh.diagnostics

    def refuse(*args: Any) -> Any:
        raise AssertionError("a spec's references were checked again though nothing changed")

    monkeypatch.setattr(xref_module, "check_spec", refuse)
    assert load_portfolio([folder], memo=memo).diagnostics == fresh.diagnostics


def test_a_role_added_to_the_project_resolves_a_remembered_reference(folder: Path) -> None:
    _with_bad_ref(folder)
    memo = DictMemo()
    assert any("chief-approver" in d["message"] for d in _reference_problems(load_portfolio([folder], memo=memo)))
    project_file = folder.parent / "specgen.yml"
    project = load_yaml(project_file.read_text(encoding="utf-8"))
    project["roles"].append({"id": "chief-approver", "title": "Chief approver", "responsibilities": ["Approves."]})
    project_file.write_text(dump_yaml(project), encoding="utf-8")
    after = load_portfolio([folder], memo=memo)
    assert _reference_problems(after) == []
    assert after.diagnostics == load_portfolio([folder]).diagnostics


@pytest.mark.parametrize(
    "damage",
    [
        {"not": "a list"},
        [["file", 1, 2, "path", "message"]],
        [["file", "1", 2, "path", "message", "reference"]],
        [["file", True, 2, "path", "message", "reference"]],
        [[None, 1, 2, "path", "message", "reference"]],
    ],
)
def test_a_damaged_stored_reference_check_is_a_miss(folder: Path, damage: Any) -> None:
    _with_bad_ref(folder)
    memo = DictMemo()
    fresh = load_portfolio([folder], memo=memo).diagnostics
    damaged = 0
    for key in list(memo.store):
        stored = memo.store[key]
        if not isinstance(stored, bytes) and isinstance(json.loads(stored), list):  # the reference checks
            memo.store[key] = json.dumps(damage)
            damaged += 1
    assert damaged == len(load_portfolio([folder]).specs)
    assert load_portfolio([folder], memo=memo).diagnostics == fresh


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_many_files_are_parsed_in_worker_processes_with_the_same_result(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Enough files to parse go to forked workers, which send back each spec
    and its positions packed: the portfolio, its diagnostics, the positions,
    the raw data (parsed again when read) and what the memo stores are those
    of parsing every file in this process."""
    specs = tmp_path / "specs"
    specs.mkdir()
    shutil.copy(PROJECT_FILE, tmp_path / "specgen.yml")
    for i in range(parallel.MIN_ITEMS + 4):
        (specs / f"generated-{i:03}.yml").write_text(dump_yaml(_bench_spec_data(i)), encoding="utf-8")
    (specs / "broken-yaml.yml").write_text("id: [unclosed\n", encoding="utf-8")
    wrong = dump_yaml({**_bench_spec_data(90), "no_such_field": 1})
    (specs / "wrong-field.yml").write_text(wrong, encoding="utf-8")
    count = len(spec_files(specs))
    workers: set[int] = set()
    real = loader_module.fork_map

    def recording(items: int, work: Any, **options: Any) -> list[Any]:
        results = real(items, lambda index: (os.getpid(), work(index)), **options)
        workers.update(pid for pid, _ in results)
        return [result for _, result in results]

    monkeypatch.setattr(loader_module, "fork_map", recording)
    serial_memo, forked_memo = DictMemo(), DictMemo()
    serial = load_portfolio([specs], project_file=tmp_path / "specgen.yml", memo=serial_memo, jobs=1)
    assert not workers, "jobs=1 parses in this process"
    forked = load_portfolio([specs], project_file=tmp_path / "specgen.yml", memo=forked_memo, jobs=2)

    assert workers and os.getpid() not in workers
    assert len(forked.specs) == count - 2
    assert {d.code for d in forked.diagnostics} >= {"yaml", "schema"}
    _assert_same(forked, serial)
    assert [ls.source.data for ls in forked.specs] == [ls.source.data for ls in serial.specs]
    assert forked_memo.store == serial_memo.store and forked_memo.puts == count - 2
