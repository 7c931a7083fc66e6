"""FlowiseChatflow manifests at validate, without a server: node and input names checked against the node definitions
shipped for Flowise 3.1.4, wiring and references checked by name, and warnings for what the tutorials get wrong."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest
from click.testing import CliRunner

from assistplan.cli import cli
from assistplan.diagnostics import Diagnostic, Severity
from assistplan.errors import ManifestError
from assistplan.manifest import Project

from .conftest import Loader, write_tree

CONFIG = "project: test\nopenai: {api_key_env: OPENAI_API_KEY}\nflowise: {url: http://127.0.0.1:3000}\n"
MARKETPLACE = Path(__file__).parent.parent / "flowise" / "marketplace-chatflows"
RESOURCES = """\
kind: Function
name: get_order_status
description: Look up an order.
parameters: {type: object, properties: {order_id: {type: string}}, required: [order_id]}
---
kind: Function
name: cancel_order
description: Cancel an order.
parameters: {type: object, properties: {order_id: {type: string}}, required: [order_id]}
---
kind: Assistant
name: support
model: gpt-4o
instructions: You help.
tools: [{function: get_order_status}]
---
kind: FlowiseCredential
name: openai
credential: openAIApi
secrets: {openAIApiKey: {env: OPENAI_KEY}}
---
kind: FlowiseCredential
name: serper
credential: serperApi
secrets: {serperApiKey: {env: SERPER_KEY}}
---
kind: FlowiseTool
name: get_order_status
function: get_order_status
code: return 'shipped';
---
kind: FlowiseAssistant
name: support-openai
type: OPENAI
assistant: support
credential: openai
"""
CHATFLOW = """\
kind: FlowiseChatflow
name: support-bot
nodes:
  assistant:
    node: openAIAssistant
    inputs:
      selectedAssistant: support-openai
      tools: [order_status_tool]
  order_status_tool:
    node: customTool
    inputs: {selectedTool: get_order_status}
  model:
    node: chatOpenAI
    credential: openai
    inputs: {modelName: gpt-4o-mini}
