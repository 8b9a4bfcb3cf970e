"""The shape of the package: no import cycles, small modules, a top level that shows the layers.

import-linter (``lint-imports`` in .ci/run, contracts in pyproject.toml) checks who may
import whom. These tests check what it does not: a cycle closed through an import
inside a function or a ``sys.modules`` lookup, module size, and what may sit at the
top of ``src/gevent``.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import gevent

PACKAGE = Path(gevent.__file__).parent

# gevent's public modules and packages.
PUBLIC = {
    "__init__", "backdoor", "baseserver", "contextvars", "core", "event", "events", "exceptions",
    "fileobject", "greenlet", "hub", "local", "lock", "monkey", "os", "pool", "pywsgi", "queue",
    "resolver", "select", "selectors", "server", "signal", "socket", "ssl", "subprocess",
    "thread", "threading", "threadpool", "time", "timeout", "util",
    # Ours, beyond gevent: the test toolkit (gevent.testing is gevent's own), the asyncio bridge.
    "testkit", "asyncio", "websocket",
}
# Private names that gevent's own test files import (docs/design.md lists who needs each).
FROZEN = {
    "_compat", "_config", "_fileobjectcommon", "_fileobjectposix", "_greenlet_primitives",
    "_hub_local", "_ident", "_interfaces", "_monitor", "_patcher", "_socketcommon", "_util",
}
# The hub level: small, hot modules that everything blocks through.
HUB_LEVEL = {"_hub_primitives", "_waiter"}
# One private subpackage per layer.
LAYERS = {"_core", "_patch", "_sync", "_io", "_threads", "_http", "_servers", "_scope",
          "_testkit", "_aio", "_websocket"}

MAX_LINES = 800


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return ((isinstance(test, ast.Name) and test.id == "TYPE_CHECKING")
            or (isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"))


def _imported_names(name: str, is_package: bool, source: str) -> set[str]:
    """Every module that module ``name`` may import: at module level, inside functions, by
    ``sys.modules[...]`` or ``importlib.import_module(...)``; not under TYPE_CHECKING."""
    package = name if is_package else name.rpartition(".")[0]
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child):
                for stmt in child.orelse:
                    visit_one(stmt)
                continue
            visit_one(child)

    def visit_one(node: ast.AST) -> None:
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            # ``from m import x``: module ``m.x`` if there is one, else ``m`` (see _graph).
            found.update(f"{module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Subscript) and ast.unparse(node.value).endswith("sys.modules"):
            if isinstance(node.slice, ast.Constant) and isinstance(node.slice.value, str):
                found.add(node.slice.value)
        elif (isinstance(node, ast.Call) and ast.unparse(node.func).endswith("import_module")
              and node.args and isinstance(node.args[0], ast.Constant)):
            found.add(str(node.args[0].value))
        visit(node)

    visit(ast.parse(source, name))
    return found


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        targets = set()
        for imported in _imported_names(name, path.name == "__init__.py", path.read_text()):
            # ``from . import x`` names module ``x`` if there is one, else the package.
            while imported and imported not in modules:
                imported = imported.rpartition(".")[0]
            if imported and imported != name:
                targets.add(imported)
        graph[name] = targets
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def connect(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                connect(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            connect(v)
    return found


def test_the_cycle_finder_sees_imports_inside_functions() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert _cycles(graph) == [["a", "b", "c"]]
    source = ("import sys\nfrom typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
              "    from gevent import hub\n"
              "def f():\n    from ..greenlet import Greenlet\n"
              "    return sys.modules['gevent.os']\n")
    names = _imported_names("gevent._sync._probe", False, source)
    assert {"gevent.greenlet.Greenlet", "gevent.os"} <= names
    assert not [n for n in names if n.startswith("gevent.hub")]


def test_no_import_cycles() -> None:
    assert _cycles(_graph()) == []


@pytest.mark.parametrize("name", sorted(_modules()))
def test_module_size(name: str) -> None:
    lines = len(_modules()[name].read_text().splitlines())
    assert lines <= MAX_LINES, f"{name} has {lines} lines; split it by concern"


def test_top_level_shows_the_layers() -> None:
    entries = {p.stem if p.suffix == ".py" else p.name
               for p in PACKAGE.iterdir()
               if (p.suffix == ".py" or (p / "__init__.py").exists())}
    unexpected = entries - PUBLIC - FROZEN - HUB_LEVEL - LAYERS
    assert not unexpected, f"put these in a layer's subpackage: {sorted(unexpected)}"
    assert entries >= LAYERS


@pytest.mark.parametrize("layer", sorted(LAYERS))
def test_private_modules_declare_all(layer: str) -> None:
    # gevent's test__all__ imports every module it finds and requires ``__all__``.
    missing = [name for name, path in _modules().items()
               if (name == f"gevent.{layer}" or name.startswith(f"gevent.{layer}."))
               and "__all__" not in path.read_text()]
    assert not missing
