"""`assistplan migrate flowise-openai-to-custom`: each OPENAI FlowiseAssistant becomes a CUSTOM one (same credential,
an OpenAI chat model with the Assistant's model and temperature, its instructions, its function tools as FlowiseTools)
that validates, or an entry in the report."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from syrupy.assertion import SnapshotAssertion

from manifest_root import ManifestRoot

EXAMPLE = Path(__file__).resolve().parents[2] / "assistants" / "flowise"

STACK = """\
kind: FlowiseCredential
name: openai
credential: openAIApi
secrets:
  openAIApiKey: {env: OPENAI_API_KEY}
---
kind: Function
name: get_order_status
description: Look up the shipping status of an order.
strict: true
parameters:
  type: object
  properties:
    order_id: {type: string}
  required: [order_id]
  additionalProperties: false
---
kind: Function
name: create_ticket
description: Open a support ticket.
parameters:
  type: object
  properties:
    subject: {type: string, description: What the ticket is about.}
    urgent: {type: boolean}
  required: [subject]
  additionalProperties: false
---
kind: Function
name: plan_route
description: Plan a delivery route.
parameters:
  type: object
  properties:
    stops: {type: array, items: {type: string}}
---
kind: FlowiseTool
name: order_status
function: get_order_status
code: return 'shipped';
---
kind: Assistant
name: support
model: "{{ vars.model }}"
description: Acme support bot.
instructions_file: prompts/support.md
tools:
  - function: get_order_status
  - function: create_ticket
  - function: plan_route
  - code_interpreter
  - file_search
