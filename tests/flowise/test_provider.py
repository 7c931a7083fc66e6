"""The Flowise client's guards, against the real server: HTML answers, "not found" inside a 500, error mapping."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from assistplan.errors import ConfigurationError, NotFoundError, ProviderError
from assistplan.providers.flowise import FlowiseProvider, connect

from .server import FlowiseServer, free_port

MISSING = "0b7e4a52-1c9d-4e4f-9a51-3d2b8c7f6e10"


@pytest.fixture
def provider(flowise: FlowiseServer) -> Iterator[FlowiseProvider]:
    client = FlowiseProvider(flowise.url, flowise.api_key, backoff=lambda attempt: 0.0)
    yield client
    client.close()


def test_an_html_page_answered_with_200_is_an_error(provider: FlowiseProvider) -> None:
    with pytest.raises(ProviderError, match="HTML page") as caught:
        provider.get(f"/variables/{MISSING}", address="FlowiseVariable/x", operation="read")

    assert caught.value.status == 200
    assert str(caught.value).startswith("FlowiseVariable/x read: ")


def test_not_found_wrapped_in_a_500_is_recognised(provider: FlowiseProvider) -> None:
    with pytest.raises(NotFoundError) as caught:
        provider.get(f"/tools/{MISSING}", address="FlowiseTool/x", operation="read")

    assert caught.value.status == 500


def test_not_found_about_another_object_is_not_this_objects_absence(provider: FlowiseProvider) -> None:
    details = json.dumps({"name": "a", "id": "asst_missing"})
    assistant = provider.post(
        "/assistants", {"details": json.dumps({"name": "a"}), "credential": MISSING, "type": "CUSTOM"}, address=None
    )

    with pytest.raises(ProviderError) as caught:
        provider.post("/assistants", {"details": details, "credential": MISSING, "type": "OPENAI"}, address=None)

    assert not isinstance(caught.value, NotFoundError)
    assert f"Credential {MISSING} not found" in str(caught.value)
    provider.delete(f"/assistants/{assistant['id']}", address=None)


def test_a_plain_text_404_is_not_found(provider: FlowiseProvider) -> None:
    with pytest.raises(NotFoundError, match="Variable not found in the database"):
        provider.put(f"/variables/{MISSING}", {"value": "x"}, address="FlowiseVariable/x")


def test_a_refused_key_names_the_setting_and_never_the_key(flowise: FlowiseServer) -> None:
    wrong = "wrong-key-7f3a9c"
    with FlowiseProvider(flowise.url, wrong) as client, pytest.raises(ConfigurationError) as caught:
        client.get("/tools", address=None, operation="list tools")

    assert "refused the API key (401)" in str(caught.value)
    assert wrong not in str(caught.value)


def test_an_unreachable_server_is_a_configuration_error_naming_the_url() -> None:
    url = f"http://127.0.0.1:{free_port()}"
    with (
        FlowiseProvider(url, "key", backoff=lambda attempt: 0.0) as client,
        pytest.raises(ConfigurationError) as caught,
    ):
        client.get("/tools", address=None, operation="list tools")

    assert f"could not connect to Flowise at {url} (connection refused; GET /tools)" in str(caught.value)


def test_secrets_registered_for_redaction_never_appear_in_messages(provider: FlowiseProvider) -> None:
    provider.redact(MISSING)

    with pytest.raises(NotFoundError) as caught:
        provider.get(f"/tools/{MISSING}", address=None, operation="read")

    assert MISSING not in str(caught.value)


def test_connect_needs_the_key_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ASSISTPLAN_TEST_NO_SUCH_KEY", raising=False)

    with pytest.raises(ConfigurationError, match="the environment variable ASSISTPLAN_TEST_NO_SUCH_KEY is not set"):
        connect(url="http://127.0.0.1:1", api_key_env="ASSISTPLAN_TEST_NO_SUCH_KEY")
