"""FlowiseTool: schema rows from the Function, the marker in the code, lifecycle, drift and name collisions."""

from __future__ import annotations

import json

from .conftest import FlowiseProject

FUNCTION = """\
kind: Function
name: get_order_status
description: Look up the shipping status of an order.
parameters:
  type: object
  properties:
    order_id: {type: string, description: The order number.}
    verbose: {type: boolean}
  required: [order_id]
  additionalProperties: false
"""

TOOL = """\
kind: FlowiseTool
name: order_status
function: get_order_status
code_file: tools/order_status.js
color: "#4caf50"
"""

CODE = "const id = $order_id;\nreturn JSON.stringify({ id, status: 'shipped' });\n"


def write_tool(project: FlowiseProject) -> None:
    project.write("functions.yaml", FUNCTION)
    project.write("tools.yaml", TOOL)
    project.write("tools/order_status.js", CODE)


def live_tool(project: FlowiseProject) -> dict:
    with project.api() as api:
        return api.get(f"/tools/{project.remote_id('FlowiseTool/order_status')}").json()


def test_the_tool_gets_the_functions_description_and_rows_and_the_code(fproject: FlowiseProject) -> None:
    write_tool(fproject)

    fproject.apply()

    tool = live_tool(fproject)
    assert (tool["name"], tool["description"], tool["color"]) == (
        "order_status",
        "Look up the shipping status of an order.",
        "#4caf50",
    )
    assert json.loads(tool["schema"]) == [
        {"id": 0, "property": "order_id", "type": "string", "description": "The order number.", "required": True},
        {"id": 1, "property": "verbose", "type": "boolean", "description": "", "required": False},
    ]
    assert tool["func"].startswith("/* assistplan: project=flowise-test address=FlowiseTool/order_status digest=")
    assert tool["func"].endswith("*/\n" + CODE)
    assert "No changes." in fproject.ok("plan").output


def test_a_changed_function_description_updates_only_the_description(fproject: FlowiseProject) -> None:
    write_tool(fproject)
    fproject.apply()
    fproject.edit("functions.yaml", "shipping status of an order", "delivery status of an order")

    assert fproject.changes() == {"FlowiseTool/order_status": (["update"], ["description"])}
    fproject.apply()

    assert live_tool(fproject)["description"] == "Look up the delivery status of an order."
    assert "No changes." in fproject.ok("plan").output


def test_a_changed_code_file_updates_only_the_code(fproject: FlowiseProject) -> None:
    write_tool(fproject)
    fproject.apply()
    fproject.write("tools/order_status.js", CODE.replace("shipped", "delivered"))

    assert fproject.changes() == {"FlowiseTool/order_status": (["update"], ["code"])}
    fproject.apply()

    assert "delivered" in live_tool(fproject)["func"]


def test_a_new_required_argument_updates_the_rows(fproject: FlowiseProject) -> None:
    write_tool(fproject)
    fproject.apply()
    fproject.edit("functions.yaml", "required: [order_id]", "required: [order_id, verbose]")

    assert fproject.changes() == {"FlowiseTool/order_status": (["update"], ["schema[1].required"])}


def test_without_a_color_the_tool_keeps_the_one_it_has(fproject: FlowiseProject) -> None:
    write_tool(fproject)
    fproject.edit("tools.yaml", 'color: "#4caf50"\n', "")
    fproject.apply()
    assert live_tool(fproject)["color"].startswith("linear-gradient(")
    with fproject.api() as api:
        api.put(f"/tools/{fproject.remote_id('FlowiseTool/order_status')}", json={"color": "red"}).raise_for_status()

    assert fproject.changes() == {}


def test_removing_the_manifest_deletes_the_tool(fproject: FlowiseProject) -> None:
    write_tool(fproject)
    fproject.apply()
    tool_id = fproject.remote_id("FlowiseTool/order_status")
    (fproject.root / "tools.yaml").unlink()

    assert fproject.changes() == {"FlowiseTool/order_status": (["delete"], [])}
    fproject.apply()

    with fproject.api() as api:
        assert tool_id not in {t["id"] for t in api.get("/tools").json()}


def test_code_edited_through_the_api_is_drift_and_apply_restores_it(fproject: FlowiseProject) -> None:
    write_tool(fproject)
    fproject.apply()
    tool = live_tool(fproject)
    with fproject.api() as api:
        api.put(f"/tools/{tool['id']}", json={"func": tool["func"] + "// edited\n"}).raise_for_status()

    view = fproject.plan_json()

    assert [(d["address"], d["changed_paths"]) for d in view["resource_drift"]] == [
        ("FlowiseTool/order_status", ["code"])
    ]
    fproject.apply()
    assert live_tool(fproject)["func"] == tool["func"]


def test_a_lost_state_file_is_rebuilt_from_the_mark_in_the_code(fproject: FlowiseProject) -> None:
    write_tool(fproject)
    fproject.apply()
    tool_id = fproject.remote_id("FlowiseTool/order_status")
    fproject.state_path.unlink()

    assert "No changes." in fproject.ok("plan").output
    assert fproject.remote_id("FlowiseTool/order_status") == tool_id


def test_a_tool_of_the_same_name_that_the_project_does_not_own_is_an_error(fproject: FlowiseProject) -> None:
    with fproject.api() as api:
        other = api.post(
            "/tools", json={"name": "order_status", "description": "x", "color": "red", "schema": "[]", "func": ""}
        ).json()
    write_tool(fproject)

    result = fproject.run("apply", "--auto-approve")

    assert result.exit_code == 1
    assert f"`assistplan import FlowiseTool/order_status {other['id']}`" in result.output
    with fproject.api() as api:
        assert [t["id"] for t in api.get("/tools").json()] == [other["id"]]


def test_import_marks_the_tool_and_the_next_apply_takes_it_over(fproject: FlowiseProject) -> None:
    with fproject.api() as api:
        other = api.post(
            "/tools", json={"name": "order_status", "description": "x", "color": "red", "schema": "[]", "func": CODE}
        ).json()
    write_tool(fproject)

    fproject.ok("import", "FlowiseTool/order_status", other["id"])

    assert live_tool(fproject)["func"].startswith(
        "/* assistplan: project=flowise-test address=FlowiseTool/order_status"
    )
    assert fproject.changes() == {
        "FlowiseTool/order_status": (["update"], ["color", "description", "schema[0]", "schema[1]"])
    }
    fproject.apply()
    assert live_tool(fproject)["id"] == other["id"]
    assert "No changes." in fproject.ok("plan").output
