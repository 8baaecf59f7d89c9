"""The repository's paths the tests use (a module to import, unlike conftest.py)."""

from __future__ import annotations

import functools
import importlib.util
import shutil
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "specs"
PROJECT_FILE = REPO / "specgen.yml"
EVIDENCE_STORE = REPO / "evidence"
"""The result files the examples' evidence records were read from (checked on every read)."""


def copy_examples(folder: Path) -> Path:
    """The bundled examples in ``folder``: ``specs/``, ``specgen.yml`` and the evidence store."""
    shutil.copytree(EXAMPLES, folder / "specs")
    shutil.copy(PROJECT_FILE, folder / "specgen.yml")
    shutil.copytree(EVIDENCE_STORE, folder / "evidence")
    return folder


def spec_files(folder: Path = EXAMPLES) -> list[Path]:
    """The spec files of a folder, without the sidecars beside them (approvals, evidence)."""
    return sorted(p for p in folder.glob("*.yml") if not p.stem.endswith((".approvals", ".evidence")))


def dump_yaml(data: object) -> str:
    """YAML text for test data, with libyaml's emitter where installed (about
    four times faster than PyYAML's; the text read back is the same data)."""
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    return yaml.dump(data, Dumper=dumper, sort_keys=False, allow_unicode=True)


def load_yaml(text: str) -> object:
    """Test data from YAML text, with libyaml's parser where installed."""
    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


@functools.cache
def bench_build() -> Any:
    """``bench/bench_build.py`` (not a package): the benchmark's generated
    specs, ``spec_data(index)`` one as data, ``make_portfolio(root, count)`` a
    folder of them with the project file."""
    spec = importlib.util.spec_from_file_location("bench_build", REPO / "bench" / "bench_build.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