file_search: {vector_store: handbook}
temperature: 0.2
top_p: 0.5
reasoning_effort: low
---
kind: VectorStore
name: handbook
files: [handbook/*.md]
---
kind: FlowiseAssistant
name: support-openai
type: OPENAI
assistant: support
credential: openai
"""

CHATFLOW = """\
kind: FlowiseChatflow
name: bot
nodes:
  assistant:
    node: openAIAssistant
    inputs:
      selectedAssistant: support-openai
      tools: [order_status]
  order_status:
    node: customTool
    inputs: {selectedTool: order_status}
"""


@pytest.fixture
def froot(tmp_path: Path) -> ManifestRoot:
    project = ManifestRoot(root=tmp_path / "flowise", runner=CliRunner())
    project.write(
        "assistplan.yaml",
        """\
        project: shop-flowise
        flowise: {url: "http://127.0.0.1:3000"}
        vars: {model: gpt-4o-mini}
        """,
    )
    project.write("stack.yaml", STACK)
    project.write("prompts/support.md", "You are Acme's support assistant.\n")
    project.write("handbook/returns.md", "# Returns\n\nWithin 30 days.\n")
    return project


def migrated(root: ManifestRoot, *args: str) -> str:
    result = root.run("migrate", "flowise-openai-to-custom", *args)
    assert result.exit_code == 0, result.output
    return result.output


def valid(root: ManifestRoot) -> None:
    result = root.run("validate")
    assert result.exit_code == 0, result.output


def documents(root: ManifestRoot, name: str) -> list[dict[str, object]]:
    return list(yaml.safe_load_all((root.root / name).read_text(encoding="utf-8")))


def said(output: str) -> str:
    """The command's output on one line, as the report's wrapped sentences read."""
    return " ".join(output.split())


def test_the_openai_assistant_becomes_a_custom_one_that_validates(froot: ManifestRoot) -> None:
    migrated(froot)

    custom, tool = documents(froot, "support-openai.custom.yaml")
    assert custom == {
        "kind": "FlowiseAssistant",
        "name": "support-openai-custom",
        "type": "CUSTOM",
        "credential": "openai",
        "instructions_file": "prompts/support.md",
        "chat_model": {"name": "chatOpenAI", "model": "{{ vars.model }}", "temperature": 0.2},
        "tools": ["order_status", "create_ticket"],
    }
    assert tool == {
        "kind": "FlowiseTool",
        "name": "create_ticket",
        "function": "create_ticket",
        "code_file": "tools/create_ticket.js",
    }
    valid(froot)


def test_a_function_without_a_flowise_tool_gets_one_whose_code_is_still_to_write(froot: ManifestRoot) -> None:
    output = migrated(froot)

    code = (froot.root / "tools" / "create_ticket.js").read_text(encoding="utf-8")
    assert "Its arguments: $subject, $urgent." in code
    assert "throw new Error" in code
    assert "# Needs attention: write the tool's JavaScript in tools/create_ticket.js." in (
        froot.root / "support-openai.custom.yaml"
    ).read_text(encoding="utf-8")
    assert "its JavaScript is still to be written" in output


def test_the_report_lists_what_carries_over_and_what_a_custom_assistant_cannot_hold(
    froot: ManifestRoot, markdown_snapshot: SnapshotAssertion
) -> None:
    migrated(froot, "--report", str(froot.root / "migration.md"))

    assert (froot.root / "migration.md").read_text(encoding="utf-8") == markdown_snapshot


def test_in_place_replaces_the_openai_assistant_keeping_its_name(froot: ManifestRoot) -> None:
    migrated(froot, "--in-place")

    kinds = [(doc["kind"], doc["name"], doc.get("type")) for doc in documents(froot, "stack.yaml")]
    assert ("FlowiseAssistant", "support-openai", "CUSTOM") in kinds
    assert ("FlowiseAssistant", "support-openai", "OPENAI") not in kinds
    valid(froot)


def test_in_place_keeps_the_moved_from_of_the_replaced_assistant(froot: ManifestRoot) -> None:
    stack = (froot.root / "stack.yaml").read_text(encoding="utf-8")
    froot.write(
        "stack.yaml",
        stack.replace("name: support-openai\n", "name: support-openai\nmoved_from: FlowiseAssistant/support-old\n"),
    )

    migrated(froot, "--in-place")

    [custom] = [doc for doc in documents(froot, "stack.yaml") if doc["name"] == "support-openai"]
    assert custom["type"] == "CUSTOM"
    assert custom["moved_from"] == "FlowiseAssistant/support-old"
    valid(froot)


def test_in_place_the_report_says_the_plan_replaces_the_assistant(froot: ManifestRoot) -> None:
    output = said(migrated(froot, "--in-place"))

    assert "the plan creates FlowiseTool/create_ticket; it replaces FlowiseAssistant/support-openai:" in output
    assert "(1 to add and 1 to destroy per assistant;" in output
    assert "deletes nothing" not in output


def test_in_place_keeps_an_assistant_a_chatflow_node_selects_and_writes_the_custom_one_after_it(
    froot: ManifestRoot,
) -> None:
    froot.write("bot.yaml", CHATFLOW)

    output = said(migrated(froot, "--in-place"))

    assistants = [
        (doc["name"], doc["type"]) for doc in documents(froot, "stack.yaml") if doc["kind"] == "FlowiseAssistant"
    ]
    assert assistants == [("support-openai", "OPENAI"), ("support-openai-custom", "CUSTOM")]
    assert "the plan creates FlowiseAssistant/support-openai-custom, FlowiseTool/create_ticket and deletes nothing" in (
        output
    )
    valid(froot)


def test_the_report_names_each_chatflow_node_that_selects_the_openai_assistant(froot: ManifestRoot) -> None:
    froot.write("bot.yaml", CHATFLOW)

    output = said(migrated(froot))

    assert (
        "FlowiseChatflow/bot node assistant: this OpenAI Assistant node selects FlowiseAssistant/support-openai, and "
        "it cannot serve a CUSTOM assistant (every prediction would fail): it stays on the OPENAI assistant. Rebuild "
        "the chatflow without that node"
    ) in output


def test_an_existing_tool_code_file_is_never_overwritten(froot: ManifestRoot) -> None:
    froot.write("tools/create_ticket.js", "return 'mine';\n")

    result = froot.run("migrate", "flowise-openai-to-custom")

    assert result.exit_code == 1
    assert "never overwrites a file" in result.output
    assert not (froot.root / "support-openai.custom.yaml").exists()


def test_the_flowise_example_migrates_to_manifests_that_validate(tmp_path: Path) -> None:
    example = ManifestRoot(root=tmp_path / "flowise", runner=CliRunner())
    shutil.copytree(EXAMPLE, example.root, ignore=shutil.ignore_patterns(".assistplan"))

    migrated(example)

    custom = documents(example, "support-openai.custom.yaml")
    assert [(doc["kind"], doc["name"], doc["type"]) for doc in custom] == [
        ("FlowiseAssistant", "support-openai-custom", "CUSTOM")
    ]
    valid(example)


def test_the_flowise_example_migrated_in_place_validates(tmp_path: Path) -> None:
    example = ManifestRoot(root=tmp_path / "flowise", runner=CliRunner())
    shutil.copytree(EXAMPLE, example.root, ignore=shutil.ignore_patterns(".assistplan"))

    migrated(example, "--in-place")

    valid(example)
