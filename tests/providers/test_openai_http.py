"""The OpenAI provider's JSON layer (`list_objects`, `get_object`) against the sandbox, and its lazy SDK clients.

The provider's `sleep` is replaced by a list of the delays it asked for, so no test waits for a retry.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import openai
import pytest

from assistplan.errors import ConfigurationError, NotFoundError, ProviderError
from assistplan.kinds.base import all_stamped
from assistplan.providers.openai import CREATE_ATTEMPTS, PAGE_SIZE, OpenAIProvider, call
from assistplan.sandbox.faults import FaultConfig
from assistplan.sandbox.profiles import API_KEY
from assistplan.sandbox.server import SandboxServer

ADDRESS = "Agent/support"


@pytest.fixture
def delays() -> list[float]:
    return []


@pytest.fixture
def provider(sandbox: SandboxServer, delays: list[float]) -> Iterator[OpenAIProvider]:
    made = OpenAIProvider(base_url=sandbox.base_url, api_key=API_KEY)
    made.sleep = delays.append
    yield made
    made.close()


def create_agents(client: openai.OpenAI, count: int) -> list[str]:
    return [client.beta.agents.create(model="gpt-5", name=f"agent-{i}").id for i in range(count)]


def test_list_objects_walks_every_page_with_the_after_cursor(
    provider: OpenAIProvider, sandbox: SandboxServer, openai_client: openai.OpenAI
) -> None:
    created = create_agents(openai_client, 5)
    sandbox.reset_counters()

    listed = list(
        provider.list_objects("/agents", params={"limit": "2", "order": "desc"}, address=None, operation="list agents")
    )

    assert sorted(agent["id"] for agent in listed) == sorted(created)
    assert all(agent["object"] == "agent" for agent in listed)
    assert sandbox.count("GET /agents") == 3


def test_a_collection_of_several_pages_is_listed_from_both_ends_every_object_once(
    provider: OpenAIProvider, sandbox: SandboxServer, openai_client: openai.OpenAI
) -> None:
    created = create_agents(openai_client, 7)

    listed = [
        agent["id"]
        for agent in provider.list_objects("/agents", params={"limit": "2"}, address=None, operation="list agents")
    ]

    assert sorted(listed) == sorted(created)
    assert listed[:2] == created[::-1][:2]


def test_a_collection_walked_from_known_ids_is_listed_in_order_every_object_once(
    provider: OpenAIProvider, sandbox: SandboxServer, openai_client: openai.OpenAI
) -> None:
    created = create_agents(openai_client, 12)
    deleted = created.pop(4)
    openai_client.beta.agents.delete(deleted)
    known = [deleted, *created[::-1][3::3]]  # newest first, with one the server no longer lists

    listed = [
        agent["id"]
        for agent in provider.list_objects(
            "/agents", params={"limit": "2"}, address=None, operation="list agents", known=known, parallelism=5
        )
    ]

    assert listed == created[::-1]


def test_a_listing_at_a_parallelism_of_one_walks_the_pages_once_from_the_top(
    provider: OpenAIProvider, sandbox: SandboxServer, openai_client: openai.OpenAI
) -> None:
    created = create_agents(openai_client, 5)
    sandbox.reset_counters()

    listed = [
        agent["id"]
        for agent in provider.list_objects(
            "/agents", params={"limit": "2"}, address=None, operation="list agents", known=created, parallelism=1
        )
    ]

    assert listed == created[::-1]
    assert sandbox.count("GET /agents") == 3


def test_a_listing_tells_how_many_pages_it_has_walked_after_each_page(
    provider: OpenAIProvider, openai_client: openai.OpenAI
) -> None:
    create_agents(openai_client, 5)
    depths: list[int] = []

    listed = provider.list_objects(
        "/agents", params={"limit": "2", "order": "desc"}, address=None, operation="list agents", reached=depths.append
    )

    assert len(list(listed)) == 5
    assert depths == [1, 2, 3]


def test_list_objects_asks_for_full_pages_by_default(
    provider: OpenAIProvider, sandbox: SandboxServer, openai_client: openai.OpenAI
) -> None:
    create_agents(openai_client, 3)
    sandbox.reset_counters()

    assert len(list(provider.list_objects("/agents", address=None, operation="list agents"))) == 3
    assert sandbox.counters == {"GET /agents": 1}
    assert PAGE_SIZE == 100


def test_list_objects_reads_nested_collections_and_extra_parameters(
    provider: OpenAIProvider, openai_client: openai.OpenAI
) -> None:
    uploaded = openai_client.files.create(file=("notes.md", b"# Notes\n"), purpose="assistants")
    store = openai_client.vector_stores.create(name="handbook", file_ids=[uploaded.id])

    files = list(provider.list_objects("/files", params={"limit": "10000"}, address=None, operation="list files"))
    attached = list(
        provider.list_objects(f"/vector_stores/{store.id}/files", address=None, operation="list vector store files")
    )
    stores = list(provider.list_objects("/vector_stores", address=None, operation="list vector stores"))

    assert [f["id"] for f in files] == [uploaded.id]
    assert [f["id"] for f in attached] == [uploaded.id]
    assert [s["id"] for s in stores] == [store.id]


def test_list_objects_sends_the_beta_header_the_sdk_sends(provider: OpenAIProvider) -> None:
    # The sandbox refuses /assistants and /agents without their OpenAI-Beta header, as OpenAI does.
    assert list(provider.list_objects("/assistants", address=None, operation="list assistants")) == []
    assert list(provider.list_objects("/agents", address=None, operation="list agents")) == []


def test_get_object_reads_one_object(provider: OpenAIProvider, openai_client: openai.OpenAI) -> None:
    (agent_id,) = create_agents(openai_client, 1)

    agent = provider.get_object(f"/agents/{agent_id}", address=ADDRESS, operation="read")

    assert agent["id"] == agent_id
    assert agent["name"] == "agent-0"


def test_a_missing_object_is_not_found_naming_the_resource_the_request_and_its_id(provider: OpenAIProvider) -> None:
    with pytest.raises(NotFoundError) as caught:
        provider.get_object("/agents/agent_missing", address=ADDRESS, operation="read")

    error = caught.value
    assert error.status == 404
    assert error.address == ADDRESS
    assert error.operation == "read"
    assert error.request_id is not None and error.request_id.startswith("req_")
    assert f"(GET {provider.base_url}/agents/agent_missing)" in str(error)
    assert str(error).startswith("Agent/support read: 404: ")


def test_get_bytes_reads_a_binary_body_retried_and_mapped_like_get_object(
    provider: OpenAIProvider, sandbox: SandboxServer, openai_client: openai.OpenAI, delays: list[float]
) -> None:
    skill = openai_client.skills.create(files=[("math/SKILL.md", b"---\nname: math\ndescription: Sums.\n---\n")])
    expected = openai_client.skills.versions.content.retrieve("1", skill_id=skill.id).content
    sandbox.set_faults(rate=1.0, modes=("500",), max_faults=1)

    data = provider.get_bytes(f"/skills/{skill.id}/versions/1/content", address="Skill/math", operation="download")

    assert data == expected
    assert len(delays) == 1
    with pytest.raises(NotFoundError, match=r"^Skill/math download: 404: .*\(GET .*/skills/skill_gone/content\)"):
        provider.get_bytes("/skills/skill_gone/content", address="Skill/math", operation="download")


def test_a_refused_key_is_a_configuration_error(sandbox: SandboxServer, delays: list[float]) -> None:
    sandbox.settings.profile = "openai"
    refused = OpenAIProvider(base_url=sandbox.base_url, api_key="sk-wrong-key-0123456789")
    refused.sleep = delays.append
    try:
        with pytest.raises(ConfigurationError, match=r"the API key was refused \(401\) \(GET .*/agents\?limit=100\)"):
            list(refused.list_objects("/agents", address=None, operation="list agents"))
    finally:
        refused.close()
    assert delays == []


def test_rate_limits_are_retried_after_the_delay_the_server_asks_for(
    provider: OpenAIProvider, sandbox: SandboxServer, delays: list[float]
) -> None:
    sandbox.set_faults(rate=1.0, modes=("429",), retry_after_ms=1500, max_faults=2)

    assert list(provider.list_objects("/agents", address=None, operation="list agents")) == []
    assert delays == [1.5, 1.5]
    assert sandbox.count("GET /agents") == 3


@pytest.mark.parametrize("mode", ["500", "drop", "lost"])
def test_server_errors_and_dropped_connections_are_retried_with_backoff(
    provider: OpenAIProvider, sandbox: SandboxServer, delays: list[float], mode: str
) -> None:
    sandbox.set_faults(rate=1.0, modes=(mode,), max_faults=3)

    assert list(provider.list_objects("/agents", address=None, operation="list agents")) == []
    assert len(delays) == 3
    for attempt, delay in enumerate(delays):
        assert 0.75 * 0.5 * 2**attempt <= delay <= 0.5 * 2**attempt


def test_a_read_that_keeps_failing_names_the_request_and_its_id(
    provider: OpenAIProvider, sandbox: SandboxServer, delays: list[float]
) -> None:
    sandbox.set_faults(rate=1.0, modes=("500",))

    with pytest.raises(ProviderError) as caught:
        list(provider.list_objects("/agents", address=None, operation="list agents"))

    assert caught.value.status == 500
    assert caught.value.request_id is not None
    assert f"(GET {provider.base_url}/agents?limit=100)" in str(caught.value)
    assert len(delays) == provider.read_retries
    assert sandbox.count("GET /agents") == provider.read_retries + 1


def test_error_messages_never_show_the_key(sandbox: SandboxServer, delays: list[float]) -> None:
    key = "sk-proj-Secret0123456789abcdefXYZ"
    echoing = OpenAIProvider(base_url=sandbox.base_url, api_key=key)
    sandbox.set_faults(rate=1.0, modes=("echo",))
    try:
        with pytest.raises(ProviderError) as caught:
            echoing.get_object("/agents/agent_x", address=ADDRESS, operation="read")
    finally:
        echoing.close()

    assert caught.value.status == 400
    assert "authorization: Bearer [redacted]" in str(caught.value)
    assert key not in str(caught.value)
    assert "Secret0123456789" not in str(caught.value)


def mocked(handler: Callable[[httpx.Request], httpx.Response], delays: list[float]) -> OpenAIProvider:
    made = OpenAIProvider(base_url="http://127.0.0.1:9/v1", api_key=API_KEY, transport=httpx.MockTransport(handler))
    made.sleep = delays.append
    return made


def test_a_server_that_ignores_the_cursor_is_an_error_not_an_endless_loop(delays: list[float]) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"object": "list", "data": [{"id": "agent_1"}], "has_more": True})

    provider = mocked(handler, delays)
    with pytest.raises(ProviderError, match="answered the same page again after agent_1"):
        list(provider.list_objects("/agents", address=None, operation="list agents"))


def test_a_page_without_has_more_is_followed_until_an_empty_one(delays: list[float]) -> None:
    pages = {None: ["a_1", "a_2"], "a_2": ["a_3"], "a_3": []}
    asked: list[str | None] = []

    def handler(request: httpx.Request) -> httpx.Response:
        after = request.url.params.get("after")
        asked.append(after)
        return httpx.Response(200, json={"object": "list", "data": [{"id": i} for i in pages[after]]})

    provider = mocked(handler, delays)
    assert [o["id"] for o in provider.list_objects("/agents", address=None, operation="list agents")] == [
        "a_1",
        "a_2",
        "a_3",
    ]
    assert asked == [None, "a_2", "a_3"]


@pytest.mark.parametrize(
    ("status", "content"),
    [
        (200, b"<html>not an API</html>"),
        (200, b'{"object": "list", "data": {"id": "x"}}'),
        (200, b"[1, 2]"),
        (200, b"[" * 100_000 + b"]" * 100_000),
        (200, b'{"object": "list", "data": [], "first_id": ' + b"9" * 5000 + b"}"),
    ],
    ids=["html", "data-not-a-list", "array", "nested-too-deeply", "number-too-long"],
)
def test_answers_that_are_not_list_pages_are_errors(delays: list[float], status: int, content: bytes) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, content=content, headers={"x-request-id": "req_abc"})

    provider = mocked(handler, delays)
    with pytest.raises(ProviderError, match=r"not a (list of objects|JSON object) \(GET http://127.0.0.1:9/v1/agents"):
        list(provider.list_objects("/agents", address=None, operation="list agents"))


def test_an_error_whose_body_is_nested_too_deeply_is_an_error_naming_the_request(delays: list[float]) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(400, content=b'{"error": ' + b"[" * 100_000 + b"]" * 100_000 + b"}")

    provider = mocked(handler, delays)
    with pytest.raises(ProviderError, match=r"HTTP 400 \(GET http://127.0.0.1:9/v1/agents"):
        list(provider.list_objects("/agents", address=None, operation="list agents"))


def test_the_server_decides_with_x_should_retry_and_long_waits_are_not_retried(delays: list[float]) -> None:
    answers = iter(
        [
            httpx.Response(400, json={"error": {"message": "try again"}}, headers={"x-should-retry": "true"}),
            httpx.Response(503, json={"error": {"message": "later"}}, headers={"retry-after": "300"}),
        ]
    )
    provider = mocked(lambda request: next(answers), delays)

    with pytest.raises(ProviderError, match="503: later") as caught:
        provider.get_object("/agents/a_1", address=ADDRESS, operation="read")

    assert caught.value.status == 503
    assert len(delays) == 1


def stamped(project: str, address: str) -> dict[str, str]:
    return {"assistplan:project": project, "assistplan:address": address}


def find_agents(provider: OpenAIProvider, address: str, *, unseen: int = 0) -> Callable[[], list[dict[str, Any]]]:
    """Every agent stamped for `address`; the first `unseen` look-ups find nothing (a list that lags behind)."""
    calls: list[None] = []

    def find() -> list[dict[str, Any]]:
        calls.append(None)
        if len(calls) <= unseen:
            return []
        listed = provider.list_objects("/agents", address=address, operation="look up")
        return [agent for agent in listed if (agent.get("metadata") or {}).get("assistplan:address") == address]

    return find


def test_create_object_posts_json_and_answers_the_created_object(
    provider: OpenAIProvider, sandbox: SandboxServer
) -> None:
    body = {"model": "gpt-5", "name": "support", "metadata": stamped("p", ADDRESS)}

    created = provider.create_object("/agents", body, address=ADDRESS, find_stamped=find_agents(provider, ADDRESS))

    assert created["object"] == "agent"
    assert created["name"] == "support"
    assert (
        provider.get_object(f"/agents/{created['id']}", address=ADDRESS, operation="read")["metadata"]
        == body["metadata"]
    )
    assert sandbox.count("POST /agents") == 1


@pytest.mark.parametrize("lost_as", ["500", "drop"])
def test_a_create_whose_answer_was_lost_is_adopted_not_duplicated(
    provider: OpenAIProvider, sandbox: SandboxServer, lost_as: str
) -> None:
    provider.backoff = lambda attempt: 0.0
    sandbox.set_faults(routes={"POST /agents": FaultConfig(rate=1.0, modes=("lost",), lost_as=lost_as, max_faults=1)})
    body = {"model": "gpt-5", "name": "support", "metadata": stamped("p", ADDRESS)}

    created = provider.create_object("/agents", body, address=ADDRESS, find_stamped=find_agents(provider, ADDRESS))

    listed = list(provider.list_objects("/agents", address=None, operation="list agents"))
    assert [agent["id"] for agent in listed] == [created["id"]]
    assert sandbox.count("POST /agents") == 1


def test_a_create_that_failed_before_committing_is_tried_again(
    provider: OpenAIProvider, sandbox: SandboxServer
) -> None:
    provider.backoff = lambda attempt: 0.0
    sandbox.set_faults(routes={"POST /agents": FaultConfig(rate=1.0, modes=("500",), max_faults=2)})
    body = {"model": "gpt-5", "name": "support", "metadata": stamped("p", ADDRESS)}

    created = provider.create_object("/agents", body, address=ADDRESS, find_stamped=find_agents(provider, ADDRESS))

    assert [agent["id"] for agent in provider.list_objects("/agents", address=None, operation="list")] == [
        created["id"]
    ]
    assert sandbox.count("POST /agents") == 3


def test_an_attempt_that_committed_unlisted_is_deleted_once_a_retry_succeeds(
    provider: OpenAIProvider, sandbox: SandboxServer
) -> None:
    provider.backoff = lambda attempt: 0.0
    sandbox.set_faults(routes={"POST /agents": FaultConfig(rate=1.0, modes=("lost",), max_faults=1)})
    body = {"model": "gpt-5", "name": "support", "metadata": stamped("p", ADDRESS)}

    created = provider.create_object(
        "/agents", body, address=ADDRESS, find_stamped=find_agents(provider, ADDRESS, unseen=1)
    )

    listed = list(provider.list_objects("/agents", address=None, operation="list agents"))
    assert [agent["id"] for agent in listed] == [created["id"]]
    assert (sandbox.count("POST /agents"), sandbox.count("DELETE /agents/{agent_id}")) == (2, 1)


def test_a_create_whose_every_answer_was_lost_is_found_by_a_last_look_up_and_kept_once(
    provider: OpenAIProvider, sandbox: SandboxServer
) -> None:
    provider.backoff = lambda attempt: 0.0
    sandbox.set_faults(routes={"POST /agents": FaultConfig(rate=1.0, modes=("lost",))})
    body = {"model": "gpt-5", "name": "support", "metadata": stamped("p", ADDRESS)}
    find = find_agents(provider, ADDRESS, unseen=CREATE_ATTEMPTS - 1)

    created = provider.create_object("/agents", body, address=ADDRESS, find_stamped=find)

    listed = list(provider.list_objects("/agents", address=None, operation="list agents"))
    assert [agent["id"] for agent in listed] == [created["id"]]
    assert sandbox.count("POST /agents") == CREATE_ATTEMPTS


def test_only_agents_stamped_with_the_same_project_and_address_are_removed_as_duplicates(
    provider: OpenAIProvider, sandbox: SandboxServer, openai_client: openai.OpenAI
) -> None:
    provider.backoff = lambda attempt: 0.0
    others = [
        openai_client.beta.agents.create(model="gpt-5", metadata=stamped("other", ADDRESS)),
        openai_client.beta.agents.create(model="gpt-5", metadata=stamped("p", "Agent/other")),
        openai_client.beta.agents.create(model="gpt-5"),
    ]
    sandbox.set_faults(routes={"POST /agents": FaultConfig(rate=1.0, modes=("lost",), max_faults=1)})
    body = {"model": "gpt-5", "metadata": stamped("p", ADDRESS)}

    def ours() -> list[dict[str, Any]]:
        listed = provider.list_objects("/agents", address=ADDRESS, operation="look up")
        return all_stamped(listed, "p", ADDRESS) if sandbox.count("POST /agents") > 1 else []

    created = provider.create_object("/agents", body, address=ADDRESS, find_stamped=ours)

    listed = {agent["id"] for agent in provider.list_objects("/agents", address=None, operation="list agents")}
    assert listed == {created["id"], *(agent.id for agent in others)}


def test_a_refused_create_is_not_tried_again_and_names_the_resource_the_request_and_its_id(
    provider: OpenAIProvider, sandbox: SandboxServer
) -> None:
    looked_up: list[str] = []

    def find() -> list[dict[str, Any]]:
        looked_up.append("look up")
        return []

    with pytest.raises(ProviderError) as caught:
        provider.create_object("/agents", {"name": "no model"}, address=ADDRESS, find_stamped=find)

    assert caught.value.status == 400
    assert caught.value.request_id is not None
    assert str(caught.value).startswith(f"{ADDRESS} create: 400: ")
    assert f"(POST {provider.base_url}/agents)" in str(caught.value)
    assert looked_up == []
    assert sandbox.count("POST /agents") == 1


def test_a_create_that_keeps_failing_gives_up_after_its_attempts(
    provider: OpenAIProvider, sandbox: SandboxServer
) -> None:
    provider.backoff = lambda attempt: 0.0
    sandbox.set_faults(routes={"POST /agents": FaultConfig(rate=1.0, modes=("500",))})

    with pytest.raises(ProviderError, match=r"Agent/support create: 500"):
        provider.create_object(
            "/agents", {"model": "gpt-5"}, address=ADDRESS, find_stamped=find_agents(provider, ADDRESS)
        )

    assert sandbox.count("POST /agents") == CREATE_ATTEMPTS


def test_post_object_updates_and_delete_object_deletes(
    provider: OpenAIProvider, sandbox: SandboxServer, openai_client: openai.OpenAI, delays: list[float]
) -> None:
    (agent_id,) = create_agents(openai_client, 1)
    sandbox.set_faults(routes={"POST /agents/{agent_id}": FaultConfig(rate=1.0, modes=("500",), max_faults=1)})

    updated = provider.post_object(f"/agents/{agent_id}", {"name": "renamed"}, address=ADDRESS, operation="update")
    provider.delete_object(f"/agents/{agent_id}", address=ADDRESS, operation="delete")

    assert updated["name"] == "renamed"
    assert len(delays) == 1
    with pytest.raises(NotFoundError, match=rf"Agent/support delete: 404: .* \(DELETE .*/agents/{agent_id}\)"):
        provider.delete_object(f"/agents/{agent_id}", address=ADDRESS, operation="delete")


def test_the_sdk_clients_are_made_on_first_use_and_share_the_settings(
    provider: OpenAIProvider, openai_client: openai.OpenAI
) -> None:
    assert provider._client is None
    (agent_id,) = create_agents(openai_client, 1)

    assert provider.client.beta.agents.retrieve(agent_id).id == agent_id
    assert provider.client is provider.client
    assert provider.create_client.max_retries == 0
    assert provider.client.max_retries == provider.read_retries
    assert str(provider.client.base_url).rstrip("/") == provider.base_url


def test_call_maps_sdk_errors_and_passes_other_errors_through(provider: OpenAIProvider) -> None:
    with pytest.raises(NotFoundError, match="Agent/support read: 404"):
        call(lambda: provider.client.beta.agents.retrieve("agent_missing"), address=ADDRESS, operation="read")
    with pytest.raises(KeyError):
        call(lambda: {}["missing"], address=ADDRESS, operation="read")


LISTING_ONLY = """
import json, sys
from assistplan.providers.openai import OpenAIProvider, call
from assistplan.sandbox import start_in_process

with start_in_process(indexing_delay=0.0) as server:
    provider = OpenAIProvider(base_url=server.base_url, api_key="sk-sandbox")
    listed = list(provider.list_objects("/agents", address=None, operation="list agents"))
    try:
        call(lambda: provider.get_object("/agents/agent_x", address="Agent/x", operation="read"), address="Agent/x",
             operation="read")
    except Exception as error:
        failure = type(error).__name__
    try:
        call(lambda: {}["missing"], address=None, operation="read")
    except KeyError:
        pass
    provider.close()
print(json.dumps({"listed": listed, "failure": failure, "sdk": "openai" in sys.modules}))
"""


def test_listing_and_reading_never_import_the_sdk(tmp_path: Path) -> None:
    run = subprocess.run(
        [sys.executable, "-c", LISTING_ONLY], capture_output=True, text=True, check=True, cwd=tmp_path, timeout=120
    )

    assert json.loads(run.stdout.splitlines()[-1]) == {"listed": [], "failure": "NotFoundError", "sdk": False}
