"""Assistants v2: create, retrieve, update (partial, lists replaced), list, delete; defaults filled as the API did."""

from __future__ import annotations

import openai
import pytest

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

BETA = {"OpenAI-Beta": "assistants=v2"}
FUNCTION = {
    "type": "function",
    "function": {
        "name": "get_order_status",
        "description": "Look up an order.",
        "parameters": {"type": "object", "properties": {"id": {"type": "string"}}, "required": ["id"]},
    },
}


def test_create_answers_the_assistant_with_defaults(openai_client: openai.OpenAI) -> None:
    assistant = openai_client.beta.assistants.create(model="gpt-4o", name="support")

    assert assistant.id.startswith("asst_")
    assert assistant.to_dict() == {
        "id": assistant.id,
        "object": "assistant",
        "created_at": assistant.created_at,
        "name": "support",
        "description": None,
        "model": "gpt-4o",
        "instructions": None,
        "tools": [],
        "tool_resources": {},
        "metadata": {},
        "top_p": 1.0,
        "temperature": 1.0,
        "reasoning_effort": None,
        "response_format": "auto",
    }


def test_file_search_tool_reads_back_with_its_defaults(openai_client: openai.OpenAI) -> None:
    assistant = openai_client.beta.assistants.create(model="gpt-4o", tools=[{"type": "file_search"}])

    assert assistant.to_dict()["tools"] == [
        {
            "type": "file_search",
            "file_search": {"max_num_results": 20, "ranking_options": {"ranker": "auto", "score_threshold": 0.0}},
        }
    ]


def test_file_search_defaults_to_five_results_on_gpt_3_5(openai_client: openai.OpenAI) -> None:
    assistant = openai_client.beta.assistants.create(model="gpt-3.5-turbo", tools=[{"type": "file_search"}])

    assert assistant.to_dict()["tools"][0]["file_search"]["max_num_results"] == 5


def test_function_tool_reads_back_with_strict_false(openai_client: openai.OpenAI) -> None:
    assistant = openai_client.beta.assistants.create(model="gpt-4o", tools=[FUNCTION])

    assert assistant.to_dict()["tools"] == [{"type": "function", "function": {**FUNCTION["function"], "strict": False}}]


def test_invalid_function_name_is_rejected_naming_the_field(openai_client: openai.OpenAI) -> None:
    bad = {"type": "function", "function": {"name": "get order"}}

    with pytest.raises(openai.BadRequestError) as caught:
        openai_client.beta.assistants.create(model="gpt-4o", tools=[bad])

    assert caught.value.param == "tools[0].function.name"


def test_json_schema_response_format_is_echoed(openai_client: openai.OpenAI) -> None:
    response_format = {"type": "json_schema", "json_schema": {"name": "answer", "schema": {"type": "object"}}}

    assistant = openai_client.beta.assistants.create(model="gpt-4o", response_format=response_format)

    assert assistant.to_dict()["response_format"] == response_format


def test_tool_resources_reference_files_and_vector_stores(openai_client: openai.OpenAI, upload) -> None:
    file_id = upload("data.csv").id
    store_id = openai_client.vector_stores.create(name="kb").id

    assistant = openai_client.beta.assistants.create(
        model="gpt-4o",
        tools=[{"type": "code_interpreter"}, {"type": "file_search"}],
        tool_resources={"code_interpreter": {"file_ids": [file_id]}, "file_search": {"vector_store_ids": [store_id]}},
    )

    assert assistant.to_dict()["tool_resources"] == {
        "code_interpreter": {"file_ids": [file_id]},
        "file_search": {"vector_store_ids": [store_id]},
    }


def test_unknown_vector_store_in_tool_resources_is_not_found(openai_client: openai.OpenAI) -> None:
    with pytest.raises(openai.NotFoundError) as caught:
        openai_client.beta.assistants.create(
            model="gpt-4o", tool_resources={"file_search": {"vector_store_ids": ["vs_missing"]}}
        )

    assert caught.value.param == "tool_resources.file_search.vector_store_ids[0]"


