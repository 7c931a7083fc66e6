"""Conversations with an Agent (Agents API sessions) and an Assistant (threads and runs), through the `openai` SDK.

An Agent: each session name starts `POST /agents/sessions` with the agent's id, its environment (none, or hosted from
an EnvironmentTemplate) and vaults, and the first message as `input`; later messages are posted as
`agent.session.input.message` events. The session is read until it is no longer `in_progress`; the reply is the
newest turn's assistant messages that are not commentary, and its function calls are the turn's `function_call`
items. An Assistant: each session name is a thread; a message is added and a run created and polled; a run that
requires action gets the test's `tool_outputs` for the functions it called, and the reply is the run's assistant
messages. Requests that add to a conversation are sent once (the SDK's client without retries); every failure names
the target, the operation, the request and its id (`providers.openai.call`).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping
from functools import partial
from typing import TYPE_CHECKING, Any, TypeVar

from assistplan.providers.openai import call, quiet_deprecations
from assistplan.testing.model import Called, Reply, TurnError

if TYPE_CHECKING:
    from openai.types.beta.threads import Run

    from assistplan.providers.openai import OpenAIProvider

T = TypeVar("T")
SETTLE_SECONDS = 300.0
"""How long a session may stay `in_progress` before the turn fails."""
TOOL_ROUNDS = 8
"""How many times one run may ask for tool outputs."""


def _arguments(raw: Any) -> Any:
    if isinstance(raw, str):
        try:
            return json.loads(raw)
        except ValueError:
            return raw
    return raw


def _wait(read: Callable[[], T], busy: Callable[[T], bool], what: str) -> T:
    """`read()` again (at growing intervals) while `busy` says so, at most SETTLE_SECONDS."""
    deadline = time.monotonic() + SETTLE_SECONDS
    delay = 0.1
    current = read()
    while busy(current):
        if time.monotonic() > deadline:
            raise TurnError(f"{what} was still in progress after {SETTLE_SECONDS:.0f} s")
        time.sleep(delay)
        delay = min(delay * 2, 2.0)
        current = read()
    return current


class AgentConversation:
    """Sessions of a saved Agent."""

    def __init__(
        self,
        provider: OpenAIProvider,
        target: str,
        agent_id: str,
        *,
        environment_template_id: str | None = None,
        vault_ids: tuple[str, ...] = (),
    ) -> None:
        self.provider = provider
        self.target = target
        self.agent_id = agent_id
        self.environment: Any = (
            {"type": "openai_hosted", "environment_template_id": environment_template_id}
            if environment_template_id
            else {"type": "none"}
        )
        self.vault_ids = list(vault_ids)
        self.sessions: dict[str, str] = {}

    def say(self, session: str, text: str) -> Reply:
        sessions = self.provider.create_client.beta.agents.sessions
        started = time.monotonic()
        session_id = self.sessions.get(session)
        if session_id is None:
            created = self._call(
                lambda: sessions.create(
                    agent_id=self.agent_id, environment=self.environment, vault_ids=self.vault_ids, input=text
                ),
                "start a session",
            )
            session_id = self.sessions[session] = created.id
        else:
            message = {"role": "user", "content": [{"type": "input_text", "text": text}]}
            event = {"type": "agent.session.input.message", "input": [message]}
            known = session_id
            self._call(
                lambda: sessions.events.create(known, events=[event]),  # type: ignore[list-item]
                "send a message",
            )
        return self._reply(session_id, started)

    def _reply(self, session_id: str, started: float) -> Reply:
        sessions = self.provider.client.beta.agents.sessions
        current = _wait(
            lambda: self._call(lambda: sessions.retrieve(session_id), "read the session"),
            lambda found: found.status == "in_progress",
            f"session {session_id}",
        )
        latency = (time.monotonic() - started) * 1000
        turns = self._call(lambda: sessions.turns.list(session_id, order="desc", limit=1), "list the turns").data
        if not turns:
            raise TurnError(f"session {session_id} has no turn")
        turn = turns[0]
        if turn.status in ("failed", "cancelled"):
            error = turn.error.model_dump() if turn.error is not None else {}
            raise TurnError(f"the turn {turn.id} ended {turn.status}: {json.dumps(error, sort_keys=True)}")
        items = self._call(
            lambda: [item.model_dump() for item in sessions.turns.items.list(turn.id, session_id=session_id)],
            "list the turn's items",
        )
        texts: list[str] = []
        calls: list[Called] = []
        for item in items:
            if item.get("type") == "function_call":
                calls.append(Called(str(item.get("name")), _arguments(item.get("arguments"))))
            elif (
                item.get("type") == "message" and item.get("role") == "assistant" and item.get("phase") != "commentary"
            ):
                texts.extend(part["text"] for part in item.get("content") or [] if part.get("type") == "output_text")
        if current.status == "requires_action" and not calls:
            raise TurnError(f"session {session_id} requires an action the test cannot take")
        return Reply("\n".join(texts), tuple(calls), latency)

    def _call(self, fn: Callable[[], T], operation: str) -> T:
        return call(fn, address=self.target, operation=operation)

    def close(self) -> None:
        sessions = self.provider.client.beta.agents.sessions
        for session_id in self.sessions.values():
            self._quietly(partial(sessions.delete, session_id))

    @staticmethod
    def _quietly(fn: Callable[[], object]) -> None:
        from assistplan.errors import ProviderError

        try:
            call(fn, address=None, operation="clean up")
        except ProviderError:
            return


class AssistantConversation:
    """Threads of an Assistant."""

    def __init__(
        self, provider: OpenAIProvider, target: str, assistant_id: str, tool_outputs: Mapping[str, str]
    ) -> None:
        self.provider = provider
        self.target = target
        self.assistant_id = assistant_id
        self.tool_outputs = dict(tool_outputs)
        self.threads: dict[str, str] = {}

    def say(self, session: str, text: str) -> Reply:
        threads = self.provider.create_client.beta.threads
        reads = self.provider.client.beta.threads
        thread_id = self.threads.get(session)
        if thread_id is None:
            thread_id = self.threads[session] = self._call(threads.create, "create a thread").id
        started = time.monotonic()
        known = thread_id
        self._call(lambda: threads.messages.create(known, role="user", content=text), "add a message")
        run = self._call(
            lambda: threads.runs.create_and_poll(thread_id=known, assistant_id=self.assistant_id), "run the assistant"
        )
        calls: list[Called] = []
        for _ in range(TOOL_ROUNDS):
            if run.status != "requires_action" or run.required_action is None:
                break
            outputs: list[Any] = []
            for tool_call in run.required_action.submit_tool_outputs.tool_calls:
                name = tool_call.function.name
                calls.append(Called(name, _arguments(tool_call.function.arguments)))
                if name not in self.tool_outputs:
                    self._cancel(known, run.id)
                    raise TurnError(f"the run called {name}, for which the test gives no output (tool_outputs.{name})")
                outputs.append({"tool_call_id": tool_call.id, "output": self.tool_outputs[name]})
            run = self._submit(known, run.id, outputs)
        latency = (time.monotonic() - started) * 1000
        if run.status != "completed":
            error = run.last_error.message if run.last_error is not None else "no error given"
            raise TurnError(f"the run {run.id} ended {run.status}: {error}")
        finished = run
        messages = self._call(
            lambda: list(reads.messages.list(known, run_id=finished.id, order="asc")),
            "read the reply",
        )
        texts = [
            part.text.value
            for message in messages
            if message.role == "assistant"
            for part in message.content
            if part.type == "text"
        ]
        return Reply("\n".join(texts), tuple(calls), latency)

    def _submit(self, thread_id: str, run_id: str, outputs: list[Any]) -> Run:
        return self._call(
            lambda: self.provider.create_client.beta.threads.runs.submit_tool_outputs_and_poll(
                run_id=run_id, thread_id=thread_id, tool_outputs=outputs
            ),
            "submit tool outputs",
        )

    def _cancel(self, thread_id: str, run_id: str) -> None:
        with quiet_deprecations():
            AgentConversation._quietly(
                lambda: self.provider.client.beta.threads.runs.cancel(run_id=run_id, thread_id=thread_id)
            )

    def _call(self, fn: Callable[[], T], operation: str) -> T:
        with quiet_deprecations():
            return call(fn, address=self.target, operation=operation)

    def close(self) -> None:
        threads = self.provider.client.beta.threads
        with quiet_deprecations():
            for thread_id in self.threads.values():
                AgentConversation._quietly(partial(threads.delete, thread_id))
