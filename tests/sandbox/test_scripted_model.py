"""The scripted model's rules, seen through chat completions and agent sessions: exact replies (queued, by pattern,
as tool calls) set through `/_sandbox/replies`, how function arguments are read from a message by their schema, and
what it remembers."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import openai

from .conftest import RawResponse


def say(client: openai.OpenAI, *texts: str, tools: Any = openai.omit) -> Any:
    """The reply to the user messages `texts` (a conversation of user messages only)."""
    messages: Any = [{"role": "user", "content": text} for text in texts]
    return client.chat.completions.create(model="gpt-4o", messages=messages, tools=tools).choices[0].message


def function(name: str, properties: dict[str, Any], required: list[str] | None = None) -> Any:
    parameters: dict[str, Any] = {"type": "object", "properties": properties}
    if required is not None:
        parameters["required"] = required
    return {"type": "function", "function": {"name": name, "parameters": parameters}}


def arguments(message: Any) -> list[tuple[str, Any]]:
    return [(call.function.name, json.loads(call.function.arguments)) for call in message.tool_calls or []]


def test_queued_replies_are_used_in_order_then_the_rules_resume(
    openai_client: openai.OpenAI, control: Callable[..., Any]
) -> None:
    control("POST", "replies", {"queue": ["First.", "Second."]})

    replies = [say(openai_client, "Hello").content for _ in range(3)]

    assert replies == ["First.", "Second.", "Sandbox reply to: Hello"]


def test_a_pattern_reply_answers_every_matching_message(
    openai_client: openai.OpenAI, control: Callable[..., Any]
) -> None:
    control("POST", "replies", {"patterns": {r"opening hours": "We open at 9."}})

    assert say(openai_client, "What are your Opening Hours?").content == "We open at 9."
    assert say(openai_client, "What are your opening hours today?").content == "We open at 9."
    assert say(openai_client, "Hello").content == "Sandbox reply to: Hello"


def test_a_scripted_reply_can_call_a_function(openai_client: openai.OpenAI, control: Callable[..., Any]) -> None:
    reply = {"tool_calls": [{"name": "get_order_status", "arguments": {"order_id": "B-2"}}]}
    control("POST", "replies", {"queue": [reply]})

    message = say(openai_client, "Hello", tools=[function("get_order_status", {"order_id": {"type": "string"}})])

    assert arguments(message) == [("get_order_status", {"order_id": "B-2"})]


def test_scripted_replies_read_back_and_can_be_forgotten(control: Callable[..., Any]) -> None:
    control("POST", "replies", {"queue": ["Hi."], "patterns": {"bye": "Goodbye."}})

    assert control("GET", "replies") == {"queue": ["Hi."], "patterns": {"bye": "Goodbye."}}
    assert control("DELETE", "replies") == {"queue": [], "patterns": {}}


def test_a_reset_forgets_the_scripted_replies(control: Callable[..., Any]) -> None:
    control("POST", "replies", {"queue": ["Hi."]})

    control("POST", "reset")

    assert control("GET", "replies") == {"queue": [], "patterns": {}}


def test_an_invalid_pattern_is_refused(raw: Callable[..., RawResponse]) -> None:
    response = raw("POST", "/_sandbox/replies", body=json.dumps({"patterns": {"(": "x"}}).encode())

    assert response.status == 400
    assert "is not a regular expression" in response.body["error"]["message"]


def test_an_integer_parameter_takes_the_first_number(openai_client: openai.OpenAI) -> None:
    tool = function("reserve", {"seats": {"type": "integer"}}, ["seats"])

    assert arguments(say(openai_client, "A table for 4 please", tools=[tool])) == [("reserve", {"seats": 4})]


def test_an_enum_parameter_takes_the_value_named(openai_client: openai.OpenAI) -> None:
    tool = function("set_plan", {"plan": {"type": "string", "enum": ["basic", "premium"]}}, ["plan"])

    assert arguments(say(openai_client, "Switch me to Premium", tools=[tool])) == [("set_plan", {"plan": "premium"})]


def test_a_pattern_parameter_takes_the_first_match(openai_client: openai.OpenAI) -> None:
    tool = function("track", {"parcel": {"type": "string", "pattern": "^PX[0-9]{3}$"}}, ["parcel"])

    message = say(openai_client, "Order 12 came as PX123", tools=[tool])

    assert arguments(message) == [("track", {"parcel": "PX123"})]


def test_an_email_parameter_takes_the_address(openai_client: openai.OpenAI) -> None:
    tool = function("subscribe", {"email": {"type": "string", "format": "email"}}, ["email"])

    message = say(openai_client, "Sign up alex@example.com", tools=[tool])

    assert arguments(message) == [("subscribe", {"email": "alex@example.com"})]


def test_no_call_when_a_required_parameter_is_not_in_the_message(openai_client: openai.OpenAI) -> None:
    tool = function("get_order_status", {"order_id": {"type": "string"}}, ["order_id"])

    message = say(openai_client, "Where is my order?", tools=[tool])

    assert (message.tool_calls, message.content) == (None, "Sandbox reply to: Where is my order?")


def test_every_function_given_its_arguments_is_called(openai_client: openai.OpenAI) -> None:
    tools = [
        function("get_order_status", {"order_id": {"type": "string"}}, ["order_id"]),
        function("reserve", {"seats": {"type": "integer"}}, ["seats"]),
        function("set_plan", {"plan": {"type": "string", "enum": ["basic"]}}, ["plan"]),
    ]

    message = say(openai_client, "Order A-7, 3 seats", tools=tools)

    assert arguments(message) == [("get_order_status", {"order_id": "A-7"}), ("reserve", {"seats": 3})]


def test_the_latest_statement_of_a_fact_wins(openai_client: openai.OpenAI) -> None:
    message = say(
        openai_client, "My favourite colour is blue", "My favourite colour is green", "What is my favourite colour?"
    )

    assert message.content == "Your favourite colour is green."


def test_call_me_states_the_name(openai_client: openai.OpenAI) -> None:
    assert say(openai_client, "Call me Sam.", "Do you remember my name?").content == "Your name is Sam."


def test_a_statement_is_acknowledged(openai_client: openai.OpenAI) -> None:
    assert say(openai_client, "My name is Alex.").content == "Noted: your name is Alex."


def test_a_session_remembers_earlier_turns(openai_client: openai.OpenAI) -> None:
    agent = openai_client.beta.agents.create(model="gpt-5", name="support")
    session = openai_client.beta.agents.sessions.create(
        agent_id=agent.id, environment={"type": "none"}, input="My name is Alex."
    )
    message = {"role": "user", "content": [{"type": "input_text", "text": "What's my name?"}]}

    openai_client.beta.agents.sessions.events.create(
        session.id, events=[{"type": "agent.session.input.message", "input": [message]}]
    )

    latest = next(iter(openai_client.beta.agents.sessions.items.list(session.id, order="desc")))
    assert latest.output_text == "Your name is Alex."


def test_another_session_does_not_remember(openai_client: openai.OpenAI) -> None:
    agent = openai_client.beta.agents.create(model="gpt-5", name="support")
    openai_client.beta.agents.sessions.create(agent_id=agent.id, environment={"type": "none"}, input="My name is Alex.")

    other = openai_client.beta.agents.sessions.create(
        agent_id=agent.id, environment={"type": "none"}, input="What's my name?", stream=True
    )

    assert other.get_final_result().output_text == "I don't know your name yet."
