"""Chat completions through the real SDK: replies, memory from the messages array, tool calls and their round trip,
`tool_choice`, streamed chunks (text, tool calls, usage), and the request checks of the real API."""

from __future__ import annotations

import json
from typing import Any

import openai
import pytest

from assistplan.sandbox import SandboxServer

ORDER_TOOL: Any = {
    "type": "function",
    "function": {
        "name": "get_order_status",
        "description": "Look up the shipping status of an order.",
        "parameters": {
            "type": "object",
            "properties": {"order_id": {"type": "string"}},
            "required": ["order_id"],
        },
    },
}


def test_a_completion_answers_the_last_user_message(openai_client: openai.OpenAI) -> None:
    completion = openai_client.chat.completions.create(
        model="gpt-4o", messages=[{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hello"}]
    )

    [choice] = completion.choices
    assert (choice.message.content, choice.finish_reason, completion.model) == (
        "Sandbox reply to: Hello",
        "stop",
        "gpt-4o",
    )
    assert completion.usage is not None and completion.usage.prompt_tokens == 3


def test_memory_is_the_messages_array(openai_client: openai.OpenAI) -> None:
    messages: Any = [
        {"role": "user", "content": "My name is Alex."},
        {"role": "assistant", "content": "Noted: your name is Alex."},
        {"role": "user", "content": "What's my name?"},
    ]

    remembered = openai_client.chat.completions.create(model="gpt-4o", messages=messages)
    forgotten = openai_client.chat.completions.create(model="gpt-4o", messages=messages[2:])

    assert remembered.choices[0].message.content == "Your name is Alex."
    assert forgotten.choices[0].message.content == "I don't know your name yet."


def test_an_order_number_makes_the_model_call_the_function(openai_client: openai.OpenAI) -> None:
    completion = openai_client.chat.completions.create(
        model="gpt-4o", messages=[{"role": "user", "content": "Where is order A-1001?"}], tools=[ORDER_TOOL]
    )

    [choice] = completion.choices
    assert (choice.finish_reason, choice.message.content) == ("tool_calls", None)
    [call] = choice.message.tool_calls or []
    assert call.type == "function"
    assert (call.function.name, json.loads(call.function.arguments)) == ("get_order_status", {"order_id": "A-1001"})


def test_the_tool_output_is_used_in_the_reply(openai_client: openai.OpenAI) -> None:
    messages: Any = [
        {"role": "user", "content": "Where is order A-1001?"},
        {
            "role": "assistant",
            "tool_calls": [
                {
                    "id": "call_1",
                    "type": "function",
                    "function": {"name": "get_order_status", "arguments": '{"order_id": "A-1001"}'},
                }
            ],
        },
        {"role": "tool", "tool_call_id": "call_1", "content": "shipped"},
    ]

    completion = openai_client.chat.completions.create(model="gpt-4o", messages=messages, tools=[ORDER_TOOL])

    assert completion.choices[0].message.content == "get_order_status returned: shipped"


def test_a_tool_message_must_answer_a_tool_call(openai_client: openai.OpenAI) -> None:
    with pytest.raises(openai.BadRequestError, match="must be a response to a preceeding message with 'tool_calls'"):
        openai_client.chat.completions.create(
            model="gpt-4o", messages=[{"role": "tool", "tool_call_id": "call_1", "content": "shipped"}]
        )


def test_tool_choice_none_keeps_the_model_from_calling(openai_client: openai.OpenAI) -> None:
    completion = openai_client.chat.completions.create(
        model="gpt-4o",
        messages=[{"role": "user", "content": "Where is order A-1001?"}],
        tools=[ORDER_TOOL],
        tool_choice="none",
    )

    assert completion.choices[0].finish_reason == "stop"


def test_a_named_tool_choice_calls_that_function(openai_client: openai.OpenAI) -> None:
    completion = openai_client.chat.completions.create(
        model="gpt-4o",
        messages=[{"role": "user", "content": "Hello"}],
        tools=[ORDER_TOOL],
        tool_choice={"type": "function", "function": {"name": "get_order_status"}},
    )

    [call] = completion.choices[0].message.tool_calls or []
    assert call.type == "function" and (call.function.name, call.function.arguments) == ("get_order_status", "{}")


def test_a_streamed_completion_sends_the_text_in_chunks(openai_client: openai.OpenAI) -> None:
    stream = openai_client.chat.completions.create(
        model="gpt-4o", messages=[{"role": "user", "content": "Hello"}], stream=True
    )

    chunks = list(stream)

    assert "".join(c.choices[0].delta.content or "" for c in chunks) == "Sandbox reply to: Hello"
    assert (chunks[0].choices[0].delta.role, chunks[-1].choices[0].finish_reason) == ("assistant", "stop")
    assert all(chunk.object == "chat.completion.chunk" for chunk in chunks)


def test_a_streamed_tool_call_arrives_in_pieces(openai_client: openai.OpenAI) -> None:
    stream = openai_client.chat.completions.create(
        model="gpt-4o",
        messages=[{"role": "user", "content": "Where is order A-1001?"}],
        tools=[ORDER_TOOL],
        stream=True,
    )

    pieces = [call for chunk in stream for call in chunk.choices[0].delta.tool_calls or []]

    assert pieces[0].function is not None and pieces[0].function.name == "get_order_status"
    assert pieces[0].id is not None and pieces[0].id.startswith("call_")
    assert "".join(p.function.arguments or "" for p in pieces if p.function) == '{"order_id": "A-1001"}'


def test_a_streamed_completion_ends_with_the_usage_when_asked(openai_client: openai.OpenAI) -> None:
    stream = openai_client.chat.completions.create(
        model="gpt-4o",
        messages=[{"role": "user", "content": "Hello"}],
        stream=True,
        stream_options={"include_usage": True},
    )

    *_, last = list(stream)

    assert last.choices == [] and last.usage is not None
    assert (last.usage.prompt_tokens, last.usage.completion_tokens) == (1, 4)


def test_the_stream_helper_assembles_the_final_message(openai_client: openai.OpenAI) -> None:
    with openai_client.chat.completions.stream(
        model="gpt-4o", messages=[{"role": "user", "content": "Where is order A-1001?"}], tools=[ORDER_TOOL]
    ) as stream:
        final = stream.get_final_completion()

    [call] = final.choices[0].message.tool_calls or []
    assert call.type == "function" and call.function.arguments == '{"order_id": "A-1001"}'


def test_an_unknown_argument_is_refused(openai_client: openai.OpenAI) -> None:
    with pytest.raises(openai.BadRequestError, match="Unrecognized request argument supplied: colour"):
        openai_client.chat.completions.create(
            model="gpt-4o", messages=[{"role": "user", "content": "Hello"}], extra_body={"colour": "red"}
        )


def test_chat_completions_need_no_beta_header_and_serve_every_profile(
    sandbox_profile: str, openai_client: openai.OpenAI
) -> None:
    completion = openai_client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": "Hi"}])

    assert completion.choices[0].message.content == "Sandbox reply to: Hi"


def test_n_gives_that_many_choices(sandbox: SandboxServer, openai_client: openai.OpenAI) -> None:
    completion = openai_client.chat.completions.create(
        model="gpt-4o", messages=[{"role": "user", "content": "Hi"}], n=2
    )

    assert [choice.index for choice in completion.choices] == [0, 1]
