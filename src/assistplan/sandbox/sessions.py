"""`/agents/sessions` (Agents API beta): the part of sessions a post-deploy smoke test needs.

Served: create (`agent_id` of a saved agent, which must exist, and/or an inline `agent` whose fields override it;
`environment` `none`, `openai_hosted` or `self_hosted`; `input` as a string or user messages; `metadata`;
`vault_ids`), retrieve, list (`agent_id` and `metadata[k]=v` filters), delete, `POST …/events` (one
`agent.session.input.message` per event; 202 with an empty body), turns (list, retrieve), items (list, newest first
by default) and a turn's items.

Every turn completes at once with one assistant message, phase `final_answer`, whose text is the scripted model's
answer (scripted_model.py) to the session's messages so far, a turn's user messages read as one (their text parts
joined by a newline): with no fact, question or exact reply involved, `Sandbox reply to: <that text>`. The session
calls no functions. The session is `idle` again when the create or the event post returns. With `"stream": true`
in the body (the SDK still sends `Accept: application/json`), create answers Server-Sent Events:
`agent.session.created`, `agent.session.turn.created` (the turn in progress), `agent.session.turn.item.done` (the
assistant message), `agent.session.turn.completed` and `agent.session.idle`, each with an `event_id`; the SDK's
`get_final_result().output_text` reads the reply from them.
Not served: the event subscription (`GET …/events`), session update, artifacts, traces and subagents. A hosted
environment reads back without `environment_template_id` and with empty files, packages, plugins and skills;
templates are not expanded into it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from starlette.responses import Response

from assistplan.sandbox import agents, scripted_model
from assistplan.sandbox.automations import INLINE_AGENT_FIELDS, environment, user_messages
from assistplan.sandbox.errors import SandboxError, invalid, missing_parameter, not_found
from assistplan.sandbox.routing import AGENTS_BETA, Call, delete, deleted, get, list_query, paginate, post
from assistplan.sandbox.store import new_id
from assistplan.sandbox.validate import MISSING, array, boolean, choice, metadata, obj, only, string, string_list

KIND = "session"
TURN = "session.turn"
ITEM = "session.item"
CREATE_FIELDS = (
    "agent_id",
    "agent",
    "environment",
    "input",
    "metadata",
    "vault_ids",
    "review",
    "prompt_cache_options",
    "stream",
)
AGENT_FIELDS = ("id", "name", *INLINE_AGENT_FIELDS)
INPUT_EVENT = "agent.session.input.message"


def reply(call: Call, session_id: str) -> str:
    """The scripted model's answer to the session's messages so far (a turn's user messages read as one)."""
    conversation: list[scripted_model.Message] = []
    for item in call.store.children(ITEM, session_id):
        if item.get("type") != "message" or item["role"] not in ("user", "assistant"):
            continue
        kind = "input_text" if item["role"] == "user" else "output_text"
        text = "\n".join(part["text"] for part in item["content"] if part["type"] == kind)
        if item["role"] == "user" and conversation and conversation[-1].role == "user":
            text = f"{conversation.pop().text}\n{text}"
        conversation.append(scripted_model.Message(item["role"], text))
    answer = scripted_model.respond(call.store, conversation)
    return answer.text if answer.text is not None else ""


def _input(value: Any, param: str) -> list[dict[str, Any]]:
    if isinstance(value, str):
        return [{"type": "message", "role": "user", "content": [{"type": "input_text", "text": value}]}]
    return user_messages(value, param)


def _agent(call: Call, body: dict[str, Any]) -> dict[str, Any]:
    agent_id = string(body, "agent_id")
    overrides = body.get("agent")
    if not agent_id and overrides is None:
        raise SandboxError(400, "One of 'agent_id' or 'agent' must be provided.", param="agent_id")
    config: dict[str, Any] = {"id": new_id("agent_"), "name": None, "model": ""}
    if agent_id:
        saved = call.store.get(agents.KIND, agent_id)
        if saved is None:
            raise not_found("agent", agent_id, param="agent_id")
        config = {key: saved[key] for key in AGENT_FIELDS}
    else:
        config.update(
            instructions=None,
            tools=[],
            reasoning=agents.RESOLVERS["reasoning"](None),
            text=agents.RESOLVERS["text"](None),
            service_tier="auto",
            multi_agent=agents.RESOLVERS["multi_agent"](None),
            compaction=agents.RESOLVERS["compaction"](None),
            experimental={"time_awareness": False},
        )
    if overrides is not None:
        spec = obj(overrides, "agent")
        only(spec, INLINE_AGENT_FIELDS, "agent")
        if not agent_id and "model" not in spec:
            raise missing_parameter("agent.model")
        agents._apply(config, spec)
    return config


def _environment(value: Any) -> dict[str, Any]:
    """The environment as a session reads it back: a hosted one without its template id, every one with an id."""
    selected = environment(value, "environment")
    if selected["type"] == "none":
        return selected
    environment_id = selected.get("environment_id") or new_id("env_")
    if selected["type"] == "self_hosted":
        return {
            "type": "self_hosted",
            "id": environment_id,
            "capability_directories": selected["capability_directories"],
            "remote_url": f"wss://sandbox.invalid/v1/agents/environments/{environment_id}",
            "workspace_directory": selected["workspace_directory"],
        }
    return {
        "type": "openai_hosted",
        "id": environment_id,
        "capability_directories": selected["capability_directories"] or [],
        "files": [],
        "network": selected["network"] or {"access": "disabled", "allowed_domains": []},
        "packages": selected["packages"] or {"npm": [], "python": [], "system": []},
        "plugins": [],
        "skills": [],
        "container_size": selected["container_size"],
        "desktop": selected["desktop"],
    }


class _Events:
    """The events one request produced, in order, as SSE frames."""

    def __init__(self) -> None:
        self.frames: list[str] = []

    def add(self, kind: str, **fields: Any) -> None:
        event = {"event_id": new_id("event_"), "type": kind, **fields}
        self.frames.append(f"event: {kind}\ndata: {json.dumps(event, separators=(',', ':'))}\n\n")

    def response(self) -> Response:
        return Response("".join(self.frames), media_type="text/event-stream", headers={"cache-control": "no-cache"})


def _turn(call: Call, session: dict[str, Any], messages: list[dict[str, Any]], events: _Events) -> None:
    """Run one turn to completion: the user's messages and the sandbox's reply become items."""
    session_id = session["id"]
    turn = {
        "id": new_id("turn_"),
        "object": "agent.session.turn",
        "session_id": session_id,
        "agent_id": session["agent"]["id"],
        "status": "in_progress",
        "created_at": call.timestamp,
        "started_at": call.timestamp,
        "completed_at": None,
        "error": None,
        "subagent_id": None,
        "usage": None,
    }
    events.add("agent.session.turn.created", session_id=session_id, turn=dict(turn), turn_id=turn["id"])
    for message in messages:
        item = {"id": new_id("msg_"), "phase": None, "status": "completed", "turn_id": turn["id"], **message}
        call.store.put(ITEM, item, parent=session_id)
    answer = {
        "type": "message",
        "id": new_id("msg_"),
        "role": "assistant",
        "phase": "final_answer",
        "status": "completed",
        "turn_id": turn["id"],
        "content": [{"type": "output_text", "text": reply(call, session_id)}],
    }
    call.store.put(ITEM, answer, parent=session_id)
    events.add("agent.session.turn.item.done", item=answer, output_index=0, session_id=session_id, turn_id=turn["id"])
    turn.update(status="completed", completed_at=call.timestamp)
    call.store.put(TURN, turn, parent=session_id)
    events.add("agent.session.turn.completed", session_id=session_id, turn=turn, turn_id=turn["id"], usage=None)
    session.update(status="idle", last_active_at=call.timestamp)
    call.store.put(KIND, session)
    events.add("agent.session.idle", session=session)


def require(call: Call) -> dict[str, Any]:
    session = call.store.get(KIND, call.params["session_id"])
    if session is None:
        raise not_found("session", call.params["session_id"])
    return session


def create(call: Call) -> dict[str, Any] | Response:
    body = call.body
    only(body, CREATE_FIELDS)
    if "environment" not in body:
        raise missing_parameter("environment")
    stream = boolean(body, "stream", nullable=True) is True
    selected = _environment(body["environment"])
    given = body.get("input")
    if given is None and (selected["type"] == "none" or (stream and selected["type"] != "self_hosted")):
        raise missing_parameter("input")
    messages = _input(given, "input") if given is not None else []
    review = choice(body, "review", ("none", "auto_review"))
    cache = obj(body["prompt_cache_options"], "prompt_cache_options") if body.get("prompt_cache_options") else None
    if cache is not None:
        only(cache, ("ttl",), "prompt_cache_options")
        choice(cache, "ttl", ("30m", "12h"), "prompt_cache_options", nullable=False)
    session: dict[str, Any] = {
        "id": new_id("sess_"),
        "object": "agent.session",
        "status": "in_progress" if messages else "idle",
        "error": None,
        "agent": _agent(call, body),
        "environment": selected,
        "metadata": metadata(body.get("metadata")),
        "vault_ids": string_list(body, "vault_ids", nullable=True) or [],
        "required_actions": [],
        "created_at": call.timestamp,
        "last_active_at": call.timestamp,
        "usage": None,
    }
    if review not in (MISSING, None, "none"):
        session["review"] = review
    if cache is not None:
        session["prompt_cache_options"] = cache
    call.store.put(KIND, session)
    events = _Events()
    events.add("agent.session.created", session=dict(session))
    if messages:
        _turn(call, session, messages, events)
    return events.response() if stream else session


def send_events(call: Call) -> Response:
    session = require(call)
    only(call.body, ("events",))
    sent = array(call.body, "events")
    if sent is MISSING:
        raise missing_parameter("events")
    for index, value in enumerate(sent):
        param = f"events[{index}]"
        event = obj(value, param)
        only(event, ("type", "input"), param)
        choice(event, "type", (INPUT_EVENT,), param, nullable=False)
        if "input" not in event:
            raise missing_parameter(f"{param}.input")
        if session["status"] != "idle":
            raise invalid(param, f"the session is {session['status']}; input is accepted only when it is idle.")
        _turn(call, session, _input(event["input"], f"{param}.input"), _Events())
    return Response(status_code=202)


def _matches(session: dict[str, Any], query: Mapping[str, str]) -> bool:
    agent_id = query.get("agent_id")
    if agent_id is not None and session["agent"]["id"] != agent_id:
        return False
    wanted = {key[len("metadata[") : -1]: value for key, value in query.items() if key.startswith("metadata[")}
    return all(session["metadata"].get(key) == value for key, value in wanted.items())


def list_sessions(call: Call) -> dict[str, Any]:
    query = call.query
    return paginate(call, KIND, list_query(call, before=False), view=lambda s: s if _matches(s, query) else None)


def remove(call: Call) -> dict[str, Any]:
    session_id = require(call)["id"]
    call.store.delete(KIND, session_id)
    call.store.delete_children(TURN, session_id)
    call.store.delete_children(ITEM, session_id)
    return deleted(session_id, "agent.session.deleted")


def list_turns(call: Call) -> dict[str, Any]:
    return paginate(call, TURN, list_query(call, before=False), parent=require(call)["id"])


def retrieve_turn(call: Call) -> dict[str, Any]:
    turn = call.store.get(TURN, call.params["turn_id"], parent=require(call)["id"])
    if turn is None:
        raise not_found("turn", call.params["turn_id"])
    return turn


def list_items(call: Call) -> dict[str, Any]:
    return paginate(call, ITEM, list_query(call, before=False), parent=require(call)["id"])


def list_turn_items(call: Call) -> dict[str, Any]:
    turn_id = retrieve_turn(call)["id"]
    return paginate(
        call,
        ITEM,
        list_query(call, before=False),
        parent=call.params["session_id"],
        view=lambda item: item if item["turn_id"] == turn_id else None,
    )


ROUTES = [
    post("/agents/sessions", create, AGENTS_BETA),
    get("/agents/sessions", list_sessions, AGENTS_BETA),
    get("/agents/sessions/{session_id}", require, AGENTS_BETA),
    delete("/agents/sessions/{session_id}", remove, AGENTS_BETA),
    post("/agents/sessions/{session_id}/events", send_events, AGENTS_BETA),
    get("/agents/sessions/{session_id}/turns", list_turns, AGENTS_BETA),
    get("/agents/sessions/{session_id}/turns/{turn_id}", retrieve_turn, AGENTS_BETA),
    get("/agents/sessions/{session_id}/turns/{turn_id}/items", list_turn_items, AGENTS_BETA),
    get("/agents/sessions/{session_id}/items", list_items, AGENTS_BETA),
]
