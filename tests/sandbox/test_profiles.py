"""Server profiles through the real SDK: `openai` (keys checked, Assistants shut down), `spec` (only the fields of the
official OpenAPI spec), `assistants-only` (no Agents API), and the `sandbox_profile` fixture that runs a test on each.
"""

from __future__ import annotations

import json
from typing import Any

import openai
import pytest

from assistplan.cli.sandbox import PROFILES as CLI_PROFILES
from assistplan.sandbox import SandboxServer
from assistplan.sandbox.profiles import PROFILES, SPEC_FIELDS
from assistplan.sandbox.testing import make_client


def raw_json(response: Any) -> dict[str, Any]:
    """The JSON body exactly as the server sent it (an SDK `with_raw_response` answer)."""
    return json.loads(response.text)


def test_openai_profile_refuses_a_key_other_than_the_configured_one(sandbox: SandboxServer) -> None:
    sandbox.settings.profile = "openai"
    client = make_client(sandbox, api_key="sk-proj-WrongKey0123456789abcd")

    with pytest.raises(openai.AuthenticationError) as caught:
        client.files.list()

    assert caught.value.code == "invalid_api_key"
    assert caught.value.body["message"] == (
        "Incorrect API key provided: sk-proj-******************abcd. "
        "You can find your API key at https://platform.openai.com/account/api-keys."
    )


def test_openai_profile_accepts_the_configured_key(sandbox: SandboxServer, openai_client: openai.OpenAI) -> None:
    sandbox.settings.profile = "openai"

    assert openai_client.files.list().data == []


def test_openai_profile_accepts_a_changed_configured_key(sandbox: SandboxServer) -> None:
    sandbox.settings.profile = "openai"
    sandbox.settings.api_key = "sk-another-configured-key"

    assert make_client(sandbox, api_key="sk-another-configured-key").files.list().data == []


def test_openai_profile_masks_a_short_wrong_key_entirely(sandbox: SandboxServer) -> None:
    sandbox.settings.profile = "openai"

    with pytest.raises(openai.AuthenticationError) as caught:
        make_client(sandbox, api_key="sk-short").files.list()

    assert caught.value.body["message"].startswith("Incorrect API key provided: ********. ")


def test_openai_profile_ignores_the_azure_api_key_header(sandbox: SandboxServer, raw) -> None:
    sandbox.settings.profile = "openai"

    response = raw("GET", "/v1/files", headers={"api-key": "sk-sandbox"})

    assert response.status == 401
    assert response.body["error"]["message"].startswith("You didn't provide an API key.")


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_openai_profile_answers_every_assistants_route_404(
    sandbox: SandboxServer, openai_client: openai.OpenAI
) -> None:
    sandbox.settings.profile = "openai"

    with pytest.raises(openai.NotFoundError) as caught:
        openai_client.beta.assistants.create(model="gpt-4o")
    with pytest.raises(openai.NotFoundError):
        openai_client.beta.assistants.list()
    with pytest.raises(openai.NotFoundError):
        openai_client.beta.assistants.retrieve("asst_abc")

    assert caught.value.body["message"] == "Invalid URL (POST /v1/assistants)"


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_openai_profile_checks_the_key_before_the_shut_down_route(sandbox: SandboxServer) -> None:
    sandbox.settings.profile = "openai"

    with pytest.raises(openai.AuthenticationError):
        make_client(sandbox, api_key="sk-wrong-key-0000000000").beta.assistants.list()


def test_openai_profile_still_serves_vector_stores_and_agents(
    sandbox: SandboxServer, openai_client: openai.OpenAI
) -> None:
    sandbox.settings.profile = "openai"

    store = openai_client.vector_stores.create(name="handbook")
    agent = openai_client.beta.agents.create(model="gpt-5.1")

    assert openai_client.vector_stores.retrieve(store.id).name == "handbook"
    assert openai_client.beta.agents.retrieve(agent.id).id == agent.id


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_spec_profile_assistant_has_no_reasoning_effort(sandbox: SandboxServer, openai_client: openai.OpenAI) -> None:
    sandbox.settings.profile = "spec"

    response = openai_client.beta.assistants.with_raw_response.create(model="o3", reasoning_effort="high")

    assert set(raw_json(response)) == SPEC_FIELDS["assistant"]


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_default_profile_echoes_reasoning_effort(openai_client: openai.OpenAI) -> None:
    assistant = openai_client.beta.assistants.create(model="o3", reasoning_effort="high")

    assert assistant.reasoning_effort == "high"


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_spec_profile_filters_every_item_of_a_list(sandbox: SandboxServer, openai_client: openai.OpenAI) -> None:
    sandbox.settings.profile = "spec"
    openai_client.beta.assistants.create(model="o3", reasoning_effort="low")

    page = raw_json(openai_client.beta.assistants.with_raw_response.list())

    assert [set(item) for item in page["data"]] == [SPEC_FIELDS["assistant"]]
    assert set(page) == {"object", "data", "first_id", "last_id", "has_more"}


