"""Agents (beta): create, retrieve, update (partial), list, delete; answers carry resolved defaults."""

from __future__ import annotations

import time

import openai
import pytest

FUNCTION = {
    "type": "function",
    "name": "get_order_status",
    "description": "Look up an order.",
    "parameters": {"type": "object", "properties": {"id": {"type": "string"}}},
}


def test_create_answers_the_agent_with_resolved_defaults(openai_client: openai.OpenAI) -> None:
    agent = openai_client.beta.agents.create(model="gpt-5.1", name="support")

    assert agent.id.startswith("agent_")
    assert agent.to_dict() == {
        "id": agent.id,
        "object": "agent",
        "created_at": agent.created_at,
        "updated_at": agent.created_at,
        "name": "support",
        "model": "gpt-5.1",
        "instructions": None,
        "metadata": {},
        "tools": [],
        "reasoning": {"effort": "medium", "summary": None},
        "text": {"format": {"type": "text"}, "verbosity": "medium"},
        "service_tier": "auto",
        "multi_agent": {"enabled": False, "max_concurrent_subagents": None},
        "compaction": {"async": False},
        "experimental": {"time_awareness": False},
    }


def test_function_tool_reads_back_with_defer_loading(openai_client: openai.OpenAI) -> None:
    agent = openai_client.beta.agents.create(model="gpt-5.1", tools=[FUNCTION])

    assert agent.to_dict()["tools"] == [{**FUNCTION, "defer_loading": False}]


def test_web_search_tool_reads_back_with_its_defaults(openai_client: openai.OpenAI) -> None:
    agent = openai_client.beta.agents.create(model="gpt-5.1", tools=[{"type": "web_search"}])

    assert agent.to_dict()["tools"] == [
        {"type": "web_search", "allowed_domains": None, "context_size": "medium", "location": None, "mode": "live"}
    ]


def test_mcp_tool_reads_back_with_its_defaults(openai_client: openai.OpenAI) -> None:
    tool = {"type": "mcp", "server_label": "docs", "transport": {"type": "http", "server_url": "https://mcp.test"}}

    agent = openai_client.beta.agents.create(model="gpt-5.1", tools=[tool])

    assert agent.to_dict()["tools"] == [
        {
            "type": "mcp",
            "server_label": "docs",
            "transport": {"type": "http", "server_url": "https://mcp.test", "headers": {}},
            "allowed_tools": None,
            "connection_origin": "service",
            "credential_id": None,
            "request_metadata": {},
            "required": False,
        }
    ]


def test_stdio_mcp_transport_reads_back_with_empty_lists(openai_client: openai.OpenAI) -> None:
    transport = {"type": "stdio", "command": "npx", "cwd": "/work"}
    tool = {"type": "mcp", "server_label": "fs", "transport": transport}

    agent = openai_client.beta.agents.create(model="gpt-5.1", tools=[tool])

    assert agent.to_dict()["tools"][0]["transport"] == {**transport, "args": [], "env_vars": []}


def test_simple_tools_read_back_with_their_defaults(openai_client: openai.OpenAI) -> None:
    tools = [{"type": kind} for kind in ("tool_search", "programmatic_tool_calling", "computer_use", "automations")]

    agent = openai_client.beta.agents.create(model="gpt-5.1", tools=tools)  # type: ignore[arg-type]

    assert agent.to_dict()["tools"] == [
        {"type": "tool_search"},
        {"type": "programmatic_tool_calling", "enabled": True},
        {"type": "computer_use", "include_screenshots": False},
        {"type": "automations"},
    ]


def test_given_settings_are_kept(openai_client: openai.OpenAI) -> None:
    agent = openai_client.beta.agents.create(
        model="gpt-5.1",
        reasoning={"effort": "high", "summary": "auto"},
        text={"format": {"type": "json_schema", "schema": {"type": "object"}}, "verbosity": "low"},
        service_tier="flex",
        multi_agent={"enabled": True},
        compaction={"async_": True},
    )

    resolved = agent.to_dict()
    assert resolved["reasoning"] == {"effort": "high", "summary": "auto"}
    assert resolved["text"] == {"format": {"type": "json_schema", "schema": {"type": "object"}}, "verbosity": "low"}
    assert resolved["service_tier"] == "flex"
    assert resolved["multi_agent"] == {"enabled": True, "max_concurrent_subagents": 6}
    assert resolved["compaction"] == {"async": True}


def test_update_changes_only_the_given_fields(openai_client: openai.OpenAI) -> None:
    created = openai_client.beta.agents.create(model="gpt-5.1", instructions="Be brief.", tools=[FUNCTION])

    updated = openai_client.beta.agents.update(created.id, name="support")

    assert updated.to_dict() == {**created.to_dict(), "name": "support", "updated_at": updated.updated_at}


def test_update_moves_updated_at(openai_client: openai.OpenAI) -> None:
    created = openai_client.beta.agents.create(model="gpt-5.1")
    time.sleep(1.05)

    updated = openai_client.beta.agents.update(created.id, name="later")

    assert updated.updated_at > created.updated_at
    assert updated.created_at == created.created_at


