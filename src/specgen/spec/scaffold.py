"""``specgen init``: write a new, commented spec that validates as it is."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from pathlib import Path

from specgen import clock
from specgen.errors import UsageError
from specgen.spec.loader import load_spec_text
from specgen.spec.schema import Stage
from specgen.templating import make_environment
from specgen.text import yaml_plain

__all__ = ["ScaffoldError", "render_new_spec", "write_new_spec"]

_NAME = re.compile(r"^[a-z0-9][a-z0-9-]*$")


class ScaffoldError(UsageError):
    """The spec cannot be written (bad name, file exists)."""


def render_new_spec(
    name: str, *, stage: str = "experimentation", today: dt.date | None = None, user_dirs: Sequence[Path] = ()
) -> str:
    """The text of a new spec for workflow ``name`` at ``stage`` (template
    ``init/spec.yml.j2``; ``user_dirs`` are searched before the bundled templates)."""
    if not _NAME.match(name):
        raise ScaffoldError(f"'{name}' is not a valid workflow id: use lower-case letters, digits and '-'")
    stage_value = Stage(stage)
    env = make_environment(user_dirs, escape=yaml_plain)
    text = env.get_template("init/spec.yml.j2").render(
        id=name,
        title=name.replace("-", " ").capitalize(),
        stage=stage_value.value,
        stage_rank=stage_value.rank,
        today=clock.today(today).isoformat(),
    )
    loaded, problems = load_spec_text(text, f"{name}.yml")
    if loaded is None:  # a broken template is a bug, never the user's fault
        raise AssertionError("init template does not validate:\n" + "\n".join(d.message for d in problems))
    return text


def write_new_spec(
    name: str, *, stage: str = "experimentation", folder: Path = Path("specs"), user_dirs: Sequence[Path] = ()
) -> Path:
    """Write ``folder/name.yml``; refuses to overwrite an existing file."""
    text = render_new_spec(name, stage=stage, user_dirs=user_dirs)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.yml"
    try:
        with path.open("x", encoding="utf-8") as handle:
            handle.write(text)
    except FileExistsError:
        raise ScaffoldError(f"{path} already exists; choose another name or remove it first") from None
    return path


def copy_examples(folder: Path) -> list[Path]:
    """Copy the bundled example specs and their project file into ``folder``.

    Refuses (before writing anything) when any of the files already exists.
    """
    from specgen.resources import bundled_examples, bundled_project_file

    sources = [(bundled_project_file(), folder / "specgen.yml")]
    for spec in sorted(bundled_examples().glob("*.yml")):  # specs and their sidecars
        sources.append((spec, folder / "specs" / spec.name))
    store = bundled_examples().parent / "evidence"  # the evidence store the sidecars point into
    for artefact in sorted(store.rglob("*")) if store.is_dir() else []:
        if artefact.is_file():
            sources.append((artefact, folder / "evidence" / artefact.relative_to(store)))
    clashes = [str(target) for _, target in sources if target.exists()]
    if clashes:
        raise ScaffoldError(f"not overwriting existing files: {', '.join(clashes)}")
    for source, target in sources:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(source.read_bytes())
    return [target for _, target in sources]
