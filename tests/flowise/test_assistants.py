"""FlowiseAssistant, CUSTOM and OPENAI, against a real Flowise whose OpenAI calls go to the sandbox."""

from __future__ import annotations

import json
from typing import Any

import pytest

from assistplan.sandbox.testing import make_client

from .conftest import (
    GET_ORDER_STATUS,
    OPENAI_CREDENTIAL,
    SECRET_ENV,
    SUPPORT_OPENAI,
    FlowiseProject,
    Sent,
    documents,
    order_status_tool,
)

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

OPENAI_SIDE = documents(
    GET_ORDER_STATUS,
    """\
kind: Assistant
name: support
model: gpt-4o
description: Acme support bot.
instructions: You are Acme's support assistant.
tools:
  - function: get_order_status
  - code_interpreter
temperature: 0.2
""",
)

SUPPORT_CUSTOM = """\
kind: FlowiseAssistant
name: support-custom
type: CUSTOM
credential: openai
instructions: Help Acme's customers.
chat_model: {name: chatOpenAI, model: gpt-4o-mini, temperature: 0.2}
tools: [order_status]
"""

FLOWISE_SIDE = documents(OPENAI_CREDENTIAL, order_status_tool("order_status"), SUPPORT_CUSTOM, SUPPORT_OPENAI)


@pytest.fixture
def project(fproject: FlowiseProject, monkeypatch: pytest.MonkeyPatch) -> FlowiseProject:
    monkeypatch.setenv(SECRET_ENV, "sk-flowise-test")
    fproject.write("openai.yaml", OPENAI_SIDE)
    fproject.write("flowise.yaml", FLOWISE_SIDE)
    return fproject


def live_assistant(project: FlowiseProject, address: str) -> dict[str, Any]:
    with project.api() as api:
        raw = api.get(f"/assistants/{project.remote_id(address)}").json()
    return {**raw, "details": json.loads(raw["details"])}


def assistant_puts(sent: list[Sent]) -> list[Sent]:
    return [s for s in sent if s.method == "PUT" and s.path.startswith("/assistants/")]


def test_a_custom_assistant_keeps_model_instruction_and_tools_in_its_details(project: FlowiseProject) -> None:
    project.apply()

    assistant = live_assistant(project, "FlowiseAssistant/support-custom")
    tool_id = project.remote_id("FlowiseTool/order_status")
    credential_id = project.remote_id("FlowiseCredential/openai")
    assert (assistant["type"], assistant["credential"]) == ("CUSTOM", credential_id)
    assert assistant["details"] == {
        "name": "support-custom",
        "instruction": "Help Acme's customers.",
        "chatModel": {
            "name": "chatOpenAI",
            "inputs": {"modelName": "gpt-4o-mini", "credential": credential_id, "temperature": 0.2},
        },
        "tools": [{"name": "customTool", "inputs": {"selectedTool": tool_id}}],
        "assistplan": {
            "project": "flowise-test",
            "address": "FlowiseAssistant/support-custom",
            "digest": project.state()["resources"]["FlowiseAssistant/support-custom"]["digest"],
        },
    }
    assert "No changes." in project.ok("plan").output


def test_an_edited_instruction_updates_it_without_type_and_with_the_credential(
    project: FlowiseProject, sent: list[Sent]
) -> None:
    project.apply()
    project.edit("flowise.yaml", "Help Acme's customers.", "Help Acme's customers kindly.")

    assert project.changes() == {"FlowiseAssistant/support-custom": (["update"], ["instructions"])}
    project.apply()

    [put] = assistant_puts(sent)
    assert "type" not in put.body
    assert put.body["credential"] == project.remote_id("FlowiseCredential/openai")
    assert live_assistant(project, "FlowiseAssistant/support-custom")["details"]["instruction"] == (
        "Help Acme's customers kindly."
    )


def test_a_changed_type_replaces_the_assistant(project: FlowiseProject, sent: list[Sent]) -> None:
    project.apply()
    old_id = project.remote_id("FlowiseAssistant/support-openai")
    project.edit(
        "flowise.yaml",
        "type: OPENAI\nassistant: support\n",
        "type: CUSTOM\nchat_model: {name: chatOpenAI, model: gpt-4o}\n",
    )

    actions, _ = project.changes()["FlowiseAssistant/support-openai"]
    assert actions == ["create", "delete"]
    project.apply()

    assert live_assistant(project, "FlowiseAssistant/support-openai")["type"] == "CUSTOM"
    assert not [s for s in assistant_puts(sent) if "type" in s.body]
    with project.api() as api:
        assert old_id not in {a["id"] for a in api.get("/assistants").json()}


