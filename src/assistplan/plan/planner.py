"""The planner: desired x state x live -> Plan. Pure: it reads what refresh gathered and never prints or calls out."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from assistplan.errors import PlanError
from assistplan.kinds import Inventory, Kind, LiveObject, Spec, digest
from assistplan.kinds.blobs import file_refs
from assistplan.plan.desired import Desired, kind_rank
from assistplan.plan.diff import diff_specs, without_paths
from assistplan.plan.graph import closure, topological_order
from assistplan.plan.matching import Live, Matched, match_live, needed_files, orphan_blobs, with_unread
from assistplan.plan.model import (
    Action,
    ActionReason,
    ChangeType,
    Drift,
    FieldChange,
    Plan,
    PlanOptions,
    ResourceChange,
)
from assistplan.state import StateFile


def make_plan(
    project: str,
    desired: Mapping[str, Desired],
    state: StateFile | None,
    inventory: Inventory,
    kinds: Mapping[str, Kind],
    options: PlanOptions | None = None,
) -> Plan:
    """The plan for `desired` (the manifests' resources, also when destroying: lifecycle comes from them)."""
    options = options or PlanOptions()
    wanted = {} if options.destroy else desired
    matched = match_live(wanted, state, inventory, kinds)
    changes: dict[str, ResourceChange] = {}
    drift: list[Drift] = []
    addresses = set(wanted) | set(matched.live) | set(state.resources if state else {})
    for address in addresses:
        kind = kinds.get(address.partition("/")[0])
        if kind is None:
            continue
        want = wanted.get(address)
        recorded = state.get(address) if state else None
        found = with_unread(matched.live.get(address), want, recorded)
        found_drift = _drift(address, kind, want, recorded, found)
        if found_drift is not None:
            drift.append(found_drift)
        if options.refresh_only:
            changes[address] = _refresh_only(address, found)
        else:
            declared = desired.get(address)
            prevent = bool(declared and declared.prevent_destroy)
            changes[address] = _change(address, kind, want, recorded, found, options, prevent)
    if not options.refresh_only:
        needed = needed_files(wanted)
        changes = _keep_shared_files(changes, needed)
        changes.update(_leftovers(matched, needed, changes, inventory))
    changes = _propagate_replacements(changes, kinds)
    _check_prevent_destroy(changes.values())
    ordered = _order(changes)
    if options.targets:
        ordered, drift = _restrict(ordered, drift, options.targets, desired)
    return Plan(
        project=project,
        resource_changes=tuple(ordered),
        drift=tuple(sorted(drift, key=lambda d: kind_rank(d.address))),
        options=options,
        state_lineage=state.lineage if state else None,
        state_serial=state.serial if state else 0,
        observed=observe(inventory, kinds),
        created_at=datetime.now(UTC).isoformat(timespec="seconds"),
    )


def _leftovers(
    matched: Matched, needed: set[tuple[str, str]], changes: Mapping[str, ResourceChange], inventory: Inventory
) -> dict[str, ResourceChange]:
    """Deletions of what carries the project's label or file prefix but is no address: duplicates of an address,
    objects whose label names no usable address, and file blobs nothing needs."""
    out: dict[str, ResourceChange] = {}
    leftovers = [(found, ActionReason.DUPLICATE) for found in matched.duplicates]
    leftovers += [(found, ActionReason.ORPHAN) for found in matched.orphans]
    for found, reason in leftovers:
        address = f"{found.obj.kind}/{_leftover_name(found.obj)}"
        out[address] = ResourceChange(
            address, found.obj.kind, address.partition("/")[2], Action.DELETE, reason, found.obj.id, before=found.spec
        )
    gone = {a for a, rc in changes.items() if rc.action in (Action.DELETE, Action.FORGET)}
    keep = {a: live for a, live in matched.live.items() if a not in gone}
    claimed = {rc.remote_id for rc in changes.values() if rc.kind == "File" and rc.remote_id}
    for blob in orphan_blobs(inventory, needed, keep, claimed):
        name = f"{blob.path}#{blob.id}"
        before = {"path": blob.path, "purpose": blob.purpose, "sha256": blob.sha256, "size": blob.size}
        out[f"File/{name}"] = ResourceChange(
            f"File/{name}", "File", name, Action.DELETE, ActionReason.UNUSED_FILE, blob.id, before=before
        )
    return out


def _keep_shared_files(changes: dict[str, ResourceChange], needed: set[tuple[str, str]]) -> dict[str, ResourceChange]:
    """A File removed from the manifests whose blob another resource still uploads is forgotten, not deleted."""
    return {
        address: replace(rc, action=Action.FORGET, reason=ActionReason.SHARED)
        if rc.kind == "File" and rc.action is Action.DELETE and file_refs(rc.before) and file_refs(rc.before) <= needed
        else rc
        for address, rc in changes.items()
    }


def _leftover_name(obj: LiveObject) -> str:
    address = obj.address or ""
    label = address.partition("/")[2] if address.startswith(f"{obj.kind}/") else ""
    return f"{label}#{obj.id}"


def observe(inventory: Inventory, kinds: Mapping[str, Kind]) -> dict[str, str]:
    """Remote id -> digest of the normalized live spec, for every listed object: what a saved plan checks."""
    return {
        obj.id: digest(kinds[obj.kind].normalize(obj, inventory))
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
        field = path.split(".", 1)[0].split("[", 1)[0]
        if field in found.spec:
            spec = {**spec, field: found.spec[field]}
    return spec


def _change(
    address: str,
    kind: Kind,
    want: Desired | None,
    recorded: Any,
    found: Live | None,
    options: PlanOptions,
    declared_prevent: bool,
) -> ResourceChange:
    name = address.partition("/")[2]
    base = ResourceChange(address=address, kind=kind.kind, name=name, action=Action.NOOP)
    prevent = declared_prevent
    if want is None:
        if found is None:
            return replace(base, action=Action.FORGET, reason=ActionReason.ALREADY_GONE, remote_id=recorded.id)
        reason = ActionReason.DESTROY if options.destroy else ActionReason.REMOVED_FROM_MANIFEST
        return replace(
            base,
            action=Action.DELETE,
            reason=reason,
            remote_id=found.obj.id,
            before=found.spec,
            prevent_destroy=prevent,
        )
    spec = _wanted(want, found)
    base = replace(
        base, after=spec, digest=want.digest, depends_on=want.depends_on, prevent_destroy=want.prevent_destroy
    )
    if found is None:
        reason = ActionReason.REMOTE_MISSING if recorded is not None else ActionReason.NEW
        return replace(base, action=Action.CREATE, reason=reason)
    changes = without_paths(diff_specs(found.spec, spec, kind.replace_paths), want.ignore_changes)
    base = replace(base, before=found.spec, remote_id=found.obj.id, changes=tuple(changes))
    if not changes:
        return base
    if any(c.forces_replace for c in changes):
        return replace(base, action=Action.REPLACE, reason=ActionReason.REPLACE_BECAUSE_CANNOT_UPDATE)
    manifest_unchanged = (recorded.digest if recorded else found.obj.digest) == want.digest
    reason = ActionReason.DRIFT if manifest_unchanged else ActionReason.MANIFEST_CHANGED
    return replace(base, action=Action.UPDATE, reason=reason)


def _refresh_only(address: str, found: Live | None) -> ResourceChange:
    kind, _, name = address.partition("/")
    if found is None:
        return ResourceChange(address, kind, name, Action.NOOP, reason=ActionReason.ALREADY_GONE)
    return ResourceChange(address, kind, name, Action.NOOP, remote_id=found.obj.id, before=found.spec, after=found.spec)


def _drift(address: str, kind: Kind, want: Desired | None, recorded: Any, found: Live | None) -> Drift | None:
    """What changed outside assistplan since the last apply (from the state, or from the stamped digest)."""
    name = address.partition("/")[2]
    if recorded is not None and found is None:
        return Drift(address, kind.kind, name, recorded.id, deleted=True)
    if found is None:
        return None
    ignored = want.ignore_changes if want else ()
    if recorded is not None:
        changes = without_paths(diff_specs(kind.fold_live(recorded.applied, found.spec), found.spec), ignored)
    elif want is not None and found.obj.digest == want.digest:
        changes = without_paths(diff_specs(_wanted(want, found), found.spec), ignored)
        changes = [replace(c, before=c.after, after=c.before, change=_flip(c.change)) for c in changes]
    else:
        changes = []
    return Drift(address, kind.kind, name, found.obj.id, changes=tuple(changes)) if changes else None


def _flip(change: ChangeType) -> ChangeType:
    return {ChangeType.ADDED: ChangeType.REMOVED, ChangeType.REMOVED: ChangeType.ADDED}.get(change, change)


def _propagate_replacements(changes: dict[str, ResourceChange], kinds: Mapping[str, Kind]) -> dict[str, ResourceChange]:
    """A resource that refers to a replaced one must be updated to point at the new object."""
    renewed = {
        a: rc
        for a, rc in changes.items()
        if rc.action is Action.REPLACE or (rc.action is Action.CREATE and rc.reason is ActionReason.REMOTE_MISSING)
    }
    if not renewed:
        return changes
    out = dict(changes)
    for address, rc in changes.items():
        if rc.action not in (Action.NOOP, Action.UPDATE) or rc.after is None:
            continue
        extra = [
            FieldChange(
                path, ChangeType.CHANGED, f"{target} ({renewed[target].remote_id or 'gone'})", f"{target} (new)"
            )
            for path, target in kinds[rc.kind].reference_paths(rc.after).items()
            if target in renewed
        ]
        if extra:
            reason = rc.reason if rc.action is Action.UPDATE else ActionReason.DEPENDENCY_REPLACED
            out[address] = replace(
                rc,
                action=Action.UPDATE,
                reason=reason,
                changes=tuple(sorted([*rc.changes, *extra], key=lambda c: c.path)),
            )
    return out


def _check_prevent_destroy(changes: Any) -> None:
    blocked = [rc for rc in changes if rc.prevent_destroy and rc.action in (Action.DELETE, Action.REPLACE)]
    if blocked:
        lines = [
            f"{rc.address} would be {'replaced' if rc.action is Action.REPLACE else 'destroyed'}" for rc in blocked
        ]
        raise PlanError(
            "lifecycle.prevent_destroy forbids this plan: "
            + "; ".join(lines)
            + ". Remove prevent_destroy from the manifest first if this is intended."
        )


def _order(changes: dict[str, ResourceChange]) -> list[ResourceChange]:
    """Dependency order for everything that exists after the apply, then deletions, dependents first."""
    keep = {
        a: rc.depends_on
        for a, rc in changes.items()
        if rc.action is not Action.DELETE and rc.action is not Action.FORGET
    }
    order = topological_order(keep, key=kind_rank)
    gone = sorted((a for a in changes if a not in keep), key=kind_rank, reverse=True)
    return [changes[a] for a in order + gone]


def _restrict(
    ordered: list[ResourceChange], drift: list[Drift], targets: tuple[str, ...], desired: Mapping[str, Desired]
) -> tuple[list[ResourceChange], list[Drift]]:
    known = {rc.address for rc in ordered}
    unknown = [t for t in targets if t not in known]
    if unknown:
        raise PlanError(f"--target {', '.join(unknown)}: no such resource in the manifests, the state or the live API")
    wanted = closure(targets, {a: d.depends_on for a, d in desired.items()})
    return [rc for rc in ordered if rc.address in wanted], [d for d in drift if d.address in wanted]
