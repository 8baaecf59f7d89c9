"""Headless Chromium for the tests that open the built site (Debian's chromium,
driven by Playwright's Python package), in one place.

Where Chromium or Playwright is missing the tests skip with the reason, unless
``SPECGEN_REQUIRE_BROWSER=1`` (set by ``.ci/run``) turns the skip into a failure.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NoReturn

import pytest

CHROMIUM = Path(os.environ.get("SPECGEN_CHROMIUM", "/usr/bin/chromium"))


def unavailable(reason: str) -> NoReturn:
    """Skip (or, where the browser is required, fail) with ``reason``."""
    if os.environ.get("SPECGEN_REQUIRE_BROWSER") == "1":
        pytest.fail(f"SPECGEN_REQUIRE_BROWSER=1 but the browser tests cannot run: {reason}")
    pytest.skip(reason)


def launch_chromium(*requirements: tuple[Path, str]) -> Iterator[Any]:
    """A Chromium browser for the life of a fixture; ``requirements`` are other
    files the tests need, each with the command that installs it."""
    try:
        from playwright.sync_api import Error, sync_playwright
    except ImportError:
        unavailable("Playwright's Python package is not installed (pip install -e '.[test]')")
    if not CHROMIUM.exists():
        unavailable(f"no Chromium at {CHROMIUM} (apt-get install chromium chromium-driver)")
    for path, install in requirements:
        if not path.exists():
            unavailable(f"{path} is not installed ({install})")
    with sync_playwright() as playwright:
        try:
            chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        except Error as exc:
            unavailable(f"Chromium at {CHROMIUM} does not start: {exc.message.splitlines()[0]}")
        yield chromium
        chromium.close()
