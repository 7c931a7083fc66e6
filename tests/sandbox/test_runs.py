"""Runs through the real SDK and its helpers: create-and-poll, streaming with an event handler, the tool-call round
trip (polled and streamed), cancel, run steps, memory within a thread and not across threads, and the rules of the
real API for active runs."""

from __future__ import annotations

import json
from typing import Any

import openai
import pytest
from openai.lib.streaming import AssistantEventHandler
from openai.types.beta import AssistantStreamEvent
from openai.types.beta.threads import Run

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

ORDER_TOOL: Any = {
    "type": "function",
    "function": {
        "name": "get_order_status",
        "description": "Look up the shipping status of an order.",
        "parameters": {
            "type": "object",
            "properties": {"order_id": {"type": "string", "description": "The order number."}},
            "required": ["order_id"],
            "additionalProperties": False,
        },
        "strict": True,
    },
}


@pytest.fixture
def assistant_id(openai_client: openai.OpenAI) -> str:
    return openai_client.beta.assistants.create(
        model="gpt-4o", instructions="You are Acme's support assistant.", tools=[ORDER_TOOL]
    ).id


def ask(client: openai.OpenAI, assistant_id: str, thread_id: str, text: str) -> Run:
    client.beta.threads.messages.create(thread_id, role="user", content=text)
    return client.beta.threads.runs.create_and_poll(thread_id=thread_id, assistant_id=assistant_id)


def latest_reply(client: openai.OpenAI, thread_id: str) -> str:
    message = client.beta.threads.messages.list(thread_id, limit=1).data[0]
    assert message.role == "assistant" and message.content[0].type == "text"
    return message.content[0].text.value


class Recorder(AssistantEventHandler):
    """Keeps the events, the streamed text and the tool calls the handler saw."""

    def __init__(self) -> None:
        super().__init__()
        self.events: list[str] = []
        self.text = ""
        self.tool_calls: list[tuple[str, str]] = []

    def on_event(self, event: AssistantStreamEvent) -> None:
        self.events.append(event.event)

    def on_text_delta(self, delta: Any, snapshot: Any) -> None:
        self.text += delta.value or ""

    def on_tool_call_done(self, tool_call: Any) -> None:
        self.tool_calls.append((tool_call.function.name, tool_call.function.arguments))


def test_create_and_run_poll_answers_with_a_completed_run(openai_client: openai.OpenAI, assistant_id: str) -> None:
    run = openai_client.beta.threads.create_and_run_poll(
        assistant_id=assistant_id, thread={"messages": [{"role": "user", "content": "Hello"}]}
    )

    assert (run.status, run.model, run.instructions) == ("completed", "gpt-4o", "You are Acme's support assistant.")
    assert run.usage is not None and run.usage.total_tokens > 0
    assert latest_reply(openai_client, run.thread_id) == "Sandbox reply to: Hello"


def test_a_run_is_created_queued(openai_client: openai.OpenAI, assistant_id: str) -> None:
    thread = openai_client.beta.threads.create(messages=[{"role": "user", "content": "Hello"}])

    run = openai_client.beta.threads.runs.create(thread.id, assistant_id=assistant_id)

    assert (run.status, run.tools[0].type, run.tool_choice, run.parallel_tool_calls) == (
        "queued",
        "function",
        "auto",
        True,
    )


def test_the_reply_is_a_message_of_the_run(openai_client: openai.OpenAI, assistant_id: str) -> None:
    thread = openai_client.beta.threads.create()
    run = ask(openai_client, assistant_id, thread.id, "Hello")

    [message] = openai_client.beta.threads.messages.list(thread.id, run_id=run.id).data

    assert (message.role, message.run_id, message.assistant_id) == ("assistant", run.id, assistant_id)


def test_a_thread_remembers_what_the_user_said(openai_client: openai.OpenAI, assistant_id: str) -> None:
    thread = openai_client.beta.threads.create()
    ask(openai_client, assistant_id, thread.id, "My name is Alex.")

    ask(openai_client, assistant_id, thread.id, "What's my name?")

    assert latest_reply(openai_client, thread.id) == "Your name is Alex."


