"""Renaming a resource with `moved_from` (and `state mv`) keeps its remote object, through the command."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from conftest import Project

AGENT = "Agent/support-agent"
MOVED = "Agent/helpdesk"


def applied(project: Project) -> None:
    result = project.run("apply", "--auto-approve")
    assert result.exit_code == 0, result.output


def agent_id(project: Project, address: str = AGENT) -> str:
    return str(project.state()["resources"][address]["id"])


def rename(project: Project, *, moved_from: bool = True) -> None:
    """Rename the Agent in its manifest, saying where it moved from (or not, for `state mv`)."""
    moved = "\nmoved_from: Agent/support-agent" if moved_from else ""
    project.edit("stack.yaml", "name: support-agent", f"name: helpdesk{moved}")


def plan_json(project: Project) -> dict[str, Any]:
    result = project.run("plan", "--format", "json")
    assert result.exit_code == 0, result.output
    return dict(json.loads(result.output))


def changed(view: dict[str, Any]) -> list[tuple[str, list[str], str | None, str | None, list[str]]]:
    return [
        (
            rc["address"],
            rc["change"]["actions"],
            rc.get("previous_address"),
            rc["remote_id"],
            rc["change"]["changed_paths"],
        )
        for rc in view["resource_changes"]
        if rc["change"]["actions"] != ["no-op"]
    ]


@pytest.mark.parametrize("state", ["with the state", "without the state"])
def test_a_renamed_agent_is_planned_as_a_move_that_updates_its_name(project: Project, state: str) -> None:
    applied(project)
    old_id = agent_id(project)
    rename(project)
    if state == "without the state":
        project.state_path.unlink()

    assert changed(plan_json(project)) == [(MOVED, ["update"], AGENT, old_id, ["name"])]


@pytest.mark.parametrize("state", ["with the state", "without the state"])
def test_a_renamed_agent_keeps_its_id_through_apply(project: Project, state: str) -> None:
    applied(project)
    old_id = agent_id(project)
    rename(project)
    if state == "without the state":
        project.state_path.unlink()

    result = project.run("apply", "--auto-approve")

    assert result.exit_code == 0, result.output
    assert "Resources: 0 added, 1 changed, 0 destroyed." in result.output
    assert agent_id(project, MOVED) == old_id
    assert AGENT not in project.state()["resources"]
    agent = project.client().beta.agents.retrieve(old_id)
    assert (agent.name, (agent.metadata or {})["assistplan:address"]) == ("helpdesk", MOVED)


@pytest.mark.parametrize("state", ["with the state", "without the state"])
def test_after_a_move_the_plan_has_no_changes(project: Project, state: str) -> None:
    applied(project)
    rename(project)
    applied(project)
    if state == "without the state":
        project.state_path.unlink()

    result = project.run("plan", "--detailed-exitcode")

    assert result.exit_code == 0, result.output
    assert "No changes." in result.output


def test_the_text_plan_says_where_the_object_moved(project: Project) -> None:
    applied(project)
    rename(project)

    result = project.run("plan")

    assert "# Agent/support-agent has moved to Agent/helpdesk" in result.output
    assert "Plan: 0 to add, 1 to change, 0 to destroy." in result.output


def test_an_agent_with_a_display_name_moves_without_changing_a_field(project: Project) -> None:
    project.edit("stack.yaml", "name: support-agent", "name: support-agent\ndisplay_name: Support")
    applied(project)
    old_id = agent_id(project)
    rename(project)

    view = plan_json(project)
    applied(project)

    assert changed(view) == [(MOVED, ["update"], AGENT, old_id, [])]
    assert (project.client().beta.agents.retrieve(old_id).metadata or {})["assistplan:address"] == MOVED


def test_a_saved_plan_with_a_move_applies_it(project: Project, tmp_path: Path) -> None:
    applied(project)
    old_id = agent_id(project)
    rename(project)
    project.run("plan", "--out", str(tmp_path / "move.plan"))

    result = project.run("apply", str(tmp_path / "move.plan"))

    assert result.exit_code == 0, result.output
    assert agent_id(project, MOVED) == old_id
    assert AGENT not in project.state()["resources"]


def test_moved_from_an_address_still_declared_is_refused(project: Project) -> None:
    applied(project)
    project.write(
        "more.yaml",
        """\
        kind: Agent
        name: helpdesk
        model: gpt-5
        moved_from: Agent/support-agent
        """,
    )

    result = project.run("plan")

    assert result.exit_code == 1
    assert "Agent/support-agent is still declared in the manifests" in result.output


def test_state_mv_records_the_object_under_the_new_address(project: Project) -> None:
    applied(project)
    old_id = agent_id(project)

    result = project.run("state", "mv", AGENT, MOVED)

    assert result.exit_code == 0, result.output
    assert agent_id(project, MOVED) == old_id
    assert AGENT not in project.state()["resources"]


def test_after_state_mv_and_a_rename_the_apply_restamps_the_same_object(project: Project) -> None:
    applied(project)
    old_id = agent_id(project)
    project.run("state", "mv", AGENT, MOVED)
    rename(project, moved_from=False)

    view = plan_json(project)
    applied(project)

    assert changed(view) == [(MOVED, ["update"], AGENT, old_id, ["name"])]
    assert (project.client().beta.agents.retrieve(old_id).metadata or {})["assistplan:address"] == MOVED


def test_state_mv_of_an_unrecorded_address_fails(project: Project) -> None:
    applied(project)

    result = project.run("state", "mv", "Agent/nope", MOVED)

    assert result.exit_code == 1
    assert "Agent/nope is not in the state" in result.output


def test_state_mv_to_another_kind_fails(project: Project) -> None:
    applied(project)

    result = project.run("state", "mv", AGENT, "Assistant/support")

    assert result.exit_code == 1
    assert "an object keeps its kind" in result.output


def test_state_mv_onto_an_address_in_use_fails(project: Project) -> None:
    project.write("more.yaml", "kind: Agent\nname: helpdesk\nmodel: gpt-5\n")
    applied(project)

    result = project.run("state", "mv", AGENT, MOVED)

    assert result.exit_code == 1
    assert "Agent/helpdesk is already in the state" in result.output


def test_a_plan_that_cannot_be_saved_is_an_error_naming_the_path(project: Project, tmp_path: Path) -> None:
    (tmp_path / "file").write_text("")

    result = project.run("plan", "--out", str(tmp_path / "file" / "saved.plan"))

    assert result.exit_code == 1
    assert f"cannot save the plan to {tmp_path / 'file' / 'saved.plan'}" in result.output
    assert "Traceback" not in result.output


def test_renaming_a_referenced_resource_shows_no_drift_in_what_refers_to_it(project: Project) -> None:
    applied(project)
    project.edit("stack.yaml", "name: handbook\n", "name: knowledge\nmoved_from: VectorStore/handbook\n")
    project.edit("stack.yaml", "file_search: {vector_store: handbook}", "file_search: {vector_store: knowledge}")

    view = plan_json(project)

    assert view["resource_drift"] == []
    assert [rc[0] for rc in changed(view)] == ["VectorStore/knowledge"]
