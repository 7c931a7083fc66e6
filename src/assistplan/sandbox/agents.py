"""`/agents` (Agents API beta): create, retrieve, update (partial), list, delete.

Every response carries resolved values, as the real API does: an omitted reasoning effort resolves to the model
default (the sandbox uses "medium" for every model) with `summary: null`; `text` to `{format: {type: text},
verbosity: medium}`; `service_tier` to "auto"; `multi_agent` to disabled (6 concurrent subagents when enabled without
a number); `compaction` to `{async: false}`; `experimental` to `{time_awareness: false}`; metadata to `{}`; tool
defaults as in `agent_tools`. On update, `tools` and `metadata` are replaced wholesale (null clears them), null resets
`reasoning`, `text`, `service_tier`, `multi_agent` and `compaction` to their defaults, and `experimental` merges by key.
"""

from __future__ import annotations

from typing import Any

from assistplan.sandbox import agent_tools
from assistplan.sandbox.errors import invalid, not_found
from assistplan.sandbox.routing import AGENTS_BETA, Call, delete, deleted, get, list_query, paginate, post
from assistplan.sandbox.store import new_id
from assistplan.sandbox.validate import MISSING, boolean, choice, field, metadata, number, obj, only, string

KIND = "agent"
FIELDS = (
    "model",
    "name",
    "instructions",
    "metadata",
    "tools",
    "reasoning",
    "text",
    "service_tier",
    "multi_agent",
    "compaction",
    "experimental",
)
EFFORTS = ("none", "minimal", "low", "medium", "high", "xhigh", "max")
DEFAULT_EFFORT = "medium"
SERVICE_TIERS = ("auto", "default", "flex", "priority", "fast", "ultrafast")
DEFAULT_SUBAGENTS = 6


def _reasoning(value: Any) -> dict[str, Any]:
    if value is None:
        return {"effort": DEFAULT_EFFORT, "summary": None}
    spec = obj(value, "reasoning")
    only(spec, ("effort", "summary"), "reasoning")
    return {
        "effort": choice(spec, "effort", EFFORTS, "reasoning") or DEFAULT_EFFORT,
        "summary": choice(spec, "summary", ("concise", "detailed", "auto"), "reasoning") or None,
    }


def _text(value: Any) -> dict[str, Any]:
    if value is None:
        return {"format": {"type": "text"}, "verbosity": "medium"}
    spec = obj(value, "text")
    only(spec, ("format", "verbosity"), "text")
    text_format: dict[str, Any] = {"type": "text"}
    if spec.get("format") is not None:
        requested = obj(spec["format"], "text.format")
        kind = choice(requested, "type", ("text", "json_schema"), "text.format", nullable=False)
        if kind is MISSING:
            field(requested, "type", "text.format", required=True)
        if kind == "json_schema":
            only(requested, ("type", "schema"), "text.format")
            schema = obj(field(requested, "schema", "text.format", required=True), "text.format.schema")
            text_format = {"type": "json_schema", "schema": schema}
        else:
            only(requested, ("type",), "text.format")
    verbosity = choice(spec, "verbosity", ("low", "medium", "high"), "text") or "medium"
    return {"format": text_format, "verbosity": verbosity}


def _multi_agent(value: Any) -> dict[str, Any]:
    if value is None:
        return {"enabled": False, "max_concurrent_subagents": None}
    spec = obj(value, "multi_agent")
    only(spec, ("enabled", "max_concurrent_subagents"), "multi_agent")
    enabled = boolean(spec, "enabled", "multi_agent")
    if enabled is MISSING:
        field(spec, "enabled", "multi_agent", required=True)
    limit = number(spec, "max_concurrent_subagents", "multi_agent", integer=True, minimum=1, nullable=False)
    return {"enabled": enabled, "max_concurrent_subagents": (limit or DEFAULT_SUBAGENTS) if enabled else None}


def _compaction(value: Any) -> dict[str, Any]:
    if value is None:
        return {"async": False}
    spec = obj(value, "compaction")
    only(spec, ("async",), "compaction")
    return {"async": bool(boolean(spec, "async", "compaction", nullable=True))}


def _experimental(value: Any, current: dict[str, Any]) -> dict[str, Any]:
    spec = obj(value, "experimental")
    only(spec, ("time_awareness",), "experimental")
    merged = dict(current)
    awareness = boolean(spec, "time_awareness", "experimental")
    if awareness is not MISSING:
        merged["time_awareness"] = awareness
    return merged


RESOLVERS = {
    "reasoning": _reasoning,
    "text": _text,
    "multi_agent": _multi_agent,
    "compaction": _compaction,
    "tools": agent_tools.tools,
    "metadata": metadata,
}


def _apply(agent: dict[str, Any], body: dict[str, Any]) -> None:
    """Validate the fields present in `body` and write their resolved values into `agent`."""
    only(body, FIELDS)
    model = string(body, "model", nullable=False)
    if model == "":
        raise invalid("model", "string too short. Expected a string with minimum length 1.", "string_below_min_length")
    if model is not MISSING:
        agent["model"] = model
    for key in ("name", "instructions"):
        value = string(body, key)
        if value is not MISSING:
            agent[key] = value
    for key, resolve in RESOLVERS.items():
        if key in body:
            agent[key] = resolve(body[key])
    tier = choice(body, "service_tier", SERVICE_TIERS)
    if tier is not MISSING:
        agent["service_tier"] = tier or "auto"
    if "experimental" in body:
        agent["experimental"] = _experimental(body["experimental"], agent["experimental"])


def require(call: Call) -> dict[str, Any]:
    agent = call.store.get(KIND, call.params["agent_id"])
    if agent is None:
        raise not_found("agent", call.params["agent_id"])
    return agent


def create(call: Call) -> dict[str, Any]:
    only(call.body, FIELDS)
    field(call.body, "model", required=True)
    agent: dict[str, Any] = {
        "id": new_id("agent_"),
        "object": "agent",
        "created_at": call.timestamp,
        "updated_at": call.timestamp,
        "name": None,
        "model": "",
        "instructions": None,
        "metadata": {},
        "tools": [],
        "reasoning": _reasoning(None),
        "text": _text(None),
        "service_tier": "auto",
        "multi_agent": _multi_agent(None),
        "compaction": _compaction(None),
        "experimental": {"time_awareness": False},
    }
    _apply(agent, call.body)
    call.store.put(KIND, agent)
    return agent


def retrieve(call: Call) -> dict[str, Any]:
    return require(call)


def update(call: Call) -> dict[str, Any]:
    agent = require(call)
    _apply(agent, call.body)
    agent["updated_at"] = call.timestamp
    call.store.put(KIND, agent)
    return agent


def list_agents(call: Call) -> dict[str, Any]:
    return paginate(call, KIND, list_query(call, before=False))


def remove(call: Call) -> dict[str, Any]:
    agent_id = require(call)["id"]
    call.store.delete(KIND, agent_id)
    return deleted(agent_id, "agent.deleted")


ROUTES = [
    post("/agents", create, AGENTS_BETA),
    get("/agents", list_agents, AGENTS_BETA),
    get("/agents/{agent_id}", retrieve, AGENTS_BETA),
    post("/agents/{agent_id}", update, AGENTS_BETA),
    delete("/agents/{agent_id}", remove, AGENTS_BETA),
]
