"""The import rules of ARCHITECTURE.md, read from the source: wings, floors, no circle.

Every import counts: at module level, inside functions (deferred), under ``TYPE_CHECKING``,
and the names a package face loads on first use (``lazy_face``). Python resolves a
``from package import name`` to the module ``package.name`` when there is one, and so does
this reader.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parent.parent / "src"

WINGS = {
    "client": ("xbsec.client", "xbsec.integrations", "xbsec.webhooks"),
    "server": ("xbsec.server", "xbsec.sandbox"),
    "cli": ("xbsec.cli",),
}
"""Everything else is the core: the protocol, the stores and the floor they stand on."""

CORE_FACE_REEXPORTS = {
    # xbsec.oauth2 names the client's token machinery and the token stores for callers who
    # look for every OAuth 2.0 name in one place; they load on first use only.
    "xbsec.oauth2": {"xbsec.client.oauth2.access_token", "xbsec.client.oauth2.login",
                     "xbsec.client.oauth2.token_client"},
}
"""Names a core face may take from a wing, lazily (and import for typing only): each one a
decision, listed here."""

FLOOR = ("xbsec.errors", "xbsec.error_items", "xbsec._lazy", "xbsec._version")
"""Modules that import nothing of xbsec (``_lazy`` needs nothing; ``errors`` stands on
``error_items`` only, for typing)."""


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    line: int
    lazy: bool  # a name a face loads on first use, not an import statement
    typing: bool = False  # under ``if TYPE_CHECKING:``: for the type checker only


@cache
def modules() -> dict[str, Path]:
    found = {}
    for path in (SRC / "xbsec").rglob("*.py"):
        parts = list(path.relative_to(SRC).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def _resolve(name: str) -> str | None:
    """The module ``name`` refers to: itself, or the nearest enclosing module."""
    known = modules()
    while name and name not in known:
        name = name.rpartition(".")[0]
    return name or None


def _package_of(module: str) -> str:
    return module if modules()[module].name == "__init__.py" else module.rpartition(".")[0]


def _lazy_targets(module: str, tree: ast.Module) -> Iterator[tuple[str, int]]:
    """Modules a face names in the mapping it hands to ``lazy_face``."""
    maps = {}
    for node in tree.body:
        if (isinstance(node, ast.Assign) and len(node.targets) == 1
                and isinstance(node.targets[0], ast.Name) and isinstance(node.value, ast.Dict)):
            maps[node.targets[0].id] = node.value
    for node in ast.walk(tree):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                and node.func.id == "lazy_face" and len(node.args) >= 2
                and isinstance(node.args[1], ast.Name) and node.args[1].id in maps):
            for value in maps[node.args[1].id].values:
                if isinstance(value, ast.Constant) and isinstance(value.value, str):
                    target = value.value
                    if not target.startswith("xbsec."):
                        target = f"{module}.{target}"
                    yield target, value.lineno


def _type_checking_only(tree: ast.Module) -> set[int]:
    """The ids of the import nodes under ``if TYPE_CHECKING:``."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and (
                (isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING")
                or (isinstance(node.test, ast.Attribute) and node.test.attr == "TYPE_CHECKING")):
            found.update(id(inner) for stmt in node.body for inner in ast.walk(stmt))
    return found


@cache
def edges() -> tuple[Edge, ...]:
    found = []
    for module, path in modules().items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        package = _package_of(module)
        typing_only = _type_checking_only(tree)
        for node in ast.walk(tree):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package.split(".")[: len(package.split(".")) - node.level + 1]
                    origin = ".".join(base + ([node.module] if node.module else []))
                else:
                    origin = node.module or ""
                for alias in node.names:
                    submodule = f"{origin}.{alias.name}"
                    names.append(submodule if submodule in modules() else origin)
            for name in names:
                target = _resolve(name) if name.startswith("xbsec") else None
                if target and target != module:
                    found.append(Edge(module, target, node.lineno, lazy=False,
                                      typing=id(node) in typing_only))
        if path.name == "__init__.py":
            for name, line in _lazy_targets(module, tree):
                target = _resolve(name)
                assert target == name, f"{module}:{line} lazily names {name}, not a module"
                found.append(Edge(module, target, line, lazy=True))
    return tuple(found)


def wing_of(module: str) -> str:
    for wing, prefixes in WINGS.items():
        if any(module == p or module.startswith(p + ".") for p in prefixes):
            return wing
    return "core"


def _where(edge: Edge) -> str:
    kind = "lazily names" if edge.lazy else "imports (for typing)" if edge.typing else "imports"
    return f"{edge.source} (line {edge.line}) {kind} {edge.target}"


def test_the_reader_sees_the_package() -> None:
    assert {"xbsec", "xbsec.errors", "xbsec.stores.replay", "xbsec.client.oauth2.access_token",
            "xbsec.sandbox.authorization_server.app"} <= set(modules())
    assert any(e.lazy for e in edges())
    assert any(e.source == "xbsec.server.gateway" and e.target == "xbsec.stores.replay"
               for e in edges())


def test_the_floor_imports_nothing_of_the_package() -> None:
    offending = [_where(e) for e in edges() if e.source in FLOOR and e.target not in FLOOR]
    assert offending == []


def test_the_core_imports_no_wing() -> None:
    offending = [
        _where(e) for e in edges()
        if e.source != "xbsec" and wing_of(e.source) == "core" and wing_of(e.target) != "core"
        and not ((e.lazy or e.typing) and e.target in CORE_FACE_REEXPORTS.get(e.source, ()))
    ]
    assert offending == []


@pytest.mark.parametrize(("wing", "other"), [("client", "server"), ("server", "client")])
def test_the_client_and_the_server_never_import_each_other(wing: str, other: str) -> None:
    offending = [_where(e) for e in edges()
                 if wing_of(e.source) == wing and wing_of(e.target) == other]
    assert offending == []


def test_nothing_imports_the_cli() -> None:
    offending = [_where(e) for e in edges()
                 if wing_of(e.target) == "cli" and wing_of(e.source) != "cli"]
    assert offending == []


def test_no_import_circle_anywhere() -> None:
    graph: dict[str, set[str]] = {m: set() for m in modules()}
    for edge in edges():
        graph[edge.source].add(edge.target)
    # Tarjan's strongly connected components: any with two or more modules is a circle.
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    circles: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                circles.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    assert circles == []


def test_every_listed_reexport_exists() -> None:
    lazy = {(e.source, e.target) for e in edges() if e.lazy}
    for face, targets in CORE_FACE_REEXPORTS.items():
        for target in targets:
            assert (face, target) in lazy, f"{face} no longer names {target}: drop it here"
