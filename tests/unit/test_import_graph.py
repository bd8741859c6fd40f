"""The import graph keeps two promises: no test module imports another (what tests share lives in
tests/support, or in a room's own helper module, never in a test_*.py or a conftest.py that pytest also
loads), and no shipped room imports in a circle (a circle makes import order matter, and hides which
module is the base)."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ROOMS = ("handlers", "cli", "sandbox")


def _modules(base: Path, prefix: str = "") -> dict[str, Path]:
    """Every module under `base`, by its import name (a package by its own name, not `__init__`)."""
    found = {}
    for path in sorted(base.rglob("*.py")):
        parts = path.relative_to(base).with_suffix("").parts
        parts = parts[:-1] if parts[-1] == "__init__" else parts
        found[prefix + ".".join(parts)] = path
    return found


def _is_type_checking(node: ast.stmt) -> bool:
    return isinstance(node, ast.If) and ast.unparse(node.test) in {"TYPE_CHECKING", "typing.TYPE_CHECKING"}


def _runtime_nodes(tree: ast.AST) -> Iterator[ast.AST]:
    """Every node that runs, lazy imports in functions included; `if TYPE_CHECKING:` blocks left out."""
    for child in ast.iter_child_nodes(tree):
        if isinstance(child, ast.stmt) and _is_type_checking(child):
            continue
        yield child
        yield from _runtime_nodes(child)


def imported_modules(path: Path, known: dict[str, Path]) -> set[str]:
    """The known modules a file imports at run time (`from package import module` names the module)."""
    found = set()
    for node in _runtime_nodes(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names if alias.name in known}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            submodules = {f"{node.module}.{alias.name}" for alias in node.names} & set(known)
            found |= submodules or ({node.module} & set(known))
    return found


def _is_test_module(name: str) -> bool:
    last = name.rsplit(".", 1)[-1]
    return last.startswith("test_") or last == "conftest"


def test_no_test_module_is_imported_by_another_module() -> None:
    modules = _modules(ROOT / "tests", "tests.")
    offenders = [
        f"{path.relative_to(ROOT)} imports {name}"
        for path in modules.values()
        for name in sorted(imported_modules(path, modules))
        if _is_test_module(name)
    ]
    assert offenders == []


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for neighbour in sorted(graph[node]):
            if neighbour not in index:
                visit(neighbour)
                low[node] = min(low[node], low[neighbour])
            elif neighbour in stack:
                low[node] = min(low[node], index[neighbour])
        if low[node] == index[node]:
            component = stack[stack.index(node) :]
            del stack[stack.index(node) :]
            if len(component) > 1:
                cycles.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return cycles


@pytest.mark.parametrize("room", ROOMS)
def test_no_room_imports_in_a_circle(room: str) -> None:
    modules = _modules(ROOT / room)
    graph = {name: imported_modules(path, modules) - {name} for name, path in modules.items()}
    assert _cycles(graph) == []


def test_a_circle_is_found_and_a_type_checking_import_is_not_one() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    tree = ast.parse("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import b\ndef f():\n    import c\n")
    assert {node.names[0].name for node in _runtime_nodes(tree) if isinstance(node, ast.Import)} == {"c"}
