"""The plan view: Terraform-shaped, JSON-ready, in plan order, no-ops included."""

from __future__ import annotations

import json
from dataclasses import replace

from assistplan.plan.model import FORMAT_VERSION, Action, FieldChange, ResourceChange
from assistplan.render import plan_view

from .plans import ADDED, escalation_create, every_action_plan, plan, support_agent_update


def test_view_keeps_plan_order_including_noops() -> None:
    view = plan_view(every_action_plan())
    assert [rc["address"] for rc in view["resource_changes"]] == [
        "File/refund-policy",
        "VectorStore/handbook",
        "VectorStore/archive",
        "Agent/support",
        "Agent/billing",
        "Agent/escalation",
        "Assistant/legacy-triage",
        "Assistant/returns-bot",
    ]


def test_view_uses_terraform_actions() -> None:
    actions = {rc["address"]: rc["change"]["actions"] for rc in plan_view(every_action_plan())["resource_changes"]}
    assert actions["File/refund-policy"] == ["no-op"]
    assert actions["VectorStore/archive"] == ["create", "delete"]
    assert actions["Assistant/returns-bot"] == ["forget"]


def test_view_lists_replace_paths_and_reason() -> None:
    archive = plan_view(every_action_plan())["resource_changes"][2]
    assert archive["change"]["replace_paths"] == ["chunking.max_chunk_size_tokens", "description"]
    assert archive["action_reason"] == "replace_because_cannot_update"


def test_view_summary_counts_replace_as_add_and_destroy() -> None:
    assert plan_view(every_action_plan())["summary"] == {
        "add": 2,
        "change": 3,
        "destroy": 2,
        "forget": 1,
        "has_changes": True,
    }


def test_view_has_format_version_project_options_and_commit() -> None:
    view = plan_view(every_action_plan(), commit="9c1e5d0")
    assert view["format_version"] == FORMAT_VERSION
    assert view["project"] == "acme-support"
    assert view["options"] == {"destroy": False, "refresh_only": False, "targets": []}
    assert view["commit"] == "9c1e5d0"


def test_view_reports_drift_apart_from_changes() -> None:
    drift = plan_view(every_action_plan())["resource_drift"]
    assert [(d["address"], d["deleted"], d["changed_paths"]) for d in drift] == [
        ("Agent/billing", False, ["metadata.edited_by", "model"]),
        ("VectorStore/scratch", True, []),
    ]


def test_view_turns_tuples_and_sets_into_lists() -> None:
    change = ResourceChange(
        "Agent/a",
        "Agent",
        "a",
        Action.UPDATE,
        after={"tags": ("b", "a"), "ids": frozenset({2, 1})},
        changes=(FieldChange("tags", ADDED, None, ("b", "a")),),
    )
    view = plan_view(plan(change))
    assert view["resource_changes"][0]["change"]["after"] == {"tags": ["b", "a"], "ids": [1, 2]}
    assert json.loads(json.dumps(view)) == view


def test_view_carries_notes_only_on_changes_that_have_some() -> None:
    note = "reaches EnvironmentTemplate/etl at its next session start"
    noted = replace(support_agent_update(), notes=(note,))

    view = plan_view(plan(noted, escalation_create()))

    assert [rc.get("notes") for rc in view["resource_changes"]] == [[note], None]
