"""`assistplan export` of a Flowise setup built through Flowise's REST API: every Flowise kind, awkward names, a tool
whose Function the project already has; the manifests validate, the next plan shows no changes, an edit applies
exactly that change and `--merge` adds nothing new. `flowise export-tools` is an alias of `export --kind
FlowiseTool`: Flowise's 13 marketplace tools survive it, apply to a fresh Flowise and plan."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from assistplan.kinds.flowise_credentials import REDACTED
from assistplan.kinds.flowise_tools import split_mark
from assistplan.manifest.flowise_schema import normalize_rows
from assistplan.sandbox.server import API_KEY

from .conftest import GET_ORDER_STATUS, FlowiseProject, empty, files, manifest

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

MARKETPLACE = Path(__file__).resolve().parent / "marketplace-tools"
ROWS = [{"property": "order_id", "type": "string", "description": "The order number.", "required": True}]
INSTRUCTION = "You help Acme's customers.\nBe brief.\nNever guess an order's status.\nAsk for the order number.\n"


def tool(name: str, description: str, code: str) -> dict[str, Any]:
    return {"name": name, "description": description, "color": "red", "schema": json.dumps(ROWS), "func": code}


def build_setup(project: FlowiseProject) -> dict[str, str]:
    """Every Flowise kind, made through Flowise's API (not assistplan); the ids by a short key."""
    project.write("functions.yaml", GET_ORDER_STATUS)
    with project.api() as api:
        credential = (
            api.post(
                "/credentials",
                json={
                    "name": "OpenAI key (prod)",
                    "credentialName": "openAIApi",
                    "plainDataObj": {"openAIApiKey": API_KEY},
                },
            )
            .raise_for_status()
            .json()["id"]
        )
        ids = {"credential": credential}
        ids["v2"] = api.post("/tools", json=tool("my tool (v2)", "Finds an order.", "return $order_id;")).json()["id"]
        ids["status"] = api.post(
            "/tools", json=tool("get_order_status", "Look up the shipping status of an order.", "return 'shipped';")
        ).json()["id"]
        ids["email"] = api.post(
            "/variables", json={"name": "support email", "value": "help@acme.example", "type": "static"}
        ).json()["id"]
        ids["region"] = api.post("/variables", json={"name": "REGION", "value": "", "type": "runtime"}).json()["id"]
        custom = {
            "name": "Support bot (custom)",
            "instruction": INSTRUCTION,
            "chatModel": {"name": "chatOpenAI", "inputs": {"modelName": "gpt-4o-mini", "temperature": 0.3}},
            "tools": [{"name": "customTool", "inputs": {"selectedTool": ids["v2"]}}],
        }
        ids["custom"] = api.post(
            "/assistants", json={"type": "CUSTOM", "credential": credential, "details": json.dumps(custom)}
        ).json()["id"]
        openai = {"name": "Support (openai)", "model": "gpt-4o", "instructions": "Help.", "tools": ["code_interpreter"]}
        ids["openai"] = (
            api.post("/assistants", json={"type": "OPENAI", "credential": credential, "details": json.dumps(openai)})
            .raise_for_status()
            .json()["id"]
        )
    return ids


@pytest.fixture
def setup(fproject: FlowiseProject) -> dict[str, str]:
    return build_setup(fproject)


def test_export_writes_one_manifest_per_object_that_validate(fproject: FlowiseProject, setup: dict[str, str]) -> None:
    fproject.ok("export", "--kind", "FlowiseTool", "--kind", "FlowiseVariable", "--kind", "FlowiseAssistant")

    assert files(fproject) >= {
        "flowise/tools/my-tool-v2.yaml",
        "flowise/tools/my-tool-v2.js",
        "flowise/tools/get_order_status.yaml",
        "flowise/variables/support-email.yaml",
        "flowise/variables/REGION.yaml",
        "flowise/credentials/OpenAI-key-prod.yaml",
        "flowise/assistants/Support-bot-custom.yaml",
        "flowise/prompts/Support-bot-custom.md",
        "flowise/assistants/Support-openai.yaml",
        "assistants/Support-openai.yaml",
    }
    assert "error" not in fproject.ok("validate").output


