"""Secrets never printed: server messages are scrubbed of the configured keys and of credential-shaped text, and
API failures name the resource, the operation, the request and its remote id."""

from __future__ import annotations

import re

import httpx
import pytest

from assistplan import redact
from assistplan.errors import ProviderError
from assistplan.providers.flowise import FlowiseProvider
from assistplan.sandbox import FaultConfig
from conftest import KEY_ENV, Project

SECRET_KEY = "sk-proj-Secret0123456789ABCDEFghij"
FLOWISE_KEY = "flowise-key-for-scrubbing-tests"


@pytest.fixture
def secret_project(project: Project, monkeypatch: pytest.MonkeyPatch) -> Project:
    monkeypatch.setenv(KEY_ENV, SECRET_KEY)
    return project


def test_a_server_error_echoing_the_key_is_scrubbed_from_plan_output(secret_project: Project) -> None:
    secret_project.sandbox.set_faults(rate=1.0, modes=("echo",))

    result = secret_project.run("plan")

    assert result.exit_code == 1
    assert "Could not process the request headers" in result.output
    assert SECRET_KEY not in result.output
    assert "Bearer sk-" not in result.output
    assert "Bearer [redacted]" in result.output


def test_a_server_error_echoing_the_key_is_scrubbed_from_apply_output(secret_project: Project) -> None:
    secret_project.sandbox.set_faults(routes={"POST /agents": FaultConfig(rate=1.0, modes=("echo",))})

    result = secret_project.run("apply", "--auto-approve")

    assert result.exit_code == 1
    assert SECRET_KEY not in result.output
    assert "Bearer [redacted]" in result.output


def test_an_api_failure_names_the_resource_operation_url_and_request_id(secret_project: Project) -> None:
    secret_project.sandbox.set_faults(routes={"POST /agents": FaultConfig(rate=1.0, modes=("echo",))})

    result = secret_project.run("apply", "--auto-approve")

    line = next(line for line in result.output.splitlines() if "Could not process" in line)
    assert "Agent/support-agent" in line
    assert "create" in line
    assert f"(POST {secret_project.sandbox.base_url}/agents)" in line
    assert re.search(r"\(request id req_[0-9a-f]{32}\)", line)


def test_a_registered_secret_is_replaced_wherever_it_appears() -> None:
    redact.register("flowise-pass-phrase")

    assert redact.scrub("sent flowise-pass-phrase twice: flowise-pass-phrase") == "sent [redacted] twice: [redacted]"


def test_a_value_shorter_than_four_characters_is_not_registered() -> None:
    redact.register("abc")

    assert redact.scrub("abc abcd") == "abc abcd"


def test_a_bearer_token_is_scrubbed() -> None:
    assert redact.scrub("Authorization: Bearer abc.def-ghi_jkl") == "Authorization: Bearer [redacted]"


def test_a_basic_credential_is_scrubbed() -> None:
    assert redact.scrub("header Basic dXNlcjpwYXNz") == "header Basic [redacted]"


def test_an_openai_shaped_key_is_scrubbed_anywhere() -> None:
    assert redact.scrub("key sk-proj-abcdef was refused") == "key [redacted] was refused"


def test_the_visible_prefix_of_a_masked_openai_key_is_scrubbed() -> None:
    assert redact.scrub("Incorrect API key provided: sk-5f6ce****acdb.") == (
        "Incorrect API key provided: [redacted]****acdb."
    )


def test_a_github_token_is_scrubbed() -> None:
    assert redact.scrub("token ghp_" + "A1b2" * 9) == "token [redacted]"


def test_a_registered_secret_is_replaced_as_it_reads_inside_a_json_string() -> None:
    redact.register('say "quoted-secret-3141"\nthen')

    assert redact.scrub('{"command": "say \\"quoted-secret-3141\\"\\nthen"}') == '{"command": "[redacted]"}'


def test_the_password_of_a_url_is_scrubbed_and_its_user_and_host_kept() -> None:
    assert redact.scrub("cannot fetch https://deploy:pw-1234@git.example.com/x.git") == (
        "cannot fetch https://deploy:[redacted]@git.example.com/x.git"
    )


