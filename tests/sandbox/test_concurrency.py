"""Concurrent requests: eight client threads creating at once lose nothing and duplicate nothing."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import openai

from assistplan.sandbox import SandboxServer
from assistplan.sandbox.testing import make_client


def test_eight_threads_creating_at_once(sandbox: SandboxServer) -> None:
    clients = [make_client(sandbox) for _ in range(8)]

    def create(worker: int) -> list[str]:
        client = clients[worker]
        return [client.beta.agents.create(model="gpt-5.1", name=f"{worker}-{n}").id for n in range(25)]

    with ThreadPoolExecutor(max_workers=8) as pool:
        created = [agent_id for ids in pool.map(create, range(8)) for agent_id in ids]

    listed = [agent.id for agent in clients[0].beta.agents.list(limit=100)]
    assert len(set(created)) == 200
    assert sorted(listed) == sorted(created)
    assert sandbox.count("POST /agents") == 200


def test_objects_created_at_once_are_listed_in_the_order_of_their_creation_time(sandbox: SandboxServer) -> None:
    """Lists are ordered by `created_at` (newest first by default), also for creates that overlapped."""
    sandbox.set_faults(latency_ms=5)
    clients = [make_client(sandbox) for _ in range(8)]

    def create(worker: int) -> None:
        for n in range(25):
            clients[worker].beta.agents.create(model="gpt-5.1", name=f"{worker}-{n}")

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(create, range(8)))

    newest_first = [agent.created_at for agent in clients[0].beta.agents.list(limit=100)]
    oldest_first = [agent.created_at for agent in clients[0].beta.agents.list(limit=100, order="asc")]
    assert newest_first == sorted(newest_first, reverse=True)
    assert oldest_first == sorted(oldest_first)
    assert len(oldest_first) == 200


def test_concurrent_uploads_and_attachments_keep_counts_consistent(
    openai_client: openai.OpenAI, sandbox: SandboxServer
) -> None:
    store_id = openai_client.vector_stores.create(name="kb").id

    def attach(index: int) -> None:
        file = openai_client.files.create(file=(f"{index}.md", b"x" * (index + 1)), purpose="assistants")
        openai_client.vector_stores.files.create(vector_store_id=store_id, file_id=file.id)

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(attach, range(40)))

    store = openai_client.vector_stores.retrieve(store_id)
    assert (store.file_counts.completed, store.file_counts.total) == (40, 40)
    assert store.usage_bytes == sum(range(1, 41))
