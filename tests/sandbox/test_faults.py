"""Fault injection and request counters: latency, 429 with retry-after-ms, 500, dropped connections, lost responses."""

from __future__ import annotations

import logging
import time

import openai
import pytest

from assistplan.sandbox import FaultConfig, SandboxServer
from assistplan.sandbox.testing import make_client


def test_requests_are_counted_per_route_template(openai_client: openai.OpenAI, sandbox: SandboxServer) -> None:
    agent = openai_client.beta.agents.create(model="gpt-5.1")
    openai_client.beta.agents.retrieve(agent.id)
    openai_client.beta.agents.retrieve(agent.id)

    assert sandbox.counters == {"POST /agents": 1, "GET /agents/{agent_id}": 2}


def test_latency_is_added_to_each_request(openai_client: openai.OpenAI, sandbox: SandboxServer) -> None:
    sandbox.set_faults(latency_ms=80)

    started = time.perf_counter()
    openai_client.files.list()

    assert time.perf_counter() - started >= 0.08


def test_429_raises_rate_limit_error_with_retry_after_ms(openai_client: openai.OpenAI, sandbox: SandboxServer) -> None:
    sandbox.set_faults(rate=1.0, modes=("429",), retry_after_ms=1500)

    with pytest.raises(openai.RateLimitError) as caught:
        openai_client.files.list()

    assert caught.value.response.headers["retry-after-ms"] == "1500"
    assert caught.value.code == "rate_limit_exceeded"


def test_sdk_retries_after_the_delay_the_429_asks_for(sandbox: SandboxServer, caplog: pytest.LogCaptureFixture) -> None:
    sandbox.set_faults(rate=1.0, modes=("429",), retry_after_ms=150, max_faults=2)
    client = make_client(sandbox, max_retries=2)

    started = time.perf_counter()
    with caplog.at_level(logging.INFO, logger="openai._base_client"):
        client.beta.agents.create(model="gpt-5.1")
    elapsed = time.perf_counter() - started

    assert sandbox.count("POST /agents") == 3
    # the SDK logs each wait before it sleeps it: the asked 150 ms, where its own backoff starts near 0.5 s
    waits = [record.args[0] for record in caplog.records if record.getMessage().startswith("Retrying request in")]
    assert waits == [0.15, 0.15]
    assert elapsed >= 0.3


def test_500_raises_internal_server_error_and_changes_nothing(
    openai_client: openai.OpenAI, sandbox: SandboxServer
) -> None:
    sandbox.set_faults(rate=1.0, modes=("500",), max_faults=1)

    with pytest.raises(openai.InternalServerError):
        openai_client.beta.agents.create(model="gpt-5.1")

    assert openai_client.beta.agents.list().data == []


def test_drop_closes_the_connection_without_a_response(openai_client: openai.OpenAI, sandbox: SandboxServer) -> None:
    sandbox.set_faults(rate=1.0, modes=("drop",), max_faults=1)

    with pytest.raises(openai.APIConnectionError):
        openai_client.beta.agents.create(model="gpt-5.1")

    assert openai_client.beta.agents.list().data == []


def test_lost_creates_the_object_but_answers_500(openai_client: openai.OpenAI, sandbox: SandboxServer) -> None:
    sandbox.set_faults(rate=1.0, modes=("lost",), max_faults=1)

    with pytest.raises(openai.InternalServerError):
        openai_client.beta.agents.create(model="gpt-5.1", name="orphan")

    assert [agent.name for agent in openai_client.beta.agents.list()] == ["orphan"]


def test_lost_as_drop_creates_the_object_and_closes_the_connection(
    openai_client: openai.OpenAI, sandbox: SandboxServer
) -> None:
    sandbox.set_faults(rate=1.0, modes=("lost",), lost_as="drop", max_faults=1)

    with pytest.raises(openai.APIConnectionError):
        openai_client.beta.agents.create(model="gpt-5.1", name="orphan")

    assert [agent.name for agent in openai_client.beta.agents.list()] == ["orphan"]


def test_a_retried_lost_create_makes_a_duplicate(sandbox: SandboxServer) -> None:
    sandbox.set_faults(rate=1.0, modes=("lost",), max_faults=1)
    client = make_client(sandbox, max_retries=1)

    client.beta.agents.create(model="gpt-5.1", name="support")

    assert [agent.name for agent in client.beta.agents.list()] == ["support", "support"]


