"""Saved plans: write a plan to a file, read it back, and refuse it when it has gone stale.

A saved plan records the state lineage and serial it was made against and a fingerprint (the digest of the
normalized spec) of every remote object it observed. Applying it later is refused when either changed.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

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
from assistplan.state import StateFile

PLANFILE_KIND = "assistplan-plan"


def dump_plan(plan: Plan) -> str:
    body = {"kind": PLANFILE_KIND, "format_version": FORMAT_VERSION, "plan": asdict(plan)}
    return json.dumps(body, indent=1, sort_keys=True, default=str) + "\n"


def save_plan(plan: Plan, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(dump_plan(plan), encoding="utf-8")


def load_plan(path: Path) -> Plan:
    try:
        body = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise PlanError(f"{path}: cannot read the plan file ({exc})") from None
    except json.JSONDecodeError as exc:
        raise PlanError(f"{path}:{exc.lineno}:{exc.colno}: not a plan file ({exc.msg})") from None
    if not isinstance(body, dict) or body.get("kind") != PLANFILE_KIND:
        raise PlanError(f"{path}: not an assistplan plan file")
    if body.get("format_version") != FORMAT_VERSION:
        raise PlanError(
            f"{path}: plan format {body.get('format_version')} is not supported (expected {FORMAT_VERSION})"
        )
    try:
        return _plan(body["plan"])
    except (KeyError, TypeError, ValueError) as exc:
        raise PlanError(f"{path}: the plan file is damaged ({exc})") from None


def _change(raw: dict[str, Any]) -> FieldChange:
    return FieldChange(**{**raw, "change": ChangeType(raw["change"])})


def _plan(raw: dict[str, Any]) -> Plan:
    changes = tuple(
        ResourceChange(
            **{
                **rc,
                "action": Action(rc["action"]),
                "reason": ActionReason(rc["reason"]) if rc.get("reason") else None,
                "changes": tuple(_change(c) for c in rc["changes"]),
                "address": Address.of(rc["address"]),
                "depends_on": tuple(Address.of(d) for d in rc["depends_on"]),
                "notes": tuple(rc.get("notes", ())),
                "moved_from": Address.of(rc["moved_from"]) if rc.get("moved_from") else None,
            }
        )
        for rc in raw["resource_changes"]
    )
    drift = tuple(
        Drift(**{**d, "address": Address.of(d["address"]), "changes": tuple(_change(c) for c in d["changes"])})
        for d in raw["drift"]
    )
    options = PlanOptions(
        **{
            **raw["options"],
            "targets": tuple(Address.of(t) for t in raw["options"]["targets"]),
            "replace": tuple(Address.of(t) for t in raw["options"].get("replace", ())),
        }
    )
    return Plan(**{**raw, "resource_changes": changes, "drift": drift, "options": options})


def check_fresh(plan: Plan, state: StateFile | None, observed: dict[str, str], id_to_address: dict[str, str]) -> None:
    """Raise StalePlanError naming what changed since the plan was made (state, or observed remote objects)."""
    reasons = []
    lineage = state.lineage if state else None
    serial = state.serial if state else 0
    if plan.state_lineage is not None and lineage != plan.state_lineage:
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
