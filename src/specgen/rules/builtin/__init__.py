"""The built-in production-readiness rules, one module per part of the spec.

Importing this package registers every rule in :data:`specgen.rules.registry.BUILTIN`.
"""

from __future__ import annotations

from specgen.rules.builtin import decisions, evaluation, evidence, exit, governance, ownership, runtime, support

__all__ = ["MODULES"]

MODULES = (ownership, decisions, governance, runtime, evaluation, evidence, support, exit)
