"""The plan view: one JSON-ready dict, shaped like `terraform show -json`, that every renderer consumes.

The full view (the JSON format) copies every resource change, no-ops included. The text and Markdown formats show
only what changes, so for them `plan_view(..., noops=False)` leaves the no-ops out and only counts them (naming, in
`unchanged_dependents`, those that depend on a change): a no-op plan of a thousand resources copies and formats
nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from assistplan.plan.model import FORMAT_VERSION, Action, Drift, FieldChange, Plan, ResourceChange, is_secret_path

SENSITIVE = "(sensitive value)"


def plan_view(plan: Plan, *, commit: str | None = None, noops: bool = True) -> dict[str, Any]:
    """The whole plan as plain JSON data: resources in plan (dependency) order, no-ops included.

    With `noops=False`, `resource_changes` holds only the changes that do something and `noop_count` says how many
    were left out (`words.unchanged_count` reads either shape); the no-ops' values are never touched.
    """
    summary = plan.summary
    changes = [_resource_change(rc) for rc in plan.resource_changes if noops or rc.action is not Action.NOOP]
    view: dict[str, Any] = {
        "format_version": FORMAT_VERSION,
        "project": plan.project,
        "timestamp": plan.created_at or None,
        "commit": commit,
        "options": {
            "destroy": plan.options.destroy,
            "refresh_only": plan.options.refresh_only,
            "targets": list(plan.options.targets),
        },
        "resource_changes": changes,
        "resource_drift": [_drift(d) for d in plan.drift],
        "summary": {
            "add": summary.add,
            "change": summary.change,
            "destroy": summary.destroy,
            "forget": summary.forget,
            "has_changes": summary.has_changes,
        },
    }
    if not noops:
        view["noop_count"] = len(plan.resource_changes) - len(changes)
        dependents = _unchanged_dependents(plan)
        if dependents:
            view["unchanged_dependents"] = dependents
    return view


def _unchanged_dependents(plan: Plan) -> list[dict[str, Any]]:
    """The resources left as they are that depend, directly or not, on one that changes, with what they depend on
    (for the picture of what a plan reaches); nothing is computed when nothing changes."""
    reached = {rc.address for rc in plan.resource_changes if rc.action is not Action.NOOP}
    if not reached:
        return []
    dependents: dict[str, list[ResourceChange]] = {}
    for rc in plan.resource_changes:
        for dependency in rc.depends_on:
            dependents.setdefault(dependency, []).append(rc)
    stack = list(reached)
    found: list[ResourceChange] = []
    while stack:
        for rc in dependents.get(stack.pop(), ()):
            if rc.address not in reached:
                reached.add(rc.address)
                found.append(rc)
                stack.append(rc.address)
    order = {rc.address: index for index, rc in enumerate(plan.resource_changes)}
    found.sort(key=lambda rc: order[rc.address])
    return [{"address": rc.address, "depends_on": list(rc.depends_on)} for rc in found]


def _resource_change(rc: ResourceChange) -> dict[str, Any]:
    """One resource change; `notes` (what it does to resources that stay as they are) only when it has some, and
    `previous_address` (as in Terraform's JSON) only when the object moved from another address."""
    view: dict[str, Any] = {
        "address": rc.address,
        "kind": rc.kind,
        "name": rc.name,
        "remote_id": rc.remote_id,
        "depends_on": list(rc.depends_on),
        "change": {
            "actions": rc.action.terraform_actions(),
            "before": jsonable(rc.before),
            "after": jsonable(rc.after),
            "changed_paths": rc.changed_paths,
            "replace_paths": rc.replace_paths,
            "field_changes": _field_changes(rc.changes),
        },
        "action_reason": rc.reason.value if rc.reason is not None else None,
    }
    if rc.notes:
        view["notes"] = list(rc.notes)
    if rc.moved_from is not None:
        view["previous_address"] = rc.moved_from
    return view


def _drift(drift: Drift) -> dict[str, Any]:
    return {
        "address": drift.address,
        "kind": drift.kind,
        "name": drift.name,
        "remote_id": drift.remote_id,
        "deleted": drift.deleted,
        "changed_paths": [c.path for c in drift.changes],
        "field_changes": _field_changes(drift.changes),
    }


def _field_changes(changes: Iterable[FieldChange]) -> list[dict[str, Any]]:
    return [_field_change(c) for c in changes]


def _field_change(c: FieldChange) -> dict[str, Any]:
    """One field change; a secret's keyed fingerprint (a path ending in `.fingerprint`) is shown as the secret it
    stands for, `sensitive`, with `SENSITIVE` for its values: a reviewer learns that it changed, nothing more."""
    if is_secret_path(c.path):
        return {
            "path": c.path.rpartition(".")[0],
            "change": c.change.value,
            "before": None if c.before is None else SENSITIVE,
            "after": None if c.after is None else SENSITIVE,
            "forces_replace": c.forces_replace,
            "sensitive": True,
        }
    return {
        "path": c.path,
        "change": c.change.value,
        "before": jsonable(c.before),
        "after": jsonable(c.after),
        "forces_replace": c.forces_replace,
    }


_SCALARS = (bool, int, float, str)


def jsonable(value: Any) -> Any:
    """A copy of `value` made only of dicts with string keys, lists, strings, numbers, booleans and None. (Dicts and
    lists are looked for before any other mapping and sequence: they are nearly every container, and a check against
    an abstract class costs more.)"""
    if value is None or isinstance(value, _SCALARS):
        return value
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, set | frozenset):
        return sorted((jsonable(v) for v in value), key=repr)
    return str(value)
