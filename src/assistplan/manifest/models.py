"""The manifest models: one pydantic spec per kind and `assistplan.yaml`'s ProjectConfig.

The kinds' models live in small modules (openai_models, agent_models, flowise_models, ...); this module re-exports
the OpenAI and agent ones, which most commands use. The Flowise models are imported from `flowise_models`, only by
what needs them. Which model belongs to which kind is declared by the kind's module (see `assistplan.catalog`).
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field, field_validator

from assistplan.manifest.agent_models import (
    AgentFunctionTool,
    AgentSpec,
    AgentText,
    AgentTool,
    AutomationsTool,
    ComputerUseTool,
    HttpTransport,
    McpTool,
    ProgrammaticToolCallingTool,
    Reasoning,
    StdioTransport,
    TextFormatJsonSchema,
    TextFormatText,
    ToolSearchTool,
    WebSearchLocation,
    WebSearchTool,
)
from assistplan.manifest.environment_models import EnvironmentConfig, check_environment_names
from assistplan.manifest.fields import (
    ENV_NAME_PATTERN,
    PROJECT_PATTERN,
    RESERVED_METADATA_KEYS,
    USER_METADATA_MAX_PAIRS,
    KindSpec,
    Lifecycle,
    Spec,
)
from assistplan.manifest.openai_models import (
    AssistantSpec,
    AssistantTool,
    CodeInterpreter,
    FileSearch,
    FileSpec,
    FunctionRef,
    FunctionSpec,
    JsonObjectResponseFormat,
    JsonSchemaOptions,
    JsonSchemaResponseFormat,
    RankingOptions,
    StaticChunking,
    TextResponseFormat,
    VectorStoreSpec,
)
from assistplan.manifest.policy_models import PolicyConfig
from assistplan.manifest.urls import check_base_url, check_url

__all__ = [
    "RESERVED_METADATA_KEYS",
    "USER_METADATA_MAX_PAIRS",
    "AgentFunctionTool",
    "AgentSpec",
    "AgentText",
    "AgentTool",
    "AssistantSpec",
    "AssistantTool",
    "AutomationsTool",
    "CodeInterpreter",
    "ComputerUseTool",
    "FileSearch",
    "FileSpec",
    "FlowiseConfig",
    "FunctionRef",
    "FunctionSpec",
    "HttpTransport",
    "JsonObjectResponseFormat",
    "JsonSchemaOptions",
    "JsonSchemaResponseFormat",
    "KindSpec",
    "Lifecycle",
    "McpTool",
    "OpenAIConfig",
    "PolicyConfig",
    "ProgrammaticToolCallingTool",
    "ProjectConfig",
    "RankingOptions",
    "Reasoning",
    "StaticChunking",
    "StdioTransport",
    "TextFormatJsonSchema",
    "TextFormatText",
    "TextResponseFormat",
    "ToolSearchTool",
    "VectorStoreSpec",
    "WebSearchLocation",
    "WebSearchTool",
]


class OpenAIConfig(Spec):
    base_url: str | None = Field(
        default=None,
        description='"sandbox" for the built-in sandbox; omitted: $OPENAI_BASE_URL, else OpenAI.',
    )
    api_key_env: Annotated[str, Field(pattern=ENV_NAME_PATTERN)] = "OPENAI_API_KEY"

    @field_validator("base_url")
    @classmethod
    def _url(cls, value: str | None) -> str | None:
        return check_base_url(value)


class FlowiseConfig(Spec):
    url: Annotated[str, Field(pattern=r"^https?://\S+$")]
    api_key_env: Annotated[str, Field(pattern=ENV_NAME_PATTERN)] = "FLOWISE_API_KEY"

    @field_validator("url")
    @classmethod
    def _url(cls, value: str) -> str:
        return check_url(value)


class ProjectConfig(Spec):
    """`assistplan.yaml`: the project's name, where its APIs are, where its state lives, template variables, policy."""

    project: Annotated[str, Field(pattern=PROJECT_PATTERN)]
    openai: OpenAIConfig = Field(default_factory=OpenAIConfig)
    flowise: FlowiseConfig | None = None
    state: Annotated[str, Field(min_length=1)] = ".assistplan/state.json"
    vars: dict[str, Any] = Field(default_factory=dict)
    policy: PolicyConfig | None = None
    """Rules every resource must follow (allowed models, tool types, MCP hosts; required metadata; limits)."""
    environments: dict[str, EnvironmentConfig] = Field(default_factory=dict)
    """Named environments (dev, prod, ...), each overriding vars, provider settings and the state path; one is
    chosen with --env NAME or ASSISTPLAN_ENV, and its objects are stamped `<project>@<environment>` (the project name
    alone for the one environment with `identity: project`)."""
    default_environment: str | None = None
    """The environment used when none is chosen; without it, a project with environments needs --env."""

    @field_validator("environments")
    @classmethod
    def _environment_names(cls, value: dict[str, EnvironmentConfig]) -> dict[str, EnvironmentConfig]:
        return check_environment_names(value)


def spec_types() -> dict[str, type[KindSpec]]:
    """Kind name -> manifest model, in catalog order."""
    from assistplan import catalog

    return {name: info.spec_model for name, info in catalog.kinds().items()}


def spec_type(kind: str) -> type[KindSpec] | None:
    """The manifest model of one kind (None for an unknown kind); imports only that kind's module."""
    from assistplan import catalog

    info = catalog.get(kind)
    return info.spec_model if info is not None else None
