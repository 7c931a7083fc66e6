"""The plan view: one JSON-ready dict, shaped like `terraform show -json`, that every renderer consumes."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from assistplan.plan.model import FORMAT_VERSION, Drift, FieldChange, Plan, ResourceChange


def plan_view(plan: Plan, *, commit: str | None = None) -> dict[str, Any]:
    """The whole plan as plain JSON data: resources in plan (dependency) order, no-ops included."""
    summary = plan.summary
    return {
        "format_version": FORMAT_VERSION,
        "project": plan.project,
        "timestamp": plan.created_at or None,
        "commit": commit,
        "options": {
            "destroy": plan.options.destroy,
            "refresh_only": plan.options.refresh_only,
            "targets": list(plan.options.targets),
        },
        "resource_changes": [_resource_change(rc) for rc in plan.resource_changes],
        "resource_drift": [_drift(d) for d in plan.drift],
        "summary": {
            "add": summary.add,
            "change": summary.change,
            "destroy": summary.destroy,
            "forget": summary.forget,
            "has_changes": summary.has_changes,
        },
    }


def _resource_change(rc: ResourceChange) -> dict[str, Any]:
    return {
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
    return [
        {
            "path": c.path,
            "change": c.change.value,
            "before": jsonable(c.before),
            "after": jsonable(c.after),
            "forces_replace": c.forces_replace,
        }
        for c in changes
    ]


def jsonable(value: Any) -> Any:
    """A copy of `value` made only of dicts with string keys, lists, strings, numbers, booleans and None."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, set | frozenset):
        return sorted((jsonable(v) for v in value), key=repr)
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    return str(value)