def test_another_thread_does_not_remember(openai_client: openai.OpenAI, assistant_id: str) -> None:
    ask(openai_client, assistant_id, openai_client.beta.threads.create().id, "My name is Alex.")
    other = openai_client.beta.threads.create()

    ask(openai_client, assistant_id, other.id, "What's my name?")

    assert latest_reply(openai_client, other.id) == "I don't know your name yet."


def test_an_order_number_makes_the_run_call_the_function(openai_client: openai.OpenAI, assistant_id: str) -> None:
    thread = openai_client.beta.threads.create()

    run = ask(openai_client, assistant_id, thread.id, "Where is order A-1001?")

    assert run.status == "requires_action" and run.required_action is not None
    [call] = run.required_action.submit_tool_outputs.tool_calls
    assert (call.function.name, json.loads(call.function.arguments)) == ("get_order_status", {"order_id": "A-1001"})


def test_the_tool_output_is_used_in_the_reply(openai_client: openai.OpenAI, assistant_id: str) -> None:
    thread = openai_client.beta.threads.create()
    run = ask(openai_client, assistant_id, thread.id, "Where is order A-1001?")
    assert run.required_action is not None
    [call] = run.required_action.submit_tool_outputs.tool_calls

    done = openai_client.beta.threads.runs.submit_tool_outputs_and_poll(
        run_id=run.id, thread_id=thread.id, tool_outputs=[{"tool_call_id": call.id, "output": "shipped"}]
    )

    assert done.status == "completed"
    assert latest_reply(openai_client, thread.id) == "get_order_status returned: shipped"


def test_the_run_steps_record_the_call_and_the_reply(openai_client: openai.OpenAI, assistant_id: str) -> None:
    thread = openai_client.beta.threads.create()
    run = ask(openai_client, assistant_id, thread.id, "Where is order A-1001?")
    assert run.required_action is not None
    [call] = run.required_action.submit_tool_outputs.tool_calls
    openai_client.beta.threads.runs.submit_tool_outputs_and_poll(
        run_id=run.id, thread_id=thread.id, tool_outputs=[{"tool_call_id": call.id, "output": "shipped"}]
    )

    steps = openai_client.beta.threads.runs.steps.list(run.id, thread_id=thread.id, order="asc").data

    assert [(s.type, s.status) for s in steps] == [("tool_calls", "completed"), ("message_creation", "completed")]
    details = steps[0].step_details
    assert details.type == "tool_calls" and details.tool_calls[0].type == "function"
    assert details.tool_calls[0].function.output == "shipped"


def test_every_tool_call_needs_an_output(openai_client: openai.OpenAI, assistant_id: str) -> None:
    thread = openai_client.beta.threads.create()
    run = ask(openai_client, assistant_id, thread.id, "Where is order A-1001?")

    with pytest.raises(openai.BadRequestError, match="Expected tool outputs for call_ids"):
        openai_client.beta.threads.runs.submit_tool_outputs(run.id, thread_id=thread.id, tool_outputs=[])


def test_a_run_waiting_for_tool_outputs_can_be_cancelled(openai_client: openai.OpenAI, assistant_id: str) -> None:
    thread = openai_client.beta.threads.create()
    run = ask(openai_client, assistant_id, thread.id, "Where is order A-1001?")

    answer = openai_client.beta.threads.runs.cancel(run.id, thread_id=thread.id)

    assert answer.status == "cancelling"
    assert openai_client.beta.threads.runs.retrieve(run.id, thread_id=thread.id).status == "cancelled"


def test_a_completed_run_cannot_be_cancelled(openai_client: openai.OpenAI, assistant_id: str) -> None:
    thread = openai_client.beta.threads.create()
    run = ask(openai_client, assistant_id, thread.id, "Hello")

    with pytest.raises(openai.BadRequestError, match="Cannot cancel run with status 'completed'"):
        openai_client.beta.threads.runs.cancel(run.id, thread_id=thread.id)


