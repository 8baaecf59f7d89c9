"""The production-readiness definition as an archival PDF (WeasyPrint).

The PDF is typeset from HTML (template ``sow/definition.html.j2`` with the
stylesheet ``sow/definition.css``) built from the same
:class:`~specgen.sow.model.Definition` and the same fixed wording
(``sow/wording.j2``, see :mod:`specgen.sow.wording`) as the Markdown and the
Word document. Every value the template prints is escaped for HTML
(:func:`specgen.text.pdf_html`).

The file is PDF/A-3b (``pdf_variant="pdf/a-3b"``) and tagged (``pdf_tags``):
the headings make its outline, the running footer puts the spec's version,
content fingerprint and page number on every page, and the sign-off table
starts a page of its own with room to sign. The spec's YAML, its JSON export
and (when evidence exists) the evidence manifest are embedded as associated
files (:mod:`specgen.sow.attachments`).

The bytes are reproducible: the document and attachment dates are
``SOURCE_DATE_EPOCH`` (else the release date of the spec version), and the
file identifier is a digest of the content. Where HarfBuzz's subsetter is
missing, WeasyPrint subsets fonts with fontTools, which stamps each subset
font with the time unless ``SOURCE_DATE_EPOCH`` is set: while the PDF is
written it is set to the document's date, if it was not set already.

WeasyPrint is an optional extra (``pip install 'specgen[pdf]'``) that needs
Pango at run time; when either is missing, :class:`PdfUnavailableError` says
what to install.
"""

from __future__ import annotations

import base64
import datetime as dt
import functools
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import jinja2

from specgen.clock import build_datetime
from specgen.errors import UsageError
from specgen.reproducible import source_date_epoch_default
from specgen.sow.attachments import Attachment
from specgen.sow.markdown import template_error
from specgen.sow.model import Definition
from specgen.sow.wording import wording
from specgen.templating import make_environment
from specgen.text import pdf_html

__all__ = [
    "INSTALL_HINT",
    "PDF_TEMPLATE",
    "PdfUnavailableError",
    "pdf_available",
    "pdf_is_generated",
    "render_html",
    "render_pdf",
]

PDF_TEMPLATE = "sow/definition.html.j2"
"""Template name of the HTML the PDF is typeset from; a file of that name in
the user's ``templates/`` folder replaces it."""

INSTALL_HINT = (
    "pip install 'specgen[pdf]' (WeasyPrint), and Pango: "
    "apt-get install libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 (Debian/Ubuntu) or brew install pango (macOS)"
)
MARKER = b"specgen-definition"
"""A keyword every definition PDF carries in its metadata."""


class PdfUnavailableError(UsageError):
    """WeasyPrint or the system libraries it needs are not installed (exit 2)."""


@functools.lru_cache(maxsize=1)
def _weasyprint() -> Any:
    try:
        import weasyprint
    except ImportError as exc:  # the extra is not installed
        raise PdfUnavailableError(f"the pdf format needs WeasyPrint, which is not installed; {INSTALL_HINT}") from exc
    except OSError as exc:  # WeasyPrint is, but Pango (loaded through cffi) is not
        raise PdfUnavailableError(
            f"the pdf format needs the Pango library, which WeasyPrint cannot load ({exc}); {INSTALL_HINT}"
        ) from exc
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    return weasyprint


def pdf_available() -> bool:
    """True when the pdf format can be written here (WeasyPrint and Pango load)."""
    try:
        _weasyprint()
    except PdfUnavailableError:
        return False
    return True


@functools.lru_cache(maxsize=16)
def _environment(template_dirs: tuple[Path, ...]) -> jinja2.Environment:
    return make_environment(template_dirs, escape=pdf_html)


def render_html(defn: Definition, *, template_dirs: Sequence[Path] = ()) -> str:
    """The HTML the PDF is typeset from (template ``sow/definition.html.j2``)."""
    when = build_datetime(defn.released)
    env = _environment(tuple(template_dirs))
    try:
        return env.get_template(PDF_TEMPLATE).render(
            d=defn, w=wording(defn, template_dirs), created=when.strftime("%Y-%m-%dT%H:%M:%SZ")
        )
    except jinja2.TemplateError as exc:
        raise template_error(PDF_TEMPLATE, exc) from exc


def render_pdf(
    defn: Definition, *, attachments: Sequence[Attachment] = (), template_dirs: Sequence[Path] = ()
) -> bytes:
    """The definition as the bytes of a PDF/A-3b file with ``attachments`` embedded.

    Raises :class:`PdfUnavailableError` when WeasyPrint or Pango is missing.
    """
    weasyprint = _weasyprint()
    when = build_datetime(defn.released).replace(tzinfo=None)
    page = render_html(defn, template_dirs=template_dirs)
    files = [
        weasyprint.Attachment(
            # a data: URL carries the media type, which WeasyPrint would otherwise guess from the name
            url=f"data:{a.media_type};base64,{base64.b64encode(a.data).decode('ascii')}",
            name=a.name,
            description=a.description,
            created=when,
            modified=when,
            relationship=a.relationship,
        )
        for a in attachments
    ]
    document = weasyprint.HTML(string=page, base_url=None).render()
    with source_date_epoch_default(when.replace(tzinfo=dt.timezone.utc)):  # fontTools dates subset fonts by it
        return document.write_pdf(
            pdf_variant="pdf/a-3b",
            pdf_tags=True,
            pdf_identifier=True,  # a digest of the content: the same definition, the same identifier
            attachments=files,
            finisher=_finish,
        )


def _finish(document: Any, pdf: Any) -> None:
    """Two touches before the file is written.

    WeasyPrint lists each attachment twice in the catalog's ``/AF`` (from the
    name tree and from the file specification): an associated file is listed
    once. The XMP metadata stream is left uncompressed, as PDF/A recommends, so
    that tools scanning for XMP packets (and :func:`pdf_is_generated`) read it.
    """
    listed = pdf.catalog.get("AF")
    if listed is not None:
        unique = list(dict.fromkeys(listed))
        listed.clear()
        listed.extend(unique)
    for item in pdf.objects:
        if getattr(item, "extra", None) is not None and item.extra.get("Type") == "/Metadata":
            item.compress = False


def pdf_is_generated(data: bytes) -> bool:
    """True when ``data`` is a definition PDF specgen wrote and nobody changed since.

    A PDF changed after writing (signed, annotated, filled in) carries an
    incremental update: a second end-of-file marker.
    """
    return data.startswith(b"%PDF-") and MARKER in data and data.count(b"%%EOF") == 1
