"""The dependency graph as text: DOT (Graphviz) and Mermaid. Pure functions of a `Graph`.

A graph holds resources (addresses, in dependency order), edges from each resource to what depends on it, and, when
drawn from a plan, the action planned for each resource (unchanged resources have none). `reached` keeps what a
plan changes and everything that depends on it, directly or not: what a review should look at.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from assistplan.plan.graph import topological_order
from assistplan.render import words

_FILLS: dict[str, tuple[str, str]] = {
    words.CREATE: ("#dafbe1", "#1a7f37"),
    words.UPDATE: ("#fff8c5", "#9a6700"),
    words.REPLACE: ("#fbefff", "#8250df"),
    words.DELETE: ("#ffebe9", "#cf222e"),
    words.FORGET: ("#ddf4ff", "#0969da"),
}
"""Fill and stroke colour per action (GitHub's palette)."""


@dataclass(frozen=True)
class Graph:
    nodes: tuple[str, ...]
    edges: tuple[tuple[str, str], ...]
    """(dependency, dependent) pairs: an arrow points from a resource to what depends on it."""
    actions: Mapping[str, str] = field(default_factory=dict)
    """Address -> the action planned for it (`words.CREATE`, ...); unchanged resources are absent."""


def graph_of(depends_on: Mapping[str, Iterable[str]], actions: Mapping[str, str] | None = None) -> Graph:
    """The graph of resources and what each depends on (dependencies outside `depends_on` are left out), resources
    in dependency order, ties broken by address."""
    nodes = tuple(topological_order({address: list(dependencies) for address, dependencies in depends_on.items()}))
    known = set(nodes)
    edges = tuple(
        (dependency, address)
        for address in nodes
        for dependency in sorted(set(depends_on[address]))
        if dependency in known and dependency != address
    )
    return Graph(nodes, edges, dict(actions or {}))


def reached(graph: Graph) -> Graph:
    """The resources with an action and everything that depends on them, transitively."""
    dependents: dict[str, list[str]] = {}
    for dependency, dependent in graph.edges:
        dependents.setdefault(dependency, []).append(dependent)
    seen: set[str] = set()
    stack = [node for node in graph.nodes if node in graph.actions]
    while stack:
        node = stack.pop()
        if node not in seen:
            seen.add(node)
            stack.extend(dependents.get(node, ()))
    return Graph(
        tuple(node for node in graph.nodes if node in seen),
        tuple((a, b) for a, b in graph.edges if a in seen and b in seen),
        {node: action for node, action in graph.actions.items() if node in seen},
    )


def _label(graph: Graph, node: str) -> str:
    action = graph.actions.get(node)
    return f"{words.SYMBOLS[action]} {node}" if action in words.SYMBOLS else node


def to_dot(graph: Graph) -> str:
    """The graph in Graphviz's DOT language; changed resources are filled in their action's colour."""
    lines = ["digraph assistplan {", "  rankdir=LR;", '  node [shape=box, fontname="Helvetica"];']
    for node in graph.nodes:
        attributes = [f"label={json.dumps(_label(graph, node))}"]
        action = graph.actions.get(node)
        if action in _FILLS:
            fill, stroke = _FILLS[action]
            attributes += ["style=filled", f'fillcolor="{fill}"', f'color="{stroke}"']
        lines.append(f"  {json.dumps(node)} [{', '.join(attributes)}];")
    lines += [f"  {json.dumps(a)} -> {json.dumps(b)};" for a, b in graph.edges]
    return "\n".join([*lines, "}"]) + "\n"


def to_mermaid(graph: Graph) -> str:
    """The graph as a Mermaid flowchart; changed resources are styled by their action."""
    ids = {node: f"n{index}" for index, node in enumerate(graph.nodes)}
    lines = ["flowchart LR"]
    for node in graph.nodes:
        label = _label(graph, node).replace("#", "#35;").replace('"', "#quot;")
        action = graph.actions.get(node)
        style = f":::{action}" if action in _FILLS else ""
        lines.append(f'  {ids[node]}["{label}"]{style}')
    lines += [f"  {ids[a]} --> {ids[b]}" for a, b in graph.edges]
    used = [action for action in _FILLS if action in graph.actions.values()]
    lines += [f"  classDef {action} fill:{_FILLS[action][0]},stroke:{_FILLS[action][1]}" for action in used]
    return "\n".join(lines) + "\n"
