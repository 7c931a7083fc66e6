"""The words and symbols every renderer shares: action names, symbols, reason phrases, the summary line."""

from __future__ import annotations

from typing import Any

CREATE = "create"
UPDATE = "update"
REPLACE = "replace"
DELETE = "delete"
FORGET = "forget"
NOOP = "no-op"

SYMBOLS: dict[str, str] = {CREATE: "+", UPDATE: "~", REPLACE: "-/+", DELETE: "-", FORGET: "."}

LEGEND: dict[str, str] = {
    CREATE: "create",
    UPDATE: "update in-place",
    REPLACE: "replace (create new, then delete old)",
    DELETE: "destroy",
    FORGET: "forget (remove from state only; the remote object is kept)",
}

HEADLINES: dict[str, str] = {
    CREATE: "will be created",
    UPDATE: "will be updated in-place",
    REPLACE: "must be replaced",
    DELETE: "will be destroyed",
    FORGET: "will no longer be managed by assistplan",
}

VERBS: dict[str, str] = {
    CREATE: "create",
    UPDATE: "update in-place",
    REPLACE: "replace",
    DELETE: "destroy",
    FORGET: "forget",
}

_REASONS: dict[str, str] = {
    "new": "it is new in the manifests",
    "manifest_changed": "the manifest changed",
    "secret_changed": "the value of a secret it is given changed",
    "drift": "it was changed outside assistplan",
    "remote_missing": "the remote object no longer exists",
    "removed_from_manifest": "it was removed from the manifests",
    "destroy": "this is a destroy plan",
    "already_gone": "the remote object was already deleted",
    "dependency_replaced": "a resource it refers to will be replaced",
    "duplicate": "another object already has this address (a leftover of an interrupted run)",
    "orphan": "it carries this project's label or file prefix but no address claims it",
    "unused": "nothing in the project uses it any more (an upload no resource needs)",
    "shared": "its file is still used by another resource, so it is only removed from the state",
    "foreign": "it was made outside assistplan and is only referred to, so it is only removed from the state",
    "replace_requested": "its replacement was requested (--replace)",
    "differs": "it differs from the manifest (nothing records what was last applied to it)",
}

ACTION_ORDER: tuple[str, ...] = (CREATE, UPDATE, REPLACE, DELETE, FORGET)

NO_CHANGES = "No changes. Your assistants match the manifests."


def action_of(change: dict[str, Any]) -> str:
    """The single action name of a resource change in the view, decoded from its Terraform-shaped `actions`."""
    actions = change["change"]["actions"]
    if actions == [CREATE, DELETE]:
        return REPLACE
    return str(actions[0])


def reason_phrase(change: dict[str, Any]) -> str | None:
    """Why the action was chosen, as the words after "because"; None when there is nothing to say."""
    reason = change.get("action_reason")
    if reason == "replace_because_cannot_update":
        paths = change["change"]["replace_paths"]
        if not paths:
            return "it cannot be updated in place"
        names = ", ".join(f"`{p}`" for p in paths)
        return f"{names} cannot be updated in place"
    if reason == "moved":
        return f"it moved from `{change.get('previous_address')}`: the object keeps its remote id and is restamped"
    if reason is None:
        return None
    return _REASONS.get(str(reason), str(reason).replace("_", " "))


def headline(change: dict[str, Any]) -> tuple[str, str]:
    """The subject and the rest of a resource change's headline: `Agent/new` `will be created`, or, for an object
    kept at a new address, `Agent/old` `has moved to Agent/new`."""
    action = action_of(change)
    previous = change.get("previous_address")
    if previous and action in (UPDATE, NOOP):
        return str(previous), f"has moved to {change['address']}"
    return str(change["address"]), HEADLINES[action]


def summary_line(summary: dict[str, Any]) -> str:
    """`Plan: 1 to add, 2 to change, 0 to destroy.` with `, N to forget` only when there is something to forget."""
    text = f"Plan: {summary['add']} to add, {summary['change']} to change, {summary['destroy']} to destroy"
    if summary["forget"]:
        text += f", {summary['forget']} to forget"
    return text + "."


def changed(view: dict[str, Any]) -> list[dict[str, Any]]:
    """The resource changes of the view that do something (no-ops left out), in plan order."""
    return [rc for rc in view["resource_changes"] if action_of(rc) != NOOP]


def unchanged_count(view: dict[str, Any]) -> int:
    """How many resources the plan leaves as they are: the no-ops in the view, or those it only counted."""
    listed = sum(1 for rc in view["resource_changes"] if action_of(rc) == NOOP)
    return listed + int(view.get("noop_count", 0))


def actions_used(view: dict[str, Any]) -> list[str]:
    """The actions present in the view, in legend order."""
    present = {action_of(rc) for rc in changed(view)}
    return [a for a in ACTION_ORDER if a in present]


def drift_headline(drift: dict[str, Any]) -> str:
    return "has been deleted" if drift["deleted"] else "has changed"


def targets_note(view: dict[str, Any]) -> str | None:
    """A warning that a targeted plan may leave out changes the manifests ask for; None without targets."""
    targets = view["options"]["targets"]
    if not targets:
        return None
    return (
        f"Resource targeting is in effect ({', '.join(targets)}): this plan may not show every change "
        "the manifests ask for."
    )


def no_changes_message(view: dict[str, Any]) -> str:
    """What to say when the plan does nothing, depending on whether drift was seen and why it is not reverted."""
    drifted = len(view["resource_drift"])
    if not drifted:
        return NO_CHANGES
    objects = "1 object" if drifted == 1 else f"{drifted} objects"
    if view["options"]["refresh_only"]:
        return (
            f"No changes to the assistants. {objects} changed outside assistplan; this is a refresh-only plan, "
            "so nothing will be done to undo the drift."
        )
    return (
        f"No changes. {objects} changed outside assistplan, but in no field that the manifests manage "
        "(the drifted fields are ignored or already match), so there is nothing to change."
    )
