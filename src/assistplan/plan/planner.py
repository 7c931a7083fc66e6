"""The planner: desired x state x live -> Plan. Pure: it reads what refresh gathered (and the time it is given),
never prints, calls out or reads the clock. Decisions never depend on `ActionReason`, which is for display only.
"""

from __future__ import annotations

from collections.abc import Collection, Hashable, Iterable, Mapping
from dataclasses import replace
from datetime import datetime
from typing import Any

from assistplan import catalog
from assistplan.addrs import Address, rank
from assistplan.errors import PlanError
from assistplan.kinds import Inventory, Kind, LiveObject, Spec, digest
from assistplan.plan.desired import Desired
from assistplan.plan.diff import diff_specs, top_key, without_paths
from assistplan.plan.graph import closure, topological_order
from assistplan.plan.matching import Live, Matched, match_live, needed, with_unread
from assistplan.plan.model import (
    Action,
    ActionReason,
    ChangeType,
    Drift,
    FieldChange,
    Plan,
    PlanOptions,
    ResourceChange,
    is_secret_path,
)
from assistplan.plan.moves import check_moves, declared_moves, moved_state
from assistplan.state import ResourceState, StateFile


def make_plan(
    project: str,
    desired: Mapping[Address, Desired],
    state: StateFile | None,
    inventory: Inventory,
    kinds: Mapping[str, Kind],
    options: PlanOptions,
    *,
    now: datetime,
    observing: bool = True,
) -> Plan:
    """The plan for `desired` (the manifests' resources, also when destroying: lifecycle comes from them), made at
    `now`. With `observing` false, the plan's `observed` is left empty (only a saved plan needs it)."""
    wanted: Mapping[Address, Desired] = {} if options.destroy else desired
    _check_replace(options.replace, wanted)
    moves = declared_moves((a, d.moved_from) for a, d in desired.items())
    if not options.destroy:  # a destroy deletes what both addresses hold
        check_moves(state, moves)
    state, carried = moved_state(state, moves)
    matched = match_live(wanted, state, inventory, kinds)
    changes: dict[Address, ResourceChange] = {}
    drift: list[Drift] = []
    recorded_addresses = set(state.resources) if state else set()
    addresses = set(wanted) | set(matched.live) | recorded_addresses
    for address in addresses:
        kind = kinds.get(address.kind)
        if kind is None:
            continue
        want = wanted.get(address)
        recorded = state.get(address) if state else None
        listed = matched.live.get(address)
        found = with_unread(listed, want, recorded)
        unread = set(found.spec) - set(listed.spec) if found is not None and listed is not None else set()
        stamped = state is not None and address not in matched.by_content
        found_drift = _drift(address, kind, want, recorded, found, unread, project if stamped else None)
        if found_drift is not None:
            drift.append(found_drift)
        if options.refresh_only:
            change = _refresh_only(address, found, recorded)
        else:
            declared = desired.get(address)
            prevent = bool(declared and declared.prevent_destroy)
            change = _change(address, kind, want, recorded, found, options, prevent)
        moved_from = carried.get(address) or _relabelled(address, found, inventory.project)
        changes[address] = _moved(change, moved_from, restamp=not options.refresh_only)
    if not options.refresh_only:
        kept = needed(wanted)
        changes = _keep_shared(changes, kept, kinds)
        changes.update(_leftovers(matched, kept, changes, inventory, kinds))
    changes = _propagate_replacements(changes, kinds)
    changes = _note_reached(changes, kinds)
    ordered = _order(changes)
    if options.targets:
        ordered, drift = _restrict(ordered, drift, options.targets, desired, options.destroy)
        outside = [address for address in options.replace if address not in {rc.address for rc in ordered}]
        if outside:
            raise PlanError(
                f"--replace {outside[0]}: not among the --target resources and what they need, so it would not be "
                f"replaced; add --target {outside[0]}"
            )
    check_prevent_destroy(ordered)  # what --target leaves out is not destroyed: its lifecycle cannot forbid the plan
    return Plan(
        project=project,
        resource_changes=tuple(ordered),
        drift=tuple(sorted(drift, key=lambda d: rank(d.address))),
        options=options,
        state_lineage=state.lineage if state else None,
        state_serial=state.serial if state else 0,
        observed=observe(inventory, kinds) if observing else {},
        created_at=now.isoformat(timespec="seconds"),
    )


