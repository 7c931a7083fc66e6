"""Dependency order: a deterministic topological sort of addresses."""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar

from assistplan.errors import PlanError

N = TypeVar("N", bound=str)


def topological_order(edges: Mapping[N, Iterable[N]], key: Callable[[N], tuple[Any, ...]] | None = None) -> list[N]:
    """Every node after the nodes it depends on; ties broken by `key` (default: the address). Unknown deps ignored."""
    order_key: Callable[[N], tuple[Any, ...]] = key or (lambda address: (address,))
    nodes = set(edges)
    deps = {node: {d for d in edges[node] if d in nodes and d != node} for node in nodes}
    dependents: dict[N, set[N]] = {node: set() for node in nodes}
    for node, node_deps in deps.items():
        for dep in node_deps:
            dependents[dep].add(node)
    ready = [(order_key(node), node) for node in nodes if not deps[node]]
    heapq.heapify(ready)
    order: list[N] = []
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


def closure(roots: Iterable[N], edges: Mapping[N, Iterable[N]]) -> set[N]:
    """The roots and everything they depend on, transitively."""
    seen: set[N] = set()
    stack = list(roots)
    while stack:
        node = stack.pop()
        if node in seen:
            continue
        seen.add(node)
        stack.extend(edges.get(node, ()))
    return seen
