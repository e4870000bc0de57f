"""The package layout keeps its promises (DESIGN.md, "Layout"): one-way imports between the
layers, no import cycles between modules, short modules and short functions.

These are static checks of the source tree (the ``ast`` of every module), so they run in
milliseconds and fail with the offending module, import or function named.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src" / "multigap"

#: The layers in import order: a module may import its own layer and those before it.
LAYERS = (
    ("constants", "validation", "_threads"),
    ("structure",),
    ("model", "config", "presets"),
    ("pairing",),
    ("runs",),
    ("plot", "plot_response"),
    ("study",),
    ("cli", "__main__", "__init__"),
)
#: Plotting reads datasets only: it may import nothing of the physics. (DESIGN.md lists plot
#: after study; the reproduction draws its figures, so plot sits below study, and this rule
#: keeps it free of physics.)
PLOT_LAYER = 5
PLOT_MAY_IMPORT = {"multigap.constants", "multigap.validation", "multigap.plot"}
MAX_MODULE_LINES = 600
MAX_FUNCTION_LINES = 120


def _modules() -> dict[str, Path]:
    out = {}
    for path in sorted(SRC.rglob("*.py")):
        rel = path.relative_to(SRC).with_suffix("")
        parts = list(rel.parts)
        if parts[-1] == "__init__" and len(parts) > 1:
            parts = parts[:-1]
        out[".".join(["multigap", *parts])] = path
    return out


MODULES = _modules()


def _layer(module: str) -> int:
    parts = module.split(".")
    head = parts[1] if len(parts) > 1 else "__init__"
    for i, names in enumerate(LAYERS):
        if head in names:
            return i
    raise AssertionError(f"{module}: not in any layer of {LAYERS}")


def _imports(path: Path) -> set[str]:
    """multigap modules imported anywhere in a file (function-level imports included)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module.split(".")[0] != "multigap":
                continue
            for alias in node.names:
                sub = f"{node.module}.{alias.name}"
                found.add(sub if sub in MODULES else node.module)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.split(".")[0] == "multigap")
        elif isinstance(node, ast.ImportFrom) and node.level > 0:
            raise AssertionError(f"{path}: relative import (the package uses absolute imports)")
    return found & set(MODULES)


GRAPH = {m: _imports(p) - {m} for m, p in MODULES.items()}


@pytest.mark.parametrize("module", sorted(MODULES))
def test_imports_run_one_way(module: str) -> None:
    if module == "multigap":
        return  # the public namespace gathers every layer
    upward = sorted(m for m in GRAPH[module] if m != "multigap" and _layer(m) > _layer(module))
    assert not upward, f"{module} (layer {_layer(module)}) imports later layers: {upward}"


@pytest.mark.parametrize("module", [m for m in MODULES if _layer(m) == PLOT_LAYER])
def test_plotting_imports_no_physics(module: str) -> None:
    assert GRAPH[module] <= PLOT_MAY_IMPORT, f"{module} imports {GRAPH[module] - PLOT_MAY_IMPORT}"


def test_no_import_cycles() -> None:
    graph = {m: {d for d in deps if d != "multigap"} for m, deps in GRAPH.items()}
    # a package's __init__ importing its own submodules is not a cycle of modules
    for m in graph:
        graph[m] = {d for d in graph[m] if not d.startswith(m + ".")}
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(m: str) -> None:
        state[m] = 1
        stack.append(m)
        for d in sorted(graph[m]):
            if state.get(d) == 1:
                cycle = [*stack[stack.index(d) :], d]
                raise AssertionError("import cycle: " + " -> ".join(cycle))
            if d not in state:
                visit(d)
        stack.pop()
        state[m] = 2

    for m in sorted(graph):
        if m not in state:
            visit(m)


@pytest.mark.parametrize("module", sorted(MODULES))
def test_modules_and_functions_are_short(module: str) -> None:
    path = MODULES[module]
    text = path.read_text()
    n = len(text.splitlines())
    assert n <= MAX_MODULE_LINES, f"{path.name}: {n} lines (at most {MAX_MODULE_LINES})"
    long = []
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            size = (node.end_lineno or node.lineno) - node.lineno + 1
            if size > MAX_FUNCTION_LINES:
                long.append(f"{node.name} ({size} lines)")
    assert not long, f"{path.name}: functions over {MAX_FUNCTION_LINES} lines: {long}"