def test_a_tool_keeps_its_remote_name_in_display_name(fproject: FlowiseProject, setup: dict[str, str]) -> None:
    fproject.ok("export", "--kind", "FlowiseTool")

    assert manifest(fproject, "flowise/tools/my-tool-v2.yaml") == {
        "kind": "FlowiseTool",
        "name": "my-tool-v2",
        "display_name": "my tool (v2)",
        "function": "my-tool-v2",
        "code_file": "my-tool-v2.js",
        "color": "red",
    }
    assert (fproject.root / "flowise/tools/my-tool-v2.js").read_text(encoding="utf-8") == "return $order_id;"
    assert "No changes." in fproject.ok("plan").output


def test_a_tool_whose_function_the_project_has_shares_it(fproject: FlowiseProject, setup: dict[str, str]) -> None:
    fproject.ok("export", "--kind", "FlowiseTool")

    assert manifest(fproject, "flowise/tools/get_order_status.yaml")["function"] == "get_order_status"
    assert sorted(path for path in files(fproject) if path.startswith("functions/")) == ["functions/my-tool-v2.yaml"]
    assert "error" not in fproject.ok("validate").output


def test_a_function_of_the_same_name_with_another_schema_is_never_duplicated(
    fproject: FlowiseProject, setup: dict[str, str]
) -> None:
    fproject.edit("functions.yaml", "Look up the shipping status", "Find the shipping status")

    fproject.ok("export", "--kind", "FlowiseTool")

    assert manifest(fproject, "flowise/tools/get_order_status.yaml")["function"] == "get_order_status-2"
    assert manifest(fproject, "functions/get_order_status-2.yaml")["tool_name"] == "get_order_status"
    assert "error" not in fproject.ok("validate").output
    assert "No changes." in fproject.ok("plan").output


def test_a_credential_names_an_environment_variable_per_secret_and_says_why(
    fproject: FlowiseProject, setup: dict[str, str]
) -> None:
    result = fproject.ok("export", "--kind", "FlowiseCredential")

    assert manifest(fproject, "flowise/credentials/OpenAI-key-prod.yaml") == {
        "kind": "FlowiseCredential",
        "name": "OpenAI-key-prod",
        "display_name": "OpenAI key (prod)",
        "credential": "openAIApi",
        "secrets": {"openAIApiKey": {"env": "OPENAI_KEY_PROD_OPEN_AI_API_KEY"}},
    }
    text = (fproject.root / "flowise/credentials/OpenAI-key-prod.yaml").read_text(encoding="utf-8")
    assert text.startswith("# Secret values cannot be read back (Flowise answers a redaction marker")
    assert "OPENAI_KEY_PROD_OPEN_AI_API_KEY" in result.output
    assert API_KEY not in text + result.output
    assert REDACTED not in text + result.output


def test_an_assistant_names_its_credential_tools_and_assistant(fproject: FlowiseProject, setup: dict[str, str]) -> None:
    fproject.ok("export", "--kind", "FlowiseAssistant")

    assert manifest(fproject, "flowise/assistants/Support-bot-custom.yaml") == {
        "kind": "FlowiseAssistant",
        "name": "Support-bot-custom",
        "display_name": "Support bot (custom)",
        "type": "CUSTOM",
        "credential": "OpenAI-key-prod",
        "instructions_file": "../prompts/Support-bot-custom.md",
        "chat_model": {"name": "chatOpenAI", "model": "gpt-4o-mini", "temperature": 0.3},
        "tools": ["my-tool-v2"],
    }
    assert manifest(fproject, "flowise/assistants/Support-openai.yaml") == {
        "kind": "FlowiseAssistant",
        "name": "Support-openai",
        "type": "OPENAI",
        "credential": "OpenAI-key-prod",
        "assistant": "Support-openai",
    }
    assert manifest(fproject, "assistants/Support-openai.yaml")["display_name"] == "Support (openai)"


def test_the_next_plan_has_no_changes(fproject: FlowiseProject, setup: dict[str, str]) -> None:
    result = fproject.ok("export")

    assert "Warning" not in result.output
    assert "No changes." in fproject.ok("plan").output


