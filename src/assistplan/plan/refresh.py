"""Refresh: read the live objects of the kinds a project uses, by listing (one call per page, not one per object),
then normalize each live object once."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistplan.addrs import Address
from assistplan.errors import UNREADABLE_ANSWER, ProviderError, unreadable_answer
from assistplan.kinds import Inventory, Kind, KindContext, LiveObject
from assistplan.kinds.base import NoRecords, Spec
from assistplan.state import StateFile

if TYPE_CHECKING:
    from assistplan.providers import Provider


def new_inventory(project: str, state: StateFile | None, parallelism: int = 8) -> Inventory:
    """An inventory that knows what the state recorded (ids, applied specs, attributes) and has listed nothing."""
    resources = state.resources if state is not None else {}
    recorded: dict[str, list[str]] = {}
    for rs in sorted(resources.values(), key=lambda rs: rs.updated_at, reverse=True):
        recorded.setdefault(rs.kind, []).append(rs.id)
    applied, attributes = recorded_specs(state)
    return Inventory(
        project=project,
        id_to_address={rs.id: str(address) for address, rs in resources.items()},
        applied=applied,
        attributes=attributes,
        parallelism=parallelism,
        recorded=recorded,
    )


def recorded_specs(state: StateFile | None) -> tuple[dict[str, Spec], dict[str, dict[str, Any]]]:
    """The applied specs and the attributes the state records, by address (an inventory's `applied`, `attributes`)."""
    resources = state.resources if state is not None else {}
    applied: dict[str, Spec] = {address: rs.applied for address, rs in resources.items()}
    attributes: dict[str, dict[str, Any]] = {address: dict(rs.attributes) for address, rs in resources.items()}
    return applied, attributes


def refresh(
    provider: Callable[[str], Provider],
    kinds: Iterable[Kind],
    inventory: Inventory,
    root: Path,
    moves: Mapping[Address, Address] | None = None,
) -> Inventory:
    """List the given kinds concurrently (`inventory.parallelism` at a time) and normalize what they found; objects
    are kept when stamped with this project or recorded in its state. Ids the state records that are no longer live
    are dropped, so nothing resolves to a deleted object. An object labelled with an address that `moves` maps to a
    new one is known by the new address."""
    kinds = list(kinds)
    fetch(provider, kinds, inventory, root)
    return finish(inventory, kinds, moves)


def fetch(provider: Callable[[str], Provider], kinds: Iterable[Kind], inventory: Inventory, root: Path) -> None:
    """List the given kinds concurrently into `inventory.objects` (the first half of `refresh`)."""
    kinds = list(kinds)
    if not kinds:
        return
    records = NoRecords(inventory.project)
    with ThreadPoolExecutor(max_workers=max(1, inventory.parallelism)) as pool:
        listed = {
            k.kind: pool.submit(
                _listed, k, KindContext(inventory.project, provider(k.provider), inventory, root, records)
            )
            for k in kinds
        }
        for name, future in listed.items():
            inventory.objects[name] = future.result()


def finish(inventory: Inventory, kinds: Iterable[Kind], moves: Mapping[Address, Address] | None = None) -> Inventory:
    """The second half of `refresh`, once every kind of `kinds` is in `inventory.objects`: forget the recorded ids
    no listing found, know this project's objects by their (moved) addresses (the recorded object of an address, else
    the first listed one stamped with it, as `plan.matching` matches them), normalize each object once."""
    kinds = list(kinds)
    listed = {k.kind for k in kinds}
    live_ids = {obj.id for objects in inventory.objects.values() for obj in objects}
    inventory.id_to_address = {
        i: a for i, a in inventory.id_to_address.items() if i in live_ids or Address.of(a).kind not in listed
    }
    # one object per address: a second one stamped with it (a leftover of an interrupted run, deleted by the plan)
    # is not that address, so what still refers to it shows the change that points it at the object that stays
    held = set(inventory.id_to_address.values())
    for objects in inventory.objects.values():
        for obj in objects:
            if obj.project == inventory.project and obj.address and obj.id not in inventory.id_to_address:
                moved = moves.get(Address.of(obj.address)) if moves else None
                address = moved or obj.address
                if address not in held:
                    inventory.id_to_address[obj.id] = address
                    held.add(address)
    normalize(inventory, {k.kind: k for k in kinds})
    return inventory


def normalize(inventory: Inventory, kinds: Mapping[str, Kind]) -> None:
    """Compute every listed object's normalized spec, once."""
    for name, objects in inventory.objects.items():
        for obj in objects:
            try:
                inventory.normalized(obj, kinds[name])
            except UNREADABLE_ANSWER as error:
                raise _unexpected(f"the API sent {name} {obj.id}", error) from None


def _listed(kind: Kind, ctx: KindContext[Any]) -> list[LiveObject]:
    """`kind.refresh`, with an answer of a shape the API does not document reported as the server's error."""
    try:
        return kind.refresh(ctx)
    except UNREADABLE_ANSWER as error:
        raise _unexpected(f"the API's listing of {kind.kind} objects", error) from None


def _unexpected(what: str, error: Exception) -> ProviderError:
    return ProviderError(
        f"{what} is not shaped as the API reference says ({unreadable_answer(error)})",
        operation="read the live objects",
    )
