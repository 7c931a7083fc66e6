"""What the manifests ask for: each remote resource's normalized spec, digest, dependencies and lifecycle."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from assistplan.addrs import Address
from assistplan.kinds import DesireContext, Kind, Spec, digest
from assistplan.manifest import Project
from assistplan.manifest.fields import moved_addresses
from assistplan.state import StateFile


@dataclass(frozen=True)
class Desired:
    address: Address
    kind: Kind
    spec: Spec
    digest: str
    depends_on: tuple[Address, ...]
    prevent_destroy: bool = False
    ignore_changes: tuple[str, ...] = ()
    moved_from: tuple[Address, ...] = ()
    """The addresses this resource had before it was renamed (`moved_from`), oldest first."""


def desired_resources(
    project: Project, kinds: Mapping[str, Kind], state: StateFile | None = None
) -> dict[Address, Desired]:
    """The remote resources of a project (kinds without a remote object, like Function, are embedded by others),
    each completed with what the state recorded for its address."""
    desired: dict[Address, Desired] = {}
    specs: dict[str, Spec] = {}
    shared: dict[str, Any] = {}
    for address, resource in project.resources.items():
        kind = kinds.get(address.kind)
        if kind is None:
            continue
        recorded = state.get(address) if state is not None else None
        context = DesireContext(project, specs, recorded.attributes if recorded else {}, shared)
        spec = kind.desired(resource, context)
        specs[address] = spec
        lifecycle = resource.spec.lifecycle
        desired[address] = Desired(
            address=address,
            kind=kind,
            spec=spec,
            digest=digest(spec),
            depends_on=tuple(d for d in resource.depends_on if d.kind in kinds),
            prevent_destroy=bool(lifecycle.prevent_destroy),
            ignore_changes=tuple(lifecycle.ignore_changes),
            moved_from=tuple(Address.of(old) for old in moved_addresses(resource.spec.moved_from)),
        )
    return desired