def test_removing_a_custom_assistant_deletes_it(project: FlowiseProject) -> None:
    project.apply()
    project.edit("flowise.yaml", SUPPORT_CUSTOM, "")

    assert project.changes() == {"FlowiseAssistant/support-custom": (["delete"], [])}
    project.apply()

    with project.api() as api:
        assert [a["type"] for a in api.get("/assistants").json()] == ["OPENAI"]


def test_details_edited_through_the_api_are_drift(project: FlowiseProject) -> None:
    project.apply()
    assistant = live_assistant(project, "FlowiseAssistant/support-custom")
    edited = {**assistant["details"], "instruction": "Edited in Flowise."}
    with project.api() as api:
        api.put(
            f"/assistants/{assistant['id']}",
            json={"details": json.dumps(edited), "credential": assistant["credential"]},
        ).raise_for_status()

    view = project.plan_json()

    assert [(d["address"], d["changed_paths"]) for d in view["resource_drift"]] == [
        ("FlowiseAssistant/support-custom", ["instructions"])
    ]


def test_a_lost_state_file_is_rebuilt_from_the_marks(project: FlowiseProject) -> None:
    project.apply()
    before = {a: r["id"] for a, r in project.state()["resources"].items()}
    project.state_path.unlink()

    assert project.changes() == {}
    assert {a: r["id"] for a, r in project.state()["resources"].items()} == before


def test_a_custom_assistant_of_the_same_name_that_the_project_does_not_own_is_an_error(
    project: FlowiseProject,
) -> None:
    with project.api() as api:
        other = api.post(
            "/assistants",
            json={
                "details": json.dumps({"name": "support-custom"}),
                "credential": "9a1f4a3e-0000-4000-8000-000000000000",
                "type": "CUSTOM",
            },
        ).json()

    result = project.run("plan")

    assert result.exit_code == 1
    assert f"`assistplan import FlowiseAssistant/support-custom {other['id']}`" in result.output


def test_an_openai_assistant_links_the_assistant_and_flowise_writes_the_same_spec(project: FlowiseProject) -> None:
    project.apply()

    openai_id = project.remote_id("Assistant/support")
    assistant = live_assistant(project, "FlowiseAssistant/support-openai")
    assert assistant["type"] == "OPENAI"
    assert assistant["details"]["id"] == openai_id
    assert project.sandbox.count("GET /assistants/{assistant_id}") >= 1
    assert project.sandbox.count("POST /assistants/{assistant_id}") == 1
    remote = make_client(project.sandbox).beta.assistants.retrieve(openai_id)
    assert (remote.name, remote.description, remote.instructions, remote.temperature) == (
        "support",
        "Acme support bot.",
        "You are Acme's support assistant.",
        0.2,
    )
    assert [tool.type for tool in remote.tools] == ["function", "code_interpreter"]
    assert remote.metadata["assistplan:address"] == "Assistant/support"
    assert "No changes." in project.ok("plan").output


def test_an_edited_assistant_updates_both_sides_and_they_agree(project: FlowiseProject, sent: list[Sent]) -> None:
    project.apply()
    project.edit("openai.yaml", "You are Acme's support assistant.", "You are Acme's friendly support assistant.")

    assert project.changes() == {
        "Assistant/support": (["update"], ["instructions"]),
        "FlowiseAssistant/support-openai": (["update"], ["openai.instructions"]),
    }
    project.apply()

    [put] = assistant_puts(sent)
    assert "type" not in put.body
    assert put.body["credential"] == project.remote_id("FlowiseCredential/openai")
    remote = make_client(project.sandbox).beta.assistants.retrieve(project.remote_id("Assistant/support"))
    assert remote.instructions == "You are Acme's friendly support assistant."
    assert "No changes." in project.ok("plan").output