def test_without_the_state_file_exported_tools_are_found_by_their_mark(
    fproject: FlowiseProject, setup: dict[str, str]
) -> None:
    fproject.ok("export", "--kind", "FlowiseTool")
    fproject.state_path.unlink()

    assert fproject.changes() == {}


def test_an_edited_manifest_applies_exactly_that_change(fproject: FlowiseProject, setup: dict[str, str]) -> None:
    fproject.ok("export")
    fproject.edit("flowise/variables/support-email.yaml", "help@acme.example", "support@acme.example")

    assert fproject.changes() == {"FlowiseVariable/support-email": (["update"], ["value"])}
    fproject.apply()

    with fproject.api() as api:
        variables = {v["name"]: v for v in api.get("/variables").json()}
    assert variables["support email"]["value"] == "support@acme.example"
    assert variables["support email"]["id"] == setup["email"]
    assert "No changes." in fproject.ok("plan").output


def test_exporting_again_with_merge_writes_nothing_new(fproject: FlowiseProject, setup: dict[str, str]) -> None:
    fproject.ok("export")
    before = files(fproject)

    again = fproject.ok("export", "--merge")

    assert "Nothing to export." in again.output
    assert files(fproject) == before


def test_exporting_again_without_merge_refuses_and_names_what_exists(
    fproject: FlowiseProject, setup: dict[str, str]
) -> None:
    fproject.ok("export", "--kind", "FlowiseTool")

    again = fproject.run("export", "--kind", "FlowiseTool")

    assert again.exit_code == 1
    assert "FlowiseTool/my-tool-v2: the project already has it" in again.output


def marketplace_tools() -> list[dict[str, Any]]:
    return [json.loads(path.read_text(encoding="utf-8")) for path in sorted(MARKETPLACE.glob("*.json"))]


def comparable(tool: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": tool["name"],
        "description": tool["description"],
        "color": tool["color"],
        "iconSrc": tool.get("iconSrc"),
        "schema": normalize_rows(tool["schema"]),
        "func": split_mark(tool["func"])[1],
    }


def post_tools(project: FlowiseProject, tools: list[dict[str, Any]]) -> dict[str, str]:
    with project.api() as api:
        return {tool["name"]: api.post("/tools", json=tool).raise_for_status().json()["id"] for tool in tools}


def live_tools(project: FlowiseProject) -> dict[str, dict[str, Any]]:
    with project.api() as api:
        return {tool["name"]: comparable(tool) for tool in api.get("/tools").json()}


def test_export_tools_is_export_of_the_flowise_tools(fproject: FlowiseProject, setup: dict[str, str]) -> None:
    result = fproject.ok("flowise", "export-tools")

    assert {path for path in files(fproject) if path.startswith("flowise/")} == {
        "flowise/tools/my-tool-v2.yaml",
        "flowise/tools/my-tool-v2.js",
        "flowise/tools/get_order_status.yaml",
        "flowise/tools/get_order_status.js",
    }
    assert "Adopted 2 objects" in result.output
    assert "No changes." in fproject.ok("plan").output


def test_the_marketplace_tools_round_trip_through_manifests_to_a_fresh_flowise(fproject: FlowiseProject) -> None:
    originals = marketplace_tools()
    assert len(originals) == 13
    post_tools(fproject, originals)

    exported = fproject.ok("flowise", "export-tools", "--out", str(fproject.root / "marketplace"))
    assert "Adopted 13 objects" in exported.output
    assert "26 resources" in fproject.ok("validate").output
    assert "No changes." in fproject.ok("plan").output
    empty(fproject.flowise)
    fproject.apply()

    assert live_tools(fproject) == {tool["name"]: comparable(tool) for tool in originals}
    assert "No changes." in fproject.ok("plan").output


def test_text_that_looks_like_a_template_is_kept_as_it_is(fproject: FlowiseProject) -> None:
    greet = {"name": "greet", "description": "Says {{ hello }}.", "color": "red", "schema": "[]", "func": "return 1;"}
    post_tools(fproject, [greet])
    fproject.ok("flowise", "export-tools")
    empty(fproject.flowise)

    fproject.apply()

    assert live_tools(fproject)["greet"]["description"] == "Says {{ hello }}."