def _check_replace(replace: tuple[Address, ...], wanted: Mapping[Address, Desired]) -> None:
    unknown = [address for address in replace if address not in wanted]
    if unknown:
        raise PlanError(f"--replace {_closest(unknown, wanted)}: no such resource in the manifests")
    fixed = [address for address in replace if not wanted[address].kind.replaceable]
    if fixed:
        raise PlanError(
            f"--replace {fixed[0]}: a {fixed[0].kind} is its content, so another object of the same content would be "
            "this one; change what it holds instead"
        )


def _closest(unknown: Iterable[Address], known: Iterable[Address]) -> str:
    """The unknown addresses, each with the closest known one, if any is close."""
    from assistplan.diagnostics import did_you_mean

    names = [str(address) for address in known]
    return ", ".join(f"{address}{did_you_mean(str(address), names)}" for address in unknown)


def _relabelled(address: Address, found: Live | None, project: str) -> Address | None:
    """The other address of this kind that the live object's labels still name (it was moved), or None."""
    if found is None or found.obj.project != project or not found.obj.address or found.obj.address == address:
        return None
    label = Address.of(found.obj.address)
    return label if label.kind == address.kind and label.name and label != address else None


def _moved(change: ResourceChange, moved_from: Address | None, *, restamp: bool) -> ResourceChange:
    """A change of a moved object. Kept in place (and `restamp`: not a refresh-only plan), it is updated, at least
    to restamp its labels with the new address."""
    if moved_from is None:
        return change
    change = replace(change, moved_from=moved_from)
    if not restamp or change.remote_id is None or change.after is None:
        return change
    if change.action in (Action.NOOP, Action.UPDATE):
        return replace(change, action=Action.UPDATE, reason=ActionReason.MOVED)
    return change


def _leftovers(
    matched: Matched,
    kept: set[Hashable],
    changes: Mapping[Address, ResourceChange],
    inventory: Inventory,
    kinds: Mapping[str, Kind],
) -> dict[Address, ResourceChange]:
    """Deletions of what carries the project's mark but is no address: duplicates of an address, objects whose label
    names no usable address, and what a kind the refresh read finds that nothing needs any more (`Kind.garbage`)."""
    out: dict[Address, ResourceChange] = {}
    leftovers = [(found, ActionReason.DUPLICATE) for found in matched.duplicates]
    leftovers += [(found, ActionReason.ORPHAN) for found in matched.orphans]
    for found, reason in leftovers:
        address = _leftover_address(found.obj)
        out[address] = ResourceChange(
            address, address.kind, address.name, Action.DELETE, reason, found.obj.id, before=found.spec
        )
    gone = {a for a, rc in changes.items() if rc.action in (Action.DELETE, Action.FORGET)}
    keep = [live.obj for a, live in matched.live.items() if a not in gone]
    claimed = {rc.remote_id for rc in changes.values() if rc.remote_id}
    refreshed = [kinds[name] for name in sorted(inventory.objects, key=catalog.rank) if name in kinds]
    for kind in refreshed:
        for item in kind.garbage(inventory, kept, claimed, keep):
            address = item.address
            out[address] = ResourceChange(
                address,
                address.kind,
                address.name,
                Action.DELETE,
                ActionReason.UNUSED,
                item.remote_id,
                before=item.spec,
            )
    return out


def _keep_shared(
    changes: dict[Address, ResourceChange], kept: set[Hashable], kinds: Mapping[str, Kind]
) -> dict[Address, ResourceChange]:
    """An object removed from the manifests that is content other resources still use, or that assistplan did not
    make, is forgotten, not deleted."""
    out = dict(changes)
    for address, rc in changes.items():
        if rc.action is Action.DELETE and rc.before is not None:
            shared = kinds[rc.kind].shared_content(rc.before)
            provided = shared.provides
            if shared.foreign:
                out[address] = replace(rc, action=Action.FORGET, reason=ActionReason.FOREIGN)
            elif provided and provided <= kept:
                out[address] = replace(rc, action=Action.FORGET, reason=ActionReason.SHARED)
    return out


def _leftover_address(obj: LiveObject) -> Address:
    label = Address.of(obj.address or "")
    return Address(obj.kind, label.name if label.kind == obj.kind else "").leftover(obj.id)


def observe(inventory: Inventory, kinds: Mapping[str, Kind]) -> dict[str, str]:
    """Remote id -> digest of the normalized live spec, for every listed object: what a saved plan checks."""
    return {
        obj.id: digest(inventory.normalized(obj, kinds[obj.kind]))
        for objects in inventory.objects.values()
        for obj in objects
        if obj.kind in kinds
    }


