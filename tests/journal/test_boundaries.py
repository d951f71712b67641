# covers: issue 9 item 4 (no import loop between the journal's apps), ADR 0015
"""No import cycle spans two journal apps: no strongly connected component of the module graph crosses apps.

The layers contract in pyproject.toml (lint-imports) forbids upward imports app by app; this test checks the
same from the other side, on the modules themselves, so a loop hidden inside a function-level import shows too.
"""

from __future__ import annotations

import grimp


def _app(module: str) -> str | None:
    parts = module.split(".")
    return parts[2] if len(parts) > 3 and parts[:2] == ["parta", "journal"] else None  # parta.journal.<app>.<…>


def _components(graph: grimp.ImportGraph, modules: set[str]) -> list[set[str]]:
    """Tarjan's strongly connected components, iteratively (the graph is a few hundred modules)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[set[str]] = []
    for root in sorted(modules):
        if root in index:
            continue
        work = [(root, iter(sorted(graph.find_modules_directly_imported_by(root) & modules)))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is None:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = set()
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.add(member)
                        if member == node:
                            break
                    found.append(component)
            elif child not in index:
                index[child] = low[child] = len(index)
                stack.append(child)
                on_stack.add(child)
                work.append((child, iter(sorted(graph.find_modules_directly_imported_by(child) & modules))))
            elif child in on_stack:
                low[node] = min(low[node], index[child])
    return found


def test_no_import_cycle_spans_two_journal_apps() -> None:
    graph = grimp.build_graph("parta", include_external_packages=False)
    modules = {m for m in graph.modules if _app(m) is not None}

    crossing = [sorted(c) for c in _components(graph, modules) if len({_app(m) for m in c}) > 1]

    assert len(modules) > 100  # the journal's modules were found
    assert crossing == []
