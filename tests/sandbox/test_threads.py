"""Threads and their messages through the real SDK: create with initial messages, retrieve, update, delete; add,
list (newest first, paginated, by run), retrieve and update messages; the beta header and the `openai` profile."""

from __future__ import annotations

from collections.abc import Callable

import openai
import pytest

from assistplan.sandbox import SandboxServer

from .conftest import RawResponse

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def test_a_thread_is_created_with_its_initial_messages(openai_client: openai.OpenAI) -> None:
    thread = openai_client.beta.threads.create(
        messages=[{"role": "user", "content": "Hello"}, {"role": "assistant", "content": "Hi there"}],
        metadata={"chat": "c-1"},
    )

    listed = openai_client.beta.threads.messages.list(thread.id, order="asc")

    assert (thread.object, thread.metadata) == ("thread", {"chat": "c-1"})
    assert [(m.role, m.content[0].text.value) for m in listed.data if m.content[0].type == "text"] == [
        ("user", "Hello"),
        ("assistant", "Hi there"),
    ]


def test_a_thread_reads_back_as_created(openai_client: openai.OpenAI) -> None:
    thread = openai_client.beta.threads.create()

    assert openai_client.beta.threads.retrieve(thread.id) == thread


def test_a_thread_update_replaces_its_metadata(openai_client: openai.OpenAI) -> None:
    thread = openai_client.beta.threads.create(metadata={"a": "1"})

    updated = openai_client.beta.threads.update(thread.id, metadata={"b": "2"})

    assert updated.metadata == {"b": "2"}


def test_a_deleted_thread_is_gone_with_its_messages(openai_client: openai.OpenAI) -> None:
    thread = openai_client.beta.threads.create(messages=[{"role": "user", "content": "Hello"}])

    answer = openai_client.beta.threads.delete(thread.id)

    assert (answer.id, answer.object, answer.deleted) == (thread.id, "thread.deleted", True)
    with pytest.raises(openai.NotFoundError, match=f"No thread found with id '{thread.id}'"):
        openai_client.beta.threads.messages.list(thread.id)


def test_a_message_content_reads_back_as_text_parts(openai_client: openai.OpenAI) -> None:
    thread = openai_client.beta.threads.create()

    message = openai_client.beta.threads.messages.create(
        thread.id, role="user", content=[{"type": "text", "text": "Where is my order?"}], metadata={"k": "v"}
    )

    assert message.content[0].model_dump() == {
        "type": "text",
        "text": {"value": "Where is my order?", "annotations": []},
    }
    assert (message.thread_id, message.run_id, message.assistant_id, message.status) == (
        thread.id,
        None,
        None,
        "completed",
    )
    assert openai_client.beta.threads.messages.retrieve(message.id, thread_id=thread.id) == message


def test_messages_list_newest_first_and_paginate(openai_client: openai.OpenAI) -> None:
    thread = openai_client.beta.threads.create()
    sent = [openai_client.beta.threads.messages.create(thread.id, role="user", content=f"m{i}").id for i in range(5)]

    first = openai_client.beta.threads.messages.list(thread.id, limit=2)
    everything = [m.id for m in openai_client.beta.threads.messages.list(thread.id, limit=2)]

    assert ([m.id for m in first.data], first.has_more) == (sent[:-3:-1], True)
    assert everything == sent[::-1]


def test_a_message_update_replaces_its_metadata(openai_client: openai.OpenAI) -> None:
    thread = openai_client.beta.threads.create()
    message = openai_client.beta.threads.messages.create(thread.id, role="user", content="hi", metadata={"a": "1"})

    updated = openai_client.beta.threads.messages.update(message.id, thread_id=thread.id, metadata={"b": "2"})

    assert updated.metadata == {"b": "2"}


def test_a_message_needs_a_known_role(openai_client: openai.OpenAI) -> None:
    thread = openai_client.beta.threads.create()

    with pytest.raises(openai.BadRequestError) as caught:
        openai_client.beta.threads.messages.create(thread.id, role="system", content="hi")  # type: ignore[arg-type]

    assert caught.value.param == "role"


def test_threads_need_the_assistants_beta_header(raw: Callable[..., RawResponse]) -> None:
    response = raw("POST", "/v1/threads", body=b"{}", headers={"Authorization": "Bearer sk-x"})

    assert response.status == 400
    assert response.body["error"]["code"] == "invalid_beta"


def test_the_openai_profile_has_no_threads(sandbox: SandboxServer, openai_client: openai.OpenAI) -> None:
    sandbox.settings.profile = "openai"

    with pytest.raises(openai.NotFoundError, match=r"Invalid URL \(POST /v1/threads\)"):
        openai_client.beta.threads.create()