def test_a_slack_token_is_scrubbed() -> None:
    assert redact.scrub("posting as xoxb-123456789012-1234567890123-abcdefghijkl failed") == (
        "posting as [redacted] failed"
    )


def test_an_aws_access_key_id_is_scrubbed() -> None:
    assert redact.scrub("InvalidAccessKeyId: AKIAIOSFODNN7EXAMPLE") == "InvalidAccessKeyId: [redacted]"


def test_the_values_of_assistplan_secret_env_are_scrubbed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASSISTPLAN_SECRET_ENV", "WAREHOUSE_TOKEN=plain words here\nOTHER=more plain words\n")

    assert redact.scrub("got plain words here and more plain words") == "got [redacted] and [redacted]"


def test_the_value_of_a_variable_assistplan_secret_env_names_is_scrubbed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASSISTPLAN_SECRET_ENV", "WAREHOUSE_TOKEN=old value")
    monkeypatch.setenv("WAREHOUSE_TOKEN", "the value set since")

    assert redact.scrub("got the value set since") == "got [redacted]"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("api_key=hunter22", "api_key=[redacted]"),
        ('{"x-api-key": "k-12345"}', '{"x-api-key": "[redacted]"}'),
        ("password: open-sesame", "password: [redacted]"),
        ("'authorization': 'Token abcdef123'", "'authorization': 'Token [redacted]'"),
    ],
)
def test_the_value_of_a_secret_named_field_is_scrubbed(text: str, expected: str) -> None:
    assert redact.scrub(text) == expected


def test_a_long_mixed_case_alphanumeric_token_is_scrubbed() -> None:
    assert redact.scrub("used AbCdEf0123456789AbCdEf0123456789xyz") == "used [redacted]"


@pytest.mark.parametrize(
    "text",
    [
        "No vector store found with id 'vs_OgZ8cAT87P2VNo5d7lnbqXmn'.",
        "batch vsfb_PrYWBwiTTXJtS8iuY7KEfusUO9QnPn3I failed",
        "(request id req_0123456789abcdef0123456789abcdef)",
        "chatflow 3f2504e0-4f89-11d3-9a0c-0305e82c3301 not found",
        "commit 4bb21ba8e9213c3d955b69dc3f76dd7537439828",
        "Token has expired",
        "cannot reach https://api.example.com:8443/v1 for ops@example.com",
    ],
)
def test_object_ids_request_ids_uuids_hashes_and_words_are_kept(text: str) -> None:
    assert redact.scrub(text) == text


def flowise_answering(status: int, message: str) -> FlowiseProvider:
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, json={"message": message}, headers={"x-request-id": "flowise-req-1"})

    return FlowiseProvider("http://flowise.test", FLOWISE_KEY, transport=httpx.MockTransport(answer))


def test_a_flowise_error_echoing_the_key_is_scrubbed() -> None:
    provider = flowise_answering(400, f"bad header Authorization: Bearer {FLOWISE_KEY}")

    with pytest.raises(ProviderError) as caught:
        provider.post("/tools", {}, address="FlowiseTool/lookup")

    assert FLOWISE_KEY not in str(caught.value)
    assert "Bearer [redacted]" in str(caught.value)


def test_a_flowise_failure_names_the_resource_operation_url_and_request_id() -> None:
    provider = flowise_answering(400, "Invalid tool")

    with pytest.raises(ProviderError) as caught:
        provider.post("/tools", {}, address="FlowiseTool/lookup")

    assert str(caught.value) == (
        "FlowiseTool/lookup create: HTTP 400: Invalid tool (POST http://flowise.test/api/v1/tools) "
        "(request id flowise-req-1)"
    )


def test_a_secret_a_flowise_client_was_given_is_scrubbed_from_its_messages_only() -> None:
    provider = flowise_answering(400, "credential value pa55")
    provider.redact("pa55")

    with pytest.raises(ProviderError) as caught:
        provider.post("/credentials", {}, address=None)

    assert "pa55" not in str(caught.value)
    assert redact.scrub("pa55") == "pa55"
