"""The models: the API limits they enforce, and field names and enums that match the openai SDK's params exactly."""

from __future__ import annotations

import types
from typing import Any, Literal, Union, get_args, get_origin, get_type_hints

import pytest
from openai.types.beta import (
    agent_create_params,
    agent_reasoning_param,
    agent_text_param,
    file_search_tool_param,
    persisted_agent_tool_param,
    persisted_mcp_transport_param,
)
from openai.types.shared import reasoning_effort
from openai.types.shared_params import response_format_json_schema
from pydantic import BaseModel, ValidationError

from assistplan.manifest.models import (
    RESERVED_METADATA_KEYS,
    AgentFunctionTool,
    AgentSpec,
    AgentText,
    AssistantSpec,
    AutomationsTool,
    ComputerUseTool,
    HttpTransport,
    JsonSchemaOptions,
    McpTool,
    ProgrammaticToolCallingTool,
    RankingOptions,
    Reasoning,
    StdioTransport,
    ToolSearchTool,
    WebSearchLocation,
    WebSearchTool,
)


def keys(typed_dict: Any) -> set[str]:
    return set(typed_dict.__required_keys__ | typed_dict.__optional_keys__)


def fields(model: type[BaseModel]) -> set[str]:
    return {field.alias or name for name, field in model.model_fields.items()}


def literal_values(annotation: Any) -> set[str]:
    while get_origin(annotation) in (Union, types.UnionType):
        (annotation,) = [arg for arg in get_args(annotation) if arg is not type(None)]
    assert get_origin(annotation) is Literal
    return set(get_args(annotation))


def sdk_enum(typed_dict: Any, key: str) -> set[str]:
    return literal_values(get_type_hints(typed_dict)[key])


def model_enum(model: type[BaseModel], name: str) -> set[str]:
    return literal_values(model.model_fields[name].annotation)


P = persisted_agent_tool_param


MANIFEST_ONLY = {"schema_file", "credential"}
"""Fields only manifests have: a schema's file twin, and an MCP tool's VaultCredential by name (sent as its id)."""


@pytest.mark.parametrize(
    ("model", "typed_dict"),
    [
        (WebSearchTool, P.PersistedAgentToolConfigParamWebSearch),
        (WebSearchLocation, P.PersistedAgentToolConfigParamWebSearchLocation),
        (McpTool, P.PersistedAgentToolConfigParamMcp),
        (ToolSearchTool, P.PersistedAgentToolConfigParamToolSearch),
        (ProgrammaticToolCallingTool, P.PersistedAgentToolConfigParamProgrammaticToolCalling),
        (ComputerUseTool, P.PersistedAgentToolConfigParamComputerUse),
        (AutomationsTool, P.PersistedAgentToolConfigParamAutomations),
        (HttpTransport, persisted_mcp_transport_param.PersistedMcpTransportConfigParamHTTP),
        (StdioTransport, persisted_mcp_transport_param.PersistedMcpTransportConfigParamStdio),
        (Reasoning, agent_reasoning_param.AgentReasoningParam),
        (AgentText, agent_text_param.AgentTextParam),
        (JsonSchemaOptions, response_format_json_schema.JSONSchema),
        (RankingOptions, file_search_tool_param.FileSearchRankingOptions),
    ],
)
def test_field_names_match_the_sdk(model: type[BaseModel], typed_dict: Any) -> None:
    assert fields(model) - MANIFEST_ONLY == keys(typed_dict)


def test_function_tool_options_match_the_sdk() -> None:
    sdk = keys(P.PersistedAgentToolConfigParamFunction)
    assert fields(AgentFunctionTool) - {"function"} == sdk - {"name", "description", "parameters", "type"}


@pytest.mark.parametrize(
    ("model", "field", "typed_dict", "key"),
    [
        (WebSearchTool, "context_size", P.PersistedAgentToolConfigParamWebSearch, "context_size"),
        (WebSearchTool, "mode", P.PersistedAgentToolConfigParamWebSearch, "mode"),
        (McpTool, "connection_origin", P.PersistedAgentToolConfigParamMcp, "connection_origin"),
        (Reasoning, "effort", agent_reasoning_param.AgentReasoningParam, "effort"),
        (Reasoning, "summary", agent_reasoning_param.AgentReasoningParam, "summary"),
        (AgentText, "verbosity", agent_text_param.AgentTextParam, "verbosity"),
        (AgentSpec, "service_tier", agent_create_params.AgentCreateParams, "service_tier"),
        (RankingOptions, "ranker", file_search_tool_param.FileSearchRankingOptions, "ranker"),
    ],
)
def test_enums_match_the_sdk(model: type[BaseModel], field: str, typed_dict: Any, key: str) -> None:
    assert model_enum(model, field) == sdk_enum(typed_dict, key)


