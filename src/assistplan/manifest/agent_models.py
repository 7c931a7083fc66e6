"""Model of the Agent kind (OpenAI Agents API) and its persisted tool variants, named as in the SDK's params.

MCP `transport.headers` values are references only (`{env: NAME}`): users put tokens there, so every value is read
from the environment at apply time and is never shown, stored or digested in clear (the spec keeps a keyed
fingerprint). A literal value is a validate error that names the reference syntax without repeating the value.
An MCP tool's `credential` names a VaultCredential manifest, resolved (with "did you mean") by `AgentSpec.resolve`.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Literal

from pydantic import Discriminator, Field, Tag, field_validator, model_validator

from assistplan.manifest.fields import (
    ENV_NAME_PATTERN,
    SECRET_REFERENCE_ONLY,
    KindSpec,
    Metadata,
    Problem,
    Spec,
    check,
    exclusive,
    read_instructions,
)
from assistplan.manifest.openai_models import (
    SHORTHAND,
    FunctionSpec,
    ReasoningEffort,
    duplicate_tools,
    shorthand_or_type,
)
from assistplan.manifest.policy_models import PolicyPaths

if TYPE_CHECKING:
    from assistplan.manifest.resolution import Resolution

MAX_AGENT_TOOLS_BYTES = 3 * 1024 * 1024
"""The API's limit on an agent's tool list, as compact JSON with the functions inlined."""


class AgentFunctionTool(Spec):
    """`- function: NAME`: a Function manifest as an agent tool."""

    function: Annotated[str, Field(min_length=1)]
    """The Function manifest."""
    defer_loading: bool | None = None
    """Only load the function when tool_search finds it."""
    async_: bool | None = Field(default=None, alias="async")
    """The agent carries on without waiting for the result."""


class WebSearchLocation(Spec):
    city: str | None = None
    country: Annotated[str, Field(pattern=r"^[A-Z]{2}$")] | None = None
    region: str | None = None
    timezone: str | None = None


class WebSearchTool(Spec):
    type: Literal["web_search"]
    allowed_domains: list[str] | None = None
    context_size: Literal["low", "medium", "high"] | None = None
    location: WebSearchLocation | None = None
    mode: Literal["disabled", "cached", "live"] | None = None


HEADER_REFERENCE = (
    f"header values {SECRET_REFERENCE_ONLY}; the value is sent to the MCP "
    "server's API at apply time and never shown, stored or digested"
)


class HeaderRef(Spec):
    """Where a header's value comes from: an environment variable of the machine running apply."""

    env: Annotated[str, Field(pattern=ENV_NAME_PATTERN)]


class HttpTransport(Spec):
    type: Literal["http"]
    server_url: Annotated[str, Field(pattern=r"^https?://\S+$")]
    headers: dict[str, HeaderRef] | None = None
    """{NAME: {env: VARIABLE}}: every value is read from the environment at apply time, never written in a manifest."""

    @field_validator("headers", mode="before")
    @classmethod
    def _only_env(cls, value: Any) -> Any:
        """Refuse literal header values without ever repeating them in the message."""
        if isinstance(value, dict):
            check([(HEADER_REFERENCE, (key,)) for key, item in value.items() if not isinstance(item, dict | HeaderRef)])
        return value


class StdioTransport(Spec):
    type: Literal["stdio"]
    command: Annotated[str, Field(min_length=1)]
    cwd: Annotated[str, Field(min_length=1)]
    args: list[str] | None = None
    env_vars: list[Annotated[str, Field(pattern=ENV_NAME_PATTERN)]] | None = None


McpTransport = Annotated[HttpTransport | StdioTransport, Field(discriminator="type")]


class McpTool(Spec):
    type: Literal["mcp"]
    server_label: Annotated[str, Field(min_length=1)]
    """Names the server in tool calls."""
    transport: McpTransport
    """{type: http, server_url, headers} or {type: stdio, command, cwd, args, env_vars}."""
    allowed_tools: list[str] | None = None
    """The server's tools the agent may call (all when omitted)."""
    connection_origin: Literal["service", "environment"] | None = None
    credential: Annotated[str, Field(min_length=1)] | None = None
    """The VaultCredential manifest (static_bearer or mcp_oauth) the server is called with."""
    credential_id: str | None = None
    """The id of a vault credential this project does not manage (instead of `credential`)."""
    request_metadata: dict[str, Any] | None = None
    required: bool | None = None
    """The server must initialise before the first turn."""


class ToolSearchTool(Spec):
    type: Literal["tool_search"]


class ProgrammaticToolCallingTool(Spec):
    type: Literal["programmatic_tool_calling"]
    enabled: bool | None = None


class ComputerUseTool(Spec):
    type: Literal["computer_use"]
    include_screenshots: bool | None = None


class AutomationsTool(Spec):
    type: Literal["automations"]


def _agent_tool_tag(value: Any) -> str | None:
    if isinstance(value, dict):
        if "function" in value:
            return "function"
        tag = value.get("type")
        return tag if isinstance(tag, str) else None
    if isinstance(value, AgentFunctionTool):
        return "function"
    return getattr(value, "type", None)


AgentTool = Annotated[
    Annotated[AgentFunctionTool, Tag("function")]
    | Annotated[WebSearchTool, Tag("web_search")]
    | Annotated[McpTool, Tag("mcp")]
    | Annotated[ToolSearchTool, Tag("tool_search")]
    | Annotated[ProgrammaticToolCallingTool, Tag("programmatic_tool_calling")]
    | Annotated[ComputerUseTool, Tag("computer_use")]
    | Annotated[AutomationsTool, Tag("automations")],
    Discriminator(_agent_tool_tag),
]


