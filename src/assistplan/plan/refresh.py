"""Refresh: read the live objects of the kinds a project uses, by listing (one call per page, not one per object)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from assistplan.kinds import Inventory, Kind
from assistplan.kinds.blobs import BlobPool
from assistplan.state import StateFile


def refresh(
    providers: Mapping[str, Any], kinds: Iterable[Kind], project: str, state: StateFile | None, parallelism: int = 8
) -> Inventory:
    """List the given kinds concurrently; objects are kept when stamped with this project or recorded in its state.
    Ids the state records that are no longer live are dropped, so nothing resolves to a deleted object."""
    resources = state.resources if state is not None else {}
    inventory = Inventory(
        project=project,
        id_to_address={rs.id: address for address, rs in resources.items()},
        applied={address: rs.applied for address, rs in resources.items()},
        attributes={address: dict(rs.attributes) for address, rs in resources.items()},
        parallelism=parallelism,
    )
    kinds = [k for k in kinds if k.provider in providers]
    with ThreadPoolExecutor(max_workers=max(1, parallelism)) as pool:
        use_blobs = "openai" in providers and any(k.uses_blobs for k in kinds)
        blobs = pool.submit(BlobPool.refresh, providers["openai"], project) if use_blobs else None
        listed = {k.kind: pool.submit(k.refresh, providers[k.provider], inventory) for k in kinds if k.kind != "File"}
        inventory.blobs = blobs.result() if blobs is not None else None
        for name, future in listed.items():
            inventory.objects[name] = future.result()
    for kind in kinds:
        if kind.kind == "File":
            inventory.objects["File"] = kind.refresh(providers[kind.provider], inventory)
    live_ids = {obj.id for objects in inventory.objects.values() for obj in objects}
    live_ids |= set(inventory.blobs.by_id) if inventory.blobs is not None else set()
    inventory.id_to_address = {i: a for i, a in inventory.id_to_address.items() if i in live_ids}
    for objects in inventory.objects.values():
        for obj in objects:
            if obj.project == project and obj.address:
                inventory.id_to_address.setdefault(obj.id, obj.address)
    return inventory