def test_deleting_an_openai_assistant_keeps_the_openai_side(project: FlowiseProject, sent: list[Sent]) -> None:
    project.apply()
    openai_id = project.remote_id("Assistant/support")
    project.edit("flowise.yaml", SUPPORT_OPENAI, "")

    project.apply()

    deletes = [s for s in sent if s.method == "DELETE" and s.path.startswith("/assistants/")]
    assert [s.params for s in deletes] == [{}]
    assert make_client(project.sandbox).beta.assistants.retrieve(openai_id).id == openai_id


def test_destroy_deletes_the_openai_assistant_once_and_never_asks_flowise_to(
    project: FlowiseProject, sent: list[Sent]
) -> None:
    project.apply()
    project.sandbox.reset_counters()

    project.ok("destroy", "--auto-approve")

    assert not [s for s in sent if "isDeleteBoth" in s.params]
    assert project.sandbox.count("DELETE /assistants/{assistant_id}") == 1
    with project.api() as api:
        assert api.get("/assistants").json() == []


def test_a_recreated_openai_assistant_gets_a_new_flowise_assistant(project: FlowiseProject) -> None:
    project.apply()
    old_flowise_id = project.remote_id("FlowiseAssistant/support-openai")
    make_client(project.sandbox).beta.assistants.delete(project.remote_id("Assistant/support"))

    project.apply()

    new_openai_id = project.remote_id("Assistant/support")
    assistant = live_assistant(project, "FlowiseAssistant/support-openai")
    assert assistant["details"]["id"] == new_openai_id
    assert assistant["id"] != old_flowise_id
    assert "No changes." in project.ok("plan").output


def test_file_search_options_flowise_would_reset_are_refused_at_validate(project: FlowiseProject) -> None:
    project.edit("openai.yaml", "  - code_interpreter\n", "  - code_interpreter\n  - file_search\n")
    project.write("faq/returns.md", "Returns within 30 days.\n")
    project.write("search.yaml", "kind: VectorStore\nname: faq\nfiles: [faq/returns.md]\n")
    project.edit(
        "openai.yaml", "temperature: 0.2\n", "temperature: 0.2\nfile_search: {vector_store: faq, max_num_results: 5}\n"
    )

    result = project.run("validate")

    assert result.exit_code == 1
    assert (
        'assistant: Assistant "support", served by Flowise, cannot set file_search options: Flowise sends '
        "file_search without them on every save, resetting them"
    ) in result.output


def test_an_update_keeps_what_the_editor_saved_in_the_details_beside_the_manifest(fproject: FlowiseProject) -> None:
    with fproject.api() as api:
        body = {"name": "openai", "credentialName": "openAIApi", "plainDataObj": {"openAIApiKey": "sk-flowise-test"}}
        credential = api.post("/credentials", json=body).raise_for_status().json()["id"]
        flow = {"name": "support", "type": "ASSISTANT", "flowData": json.dumps({"nodes": [], "edges": []})}
        flow_id = api.post("/chatflows", json=flow).raise_for_status().json()["id"]
        saved = {
            "name": "support",
            "description": "Acme's support assistant",
            "flowId": flow_id,
            "documentStores": [{"id": "4c6e1a52-0000-4000-8000-000000000001", "name": "faq", "description": "FAQ"}],
            "chatModel": {
                "label": "ChatOpenAI",
                "name": "chatOpenAI",
                "credential": credential,
                "inputs": {"modelName": "gpt-4o-mini", "temperature": 0.9, "streaming": True},
            },
            "instruction": "Help Acme's customers.",
            "tools": [],
        }
        assistant = {"type": "CUSTOM", "credential": credential, "details": json.dumps(saved)}
        assistant_id = api.post("/assistants", json=assistant).raise_for_status().json()["id"]
    fproject.ok("export", "--unowned")
    fproject.edit("flowise/assistants/support.yaml", "Help Acme's customers.", "Help Acme's customers kindly.")

    fproject.apply()

    with fproject.api() as api:
        details = json.loads(api.get(f"/assistants/{assistant_id}").raise_for_status().json()["details"])
    assert details["instruction"] == "Help Acme's customers kindly."
    assert {key: details[key] for key in ("description", "flowId", "documentStores")} == {
        key: saved[key] for key in ("description", "flowId", "documentStores")
    }
    model = saved["chatModel"]
    assert details["chatModel"] == {**model, "inputs": {**model["inputs"], "credential": credential}}
    assert "No changes." in fproject.ok("plan").output
