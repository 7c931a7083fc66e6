"""The manifest models: one pydantic spec per kind and `assistplan.yaml`'s ProjectConfig.

The kinds' models live in small modules (openai_models, agent_models, flowise_models, ...); this module re-exports
the OpenAI and agent ones, which most commands use. The Flowise models are imported from `flowise_models`, only by
what needs them. Which model belongs to which kind is declared by the kind's module (see `assistplan.catalog`).
"""

from __future__ import annotations

import ipaddress
import re
from typing import Annotated, Any
from urllib.parse import urlsplit

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
    problem,
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


MAX_URL_LENGTH = 65536
"""The longest URL the HTTP client (httpx) sends."""
_IPV4_STYLE = re.compile(r"[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+")


def url_problem(url: str) -> str | None:
    """Why requests cannot be sent to the http(s) URL `url` (None: they can), in words that never repeat its user
    name or password: what the HTTP client, `urllib.parse` (which messages use to show a URL) or the resolver (which
    encodes a host name as IDNA, at most 63 characters between dots) would refuse when the request is made."""
    if not url.startswith(("http://", "https://")):
        return "must be an http:// or https:// URL"
    if len(url) > MAX_URL_LENGTH:
        return f"the URL is {len(url)} characters long, at most {MAX_URL_LENGTH}"
    if any(char.isascii() and not char.isprintable() for char in url):
        return "the URL contains a control character (a tab or a line break?)"
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - reading it checks the port
    except ValueError as error:
        return f"not a valid URL: {error}"
    host, port = _host_and_port(parts.netloc)
    if port and not (port.isascii() and port.isdigit() and 0 < int(port) < 65536):
        return f"invalid port {port!r}: expected a number from 1 to 65535"
    if host.startswith("["):
        try:
            ipaddress.IPv6Address(host[1:-1])
        except ValueError:
            return f"invalid IPv6 address {host}"
        return None
    if _IPV4_STYLE.fullmatch(host):
        try:
            ipaddress.IPv4Address(host)
        except ValueError:
            return f"invalid IPv4 address {host}"
        return None
    if not host:
        return "the URL names no host"
    if not host.isascii():
        return _international_host_problem(url)
    try:
        host.encode("idna")
    except UnicodeError:
        return "invalid host name: each part between dots must be 1 to 63 characters long (encoded as IDNA)"
    return None


def _international_host_problem(url: str) -> str | None:
    """Why the HTTP client refuses the internationalized host name of `url` (its IDNA 2008 rules are its own); the
    only check that imports it, so that validating a project with ASCII host names stays light."""
    import httpx

    try:
        httpx.URL(url)
    except httpx.InvalidURL as error:
        return f"invalid host name: {error}"
    return None


def _host_and_port(netloc: str) -> tuple[str, str]:
    """The host and the port text of a URL's `netloc` as the HTTP client splits it: after the last `@`, an IPv6
    literal up to the last `]` or a name up to the first `:`."""
    where = netloc.rpartition("@")[2]
    if where.startswith("[") and "]" in where:
        end = where.rindex("]") + 1
        return where[:end], where[end:].removeprefix(":")
    host, _, port = where.partition(":")
    return host, port


class OpenAIConfig(Spec):
    base_url: str | None = Field(
        default=None,
        description='"sandbox" for the built-in sandbox; omitted: $OPENAI_BASE_URL, else OpenAI.',
    )
    api_key_env: Annotated[str, Field(pattern=ENV_NAME_PATTERN)] = "OPENAI_API_KEY"

    @field_validator("base_url")
    @classmethod
    def _url(cls, value: str | None) -> str | None:
        if value is None or value == "sandbox":
            return value
        if not value.startswith(("http://", "https://")):
            raise problem(f'must be "sandbox" or an http:// or https:// URL, got "{value}"')
        reason = url_problem(value)
        if reason is not None:
            raise problem(reason)
        return value


class FlowiseConfig(Spec):
    url: Annotated[str, Field(pattern=r"^https?://\S+$")]
    api_key_env: Annotated[str, Field(pattern=ENV_NAME_PATTERN)] = "FLOWISE_API_KEY"

    @field_validator("url")
    @classmethod
    def _url(cls, value: str) -> str:
        reason = url_problem(value)
        if reason is not None:
            raise problem(reason)
        return value


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