class Reasoning(Spec):
    effort: ReasoningEffort | None = None
    summary: Literal["concise", "detailed", "auto"] | None = None


class TextFormatText(Spec):
    type: Literal["text"]


class TextFormatJsonSchema(Spec):
    type: Literal["json_schema"]
    schema_: dict[str, Any] | None = Field(default=None, alias="schema")
    schema_file: str | None = None

    @model_validator(mode="after")
    def _one_schema(self) -> TextFormatJsonSchema:
        check(exclusive(self, "schema_", "schema_file", required=True, label="schema"))
        return self


TextFormat = Annotated[
    Annotated[Literal["text"], Tag(SHORTHAND)]
    | Annotated[TextFormatText, Tag("text")]
    | Annotated[TextFormatJsonSchema, Tag("json_schema")],
    Discriminator(shorthand_or_type),
]


class AgentText(Spec):
    format: TextFormat | None = None
    verbosity: Literal["low", "medium", "high"] | None = None


class AgentSpec(KindSpec):
    """A saved agent configuration (Agents API, `OpenAI-Beta: agents=v1`)."""

    policy_paths: ClassVar[PolicyPaths] = PolicyPaths(
        models=("model",), tools=("tools[]",), mcp_urls=("tools[].transport.server_url",)
    )

    kind: Literal["Agent"]
    display_name: Annotated[str, Field(max_length=256)] | None = None
    """The agent's name on the server, when it is not the manifest name (kept by `export`)."""
    model: Annotated[str, Field(min_length=1)]
    """The model id, for example gpt-5."""
    instructions: str | None = None
    """Appended to the agent's base instructions."""
    instructions_file: str | None = None
    """A file holding the instructions, relative to this manifest (rendered when .j2)."""
    tools: list[AgentTool] = Field(default_factory=list)
    """Function, web_search, mcp, tool_search, programmatic_tool_calling, computer_use and automations tools."""
    reasoning: Reasoning | None = None
    """Reasoning effort and summary."""
    text: AgentText | None = None
    """Output format and verbosity."""
    service_tier: Literal["auto", "default", "flex", "priority", "fast", "ultrafast"] | None = None
    metadata: Metadata = Field(default_factory=dict)
    """String pairs: at most 13 (assistplan uses 3 of the API's 16); keys <= 64, values <= 512 chars."""

    @model_validator(mode="after")
    def _consistent(self) -> AgentSpec:
        problems: list[Problem] = exclusive(self, "instructions", "instructions_file", required=False)
        problems += duplicate_tools(self.tools)
        labels: set[str] = set()
        for index, tool in enumerate(self.tools):
            if isinstance(tool, McpTool):
                if tool.server_label in labels:
                    problems.append(
                        (f'server_label "{tool.server_label}" is used twice', ("tools", index, "server_label"))
                    )
                labels.add(tool.server_label)
                if tool.credential is not None and tool.credential_id is not None:
                    problems.append(('cannot be used together with "credential"', ("tools", index, "credential_id")))
        check(problems)
        return self

    def resolve(self, resolution: Resolution) -> None:
        """Reads `instructions_file` and the text format's `schema_file`; function tools name Functions (the tool
        list, functions inlined, must fit the API's limit); each MCP tool's `credential` names a VaultCredential that
        can serve an MCP server."""
        read_instructions(resolution, self.instructions_file)
        functions: dict[int, FunctionSpec] = {}
        for index, tool in enumerate(self.tools):
            if isinstance(tool, AgentFunctionTool):
                resolution.reference("Function", tool.function, ("tools", index, "function"))
                function = resolution.resolved("Function", tool.function)
                if isinstance(function, FunctionSpec):
                    functions[index] = function
        text_format = self.text.format if self.text is not None else None
        if isinstance(text_format, TextFormatJsonSchema) and self.text is not None:
            base = ("text", "format")
            schema = resolution.schema(
                text_format.schema_,
                (*base, "schema_file"),
                text_format.schema_file,
                (*base, "schema"),
                strict=False,
                object_root=False,
            )
            if schema is not None:
                new_format = text_format.model_copy(update={"schema_": schema})
                resolution.update("text", self.text.model_copy(update={"format": new_format}))
        size = len(self._tools_json(functions).encode())
        if size > MAX_AGENT_TOOLS_BYTES:
            resolution.error(("tools",), f"{size} bytes of JSON, at most {MAX_AGENT_TOOLS_BYTES}", key=True)
        self._resolve_credentials(resolution)

    def _tools_json(self, functions: dict[int, FunctionSpec]) -> str:
        """The tool list as the API receives it (functions inlined), compact, to check the 3 MiB limit."""
        tools: list[Any] = []
        for index, tool in enumerate(self.tools):
            payload = tool.model_dump(mode="json", by_alias=True, exclude_none=True)
            function = functions.get(index)
            if function is not None:
                payload |= {"type": "function", "description": function.description, "parameters": function.parameters}
            tools.append(payload)
        return json.dumps(tools, separators=(",", ":"), ensure_ascii=False)

    def _resolve_credentials(self, resolution: Resolution) -> None:
        """Each MCP tool's `credential` names a VaultCredential that can serve an MCP server."""
        for index, tool in enumerate(self.tools):
            if not isinstance(tool, McpTool) or tool.credential is None:
                continue
            path = ("tools", index, "credential")
            found = resolution.reference("VaultCredential", tool.credential, path)
            if found is not None and found.auth.type == "environment_variable":
                resolution.error(
                    path,
                    f'VaultCredential "{tool.credential}" is an environment_variable credential: it serves code in '
                    "hosted sandboxes, not MCP servers (use static_bearer or mcp_oauth)",
                )