def _wanted(want: Desired, found: Live | None) -> Spec:
    """The desired spec with server-chosen values folded in and ignored fields kept as they are live."""
    if found is None:
        return want.spec
    spec = want.kind.fold_live(want.spec, found.spec)
    for path in want.ignore_changes:
        spec = _graft(spec, found.spec, path)
    return spec


def _graft(spec: Spec, live: Spec, path: str) -> Spec:
    """`spec` with the value at an ignored `path` taken from `live`: a dotted path of map keys (`metadata.team`)
    replaces only that key; a path through a list (`tools[0]`) replaces the whole top-level field."""
    keys = path.split(".")
    if any("[" in key for key in keys):
        keys = [path.split(".", 1)[0].split("[", 1)[0]]
    grafted: Spec = _grafted(spec, live, keys)
    return grafted


def _grafted(spec: Any, live: Any, keys: list[str]) -> Any:
    if not isinstance(spec, dict) or not isinstance(live, dict):
        return live
    key, rest = keys[0], keys[1:]
    if key not in live:
        return {k: v for k, v in spec.items() if k != key}
    value = _grafted(spec.get(key), live[key], rest) if rest and key in spec else live[key]
    return {**spec, key: value}


def _change(
    address: Address,
    kind: Kind,
    want: Desired | None,
    recorded: ResourceState | None,
    found: Live | None,
    options: PlanOptions,
    declared_prevent: bool,
) -> ResourceChange:
    kind_name, name = kind.kind, address.name
    if want is None:
        if found is None:
            remote_id = recorded.id if recorded is not None else None
            return ResourceChange(
                address, kind_name, name, Action.FORGET, reason=ActionReason.ALREADY_GONE, remote_id=remote_id
            )
        return ResourceChange(
            address,
            kind_name,
            name,
            Action.DELETE,
            reason=ActionReason.DESTROY if options.destroy else ActionReason.REMOVED_FROM_MANIFEST,
            remote_id=found.obj.id,
            before=found.spec,
            prevent_destroy=declared_prevent,
        )
    spec = _wanted(want, found)
    if found is None:
        # a change is built once: a plan of thousands of creates would spend more copying it than deciding it
        renews = recorded is not None
        return ResourceChange(
            address,
            kind_name,
            name,
            Action.CREATE,
            reason=ActionReason.REMOTE_MISSING if renews else ActionReason.NEW,
            after=spec,
            digest=want.digest,
            depends_on=want.depends_on,
            prevent_destroy=want.prevent_destroy,
            renews=renews,
        )
    changes = without_paths(diff_specs(found.spec, spec, kind.replace_paths), want.ignore_changes)
    action, reason, renews = Action.NOOP, None, False
    if any(c.forces_replace for c in changes):
        action, reason, renews = Action.REPLACE, ActionReason.REPLACE_BECAUSE_CANNOT_UPDATE, True
    elif address in options.replace:
        action, reason, renews = Action.REPLACE, ActionReason.REPLACE_REQUESTED, True
    elif changes:
        action, reason = Action.UPDATE, _why_update(address, kind, want.digest, spec, recorded, found)
        if reason is ActionReason.MANIFEST_CHANGED and all(is_secret_path(change.path) for change in changes):
            reason = ActionReason.SECRET_CHANGED  # the value of a variable the manifest names, not the manifest
    return ResourceChange(
        address,
        kind_name,
        name,
        action,
        reason=reason,
        remote_id=found.obj.id,
        before=found.spec,
        after=spec,
        changes=tuple(changes),
        depends_on=want.depends_on,
        digest=want.digest,
        prevent_destroy=want.prevent_destroy,
        renews=renews,
    )


def _refresh_only(address: Address, found: Live | None, recorded: ResourceState | None) -> ResourceChange:
    kind, name = address.kind, address.name
    if found is None:
        reason = ActionReason.ALREADY_GONE if recorded is not None else None
        return ResourceChange(address, kind, name, Action.NOOP, reason=reason)
    return ResourceChange(address, kind, name, Action.NOOP, remote_id=found.obj.id, before=found.spec, after=found.spec)


