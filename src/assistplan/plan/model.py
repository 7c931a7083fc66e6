"""The plan as plain frozen data: actions, field changes, resource changes, drift. No behaviour beyond summaries."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from assistplan.addrs import Address

FORMAT_VERSION = "1.0"


class Action(StrEnum):
    NOOP = "no-op"
    CREATE = "create"
    UPDATE = "update"
    REPLACE = "replace"
    DELETE = "delete"
    FORGET = "forget"

    def terraform_actions(self) -> list[str]:
        """The `actions` array of the JSON format, shaped like Terraform's (replace is create-before-destroy)."""
        return {
            Action.NOOP: ["no-op"],
            Action.CREATE: ["create"],
            Action.UPDATE: ["update"],
            Action.REPLACE: ["create", "delete"],
            Action.DELETE: ["delete"],
            Action.FORGET: ["forget"],
        }[self]


class ActionReason(StrEnum):
    """Why an action was chosen; for display only."""

    NEW = "new"
    MANIFEST_CHANGED = "manifest_changed"
    SECRET_CHANGED = "secret_changed"
    DRIFT = "drift"
    REMOTE_MISSING = "remote_missing"
    REPLACE_BECAUSE_CANNOT_UPDATE = "replace_because_cannot_update"
    REMOVED_FROM_MANIFEST = "removed_from_manifest"
    DESTROY = "destroy"
    ALREADY_GONE = "already_gone"
    DEPENDENCY_REPLACED = "dependency_replaced"
    DUPLICATE = "duplicate"
    ORPHAN = "orphan"
    UNUSED = "unused"
    SHARED = "shared"
    FOREIGN = "foreign"
    MOVED = "moved"
    REPLACE_REQUESTED = "replace_requested"
    DIFFERS = "differs"


SECRET_LEAF = "fingerprint"
"""The last key of a path that holds a secret's keyed fingerprint (a spec never holds a secret itself)."""


def is_secret_path(path: str) -> bool:
    """Whether a field change's dotted path is a secret's fingerprint."""
    parent, dot, leaf = path.rpartition(".")
    return bool(dot and parent) and leaf == SECRET_LEAF


class ChangeType(StrEnum):
    ADDED = "added"
    REMOVED = "removed"
    CHANGED = "changed"


@dataclass(frozen=True)
class FieldChange:
    """One changed field. `path` is dotted with [index] or ["key"] for list items and map keys."""

    path: str
    change: ChangeType
    before: Any = None
    after: Any = None
    forces_replace: bool = False


@dataclass(frozen=True)
class ResourceChange:
    address: Address
    kind: str
    name: str
    action: Action
    reason: ActionReason | None = None
    remote_id: str | None = None
    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None
    changes: tuple[FieldChange, ...] = ()
    depends_on: tuple[Address, ...] = ()
    digest: str | None = None
    prevent_destroy: bool = False
    renews: bool = False
    """The apply makes a new object for this address (a replacement, or a create of an object the state recorded):
    resources that refer to it must be pointed at the new one."""
    notes: tuple[str, ...] = ()
    """What this change does to other resources without changing them (see `Kind.reached`), in words: for display."""
    moved_from: Address | None = None
    """The address the object had (in the state or its labels) before it was renamed: the apply restamps it with
    this address and records it here, keeping its remote id."""

    @property
    def changed_paths(self) -> list[str]:
        return [c.path for c in self.changes]

    @property
    def replace_paths(self) -> list[str]:
        return [c.path for c in self.changes if c.forces_replace]


@dataclass(frozen=True)
class Drift:
    """A live object that changed since assistplan last applied it (or was deleted outside assistplan)."""

    address: Address
    kind: str
    name: str
    remote_id: str | None
    deleted: bool = False
    changes: tuple[FieldChange, ...] = ()


@dataclass(frozen=True)
class PlanOptions:
    destroy: bool = False
    refresh_only: bool = False
    targets: tuple[Address, ...] = ()
    replace: tuple[Address, ...] = ()
    """Addresses to replace (create new, then delete old) even though they could be updated in place."""


@dataclass(frozen=True)
class Summary:
    add: int
    change: int
    destroy: int
    forget: int = 0

    @property
    def has_changes(self) -> bool:
        return bool(self.add or self.change or self.destroy or self.forget)


@dataclass(frozen=True)
class Plan:
    project: str
    resource_changes: tuple[ResourceChange, ...]
    drift: tuple[Drift, ...] = ()
    options: PlanOptions = field(default_factory=PlanOptions)
    state_lineage: str | None = None
    state_serial: int = 0
    observed: dict[str, str] = field(default_factory=dict)
    created_at: str = ""
    state_rebuilt: bool = False
    """Planned with no state file: the state it was made against was rebuilt from the live labels."""

    @property
    def summary(self) -> Summary:
        add = change = destroy = forget = 0
        for rc in self.resource_changes:
            if rc.action is Action.CREATE:
                add += 1
            elif rc.action is Action.UPDATE:
                change += 1
            elif rc.action is Action.REPLACE:
                add += 1
                destroy += 1
            elif rc.action is Action.DELETE:
                destroy += 1
            elif rc.action is Action.FORGET:
                forget += 1
        return Summary(add, change, destroy, forget)

    @property
    def has_changes(self) -> bool:
        return self.summary.has_changes

    def changes(self) -> list[ResourceChange]:
        """The resource changes that do something (everything but no-op)."""
        return [rc for rc in self.resource_changes if rc.action is not Action.NOOP]