def test_vector_stores_helper_creates_a_store(openai_client: openai.OpenAI, upload) -> None:
    file_id = upload().id

    assistant = openai_client.beta.assistants.create(
        model="gpt-4o", tool_resources={"file_search": {"vector_stores": [{"file_ids": [file_id]}]}}
    )

    assert assistant.tool_resources is not None and assistant.tool_resources.file_search is not None
    (store_id,) = assistant.tool_resources.file_search.vector_store_ids or []
    assert openai_client.vector_stores.retrieve(store_id).file_counts.total == 1


def test_update_changes_only_the_given_fields(openai_client: openai.OpenAI) -> None:
    created = openai_client.beta.assistants.create(model="gpt-4o", name="a", instructions="Be brief.")

    updated = openai_client.beta.assistants.update(created.id, name="b")

    assert updated.to_dict() == {**created.to_dict(), "name": "b"}


def test_update_with_null_clears_a_field(openai_client: openai.OpenAI) -> None:
    created = openai_client.beta.assistants.create(model="gpt-4o", description="old", temperature=0.2)

    updated = openai_client.beta.assistants.update(created.id, description=None, temperature=None)

    assert (updated.description, updated.temperature) == (None, 1.0)


def test_update_replaces_the_tool_list(openai_client: openai.OpenAI) -> None:
    created = openai_client.beta.assistants.create(model="gpt-4o", tools=[{"type": "code_interpreter"}, FUNCTION])

    updated = openai_client.beta.assistants.update(created.id, tools=[{"type": "code_interpreter"}])

    assert [tool.type for tool in updated.tools] == ["code_interpreter"]


def test_update_replaces_the_metadata(openai_client: openai.OpenAI) -> None:
    created = openai_client.beta.assistants.create(model="gpt-4o", metadata={"a": "1", "b": "2"})

    updated = openai_client.beta.assistants.update(created.id, metadata={"c": "3"})

    assert updated.metadata == {"c": "3"}


def test_update_rejects_the_create_only_vector_stores_helper(openai_client: openai.OpenAI) -> None:
    created = openai_client.beta.assistants.create(model="gpt-4o")

    with pytest.raises(openai.BadRequestError) as caught:
        openai_client.beta.assistants.update(
            created.id,
            tool_resources={"file_search": {"vector_stores": [{"file_ids": []}]}},  # type: ignore[typeddict-unknown-key]
        )

    assert caught.value.param == "tool_resources.file_search.vector_stores"


def test_retrieve_returns_what_create_answered(openai_client: openai.OpenAI) -> None:
    created = openai_client.beta.assistants.create(model="gpt-4o", tools=[FUNCTION], metadata={"k": "v"})

    assert openai_client.beta.assistants.retrieve(created.id) == created


def test_list_is_newest_first(openai_client: openai.OpenAI) -> None:
    first = openai_client.beta.assistants.create(model="gpt-4o")
    second = openai_client.beta.assistants.create(model="gpt-4o")

    assert [a.id for a in openai_client.beta.assistants.list()] == [second.id, first.id]


def test_delete_answers_the_deleted_shape(openai_client: openai.OpenAI) -> None:
    created = openai_client.beta.assistants.create(model="gpt-4o")

    result = openai_client.beta.assistants.delete(created.id)

    assert (result.id, result.object, result.deleted) == (created.id, "assistant.deleted", True)
    with pytest.raises(openai.NotFoundError):
        openai_client.beta.assistants.retrieve(created.id)


def test_temperature_above_two_is_rejected_naming_the_field(openai_client: openai.OpenAI) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        openai_client.beta.assistants.create(model="gpt-4o", temperature=2.5)

    assert (caught.value.param, caught.value.code) == ("temperature", "decimal_above_max_value")


def test_name_over_256_characters_is_rejected(openai_client: openai.OpenAI) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        openai_client.beta.assistants.create(model="gpt-4o", name="n" * 257)

    assert (caught.value.param, caught.value.code) == ("name", "string_above_max_length")


def test_model_is_required(openai_client: openai.OpenAI) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        openai_client.post("/assistants", body={"name": "x"}, cast_to=object, options={"headers": BETA})

    assert (caught.value.param, caught.value.code) == ("model", "missing_required_parameter")
