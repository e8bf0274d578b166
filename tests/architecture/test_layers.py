"""The package's shape, as docs/architecture.md draws it: imports run one way
(entry points → app → http → service → scenario → domain → support), no import cycle between
modules. Size is ruff's business (C901, PLR0912, PLR0915 in pyproject.toml) and the module-size
guide's in docs/architecture.md, not a hard line cap."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "emulator"

# Top to bottom; a module may import its own layer and the layers below it.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("emulator.cli", "emulator.__main__", "emulator.testing", "emulator", "emulator.launch"),
    ("emulator.app", "emulator.server", "emulator.accesslog", "emulator.connections"),
    ("emulator.http",),
    ("emulator.service", "emulator.inspection", "emulator.webhooks", "emulator.registry",
     "emulator.events",
     "emulator.timekeeping", "emulator.faults", "emulator.journal", "emulator.statefile"),
    ("emulator.scenario",),
    ("emulator.domain",),
    ("emulator.support", "emulator.settings", "emulator.logformat", "emulator.health",
     "emulator.paths"),
)


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def imports_of(path: Path) -> Iterator[str]:
    """Every `emulator…` module named by an import, at any depth (lazy imports count too)."""
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names if alias.name.startswith("emulator"))
        elif (isinstance(node, ast.ImportFrom) and node.module and node.level == 0
              and node.module.startswith("emulator")):
            # `from emulator.http import control` names the module emulator.http.control (and
            # only it: the package itself is named when something else is imported from it).
            folder = PACKAGE.parent / node.module.replace(".", "/")
            submodules = [f"{node.module}.{alias.name}" for alias in node.names
                          if (folder / f"{alias.name}.py").exists()]
            if len(submodules) < len(node.names):
                yield node.module
            yield from submodules


def layer_of(module: str) -> int:
    """The layer of the longest matching prefix (so `emulator` alone is only the package)."""
    best, depth = -1, -1
    for index, prefixes in enumerate(LAYERS):
        for prefix in prefixes:
            matches = module == prefix or module.startswith(prefix + ".")
            if matches and prefix.count(".") > depth and (prefix != "emulator" or module == prefix):
                best, depth = index, prefix.count(".")
    assert best >= 0, f"{module} is in no layer: add it to LAYERS and docs/architecture.md"
    return best


def test_every_module_is_in_a_layer() -> None:
    for module in modules():
        layer_of(module)


def test_imports_never_go_up() -> None:
    upward = [
        f"{module} (layer {layer_of(module)}) imports {target} (layer {layer_of(target)})"
        for module, path in modules().items()
        for target in imports_of(path)
        if module != "emulator" and layer_of(target) < layer_of(module)
    ]
    assert upward == []


def test_no_import_cycles() -> None:
    known = modules()
    graph = {m: sorted({r for t in imports_of(p) if (r := _resolve(t, known)) is not None} - {m})
             for m, p in known.items() if m != "emulator"}
    cycles = [cycle for cycle in _cycles(graph) if len(cycle) > 1]
    assert cycles == []


def _resolve(target: str, known: dict[str, Path]) -> str | None:
    """`from emulator.x import y` names module x (or y, when y is a module of package x)."""
    return target if target in known and target != "emulator" else None


def _cycles(graph: dict[str, list[str]]) -> list[list[str]]:
    """Strongly connected components (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in graph.get(node, []):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                component.append(top)
                if top == node:
                    break
            found.append(component)

    for node in graph:
        if node not in index:
            visit(node)
    return found


def test_the_domain_imports_no_framework() -> None:
    frameworks = ("starlette", "pydantic", "uvicorn", "httpx", "yaml")
    offenders = [
        f"{path.name} imports {alias}"
        for path in sorted((PACKAGE / "domain").rglob("*.py"))
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in ([a.name for a in node.names] if isinstance(node, ast.Import)
                      else [node.module or ""])
        if alias.split(".")[0] in frameworks
    ]
    assert offenders == []
