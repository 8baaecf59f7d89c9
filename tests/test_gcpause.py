"""The collector pauses of specgen.gcpause: what is frozen stays frozen for
the whole of the outermost frozen_heap, and only that long."""

from __future__ import annotations

import gc
import types
from pathlib import Path

from specgen.gcpause import frozen_heap, paused_gc


def test_paused_gc_turns_the_collector_off_and_back_on() -> None:
    assert gc.isenabled()
    with paused_gc():
        assert not gc.isenabled()
        with paused_gc():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the inner block does not turn it back on early
    assert gc.isenabled()


def test_a_bulk_block_inside_a_frozen_heap_is_frozen_until_the_heap_ends() -> None:
    assert gc.get_freeze_count() == 0
    with frozen_heap():
        before = gc.get_freeze_count()
        with paused_gc(freeze=True):
            made = [[i] for i in range(1000)]  # lists: containers the collector always tracks
        assert gc.get_freeze_count() >= before + len(made)
        with frozen_heap():  # nested: ending it does not unfreeze the outer heap
            pass
        assert gc.get_freeze_count() >= before + len(made)
    assert gc.get_freeze_count() == 0


def test_freeze_outside_a_frozen_heap_freezes_nothing() -> None:
    with paused_gc(freeze=True):
        kept = [[i] for i in range(100)]
    assert gc.get_freeze_count() == 0 and len(kept) == 100


def _scanned(obj: object) -> bool:
    """Whether the collector's passes still look at ``obj`` (frozen objects are left out)."""
    return any(o is obj for o in gc.get_objects())


def test_a_portfolio_loaded_and_checked_inside_a_frozen_heap_is_not_scanned_again() -> None:
    """What the CLI's build and serve do: the specs and the report live to the
    end of the build, so the passes that follow skip them (at 1,000 specs one
    pass over them cost more than a second of an edit's rebuild)."""
    from specgen import load_portfolio
    from specgen.rules import check_portfolio
    from tests.paths import EXAMPLES, PROJECT_FILE

    with frozen_heap():
        portfolio = load_portfolio([EXAMPLES], project_file=PROJECT_FILE)
        report = check_portfolio(portfolio)
        spec, spec_report = portfolio.specs[0].spec, report.specs[0]
        assert gc.is_tracked(spec) and gc.is_tracked(spec_report)
        assert not _scanned(spec) and not _scanned(spec_report)
    assert _scanned(spec) and _scanned(spec_report)  # handed back to the collector after the heap


def test_loading_and_checking_with_the_build_cache_leave_no_reference_cycles(tmp_path: Path) -> None:
    """Inside a frozen heap a cycle made while loading would be frozen and kept
    to the end of the build (a recursive closure once kept every spec's
    position tree: 12 MB more at the peak of a 100-spec build)."""
    from specgen import load_portfolio
    from specgen.rules import check_portfolio
    from specgen.site.build import open_build_cache
    from tests.paths import EXAMPLES, PROJECT_FILE

    cache = open_build_cache(tmp_path / "cache")  # empty: every spec is parsed and stored
    try:
        gc.collect()
        with paused_gc():
            portfolio = load_portfolio([EXAMPLES], project_file=PROJECT_FILE, memo=cache)
            check_portfolio(portfolio, memo=cache)
            gc.set_debug(gc.DEBUG_SAVEALL)
            try:
                gc.collect()
                garbage = list(gc.garbage)
            finally:
                gc.set_debug(0)
                gc.garbage.clear()
    finally:
        cache.close()
    # the one cycle allowed: the class the standard library's iterparse makes on every call
    # (reading the examples' JUnit evidence file again to check its records)
    made = [o for o in garbage if isinstance(o, (type, types.FunctionType, types.GeneratorType))]
    assert all(_from_iterparse(o) for o in made), [o for o in made if not _from_iterparse(o)]
    assert not [o for o in garbage if type(o).__module__.startswith("specgen")]
    assert portfolio.ok and portfolio.specs


def _from_iterparse(o: object) -> bool:
    if isinstance(o, types.GeneratorType):
        return o.gi_code.co_filename.endswith(("xml/etree/ElementTree.py", "defusedxml/common.py"))
    return getattr(o, "__module__", "").startswith("xml.etree") and "iterparse" in getattr(o, "__qualname__", "")
