"""Connections that cannot be made: a bounded connect timeout, bounded retries announced as notices, errors naming
the URL. The network is replaced by httpx's MockTransport, and the waits between tries by lists of the delays."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from assistplan import providers
from assistplan.errors import ConfigurationError, ProviderError
from assistplan.providers import CONNECT_RETRIES, CONNECT_TIMEOUT, report_notices
from assistplan.providers.flowise import FlowiseProvider
from assistplan.providers.openai import OpenAIProvider

BASE_URL = "http://127.0.0.1:9/v1"
FLOWISE_URL = "http://127.0.0.1:9"


@pytest.fixture
def notices() -> Iterator[list[str]]:
    heard: list[str] = []
    before = list(providers._reporters)
    report_notices(heard.append)
    yield heard
    providers._reporters[:] = before


def failing_connections(failures: int, error: type[httpx.TransportError] = httpx.ConnectError) -> httpx.MockTransport:
    """A network where the first `failures` connections cannot be made, and then every request succeeds."""
    left = [failures]

    def handler(request: httpx.Request) -> httpx.Response:
        if left[0] > 0:
            left[0] -= 1
            raise error("[Errno 111] Connection refused", request=request)
        return httpx.Response(200, json={"object": "list", "data": [], "has_more": False})

    return httpx.MockTransport(handler)


def test_openai_requests_wait_at_most_the_connect_timeout_for_a_connection() -> None:
    provider = OpenAIProvider(base_url=BASE_URL, api_key="sk-test")

    assert provider.http.timeout.connect == CONNECT_TIMEOUT
    assert provider.client.timeout.connect == CONNECT_TIMEOUT


def test_flowise_requests_wait_at_most_the_connect_timeout_for_a_connection() -> None:
    with FlowiseProvider(FLOWISE_URL, "key") as provider:
        assert provider._client.timeout.connect == CONNECT_TIMEOUT


def test_a_connection_made_on_a_retry_is_announced_and_the_read_succeeds(notices: list[str]) -> None:
    delays: list[float] = []
    provider = OpenAIProvider(base_url=BASE_URL, api_key="sk-test", transport=failing_connections(2))
    provider.sleep = delays.append

    assert list(provider.list_objects("/agents", address=None, operation="list agents")) == []
    assert notices == [
        f"could not connect to {BASE_URL}, retrying (1/3)…",
        f"could not connect to {BASE_URL}, retrying (2/3)…",
    ]
    assert len(delays) == 2


def test_a_connect_timeout_is_reported_with_the_url_after_the_last_retry(notices: list[str]) -> None:
    delays: list[float] = []
    transport = failing_connections(CONNECT_RETRIES + 1, httpx.ConnectTimeout)
    provider = OpenAIProvider(base_url=BASE_URL, api_key="sk-test", transport=transport)
    provider.sleep = delays.append

    with pytest.raises(ProviderError) as caught:
        provider.get_object("/agents/agent_1", address="Agent/support", operation="read")

    assert str(caught.value) == (
        f"Agent/support read: could not connect to {BASE_URL} (no answer within 5 s) (GET {BASE_URL}/agents/agent_1)"
    )
    assert len(notices) == len(delays) == CONNECT_RETRIES


def test_a_flowise_create_is_tried_again_when_its_connection_could_not_be_made(notices: list[str]) -> None:
    sent: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        if not sent:
            sent.append("refused")
            raise httpx.ConnectError("[Errno 111] Connection refused", request=request)
        sent.append(request.method)
        return httpx.Response(200, json={"id": "v1"})

    with FlowiseProvider(FLOWISE_URL, "key", transport=httpx.MockTransport(handler), backoff=lambda a: 0.0) as flowise:
        created = flowise.post("/variables", {"name": "support_email"}, address="FlowiseVariable/support_email")

    assert created == {"id": "v1"}
    assert sent == ["refused", "POST"]
    assert notices == [f"could not connect to Flowise at {FLOWISE_URL}, retrying (1/3)…"]


def test_a_flowise_server_that_never_accepts_the_connection_is_a_configuration_error(notices: list[str]) -> None:
    transport = failing_connections(CONNECT_RETRIES + 1)
    with (
        FlowiseProvider(FLOWISE_URL, "key", transport=transport, backoff=lambda a: 0.0) as flowise,
        pytest.raises(ConfigurationError) as caught,
    ):
        flowise.get("/variables", address=None, operation="list variables")

    assert f"could not connect to Flowise at {FLOWISE_URL} (connection refused; GET /variables)" in str(caught.value)
    assert len(notices) == CONNECT_RETRIES
