"""An Assistant served by an OPENAI FlowiseAssistant, against the real Flowise: what Flowise rewrites on save and on
every chat (tool order, an empty description, function tools rebuilt from custom-tool rows without strict) plans as
no changes, with the state and without it."""

from __future__ import annotations

from typing import Any

import pytest

from assistplan.sandbox.testing import make_client

from .conftest import (
    OPENAI_CREDENTIAL,
    SECRET_ENV,
    SUPPORT_OPENAI,
    FlowiseProject,
    documents,
    order_status_tool,
    save_support_chatflow,
)

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

OPENAI_SIDE = """\
kind: Function
name: get_order_status
description: Look up the shipping status of an order.
strict: true
parameters:
  type: object
  properties:
    order_id: {type: string, description: The order number.}
  required: [order_id]
  additionalProperties: false
---
kind: Assistant
name: support
model: gpt-4o
instructions: You are Acme's support assistant.
tools:
  - code_interpreter
  - function: get_order_status
temperature: 0.2
"""

FLOWISE_SIDE = documents(OPENAI_CREDENTIAL, order_status_tool("get_order_status"), SUPPORT_OPENAI)


@pytest.fixture
def project(fproject: FlowiseProject, monkeypatch: pytest.MonkeyPatch) -> FlowiseProject:
    monkeypatch.setenv(SECRET_ENV, "sk-flowise-test")
    fproject.write("openai.yaml", OPENAI_SIDE)
    fproject.write("flowise.yaml", FLOWISE_SIDE)
    return fproject


def assert_no_changes(project: FlowiseProject) -> None:
    result = project.run("plan", "--detailed-exitcode")
    assert result.exit_code == 0, result.output


def chat(project: FlowiseProject) -> None:
    """Save a chatflow whose OpenAI Assistant node serves the assistant with the custom tool, and send it a
    question: the node rewrites the OpenAI assistant's tools before it starts a thread (which the sandbox, having no
    threads, refuses; the rewrite is what this test needs)."""
    chatflow_id = save_support_chatflow(project)
    with project.api() as api:
        api.post(f"/prediction/{chatflow_id}", json={"question": "Where is order A-1001?"})


def remote_tools(project: FlowiseProject) -> list[dict[str, Any]]:
    assistant = make_client(project.sandbox).beta.assistants.retrieve(project.remote_id("Assistant/support"))
    return [tool.model_dump(mode="json", exclude_none=True) for tool in assistant.tools]


def test_the_flowise_ui_tool_order_and_no_description_validate(project: FlowiseProject) -> None:
    assert project.run("validate").exit_code == 0


def test_a_served_assistant_plans_no_changes_after_flowise_saved_it(project: FlowiseProject) -> None:
    project.apply()

    assert [tool["type"] for tool in remote_tools(project)] == ["function", "code_interpreter"]
    assert_no_changes(project)
    project.state_path.unlink()
    assert_no_changes(project)


def test_a_conversation_rewrites_the_function_tools(project: FlowiseProject) -> None:
    project.apply()

    chat(project)

    [builtin, function] = remote_tools(project)
    assert builtin == {"type": "code_interpreter"}
    assert function["function"]["strict"] is False


def test_a_served_assistant_plans_no_changes_after_a_conversation(project: FlowiseProject) -> None:
    project.apply()
    chat(project)

    assert_no_changes(project)
    project.state_path.unlink()
    assert_no_changes(project)
