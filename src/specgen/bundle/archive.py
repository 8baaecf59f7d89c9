"""The handover bundle: one reproducible archive the buyer keeps.

:func:`build_bundle` packs, under ``handover/`` in a zip:

- ``README.md`` for the receiver;
- ``site/``: the offline handover site;
- ``definitions/<spec-id>.md``, ``.docx`` and ``.pdf``: the production-readiness
  definitions (the archival PDF when the ``pdf`` extra can run here, see
  :func:`definition_formats`);
- ``specgen.yml`` and ``specs/...``: the project file and the specs as written,
  with their evidence files; ``evidence/sha256/...``: the result files they record;
- ``export/specs.json``: the validated specs as JSON;
- ``schema/spec.schema.json`` and ``schema/project.schema.json``;
- ``MANIFEST.json``: every other file's SHA-256 and size, each spec's content
  fingerprint, the git commit of the specs and the specgen version.

The same inputs give a byte-identical archive: entries are sorted, every entry
carries one timestamp (``SOURCE_DATE_EPOCH``, else the latest release date in
the specs' change logs, else 1980-01-01) and mode 0644. The manifest is a
:class:`specgen.bundle.manifest.Manifest`; :func:`specgen.bundle.verify.verify_bundle`
checks an archive against it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import tempfile
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from specgen import __version__, git
from specgen.bundle.manifest import (
    MANIFEST,
    MANIFEST_FORMAT,
    PREFIX,
    Generator,
    Manifest,
    ManifestError,
    ManifestFile,
    ManifestSpec,
)
from specgen.bundle.verify import ARCHIVE_ERRORS, EntryRefusedError, open_regular, read_manifest
from specgen.clock import ZIP_EPOCH, build_datetime
from specgen.errors import ExitCode, SpecgenError
from specgen.reproducible import source_date_epoch_default, write_atomic, zip_bytes
from specgen.rules import PortfolioReport
from specgen.sow import DEFAULT_FORMATS, SowError, definitions
from specgen.sow.attachments import spec_attachments
from specgen.sow.files import definition_files
from specgen.sow.markdown import render_template
from specgen.spec.export import export_json, source_path
from specgen.spec.fingerprint import fingerprint
from specgen.spec.loader import LoadedSpec, Portfolio
from specgen.spec.schema import json_schema_text

__all__ = [
    "MANIFEST_FORMAT",
    "PREFIX",
    "BundleError",
    "BundleResult",
    "OutputExistsError",
    "build_bundle",
    "bundle_files",
    "definition_formats",
    "git_commit",
    "is_bundle",
    "manifest_for",
]

README_TEMPLATE = "sow/handover-readme.md.j2"


class BundleError(SpecgenError):
    """The bundle cannot be built (a clash of paths, a broken template)."""


class OutputExistsError(BundleError):
    """The output exists and is not a specgen bundle."""

    exit_code = ExitCode.USAGE


# ---------------------------------------------------------------- building


def git_commit(folder: Path) -> str | None:
    """The commit checked out in the git repository holding ``folder``, or None.

    Runs git through :mod:`specgen.git`, the one place that runs it (hardened
    environment, timeout, checked output).
    """
    return git.head_commit(folder)


def _evidence_files(loaded: LoadedSpec, bundled_spec: str) -> dict[str, bytes]:
    """The spec's evidence file and the result files it records (the manifest
    lists their hashes, so ``verify`` finds a tampered result file)."""
    from specgen.evidence import evidence_path, load_evidence, store_root

    path = loaded.source.path
    if path is None or not evidence_path(path).is_file():
        return {}
    found = load_evidence(path, loaded.spec.id)
    out = {str(PurePosixPath(bundled_spec).parent / evidence_path(path).name): evidence_path(path).read_bytes()}
    store = store_root(path)
    for record in found.records if found else []:
        stored = store / record.artefact.stored
        if stored.is_file():
            data = stored.read_bytes()
            if hashlib.sha256(data).hexdigest() != record.artefact.sha256:
                raise BundleError(f"{stored} does not match the sha256 recorded for it in {evidence_path(path)}")
            out[f"evidence/{record.artefact.stored}"] = data
    return out


def _json(data: Any) -> bytes:
    return (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def _site_files(
    portfolio: Portfolio, report: PortfolioReport | None, template_dirs: Sequence[Path], built: dt.datetime
) -> dict[str, bytes]:
    """The offline handover site, built into a temporary folder, as archive entries.

    mkdocs dates the pages (the sitemap) with ``SOURCE_DATE_EPOCH`` or the
    clock; the build is given the bundle's own date so the archive does not
    depend on the day it was built.
    """
    from specgen.site.build import MARKER, build_site
    from specgen.site.errors import SiteError

    user_templates = template_dirs[0] if template_dirs else None
    with tempfile.TemporaryDirectory(prefix="specgen-bundle-") as tmp, source_date_epoch_default(built):
        out = Path(tmp) / "site"
        try:
            build_site(portfolio, out, report=report, user_templates=user_templates)
        except SiteError as exc:
            raise BundleError(f"the handover site cannot be built: {exc}") from exc
        return {
            f"site/{p.relative_to(out).as_posix()}": p.read_bytes()
            for p in sorted(out.rglob("*"))
            if p.is_file() and not p.is_symlink() and p.name != MARKER
        }


def _release_date(portfolio: Portfolio) -> dt.date | None:
    dates = [
        entry.date
        for loaded in portfolio.specs
        if loaded.spec.change_control
        for entry in loaded.spec.change_control.changelog
    ]
    return max(dates) if dates else None


def manifest_for(
    files: Mapping[str, bytes],
    portfolio: Portfolio,
    *,
    commit: str | None,
    built: dt.datetime,
    sources: Mapping[str, str],
) -> dict[str, Any]:
    """The manifest of ``files`` (paths relative to ``handover/``).

    ``sources`` maps each spec id to its path in the bundle.
    """
    return Manifest(
        format=MANIFEST_FORMAT,
        generator=Generator(name="specgen", version=__version__),
        git_commit=commit,
        built=built.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        specs=[
            ManifestSpec(
                id=loaded.spec.id,
                title=loaded.spec.title,
                version=loaded.spec.version,
                stage=loaded.spec.stage.value,
                fingerprint=fingerprint(loaded.spec),
                source=sources[loaded.spec.id],
                definitions=[
                    f"definitions/{loaded.spec.id}.{fmt}"
                    for fmt in definition_formats()
                    if f"definitions/{loaded.spec.id}.{fmt}" in files
                ],
            )
            for loaded in portfolio.specs
        ],
        files=[
            ManifestFile(path=path, sha256=hashlib.sha256(files[path]).hexdigest(), size=len(files[path]))
            for path in sorted(files)
        ],
    ).to_json()


def _readme(portfolio: Portfolio, manifest: Mapping[str, Any], template_dirs: Sequence[Path]) -> bytes:
    project = portfolio.project
    text = render_template(
        README_TEMPLATE,
        template_dirs,
        manifest=manifest,
        organisation=project.organisation or "the buyer",
        vendor=project.vendor or "the delivery partner",
        has_site=any(f["path"].startswith("site/") for f in manifest["files"]),
        has_pdf=any(f["path"].startswith("definitions/") and f["path"].endswith(".pdf") for f in manifest["files"]),
    )
    return text.encode("utf-8")


def definition_formats() -> tuple[str, ...]:
    """The formats of the definitions in the bundle: Markdown and Word, and the
    archival PDF when WeasyPrint and Pango are installed (``specgen[pdf]``).
    Without them the bundle is built without PDFs and its manifest lists what it holds."""
    from specgen.sow.pdf import pdf_available

    return (*DEFAULT_FORMATS, "pdf") if pdf_available() else DEFAULT_FORMATS


def bundle_files(
    portfolio: Portfolio,
    *,
    report: PortfolioReport | None = None,
    template_dirs: Sequence[Path] = (),
    site: bool = True,
    commit: str | None = None,
) -> dict[str, bytes]:
    """Every file of the bundle, archive path → content (``MANIFEST.json`` included).

    ``report`` is the :class:`specgen.rules.PortfolioReport` (findings for the
    definitions' annex and the site); ``site=False`` leaves the offline site
    out; ``template_dirs`` are the user's template folders (the first is also
    the site's); ``commit`` is recorded in the manifest.
    """
    files: dict[str, bytes] = {}
    sources: dict[str, str] = {}
    if portfolio.project_source is not None:
        files["specgen.yml"] = portfolio.project_source.text.encode("utf-8")
    for loaded in portfolio.specs:
        path = source_path(loaded, portfolio.root)
        if path in files:
            raise BundleError(f"two specs would be stored as {path}; give them different file names")
        files[path] = loaded.source.text.encode("utf-8")
        sources[loaded.spec.id] = path
        files.update(_evidence_files(loaded, path))
    formats = definition_formats()
    for loaded, defn in zip(portfolio.specs, definitions(portfolio, report=report), strict=True):
        embedded = spec_attachments(loaded, portfolio.project, portfolio.root) if "pdf" in formats else ()
        for name, data in definition_files(defn, formats, template_dirs=template_dirs, attachments=embedded).items():
            files[f"definitions/{name}"] = data
    files["export/specs.json"] = export_json(
        portfolio.project, [(loaded, sources[loaded.spec.id]) for loaded in portfolio.specs]
    )
    files["schema/spec.schema.json"] = (json_schema_text("spec") + "\n").encode("utf-8")
    files["schema/project.schema.json"] = (json_schema_text("project") + "\n").encode("utf-8")
    built = build_datetime(_release_date(portfolio))
    if site:
        files.update(_site_files(portfolio, report, template_dirs, built))
    listed = dict(files)
    # The README describes the bundle, so it is written from a manifest without
    # itself, then listed in the final manifest like every other file.
    draft = manifest_for(listed, portfolio, commit=commit, built=built, sources=sources)
    files["README.md"] = _readme(portfolio, draft, template_dirs)
    manifest = manifest_for(files, portfolio, commit=commit, built=built, sources=sources)
    files[MANIFEST] = _json(manifest)
    return files


def is_bundle(path: Path) -> bool:
    """True when ``path`` is a regular file holding a zip with a valid specgen handover manifest.

    Read as untrusted (bounded, never blocking on a FIFO): anything damaged,
    hostile or unexpected is "not a bundle", so it is not overwritten unasked.
    """
    try:
        with open_regular(path) as handle, zipfile.ZipFile(handle) as archive:
            read_manifest(archive, archive.getinfo(PREFIX + MANIFEST))
    except (KeyError, ManifestError, EntryRefusedError, *ARCHIVE_ERRORS):
        return False
    return True


@dataclass(frozen=True)
class BundleResult:
    """What :func:`build_bundle` wrote."""

    path: Path
    files: int
    size: int
    sha256: str
    manifest: dict[str, Any]


def build_bundle(
    portfolio: Portfolio,
    output: Path,
    *,
    report: PortfolioReport | None = None,
    template_dirs: Sequence[Path] = (),
    site: bool = True,
    force: bool = False,
) -> BundleResult:
    """Build the handover bundle of ``portfolio`` and write it to ``output``.

    The archive is written through a temporary file and a rename, so a
    failure leaves any previous archive intact. An existing ``output`` is
    replaced only when it is itself a specgen bundle, or with ``force``.
    """
    if not portfolio.ok:
        raise BundleError("the specs have errors (run specgen validate); a bundle holds only valid specs")
    if not portfolio.specs:
        raise BundleError("no spec to bundle")
    if output.is_dir():
        raise OutputExistsError(f"{output} is a folder; give the path of the .zip file to write")
    if output.exists() and not force and not is_bundle(output):
        raise OutputExistsError(f"{output} exists and is not a specgen bundle; pass --force to overwrite it")
    try:
        files = bundle_files(
            portfolio,
            report=report,
            template_dirs=template_dirs,
            site=site,
            commit=git_commit(portfolio.root),
        )
    except SowError as exc:
        raise BundleError(str(exc)) from exc
    manifest = json.loads(files[MANIFEST])
    when = dt.datetime.strptime(manifest["built"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.timezone.utc)
    data = zip_bytes({PREFIX + name: content for name, content in files.items()}, when=max(when, ZIP_EPOCH))
    write_atomic(output, data)
    return BundleResult(output, len(files), len(data), hashlib.sha256(data).hexdigest(), manifest)
