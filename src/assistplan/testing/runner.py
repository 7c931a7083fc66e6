"""Running the project's conversation tests against the objects its state records.

Each test's target (and an Agent's environment template and vaults) must be in the state: their recorded ids are
what is talked to. A test's turns run in order; the first turn without a reply (a failed run, a server error) ends
the test and the turns after it are reported as not run, while a reply that misses an expectation fails only its
turn. Errors name the target, the operation, the URL and the request id, and every text kept for the report passes
through `redact.scrub`.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, cast

from assistplan import redact
from assistplan.addrs import Address
from assistplan.errors import AssistplanError
from assistplan.manifest.conversation_test_models import ConversationTestSpec
from assistplan.testing.expectations import unmet
from assistplan.testing.model import Conversation, ConversationResult, Report, TurnError, TurnResult

if TYPE_CHECKING:
    from assistplan.manifest.project import Resource
    from assistplan.providers import Provider
    from assistplan.providers.flowise import FlowiseProvider
    from assistplan.providers.openai import OpenAIProvider
    from assistplan.state import StateFile
    from assistplan.workflow import Workspace


class NotApplied(AssistplanError):
    """A test names something the state does not record."""


@dataclass(frozen=True)
class Selection:
    """Which tests to run: all, or those whose address or name is given; `skip` gives a reason to leave one out."""

    names: tuple[str, ...] = ()
    skip: Callable[[ConversationTestSpec], str | None] = lambda spec: None


def conversation_tests(workspace: Workspace, names: Sequence[str] = ()) -> list[Resource]:
    """The ConversationTest resources of the project (those named, by name or address, when `names` is given);
    an unknown name is an error."""
    found = workspace.project.of_kind("ConversationTest")
    if not names:
        return found
    by_name = {resource.address.name: resource for resource in found} | {str(r.address): r for r in found}
    unknown = [name for name in names if name not in by_name]
    if unknown:
        known = ", ".join(resource.address.name for resource in found) or "none"
        raise NotApplied(f"no ConversationTest named {', '.join(unknown)} (the project's tests: {known})")
    chosen = {by_name[name].address: by_name[name] for name in names}
    return [resource for resource in found if resource.address in chosen]


def run_tests(
    workspace: Workspace,
    state: StateFile,
    where: str,
    selection: Selection = Selection(),
    progress: Callable[[ConversationResult], None] = lambda result: None,
) -> Report:
    """Run the selected tests in address order; `progress` sees each result as it is made."""
    run_id = uuid.uuid4().hex[:12]
    results = []
    for resource in conversation_tests(workspace, selection.names):
        spec = cast(ConversationTestSpec, resource.spec)
        source = f"{_relative(resource.source.start.file, workspace.root)}:{resource.source.start.line}"
        reason = selection.skip(spec)
        if reason is not None:
            result = ConversationResult(str(resource.address), spec.target, source, skipped=reason)
        else:
            result = _run_one(workspace, state, resource.address, spec, source, run_id)
        progress(result)
        results.append(result)
    return Report(workspace.name, where, tuple(results))


def _relative(name: str, root: Path) -> str:
    """A manifest's path relative to the manifest root (as written when outside it)."""
    path = Path(name).resolve()
    return path.relative_to(root).as_posix() if path.is_relative_to(root) else name


def _run_one(
    workspace: Workspace, state: StateFile, address: Address, spec: ConversationTestSpec, source: str, run_id: str
) -> ConversationResult:
    started = time.monotonic()
    try:
        conversation = _open(workspace, state, spec, f"assistplan-test-{run_id}-{address.name}")
    except (AssistplanError, TurnError) as error:
        return ConversationResult(str(address), spec.target, source, error=redact.scrub(str(error)))
    turns: list[TurnResult] = []
    ended: str | None = None
    try:
        for number, turn in enumerate(spec.turns, start=1):
            if ended is not None:
                turns.append(TurnResult(number, turn.session, turn.user, skipped=ended))
                continue
            try:
                reply = conversation.say(turn.session, turn.user)
            except (AssistplanError, TurnError) as error:
                turns.append(TurnResult(number, turn.session, turn.user, error=redact.scrub(str(error))))
                ended = f"not run: turn {number} got no reply"
                continue
            shown = type(reply)(redact.scrub(reply.text), reply.calls, reply.latency_ms)
            turns.append(
                TurnResult(number, turn.session, turn.user, reply=shown, failures=tuple(unmet(turn.expect, reply)))
            )
    finally:
        conversation.close()
    return ConversationResult(str(address), spec.target, source, tuple(turns), seconds=time.monotonic() - started)


def _recorded(state: StateFile, address: Address, test: ConversationTestSpec) -> str:
    recorded = state.get(address)
    if recorded is None:
        raise NotApplied(f"{address} is not in the state: apply the project before testing {test.kind}/{test.name}")
    return recorded.id


def _open(workspace: Workspace, state: StateFile, spec: ConversationTestSpec, chat_prefix: str) -> Conversation:
    from assistplan.testing.openai_targets import AgentConversation, AssistantConversation

    target_id = _recorded(state, Address.of(spec.target), spec)
    kind = spec.target_kind
    if kind == "Agent":
        template = spec.environment_template
        return AgentConversation(
            _openai(workspace.provider("openai")),
            spec.target,
            target_id,
            environment_template_id=None
            if template is None
            else _recorded(state, Address("EnvironmentTemplate", template), spec),
            vault_ids=tuple(_recorded(state, Address("Vault", vault), spec) for vault in spec.vaults),
        )
    if kind == "Assistant":
        return AssistantConversation(_openai(workspace.provider("openai")), spec.target, target_id, spec.tool_outputs)
    from assistplan.testing.flowise_target import FlowiseConversation, serving_chatflow

    flowise = _flowise(workspace.provider("flowise"))
    if kind == "FlowiseAssistant":
        target_id = serving_chatflow(flowise, spec.target, target_id, workspace.project, state)
    return FlowiseConversation(flowise, spec.target, target_id, chat_prefix)


def _openai(provider: Provider) -> OpenAIProvider:
    from assistplan.providers.openai import OpenAIProvider

    if not isinstance(provider, OpenAIProvider):
        raise TypeError(f"the openai connector made a {type(provider).__name__}, not an OpenAIProvider")
    return provider


def _flowise(provider: Provider) -> FlowiseProvider:
    from assistplan.providers.flowise import FlowiseProvider

    if not isinstance(provider, FlowiseProvider):
        raise TypeError(f"the flowise connector made a {type(provider).__name__}, not a FlowiseProvider")
    return provider
