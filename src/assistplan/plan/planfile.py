"""Saved plans: write a plan to a file, read it back, and refuse it when it has gone stale.

A saved plan records the state lineage and serial it was made against and a fingerprint (the digest of the
normalized spec) of every remote object it observed. Applying it later is refused when either changed.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Any, NotRequired

from pydantic import TypeAdapter, ValidationError
from typing_extensions import TypedDict  # pydantic reads typing's TypedDict from Python 3.12 on

from assistplan.addrs import Address
from assistplan.errors import PlanError, StalePlanError
from assistplan.plan.model import (
    FORMAT_VERSION,
    Action,
    ActionReason,
    ChangeType,
    Drift,
    FieldChange,
    Plan,
    PlanOptions,
    ResourceChange,
)
from assistplan.reading import read_existing, unreadable_json
from assistplan.state import StateFile

PLANFILE_KIND = "assistplan-plan"


def dump_plan(plan: Plan) -> str:
    body = {"kind": PLANFILE_KIND, "format_version": FORMAT_VERSION, "plan": asdict(plan)}
    return json.dumps(body, indent=1, sort_keys=True, default=str) + "\n"


def save_plan(plan: Plan, path: Path) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(dump_plan(plan), encoding="utf-8")
    except OSError as exc:
        raise PlanError(f"cannot save the plan to {path}: {exc.strerror or exc}") from None


def load_plan(path: Path) -> Plan:
    """The plan saved at `path`; PlanError when the file cannot be read or is not a whole plan of this format, with
    every value of the type `save_plan` writes (nothing else reaches the applier or the renderers)."""
    try:
        data = read_existing(path)
        body = json.loads(data.decode("utf-8"))
    except OSError as exc:
        raise PlanError(f"{path}: cannot read the plan file ({exc.strerror or exc})") from None
    except json.JSONDecodeError as exc:
        raise PlanError(f"{path}:{exc.lineno}:{exc.colno}: not a plan file ({exc.msg})") from None
    except (ValueError, RecursionError) as exc:
        raise PlanError(f"{path}: not a plan file: {unreadable_json(exc)}") from None
    if not isinstance(body, dict) or body.get("kind") != PLANFILE_KIND:
        raise PlanError(f"{path}: not an assistplan plan file")
    if body.get("format_version") != FORMAT_VERSION:
        raise PlanError(
            f"{path}: plan format {body.get('format_version')} is not supported (expected {FORMAT_VERSION})"
        )
    try:
        raw = _PLAN_FILE.validate_json(data, strict=True)["plan"]
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in error['loc'][1:]) or 'plan'}: {error['msg']}"
            for error in exc.errors(include_url=False)[:MAX_PROBLEMS]
        )
        raise PlanError(f"{path}: the plan file is damaged ({problems})") from None
    try:
        return _plan(raw)
    except ValueError as exc:
        raise PlanError(f"{path}: the plan file is damaged ({exc})") from None


MAX_PROBLEMS = 5
"""How many of a damaged plan file's problems its error names."""


class _FieldChangeJSON(TypedDict):
    path: str
    change: ChangeType
    before: NotRequired[Any]
    after: NotRequired[Any]
    forces_replace: NotRequired[bool]


class _ResourceChangeJSON(TypedDict):
    address: str
    kind: str
    name: str
    action: Action
    reason: NotRequired[ActionReason | None]
    remote_id: NotRequired[str | None]
    before: NotRequired[dict[str, Any] | None]
    after: NotRequired[dict[str, Any] | None]
    changes: list[_FieldChangeJSON]
    depends_on: list[str]
    digest: NotRequired[str | None]
    prevent_destroy: NotRequired[bool]
    renews: NotRequired[bool]
    notes: NotRequired[list[str]]
    moved_from: NotRequired[str | None]


class _DriftJSON(TypedDict):
    address: str
    kind: str
    name: str
    remote_id: str | None
    deleted: NotRequired[bool]
    changes: list[_FieldChangeJSON]


class _OptionsJSON(TypedDict):
    destroy: NotRequired[bool]
    refresh_only: NotRequired[bool]
    targets: list[str]
    replace: NotRequired[list[str]]


class _PlanJSON(TypedDict):
    project: str
    resource_changes: list[_ResourceChangeJSON]
    drift: list[_DriftJSON]
    options: _OptionsJSON
    state_lineage: NotRequired[str | None]
    state_serial: NotRequired[int]
    observed: NotRequired[dict[str, str]]
    created_at: NotRequired[str]
    state_rebuilt: NotRequired[bool]


