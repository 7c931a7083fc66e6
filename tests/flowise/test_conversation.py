"""The seed conversation through a real Flowise whose OpenAI calls go to the sandbox: a chatflow with the OpenAI
Assistant node serving an Assistant with the order-status tool remembers within one chat session and not across
sessions, and answers an order look-up by running the tool; Flowise's marketplace "Conversation Chain" (a ChatOpenAI
node with buffer memory, over chat completions) remembers within a session too."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from . import server as flowise_server
from .conftest import (
    GET_ORDER_STATUS,
    OPENAI_CREDENTIAL,
    SECRET_ENV,
    SUPPORT_ASSISTANT,
    SUPPORT_OPENAI,
    FlowiseProject,
    documents,
    order_status_tool,
    save_support_chatflow,
)

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

MARKETPLACE = Path("node_modules", "flowise", "marketplaces", "chatflows")

MANIFESTS = documents(
    GET_ORDER_STATUS, SUPPORT_ASSISTANT, OPENAI_CREDENTIAL, order_status_tool("get_order_status"), SUPPORT_OPENAI
)


@pytest.fixture
def chatflow_id(fproject: FlowiseProject, monkeypatch: pytest.MonkeyPatch) -> str:
    """The id of a saved chatflow whose OpenAI Assistant node serves `support` with the order-status tool node."""
    monkeypatch.setenv(SECRET_ENV, "sk-flowise-test")
    fproject.write("seed.yaml", MANIFESTS)
    fproject.apply()
    return save_support_chatflow(fproject)


@pytest.fixture
def conversation_chain_id(fproject: FlowiseProject, monkeypatch: pytest.MonkeyPatch) -> str:
    """The id of Flowise's own "Conversation Chain" template, its ChatOpenAI node using the declared credential and
    not streaming (streamed, LangChain estimates the token usage with a tokenizer it downloads, which hangs offline)."""
    monkeypatch.setenv(SECRET_ENV, "sk-flowise-test")
    fproject.write("credential.yaml", OPENAI_CREDENTIAL)
    fproject.apply()
    template = flowise_server.install_home() / MARKETPLACE / "Conversation Chain.json"
    flow: dict[str, Any] = json.loads(template.read_text(encoding="utf-8"))
    for node in flow["nodes"]:
        if node["data"]["name"] == "chatOpenAI":
            node["data"]["credential"] = fproject.remote_id("FlowiseCredential/openai")
            node["data"]["inputs"]["streaming"] = False
    flow_data = {"nodes": flow["nodes"], "edges": flow["edges"]}
    with fproject.api() as api:
        saved = api.post("/chatflows", json={"name": "chain", "type": "CHATFLOW", "flowData": json.dumps(flow_data)})
        saved.raise_for_status()
    return str(saved.json()["id"])


def ask(project: FlowiseProject, chatflow_id: str, session: str, question: str) -> dict[str, Any]:
    with project.api() as api:
        answer = api.post(
            f"/prediction/{chatflow_id}", json={"question": question, "overrideConfig": {"sessionId": session}}
        )
    assert answer.status_code == 200, answer.text
    reply: dict[str, Any] = answer.json()
    return reply


def test_one_session_remembers_the_name(fproject: FlowiseProject, chatflow_id: str) -> None:
    ask(fproject, chatflow_id, "alex", "My name is Alex.")

    reply = ask(fproject, chatflow_id, "alex", "What's my name?")

    assert reply["text"] == "Your name is Alex."


def test_another_session_does_not_remember(fproject: FlowiseProject, chatflow_id: str) -> None:
    ask(fproject, chatflow_id, "alex", "My name is Alex.")

    reply = ask(fproject, chatflow_id, "someone-else", "What's my name?")

    assert reply["text"] == "I don't know your name yet."


def test_an_order_look_up_runs_the_tool(fproject: FlowiseProject, chatflow_id: str) -> None:
    reply = ask(fproject, chatflow_id, "orders", "Where is order A-1001?")

    assert reply["text"] == "get_order_status returned: shipped"
    assert [(used["tool"], used["toolInput"]) for used in reply["usedTools"]] == [
        ("get_order_status", {"order_id": "A-1001"})
    ]


def test_a_conversation_chain_remembers_within_its_session(
    fproject: FlowiseProject, conversation_chain_id: str
) -> None:
    ask(fproject, conversation_chain_id, "alex", "My name is Alex.")

    remembered = ask(fproject, conversation_chain_id, "alex", "What's my name?")
    forgotten = ask(fproject, conversation_chain_id, "someone-else", "What's my name?")

    assert (remembered["text"], forgotten["text"]) == ("Your name is Alex.", "I don't know your name yet.")
