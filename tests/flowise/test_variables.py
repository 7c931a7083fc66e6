"""FlowiseVariable: its lifecycle against a real Flowise, drift made through the API, and lost state."""

from __future__ import annotations

from .conftest import FlowiseProject

VARIABLES = """\
kind: FlowiseVariable
name: support_email
value: support@acme.example
---
kind: FlowiseVariable
name: ORDERS_API_URL
type: runtime
"""


def live_variables(project: FlowiseProject) -> dict[str, tuple[str, str]]:
    with project.api() as api:
        return {v["name"]: (v["type"], v["value"]) for v in api.get("/variables").json()}


def test_apply_creates_the_variables_and_a_second_plan_has_no_changes(fproject: FlowiseProject) -> None:
    fproject.write("variables.yaml", VARIABLES)

    fproject.apply()

    assert live_variables(fproject) == {
        "support_email": ("static", "support@acme.example"),
        "ORDERS_API_URL": ("runtime", ""),
    }
    assert "No changes." in fproject.ok("plan").output


def test_an_edited_value_updates_exactly_that_field(fproject: FlowiseProject) -> None:
    fproject.write("variables.yaml", VARIABLES)
    fproject.apply()
    variable_id = fproject.remote_id("FlowiseVariable/support_email")
    fproject.edit("variables.yaml", "support@acme.example", "help@acme.example")

    assert fproject.changes() == {"FlowiseVariable/support_email": (["update"], ["value"])}
    fproject.apply()

    assert live_variables(fproject)["support_email"] == ("static", "help@acme.example")
    assert fproject.remote_id("FlowiseVariable/support_email") == variable_id
    assert "No changes." in fproject.ok("plan").output


def test_a_removed_manifest_deletes_the_variable(fproject: FlowiseProject) -> None:
    fproject.write("variables.yaml", VARIABLES)
    fproject.apply()
    fproject.write("variables.yaml", VARIABLES.split("---\n")[1])

    assert fproject.changes() == {"FlowiseVariable/support_email": (["delete"], [])}
    fproject.apply()

    assert set(live_variables(fproject)) == {"ORDERS_API_URL"}
    assert "FlowiseVariable/support_email" not in fproject.state()["resources"]


def test_a_value_changed_through_the_api_is_drift(fproject: FlowiseProject) -> None:
    fproject.write("variables.yaml", VARIABLES)
    fproject.apply()
    variable_id = fproject.remote_id("FlowiseVariable/support_email")
    with fproject.api() as api:
        api.put(f"/variables/{variable_id}", json={"value": "edited@acme.example"}).raise_for_status()

    view = fproject.plan_json()

    assert [(d["address"], d["changed_paths"]) for d in view["resource_drift"]] == [
        ("FlowiseVariable/support_email", ["value"])
    ]
    fproject.apply()
    assert live_variables(fproject)["support_email"] == ("static", "support@acme.example")


def test_a_variable_deleted_through_the_api_is_created_again(fproject: FlowiseProject) -> None:
    fproject.write("variables.yaml", VARIABLES)
    fproject.apply()
    with fproject.api() as api:
        api.delete(f"/variables/{fproject.remote_id('FlowiseVariable/support_email')}").raise_for_status()

    assert fproject.changes() == {"FlowiseVariable/support_email": (["create"], [])}


def test_a_variable_of_the_same_name_that_the_project_does_not_own_is_an_error(fproject: FlowiseProject) -> None:
    with fproject.api() as api:
        other = api.post("/variables", json={"name": "support_email", "value": "x", "type": "static"}).json()
    fproject.write("variables.yaml", VARIABLES)

    result = fproject.run("plan")

    assert result.exit_code == 1
    assert "Flowise already has a variable named 'support_email'" in result.output
    assert f"assistplan import FlowiseVariable/support_email {other['id']}" in result.output
    assert live_variables(fproject)["support_email"] == ("static", "x")


def test_import_adopts_an_existing_variable(fproject: FlowiseProject) -> None:
    with fproject.api() as api:
        other = api.post("/variables", json={"name": "support_email", "value": "old", "type": "static"}).json()
    fproject.write("variables.yaml", VARIABLES)

    fproject.ok("import", "FlowiseVariable/support_email", other["id"])

    assert fproject.changes() == {
        "FlowiseVariable/support_email": (["update"], ["value"]),
        "FlowiseVariable/ORDERS_API_URL": (["create"], []),
    }