def _why_update(
    address: Address, kind: Kind, wanted: str, spec: Spec, recorded: ResourceState | None, found: Live
) -> ActionReason:
    """Whether an update to `spec` (of digest `wanted`) brings the object to a changed manifest or back from a
    change made outside: told by the digest of the spec last applied (the state's, else the object's label). A record
    without one (adopted, or rebuilt from the live object) holds what the object was: the manifest asking for it is
    drift, the object still being it says nothing of which side moved (`differs`), both having moved is a changed
    manifest. With neither, it cannot be told."""
    known = recorded.digest if recorded is not None and recorded.digest else found.obj.digest
    if known:
        return ActionReason.DRIFT if known == wanted else ActionReason.MANIFEST_CHANGED
    if recorded is None:
        return ActionReason.DIFFERS
    last = _recorded_folded(address, kind, recorded.applied, found)
    if not diff_specs(last, spec):
        return ActionReason.DRIFT
    return ActionReason.DIFFERS if not diff_specs(last, found.spec) else ActionReason.MANIFEST_CHANGED


def _drift(
    address: Address,
    kind: Kind,
    want: Desired | None,
    recorded: ResourceState | None,
    found: Live | None,
    unread: set[str],
    state_of: str | None = None,
) -> Drift | None:
    """What changed outside assistplan since the last apply (from the state, or from the stamped digest), as last
    applied -> live. With a state, ignored fields are shown too (the next apply records their live values, so they
    show once), and so is an object found by its labels where the state records a gone one (`id`: the next apply
    records the new id), and so is an object stamped by the project `state_of` (the state's; None when there is no
    state, or the object was recognised by content, as an upload is) with this address, which the state does not
    record at all (`state rm`, a record lost) and a manifest declares: its `id` is added; without a state nothing
    could record them, so they are left out. A field the API does not return (one of `unread`) that the state does not
    record (a state rebuilt from the labels could not prove it) is no drift."""
    name = address.name
    if recorded is not None and found is None:
        return Drift(address, kind.kind, name, recorded.id, deleted=True)
    if found is None:
        return None
    if recorded is not None:
        unrecorded = {key: found.spec[key] for key in sorted(unread) if key not in recorded.applied}
        applied = {**recorded.applied, **unrecorded} if unrecorded else recorded.applied
        changes = diff_specs(_recorded_folded(address, kind, applied, found), found.spec)
        if found.obj.id != recorded.id:  # the recorded object is gone; another carries the address's labels
            changes = [FieldChange("id", ChangeType.CHANGED, recorded.id, found.obj.id), *changes]
    elif want is not None and found.obj.digest == want.digest:
        changes = without_paths(diff_specs(kind.fold_live(want.spec, found.spec), found.spec), want.ignore_changes)
    else:
        changes = []
    labelled = found.obj.project == state_of and found.obj.address == address
    if recorded is None and state_of and want is not None and labelled:
        changes = [FieldChange("id", ChangeType.ADDED, None, found.obj.id), *changes]
    return Drift(address, kind.kind, name, found.obj.id, changes=tuple(changes)) if changes else None


def _recorded_folded(address: Address, kind: Kind, applied: Spec, found: Live) -> Spec:
    """The applied spec the state records, with what the server chose folded in from the live one. The state file is
    input like any other: a record that is not a spec of its kind (edited by hand) is an error naming the way out."""
    try:
        return kind.fold_live(applied, found.spec)
    except (KeyError, IndexError, TypeError, AttributeError, ValueError) as error:
        raise PlanError(
            f"the state's record of {address} is damaged: its applied spec is not one of a {kind.kind} "
            f"({type(error).__name__}: {error}). Run `assistplan state rm {address}` and plan again: the object is "
            "found again by its labels"
        ) from None


def _propagate_replacements(
    changes: dict[Address, ResourceChange], kinds: Mapping[str, Kind]
) -> dict[Address, ResourceChange]:
    """A resource that refers to a replaced (or re-created) one must point at the new object: it is updated, or
    replaced where the reference cannot change in place (a path among its kind's `replace_paths`: a vault's
    credential lives in its vault), which in turn reaches what refers to it."""
    out = dict(changes)
    handled: set[tuple[Address, str]] = set()
    renewed: set[str] = {a for a, rc in out.items() if rc.renews}
    while renewed:
        renewing: set[str] = set()
        for address, rc in out.items():
            if rc.action not in (Action.NOOP, Action.UPDATE) or rc.after is None:
                continue
            kind = kinds[rc.kind]
            extra = [
                FieldChange(
                    path,
                    ChangeType.CHANGED,
                    f"{target} ({out[Address.of(target)].remote_id or 'gone'})",
                    f"{target} (new)",
                    forces_replace=top_key(path) in kind.replace_paths,
                )
                for path, target in kind.reference_paths(rc.after).items()
                if target in renewed and (address, path) not in handled
            ]
            if not extra:
                continue
            handled.update((address, change.path) for change in extra)
            merged = tuple(sorted([*rc.changes, *extra], key=lambda c: c.path))
            if any(change.forces_replace for change in extra):
                out[address] = replace(
                    rc, action=Action.REPLACE, reason=ActionReason.DEPENDENCY_REPLACED, changes=merged, renews=True
                )
                renewing.add(address)
            else:
                reason = ActionReason.DEPENDENCY_REPLACED if rc.action is Action.NOOP else rc.reason
                out[address] = replace(rc, action=Action.UPDATE, reason=reason, changes=merged)
        renewed = renewing
    return out


