"""Fails when an import cycle joins modules of different apps (import-linter's layers see apps, not cycles).

An app is `parta.<site>.<app>`; a site's top-level modules (`urls`, `settings`, …) count as apps of their own.
The module graph comes from grimp (import-linter's own graph builder); a strongly connected component of it that
holds modules of two or more apps is a cycle between apps, printed with one path around it.
Run by ./test.sh's import-linter stage: `python scripts/check_app_cycles.py`.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from pathlib import Path

import grimp


def app_of(module: str) -> str:
    return ".".join(module.split(".")[:3])


def strongly_connected(nodes: Iterable[str], edges: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's algorithm without recursion (the graph has a few thousand modules)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    components: list[list[str]] = []
    counter = 0
    for root in nodes:
        if root in index:
            continue
        work = [(root, iter(sorted(edges.get(root, ()))))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                components.append(sorted(component))
    return components


def main() -> int:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the repository, where `parta` is
    graph = grimp.build_graph("parta")
    modules = sorted(m for m in graph.modules if m.startswith("parta."))
    edges = {m: {i for i in graph.find_modules_directly_imported_by(m) if i.startswith("parta.")} for m in modules}
    broken = 0
    for component in strongly_connected(modules, edges):
        apps = sorted({app_of(m) for m in component})
        if len(apps) < 2:
            continue
        broken += 1
        print(f"import cycle between {', '.join(apps)}:")
        first, second = component[0], next(m for m in component if app_of(m) != app_of(component[0]))
        there = graph.find_shortest_chain(importer=first, imported=second) or ()
        back = graph.find_shortest_chain(importer=second, imported=first) or ()
        print("  " + " -> ".join([*there, *back[1:]]))
    if broken:
        print(f"{broken} import cycle(s) between apps")
        return 1
    print(f"no import cycle between apps ({len(modules)} modules)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
