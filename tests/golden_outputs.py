"""Golden copies of the text specgen prints for reviewers and CI, and the
command that regenerates them.

- ``check.txt``: ``specgen check`` in text over the bundled examples;
- ``check.sarif``: the same report as SARIF, for code-scanning tools;
- ``pr-comment.md``: ``specgen diff --format markdown`` (the pull-request
  comment) between the credit example and a change that loosens governance
  and hands a reviewer hostile text.

All are produced on a fixed day (:data:`AS_OF`, also ``SOURCE_DATE_EPOCH``),
from the working directory of the repository, so neither the clock nor the
machine changes them; changes to the examples, the rules, the classification
table or the templates do. ``tests/test_golden_outputs.py`` compares against
them and prints a diff; they change only when someone runs, and then reviews:

    python -m tests.golden_outputs
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from pathlib import Path

import yaml
from click.testing import CliRunner

from specgen.cli import cli

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
GOLDEN = HERE / "golden" / "outputs"
AS_OF = dt.date(2026, 12, 15)
SOURCE_DATE_EPOCH = str(int(dt.datetime.combine(AS_OF, dt.time(), tzinfo=dt.timezone.utc).timestamp()))
CREDIT = Path("specs") / "credit-decision-assistant.yml"
CHANGED = Path("tests") / "golden" / "outputs" / "credit-decision-assistant.changed.yml"
"""The changed spec the PR comment compares with (written by :func:`changed_spec`)."""


def changed_spec() -> str:
    """The credit example with governance loosened and hostile text in a title."""
    data = yaml.safe_load((REPO / CREDIT).read_text(encoding="utf-8"))
    data["version"] = "9.9.9"
    data["title"] = 'Credit </details><img src=x onerror=alert(1)> !!! danger "approved" @team'
    boundary = data["decisions"][0]
    boundary["confidence_threshold"] = 0.1
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


def _specgen(*args: str) -> str:
    """What the command prints on standard output (its exit code is the tests' business)."""
    return CliRunner().invoke(cli, list(args), catch_exceptions=False).stdout


RENDERERS: dict[str, Callable[[], str]] = {
    "check.txt": lambda: _specgen("check", "specs", "--as-of", AS_OF.isoformat()),
    "check.sarif": lambda: _specgen("check", "specs", "--as-of", AS_OF.isoformat(), "--format", "sarif"),
    "pr-comment.md": lambda: _specgen("diff", str(CREDIT), str(CHANGED), "--format", "markdown"),
}


def render(name: str) -> str:
    """The current output for golden file ``name``, from the repository's root."""
    here = Path.cwd()
    previous = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = SOURCE_DATE_EPOCH
    os.chdir(REPO)
    try:
        return RENDERERS[name]()
    finally:
        os.chdir(here)
        if previous is None:
            del os.environ["SOURCE_DATE_EPOCH"]
        else:
            os.environ["SOURCE_DATE_EPOCH"] = previous


def main() -> None:
    """Rewrite the golden files from the current code and templates."""
    GOLDEN.mkdir(parents=True, exist_ok=True)
    (REPO / CHANGED).write_text(changed_spec(), encoding="utf-8")
    for name in RENDERERS:
        (GOLDEN / name).write_bytes(render(name).encode("utf-8"))
        print(f"wrote {(GOLDEN / name).relative_to(REPO)}")


if __name__ == "__main__":
    main()