class _PlanFileJSON(TypedDict):
    """What `save_plan` writes. A field with a default in the plan's dataclasses may be missing (a plan saved before
    that field existed); every one present must be of its type."""

    kind: str
    format_version: str
    plan: _PlanJSON


_PLAN_FILE = TypeAdapter(_PlanFileJSON)


def _address(text: str, where: str) -> Address:
    address = Address.spelled(text)
    if address is None:
        raise ValueError(f'{where}: "{text}" is not an address (Kind/name)')
    return address


def _change(raw: _FieldChangeJSON) -> FieldChange:
    return FieldChange(
        raw["path"], raw["change"], raw.get("before"), raw.get("after"), raw.get("forces_replace", False)
    )


def _resource_change(raw: _ResourceChangeJSON, where: str) -> ResourceChange:
    address = _address(raw["address"], f"{where}.address")
    if (raw["kind"], raw["name"]) != (address.kind, address.name):
        raise ValueError(f"{where}: kind and name are not those of {address}")
    moved_from = raw.get("moved_from")
    return ResourceChange(
        address=address,
        kind=raw["kind"],
        name=raw["name"],
        action=raw["action"],
        reason=raw.get("reason"),
        remote_id=raw.get("remote_id"),
        before=raw.get("before"),
        after=raw.get("after"),
        changes=tuple(_change(c) for c in raw["changes"]),
        depends_on=tuple(_address(d, f"{where}.depends_on") for d in raw["depends_on"]),
        digest=raw.get("digest"),
        prevent_destroy=raw.get("prevent_destroy", False),
        renews=raw.get("renews", False),
        notes=tuple(raw.get("notes", ())),
        moved_from=None if moved_from is None else _address(moved_from, f"{where}.moved_from"),
    )


def _drift(raw: _DriftJSON, where: str) -> Drift:
    address = _address(raw["address"], f"{where}.address")
    if (raw["kind"], raw["name"]) != (address.kind, address.name):
        raise ValueError(f"{where}: kind and name are not those of {address}")
    changes = tuple(_change(c) for c in raw["changes"])
    return Drift(address, raw["kind"], raw["name"], raw["remote_id"], raw.get("deleted", False), changes)


def _plan(raw: _PlanJSON) -> Plan:
    options = raw["options"]
    return Plan(
        project=raw["project"],
        resource_changes=tuple(
            _resource_change(rc, f"resource_changes.{number}") for number, rc in enumerate(raw["resource_changes"])
        ),
        drift=tuple(_drift(d, f"drift.{number}") for number, d in enumerate(raw["drift"])),
        options=PlanOptions(
            destroy=options.get("destroy", False),
            refresh_only=options.get("refresh_only", False),
            targets=tuple(_address(t, "options.targets") for t in options["targets"]),
            replace=tuple(_address(t, "options.replace") for t in options.get("replace", ())),
        ),
        state_lineage=raw.get("state_lineage"),
        state_serial=raw.get("state_serial", 0),
        observed=raw.get("observed", {}),
        created_at=raw.get("created_at", ""),
        state_rebuilt=raw.get("state_rebuilt", False),
    )


def check_fresh(plan: Plan, state: StateFile | None, observed: dict[str, str], id_to_address: dict[str, str]) -> None:
    """Raise StalePlanError naming what changed since the plan was made (state, or observed remote objects). A plan
    made with no state file, applied where there is none either (another job of a pipeline, a fresh clone), is
    judged by the live objects it observed alone, as it was made from them."""
    reasons = []
    lineage = state.lineage if state else None
    serial = state.serial if state else 0
    if plan.state_rebuilt and state is None:
        pass
    elif plan.state_lineage is not None and lineage != plan.state_lineage:
        reasons.append(f"the state file is a different one (lineage {lineage}, plan made against {plan.state_lineage})")
    elif serial != plan.state_serial:
        reasons.append(f"the state changed (serial {serial}, plan made against serial {plan.state_serial})")
    for remote_id, fingerprint in plan.observed.items():
        name = id_to_address.get(remote_id, remote_id)
        if remote_id not in observed:
            reasons.append(f"{name} ({remote_id}) no longer exists")
        elif observed[remote_id] != fingerprint:
            reasons.append(f"{name} ({remote_id}) changed")
    for remote_id in sorted(set(observed) - set(plan.observed)):
        reasons.append(f"{id_to_address.get(remote_id, remote_id)} ({remote_id}) appeared")
    if reasons:
        raise StalePlanError("the saved plan is stale: " + "; ".join(reasons) + ". Run `assistplan plan` again.")
