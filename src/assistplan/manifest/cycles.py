"""Reference cycles between resources: found by a depth-first walk, each reported once."""

from __future__ import annotations

from assistplan.addrs import Address
from assistplan.diagnostics import Diagnostic
from assistplan.manifest.project import Resource


def find_cycles(graph: dict[Address, tuple[Address, ...]]) -> list[list[Address]]:
    """Every elementary reference cycle found by a depth-first walk, each starting at its smallest address."""
    cycles: list[list[Address]] = []
    seen: set[tuple[Address, ...]] = set()
    state: dict[Address, int] = {}
    stack: list[Address] = []

    def visit(node: Address) -> None:
        state[node] = 1
        stack.append(node)
        for target in graph.get(node, ()):
            if state.get(target) == 1:
                cycle = stack[stack.index(target) :]
                start = cycle.index(min(cycle))
                normal = tuple(cycle[start:] + cycle[:start])
                if normal not in seen:
                    seen.add(normal)
                    cycles.append(list(normal))
            elif state.get(target) is None:
                visit(target)
        stack.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node)
    return cycles


def cycle_diagnostics(resources: dict[Address, Resource]) -> list[Diagnostic]:
    graph = {address: resource.depends_on for address, resource in resources.items()}
    diagnostics = []
    for cycle in find_cycles(graph):
        chain = " -> ".join(str(address) for address in [*cycle, cycle[0]])
        first = resources[cycle[0]]
        message = f"reference cycle: {chain}"
        diagnostics.append(Diagnostic.error(message, range=first.source, address=str(first.address)))
    return diagnostics
