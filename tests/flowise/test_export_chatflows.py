"""`assistplan export` of Flowise chatflows built through Flowise's REST API: each becomes its flow file and a
manifest that names by manifest the credential, assistant and tool its nodes use; the manifests validate, the next
plan shows no changes, an edit applies exactly that change and `--merge` adds nothing new."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from assistplan.sandbox.server import API_KEY

from .conftest import FlowiseProject, files, manifest

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

MARKETPLACE = Path(__file__).resolve().parent / "marketplace-chatflows"
ROWS = [{"property": "order_id", "type": "string", "description": "The order number.", "required": True}]


def marketplace(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((MARKETPLACE / name).read_text(encoding="utf-8"))
    return {"nodes": loaded["nodes"], "edges": loaded["edges"]}


def node_data(flow: dict[str, Any], node_id: str) -> dict[str, Any]:
    found: dict[str, Any] = next(item for item in flow["nodes"] if item["id"] == node_id)["data"]
    return found


def build_chatflows(project: FlowiseProject) -> dict[str, str]:
    """A conversation chain whose chat model uses a credential, and an OpenAI Assistant flow that selects a Flowise
    assistant and a custom tool, all made through Flowise's API; the ids by a short key."""
    with project.api() as api:

        def post(path: str, body: dict[str, Any]) -> str:
            return str(api.post(path, json=body).raise_for_status().json()["id"])

        ids = {
            "credential": post(
                "/credentials",
                {"name": "OpenAI key (prod)", "credentialName": "openAIApi", "plainDataObj": {"openAIApiKey": API_KEY}},
            )
        }
        ids["tool"] = post(
            "/tools",
            {
                "name": "order status",
                "description": "Look up an order.",
                "color": "red",
                "schema": json.dumps(ROWS),
                "func": "return 'shipped';",
            },
        )
        details = {"name": "Support (openai)", "model": "gpt-4o", "instructions": "Help.", "tools": []}
        ids["assistant"] = post(
            "/assistants", {"type": "OPENAI", "credential": ids["credential"], "details": json.dumps(details)}
        )
        chain = marketplace("conversation-chain.json")
        node_data(chain, "chatOpenAI_0")["credential"] = ids["credential"]
        ids["chain"] = post(
            "/chatflows", {"name": "Support chain (v2)", "type": "CHATFLOW", "flowData": json.dumps(chain)}
        )
        served = marketplace("openai-assistant.json")
        node_data(served, "openAIAssistant_0")["inputs"]["selectedAssistant"] = ids["assistant"]
        node_data(served, "customTool_0")["inputs"]["selectedTool"] = ids["tool"]
        ids["served"] = post(
            "/chatflows",
            {"name": "served", "type": "CHATFLOW", "flowData": json.dumps(served), "deployed": True},
        )
    return ids


@pytest.fixture
def chatflows(fproject: FlowiseProject) -> dict[str, str]:
    return build_chatflows(fproject)


def live_flow(project: FlowiseProject, chatflow_id: str) -> dict[str, Any]:
    with project.api() as api:
        raw = api.get(f"/chatflows/{chatflow_id}").raise_for_status().json()
    return {**raw, "flowData": json.loads(raw["flowData"])}


def test_a_chatflow_becomes_its_flow_file_and_a_manifest_naming_what_its_nodes_use(
    fproject: FlowiseProject, chatflows: dict[str, str]
) -> None:
    fproject.ok("export", "--kind", "FlowiseChatflow")

    assert manifest(fproject, "flowise/chatflows/Support-chain-v2.yaml") == {
        "kind": "FlowiseChatflow",
        "name": "Support-chain-v2",
        "display_name": "Support chain (v2)",
        "flow_file": "Support-chain-v2.json",
        "nodes": {"chatOpenAI_0": {"credential": "OpenAI-key-prod"}},
    }
    assert manifest(fproject, "flowise/chatflows/served.yaml") == {
        "kind": "FlowiseChatflow",
        "name": "served",
        "deployed": True,
        "flow_file": "served.json",
        "nodes": {
            "customTool_0": {"inputs": {"selectedTool": "order-status"}},
            "openAIAssistant_0": {"inputs": {"selectedAssistant": "Support-openai"}},
        },
    }
    assert {
        "flowise/credentials/OpenAI-key-prod.yaml",
        "flowise/tools/order-status.yaml",
        "flowise/assistants/Support-openai.yaml",
        "assistants/Support-openai.yaml",
    } <= files(fproject)


def test_the_flow_file_is_the_flow_as_flowise_saved_it_without_the_mark(
    fproject: FlowiseProject, chatflows: dict[str, str]
) -> None:
    fproject.ok("export", "--kind", "FlowiseChatflow")

    written = json.loads((fproject.root / "flowise/chatflows/Support-chain-v2.json").read_text(encoding="utf-8"))
    live = live_flow(fproject, chatflows["chain"])["flowData"]
    assert "assistplan" in live
    assert written == {key: value for key, value in live.items() if key != "assistplan"}


def test_exported_chatflows_validate_and_the_next_plan_has_no_changes(
    fproject: FlowiseProject, chatflows: dict[str, str]
) -> None:
    result = fproject.ok("export")

    assert "Warning" not in result.output
    assert ": error:" not in fproject.ok("validate").output
    assert fproject.changes() == {}


def test_an_edited_flow_file_applies_exactly_that_change_and_keeps_the_name(
    fproject: FlowiseProject, chatflows: dict[str, str]
) -> None:
    fproject.ok("export")
    fproject.edit("flowise/chatflows/Support-chain-v2.json", '"temperature": 0.9', '"temperature": 0.2')

    assert fproject.changes() == {
        "FlowiseChatflow/Support-chain-v2": (["update"], ["nodes.chatOpenAI_0.inputs.temperature"])
    }
    fproject.apply()

    chatflow = live_flow(fproject, chatflows["chain"])
    assert chatflow["name"] == "Support chain (v2)"
    assert node_data(chatflow["flowData"], "chatOpenAI_0")["inputs"]["temperature"] == 0.2
    assert node_data(chatflow["flowData"], "chatOpenAI_0")["credential"] == chatflows["credential"]
    assert fproject.changes() == {}


def test_exporting_chatflows_again_with_merge_writes_nothing_new(
    fproject: FlowiseProject, chatflows: dict[str, str]
) -> None:
    fproject.ok("export")
    before = files(fproject)

    again = fproject.ok("export", "--merge")

    assert "Nothing to export." in again.output
    assert files(fproject) == before
