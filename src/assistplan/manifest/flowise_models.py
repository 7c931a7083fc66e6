"""Models of the Flowise kinds: custom tools, variables, credentials and assistants.

Each kind's name in Flowise is the manifest name unless `display_name` gives another (`export` keeps a remote name
that is not a valid manifest name there, so that the next plan never renames the object).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Literal

from pydantic import Field, field_validator, model_validator

from assistplan.manifest.fields import (
    ENV_NAME_PATTERN,
    SECRET_REFERENCE_ONLY,
    KindSpec,
    Problem,
    Spec,
    check,
    exclusive,
    read_instructions,
)
from assistplan.manifest.flowise_links import linked_assistant_problems
from assistplan.manifest.flowise_schema import row_problems
from assistplan.manifest.openai_models import AssistantSpec, FunctionSpec
from assistplan.manifest.policy_models import PolicyPaths
from assistplan.manifest.yamlpos import format_path

if TYPE_CHECKING:
    from assistplan.manifest.resolution import Resolution


class FlowiseToolSpec(KindSpec):
    """A Flowise custom tool whose description and schema rows come from a Function manifest."""

    kind: Literal["FlowiseTool"]
    display_name: Annotated[str, Field(max_length=256)] | None = None
    """The tool's name in Flowise, when it is not the manifest name (kept by `export`)."""
    function: Annotated[str, Field(min_length=1)]
    """The Function manifest giving the tool's description and argument rows."""
    code: str | None = None
    """The tool's JavaScript; arguments are $name variables."""
    code_file: str | None = None
    """A JavaScript file relative to this manifest (rendered when .j2)."""
    color: str | None = None
    """Icon colour, any CSS colour."""
    icon: str | None = None
    """URL of the tool's icon."""

    @model_validator(mode="after")
    def _one_code(self) -> FlowiseToolSpec:
        check(exclusive(self, "code", "code_file", required=True))
        return self

    def resolve(self, resolution: Resolution) -> None:
        """`function` names a Function whose schema Flowise rows can express; `code_file` is read into `code`."""
        resolution.reference("Function", self.function, ("function",))
        function = resolution.resolved("Function", self.function)
        if isinstance(function, FunctionSpec):
            for message, path in row_problems(function.parameters or {}):
                where = format_path(("parameters", *path))
                resolution.error(("function",), f'Function "{self.function}" {where}: {message}')
        if self.code_file is not None:
            code = resolution.text_file(("code_file",), self.code_file)
            if code is not None:
                resolution.update("code", code)


class FlowiseVariableSpec(KindSpec):
    """A Flowise variable; `runtime` variables resolve to the server's environment variable of the same name."""

    kind: Literal["FlowiseVariable"]
    display_name: Annotated[str, Field(max_length=256)] | None = None
    """The variable's name in Flowise, when it is not the manifest name (kept by `export`)."""
    value: str = ""
    type: Literal["static", "runtime"] = "static"
    """static, or runtime: the Flowise server's environment variable of the same name."""


class SecretRef(Spec):
    """Where a secret's value comes from: only ever an environment variable of the machine running apply."""

    env: Annotated[str, Field(pattern=ENV_NAME_PATTERN)]


class FlowiseCredentialSpec(KindSpec):
    """A Flowise credential; write-only, its secrets are never read back, stored or printed."""

    kind: Literal["FlowiseCredential"]
    display_name: Annotated[str, Field(max_length=256)] | None = None
    """The credential's name in Flowise, when it is not the manifest name (kept by `export`)."""
    credential: Annotated[str, Field(pattern=r"^[A-Za-z][A-Za-z0-9_]*$")]
    """The Flowise credential component, for example openAIApi."""
    secrets: Annotated[dict[str, SecretRef], Field(min_length=1)]
    """{FIELD: {env: VARIABLE}}: values come only from environment variables."""

    @field_validator("secrets", mode="before")
    @classmethod
    def _only_env(cls, value: Any) -> Any:
        """Refuse literal secrets without ever repeating them in the message."""
        if isinstance(value, dict):
            literal = [key for key, item in value.items() if not isinstance(item, dict | SecretRef)]
            check([(f"secret values {SECRET_REFERENCE_ONLY}", (k,)) for k in literal])
        return value


class ChatModel(Spec):
    """The chat-model component of a CUSTOM assistant, for example `{name: chatOpenAI, model: gpt-4o-mini}`."""

    name: Annotated[str, Field(min_length=1)]
    model: Annotated[str, Field(min_length=1)]
    temperature: Annotated[float, Field(ge=0, le=2)] | None = None


class FlowiseAssistantSpec(KindSpec):
    """A Flowise assistant: OPENAI links an Assistant manifest, CUSTOM is built from a chat model and tools."""

    policy_paths: ClassVar[PolicyPaths] = PolicyPaths(
        models=("chat_model.model",), temperature=("chat_model.temperature",)
    )

    kind: Literal["FlowiseAssistant"]
    type: Literal["CUSTOM", "OPENAI"]
    display_name: Annotated[str, Field(max_length=256)] | None = None
    """CUSTOM: the assistant's name in Flowise, when it is not the manifest name (kept by `export`)."""
    credential: Annotated[str, Field(min_length=1)]
    """The FlowiseCredential manifest."""
    assistant: str | None = None
    """OPENAI: the Assistant manifest it serves."""
    instructions: str | None = None
    instructions_file: str | None = None
    chat_model: ChatModel | None = None
    """CUSTOM: the chat-model component."""
    tools: list[str] = Field(default_factory=list)
    """CUSTOM: FlowiseTool manifests."""

    @model_validator(mode="after")
    def _by_type(self) -> FlowiseAssistantSpec:
        problems: list[Problem] = exclusive(self, "instructions", "instructions_file", required=False)
        if self.type == "OPENAI":
            if self.assistant is None:
                problems.append(('an OPENAI assistant needs "assistant" (the name of an Assistant manifest)', ()))
            for field in ("display_name", "instructions", "instructions_file", "chat_model"):
                if getattr(self, field) is not None:
                    problems.append(("only for CUSTOM assistants", (field,)))
            if self.tools:
                problems.append(("only for CUSTOM assistants (an OPENAI one has its Assistant's tools)", ("tools",)))
        else:
            if self.assistant is not None:
                problems.append(("only for OPENAI assistants", ("assistant",)))
            if self.chat_model is None:
                problems.append(('a CUSTOM assistant needs "chat_model"', ()))
        check(problems)
        return self

    def resolve(self, resolution: Resolution) -> None:
        """OPENAI: `assistant` names an Assistant Flowise can serve as written; `credential` names a
        FlowiseCredential and `tools` FlowiseTools; `instructions_file` is read into `instructions`."""
        if self.assistant is not None:
            resolution.reference("Assistant", self.assistant, ("assistant",))
            linked = resolution.resolved("Assistant", self.assistant)
            if isinstance(linked, AssistantSpec):
                for message in linked_assistant_problems(linked):
                    resolution.error(("assistant",), f'Assistant "{self.assistant}", served by Flowise, {message}')
        resolution.reference("FlowiseCredential", self.credential, ("credential",))
        for index, name in enumerate(self.tools):
            resolution.reference("FlowiseTool", name, ("tools", index))
        read_instructions(resolution, self.instructions_file)
