"""Where specs are: the project file above a folder, the spec files under it.

:func:`discover_spec_files` walks folders itself (``os.walk``) so that a
folder it cannot list is reported, not skipped: ``Path.rglob`` passes over a
folder without permission in silence.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from specgen.confine import Resolver

__all__ = ["PROJECT_FILENAMES", "SPEC_SUFFIXES", "discover_spec_files", "display_name", "find_project_file"]

PROJECT_FILENAMES = ("specgen.yml", "specgen.yaml")
SPEC_SUFFIXES = (".yml", ".yaml")


def display_name(path: Path) -> str:
    """``path`` relative to the working directory, as messages show it."""
    try:
        return os.path.relpath(path)
    except ValueError:  # pragma: no cover - another drive on Windows
        return str(path)


def find_project_file(start: Path) -> Path | None:
    """The nearest ``specgen.yml`` in ``start`` or a folder above it."""
    start = start.resolve()
    folder = start if start.is_dir() else start.parent
    for candidate in (folder, *folder.parents):
        for filename in PROJECT_FILENAMES:
            path = candidate / filename
            if path.is_file():
                return path
        if (candidate / ".git").exists():
            break
    return None


def _is_spec_file(path: Path) -> bool:
    return (
        path.suffix in SPEC_SUFFIXES
        and path.name not in PROJECT_FILENAMES
        and not path.stem.endswith(".approvals")  # approvals sidecars (specgen.spec.approvals)
        and not path.stem.endswith(".evidence")  # evidence sidecars (specgen.evidence)
    )


def _walk(folder: Path, unreadable: list[str]) -> list[Path]:
    """Spec files under ``folder``, sorted, hidden folders and files left out;
    a folder that cannot be listed is added to ``unreadable``."""

    def _failed(exc: OSError) -> None:
        unreadable.append(display_name(Path(exc.filename)) if exc.filename else str(folder))

    found: list[Path] = []
    for top, dirs, names in os.walk(folder, onerror=_failed):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        base = Path(top)
        for name in names:
            path = base / name
            if not name.startswith(".") and _is_spec_file(path) and path.is_file():
                found.append(path)
    return sorted(found)


def discover_spec_files(
    paths: Iterable[Path], unreadable: list[str] | None = None, resolver: Resolver | None = None
) -> tuple[list[Path], list[str]]:
    """Spec files named or found (recursively, sorted) under folders.

    Returns the files and the paths that do not exist; folders that cannot be
    listed are added to ``unreadable`` when given. A file reached twice (by a
    link, or named twice) is listed once; ``resolver`` finds out, remembering
    the folders it resolved.
    """
    resolve = resolver if resolver is not None else Resolver()
    files: list[Path] = []
    missing: list[str] = []
    failed: list[str] = [] if unreadable is None else unreadable
    for path in paths:
        if path.is_dir():
            files.extend(_walk(path, failed))
        elif path.is_file():
            files.append(path)
        else:
            missing.append(str(path))
    seen: set[Path] = set()
    unique = []
    for f in files:
        key = resolve(f)
        if key not in seen:
            seen.add(key)
            unique.append(f)
    return unique, missing
