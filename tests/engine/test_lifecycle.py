"""The full lifecycle through the command: apply, no changes, one-field edits, removal, destroy."""

from __future__ import annotations

from conftest import Project


def applied(project: Project) -> None:
    result = project.run("apply", "--auto-approve")
    assert result.exit_code == 0, result.output
    assert "Apply complete!" in result.output


def test_first_apply_creates_every_resource(project: Project) -> None:
    result = project.run("apply", "--auto-approve")

    assert result.exit_code == 0, result.output
    assert "Plan: 4 to add, 0 to change, 0 to destroy." in result.output
    assert "Resources: 4 added, 0 changed, 0 destroyed." in result.output
    assert sorted(project.state()["resources"]) == [
        "Agent/support-agent",
        "Assistant/support",
        "File/price-list",
        "VectorStore/handbook",
    ]


def test_plan_after_apply_has_no_changes(project: Project) -> None:
    applied(project)

    result = project.run("plan", "--detailed-exitcode")

    assert result.exit_code == 0, result.output
    assert "No changes." in result.output


def test_editing_one_field_updates_exactly_that_field(project: Project) -> None:
    applied(project)
    project.edit(
        "stack.yaml", "instructions: You are the support agent of Acme.", "instructions: You help Acme's buyers."
    )

    result = project.run("plan", "--format", "json", "--detailed-exitcode")

    assert result.exit_code == 2, result.output
    import json

    view = json.loads(result.output)
    changed = [rc for rc in view["resource_changes"] if rc["change"]["actions"] != ["no-op"]]
    assert [(rc["address"], rc["change"]["actions"], rc["change"]["changed_paths"]) for rc in changed] == [
        ("Agent/support-agent", ["update"], ["instructions"])
    ]


def test_update_then_plan_has_no_changes(project: Project) -> None:
    applied(project)
    project.edit("stack.yaml", "Be brief.", "Be brief and kind.")
    applied(project)

    result = project.run("plan", "--detailed-exitcode")

    assert result.exit_code == 0, result.output


def test_removing_a_resource_deletes_it(project: Project) -> None:
    applied(project)
    agent_id = project.state()["resources"]["Agent/support-agent"]["id"]
    stack = project.root / "stack.yaml"
    stack.write_text(
        stack.read_text().split("---\nkind: Agent")[0] + "---\nkind: File\nname: price-list\npath: data/prices.csv\n"
    )

    result = project.run("apply", "--auto-approve")

    assert result.exit_code == 0, result.output
    assert "Plan: 0 to add, 0 to change, 1 to destroy." in result.output
    assert "Agent/support-agent" not in project.state()["resources"]
    assert agent_id not in [a.id for a in project.client().beta.agents.list()]


def test_destroy_deletes_everything_the_project_owns(project: Project) -> None:
    applied(project)

    result = project.run("destroy", "--auto-approve")

    assert result.exit_code == 0, result.output
    client = project.client()
    assert list(client.beta.agents.list()) == []
    assert list(client.beta.assistants.list()) == []
    assert list(client.vector_stores.list()) == []
    assert list(client.files.list()) == []
    assert project.state()["resources"] == {}


def test_apply_without_a_terminal_needs_auto_approve(project: Project) -> None:
    result = project.run("apply")

    assert result.exit_code == 1
    assert "--auto-approve" in result.output
    assert list(project.client().beta.agents.list()) == []
