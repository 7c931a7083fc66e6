"""FlowiseChatflow against a real Flowise: nodes expanded into the flow the editor draws, drift, normalization, and
flows exported from Flowise's marketplace round-tripping through `flow_file:`."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from .conftest import (
    GET_ORDER_STATUS,
    OPENAI_CREDENTIAL,
    SECRET_ENV,
    SUPPORT_ASSISTANT,
    SUPPORT_OPENAI,
    FlowiseProject,
    documents,
    order_status_tool,
)

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

MARKETPLACE = Path(__file__).parent / "marketplace-chatflows"
ADDRESS = "FlowiseChatflow/support-bot"

RESOURCES = documents(
    GET_ORDER_STATUS, SUPPORT_ASSISTANT, OPENAI_CREDENTIAL, order_status_tool("order_status"), SUPPORT_OPENAI
)

CHATFLOW = """\
kind: FlowiseChatflow
name: support-bot
nodes:
  assistant:
    node: openAIAssistant
    inputs:
      selectedAssistant: support-openai
      tools: [order_status_tool]
      toolChoice: auto
  order_status_tool:
    node: customTool
    inputs: {selectedTool: order_status}
  model:
    node: chatOpenAI
    credential: openai
    inputs: {modelName: gpt-4o-mini, temperature: 0.2}