def test_update_replaces_tools_and_metadata_wholesale(openai_client: openai.OpenAI) -> None:
    created = openai_client.beta.agents.create(
        model="gpt-5.1", tools=[FUNCTION, {"type": "web_search"}], metadata={"a": "1", "b": "2"}
    )

    updated = openai_client.beta.agents.update(created.id, tools=[{"type": "web_search"}], metadata={"c": "3"})

    assert [tool.type for tool in updated.tools] == ["web_search"]
    assert updated.metadata == {"c": "3"}


def test_update_with_null_clears_tools_and_metadata(openai_client: openai.OpenAI) -> None:
    created = openai_client.beta.agents.create(model="gpt-5.1", tools=[FUNCTION], metadata={"a": "1"})

    updated = openai_client.beta.agents.update(created.id, tools=None, metadata=None)

    assert (updated.tools, updated.metadata) == ([], {})


def test_update_with_null_resets_reasoning_to_the_default(openai_client: openai.OpenAI) -> None:
    created = openai_client.beta.agents.create(model="gpt-5.1", reasoning={"effort": "low"})

    updated = openai_client.beta.agents.update(created.id, reasoning=None)

    assert updated.reasoning.effort == "medium"


def test_update_merges_experimental_settings(openai_client: openai.OpenAI) -> None:
    created = openai_client.beta.agents.create(model="gpt-5.1", experimental={"time_awareness": True})

    updated = openai_client.beta.agents.update(created.id, experimental={})

    assert updated.experimental is not None and updated.experimental.time_awareness is True


def test_list_is_newest_first_by_default(openai_client: openai.OpenAI) -> None:
    first = openai_client.beta.agents.create(model="gpt-5.1")
    second = openai_client.beta.agents.create(model="gpt-5.1")

    assert [a.id for a in openai_client.beta.agents.list()] == [second.id, first.id]


def test_delete_answers_the_deleted_shape(openai_client: openai.OpenAI) -> None:
    created = openai_client.beta.agents.create(model="gpt-5.1")

    result = openai_client.beta.agents.delete(created.id)

    assert (result.id, result.object, result.deleted) == (created.id, "agent.deleted", True)
    with pytest.raises(openai.NotFoundError):
        openai_client.beta.agents.retrieve(created.id)


def test_unknown_tool_type_is_rejected_naming_the_field(openai_client: openai.OpenAI) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        openai_client.beta.agents.create(model="gpt-5.1", tools=[{"type": "file_search"}])  # type: ignore[list-item]

    assert (caught.value.param, caught.value.code) == ("tools[0].type", "invalid_value")


def test_function_tool_without_a_description_is_rejected(openai_client: openai.OpenAI) -> None:
    tool = {key: value for key, value in FUNCTION.items() if key != "description"}

    with pytest.raises(openai.BadRequestError) as caught:
        openai_client.beta.agents.create(model="gpt-5.1", tools=[tool])  # type: ignore[list-item]

    assert (caught.value.param, caught.value.code) == ("tools[0].description", "missing_required_parameter")


def test_tool_list_over_three_mebibytes_is_rejected(openai_client: openai.OpenAI) -> None:
    huge = {**FUNCTION, "description": "x" * (3 * 1024 * 1024)}

    with pytest.raises(openai.BadRequestError) as caught:
        openai_client.beta.agents.create(model="gpt-5.1", tools=[huge])  # type: ignore[list-item]

    assert caught.value.param == "tools"


def test_invalid_service_tier_is_rejected(openai_client: openai.OpenAI) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        openai_client.beta.agents.create(model="gpt-5.1", service_tier="scale")  # type: ignore[arg-type]

    assert (caught.value.param, caught.value.code) == ("service_tier", "invalid_value")


def test_empty_allowed_tools_stays_an_empty_list(openai_client: openai.OpenAI) -> None:
    transport = {"type": "stdio", "command": "npx", "cwd": "/work", "args": None, "env_vars": ["HOME"]}
    tool = {"type": "mcp", "server_label": "fs", "transport": transport, "allowed_tools": []}

    agent = openai_client.beta.agents.create(model="gpt-5.1", tools=[tool])

    resolved = agent.to_dict()["tools"][0]
    assert resolved["allowed_tools"] == []
    assert (resolved["transport"]["args"], resolved["transport"]["env_vars"]) == ([], ["HOME"])


def test_web_search_location_reads_back_with_every_field(openai_client: openai.OpenAI) -> None:
    tool = {"type": "web_search", "location": {"country": "NL"}, "allowed_domains": ["openai.com"]}

    agent = openai_client.beta.agents.create(model="gpt-5.1", tools=[tool])  # type: ignore[list-item]

    resolved = agent.to_dict()["tools"][0]
    assert resolved["location"] == {"city": None, "country": "NL", "region": None, "timezone": None}
    assert resolved["allowed_domains"] == ["openai.com"]
