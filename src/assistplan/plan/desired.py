"""What the manifests ask for: each remote resource's normalized spec, digest, dependencies and lifecycle."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from assistplan.addrs import KINDS
from assistplan.kinds import Kind, Spec, digest
from assistplan.state import StateFile


@dataclass(frozen=True)
class Desired:
    address: str
    kind: Kind
    spec: Spec
    digest: str
    depends_on: tuple[str, ...]
    prevent_destroy: bool = False
    ignore_changes: tuple[str, ...] = ()


def function_definitions(project: Any) -> dict[str, dict[str, Any]]:
    """Function name -> {description, parameters, strict}: what tools that reference a Function are built from."""
    functions = {}
    for address, resource in project.resources.items():
        if address.kind == "Function":
            spec = resource.spec
            functions[address.name] = {
                "description": spec.description or "",
                "parameters": spec.parameters or {"type": "object", "properties": {}},
                "strict": bool(spec.strict),
            }
    return functions


def desired_resources(project: Any, kinds: Mapping[str, Kind], state: StateFile | None = None) -> dict[str, Desired]:
    """The remote resources of a project (Functions have no remote object of their own: tools embed them), completed
    with what the state recorded for them."""
    functions = function_definitions(project)
    desired: dict[str, Desired] = {}
    specs: dict[str, Spec] = {}
    for address, resource in project.resources.items():
        kind = kinds.get(address.kind)
        if kind is None:
            continue
        recorded = state.get(str(address)) if state is not None else None
        spec = kind.link(kind.desired(resource, functions), specs)
        spec = kind.recall(str(address), spec, recorded.attributes if recorded else {})
        specs[str(address)] = spec
        lifecycle = resource.spec.lifecycle
        desired[str(address)] = Desired(
            address=str(address),
            kind=kind,
            spec=spec,
            digest=digest(spec),
            depends_on=tuple(str(d) for d in resource.depends_on if d.kind in kinds),
            prevent_destroy=bool(lifecycle.prevent_destroy),
            ignore_changes=tuple(lifecycle.ignore_changes),
        )
    return desired


def kind_rank(address: str) -> tuple[int, str]:
    """Sort key: kinds in dependency order (files first), then by name."""
    kind, _, name = address.partition("/")
    return (KINDS.index(kind) if kind in KINDS else len(KINDS), name)