def _note_reached(changes: dict[Address, ResourceChange], kinds: Mapping[str, Kind]) -> dict[Address, ResourceChange]:
    """Notes on the in-place updates that reach resources which stay as they are (`Kind.reached`)."""
    updates = {
        a: (rc.before, rc.after)
        for a, rc in changes.items()
        if rc.action is Action.UPDATE and rc.before is not None and rc.after is not None
    }
    if not updates:
        return changes
    notes: dict[Address, list[str]] = {}
    for address, rc in changes.items():
        if rc.action in (Action.NOOP, Action.UPDATE) and rc.after is not None:
            for target, note in kinds[rc.kind].reached(address, rc.after, updates):
                if target in updates:
                    notes.setdefault(target, []).append(note)
    out = dict(changes)
    for target, found in notes.items():
        out[target] = replace(changes[target], notes=tuple(sorted(found)))
    return out


def check_prevent_destroy(changes: Iterable[ResourceChange], protected: Collection[Address] = frozenset()) -> None:
    """Refuse changes that delete or replace what `lifecycle.prevent_destroy` protects: as the plan recorded it, or
    the `protected` addresses (a saved plan is checked against the manifests as they are when it is applied)."""
    blocked = [
        rc
        for rc in changes
        if (rc.prevent_destroy or rc.address in protected) and rc.action in (Action.DELETE, Action.REPLACE)
    ]
    if blocked:
        lines = [
            f"{rc.address} would be {'replaced' if rc.action is Action.REPLACE else 'destroyed'}" for rc in blocked
        ]
        raise PlanError(
            "lifecycle.prevent_destroy forbids this plan: "
            + "; ".join(lines)
            + ". Remove prevent_destroy from the manifest first if this is intended."
        )


def _order(changes: dict[Address, ResourceChange]) -> list[ResourceChange]:
    """Dependency order for everything that exists after the apply, then deletions, dependents first."""
    keep = {
        a: rc.depends_on
        for a, rc in changes.items()
        if rc.action is not Action.DELETE and rc.action is not Action.FORGET
    }
    order = topological_order(keep, key=rank)
    gone = sorted((a for a in changes if a not in keep), key=rank, reverse=True)
    return [changes[a] for a in order + gone]


def _restrict(
    ordered: list[ResourceChange],
    drift: list[Drift],
    targets: tuple[Address, ...],
    desired: Mapping[Address, Desired],
    destroy: bool,
) -> tuple[list[ResourceChange], list[Drift]]:
    """The changes of the targets and of what they need: their dependencies, or, when destroying, what depends on
    them (it cannot outlive them). A target that is replaced or re-created brings the updates that point its
    dependents at the new object, the replacements of dependents that cannot be pointed at it (and what those bring
    in turn), and what they need."""
    known = {rc.address for rc in ordered}
    unknown = [t for t in targets if t not in known]
    if unknown:
        raise PlanError(
            f"--target {_closest(unknown, known)}: no such resource in the manifests, the state or the live API"
        )
    edges: dict[Address, set[Address]] = {a: set(d.depends_on) for a, d in desired.items()}
    for rc in ordered:
        edges.setdefault(rc.address, set()).update(rc.depends_on)
    if destroy:
        dependents: dict[Address, set[Address]] = {}
        for address, deps in edges.items():
            for dependency in deps:
                dependents.setdefault(dependency, set()).add(address)
        wanted = closure(targets, dependents)
    else:
        wanted = closure(targets, edges)
        while True:  # what points at a renewed object is updated, or renewed in turn (a vault's credentials)
            renewed = {rc.address for rc in ordered if rc.renews and rc.address in wanted}
            reached = [
                rc.address
                for rc in ordered
                if rc.action in (Action.UPDATE, Action.REPLACE)
                and rc.address not in wanted
                and renewed & set(rc.depends_on)
            ]
            if not reached:
                break
            wanted |= closure(reached, edges)
    return [rc for rc in ordered if rc.address in wanted], [d for d in drift if d.address in wanted]
