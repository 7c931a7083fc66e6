"""`/agents/automations` (Agents API beta): create, retrieve, update, list, delete, pause, resume and invocations.

An automation is `periodic` (a five-field cron `expression` read in an IANA `timezone`) or `once` (a future
`run_at`, Unix seconds), and delivers to a `new_session` target (environment, input, exactly one of `agent_id` or an
inline `agent`, metadata, vault ids) or to an `existing_session` (session id, instructions). References are not
checked at save time. Read-back, as the API answers: `created_by: {type: developer}`, `status: active`,
`pause_reason: null`, input items with `type: "message"`, target `metadata: {}` and `vault_ids: []` when unset, and a
hosted environment with an explicit null for every override not given (its `env` and `setup_commands` are never
returned).

Update is partial; `target` and `metadata` replace the whole field, `type` cannot change, and neither can the
target's type. `expression` and `timezone` are accepted for periodic automations only, `run_at` for one-time ones
and only until their scheduled invocation exists. The sandbox runs no clock: a one-time automation whose `run_at` has
passed is settled when it is next read (its scheduled invocation recorded, its status `completed`). Periodic
automations are never delivered. `pause` and `resume` take no body; resuming a one-time automation whose time has
passed needs a new `run_at` first. `POST …/invocations` queues a manual invocation without changing the schedule.
"""

from __future__ import annotations

from typing import Any

from assistplan.cron import cron_problem, timezone_problem
from assistplan.sandbox import agents
from assistplan.sandbox.errors import SandboxError, invalid, invalid_type, missing_parameter, not_found
from assistplan.sandbox.routing import (
    AGENTS_BETA,
    Call,
    Handler,
    delete,
    deleted,
    get,
    list_query,
    paginate,
    post,
    public,
)
from assistplan.sandbox.store import new_id
from assistplan.sandbox.validate import (
    MISSING,
    array,
    choice,
    field,
    metadata,
    number,
    obj,
    only,
    string,
    string_list,
)

KIND = "automation"
INVOCATION = "automation.invocation"
TYPES = ("periodic", "once")
UPDATE_FIELDS = ("name", "expression", "timezone", "run_at", "target", "metadata")
CREATE_FIELDS = ("type", *UPDATE_FIELDS)
TARGET_TYPES = ("new_session", "existing_session")
NEW_SESSION_FIELDS = ("type", "environment", "input", "agent_id", "agent", "metadata", "vault_ids")
INLINE_AGENT_FIELDS = (
    "model",
    "instructions",
    "tools",
    "reasoning",
    "text",
    "service_tier",
    "multi_agent",
    "compaction",
    "experimental",
)
HOSTED_OVERRIDES = (
    "environment_id",
    "container_size",
    "capability_directories",
    "desktop",
    "files",
    "network",
    "packages",
    "plugins",
    "skills",
)
HOSTED_CONFIDENTIAL = ("env", "setup_commands")
ENVIRONMENT_TYPES = ("none", "openai_hosted", "self_hosted")


def _inline_agent(value: Any) -> dict[str, Any]:
    spec = obj(value, "target.agent")
    only(spec, INLINE_AGENT_FIELDS, "target.agent")
    field(spec, "model", "target.agent", required=True)
    agent: dict[str, Any] = {
        "model": "",
        "instructions": None,
        "tools": [],
        "reasoning": agents.RESOLVERS["reasoning"](None),
        "text": agents.RESOLVERS["text"](None),
        "service_tier": "auto",
        "multi_agent": agents.RESOLVERS["multi_agent"](None),
        "compaction": agents.RESOLVERS["compaction"](None),
        "experimental": {"time_awareness": False},
    }
    agents._apply(agent, spec)
    return agent


