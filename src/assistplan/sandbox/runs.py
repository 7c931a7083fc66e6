"""Runs of an assistant on a thread (Assistants API v2): `POST /threads/{id}/runs`, `POST /threads/runs` (create a
thread and run it), retrieve, list, update (metadata), cancel, `submit_tool_outputs`, and the run steps.

A run takes the assistant's model, instructions (plus `additional_instructions`), tools, temperature, top_p and
response format unless the request overrides them; `additional_messages` are added to the thread first. The scripted
model (scripted_model.py) answers at once: create answers the run `queued`, and the run is already `completed` (an
assistant message with `run_id` and `assistant_id` was added to the thread) or `requires_action` (its
`required_action.submit_tool_outputs.tool_calls` name the functions to call) when it is next read. Submitting an
output for every tool call lets the model answer again; cancelling a run that waits for tool outputs answers it
`cancelling`, and it reads back `cancelled`. While a run is active the thread takes no other run and no message.

With `"stream": true` the answer is Server-Sent Events in the real API's order: `thread.created` (create-and-run
only), `thread.run.created`, `thread.run.queued`, `thread.run.in_progress`, then per step `thread.run.step.created`,
`thread.run.step.in_progress`, for a reply `thread.message.created`, `thread.message.in_progress`,
`thread.message.delta`, `thread.message.completed`, `thread.run.step.completed` and `thread.run.completed`, for tool
calls a `thread.run.step.delta` carrying the calls and `thread.run.requires_action`; the stream ends with
`event: done` / `data: [DONE]`. Submitting tool outputs streamed starts with the tool step's
`thread.run.step.completed` and `thread.run.queued`. Each step carries the scripted model's word-count usage; a
finished run carries their sum.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.responses import Response

from assistplan.sandbox import assistants, messages, scripted_model, threads
from assistplan.sandbox.errors import SandboxError, invalid, invalid_value, missing_parameter, not_found
from assistplan.sandbox.routing import ASSISTANTS_BETA, Call, get, list_query, paginate, post
from assistplan.sandbox.store import new_id
from assistplan.sandbox.validate import MISSING, array, boolean, choice, field, metadata, number, obj, only, string

KIND = messages.RUN
STEP = "thread.run.step"
SETTINGS = (
    "assistant_id",
    "model",
    "instructions",
    "tools",
    "metadata",
    "temperature",
    "top_p",
    "stream",
    "max_prompt_tokens",
    "max_completion_tokens",
    "truncation_strategy",
    "tool_choice",
    "parallel_tool_calls",
    "response_format",
)
CREATE_FIELDS = (*SETTINGS, "additional_instructions", "additional_messages", "reasoning_effort")
CREATE_AND_RUN_FIELDS = (*SETTINGS, "thread", "tool_resources")
CANCELLABLE = ("queued", "in_progress", "requires_action")
EXPIRY = 600


class Events:
    """The events one request produced, in order, as the Assistants API streams them."""

    def __init__(self) -> None:
        self.frames: list[str] = []

    def add(self, event: str, data: dict[str, Any]) -> None:
        self.frames.append(f"event: {event}\ndata: {json.dumps(data, separators=(',', ':'))}\n\n")

    def response(self) -> Response:
        body = "".join(self.frames) + "event: done\ndata: [DONE]\n\n"
        return Response(body, media_type="text/event-stream", headers={"cache-control": "no-cache"})


def _tool_choice(value: Any) -> Any:
    if value is None:
        return "auto"
    if isinstance(value, str):
        if value not in ("none", "auto", "required"):
            raise invalid_value("tool_choice", value, ("none", "auto", "required"))
        return value
    spec = obj(value, "tool_choice")
    kind = field(spec, "type", "tool_choice", required=True)
    if kind not in ("function", "file_search", "code_interpreter"):
        raise invalid_value("tool_choice.type", kind, ("function", "file_search", "code_interpreter"))
    if kind != "function":
        only(spec, ("type",), "tool_choice")
        return {"type": kind}
    only(spec, ("type", "function"), "tool_choice")
    function = obj(field(spec, "function", "tool_choice", required=True), "tool_choice.function")
    only(function, ("name",), "tool_choice.function")
    return {"type": "function", "function": {"name": string(function, "name", "tool_choice.function", required=True)}}


def _truncation(value: Any) -> dict[str, Any]:
    if value is None:
        return {"type": "auto", "last_messages": None}
    spec = obj(value, "truncation_strategy")
    only(spec, ("type", "last_messages"), "truncation_strategy")
    kind = choice(spec, "type", ("auto", "last_messages"), "truncation_strategy", nullable=False)
    if kind is MISSING:
        raise missing_parameter("truncation_strategy.type")
    last = number(spec, "last_messages", "truncation_strategy", integer=True, minimum=1)
    return {"type": kind, "last_messages": None if last is MISSING else last}


def _setting(body: dict[str, Any], key: str, default: Any) -> Any:
    return default if body.get(key) is None else body[key]


def _new_run(call: Call, thread_id: str, body: dict[str, Any]) -> dict[str, Any]:
    assistant_id = string(body, "assistant_id", required=True, nullable=False)
    assistant = call.store.get(assistants.KIND, assistant_id)
    if assistant is None:
        raise not_found("assistant", assistant_id, param="assistant_id")
    model = string(body, "model") or assistant["model"]
    instructions = string(body, "instructions", max_length=256_000)
    instructions = assistant["instructions"] or "" if instructions in (MISSING, None) else instructions
    additional = string(body, "additional_instructions")
    if additional:
        instructions = f"{instructions}\n{additional}" if instructions else additional
    tools = assistants.tools(body["tools"], model) if body.get("tools") is not None else assistant["tools"]
    settings = {}
    for key, maximum in (("temperature", 2), ("top_p", 1)):
        value = number(body, key, minimum=0, maximum=maximum)
        settings[key] = assistant[key] if value in (MISSING, None) else float(value)
    limits = {}
    for key in ("max_prompt_tokens", "max_completion_tokens"):
        value = number(body, key, integer=True, minimum=256)
        limits[key] = None if value is MISSING else value
    parallel = boolean(body, "parallel_tool_calls")
    response_format = (
        assistants.response_format(body["response_format"])
        if body.get("response_format") is not None
        else assistant["response_format"]
    )
    return {
        "id": new_id("run_"),
        "object": "thread.run",
        "created_at": call.timestamp,
        "thread_id": thread_id,
        "assistant_id": assistant_id,
        "status": "queued",
        "started_at": None,
        "expires_at": call.timestamp + EXPIRY,
        "cancelled_at": None,
        "failed_at": None,
        "completed_at": None,
        "required_action": None,
        "last_error": None,
        "model": model,
        "instructions": instructions,
        "tools": tools,
        "metadata": metadata(body.get("metadata")),
        "incomplete_details": None,
        "usage": None,
        **settings,
        **limits,
        "truncation_strategy": _truncation(body.get("truncation_strategy")),
        "response_format": response_format,
        "tool_choice": _tool_choice(body.get("tool_choice")),
        "parallel_tool_calls": True if parallel is MISSING else parallel,
    }


def _functions(run: dict[str, Any]) -> list[scripted_model.Function]:
    return [
        scripted_model.Function(
            tool["function"]["name"], tool["function"].get("parameters") or {}, bool(tool["function"].get("strict"))
        )
        for tool in run["tools"]
        if tool["type"] == "function"
    ]


def _model_choice(run: dict[str, Any]) -> scripted_model.ToolChoice:
    chosen = run["tool_choice"]
    if isinstance(chosen, str):
        return scripted_model.ToolChoice(chosen)
    if chosen["type"] == "function":
        return scripted_model.ToolChoice("required", chosen["function"]["name"])
    return scripted_model.ToolChoice("none")


def _new_step(call: Call, run: dict[str, Any], kind: str, details: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": new_id("step_"),
        "object": STEP,
        "created_at": call.timestamp,
        "run_id": run["id"],
        "assistant_id": run["assistant_id"],
        "thread_id": run["thread_id"],
        "type": kind,
        "status": "in_progress",
        "step_details": details,
        "last_error": None,
        "expired_at": None,
        "cancelled_at": None,
        "failed_at": None,
        "completed_at": None,
        "metadata": {},
        "usage": None,
    }


def _snapshot(value: dict[str, Any]) -> dict[str, Any]:
    copied: dict[str, Any] = json.loads(json.dumps(value))
    return copied


def _save(call: Call, run: dict[str, Any]) -> None:
    call.store.put(KIND, run, parent=run["thread_id"])


def _finish(call: Call, run: dict[str, Any], status: str, events: Events) -> None:
    """End the run: `completed` or `cancelled`, with the usage of its steps."""
    steps = call.store.children(STEP, run["id"])
    usage = {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0}
    for step in steps:
        for key in usage:
            usage[key] += (step["usage"] or {}).get(key, 0)
    stamp = "completed_at" if status == "completed" else "cancelled_at"
    run.update(status=status, required_action=None, expires_at=None, usage=usage, **{stamp: call.timestamp})
    _save(call, run)
    events.add(f"thread.run.{status}", _snapshot(run))


def _reply(call: Call, run: dict[str, Any], answer: scripted_model.Answer, events: Events) -> None:
    text = answer.text or ""
    message = {
        "id": new_id("msg_"),
        "object": messages.KIND,
        "created_at": call.timestamp,
        "assistant_id": run["assistant_id"],
        "thread_id": run["thread_id"],
        "run_id": run["id"],
        "role": "assistant",
        "content": [],
        "attachments": [],
        "metadata": {},
        "status": "in_progress",
        "completed_at": None,
        "incomplete_at": None,
        "incomplete_details": None,
    }
    details = {"type": "message_creation", "message_creation": {"message_id": message["id"]}}
    step = _new_step(call, run, "message_creation", details)
    events.add("thread.run.step.created", _snapshot(step))
    events.add("thread.run.step.in_progress", _snapshot(step))
    events.add("thread.message.created", _snapshot(message))
    events.add("thread.message.in_progress", _snapshot(message))
    delta = {"content": [{"index": 0, **messages.text_part(text)}]}
    events.add("thread.message.delta", {"id": message["id"], "object": "thread.message.delta", "delta": delta})
    message.update(content=[messages.text_part(text)], status="completed", completed_at=call.timestamp)
    call.store.put(messages.KIND, message, parent=run["thread_id"])
    events.add("thread.message.completed", _snapshot(message))
    step.update(status="completed", completed_at=call.timestamp, usage=answer.usage())
    call.store.put(STEP, step, parent=run["id"])
    events.add("thread.run.step.completed", _snapshot(step))
    _finish(call, run, "completed", events)


def _request_tools(call: Call, run: dict[str, Any], answer: scripted_model.Answer, events: Events) -> None:
    calls: list[dict[str, Any]] = [
        {"id": new_id("call_"), "type": "function", "function": {"name": c.name, "arguments": c.arguments}}
        for c in answer.tool_calls
    ]
    step = _new_step(call, run, "tool_calls", {"type": "tool_calls", "tool_calls": []})
    events.add("thread.run.step.created", _snapshot(step))
    events.add("thread.run.step.in_progress", _snapshot(step))
    recorded = [{**c, "function": {**c["function"], "output": None}} for c in calls]
    delta = {"step_details": {"type": "tool_calls", "tool_calls": [{"index": i, **c} for i, c in enumerate(recorded)]}}
    events.add("thread.run.step.delta", {"id": step["id"], "object": "thread.run.step.delta", "delta": delta})
    step.update(step_details={"type": "tool_calls", "tool_calls": recorded}, usage=answer.usage())
    call.store.put(STEP, step, parent=run["id"])
    run.update(
        status="requires_action",
        required_action={"type": "submit_tool_outputs", "submit_tool_outputs": {"tool_calls": calls}},
    )
    _save(call, run)
    events.add("thread.run.requires_action", _snapshot(run))


def _proceed(call: Call, run: dict[str, Any], events: Events, outputs: list[scripted_model.Message]) -> None:
    """Let the scripted model answer the thread (and the tool outputs just submitted)."""
    run.update(status="in_progress", started_at=run["started_at"] or call.timestamp)
    _save(call, run)
    events.add("thread.run.in_progress", _snapshot(run))
    conversation = messages.conversation(call, run["thread_id"]) + outputs
    if run["instructions"]:
        conversation.insert(0, scripted_model.Message("system", run["instructions"]))
    answer = scripted_model.respond(
        call.store,
        conversation,
        _functions(run),
        tool_choice=_model_choice(run),
        parallel_tool_calls=run["parallel_tool_calls"],
    )
    if answer.text is None:
        _request_tools(call, run, answer, events)
    else:
        _reply(call, run, answer, events)


def _start(call: Call, run: dict[str, Any], events: Events) -> dict[str, Any]:
    """Store the new run, run it, and answer it as created (queued), or as the stream of its events."""
    _save(call, run)
    created = _snapshot(run)
    events.add("thread.run.created", created)
    events.add("thread.run.queued", created)
    _proceed(call, run, events, [])
    return created


def _streamed(body: dict[str, Any]) -> bool:
    return boolean(body, "stream", nullable=True) is True


def create(call: Call) -> dict[str, Any] | Response:
    thread_id = messages.require_thread(call)["id"]
    body = call.body
    only(body, CREATE_FIELDS)
    choice(body, "reasoning_effort", assistants.REASONING_EFFORTS)
    running = messages.active_run(call, thread_id)
    if running is not None:
        raise SandboxError(400, f"Thread {thread_id} already has an active run {running['id']}.")
    stream = _streamed(body)
    events = Events()
    with call.store.transaction():
        run = _new_run(call, thread_id, body)
        extra = array(body, "additional_messages", nullable=True) or []
        for index, message in enumerate(extra):
            param = f"additional_messages[{index}]"
            messages.new_message(call, thread_id, obj(message, param), param)
        created = _start(call, run, events)
    return events.response() if stream else created


def create_and_run(call: Call) -> dict[str, Any] | Response:
    body = call.body
    only(body, CREATE_AND_RUN_FIELDS)
    stream = _streamed(body)
    events = Events()
    with call.store.transaction():
        given = body.get("thread")
        spec = {} if given is None else dict(obj(given, "thread"))
        if body.get("tool_resources") is not None:
            spec["tool_resources"] = body["tool_resources"]
        thread = threads.new_thread(call, spec, "thread")
        events.add("thread.created", _snapshot(thread))
        created = _start(call, _new_run(call, thread["id"], body), events)
    return events.response() if stream else created


def require(call: Call) -> dict[str, Any]:
    thread_id = messages.require_thread(call)["id"]
    run = call.store.get(KIND, call.params["run_id"], parent=thread_id)
    if run is None:
        raise not_found("run", call.params["run_id"])
    return run


def update(call: Call) -> dict[str, Any]:
    run = require(call)
    only(call.body, ("metadata",))
    if "metadata" in call.body:
        run["metadata"] = metadata(call.body["metadata"])
    _save(call, run)
    return run


def list_runs(call: Call) -> dict[str, Any]:
    return paginate(call, KIND, list_query(call), parent=messages.require_thread(call)["id"])


def cancel(call: Call) -> dict[str, Any]:
    run = require(call)
    if run["status"] not in CANCELLABLE:
        raise SandboxError(400, f"Cannot cancel run with status '{run['status']}'.")
    with call.store.transaction():
        for step in call.store.children(STEP, run["id"]):
            if step["status"] == "in_progress":
                step.update(status="cancelled", cancelled_at=call.timestamp)
                call.store.put(STEP, step, parent=run["id"])
        answered = {**_snapshot(run), "status": "cancelling"}
        _finish(call, run, "cancelled", Events())
    return answered


def _outputs(call: Call, run: dict[str, Any]) -> dict[str, str]:
    """The submitted outputs by tool call id, checked against the calls the run waits for."""
    only(call.body, ("tool_outputs", "stream"))
    given = array(call.body, "tool_outputs")
    if given is MISSING:
        raise missing_parameter("tool_outputs")
    expected = [c["id"] for c in run["required_action"]["submit_tool_outputs"]["tool_calls"]]
    outputs: dict[str, str] = {}
    for index, value in enumerate(given):
        param = f"tool_outputs[{index}]"
        entry = obj(value, param)
        only(entry, ("tool_call_id", "output"), param)
        call_id = string(entry, "tool_call_id", param, required=True, nullable=False)
        output = string(entry, "output", param, nullable=False)
        if call_id not in expected:
            raise invalid(f"{param}.tool_call_id", f"no tool call with id '{call_id}' is awaiting output.")
        outputs[call_id] = "" if output is MISSING else output
    if set(outputs) != set(expected):
        raise SandboxError(
            400,
            f"Expected tool outputs for call_ids {sorted(expected)}, got {sorted(outputs)}",
            param="tool_outputs",
        )
    return outputs


def submit_tool_outputs(call: Call) -> dict[str, Any] | Response:
    run = require(call)
    if run["status"] != "requires_action":
        raise SandboxError(400, f'Runs in status "{run["status"]}" do not accept tool outputs.')
    outputs = _outputs(call, run)
    stream = _streamed(call.body)
    events = Events()
    with call.store.transaction():
        step = next(s for s in call.store.children(STEP, run["id"]) if s["status"] == "in_progress")
        results: list[scripted_model.Message] = []
        for tool_call in step["step_details"]["tool_calls"]:
            tool_call["function"]["output"] = outputs[tool_call["id"]]
            results.append(scripted_model.Message("tool", outputs[tool_call["id"]], tool_call["function"]["name"]))
        step.update(status="completed", completed_at=call.timestamp)
        call.store.put(STEP, step, parent=run["id"])
        events.add("thread.run.step.completed", _snapshot(step))
        run.update(status="queued", required_action=None)
        _save(call, run)
        answered = _snapshot(run)
        events.add("thread.run.queued", answered)
        _proceed(call, run, events, results)
    return events.response() if stream else answered


def require_step(call: Call) -> dict[str, Any]:
    run = require(call)
    step = call.store.get(STEP, call.params["step_id"], parent=run["id"])
    if step is None:
        raise not_found("run step", call.params["step_id"])
    return step


def list_steps(call: Call) -> dict[str, Any]:
    return paginate(call, STEP, list_query(call), parent=require(call)["id"])


ROUTES = [
    post("/threads/runs", create_and_run, ASSISTANTS_BETA),
    post("/threads/{thread_id}/runs", create, ASSISTANTS_BETA),
    get("/threads/{thread_id}/runs", list_runs, ASSISTANTS_BETA),
    get("/threads/{thread_id}/runs/{run_id}", require, ASSISTANTS_BETA),
    post("/threads/{thread_id}/runs/{run_id}", update, ASSISTANTS_BETA),
    post("/threads/{thread_id}/runs/{run_id}/cancel", cancel, ASSISTANTS_BETA),
    post("/threads/{thread_id}/runs/{run_id}/submit_tool_outputs", submit_tool_outputs, ASSISTANTS_BETA),
    get("/threads/{thread_id}/runs/{run_id}/steps", list_steps, ASSISTANTS_BETA),
    get("/threads/{thread_id}/runs/{run_id}/steps/{step_id}", require_step, ASSISTANTS_BETA),
]
