"""Request triggers: an action run at the Nth request, before the handler or after it committed, then a drop."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import openai
import pytest

from assistplan.sandbox import SandboxServer
from assistplan.sandbox.server import API_KEY


def test_before_trigger_runs_the_action_and_the_request_never_takes_effect(
    openai_client: openai.OpenAI, sandbox: SandboxServer
) -> None:
    trigger = sandbox.on_request(1, lambda: None, when="before")

    with pytest.raises(openai.APIConnectionError):
        openai_client.beta.agents.create(model="gpt-5.1")

    assert trigger.fired.is_set()
    assert openai_client.beta.agents.list().data == []


def test_after_trigger_runs_once_the_object_exists_and_the_response_is_lost(
    openai_client: openai.OpenAI, sandbox: SandboxServer
) -> None:
    names: list[list[str]] = []
    sandbox.on_request(
        1, lambda: names.append([row["name"] for row in sandbox.store.scan("agent", descending=False)]), when="after"
    )

    with pytest.raises(openai.APIConnectionError):
        openai_client.beta.agents.create(model="gpt-5.1", name="committed")

    assert names == [["committed"]]
    assert [agent.name for agent in openai_client.beta.agents.list()] == ["committed"]


def test_trigger_fires_on_the_nth_request_counted_from_registration(
    openai_client: openai.OpenAI, sandbox: SandboxServer
) -> None:
    openai_client.files.list()
    trigger = sandbox.on_request(3, lambda: None, when="before")

    openai_client.files.list()
    openai_client.files.list()
    assert not trigger.fired.is_set()
    with pytest.raises(openai.APIConnectionError):
        openai_client.files.list()

    assert trigger.fired.is_set()


def test_trigger_with_a_route_counts_only_that_route(openai_client: openai.OpenAI, sandbox: SandboxServer) -> None:
    trigger = sandbox.on_request(2, lambda: None, route="POST /agents", when="before")

    openai_client.beta.agents.create(model="gpt-5.1", name="first")
    openai_client.beta.agents.list()
    openai_client.files.list()
    with pytest.raises(openai.APIConnectionError):
        openai_client.beta.agents.create(model="gpt-5.1", name="second")

    assert trigger.fired.is_set()
    assert [agent.name for agent in openai_client.beta.agents.list()] == ["first"]


def test_trigger_fires_once(openai_client: openai.OpenAI, sandbox: SandboxServer) -> None:
    calls: list[None] = []
    sandbox.on_request(1, lambda: calls.append(None), when="before", then="answer")

    openai_client.files.list()
    openai_client.files.list()

    assert calls == [None]


def test_answer_after_trigger_sends_the_held_response(openai_client: openai.OpenAI, sandbox: SandboxServer) -> None:
    trigger = sandbox.on_request(1, lambda: None, when="after", then="answer")

    agent = openai_client.beta.agents.create(model="gpt-5.1", name="kept")

    assert trigger.fired.is_set()
    assert agent.name == "kept"


def test_two_triggers_due_on_one_request_fire_on_consecutive_requests(
    openai_client: openai.OpenAI, sandbox: SandboxServer
) -> None:
    order: list[str] = []
    sandbox.on_request(1, lambda: order.append("first"), when="before", then="answer")
    sandbox.on_request(1, lambda: order.append("second"), when="before", then="answer")

    openai_client.files.list()
    assert order == ["first"]
    openai_client.files.list()

    assert order == ["first", "second"]


def test_a_failing_action_still_drops_the_connection(openai_client: openai.OpenAI, sandbox: SandboxServer) -> None:
    def fail() -> None:
        raise RuntimeError("boom")

    trigger = sandbox.on_request(1, fail, when="before")

    with pytest.raises(openai.APIConnectionError):
        openai_client.files.list()
    assert trigger.fired.is_set()


def test_reset_clears_pending_triggers(openai_client: openai.OpenAI, sandbox: SandboxServer) -> None:
    trigger = sandbox.on_request(1, lambda: None, when="before")

    sandbox.reset()
    openai_client.files.list()

    assert not trigger.fired.is_set()


@pytest.mark.parametrize("n", [0, -1])
def test_trigger_counts_from_one(sandbox: SandboxServer, n: int) -> None:
    with pytest.raises(ValueError, match="counts requests from 1"):
        sandbox.on_request(n, lambda: None, when="before")


CREATE_THREE_AGENTS = """
import sys, openai
client = openai.OpenAI(base_url=sys.argv[1], api_key=sys.argv[2], max_retries=0)
for name in ("a", "b", "c"):
    client.beta.agents.create(model="gpt-5.1", name=name)
"""


def test_after_trigger_can_sigkill_a_client_process_once_its_second_create_committed(
    openai_client: openai.OpenAI, sandbox: SandboxServer
) -> None:
    child: list[subprocess.Popen[bytes]] = []
    sandbox.on_request(2, lambda: os.kill(child[0].pid, signal.SIGKILL), route="POST /agents", when="after")

    child.append(subprocess.Popen([sys.executable, "-c", CREATE_THREE_AGENTS, sandbox.base_url, API_KEY]))

    assert child[0].wait(timeout=30) == -signal.SIGKILL
    assert sorted(agent.name for agent in openai_client.beta.agents.list()) == ["a", "b"]
