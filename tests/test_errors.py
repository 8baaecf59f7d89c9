"""One error root: every error specgen raises for its users carries its exit code."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import click
import click.testing
import pytest

import specgen
from specgen.cli.app import SpecgenGroup
from specgen.errors import ExitCode, SpecgenError, UsageError

# Exceptions that never leave the library: caught where they are raised.
INTERNAL_ONLY = {
    "specgen.bundle.verify.NotRegularFileError",
    # carries a worker process's error to the parent, which turns it into a SiteBuildError
    "specgen.parallel.WorkerError",
    # never leaves versions(): a past version's contents must be read from git
    "specgen.review.versions._NeedContents",
}


def _exception_classes() -> list[type[BaseException]]:
    found = []
    for info in pkgutil.walk_packages(specgen.__path__, "specgen."):
        module = importlib.import_module(info.name)
        for _, obj in inspect.getmembers(module, inspect.isclass):
            if issubclass(obj, BaseException) and obj.__module__ == module.__name__:
                found.append(obj)
    return found


def test_every_specgen_exception_derives_from_the_root() -> None:
    classes = _exception_classes()
    assert len(classes) > 10  # the walk found the package's errors
    strays = [
        f"{c.__module__}.{c.__qualname__}"
        for c in classes
        if not issubclass(c, SpecgenError) and f"{c.__module__}.{c.__qualname__}" not in INTERNAL_ONLY
    ]
    assert not strays, f"derive these from specgen.errors.SpecgenError: {strays}"


def _group_raising(exc: BaseException) -> click.Group:
    @click.group(cls=SpecgenGroup)
    def group() -> None:
        pass

    @group.command()
    def boom() -> None:
        raise exc

    return group


@pytest.mark.parametrize(
    ("exc", "code"),
    [
        (SpecgenError("bad input"), ExitCode.FAILED),
        (UsageError("bad option"), ExitCode.USAGE),
        (FileNotFoundError(2, "No such file or directory", "x.yml"), ExitCode.FAILED),
    ],
)
def test_the_handler_maps_each_error_to_its_code(exc: BaseException, code: ExitCode) -> None:
    result = click.testing.CliRunner().invoke(_group_raising(exc), ["boom"])
    assert result.exit_code == code
    assert result.output.startswith("specgen: ")
    assert "Traceback" not in result.output


def test_the_handler_prints_no_line_the_message_could_start() -> None:
    hostile = "name\n::error file=x::forged\x1b[2J"
    result = click.testing.CliRunner().invoke(_group_raising(SpecgenError(hostile, details=[hostile])), ["boom"])
    assert result.exit_code == ExitCode.FAILED
    lines = result.output.splitlines()
    assert not any(line.startswith("::") for line in lines)
    assert "\x1b" not in result.output
    assert len(lines) == 2  # the message and its one detail, each on one line


def test_unexpected_errors_are_not_swallowed_by_the_handler() -> None:
    result = click.testing.CliRunner().invoke(_group_raising(RuntimeError("bug")), ["boom"])
    assert isinstance(result.exception, RuntimeError)


def test_a_reader_that_goes_away_is_not_an_error_message() -> None:
    """`specgen ... | head -1`: a closed pipe ends the command quietly, with no message or traceback."""
    import os
    import subprocess
    import sys

    from tests.paths import EXAMPLES

    command = [sys.executable, "-c", "from specgen.cli import main; main()", "validate", str(EXAMPLES)]
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader is gone before specgen writes a byte: every write fails with EPIPE
    try:
        done = subprocess.run(command, stdout=write_end, stderr=subprocess.PIPE, timeout=120, check=False)
    finally:
        os.close(write_end)
    assert done.stderr.decode() == ""
    assert done.returncode in (0, ExitCode.FAILED)
