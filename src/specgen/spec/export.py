"""The JSON export of validated specs (``specgen-export/1``): the project and
each spec as data, with its content fingerprint and where its source is kept.

One shape for every place that exports: the bundle's ``export/specs.json``
(all specs) and the attachment of each definition's PDF (its one spec).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path, PurePosixPath

from specgen.spec.fingerprint import fingerprint
from specgen.spec.loader import LoadedSpec
from specgen.spec.schema import Project

__all__ = ["EXPORT_FORMAT", "export_json", "source_path"]

EXPORT_FORMAT = "specgen-export/1"


def source_path(loaded: LoadedSpec, root: Path) -> str:
    """Where a spec is kept with its export: its path under the project
    ``root``, inside ``specs/`` (a spec outside the root keeps its file name)."""
    path = loaded.source.path
    if path is not None:
        try:
            relative = PurePosixPath(path.resolve().relative_to(root.resolve()).as_posix())
        except ValueError:
            relative = PurePosixPath(path.name)
    else:
        relative = PurePosixPath(PurePosixPath(loaded.source.name).name)
    if relative.parts[0] != "specs":
        relative = PurePosixPath("specs", *relative.parts)
    return relative.as_posix()


def export_json(project: Project, specs: Sequence[tuple[LoadedSpec, str]]) -> bytes:
    """The export of ``specs`` (each with its :func:`source_path`) as UTF-8 JSON."""
    data = {
        "format": EXPORT_FORMAT,
        "project": project.model_dump(mode="json"),
        "specs": [
            {
                "id": loaded.spec.id,
                "fingerprint": fingerprint(loaded.spec),
                "source": source,
                "spec": loaded.spec.model_dump(mode="json"),
            }
            for loaded, source in specs
        ],
    }
    return (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