def environment(value: Any, param: str) -> dict[str, Any]:
    """A session environment as the API reads it back: `none`, `openai_hosted` (explicit nulls for unset overrides,
    confidential fields dropped) or `self_hosted`."""
    spec = obj(value, param)
    kind = choice(spec, "type", ENVIRONMENT_TYPES, param, nullable=False)
    if kind is MISSING:
        raise missing_parameter(f"{param}.type")
    if kind == "none":
        only(spec, ("type",), param)
        return {"type": "none"}
    if kind == "self_hosted":
        only(spec, ("type", "workspace_directory", "capability_directories", "environment_id"), param)
        return {
            "type": "self_hosted",
            "workspace_directory": string(spec, "workspace_directory", param, required=True, nullable=False),
            "capability_directories": string_list(spec, "capability_directories", param, nullable=True) or [],
            "environment_id": string(spec, "environment_id", param) or None,
        }
    only(spec, ("type", "environment_template_id", *HOSTED_OVERRIDES, *HOSTED_CONFIDENTIAL), param)
    hosted: dict[str, Any] = {"type": "openai_hosted"}
    hosted["environment_template_id"] = string(spec, "environment_template_id", param) or None
    hosted["environment_id"] = string(spec, "environment_id", param) or None
    hosted["container_size"] = choice(spec, "container_size", ("small", "medium", "large"), param) or None
    for key in HOSTED_OVERRIDES[2:]:
        hosted[key] = spec.get(key)
    return hosted


def _content(value: Any, param: str) -> dict[str, Any]:
    part = obj(value, param)
    kind = choice(part, "type", ("input_text", "input_image"), param, nullable=False)
    if kind is MISSING:
        raise missing_parameter(f"{param}.type")
    if kind == "input_text":
        only(part, ("type", "text"), param)
        return {"type": "input_text", "text": string(part, "text", param, required=True, nullable=False)}
    only(part, ("type", "image_url"), param)
    return {"type": "input_image", "image_url": string(part, "image_url", param, required=True, nullable=False)}


def user_messages(value: Any, param: str) -> list[dict[str, Any]]:
    """User input messages, read back with `type: "message"`."""
    if not isinstance(value, list):
        raise invalid_type(param, "an array", value)
    messages = []
    for index, item in enumerate(value):
        where = f"{param}[{index}]"
        message = obj(item, where)
        only(message, ("role", "content", "type"), where)
        choice(message, "role", ("user",), where, nullable=False)
        if "role" not in message:
            raise missing_parameter(f"{where}.role")
        choice(message, "type", ("message",), where, nullable=False)
        content = array(message, "content", where)
        if content is MISSING:
            raise missing_parameter(f"{where}.content")
        parts = [_content(part, f"{where}.content[{n}]") for n, part in enumerate(content)]
        messages.append({"type": "message", "role": "user", "content": parts})
    return messages


def _target(value: Any, current: dict[str, Any] | None) -> dict[str, Any]:
    spec = obj(value, "target")
    kind = choice(spec, "type", TARGET_TYPES, "target", nullable=False)
    if kind is MISSING:
        raise missing_parameter("target.type")
    if current is not None and kind != current["type"]:
        raise invalid("target.type", f"an automation's target type cannot change (it is '{current['type']}').")
    if kind == "existing_session":
        only(spec, ("type", "session_id", "instructions"), "target")
        return {
            "type": "existing_session",
            "session_id": string(spec, "session_id", "target", required=True, nullable=False),
            "instructions": string(spec, "instructions", "target", required=True, nullable=False),
        }
    only(spec, NEW_SESSION_FIELDS, "target")
    agent_id, agent = spec.get("agent_id"), spec.get("agent")
    if (agent_id is None) == (agent is None):
        raise SandboxError(400, "Exactly one of 'target.agent_id' or 'target.agent' must be provided.", param="target")
    if "environment" not in spec:
        raise missing_parameter("target.environment")
    if "input" not in spec:
        raise missing_parameter("target.input")
    return {
        "type": "new_session",
        "agent_id": string(spec, "agent_id", "target"),
        "agent": _inline_agent(agent) if agent is not None else None,
        "environment": environment(spec["environment"], "target.environment"),
        "input": user_messages(spec["input"], "target.input"),
        "metadata": metadata(spec.get("metadata"), "target.metadata"),
        "vault_ids": string_list(spec, "vault_ids", "target", nullable=True) or [],
    }