"""


def files(chatflow: str = CHATFLOW, resources: str = RESOURCES) -> dict[str, str]:
    return {"assistplan.yaml": CONFIG, "resources.yaml": resources, "chatflow.yaml": chatflow}


def lines(diagnostics: list[Diagnostic]) -> list[str]:
    found = []
    for diagnostic in diagnostics:
        assert diagnostic.range is not None
        start = diagnostic.range.start
        found.append(f"{start.file}:{start.line}:{start.col}: {diagnostic.summary}")
    return found


def warnings(project: Project) -> list[str]:
    return lines(project.warnings.sorted())


Failing = Callable[[Mapping[str, str]], list[str]]


@pytest.fixture
def failing(load: Loader) -> Failing:
    """The project must be invalid: its errors (not its warnings) as `file:line:col: message`."""

    def run(given: Mapping[str, str]) -> list[str]:
        with pytest.raises(ManifestError) as caught:
            load(given)
        return lines([d for d in caught.value.diagnostics.sorted() if d.severity is Severity.ERROR])

    return run


def test_a_chatflow_depends_on_the_assistant_tool_and_credential_it_names(load: Loader) -> None:
    project = load(files())

    resource = project.resources["FlowiseChatflow/support-bot"]  # type: ignore[index]
    assert set(resource.depends_on) == {
        "FlowiseAssistant/support-openai",
        "FlowiseTool/get_order_status",
        "FlowiseCredential/openai",
    }


def test_an_unknown_node_is_an_error_with_the_closest_name(failing: Failing) -> None:
    assert failing(files(CHATFLOW.replace("node: customTool", "node: customTol"))) == [
        'chatflow.yaml:10:11: nodes.order_status_tool.node: unknown Flowise node "customTol" (Flowise 3.1.4) '
        '(did you mean "customTool"?)'
    ]


def test_an_unknown_input_is_an_error_at_its_key(failing: Failing) -> None:
    assert failing(files(CHATFLOW.replace("{modelName: gpt-4o-mini}", "{modelNam: gpt-4o-mini}"))) == [
        'chatflow.yaml:15:14: nodes.model.inputs.modelNam: node chatOpenAI has no input "modelNam" '
        '(did you mean "modelName"?)'
    ]


def test_wiring_to_a_node_that_is_not_in_the_flow_is_an_error(failing: Failing) -> None:
    assert failing(files(CHATFLOW.replace("tools: [order_status_tool]", "tools: [order_tool]"))) == [
        'chatflow.yaml:8:15: nodes.assistant.inputs.tools[0]: connects Tool nodes: "order_tool" is not a node of '
        'this flow (did you mean "order_status_tool"?)'
    ]


def test_wiring_something_other_than_a_node_name_is_an_error_not_a_crash(failing: Failing) -> None:
    # was: TypeError "unhashable type: 'dict'" from the check of the functions the wired tools provide
    assert failing(files(CHATFLOW.replace("tools: [order_status_tool]", "tools: [{type: object}]"))) == [
        "chatflow.yaml:8:15: nodes.assistant.inputs.tools[0]: connects Tool nodes: write the name of a node of this "
        "flow here"
    ]


def test_wiring_a_node_of_the_wrong_class_is_an_error(failing: Failing) -> None:
    assert failing(files(CHATFLOW.replace("tools: [order_status_tool]", "tools: [model]"))) == [
        'chatflow.yaml:8:15: nodes.assistant.inputs.tools[0]: connects Tool nodes: "model" is a chatOpenAI node '
        "(ChatOpenAI, BaseChatOpenAI, BaseChatModel, BaseLanguageModel, Runnable)"
    ]


def test_a_list_anchor_given_one_node_is_an_error(failing: Failing) -> None:
    assert failing(files(CHATFLOW.replace("tools: [order_status_tool]", "tools: order_status_tool"))) == [
        "chatflow.yaml:8:14: nodes.assistant.inputs.tools: connects a list of nodes: write [order_status_tool]"
    ]


def test_an_unknown_flowise_assistant_is_an_error_with_the_closest_name(failing: Failing) -> None:
    chatflow = CHATFLOW.replace("selectedAssistant: support-openai", "selectedAssistant: support-opena")

    assert failing(files(chatflow)) == [
        'chatflow.yaml:7:26: nodes.assistant.inputs.selectedAssistant: unknown FlowiseAssistant "support-opena" '
        '(did you mean "support-openai"?)'
    ]


def test_an_assistant_node_selecting_a_custom_assistant_is_an_error_naming_it_and_what_works(
    failing: Failing,
) -> None:
    resources = RESOURCES + (
        "---\nkind: FlowiseAssistant\nname: support-custom\ntype: CUSTOM\ncredential: openai\n"
        "chat_model: {name: chatOpenAI, model: gpt-4o-mini}\n"
    )
    chatflow = CHATFLOW.replace("selectedAssistant: support-openai", "selectedAssistant: support-custom")

    assert failing(files(chatflow, resources)) == [
        'chatflow.yaml:7:26: nodes.assistant.inputs.selectedAssistant: FlowiseAssistant "support-custom" is of type '
        "CUSTOM, but the openAIAssistant node serves only OPENAI assistants (every prediction would fail in Flowise, "
        "on /assistants/undefined): select an OPENAI FlowiseAssistant, or chat with a CUSTOM assistant through the "
        "chatflow the Flowise editor saves for it, or build this chatflow as a CUSTOM assistant is built: a "
        "toolAgent node with a chat model, a memory and the customTool nodes"
    ]


def test_a_credential_of_another_component_is_an_error(failing: Failing) -> None:
    assert failing(files(CHATFLOW.replace("credential: openai", "credential: serper"))) == [
        'chatflow.yaml:14:17: nodes.model.credential: FlowiseCredential "serper" is a serperApi credential; '
        "chatOpenAI takes openAIApi"
    ]


def test_a_node_id_with_a_dash_is_an_error(failing: Failing) -> None:
    [line] = failing(files(CHATFLOW.replace("  model:", "  chat-model:")))

    assert line.startswith('chatflow.yaml:12:3: nodes.chat-model: a node id is a letter, then letters, digits and "_"')


def test_a_chatflow_needs_nodes_or_a_flow_file(failing: Failing) -> None:
    assert failing(files("kind: FlowiseChatflow\nname: empty\n")) == ['chatflow.yaml:1:1: needs "nodes" or "flow_file"']


def test_a_deprecated_node_is_a_warning_naming_its_replacement(load: Loader) -> None:
    project = load(files())

    assert warnings(project)[0] == (
        'chatflow.yaml:5:11: nodes.assistant.node: node "openAIAssistant" is deprecated in Flowise 3.1.4: OpenAI '
        "Assistant is deprecated and will be removed in a future release. Use Custom Assistant instead. "
        "(a FlowiseAssistant of type CUSTOM)"
    )


def test_a_function_no_wired_tool_node_provides_is_a_warning(load: Loader) -> None:
    resources = RESOURCES.replace(
        "[{function: get_order_status}]", "[{function: get_order_status}, {function: cancel_order}]"
    )

    project = load(files(resources=resources))

    assert warnings(project)[1:] == [
        'chatflow.yaml:8:14: nodes.assistant.inputs.tools: the Assistant "support" declares the function '
        "cancel_order, but no customTool node wired to assistant provides it (a FlowiseTool with function: "
        "cancel_order): Flowise removes the function from the assistant at every prediction"
    ]


def test_a_wired_tool_renamed_away_from_its_function_is_a_warning_naming_both_names(load: Loader) -> None:
    resources = RESOURCES.replace(
        "name: get_order_status\nfunction:", "name: order_tool\nmoved_from: FlowiseTool/get_order_status\nfunction:"
    )
    chatflow = CHATFLOW.replace("selectedTool: get_order_status", "selectedTool: order_tool")

    project = load(files(chatflow, resources))

    assert warnings(project)[1:] == [
        'chatflow.yaml:8:15: nodes.assistant.inputs.tools[0]: the Assistant "support" declares the function '
        "get_order_status, but the customTool node order_status_tool wired to assistant provides it under the name "
        '"order_tool" (FlowiseTool "order_tool"): Flowise writes the function as order_tool at every prediction, so '
        "every plan shows the assistant's tools drifting; name the FlowiseTool after its Function (get_order_status)"
    ]


def test_a_wired_tool_whose_display_name_differs_from_its_function_is_a_warning_naming_it(load: Loader) -> None:
    resources = RESOURCES.replace(
        "name: get_order_status\nfunction:", "name: get_order_status\ndisplay_name: Order status\nfunction:"
    )

    project = load(files(resources=resources))

    [_, warning] = warnings(project)
    assert 'provides it under the name "Order status" (FlowiseTool "get_order_status")' in warning


def test_an_assistant_node_without_tool_nodes_warns_about_every_function(load: Loader) -> None:
    chatflow = CHATFLOW.replace("      tools: [order_status_tool]\n", "")

    project = load(files(chatflow))

    [warning, deprecated] = warnings(project)
    assert "deprecated" in deprecated
    assert warning.startswith('chatflow.yaml:5:5: nodes.assistant: the Assistant "support" declares the function ')


def test_every_wired_function_gives_no_warning_beyond_the_deprecation(load: Loader) -> None:
    project = load(files())

    assert len(warnings(project)) == 1


def test_a_marketplace_flow_file_is_valid(load: Loader, project_dir: Path) -> None:
    shutil.copy(MARKETPLACE / "conversation-chain.json", project_dir / "flow.json")

    project = load(files("kind: FlowiseChatflow\nname: chain\nflow_file: flow.json\n"))

    assert project.resources["FlowiseChatflow/chain"].spec.flow is not None  # type: ignore[index, attr-defined]


def test_changing_a_node_the_flow_file_does_not_have_is_an_error(failing: Failing, project_dir: Path) -> None:
    shutil.copy(MARKETPLACE / "conversation-chain.json", project_dir / "flow.json")
    chatflow = "kind: FlowiseChatflow\nname: chain\nflow_file: flow.json\nnodes:\n  chatOpenAI_9:\n    inputs: {}\n"

    assert failing(files(chatflow)) == [
        'chatflow.yaml:5:3: nodes.chatOpenAI_9: the flow file has no node "chatOpenAI_9"; a new node needs "node"'
    ]


def test_a_flow_file_that_is_not_json_is_an_error(failing: Failing, project_dir: Path) -> None:
    (project_dir / "flow.json").write_text("{nodes: [", encoding="utf-8")

    [line] = failing(files("kind: FlowiseChatflow\nname: chain\nflow_file: flow.json\n"))

    assert line.startswith("chatflow.yaml:3:12: flow_file: is not JSON: ")


def test_validate_prints_warnings_as_file_line_col_and_succeeds(project_dir: Path) -> None:
    write_tree(project_dir, files())

    result = CliRunner().invoke(cli, ["--chdir", str(project_dir), "validate"])

    assert result.exit_code == 0
    assert 'chatflow.yaml:5:11: warning: nodes.assistant.node: node "openAIAssistant" is deprecated' in result.output
    assert "0 errors and 1 warning" in result.output
