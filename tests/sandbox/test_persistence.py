"""Persistence: a SQLite file keeps everything across a restart; without one, data lives only in memory."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from assistplan.sandbox import start_for_project, start_in_process
from assistplan.sandbox.testing import make_client

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def test_objects_survive_a_restart(tmp_path: Path) -> None:
    db = tmp_path / "sandbox.sqlite3"
    with start_in_process(db, indexing_delay=0) as server:
        client = make_client(server)
        file = client.files.create(file=("guide.md", b"# Guide"), purpose="assistants")
        store = client.vector_stores.create(name="kb", file_ids=[file.id], metadata={"a": "1"})
        assistant = client.beta.assistants.create(
            model="gpt-4o", tool_resources={"file_search": {"vector_store_ids": [store.id]}}
        )
        agent = client.beta.agents.create(model="gpt-5.1", tools=[{"type": "web_search"}])

    with start_in_process(db, indexing_delay=0) as server:
        client = make_client(server)
        assert client.files.content(file.id).content == b"# Guide"
        assert client.vector_stores.retrieve(store.id) == store
        assert client.vector_stores.files.retrieve(file.id, vector_store_id=store.id).status == "completed"
        assert client.beta.assistants.retrieve(assistant.id) == assistant
        assert client.beta.agents.retrieve(agent.id) == agent


def test_indexing_that_was_in_progress_completes_after_a_restart(tmp_path: Path) -> None:
    db = tmp_path / "sandbox.sqlite3"
    with start_in_process(db, indexing_delay=0.2) as server:
        client = make_client(server)
        file = client.files.create(file=("guide.md", b"# Guide"), purpose="assistants")
        store = client.vector_stores.create(name="kb", file_ids=[file.id])
    time.sleep(0.25)

    with start_in_process(db) as server:
        assert make_client(server).vector_stores.retrieve(store.id).status == "completed"


def test_pagination_order_survives_a_restart(tmp_path: Path) -> None:
    db = tmp_path / "sandbox.sqlite3"
    with start_in_process(db) as server:
        created = [make_client(server).beta.agents.create(model="gpt-5.1").id for _ in range(5)]

    with start_in_process(db) as server:
        listed = [agent.id for agent in make_client(server).beta.agents.list(limit=2, order="asc")]

    assert listed == created


def test_in_memory_data_is_gone_after_a_restart() -> None:
    with start_in_process() as server:
        make_client(server).beta.agents.create(model="gpt-5.1")

    with start_in_process() as server:
        assert make_client(server).beta.agents.list().data == []


def test_project_sandbox_keeps_its_data_under_dot_assistplan(tmp_path: Path) -> None:
    with start_for_project(tmp_path) as server:
        make_client(server).beta.agents.create(model="gpt-5.1")

    assert (tmp_path / ".assistplan" / "sandbox.sqlite3").is_file()
