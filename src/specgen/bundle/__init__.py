"""The handover bundle: one reproducible archive with the specs, the site, the
definitions and a manifest of hashes, and its verification.
"""

from __future__ import annotations

from specgen.bundle.archive import (
    BundleError,
    BundleResult,
    OutputExistsError,
    Verification,
    build_bundle,
    verify_bundle,
)

__all__ = ["BundleError", "BundleResult", "OutputExistsError", "Verification", "build_bundle", "verify_bundle"]
