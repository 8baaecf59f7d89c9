"""The handover bundle: one reproducible archive with the specs, the site, the
definitions and a manifest of hashes (:mod:`.archive`, :mod:`.manifest`), and
its verification (:mod:`.verify`).
"""

from __future__ import annotations

from specgen.bundle.archive import BundleError, BundleResult, OutputExistsError, build_bundle, is_bundle
from specgen.bundle.manifest import MAX_MANIFEST_BYTES, Manifest, ManifestError
from specgen.bundle.verify import MAX_ENTRY_BYTES, MAX_TOTAL_BYTES, Verification, verify_bundle

__all__ = [
    "MAX_ENTRY_BYTES",
    "MAX_MANIFEST_BYTES",
    "MAX_TOTAL_BYTES",
    "BundleError",
    "BundleResult",
    "Manifest",
    "ManifestError",
    "OutputExistsError",
    "Verification",
    "build_bundle",
    "is_bundle",
    "verify_bundle",
]
