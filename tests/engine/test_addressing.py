"""Commands that act on one address, through the command: plan/apply --replace, destroy --target, output ADDR."""

from __future__ import annotations

import json
from typing import Any

from conftest import Project

STORE = "VectorStore/handbook"
ASSISTANT = "Assistant/support"
AGENT = "Agent/support-agent"


def applied(project: Project) -> None:
    result = project.run("apply", "--auto-approve")
    assert result.exit_code == 0, result.output


def ids(project: Project) -> dict[str, str]:
    return {address: entry["id"] for address, entry in project.state()["resources"].items()}


def actions(output: str) -> dict[str, tuple[list[str], str | None]]:
    view: dict[str, Any] = json.loads(output)
    return {
        rc["address"]: (rc["change"]["actions"], rc["action_reason"])
        for rc in view["resource_changes"]
        if rc["change"]["actions"] != ["no-op"]
    }


def test_plan_replace_plans_the_replacement_and_repoints_dependents(project: Project) -> None:
    applied(project)

    result = project.run("plan", "--replace", STORE, "--format", "json")

    assert result.exit_code == 0, result.output
    assert actions(result.output) == {
        STORE: (["create", "delete"], "replace_requested"),
        ASSISTANT: (["update"], "dependency_replaced"),
    }


def test_the_text_plan_says_the_replacement_was_requested(project: Project) -> None:
    applied(project)

    result = project.run("plan", "--replace", AGENT)

    assert "# Agent/support-agent must be replaced" in result.output
    assert "# (because its replacement was requested (--replace))" in result.output


def test_apply_replace_gives_a_new_id_and_deletes_the_old_object(project: Project) -> None:
    applied(project)
    old_id = ids(project)[AGENT]

    result = project.run("apply", "--replace", AGENT, "--auto-approve")

    assert result.exit_code == 0, result.output
    assert "Resources: 1 added, 0 changed, 1 destroyed." in result.output
    assert ids(project)[AGENT] != old_id
    assert old_id not in [agent.id for agent in project.client().beta.agents.list()]
    assert "No changes." in project.run("plan").output


def test_replace_of_an_address_not_in_the_manifests_fails(project: Project) -> None:
    applied(project)

    result = project.run("plan", "--replace", "Agent/nope")

    assert result.exit_code == 1
    assert "--replace Agent/nope: no such resource in the manifests" in result.output


def test_replace_with_a_saved_plan_is_refused(project: Project, tmp_path: Any) -> None:
    applied(project)
    project.run("plan", "--out", str(tmp_path / "saved.plan"))

    result = project.run("apply", str(tmp_path / "saved.plan"), "--replace", AGENT)

    assert result.exit_code == 1
    assert "--replace would plan anew: a saved PLANFILE is applied exactly as it was planned" in result.output


def test_destroy_target_destroys_that_resource_and_what_depends_on_it(project: Project) -> None:
    applied(project)
    before = ids(project)

    result = project.run("destroy", "--target", STORE, "--auto-approve")

    assert result.exit_code == 0, result.output
    assert "Plan: 0 to add, 0 to change, 2 to destroy." in result.output
    assert "# VectorStore/handbook will be destroyed" in result.output
    assert "# Assistant/support will be destroyed" in result.output
    assert sorted(ids(project)) == ["Agent/support-agent", "File/price-list"]
    assert ids(project)[AGENT] == before[AGENT]


def test_destroy_target_asks_about_the_objects_listed(project: Project) -> None:
    applied(project)

    result = project.run("destroy", "--target", AGENT, input="no\n")

    assert result.exit_code == 1
    assert "# Agent/support-agent will be destroyed" in result.output
    assert "Plan: 0 to add, 0 to change, 1 to destroy." in result.output


def test_destroy_target_of_an_unknown_address_fails(project: Project) -> None:
    applied(project)

    result = project.run("destroy", "--target", "Agent/nope", "--auto-approve")

    assert result.exit_code == 1
    assert "--target Agent/nope: no such resource" in result.output
    assert AGENT in ids(project)


def test_output_address_prints_its_remote_id_alone(project: Project) -> None:
    applied(project)

    result = project.run("output", AGENT)

    assert result.exit_code == 0, result.output
    assert result.output == ids(project)[AGENT] + "\n"


def test_output_address_as_json_is_a_json_string(project: Project) -> None:
    applied(project)

    result = project.run("output", AGENT, "--format", "json")

    assert json.loads(result.output) == ids(project)[AGENT]


def test_output_of_an_unknown_address_fails_naming_it(project: Project) -> None:
    applied(project)

    result = project.run("output", "Agent/nope")

    assert result.exit_code == 1
    assert "Agent/nope is not in the state" in result.output


def test_output_of_a_malformed_address_fails(project: Project) -> None:
    applied(project)

    result = project.run("output", "support-agent")

    assert result.exit_code == 1
    assert "expected Kind/name" in result.output
