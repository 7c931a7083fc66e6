"""Dependency order: a deterministic topological sort of addresses."""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from assistplan.errors import PlanError


def topological_order(
    edges: Mapping[str, Iterable[str]], key: Callable[[str], tuple[Any, ...]] | None = None
) -> list[str]:
    """Every node after the nodes it depends on; ties broken by `key` (default: the address). Unknown deps ignored."""
    order_key = key or (lambda address: (address,))
    nodes = set(edges)
    deps = {node: {d for d in edges[node] if d in nodes and d != node} for node in nodes}
    dependents: dict[str, set[str]] = {node: set() for node in nodes}
    for node, node_deps in deps.items():
        for dep in node_deps:
            dependents[dep].add(node)
    ready = [(order_key(node), node) for node in nodes if not deps[node]]
    heapq.heapify(ready)
    order: list[str] = []
    while ready:
        _, node = heapq.heappop(ready)
        order.append(node)
        for dependent in dependents[node]:
            deps[dependent].discard(node)
            if not deps[dependent]:
                heapq.heappush(ready, (order_key(dependent), dependent))
    if len(order) != len(nodes):
        cycle = sorted(nodes - set(order))
        raise PlanError(f"dependency cycle between {', '.join(cycle)}")
    return order


def closure(roots: Iterable[str], edges: Mapping[str, Iterable[str]]) -> set[str]:
    """The roots and everything they depend on, transitively."""
    seen: set[str] = set()
    stack = list(roots)
    while stack:
        node = stack.pop()
        if node in seen:
            continue
        seen.add(node)
        stack.extend(edges.get(node, ()))
    return seen
