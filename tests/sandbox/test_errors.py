"""Errors as the real API answers them: `{"error": {...}}` bodies, status codes, and `x-request-id` everywhere."""

from __future__ import annotations

import openai
import pytest

AGENTS = {"Authorization": "Bearer sk-test", "OpenAI-Beta": "agents=v1", "Content-Type": "application/json"}


def test_unknown_id_is_404_not_found(openai_client: openai.OpenAI) -> None:
    with pytest.raises(openai.NotFoundError) as caught:
        openai_client.beta.agents.retrieve("agent_missing")

    assert caught.value.status_code == 404
    assert caught.value.body == {
        "message": "No agent found with id 'agent_missing'.",
        "type": "invalid_request_error",
        "param": None,
        "code": None,
    }


def test_unrecognized_argument_is_400_naming_it(openai_client: openai.OpenAI) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        openai_client.beta.agents.create(model="gpt-5.1", extra_body={"temperature": 0.5})

    assert caught.value.body == {
        "message": "Unknown parameter: 'temperature'.",
        "type": "invalid_request_error",
        "param": "temperature",
        "code": "unknown_parameter",
    }


def test_unrecognized_nested_argument_names_its_path(openai_client: openai.OpenAI) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        openai_client.beta.agents.create(model="gpt-5.1", reasoning={"effort": "low", "budget": 3})  # type: ignore[typeddict-unknown-key]

    assert caught.value.param == "reasoning.budget"


def test_wrong_type_is_400_naming_the_field(openai_client: openai.OpenAI) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        openai_client.beta.agents.create(model="gpt-5.1", name=42)  # type: ignore[arg-type]

    assert caught.value.body == {
        "message": "Invalid type for 'name': expected a string, but got an integer instead.",
        "type": "invalid_request_error",
        "param": "name",
        "code": "invalid_type",
    }


def test_missing_beta_header_is_400(openai_client: openai.OpenAI) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        openai_client.beta.agents.list(extra_headers={"OpenAI-Beta": openai.Omit()})

    assert caught.value.code == "invalid_beta"
    assert "OpenAI-Beta: agents=v1" in caught.value.message


def test_wrong_beta_header_is_400(openai_client: openai.OpenAI) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        openai_client.vector_stores.list(extra_headers={"OpenAI-Beta": "assistants=v1"})

    assert caught.value.code == "invalid_beta"


def test_files_need_no_beta_header(openai_client: openai.OpenAI) -> None:
    assert openai_client.files.list(extra_headers={"OpenAI-Beta": openai.Omit()}).data == []


def test_missing_api_key_is_401(openai_client: openai.OpenAI) -> None:
    with pytest.raises(openai.AuthenticationError) as caught:
        openai_client.files.list(extra_headers={"Authorization": openai.Omit()})

    assert caught.value.status_code == 401
    assert caught.value.type == "invalid_request_error"


def test_azure_api_key_header_is_accepted(raw) -> None:
    response = raw("GET", "/v1/files", headers={"api-key": "azure-key"})

    assert response.status == 200


def test_unknown_url_is_404_invalid_url(raw) -> None:
    response = raw("GET", "/v1/prompts", headers=AGENTS)

    assert response.status == 404
    assert response.body["error"]["message"] == "Invalid URL (GET /v1/prompts)"


def test_unsupported_method_is_404_invalid_url(raw) -> None:
    response = raw("PATCH", "/v1/agents", headers=AGENTS)

    assert response.status == 404
    assert response.body["error"]["message"] == "Invalid URL (PATCH /v1/agents)"


def test_malformed_json_is_400(raw) -> None:
    response = raw("POST", "/v1/agents", body=b"{not json", headers=AGENTS)

    assert response.status == 400
    assert response.body["error"]["message"].startswith("We could not parse the JSON body of your request.")


def test_limit_out_of_range_is_400_naming_it(openai_client: openai.OpenAI) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        openai_client.beta.agents.list(limit=101)

    assert (caught.value.param, caught.value.code) == ("limit", "integer_above_max_value")