def test_spec_profile_vector_store_carries_only_spec_fields(
    sandbox: SandboxServer, openai_client: openai.OpenAI
) -> None:
    sandbox.settings.profile = "spec"

    response = openai_client.vector_stores.with_raw_response.create(name="handbook", extra_body={"description": "d"})

    body = raw_json(response)
    assert "description" not in body
    assert set(body) <= SPEC_FIELDS["vector_store"]


def test_spec_profile_vector_store_file_and_batch_carry_only_spec_fields(
    sandbox: SandboxServer, openai_client: openai.OpenAI, upload
) -> None:
    sandbox.settings.profile = "spec"
    file = upload()
    store = openai_client.vector_stores.create(name="handbook")

    attached = raw_json(openai_client.vector_stores.files.with_raw_response.create(store.id, file_id=file.id))
    batch = raw_json(openai_client.vector_stores.file_batches.with_raw_response.create(store.id, file_ids=[file.id]))

    assert set(attached) <= SPEC_FIELDS["vector_store.file"]
    assert set(batch) <= SPEC_FIELDS["vector_store.files_batch"]


def test_spec_profile_keeps_the_fields_of_a_delete_answer(sandbox: SandboxServer, openai_client: openai.OpenAI) -> None:
    sandbox.settings.profile = "spec"
    store = openai_client.vector_stores.create(name="handbook")

    assert raw_json(openai_client.vector_stores.with_raw_response.delete(store.id)) == {
        "id": store.id,
        "object": "vector_store.deleted",
        "deleted": True,
    }


def test_spec_profile_leaves_agents_as_they_are(sandbox: SandboxServer, openai_client: openai.OpenAI) -> None:
    created = openai_client.beta.agents.create(model="gpt-5.1")
    sandbox.settings.profile = "spec"

    assert openai_client.beta.agents.retrieve(created.id).model_dump() == created.model_dump()


def test_assistants_only_profile_answers_agents_routes_404(
    sandbox: SandboxServer, openai_client: openai.OpenAI
) -> None:
    sandbox.settings.profile = "assistants-only"

    with pytest.raises(openai.NotFoundError) as caught:
        openai_client.beta.agents.list()

    assert caught.value.body["message"] == "Invalid URL (GET /v1/agents)"


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_assistants_only_profile_serves_assistants(sandbox: SandboxServer, openai_client: openai.OpenAI) -> None:
    sandbox.settings.profile = "assistants-only"

    assistant = openai_client.beta.assistants.create(model="gpt-4o", name="support")

    assert openai_client.beta.assistants.retrieve(assistant.id).name == "support"


def test_requests_to_routes_a_profile_lacks_are_still_counted(
    sandbox: SandboxServer, openai_client: openai.OpenAI
) -> None:
    sandbox.settings.profile = "assistants-only"

    with pytest.raises(openai.NotFoundError):
        openai_client.beta.agents.list()

    assert sandbox.count("GET /agents") == 1


def test_vector_stores_are_served_under_every_profile(sandbox_profile: str, openai_client: openai.OpenAI) -> None:
    store = openai_client.vector_stores.create(name="handbook", metadata={"team": "support"})

    assert openai_client.vector_stores.retrieve(store.id).metadata == {"team": "support"}


def test_sandbox_fixture_restores_the_default_profile_and_key(sandbox: SandboxServer) -> None:
    assert (sandbox.settings.profile, sandbox.settings.api_key) == ("sandbox", "sk-sandbox")


def test_an_unknown_profile_is_refused(sandbox: SandboxServer) -> None:
    with pytest.raises(ValueError, match="unknown sandbox profile 'azure'"):
        sandbox.settings.profile = "azure"


def test_the_cli_offers_every_profile() -> None:
    assert CLI_PROFILES == PROFILES
