"""Model of the ConversationTest kind: a conversation `assistplan test` holds with a deployed Agent, Assistant,
FlowiseChatflow or FlowiseAssistant, and what each reply must satisfy.

A test has no remote object of its own: it is validated with the manifests (its target and the environment
template and vaults of an Agent's sessions are resolved by name, with "did you mean"), never planned. Its turns run
in order; turns naming the same `session` share one conversation (an agent session, a thread, a Flowise chat), and
each session of each run starts a new one. Regular expressions and JSON Schemas are checked here, so a broken one is
a validate error at its line.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import Field, field_validator, model_validator

from assistplan.addrs import Address
from assistplan.manifest.fields import KindSpec, Problem, Spec, check, problem

if TYPE_CHECKING:
    from assistplan.manifest.resolution import Resolution

TARGET_KINDS = ("Agent", "Assistant", "FlowiseChatflow", "FlowiseAssistant")
"""What a test can talk to."""
DEFAULT_SESSION = "main"

Text = Annotated[str, Field(min_length=1)]
Texts = Text | Annotated[list[Text], Field(min_length=1)]


def texts(value: str | list[str] | None) -> list[str]:
    """A `contains`-like field as a list (one text or several)."""
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)


def schema_problem(schema: dict[str, Any]) -> str | None:
    """Why `schema` is not a JSON Schema (None when it is one)."""
    import jsonschema

    try:
        jsonschema.validators.validator_for(schema).check_schema(schema)
    except jsonschema.SchemaError as error:
        return f"not a valid JSON Schema: {error.message}"
    return None


class ToolCall(Spec):
    """A function the reply must have called."""

    name: Text
    """The function's name."""
    arguments: dict[str, Any] | None = None
    """A JSON Schema the call's arguments must be valid against (any arguments when not given)."""

    @field_validator("arguments")
    @classmethod
    def _schema(cls, value: dict[str, Any] | None) -> dict[str, Any] | None:
        found = None if value is None else schema_problem(value)
        if found is not None:
            raise problem(found)
        return value


class Expect(Spec):
    """What one reply must satisfy; every expectation given is checked."""

    contains: Texts | None = None
    """Text (or texts) the reply must contain, case-sensitively."""
    not_contains: Texts | None = None
    """Text (or texts) the reply must not contain."""
    regex: Texts | None = None
    """Regular expression(s) that must match somewhere in the reply (Python syntax)."""
    tool_called: ToolCall | Annotated[list[ToolCall], Field(min_length=1)] | None = None
    """Function(s) called while answering: {name, arguments: JSON Schema of the arguments}."""
    json_schema: dict[str, Any] | None = None
    """The reply must be a JSON document valid against this JSON Schema."""
    latency_ms: Annotated[int, Field(gt=0)] | None = None
    """The most the reply may take, in milliseconds, from sending the message to the complete reply."""

    @field_validator("regex")
    @classmethod
    def _regex(cls, value: str | list[str] | None) -> str | list[str] | None:
        problems: list[Problem] = []
        for index, pattern in enumerate(texts(value)):
            try:
                re.compile(pattern)
            except re.error as error:
                at: tuple[str | int, ...] = (index,) if isinstance(value, list) else ()
                problems.append((f"not a regular expression: {error}", at))
        check(problems)
        return value

    @field_validator("json_schema")
    @classmethod
    def _schema(cls, value: dict[str, Any] | None) -> dict[str, Any] | None:
        found = None if value is None else schema_problem(value)
        if found is not None:
            raise problem(found)
        return value

    def tool_calls(self) -> list[ToolCall]:
        if self.tool_called is None:
            return []
        return [self.tool_called] if isinstance(self.tool_called, ToolCall) else list(self.tool_called)


class Turn(Spec):
    """One user message and what the reply must satisfy."""

    user: Text
    """The user's message."""
    session: Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")] = DEFAULT_SESSION
    """The conversation it belongs to: turns with the same session continue one conversation."""
    expect: Expect = Field(default_factory=Expect)
    """What the reply must satisfy (nothing: the turn only has to be answered)."""


class ConversationTestSpec(KindSpec):
    """A conversation with a deployed target and expectations per reply, run by `assistplan test`."""

    kind: Literal["ConversationTest"]
    target: Text
    """What to talk to, as an address: Agent/NAME, Assistant/NAME, FlowiseChatflow/NAME or FlowiseAssistant/NAME."""
    environment_template: Text | None = None
    """Agent: the EnvironmentTemplate each session's hosted environment starts from (none: no environment)."""
    vaults: list[Text] = Field(default_factory=list)
    """Agent: Vault manifests whose credentials the sessions may use."""
    tool_outputs: dict[str, str] = Field(default_factory=dict)
    """Assistant: the output the test gives for each function the run calls, by function name."""
    turns: Annotated[list[Turn], Field(min_length=1)]
    """The conversation, in order."""

    @field_validator("target")
    @classmethod
    def _target(cls, value: str) -> str:
        address = Address.spelled(value)
        if address is None:
            raise problem(f'"{value}" is not an address: expected Kind/name, for example Agent/support-agent')
        if address.kind not in TARGET_KINDS:
            kinds = f"{', '.join(TARGET_KINDS[:-1])} or {TARGET_KINDS[-1]}"
            raise problem(f'a test talks to an {kinds}, not to the kind "{address.kind}"')
        return value

    @model_validator(mode="after")
    def _agent_only(self) -> ConversationTestSpec:
        kind = self.target_kind
        problems: list[Problem] = []
        if kind != "Agent" and self.environment_template is not None:
            problems.append(
                (f"only an Agent's sessions have an environment, not a {kind}'s", ("environment_template",))
            )
        if kind != "Agent" and self.vaults:
            problems.append((f"only an Agent's sessions use vaults, not a {kind}'s", ("vaults",)))
        if kind != "Assistant" and self.tool_outputs:
            message = f"only an Assistant's runs wait for the test's tool outputs; a {kind} runs its own tools"
            problems.append((message, ("tool_outputs",)))
        check(problems)
        return self

    @property
    def target_address(self) -> Address:
        return Address.of(self.target)

    @property
    def target_kind(self) -> str:
        return self.target_address.kind

    @property
    def target_name(self) -> str:
        return self.target_address.name

    def resolve(self, resolution: Resolution) -> None:
        resolution.reference(self.target_kind, self.target_name, ("target",))
        if self.environment_template is not None:
            resolution.reference("EnvironmentTemplate", self.environment_template, ("environment_template",))
        for index, vault in enumerate(self.vaults):
            resolution.reference("Vault", vault, ("vaults", index))
