"""`POST /chat/completions` (no beta header): the scripted model's answer to the `messages` the client sends.

The conversation, and so the model's memory, is exactly the `messages` array: `system`/`developer`, `user`,
`assistant` (with `tool_calls`) and `tool` messages (whose `tool_call_id` must answer a call of an earlier assistant
message). Function `tools` may be called as `tool_choice` allows (`none` by default without tools, else `auto`;
`required`; or `{"type": "function", "function": {"name"}}`), in parallel unless `parallel_tool_calls` is false.
The answer has `n` identical choices (`finish_reason` `stop` or `tool_calls`) and word-count `usage`.

With `"stream": true` the answer is `chat.completion.chunk` events (`data: {...}` lines, then `data: [DONE]`): per
choice a first chunk with the role, the text a word at a time, or per tool call a chunk with its id and name and one
with its arguments, then a chunk with the `finish_reason`; with `stream_options.include_usage` a last chunk with no
choices carries the usage (the others `"usage": null`). Other request fields are accepted and do not change the
answer; an unknown one is refused as the real API does (`Unrecognized request argument supplied: …`).
"""

from __future__ import annotations

import json
import re
from typing import Any

from starlette.responses import Response

from assistplan.sandbox import scripted_model
from assistplan.sandbox.errors import SandboxError, invalid, invalid_type, invalid_value, missing_parameter
from assistplan.sandbox.routing import Call, post
from assistplan.sandbox.store import new_id
from assistplan.sandbox.validate import MISSING, array, boolean, field, number, obj, string

FIELDS = (
    "messages",
    "model",
    "audio",
    "frequency_penalty",
    "function_call",
    "functions",
    "logit_bias",
    "logprobs",
    "max_completion_tokens",
    "max_tokens",
    "metadata",
    "modalities",
    "moderation",
    "n",
    "parallel_tool_calls",
    "prediction",
    "presence_penalty",
    "prompt_cache_key",
    "prompt_cache_options",
    "prompt_cache_retention",
    "reasoning_effort",
    "response_format",
    "safety_identifier",
    "seed",
    "service_tier",
    "stop",
    "store",
    "stream",
    "stream_options",
    "temperature",
    "tool_choice",
    "tools",
    "top_logprobs",
    "top_p",
    "user",
    "verbosity",
    "web_search_options",
)
ROLES = ("system", "developer", "user", "assistant", "tool", "function")
TOOL_TYPES = ("function", "custom")
_PIECES = re.compile(r"\s*\S+\s*|\s+")


def _text(value: Any, param: str) -> str:
    """The text of a message's `content`: a string, or the `text` of its parts."""
    if value is None or isinstance(value, str):
        return value or ""
    if not isinstance(value, list):
        raise invalid_type(param, "a string or an array", value)
    texts = []
    for index, part in enumerate(value):
        spec = obj(part, f"{param}[{index}]")
        if spec.get("type") in ("text", "refusal"):
            texts.append(str(spec.get(spec["type"], "")))
    return "\n".join(texts)


def _conversation(value: Any) -> list[scripted_model.Message]:
    given = array({"messages": value}, "messages")
    if not given:
        raise invalid(
            "messages", "empty array. Expected an array with minimum length 1, but got an empty array instead."
        )
    called: dict[str, str] = {}
    conversation: list[scripted_model.Message] = []
    for index, item in enumerate(given):
        param = f"messages[{index}]"
        message = obj(item, param)
        role = field(message, "role", param, required=True)
        if role not in ROLES:
            raise invalid_value(f"{param}.role", role, ROLES)
        text = _text(message.get("content"), f"{param}.content")
        if role in ("system", "developer"):
            conversation.append(scripted_model.Message("system", text))
        elif role == "user":
            conversation.append(scripted_model.Message("user", text))
        elif role == "assistant":
            for position, tool_call in enumerate(array(message, "tool_calls", param, nullable=True) or []):
                spec = obj(tool_call, f"{param}.tool_calls[{position}]")
                function = spec.get("function")
                called[str(spec.get("id"))] = str(function.get("name", "")) if isinstance(function, dict) else ""
            conversation.append(scripted_model.Message("assistant", text))
        else:
            call_id = string(message, "tool_call_id", param, nullable=False) or message.get("name")
            if role == "tool" and call_id not in called:
                raise SandboxError(
                    400,
                    "Invalid parameter: messages with role 'tool' must be a response to a preceeding message with "
                    "'tool_calls'.",
                    param=f"{param}.role",
                )
            conversation.append(scripted_model.Message("tool", text, called.get(str(call_id), str(call_id))))
    return conversation


def _functions(value: Any) -> list[scripted_model.Function]:
    functions = []
    for index, item in enumerate(array({"tools": value}, "tools", max_items=128, nullable=True) or []):
        param = f"tools[{index}]"
        tool = obj(item, param)
        kind = field(tool, "type", param, required=True)
        if kind not in TOOL_TYPES:
            raise invalid_value(f"{param}.type", kind, TOOL_TYPES)
        if kind != "function":
            continue
        spec = obj(field(tool, "function", param, required=True), f"{param}.function")
        name = string(spec, "name", f"{param}.function", required=True, nullable=False)
        parameters = obj(spec.get("parameters") or {}, f"{param}.function.parameters")
        functions.append(scripted_model.Function(name, parameters, spec.get("strict") is True))
    return functions


