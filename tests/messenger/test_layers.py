"""The messenger's apps import each other only downwards (pyproject.toml's layers contract, ADR 0016): besides the
contract's listed exceptions, no loop of modules may span two apps — each exception reads, it is never read back."""

# covers: issue 9 (layers inside the messenger)

from __future__ import annotations

from collections import defaultdict

import grimp

SITE = "parta.messenger"


def app_of(module: str) -> str:
    return ".".join(module.split(".")[:3])


def strongly_connected(graph: grimp.ImportGraph, modules: set[str]) -> list[set[str]]:
    """Tarjan's algorithm, iterative (the graph has a few hundred modules)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[set[str]] = []
    edges = {m: sorted(graph.find_modules_directly_imported_by(m) & modules) for m in modules}
    for root in sorted(modules):
        if root in index:
            continue
        work = [(root, 0)]
        while work:
            node, child = work.pop()
            if child == 0:
                index[node] = low[node] = len(index)
                stack.append(node)
                on_stack.add(node)
            if child < len(edges[node]):
                work.append((node, child + 1))
                nxt = edges[node][child]
                if nxt not in index:
                    work.append((nxt, 0))
                elif nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
                continue
            if low[node] == index[node]:
                component = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.add(member)
                    if member == node:
                        break
                components.append(component)
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
    return components


def test_no_loop_of_modules_spans_two_apps() -> None:
    graph = grimp.build_graph("parta")
    modules = graph.find_descendants(SITE) | {SITE}
    spanning = defaultdict(list)
    for component in strongly_connected(graph, modules):
        apps = {app_of(m) for m in component}
        if len(apps) > 1:
            spanning[tuple(sorted(apps))].append(sorted(component))
    assert not spanning
