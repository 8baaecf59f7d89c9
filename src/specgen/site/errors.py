"""Why the site could not be built."""

from __future__ import annotations

from collections.abc import Sequence

from specgen.diagnostics import Diagnostic
from specgen.errors import ExitCode, SpecgenError

__all__ = ["InvalidPortfolio", "OutputNotOurs", "SiteBuildError", "SiteError"]


class SiteError(SpecgenError):
    """The site could not be built; the message says why."""


class InvalidPortfolio(SiteError):
    """The specs do not validate; ``diagnostics`` are what ``validate`` reports."""

    def __init__(self, diagnostics: Sequence[Diagnostic]) -> None:
        errors = sum(1 for d in diagnostics if d.level.value == "error")
        super().__init__(f"{errors} errors in the specs", diagnostics=diagnostics)


class OutputNotOurs(SiteError):
    """The output folder exists and is not a site specgen built."""

    exit_code = ExitCode.USAGE


class SiteBuildError(SiteError):
    """Rendering or the mkdocs build failed; ``warnings`` are mkdocs' messages."""

    def __init__(self, message: str, warnings: Sequence[str] = ()) -> None:
        self.warnings = list(warnings)
        super().__init__(message, details=self.warnings)