def test_unknown_order_is_400_naming_it(openai_client: openai.OpenAI) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        openai_client.beta.agents.list(order="newest")  # type: ignore[arg-type]

    assert (caught.value.param, caught.value.code) == ("order", "invalid_value")


def test_metadata_over_sixteen_pairs_is_rejected(openai_client: openai.OpenAI) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        openai_client.beta.agents.create(model="gpt-5.1", metadata={f"k{i}": "v" for i in range(17)})

    assert (caught.value.param, caught.value.code) == ("metadata", "object_above_max_properties")


def test_sixteen_metadata_pairs_at_the_length_limits_are_accepted(openai_client: openai.OpenAI) -> None:
    metadata = {f"{i:02d}" + "k" * 62: "v" * 512 for i in range(16)}

    assert openai_client.beta.agents.create(model="gpt-5.1", metadata=metadata).metadata == metadata


def test_metadata_key_over_64_characters_is_rejected(openai_client: openai.OpenAI) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        openai_client.vector_stores.create(name="kb", metadata={"k" * 65: "v"})

    assert (caught.value.param, caught.value.code) == ("metadata", "string_above_max_length")


def test_metadata_value_over_512_characters_is_rejected(openai_client: openai.OpenAI) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        openai_client.vector_stores.create(name="kb", metadata={"key": "v" * 513})

    assert (caught.value.param, caught.value.code) == ("metadata.key", "string_above_max_length")


def test_metadata_values_must_be_strings(openai_client: openai.OpenAI) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        openai_client.vector_stores.create(name="kb", metadata={"count": 3})  # type: ignore[dict-item]

    assert (caught.value.param, caught.value.code) == ("metadata.count", "invalid_type")


def test_attribute_values_may_not_be_objects(openai_client: openai.OpenAI, upload) -> None:
    store_id = openai_client.vector_stores.create(name="kb").id

    with pytest.raises(openai.BadRequestError) as caught:
        openai_client.vector_stores.files.create(
            vector_store_id=store_id,
            file_id=upload().id,
            attributes={"nested": {"a": 1}},  # type: ignore[dict-item]
        )

    assert (caught.value.param, caught.value.code) == ("attributes.nested", "invalid_type")


def test_attributes_over_sixteen_pairs_are_rejected(openai_client: openai.OpenAI, upload) -> None:
    store_id = openai_client.vector_stores.create(name="kb").id

    with pytest.raises(openai.BadRequestError) as caught:
        openai_client.vector_stores.files.create(
            vector_store_id=store_id, file_id=upload().id, attributes={f"k{i}": i for i in range(17)}
        )

    assert (caught.value.param, caught.value.code) == ("attributes", "object_above_max_properties")


def test_successful_responses_carry_a_request_id(openai_client: openai.OpenAI) -> None:
    agent = openai_client.beta.agents.create(model="gpt-5.1")

    assert agent._request_id is not None and agent._request_id.startswith("req_")


def test_error_responses_carry_a_request_id(openai_client: openai.OpenAI) -> None:
    with pytest.raises(openai.NotFoundError) as caught:
        openai_client.files.retrieve("file-missing")

    assert caught.value.request_id is not None and caught.value.request_id.startswith("req_")


def test_every_kind_of_response_carries_a_request_id(raw) -> None:
    responses = [
        raw("GET", "/v1/files"),
        raw("GET", "/v1/files", headers={"Authorization": "Bearer k"}),
        raw("GET", "/v1/nowhere", headers={"Authorization": "Bearer k"}),
        raw("GET", "/_sandbox/health"),
    ]

    assert [r.status for r in responses] == [401, 200, 404, 200]
    assert all(r.headers["x-request-id"].startswith("req_") for r in responses)


def test_request_ids_are_unique(raw) -> None:
    ids = {raw("GET", "/_sandbox/health").headers["x-request-id"] for _ in range(20)}

    assert len(ids) == 20
