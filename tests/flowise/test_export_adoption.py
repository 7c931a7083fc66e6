"""What `assistplan export` leaves on Flowise objects so that a plan without the state file still knows them: a
chatflow, an assistant and a tool carry their mark, an adopted credential a mark field in its data; a variable has
nowhere to carry one. Objects without a name are exported under their id and stay nameless."""

from __future__ import annotations

import json
from typing import Any

import pytest

from assistplan.kinds.flowise_credentials import MARK, REDACTED

from .conftest import FlowiseProject, manifest
from .test_export_chatflows import build_chatflows, marketplace, node_data

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def test_exported_objects_plan_no_changes_without_the_state_file(fproject: FlowiseProject) -> None:
    build_chatflows(fproject)
    fproject.ok("export")
    fproject.state_path.unlink()

    assert fproject.changes() == {}


def test_an_adopted_credential_carries_its_mark_in_its_data(fproject: FlowiseProject) -> None:
    ids = build_chatflows(fproject)

    fproject.ok("export", "--kind", "FlowiseCredential")

    with fproject.api() as api:
        credential = api.get(f"/credentials/{ids['credential']}").raise_for_status().json()
    assert json.loads(credential["plainDataObj"][MARK]) == {
        "project": "flowise-test",
        "address": "FlowiseCredential/OpenAI-key-prod",
    }
    assert credential["plainDataObj"]["openAIApiKey"] == REDACTED
    assert credential["name"] == "OpenAI key (prod)"


def test_an_adopted_credential_still_holds_its_secret_for_a_prediction(fproject: FlowiseProject) -> None:
    ids = build_chatflows(fproject)
    fproject.ok("export", "--kind", "FlowiseCredential")
    chain = marketplace("conversation-chain.json")
    node_data(chain, "chatOpenAI_0")["credential"] = ids["credential"]
    node_data(chain, "chatOpenAI_0")["inputs"].update(streaming=False, modelName="gpt-4o")
    fproject.sandbox.settings.profile = "openai"  # refuses any key but the sandbox's, which the credential holds
    fproject.sandbox.reset_counters()

    with fproject.api() as api:
        probe = {"name": "probe", "type": "CHATFLOW", "flowData": json.dumps(chain)}
        probe_id = api.post("/chatflows", json=probe).raise_for_status().json()["id"]
        answer = api.post(f"/prediction/{probe_id}", json={"question": "Hello?"})

    assert answer.status_code == 200, answer.text
    assert fproject.sandbox.count("POST /chat/completions") == 1


def test_an_exported_variable_is_known_by_the_state_alone(fproject: FlowiseProject) -> None:
    with fproject.api() as api:
        variable = {"name": "support_email", "value": "help@acme.example", "type": "static"}
        remote_id = api.post("/variables", json=variable).raise_for_status().json()["id"]
    fproject.ok("export")
    fproject.state_path.unlink()

    result = fproject.run("plan")

    assert result.exit_code == 1
    assert f"assistplan import FlowiseVariable/support_email {remote_id}" in result.output


def test_objects_without_a_name_are_exported_under_their_id_and_stay_nameless(fproject: FlowiseProject) -> None:
    with fproject.api() as api:

        def post(path: str, body: dict[str, Any]) -> str:
            return str(api.post(path, json=body).raise_for_status().json()["id"])

        ids = {
            "tool": post(
                "/tools", {"name": "", "description": "Says hi.", "color": "red", "schema": "[]", "func": "return 1;"}
            ),
            "variable": post("/variables", {"name": "", "value": "x", "type": "static"}),
            "chatflow": post(
                "/chatflows", {"name": "", "type": "CHATFLOW", "flowData": json.dumps({"nodes": [], "edges": []})}
            ),
            "credential": post(
                "/credentials", {"name": "", "credentialName": "openAIApi", "plainDataObj": {"openAIApiKey": "sk-test"}}
            ),
        }

    fproject.ok("export")

    for folder, key in [
        ("tools", "tool"),
        ("variables", "variable"),
        ("chatflows", "chatflow"),
        ("credentials", "credential"),
    ]:
        written = manifest(fproject, f"flowise/{folder}/{ids[key]}.yaml")
        assert (written["name"], written["display_name"]) == (ids[key], "")
    assert ": error:" not in fproject.ok("validate").output
    assert fproject.changes() == {}
    with fproject.api() as api:
        assert api.get(f"/tools/{ids['tool']}").json()["name"] == ""
        assert api.get(f"/chatflows/{ids['chatflow']}").json()["name"] == ""
        assert {v["id"]: v["name"] for v in api.get("/variables").json()} == {ids["variable"]: ""}
        assert api.get(f"/credentials/{ids['credential']}").json()["name"] == ""


def test_a_custom_assistant_without_a_name_is_left_out_and_the_output_says_why(fproject: FlowiseProject) -> None:
    with fproject.api() as api:
        body = {"name": "key", "credentialName": "openAIApi", "plainDataObj": {"openAIApiKey": "sk-test"}}
        credential = api.post("/credentials", json=body).raise_for_status().json()["id"]
        details = {"name": "", "chatModel": {"name": "chatOpenAI", "inputs": {"modelName": "gpt-4o-mini"}}}
        body = {"type": "CUSTOM", "credential": credential, "details": json.dumps(details)}
        assistant = api.post("/assistants", json=body).raise_for_status().json()["id"]

    result = fproject.ok("export", "--kind", "FlowiseAssistant")

    assert f"Not exported: FlowiseAssistant/{assistant}: Flowise refuses to update a CUSTOM assistant" in result.output
    assert not (fproject.root / "flowise" / "assistants").exists()