def test_reasoning_effort_matches_the_sdk() -> None:
    assert model_enum(AssistantSpec, "reasoning_effort") == literal_values(reasoning_effort.ReasoningEffort)


def test_agent_tool_types_match_the_sdk() -> None:
    ours = {model_enum(m, "type").pop() for m in (WebSearchTool, McpTool, ToolSearchTool, ProgrammaticToolCallingTool)}
    ours |= {model_enum(m, "type").pop() for m in (ComputerUseTool, AutomationsTool)} | {"function"}
    sdk = {sdk_enum(member, "type").pop() for member in get_args(P.PersistedAgentToolParam)}
    assert ours == sdk


def agent(**extra: Any) -> dict[str, Any]:
    return {"kind": "Agent", "name": "a", "model": "gpt-5", **extra}


def test_reserved_metadata_keys_leave_thirteen_pairs() -> None:
    assert RESERVED_METADATA_KEYS == ("assistplan:project", "assistplan:address", "assistplan:digest")
    AgentSpec.model_validate(agent(metadata={f"k{i}": "v" for i in range(13)}))
    with pytest.raises(ValidationError):
        AgentSpec.model_validate(agent(metadata={f"k{i}": "v" for i in range(14)}))


@pytest.mark.parametrize(
    ("metadata", "valid"),
    [
        ({"k" * 64: "v" * 512}, True),
        ({"k" * 65: "v"}, False),
        ({"k": "v" * 513}, False),
        ({"assistplan:mine": "v"}, False),
        ({"team": 1}, False),
    ],
)
def test_metadata_limits(metadata: dict[str, Any], valid: bool) -> None:
    if valid:
        AgentSpec.model_validate(agent(metadata=metadata))
    else:
        with pytest.raises(ValidationError):
            AgentSpec.model_validate(agent(metadata=metadata))


@pytest.mark.parametrize(
    ("spec", "valid"),
    [
        ({"kind": "Function", "name": "a" * 64, "description": "d", "parameters": {}}, True),
        ({"kind": "Function", "name": "a" * 65, "description": "d", "parameters": {}}, False),
        ({"kind": "Function", "name": "get-order_2", "description": "d" * 1024, "parameters": {}}, True),
        ({"kind": "Agent", "name": "a" * 64, "model": "m"}, True),
        ({"kind": "Agent", "name": "a" * 65, "model": "m"}, False),
        ({"kind": "Assistant", "name": "s", "model": "m", "description": "d" * 512}, True),
        ({"kind": "Assistant", "name": "s", "model": "m", "description": "d" * 513}, False),
        ({"kind": "Assistant", "name": "s", "model": "m", "instructions": "i" * 256_000}, True),
        ({"kind": "Assistant", "name": "s", "model": "m", "instructions": "i" * 256_001}, False),
        ({"kind": "Assistant", "name": "s", "model": "m", "temperature": 0, "top_p": 1}, True),
        ({"kind": "Assistant", "name": "s", "model": "m", "tools": ["code_interpreter"] * 128}, False),
        ({"kind": "Assistant", "name": "s", "model": "m", "temperature": float("nan")}, False),
    ],
)
def test_limits(spec: dict[str, Any], valid: bool) -> None:
    from assistplan.manifest.models import spec_types

    model = spec_types()[spec["kind"]]
    if valid:
        model.model_validate(spec)
    else:
        with pytest.raises(ValidationError):
            model.model_validate(spec)


def test_async_is_read_from_its_wire_name() -> None:
    tool = AgentFunctionTool.model_validate({"function": "f", "async": True})
    assert tool.async_ is True
    assert tool.model_dump(by_alias=True, exclude_none=True) == {"function": "f", "async": True}


def test_specs_are_frozen() -> None:
    spec = AgentSpec.model_validate(agent())
    with pytest.raises(ValidationError):
        spec.model = "other"
