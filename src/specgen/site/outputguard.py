"""What a build may replace, checked before it writes anything.

A site folder (and a folder of kept sources) holds a marker file at its top
(:data:`MARKER`): a build replaces only a folder that is absent, empty or
marked, unless told to (``--force``). Never, even when told to, does it
replace a folder that holds one of its own inputs (a spec, the project
file), or put the site and the kept sources one inside the other.
"""

from __future__ import annotations

from pathlib import Path

from specgen.confine import Resolver
from specgen.site.errors import OutputNotOurs
from specgen.spec.loader import Portfolio

__all__ = ["MARKER", "MARKER_TEXT", "check_inputs_outside", "check_replaceable", "inside"]

MARKER = ".specgen-site"
"""File at the top of a built site: specgen may replace the folder that holds it."""
MARKER_TEXT = "Built by specgen build; the next build replaces this folder.\n"


def check_replaceable(path: Path, marker: str, force: bool) -> None:
    """Refuse to replace ``path`` unless it is absent, empty, holds ``marker`` or ``force``."""
    if not path.exists():
        return
    if not path.is_dir():
        raise OutputNotOurs(f"{path} is a file, not a folder; choose another output")
    if force or (path / marker).is_file() or not any(path.iterdir()):
        return
    raise OutputNotOurs(
        f"{path} exists and was not built by specgen (it has no {marker} file); "
        "choose another folder, or pass --force to replace it"
    )


def inside(path: Path, folder: Path) -> bool:
    """Whether ``path`` is ``folder`` or under it, links followed."""
    return path.resolve().is_relative_to(folder.resolve())


def check_inputs_outside(portfolio: Portfolio, output: Path, keep_sources: Path | None) -> None:
    """Refuse, even with ``force``, an output that would swallow the inputs."""
    inputs = [ls.source.path for ls in portfolio.specs if ls.source.path is not None]
    if portfolio.project_source is not None and portfolio.project_source.path is not None:
        inputs.append(portfolio.project_source.path)
    resolve = Resolver()  # each folder resolved once for the pass over the inputs
    resolved = [resolve(p) for p in inputs]
    for folder in [output] + ([keep_sources] if keep_sources is not None else []):
        within = folder.resolve()
        hit = next((p for p, r in zip(inputs, resolved, strict=True) if r.is_relative_to(within)), None)
        if hit is not None:
            raise OutputNotOurs(f"{folder} holds {hit}, an input of the build; choose another folder")
    if keep_sources is not None and (inside(keep_sources, output) or inside(output, keep_sources)):
        raise OutputNotOurs(f"the site ({output}) and the kept sources ({keep_sources}) must be separate folders")
