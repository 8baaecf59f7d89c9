"""The package layout stays true: imports point down the data flow, no cycles.

specgen's data flows load -> model -> check -> render -> site / sow / bundle,
with review beside the renderers. Each package sits on a floor and may import
only from floors below it (and from itself). The test reads every module's
imports (including those inside functions) with :mod:`ast`, so a new upward
import or a cycle fails here with the module and line that adds it.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parent.parent / "src" / "specgen"

# The floor of each part of the package: a module may import its own part and
# anything on a lower floor. The renderers (review, sow, site) never import
# each other, except that the site embeds the readiness definition (sow) and
# shows each spec's history (review); the bundle packs the site and the
# definitions; only the CLI sits above everything. The error root sits below
# them all, so that any module can raise an error carrying its exit code.
FLOORS: dict[str, float] = {
    "text": 1,
    "errors": 0,
    "clock": 1,
    "derivation": 1,  # what a computed object was derived from: marked by rules and site, read by site
    "gcpause": 1,
    "parallel": 1,  # work in forked processes: the loader's spec files, the site's pages
    "resources": 1,
    "confine": 1,
    "usercache": 1,
    "diagnostics": 2,
    "reproducible": 2,
    "templating": 2,
    "git": 2,
    "spec": 3,
    "evidence": 3.5,  # measured evidence of a spec: read by rules and the renderers
    "rules": 4,
    "review": 5,
    "sow": 5,
    "site": 6,
    "bundle": 7,
    "cli": 8,
}
ALLOWED_SIDEWAYS = {("site", "review"), ("site", "sow")}
"""Imports between renderers that are part of the design (see FLOORS)."""
TOP = "specgen"  # the package's __init__: re-exports only


def _part(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else TOP


def _module_name(path: Path) -> str:
    rel = path.relative_to(SRC.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path) -> list[tuple[str, int]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((a.name, node.lineno) for a in node.names if a.name.startswith("specgen"))
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, f"{path}:{node.lineno}: relative import; write it absolute"
            if node.module and node.module.startswith("specgen"):
                if node.module == "specgen":  # from specgen import x: x may be a module
                    found.extend((f"specgen.{a.name}", node.lineno) for a in node.names)
                else:
                    found.append((node.module, node.lineno))
    return found


MODULES = {_module_name(p): p for p in sorted(SRC.rglob("*.py"))}


def test_every_part_has_a_floor() -> None:
    parts = {_part(m) for m in MODULES} - {TOP}
    assert parts <= set(FLOORS), f"give these a floor in FLOORS: {sorted(parts - set(FLOORS))}"


@pytest.mark.parametrize("module", sorted(m for m in MODULES if _part(m) != TOP))
def test_imports_point_down_the_flow(module: str) -> None:
    here = _part(module)
    upward = []
    for target, line in _imports(MODULES[module]):
        there = _part(target)
        if there in (here, TOP) and target != "specgen" and there == here:
            continue
        if target in ("specgen", "specgen.__version__"):
            continue  # the version string
        if there == TOP:
            upward.append(f"{module}:{line} imports the package top {target}")
        elif (here, there) in ALLOWED_SIDEWAYS:
            continue
        elif FLOORS[there] >= FLOORS[here]:
            upward.append(
                f"{MODULES[module].relative_to(SRC.parent)}:{line}: {here} (floor {FLOORS[here]}) "
                f"imports {target} ({there}, floor {FLOORS[there]})"
            )
    assert not upward, "\n".join(upward)


def test_no_import_cycle_between_modules() -> None:
    graph: dict[str, set[str]] = {}
    for module, path in MODULES.items():
        targets = set()
        for target, _ in _imports(path):
            while target and target not in MODULES:  # from specgen.x import name -> specgen.x
                target = target.rpartition(".")[0]
            if target and target != module and target != TOP:
                targets.add(target)
        graph[module] = targets
    # a package __init__ re-exports its own modules; that is not a cycle
    state: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt.startswith(node + ".") or (node.startswith(nxt + ".") and MODULES[nxt].name == "__init__.py"):
                continue
            if state.get(nxt) == 1:
                cycles.append(" -> ".join([*stack[stack.index(nxt) :], nxt]))
            elif nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module)
    assert not cycles, "import cycles:\n" + "\n".join(cycles)


def test_the_largest_modules_stay_small() -> None:
    """No module over ~400 lines unless it says at its top that it is one
    cohesive table of data."""
    large = []
    for path in MODULES.values():
        text = path.read_text(encoding="utf-8")
        if text.count("\n") > 420 and "one cohesive table" not in text[:3000].lower():
            large.append(f"{path.relative_to(SRC.parent)}: {text.count(chr(10))} lines")
    assert not large, "split these (or say at the top why they are one table):\n" + "\n".join(large)
