"""Where the bundled templates and example specs are.

In an installed package they sit in ``specgen/_bundled`` (copied there by the
wheel build); in a source checkout (an editable install, or running from the
tree) they are the repository's own ``templates/``, ``specs/`` and
``specgen.yml``.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["bundled_examples", "bundled_project_file", "bundled_templates"]

_PACKAGE = Path(__file__).resolve().parent
_INSTALLED = _PACKAGE / "_bundled"
_CHECKOUT = _PACKAGE.parent.parent


def _pick(installed: Path, checkout: Path) -> Path:
    if installed.exists():
        return installed
    if checkout.exists():
        return checkout
    raise FileNotFoundError(f"bundled data not found at {installed} or {checkout}")


def bundled_templates() -> Path:
    """Folder of the bundled Jinja templates and site assets."""
    return _pick(_INSTALLED / "templates", _CHECKOUT / "templates")


def bundled_examples() -> Path:
    """Folder of the bundled example specs."""
    return _pick(_INSTALLED / "examples" / "specs", _CHECKOUT / "specs")


def bundled_project_file() -> Path:
    """The project file that goes with the bundled example specs."""
    return _pick(_INSTALLED / "examples" / "specgen.yml", _CHECKOUT / "specgen.yml")
