"""`/threads/{thread_id}/messages` (Assistants API v2): create, list, retrieve, update (metadata), delete.

A message's `content` is given as a string or as parts (`text`, `image_file`, `image_url`) and reads back as parts,
a text as `{"type": "text", "text": {"value", "annotations": []}}`. Lists are newest first by default and take
`after`, `before`, `limit`, `order` and `run_id`. While a run of the thread is active (queued, in progress, waiting
for tool outputs or cancelling) no message can be added to it.
"""

from __future__ import annotations

from typing import Any

from assistplan.sandbox import scripted_model
from assistplan.sandbox.errors import SandboxError, invalid_type, invalid_value, missing_parameter, not_found
from assistplan.sandbox.routing import ASSISTANTS_BETA, Call, delete, deleted, get, list_query, paginate, post
from assistplan.sandbox.store import new_id
from assistplan.sandbox.validate import array, choice, field, metadata, obj, only, string

KIND = "thread.message"
THREAD = "thread"
RUN = "thread.run"
FIELDS = ("role", "content", "attachments", "metadata")
ACTIVE = ("queued", "in_progress", "requires_action", "cancelling")
PART_TYPES = ("text", "image_file", "image_url")


def text_part(text: str) -> dict[str, Any]:
    return {"type": "text", "text": {"value": text, "annotations": []}}


def _part(value: Any, param: str) -> dict[str, Any]:
    part = obj(value, param)
    kind = field(part, "type", param, required=True)
    if kind not in PART_TYPES:
        raise invalid_value(f"{param}.type", kind, PART_TYPES)
    only(part, ("type", kind), param)
    if kind == "text":
        return text_part(string(part, "text", param, required=True, nullable=False))
    detail_param = f"{param}.{kind}"
    spec = obj(field(part, kind, param, required=True), detail_param)
    key = "file_id" if kind == "image_file" else "url"
    only(spec, (key, "detail"), detail_param)
    resolved = {key: string(spec, key, detail_param, required=True, nullable=False)}
    detail = choice(spec, "detail", ("auto", "low", "high"), detail_param, nullable=False)
    resolved["detail"] = detail or "auto"
    return {"type": kind, kind: resolved}


def content(value: Any, param: str) -> list[dict[str, Any]]:
    if isinstance(value, str):
        return [text_part(value)]
    if not isinstance(value, list):
        raise invalid_type(param, "a string or an array", value)
    parts = value
    if not parts:
        raise SandboxError(
            400, f"Invalid '{param}': empty array. Expected an array with minimum length 1.", param=param
        )
    return [_part(part, f"{param}[{index}]") for index, part in enumerate(parts)]


def text_of(message: dict[str, Any]) -> str:
    return "\n".join(part["text"]["value"] for part in message["content"] if part["type"] == "text")


def conversation(call: Call, thread_id: str) -> list[scripted_model.Message]:
    """The thread's messages, oldest first, as the scripted model reads them."""
    return [scripted_model.Message(m["role"], text_of(m)) for m in call.store.children(KIND, thread_id)]


def new_message(call: Call, thread_id: str, body: dict[str, Any], param: str = "") -> dict[str, Any]:
    """Validate a message given on a create call (`param` prefixes field names) and store it."""
    prefix = param
    only(body, FIELDS, prefix)
    role = field(body, "role", prefix, required=True)
    if role not in ("user", "assistant"):
        raise invalid_value(f"{prefix}.role" if prefix else "role", role, ("user", "assistant"))
    if "content" not in body:
        raise missing_parameter(f"{prefix}.content" if prefix else "content")
    attachments = array(body, "attachments", prefix, nullable=True)
    message = {
        "id": new_id("msg_"),
        "object": KIND,
        "created_at": call.timestamp,
        "assistant_id": None,
        "thread_id": thread_id,
        "run_id": None,
        "role": role,
        "content": content(body["content"], f"{prefix}.content" if prefix else "content"),
        "attachments": list(attachments or []),
        "metadata": metadata(body.get("metadata"), f"{prefix}.metadata" if prefix else "metadata"),
        "status": "completed",
        "completed_at": None,
        "incomplete_at": None,
        "incomplete_details": None,
    }
    call.store.put(KIND, message, parent=thread_id)
    return message


def require_thread(call: Call) -> dict[str, Any]:
    thread = call.store.get(THREAD, call.params["thread_id"])
    if thread is None:
        raise not_found("thread", call.params["thread_id"])
    return thread


def active_run(call: Call, thread_id: str) -> dict[str, Any] | None:
    return next((run for run in call.store.children(RUN, thread_id) if run["status"] in ACTIVE), None)


def create(call: Call) -> dict[str, Any]:
    thread_id = require_thread(call)["id"]
    running = active_run(call, thread_id)
    if running is not None:
        raise SandboxError(
            400, f"Can't add messages to {thread_id} while a run {running['id']} is active.", param="thread_id"
        )
    return new_message(call, thread_id, call.body)


def require(call: Call) -> dict[str, Any]:
    thread_id = require_thread(call)["id"]
    message = call.store.get(KIND, call.params["message_id"], parent=thread_id)
    if message is None:
        raise not_found("message", call.params["message_id"])
    return message


def update(call: Call) -> dict[str, Any]:
    message = require(call)
    only(call.body, ("metadata",))
    if "metadata" in call.body:
        message["metadata"] = metadata(call.body["metadata"])
    call.store.put(KIND, message, parent=message["thread_id"])
    return message


def list_messages(call: Call) -> dict[str, Any]:
    thread_id = require_thread(call)["id"]
    run_id = call.query.get("run_id")
    return paginate(
        call,
        KIND,
        list_query(call),
        parent=thread_id,
        view=lambda message: message if run_id is None or message["run_id"] == run_id else None,
    )


def remove(call: Call) -> dict[str, Any]:
    message = require(call)
    call.store.delete(KIND, message["id"], parent=message["thread_id"])
    return deleted(message["id"], "thread.message.deleted")


ROUTES = [
    post("/threads/{thread_id}/messages", create, ASSISTANTS_BETA),
    get("/threads/{thread_id}/messages", list_messages, ASSISTANTS_BETA),
    get("/threads/{thread_id}/messages/{message_id}", require, ASSISTANTS_BETA),
    post("/threads/{thread_id}/messages/{message_id}", update, ASSISTANTS_BETA),
    delete("/threads/{thread_id}/messages/{message_id}", remove, ASSISTANTS_BETA),
]