def _not_null(body: dict[str, Any], key: str, expected: str) -> None:
    if key in body and body[key] is None:
        raise invalid_type(key, expected, None)


def _schedule(automation: dict[str, Any], body: dict[str, Any], now: float) -> None:
    periodic = automation["type"] == "periodic"
    for key in ("expression", "timezone"):
        if key in body and not periodic:
            raise invalid(key, "only accepted for periodic automations.")
    if "run_at" in body and periodic:
        raise invalid("run_at", "only accepted for one-time automations.")
    expression = string(body, "expression", nullable=False)
    if isinstance(expression, str):
        problem = cron_problem(expression)
        if problem is not None:
            raise invalid("expression", f"not a standard five-field cron expression: {problem}.", "invalid_value")
        automation["expression"] = expression
    zone = string(body, "timezone", nullable=False)
    if isinstance(zone, str):
        problem = timezone_problem(zone)
        if problem is not None:
            raise invalid("timezone", f"{problem}.", "invalid_value")
        automation["timezone"] = zone
    run_at = number(body, "run_at", integer=True, nullable=False)
    if run_at is not MISSING:
        if automation.get("_scheduled_invocation"):
            raise invalid("run_at", "can only be changed before the scheduled invocation exists.")
        if run_at <= now:
            raise invalid("run_at", f"must be in the future (got {run_at}, now is {int(now)}).", "invalid_value")
        automation["run_at"] = run_at


def _apply(automation: dict[str, Any], body: dict[str, Any], now: float) -> None:
    for key, expected in (("name", "a string"), ("metadata", "an object"), ("target", "an object")):
        _not_null(body, key, expected)
    name = string(body, "name", nullable=False)
    if isinstance(name, str):
        automation["name"] = name
    _schedule(automation, body, now)
    if "target" in body:
        automation["target"] = _target(body["target"], automation.get("target"))
    if "metadata" in body:
        automation["metadata"] = metadata(body["metadata"])


def _settle(call: Call, automation: dict[str, Any]) -> dict[str, Any]:
    """A one-time automation whose time has come: its scheduled invocation recorded, its status `completed`."""
    due = (
        automation["type"] == "once"
        and automation["status"] == "active"
        and not automation.get("_scheduled_invocation")
        and automation["run_at"] <= call.now
    )
    if not due:
        return automation
    invocation = _invocation(automation, call, {"type": "automation", "automation": public(automation)})
    invocation.update(scheduled_at=automation["run_at"], status="completed")
    call.store.put(INVOCATION, invocation, parent=automation["id"])
    automation.update(status="completed", _scheduled_invocation=invocation["id"])
    call.store.put(KIND, automation)
    return automation


def _invocation(automation: dict[str, Any], call: Call, source: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": new_id("ainv_"),
        "object": "agent.automation.invocation",
        "automation_id": automation["id"],
        "created_at": call.timestamp,
        "status": "queued",
        "source": source,
        "scheduled_at": None,
        "session_id": None,
        "skip_reason": None,
        "error": None,
    }


def require(call: Call) -> dict[str, Any]:
    automation = call.store.get(KIND, call.params["automation_id"])
    if automation is None:
        raise not_found("automation", call.params["automation_id"])
    return _settle(call, automation)