def test_max_faults_limits_how_many_requests_fail(openai_client: openai.OpenAI, sandbox: SandboxServer) -> None:
    sandbox.set_faults(rate=1.0, modes=("500",), max_faults=2)
    outcomes = []
    for _ in range(4):
        try:
            openai_client.files.list()
            outcomes.append("ok")
        except openai.InternalServerError:
            outcomes.append("500")

    assert outcomes == ["500", "500", "ok", "ok"]


def test_route_override_only_affects_that_route(openai_client: openai.OpenAI, sandbox: SandboxServer) -> None:
    sandbox.set_faults(routes={"POST /agents": FaultConfig(rate=1.0, modes=("500",))})

    openai_client.beta.agents.list()
    with pytest.raises(openai.InternalServerError):
        openai_client.beta.agents.create(model="gpt-5.1")


def test_route_override_by_path_covers_every_method(openai_client: openai.OpenAI, sandbox: SandboxServer) -> None:
    sandbox.set_faults(routes={"/agents": FaultConfig(rate=1.0, modes=("429",))})

    with pytest.raises(openai.RateLimitError):
        openai_client.beta.agents.list()
    with pytest.raises(openai.RateLimitError):
        openai_client.beta.agents.create(model="gpt-5.1")
    assert openai_client.files.list().data == []


def _outcomes(client: openai.OpenAI, count: int) -> list[str]:
    outcomes = []
    for _ in range(count):
        try:
            client.files.list()
            outcomes.append("ok")
        except openai.APIStatusError as error:
            outcomes.append(str(error.status_code))
        except openai.APIConnectionError:
            outcomes.append("dropped")
    return outcomes


def test_the_same_seed_repeats_the_same_faults(openai_client: openai.OpenAI, sandbox: SandboxServer) -> None:
    sandbox.set_faults(rate=0.5, seed=0)
    first = _outcomes(openai_client, 30)
    sandbox.set_faults(rate=0.5, seed=0)
    second = _outcomes(openai_client, 30)

    assert first == second
    assert {"ok", "429", "500", "dropped"} <= set(first)


def test_unknown_fault_mode_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown fault mode"):
        FaultConfig(modes=("timeout",))


def test_faults_can_be_set_over_http(openai_client: openai.OpenAI, control) -> None:
    config = control("POST", "faults", {"rate": 1.0, "modes": ["500"], "routes": {"GET /files": {"rate": 0.0}}})

    assert config["routes"]["GET /files"]["rate"] == 0.0
    assert openai_client.files.list().data == []
    with pytest.raises(openai.InternalServerError):
        openai_client.beta.agents.list()


def test_invalid_faults_over_http_are_rejected(raw) -> None:
    response = raw("POST", "/_sandbox/faults", body=b'{"modes": ["boom"]}')

    assert response.status == 400
    assert "unknown fault mode" in response.body["error"]["message"]


def test_faults_can_be_cleared_over_http(openai_client: openai.OpenAI, sandbox: SandboxServer, control) -> None:
    sandbox.set_faults(rate=1.0, modes=("500",))

    control("DELETE", "faults")

    assert openai_client.files.list().data == []


def test_counters_can_be_read_and_reset_over_http(openai_client: openai.OpenAI, control) -> None:
    openai_client.files.list()

    assert control("GET", "counters") == {"counters": {"GET /files": 1}}
    assert control("DELETE", "counters") == {"counters": {}}


def test_control_routes_are_neither_counted_nor_faulted(sandbox: SandboxServer, control) -> None:
    sandbox.set_faults(rate=1.0, modes=("500",))

    assert control("GET", "health") == {"status": "ok"}
    assert sandbox.counters == {}


def test_reset_over_http_forgets_everything(openai_client: openai.OpenAI, sandbox: SandboxServer, control) -> None:
    openai_client.beta.agents.create(model="gpt-5.1")
    sandbox.set_faults(latency_ms=5)

    control("POST", "reset")

    assert (sandbox.counters, sandbox.injector.config) == ({}, FaultConfig())
    assert openai_client.beta.agents.list().data == []


def test_echo_answers_400_quoting_the_authorization_header(sandbox: SandboxServer) -> None:
    sandbox.set_faults(rate=1.0, modes=("echo",))

    with pytest.raises(openai.BadRequestError) as caught:
        make_client(sandbox, api_key="sk-echoed-key").files.list()

    assert "authorization: Bearer sk-echoed-key" in caught.value.body["message"]


def test_echo_is_not_among_the_default_fault_modes() -> None:
    assert "echo" not in FaultConfig().modes
