"""docs/architecture.md stays true: every package it names exists, every module is in a layer, imports only go down."""

from __future__ import annotations

import ast
import re
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "clusterkg"
DOC = ROOT / "docs" / "architecture.md"
OUTSIDE = {"clusterkg", "clusterkg.__main__"}


def layers() -> dict[str, int]:
    """Top-level name (package or module) -> layer, from the table of docs/architecture.md."""
    found: dict[str, int] = {}
    for line in DOC.read_text(encoding="utf-8").splitlines():
        match = re.match(r"^\|\s*(\d+)\s*\|([^|]*)\|", line)
        if match:
            for name in re.findall(r"`([a-z_]+)`", match.group(2)):
                found[name] = int(match.group(1))
    return found


@cache
def modules() -> dict[str, Path]:
    """Dotted module name -> file, for every module of the package."""
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        if "static" in path.parts:
            continue
        parts = path.relative_to(ROOT).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        out[name] = path
    return out


@cache
def imports(name: str, path: Path) -> frozenset[str]:
    """The clusterkg modules that a module imports (relative imports resolved), at any depth of the file."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target.startswith("clusterkg"):
                found.add(target)
                found.update(f"{target}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name.startswith("clusterkg"))
    known = modules()
    return frozenset(target for target in found if target in known and target != name)


def layer_of(name: str, table: dict[str, int]) -> int | None:
    parts = name.split(".")
    return table.get(parts[1]) if len(parts) > 1 else None


def test_every_package_named_in_the_document_exists() -> None:
    table = layers()
    assert len(table) >= 20
    missing = [name for name in table if not (PACKAGE / name).is_dir() and not (PACKAGE / f"{name}.py").is_file()]
    assert missing == []


def test_every_module_is_in_a_layer() -> None:
    table = layers()
    unplaced = [name for name in modules() if name not in OUTSIDE and layer_of(name, table) is None]
    assert unplaced == []


@pytest.mark.parametrize("name", sorted(set(modules()) - OUTSIDE))
def test_imports_go_down(name: str) -> None:
    table = layers()
    mine = layer_of(name, table)
    assert mine is not None
    upward = sorted(t for t in imports(name, modules()[name]) if (layer_of(t, table) or 0) > mine)
    assert upward == [], f"{name} (layer {mine}) imports from a higher layer: {upward}"


def test_no_import_circle() -> None:
    graph = {name: imports(name, path) - {"clusterkg"} for name, path in modules().items()}
    # a package's face imports its own modules; those arrows are not dependencies of the package's modules
    for name in graph:
        graph[name] = {t for t in graph[name] if not t.startswith(name + ".")} if modules()[name].name == "__init__.py" else {
            t for t in graph[name] if modules()[t].name != "__init__.py" or not name.startswith(t + ".")}
    state: dict[str, int] = {}
    cycles: list[list[str]] = []

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for target in sorted(graph.get(node, ())):
            if state.get(target) == 1:
                cycles.append(path[path.index(target):] + [target])
            elif target not in state:
                visit(target, [*path, target])
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node, [node])
    assert cycles == []
