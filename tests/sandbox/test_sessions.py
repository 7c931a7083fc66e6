"""Sessions (beta), the part a smoke test needs: start a session for a saved agent, run a turn, read the reply
streamed or from the items, send a second turn, delete. The reply is the sandbox's fixed answer to the input."""

from __future__ import annotations

from collections.abc import Callable

import openai
import pytest

from .conftest import RawResponse


@pytest.fixture
def agent_id(openai_client: openai.OpenAI) -> str:
    return openai_client.beta.agents.create(model="gpt-5", name="support").id


def test_streamed_create_gives_the_final_result(openai_client: openai.OpenAI, agent_id: str) -> None:
    stream = openai_client.beta.agents.sessions.create(
        agent_id=agent_id, environment={"type": "none"}, input="ping", stream=True
    )

    result = stream.get_final_result()

    assert result.output_text == "Sandbox reply to: ping"
    assert result.turn.status == "completed"


def test_streamed_events_arrive_in_the_order_a_turn_takes(openai_client: openai.OpenAI, agent_id: str) -> None:
    stream = openai_client.beta.agents.sessions.create(
        agent_id=agent_id, environment={"type": "none"}, input="ping", stream=True
    )

    kinds = [event.type for event in stream]

    assert kinds == [
        "agent.session.created",
        "agent.session.turn.created",
        "agent.session.turn.item.done",
        "agent.session.turn.completed",
        "agent.session.idle",
    ]


def test_create_without_stream_answers_an_idle_session_with_a_completed_turn(
    openai_client: openai.OpenAI, agent_id: str
) -> None:
    session = openai_client.beta.agents.sessions.create(
        agent_id=agent_id, environment={"type": "none"}, input="ping", metadata={"assistplan.smoke": "run-1"}
    )

    turns = list(openai_client.beta.agents.sessions.turns.list(session.id))
    assert (session.status, session.agent.id, session.metadata) == ("idle", agent_id, {"assistplan.smoke": "run-1"})
    assert [turn.status for turn in turns] == ["completed"]


def test_items_newest_first_start_with_the_final_answer(openai_client: openai.OpenAI, agent_id: str) -> None:
    session = openai_client.beta.agents.sessions.create(agent_id=agent_id, environment={"type": "none"}, input="ping")

    items = list(openai_client.beta.agents.sessions.items.list(session.id, order="desc"))

    answer = next(i for i in items if i.type == "message" and i.role == "assistant" and i.phase == "final_answer")
    assert answer.output_text == "Sandbox reply to: ping"
    assert [(i.type, i.role) for i in items] == [("message", "assistant"), ("message", "user")]


def test_a_hosted_session_does_not_echo_its_template(openai_client: openai.OpenAI, agent_id: str) -> None:
    environment = {"type": "openai_hosted", "environment_template_id": "envtpl_1"}

    session = openai_client.beta.agents.sessions.create(agent_id=agent_id, environment=environment, input="ping")

    assert session.environment.type == "openai_hosted"
    assert "environment_template_id" not in session.environment.to_dict()


def test_posting_input_runs_a_second_turn(openai_client: openai.OpenAI, agent_id: str) -> None:
    session = openai_client.beta.agents.sessions.create(agent_id=agent_id, environment={"type": "none"}, input="ping")
    message = {"role": "user", "content": [{"type": "input_text", "text": "ping again"}]}

    openai_client.beta.agents.sessions.events.create(
        session.id, events=[{"type": "agent.session.input.message", "input": [message]}]
    )

    turns = list(openai_client.beta.agents.sessions.turns.list(session.id))
    latest = next(iter(openai_client.beta.agents.sessions.items.list(session.id, order="desc")))
    assert [turn.status for turn in turns] == ["completed", "completed"]
    assert latest.output_text == "Sandbox reply to: ping again"


def test_posting_input_answers_202_with_an_empty_body(
    openai_client: openai.OpenAI, agent_id: str, raw: Callable[..., RawResponse]
) -> None:
    session = openai_client.beta.agents.sessions.create(agent_id=agent_id, environment={"type": "none"}, input="ping")
    body = b'{"events":[{"type":"agent.session.input.message","input":"again"}]}'
    headers = {"Authorization": "Bearer sk-test", "OpenAI-Beta": "agents=v1", "Content-Type": "application/json"}

    response = raw("POST", f"/v1/agents/sessions/{session.id}/events", body=body, headers=headers)

    assert (response.status, response.body) == (202, None)


def test_a_turn_items_list_holds_only_that_turn(openai_client: openai.OpenAI, agent_id: str) -> None:
    session = openai_client.beta.agents.sessions.create(agent_id=agent_id, environment={"type": "none"}, input="one")
    openai_client.beta.agents.sessions.events.create(
        session.id, events=[{"type": "agent.session.input.message", "input": "two"}]
    )
    first = next(iter(openai_client.beta.agents.sessions.turns.list(session.id, order="asc")))

    items = list(openai_client.beta.agents.sessions.turns.items.list(first.id, session_id=session.id))

    assert {i.turn_id for i in items} == {first.id}


def test_an_unknown_agent_is_not_found(openai_client: openai.OpenAI) -> None:
    with pytest.raises(openai.NotFoundError, match="No agent found with id 'agent_missing'"):
        openai_client.beta.agents.sessions.create(agent_id="agent_missing", environment={"type": "none"}, input="x")


def test_input_is_required_without_an_environment(openai_client: openai.OpenAI, agent_id: str) -> None:
    with pytest.raises(openai.BadRequestError, match="Missing required parameter: 'input'"):
        openai_client.beta.agents.sessions.create(agent_id=agent_id, environment={"type": "none"})


def test_list_filters_by_agent_and_metadata(openai_client: openai.OpenAI, agent_id: str) -> None:
    other = openai_client.beta.agents.create(model="gpt-5").id
    mine = openai_client.beta.agents.sessions.create(
        agent_id=agent_id, environment={"type": "none"}, input="x", metadata={"run": "1"}
    )
    openai_client.beta.agents.sessions.create(agent_id=agent_id, environment={"type": "none"}, input="x")
    openai_client.beta.agents.sessions.create(agent_id=other, environment={"type": "none"}, input="x")

    listed = openai_client.beta.agents.sessions.list(agent_id=agent_id, metadata={"run": "1"})

    assert [s.id for s in listed] == [mine.id]


def test_delete_removes_the_session(openai_client: openai.OpenAI, agent_id: str) -> None:
    session = openai_client.beta.agents.sessions.create(agent_id=agent_id, environment={"type": "none"}, input="x")

    answer = openai_client.beta.agents.sessions.delete(session.id)

    assert (answer.id, answer.object, answer.deleted) == (session.id, "agent.session.deleted", True)
    with pytest.raises(openai.NotFoundError):
        openai_client.beta.agents.sessions.retrieve(session.id)