def _tool_choice(value: Any, has_tools: bool) -> scripted_model.ToolChoice:
    if value is MISSING or value is None:
        return scripted_model.ToolChoice("auto" if has_tools else "none")
    if isinstance(value, str):
        if value not in ("none", "auto", "required"):
            raise invalid_value("tool_choice", value, ("none", "auto", "required"))
        return scripted_model.ToolChoice(value)
    spec = obj(value, "tool_choice")
    if spec.get("type") != "function":
        raise invalid_value("tool_choice.type", spec.get("type"), ("function",))
    function = obj(field(spec, "function", "tool_choice", required=True), "tool_choice.function")
    return scripted_model.ToolChoice("required", string(function, "name", "tool_choice.function", required=True))


def _usage(answer: scripted_model.Answer) -> dict[str, Any]:
    return {
        **answer.usage(),
        "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
        "completion_tokens_details": {
            "reasoning_tokens": 0,
            "audio_tokens": 0,
            "accepted_prediction_tokens": 0,
            "rejected_prediction_tokens": 0,
        },
    }


def _tool_calls(answer: scripted_model.Answer) -> list[dict[str, Any]]:
    return [
        {"id": new_id("call_"), "type": "function", "function": {"name": c.name, "arguments": c.arguments}}
        for c in answer.tool_calls
    ]


def _chunks(head: dict[str, Any], answer: scripted_model.Answer, n: int, include_usage: bool) -> Response:
    frames: list[dict[str, Any]] = []
    extra = {"usage": None} if include_usage else {}

    def chunk(index: int, delta: dict[str, Any], finish: str | None = None) -> None:
        choice = {"index": index, "delta": delta, "logprobs": None, "finish_reason": finish}
        frames.append({**head, "choices": [choice], **extra})

    for index in range(n):
        chunk(index, {"role": "assistant", "content": "", "refusal": None})
        if answer.text is not None:
            for piece in _PIECES.findall(answer.text):
                chunk(index, {"content": piece})
        for position, tool_call in enumerate(_tool_calls(answer)):
            opening = {**tool_call, "function": {"name": tool_call["function"]["name"], "arguments": ""}}
            chunk(index, {"tool_calls": [{"index": position, **opening}]})
            arguments = {"arguments": tool_call["function"]["arguments"]}
            chunk(index, {"tool_calls": [{"index": position, "function": arguments}]})
        chunk(index, {}, "stop" if answer.text is not None else "tool_calls")
    if include_usage:
        frames.append({**head, "choices": [], "usage": _usage(answer)})
    body = "".join(f"data: {json.dumps(frame, separators=(',', ':'))}\n\n" for frame in frames) + "data: [DONE]\n\n"
    return Response(body, media_type="text/event-stream", headers={"cache-control": "no-cache"})


def create(call: Call) -> dict[str, Any] | Response:
    body = call.body
    for key in body:
        if key not in FIELDS:
            raise SandboxError(400, f"Unrecognized request argument supplied: {key}")
    if not body.get("model"):
        raise SandboxError(400, "you must provide a model parameter")
    model = string(body, "model", nullable=False)
    if "messages" not in body:
        raise missing_parameter("messages")
    conversation = _conversation(body["messages"])
    functions = _functions(body.get("tools"))
    n = number(body, "n", integer=True, minimum=1, maximum=128)
    n = 1 if n in (MISSING, None) else int(n)
    parallel = boolean(body, "parallel_tool_calls")
    stream = boolean(body, "stream", nullable=True) is True
    options = body.get("stream_options")
    if options is not None and not stream:
        raise invalid("stream_options", "stream_options is only allowed when 'stream' is enabled.")
    if options is not None and not isinstance(options, dict):
        raise invalid_type("stream_options", "an object", options)
    answer = scripted_model.respond(
        call.store,
        conversation,
        functions,
        tool_choice=_tool_choice(field(body, "tool_choice"), bool(functions)),
        parallel_tool_calls=parallel is not False,
    )
    head = {
        "id": new_id("chatcmpl-", 29),
        "object": "chat.completion.chunk" if stream else "chat.completion",
        "created": call.timestamp,
        "model": model,
        "service_tier": "default",
        "system_fingerprint": None,
    }
    if stream:
        return _chunks(head, answer, n, bool((options or {}).get("include_usage")))
    message: dict[str, Any] = {"role": "assistant", "content": answer.text, "refusal": None, "annotations": []}
    if answer.text is None:
        message["tool_calls"] = _tool_calls(answer)
    finish = "stop" if answer.text is not None else "tool_calls"
    choices = [{"index": i, "message": message, "logprobs": None, "finish_reason": finish} for i in range(n)]
    return {**head, "choices": choices, "usage": _usage(answer)}


ROUTES = [post("/chat/completions", create)]
