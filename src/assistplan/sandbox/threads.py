"""`/threads` (Assistants API v2): create (with initial `messages`, `metadata`, `tool_resources`), retrieve, update
(`metadata`, `tool_resources`), delete (with its messages, runs and run steps).

A thread reads back with `metadata` and `tool_resources` as `{}` when none were given. Threads have no list endpoint.
"""

from __future__ import annotations

from typing import Any

from assistplan.sandbox import assistants, messages
from assistplan.sandbox.routing import ASSISTANTS_BETA, Call, delete, deleted, get, post
from assistplan.sandbox.store import new_id
from assistplan.sandbox.validate import array, metadata, obj, only

KIND = messages.THREAD
FIELDS = ("messages", "metadata", "tool_resources")


def new_thread(call: Call, body: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """Validate a thread given on a create call (`prefix` names it inside a bigger body) and store it."""
    only(body, FIELDS, prefix)
    given = array(body, "messages", prefix, nullable=True) or []
    thread: dict[str, Any] = {
        "id": new_id("thread_"),
        "object": "thread",
        "created_at": call.timestamp,
        "metadata": metadata(body.get("metadata"), f"{prefix}.metadata" if prefix else "metadata"),
        "tool_resources": assistants.tool_resources(call, body.get("tool_resources"), creating=True),
    }
    with call.store.transaction():
        call.store.put(KIND, thread)
        for index, message in enumerate(given):
            param = f"{prefix}.messages[{index}]" if prefix else f"messages[{index}]"
            messages.new_message(call, thread["id"], obj(message, param), param)
    return thread


def create(call: Call) -> dict[str, Any]:
    return new_thread(call, call.body)


def update(call: Call) -> dict[str, Any]:
    thread = messages.require_thread(call)
    only(call.body, ("metadata", "tool_resources"))
    if "metadata" in call.body:
        thread["metadata"] = metadata(call.body["metadata"])
    if "tool_resources" in call.body:
        resources = assistants.tool_resources(call, call.body["tool_resources"], creating=False)
        thread["tool_resources"] = {**thread["tool_resources"], **resources} if call.body["tool_resources"] else {}
    call.store.put(KIND, thread)
    return thread


def remove(call: Call) -> dict[str, Any]:
    thread_id = messages.require_thread(call)["id"]
    with call.store.transaction():
        for run in call.store.children(messages.RUN, thread_id):
            call.store.delete_children("thread.run.step", run["id"])
        call.store.delete_children(messages.RUN, thread_id)
        call.store.delete_children(messages.KIND, thread_id)
        call.store.delete(KIND, thread_id)
    return deleted(thread_id, "thread.deleted")


ROUTES = [
    post("/threads", create, ASSISTANTS_BETA),
    get("/threads/{thread_id}", messages.require_thread, ASSISTANTS_BETA),
    post("/threads/{thread_id}", update, ASSISTANTS_BETA),
    delete("/threads/{thread_id}", remove, ASSISTANTS_BETA),
]