"""


@pytest.fixture
def project(fproject: FlowiseProject, monkeypatch: pytest.MonkeyPatch) -> FlowiseProject:
    monkeypatch.setenv(SECRET_ENV, "sk-flowise-test")
    fproject.write("resources.yaml", RESOURCES)
    fproject.write("chatflow.yaml", CHATFLOW)
    return fproject


def live_chatflow(project: FlowiseProject, address: str = ADDRESS) -> dict[str, Any]:
    with project.api() as api:
        raw = api.get(f"/chatflows/{project.remote_id(address)}").json()
    return {**raw, "flowData": json.loads(raw["flowData"])}


def put_flow(project: FlowiseProject, flow: dict[str, Any], address: str = ADDRESS) -> None:
    with project.api() as api:
        api.put(f"/chatflows/{project.remote_id(address)}", json={"flowData": json.dumps(flow)}).raise_for_status()


def node(flow: dict[str, Any], node_id: str) -> dict[str, Any]:
    return next(item for item in flow["nodes"] if item["id"] == node_id)


def no_changes(project: FlowiseProject) -> None:
    assert "No changes." in project.ok("plan").output
    project.state_path.unlink()
    assert "No changes." in project.ok("plan").output


def test_the_nodes_are_expanded_into_the_flow_the_editor_draws(project: FlowiseProject) -> None:
    project.apply()

    chatflow = live_chatflow(project)
    flow = chatflow["flowData"]
    assistant = node(flow, "assistant")["data"]
    tool = node(flow, "order_status_tool")["data"]
    model = node(flow, "model")["data"]
    assert (chatflow["type"], chatflow["name"]) == ("CHATFLOW", "support-bot")
    assert (assistant["name"], assistant["version"], assistant["category"]) == ("openAIAssistant", 4, "Agents")
    assert assistant["inputs"]["selectedAssistant"] == project.remote_id("FlowiseAssistant/support-openai")
    assert assistant["inputs"]["tools"] == ["{{order_status_tool.data.instance}}"]
    assert assistant["inputs"]["parallelToolCalls"] is True
    assert [anchor["id"] for anchor in assistant["inputAnchors"]] == [
        "assistant-input-tools-Tool",
        "assistant-input-inputModeration-Moderation",
    ]
    assert tool["inputs"]["selectedTool"] == project.remote_id("FlowiseTool/order_status")
    assert model["credential"] == project.remote_id("FlowiseCredential/openai")
    assert model["inputParams"][0]["id"] == "model-input-credential-credential"
    assert flow["edges"] == [
        {
            "source": "order_status_tool",
            "sourceHandle": "order_status_tool-output-customTool-CustomTool|Tool|StructuredTool|Runnable",
            "target": "assistant",
            "targetHandle": "assistant-input-tools-Tool",
            "type": "buttonedge",
            "id": "order_status_tool-order_status_tool-output-customTool-CustomTool|Tool|StructuredTool|Runnable"
            "-assistant-assistant-input-tools-Tool",
        }
    ]
    assert node(flow, "order_status_tool")["position"]["x"] < node(flow, "assistant")["position"]["x"]
    digest = project.state()["resources"][ADDRESS]["digest"]
    assert flow["assistplan"] == {"project": "flowise-test", "address": ADDRESS, "digest": digest}


def test_an_applied_chatflow_plans_no_changes_with_and_without_the_state(project: FlowiseProject) -> None:
    project.apply()

    no_changes(project)


def test_an_edited_input_updates_exactly_that_input(project: FlowiseProject) -> None:
    project.apply()
    project.edit("chatflow.yaml", "toolChoice: auto", "toolChoice: required")

    assert project.changes() == {ADDRESS: (["update"], ["nodes.assistant.inputs.toolChoice"])}
    project.apply()

    assert node(live_chatflow(project)["flowData"], "assistant")["data"]["inputs"]["toolChoice"] == "required"
    no_changes(project)


def test_an_input_edited_in_flowise_is_drift_of_that_input(project: FlowiseProject) -> None:
    project.apply()
    flow = live_chatflow(project)["flowData"]
    node(flow, "model")["data"]["inputs"]["temperature"] = 0.9
    put_flow(project, flow)

    view = project.plan_json()

    assert [(d["address"], d["changed_paths"]) for d in view["resource_drift"]] == [
        (ADDRESS, ["nodes.model.inputs.temperature"])
    ]
    project.apply()
    assert node(live_chatflow(project)["flowData"], "model")["data"]["inputs"]["temperature"] == 0.2


def test_moving_nodes_and_the_viewport_in_the_editor_makes_no_diff(project: FlowiseProject) -> None:
    project.apply()
    flow = live_chatflow(project)["flowData"]
    for item in flow["nodes"]:
        item.update(position={"x": 7, "y": 9}, selected=True, dragging=True, width=300, height=419)
        item["data"]["selected"] = True
    flow["viewport"] = {"x": -120, "y": 40, "zoom": 0.7}
    put_flow(project, flow)

    no_changes(project)


def test_an_update_keeps_the_nodes_where_they_were_drawn(project: FlowiseProject) -> None:
    project.apply()
    flow = live_chatflow(project)["flowData"]
    node(flow, "assistant")["position"] = {"x": 1234, "y": 56}
    put_flow(project, flow)
    project.edit("chatflow.yaml", "toolChoice: auto", "toolChoice: required")

    project.apply()

    assert node(live_chatflow(project)["flowData"], "assistant")["position"] == {"x": 1234, "y": 56}


def test_a_removed_edge_in_flowise_is_drift_of_the_edges(project: FlowiseProject) -> None:
    project.apply()
    flow = live_chatflow(project)["flowData"]
    flow["edges"] = []
    put_flow(project, flow)

    [drift] = project.plan_json()["resource_drift"]

    assert drift["changed_paths"] == ["edges[0]"]


def test_deployed_and_public_are_sent_and_planned(project: FlowiseProject) -> None:
    project.edit("chatflow.yaml", "name: support-bot\n", "name: support-bot\ndeployed: true\nis_public: true\n")
    project.apply()

    chatflow = live_chatflow(project)
    assert (chatflow["deployed"], chatflow["isPublic"]) == (True, True)
    project.edit("chatflow.yaml", "is_public: true\n", "")
    assert project.changes() == {ADDRESS: (["update"], ["is_public"])}


def test_destroy_deletes_the_chatflow(project: FlowiseProject) -> None:
    project.apply()
    chatflow_id = project.remote_id(ADDRESS)

    project.ok("destroy", "--auto-approve")

    with project.api() as api:
        assert chatflow_id not in {item["id"] for item in api.get("/chatflows").json()}


@pytest.mark.parametrize("template", ["conversation-chain.json", "openai-assistant.json"])
def test_a_marketplace_flow_round_trips_through_flow_file(fproject: FlowiseProject, template: str) -> None:
    shutil.copy(MARKETPLACE / template, fproject.root / template)
    fproject.write("chatflow.yaml", f"kind: FlowiseChatflow\nname: template\nflow_file: {template}\n")

    fproject.apply()

    no_changes(fproject)


def test_a_flow_file_takes_its_assistant_and_tool_from_manifests(project: FlowiseProject) -> None:
    shutil.copy(MARKETPLACE / "openai-assistant.json", project.root / "flow.json")
    project.write(
        "chatflow.yaml",
        """\
        kind: FlowiseChatflow
        name: support-bot
        flow_file: flow.json
        nodes:
          openAIAssistant_0:
            inputs: {selectedAssistant: support-openai}
          customTool_0:
            inputs: {selectedTool: order_status}
        """,
    )
    project.apply()

    flow = live_chatflow(project)["flowData"]
    assistant_id = project.remote_id("FlowiseAssistant/support-openai")
    assert node(flow, "openAIAssistant_0")["data"]["inputs"]["selectedAssistant"] == assistant_id
    assert node(flow, "customTool_0")["data"]["inputs"]["selectedTool"] == project.remote_id("FlowiseTool/order_status")
    assert (
        node(flow, "calculator_0")["position"]
        == json.loads((MARKETPLACE / "openai-assistant.json").read_text())["nodes"][1]["position"]
    )
    no_changes(project)