def create(call: Call) -> dict[str, Any]:
    body = call.body
    only(body, CREATE_FIELDS)
    kind = choice(body, "type", TYPES, nullable=False)
    if kind is MISSING:
        raise missing_parameter("type")
    required = ("name", "expression", "timezone", "target") if kind == "periodic" else ("name", "run_at", "target")
    for key in required:
        field(body, key, required=True)
    automation: dict[str, Any] = {
        "id": new_id("auto_"),
        "object": "agent.automation",
        "type": kind,
        "name": "",
        "created_at": call.timestamp,
        "created_by": {"type": "developer"},
        "metadata": {},
        "status": "active",
        "pause_reason": None,
    }
    _apply(automation, body, call.now)
    call.store.put(KIND, automation)
    return automation


def update(call: Call) -> dict[str, Any]:
    automation = require(call)
    only(call.body, UPDATE_FIELDS)
    _apply(automation, call.body, call.now)
    call.store.put(KIND, automation)
    return automation


def pause(call: Call) -> dict[str, Any]:
    automation = require(call)
    if automation["status"] == "completed":
        raise SandboxError(400, "A completed automation cannot be paused.", param=None)
    automation["status"] = "paused"
    call.store.put(KIND, automation)
    return automation


def resume(call: Call) -> dict[str, Any]:
    automation = require(call)
    once = automation["type"] == "once"
    if once and (automation.get("_scheduled_invocation") or automation["run_at"] <= call.now):
        raise invalid("run_at", "resuming a one-time automation without a pending invocation requires a future run_at.")
    automation.update(status="active", pause_reason=None)
    call.store.put(KIND, automation)
    return automation


def list_automations(call: Call) -> dict[str, Any]:
    query = list_query(call, before=False)
    session_id = call.query.get("session_id")
    for row in call.store.children(KIND, ""):
        _settle(call, row)

    def view(row: dict[str, Any]) -> dict[str, Any] | None:
        target = row.get("target") or {}
        if session_id is not None and target.get("session_id") != session_id:
            return None
        return public(row)

    return paginate(call, KIND, query, view=view)


def remove(call: Call) -> dict[str, Any]:
    automation_id = require(call)["id"]
    call.store.delete(KIND, automation_id)
    call.store.delete_children(INVOCATION, automation_id)
    return deleted(automation_id, "agent.automation.deleted")


def invoke(call: Call) -> dict[str, Any]:
    automation = require(call)
    invocation = _invocation(automation, call, {"type": "manual"})
    call.store.put(INVOCATION, invocation, parent=automation["id"])
    return invocation


def list_invocations(call: Call) -> dict[str, Any]:
    automation = require(call)
    return paginate(call, INVOCATION, list_query(call, before=False), parent=automation["id"])


def retrieve_invocation(call: Call) -> dict[str, Any]:
    automation = require(call)
    invocation = call.store.get(INVOCATION, call.params["invocation_id"], parent=automation["id"])
    if invocation is None:
        raise not_found("automation invocation", call.params["invocation_id"])
    return invocation


def _public(handler: Handler) -> Handler:
    """The handler's automation as the API shows it (without the sandbox's bookkeeping)."""

    def answer(call: Call) -> dict[str, Any]:
        result = handler(call)
        assert isinstance(result, dict)
        return public(result)

    return answer


ROUTES = [
    post("/agents/automations", _public(create), AGENTS_BETA),
    get("/agents/automations", list_automations, AGENTS_BETA),
    get("/agents/automations/{automation_id}", _public(require), AGENTS_BETA),
    post("/agents/automations/{automation_id}", _public(update), AGENTS_BETA),
    delete("/agents/automations/{automation_id}", remove, AGENTS_BETA),
    post("/agents/automations/{automation_id}/pause", _public(pause), AGENTS_BETA),
    post("/agents/automations/{automation_id}/resume", _public(resume), AGENTS_BETA),
    post("/agents/automations/{automation_id}/invocations", invoke, AGENTS_BETA),
    get("/agents/automations/{automation_id}/invocations", list_invocations, AGENTS_BETA),
    get("/agents/automations/{automation_id}/invocations/{invocation_id}", retrieve_invocation, AGENTS_BETA),
]
