"""Moves: a resource renamed in the manifests (`moved_from: Kind/old-name`) keeps its remote object.

`declared_moves` reads the moves the manifests declare (old address -> new address). `moved_state` is the state as
if those moves were already recorded: a record under an old address is carried to the new one (with its remote id
and attributes, such as the key of secret fingerprints), so that the refresh, the desired specs and the planner see
the object under its new address. Without a state file, the planner finds the object by its old address label
(`plan.matching`). The apply restamps the object's labels and records the move (`apply.applier`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from assistplan.addrs import Address
from assistplan.errors import PlanError
from assistplan.manifest.fields import moved_addresses
from assistplan.manifest.project import Resource
from assistplan.state import StateFile


def resource_moves(resources: Mapping[Address, Resource]) -> dict[Address, Address]:
    """Old address -> new address for every `moved_from` of the manifests' resources."""
    return declared_moves(
        (address, tuple(Address.of(old) for old in moved_addresses(resource.spec.moved_from)))
        for address, resource in resources.items()
    )


def declared_moves(moved_from: Iterable[tuple[Address, tuple[Address, ...]]]) -> dict[Address, Address]:
    """Old address -> new address, from (new address, its `moved_from` addresses) pairs; an old address that is
    still declared, or that two resources claim, is an error."""
    pairs = list(moved_from)
    declared = {address for address, _ in pairs}
    moves: dict[Address, Address] = {}
    for address, olds in pairs:
        for old in olds:
            if old in declared:
                raise PlanError(
                    f"{address} says moved_from: {old}, but {old} is still declared in the manifests: "
                    "remove one of them"
                )
            if old in moves:
                raise PlanError(f"{moves[old]} and {address} both say moved_from: {old}; only one can take it")
            moves[old] = address
    return moves


def check_moves(state: StateFile | None, moves: Mapping[Address, Address]) -> None:
    """Refuse a move to an address the state records beside the old one, as another object: one object cannot take
    both addresses, and the old address's object would be destroyed."""
    for old, new in moves.items():
        kept, taken = (state.get(old), state.get(new)) if state is not None else (None, None)
        if kept is not None and taken is not None and kept.id != taken.id:
            raise PlanError(
                f"{new} says moved_from: {old}, but the state records both: {old} ({kept.id}) and {new} "
                f"({taken.id}), and one object cannot take both addresses. To keep {old}'s object as {new}, run "
                f"`assistplan state rm {new}` (the next apply then deletes {taken.id} as a second object of {new}); "
                f"to destroy {old}'s object instead, remove {old} from moved_from"
            )


def moved_state(
    state: StateFile | None, moves: Mapping[Address, Address]
) -> tuple[StateFile | None, dict[Address, Address]]:
    """The state with each moved record under its new address, and new address -> old address for the records
    carried. A record is carried only when the state has nothing under the new address yet (`check_moves` refuses a
    plan where it records another object there); a record of the same object under both (a run stopped while it
    recorded the move) is dropped under the old one. When several old addresses of one resource are recorded, the
    last one `moved_from` names (the newest) is carried."""
    if state is None or not moves:
        return state, {}
    carried: dict[Address, Address] = {}
    finished: list[Address] = []
    for old, new in moves.items():
        kept, taken = state.get(old), state.get(new)
        if kept is not None and taken is None:
            carried[new] = old
        elif kept is not None and taken is not None and kept.id == taken.id:
            finished.append(old)
    resources = {address: record for address, record in state.resources.items() if address not in finished}
    for new, old in carried.items():
        resources[new] = resources.pop(old).model_copy(update={"name": new.name})
    # what the records say of the moved resources follows them: a reference is the address it names
    names = {str(old): str(new) for new, old in carried.items()}
    for address, record in resources.items():
        applied = _repointed(record.applied, names)
        if applied != record.applied:
            resources[address] = record.model_copy(update={"applied": applied})
    return state.model_copy(update={"resources": resources}), carried


def _repointed(spec: dict[str, Any], names: Mapping[str, str]) -> dict[str, Any]:
    """`spec` (JSON data) with every string that is one of `names` replaced by what it maps to; walked without
    recursion, whatever its depth."""
    stack: list[tuple[Any, Any]] = []

    def copied(value: Any) -> Any:
        if isinstance(value, dict | list):
            shell: Any = {} if isinstance(value, dict) else [None] * len(value)
            stack.append((value, shell))
            return shell
        return names.get(value, value) if isinstance(value, str) else value

    root = copied(spec)
    while stack:
        source, target = stack.pop()
        for key, value in source.items() if isinstance(source, dict) else enumerate(source):
            target[key] = copied(value)
    result: dict[str, Any] = root
    return result
