"""List pagination: `after`, `before`, `limit`, `order`, `has_more`, `first_id` / `last_id`, and SDK auto-paging."""

from __future__ import annotations

import openai
import pytest

from assistplan.sandbox import SandboxServer


@pytest.fixture
def agent_ids(openai_client: openai.OpenAI) -> list[str]:
    """Five agents, oldest first."""
    return [openai_client.beta.agents.create(model="gpt-5.1", name=str(i)).id for i in range(5)]


def test_auto_pagination_walks_more_than_250_objects(openai_client: openai.OpenAI, sandbox: SandboxServer) -> None:
    created = [openai_client.beta.agents.create(model="gpt-5.1").id for _ in range(260)]
    sandbox.reset_counters()

    listed = [agent.id for agent in openai_client.beta.agents.list(limit=100)]

    assert listed == created[::-1]
    assert sandbox.count("GET /agents") == 3


def test_default_page_is_twenty_objects(openai_client: openai.OpenAI) -> None:
    for _ in range(21):
        openai_client.beta.agents.create(model="gpt-5.1")

    page = openai_client.beta.agents.list()

    assert (len(page.data), page.has_more) == (20, True)


def test_page_reports_first_and_last_ids(openai_client: openai.OpenAI, agent_ids: list[str]) -> None:
    page = openai_client.beta.agents.list(limit=2)

    assert (page.first_id, page.last_id) == (agent_ids[4], agent_ids[3])  # type: ignore[attr-defined]


def test_after_continues_in_descending_order(openai_client: openai.OpenAI, agent_ids: list[str]) -> None:
    page = openai_client.beta.agents.list(after=agent_ids[3], limit=2)

    assert ([a.id for a in page.data], page.has_more) == ([agent_ids[2], agent_ids[1]], True)


def test_after_continues_in_ascending_order(openai_client: openai.OpenAI, agent_ids: list[str]) -> None:
    page = openai_client.beta.agents.list(after=agent_ids[2], order="asc")

    assert ([a.id for a in page.data], page.has_more) == ([agent_ids[3], agent_ids[4]], False)


def test_before_returns_the_objects_just_before_the_cursor(openai_client: openai.OpenAI) -> None:
    ids = [openai_client.vector_stores.create(name=str(i)).id for i in range(5)]

    page = openai_client.vector_stores.list(before=ids[3], order="asc", limit=2)

    assert [s.id for s in page.data] == [ids[1], ids[2]]


def test_after_a_deleted_object_still_continues(openai_client: openai.OpenAI, agent_ids: list[str]) -> None:
    openai_client.beta.agents.delete(agent_ids[3])

    page = openai_client.beta.agents.list(after=agent_ids[3])

    assert [a.id for a in page.data] == [agent_ids[2], agent_ids[1], agent_ids[0]]


def test_after_an_id_that_never_existed_is_rejected(openai_client: openai.OpenAI, agent_ids: list[str]) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        openai_client.beta.agents.list(after="agent_never")

    assert caught.value.param == "after"


def test_empty_list_has_no_more(openai_client: openai.OpenAI) -> None:
    page = openai_client.vector_stores.list()

    assert (page.data, page.has_more, page.first_id, page.last_id) == ([], False, None, None)  # type: ignore[attr-defined]


def test_files_list_returns_up_to_ten_thousand_by_default(openai_client: openai.OpenAI, upload) -> None:
    for index in range(25):
        upload(f"{index}.md")

    page = openai_client.files.list()

    assert (len(page.data), page.has_more) == (25, False)


def test_vector_store_files_auto_paginate(openai_client: openai.OpenAI, upload) -> None:
    store_id = openai_client.vector_stores.create(name="kb").id
    file_ids = [upload(f"{i}.md").id for i in range(7)]
    openai_client.vector_stores.file_batches.create(store_id, file_ids=file_ids)

    listed = [f.id for f in openai_client.vector_stores.files.list(store_id, limit=3, order="asc")]

    assert listed == file_ids
