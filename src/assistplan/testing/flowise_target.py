"""Conversations with a Flowise chatflow through its prediction API (`POST /api/v1/prediction/{id}`).

Each session name becomes one Flowise chat: every message of it carries the same `overrideConfig.sessionId`
(unique per run, so that a run never continues an earlier run's chat), which is what keeps the OpenAI Assistant
node on one thread and a memory node on one history; a top-level `sessionId` would start a new thread each time.
The reply is the answer's `text`; the functions called are its `usedTools`. A FlowiseAssistant is talked to through
the chatflow that serves it: the one Flowise keeps in a CUSTOM assistant's `details.flowId` (saved by the editor),
else a FlowiseChatflow of the project whose node selects the assistant.
"""

from __future__ import annotations

import json
import time
from typing import TYPE_CHECKING, Any

from assistplan.testing.model import Called, Reply, TurnError

if TYPE_CHECKING:
    from assistplan.manifest.project import Project
    from assistplan.providers.flowise import FlowiseProvider
    from assistplan.state import StateFile


class FlowiseConversation:
    def __init__(self, provider: FlowiseProvider, target: str, chatflow_id: str, chat_prefix: str) -> None:
        self.provider = provider
        self.target = target
        self.chatflow_id = chatflow_id
        self.chat_prefix = chat_prefix

    def say(self, session: str, text: str) -> Reply:
        body = {"question": text, "overrideConfig": {"sessionId": f"{self.chat_prefix}-{session}"}}
        started = time.monotonic()
        answer = self.provider.post(f"/prediction/{self.chatflow_id}", body, address=self.target, operation="predict")
        latency = (time.monotonic() - started) * 1000
        if not isinstance(answer, dict):
            raise TurnError(f"Flowise answered the prediction with {type(answer).__name__}, not an object")
        reply = answer.get("text")
        if not isinstance(reply, str):
            reply = json.dumps(answer.get("json"), ensure_ascii=False) if "json" in answer else ""
        calls = tuple(
            Called(str(used.get("tool")), _arguments(used.get("toolInput")))
            for used in answer.get("usedTools") or []
            if isinstance(used, dict)
        )
        return Reply(reply, calls, latency)

    def close(self) -> None:
        return None


def _arguments(raw: Any) -> Any:
    if isinstance(raw, str):
        try:
            return json.loads(raw)
        except ValueError:
            return raw
    return raw


def serving_chatflow(
    provider: FlowiseProvider, target: str, assistant_id: str, project: Project, state: StateFile
) -> str:
    """The id of the chatflow through which Flowise chats with the FlowiseAssistant `target` (`assistant_id`)."""
    from assistplan.addrs import Address
    from assistplan.kinds.flowise_assistants import details
    from assistplan.manifest.flowise_chatflow_models import FlowiseChatflowSpec

    live = provider.get(f"/assistants/{assistant_id}", address=target, operation="read the assistant")
    flow_id = details(live).get("flowId") if isinstance(live, dict) else None
    if isinstance(flow_id, str) and flow_id:
        return flow_id
    name = Address.of(target).name
    for resource in project.of_kind("FlowiseChatflow"):
        spec = resource.spec
        if not isinstance(spec, FlowiseChatflowSpec):
            continue
        if any(node.inputs.get("selectedAssistant") == name for node in spec.nodes.values()):
            recorded = state.get(resource.address)
            if recorded is not None:
                return recorded.id
    raise TurnError(
        f"{target} is served by no chatflow: Flowise chats with an assistant through a chatflow (an OPENAI "
        "assistant through a FlowiseChatflow whose openAIAssistant node selects it, a CUSTOM one through the "
        "chatflow the Flowise editor saves for it); test that chatflow"
    )
