"""No import circle among auditor's, auditor_dev's and the benchmarks' modules (issue 119): two modules
that import each other, directly or through others, can be read, tested and moved only together.
benchmarks.msp and benchmarks.msp_shards were one, through each other's private names; what both use
lives in benchmarks.msp_fleet now. A package and its own modules (vendors/pax8/__init__.py and
vendors/pax8/writes.py) are one unit and are not counted: the package presents what its modules hold."""

from __future__ import annotations

import sys
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("auditor", "auditor_dev", "benchmarks")


def _related(a: str, b: str) -> bool:
    return a.startswith(b + ".") or b.startswith(a + ".")


def circles(graph: grimp.ImportGraph) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan), a package's own edges left out."""
    order: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(module: str) -> None:
        order[module] = low[module] = len(order)
        stack.append(module)
        on_stack.add(module)
        for target in graph.find_modules_directly_imported_by(module):
            if _related(module, target):
                continue
            if target not in order:
                visit(target)
                low[module] = min(low[module], low[target])
            elif target in on_stack:
                low[module] = min(low[module], order[target])
        if low[module] == order[module]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == module:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for module in sorted(graph.modules):
        if module not in order:
            visit(module)
    return sorted(found)


def test_no_module_imports_itself_back(monkeypatch) -> None:
    monkeypatch.syspath_prepend(str(ROOT))  # benchmarks/ is a folder of the checkout, not installed
    graph = grimp.build_graph(*PACKAGES, include_external_packages=False)
    assert "benchmarks.msp_shards" in graph.modules, "the benchmarks are in the graph"
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 10_000))  # the walk is as deep as the longest import chain
    try:
        assert circles(graph) == []
    finally:
        sys.setrecursionlimit(limit)


def test_a_planted_circle_is_found() -> None:
    graph = grimp.ImportGraph()
    for module in ("bench", "bench.a", "bench.b", "bench.c"):
        graph.add_module(module)
    graph.add_import(importer="bench.a", imported="bench.b")
    graph.add_import(importer="bench.b", imported="bench.a")
    graph.add_import(importer="bench", imported="bench.c")
    graph.add_import(importer="bench.c", imported="bench")
    assert circles(graph) == [["bench.a", "bench.b"]]