def test_an_active_run_blocks_new_messages_and_runs(openai_client: openai.OpenAI, assistant_id: str) -> None:
    thread = openai_client.beta.threads.create()
    run = ask(openai_client, assistant_id, thread.id, "Where is order A-1001?")

    with pytest.raises(openai.BadRequestError, match=f"while a run {run.id} is active"):
        openai_client.beta.threads.messages.create(thread.id, role="user", content="Hello?")
    with pytest.raises(openai.BadRequestError, match=f"already has an active run {run.id}"):
        openai_client.beta.threads.runs.create(thread.id, assistant_id=assistant_id)


def test_runs_list_newest_first(openai_client: openai.OpenAI, assistant_id: str) -> None:
    thread = openai_client.beta.threads.create()
    runs = [ask(openai_client, assistant_id, thread.id, text).id for text in ("one", "two", "three")]

    assert [r.id for r in openai_client.beta.threads.runs.list(thread.id)] == runs[::-1]


def test_a_streamed_run_gives_the_handler_the_reply(openai_client: openai.OpenAI, assistant_id: str) -> None:
    thread = openai_client.beta.threads.create(messages=[{"role": "user", "content": "Hello"}])
    handler = Recorder()

    with openai_client.beta.threads.runs.stream(
        thread_id=thread.id, assistant_id=assistant_id, event_handler=handler
    ) as stream:
        stream.until_done()

    assert handler.text == "Sandbox reply to: Hello"
    assert handler.current_run is not None and handler.current_run.status == "completed"
    assert handler.events == [
        "thread.run.created",
        "thread.run.queued",
        "thread.run.in_progress",
        "thread.run.step.created",
        "thread.run.step.in_progress",
        "thread.message.created",
        "thread.message.in_progress",
        "thread.message.delta",
        "thread.message.completed",
        "thread.run.step.completed",
        "thread.run.completed",
    ]


def test_a_streamed_tool_call_round_trip(openai_client: openai.OpenAI, assistant_id: str) -> None:
    thread = openai_client.beta.threads.create(messages=[{"role": "user", "content": "Where is order A-1001?"}])
    asking = Recorder()
    with openai_client.beta.threads.runs.stream(
        thread_id=thread.id, assistant_id=assistant_id, event_handler=asking
    ) as stream:
        stream.until_done()
    run = asking.current_run
    assert run is not None and run.status == "requires_action" and run.required_action is not None
    [call] = run.required_action.submit_tool_outputs.tool_calls
    answering = Recorder()

    with openai_client.beta.threads.runs.submit_tool_outputs_stream(
        run_id=run.id,
        thread_id=thread.id,
        tool_outputs=[{"tool_call_id": call.id, "output": "shipped"}],
        event_handler=answering,
    ) as stream:
        stream.until_done()

    assert asking.tool_calls == [("get_order_status", '{"order_id": "A-1001"}')]
    assert asking.events[-1] == "thread.run.requires_action"
    assert answering.text == "get_order_status returned: shipped"
    assert answering.events[:2] == ["thread.run.step.completed", "thread.run.queued"]


def test_create_and_run_streams_the_new_thread_first(openai_client: openai.OpenAI, assistant_id: str) -> None:
    handler = Recorder()

    with openai_client.beta.threads.create_and_run_stream(
        assistant_id=assistant_id, thread={"messages": [{"role": "user", "content": "Hello"}]}, event_handler=handler
    ) as stream:
        stream.until_done()

    assert handler.events[:2] == ["thread.created", "thread.run.created"]
    assert handler.text == "Sandbox reply to: Hello"


def test_a_run_for_an_unknown_assistant_is_refused(openai_client: openai.OpenAI) -> None:
    thread = openai_client.beta.threads.create()

    with pytest.raises(openai.NotFoundError, match="No assistant found with id 'asst_missing'"):
        openai_client.beta.threads.runs.create(thread.id, assistant_id="asst_missing")


def test_tool_choice_none_keeps_the_model_from_calling(openai_client: openai.OpenAI, assistant_id: str) -> None:
    thread = openai_client.beta.threads.create(messages=[{"role": "user", "content": "Where is order A-1001?"}])

    run = openai_client.beta.threads.runs.create_and_poll(
        thread_id=thread.id, assistant_id=assistant_id, tool_choice="none"
    )

    assert run.status == "completed"
