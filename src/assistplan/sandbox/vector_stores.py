"""`/vector_stores`: create (optionally with `file_ids`), retrieve, update, list and delete.

`description` is accepted on create and kept, but, as in the SDK's model, never shown. Status, usage and file counts
are computed from the store's files (see `indexing`).
"""

from __future__ import annotations

from typing import Any

from assistplan.sandbox import indexing
from assistplan.sandbox.errors import invalid_type, invalid_value, not_found
from assistplan.sandbox.files import live_file
from assistplan.sandbox.routing import (
    ASSISTANTS_BETA,
    Call,
    delete,
    deleted,
    get,
    list_query,
    paginate,
    post,
)
from assistplan.sandbox.store import new_id
from assistplan.sandbox.validate import MISSING, field, metadata, number, obj, only, string, string_list

KIND = "vector_store"
BATCH_KIND = "vector_store.file_batch"


def require_store(call: Call, store_id: str) -> dict[str, Any]:
    body = call.store.get(KIND, store_id)
    if body is None:
        raise not_found("vector store", store_id)
    return body


def require_file(call: Call, file_id: Any, param: str) -> dict[str, Any]:
    """The uploaded file a request refers to, or the 404 naming the field that refers to it."""
    if not isinstance(file_id, str):
        raise invalid_type(param, "a string", file_id)
    file = live_file(call, file_id)
    if file is None:
        raise not_found("file", file_id, param=param)
    return file


def _expires_after(value: Any) -> dict[str, Any] | None:
    if value is None:
        return None
    policy = obj(value, "expires_after")
    only(policy, ("anchor", "days"), "expires_after")
    anchor = field(policy, "anchor", "expires_after", required=True)
    if anchor != "last_active_at":
        raise invalid_value("expires_after.anchor", anchor, ("last_active_at",))
    days = number(policy, "days", "expires_after", integer=True, required=True, nullable=False, minimum=1, maximum=365)
    return {"anchor": anchor, "days": days}


def new_store(
    call: Call,
    *,
    name: str,
    files: list[dict[str, Any]],
    chunking: dict[str, Any],
    metadata: dict[str, str],
    expires_after: dict[str, Any] | None = None,
    description: str | None = None,
) -> dict[str, Any]:
    """Create and save a vector store holding `files` (used by `POST /vector_stores` and the assistants helper)."""
    store: dict[str, Any] = {
        "id": new_id("vs_"),
        "object": "vector_store",
        "created_at": call.timestamp,
        "name": name,
        "last_active_at": call.timestamp,
        "metadata": metadata,
        "expires_after": expires_after,
        "_description": description,
    }
    with call.store.transaction():
        call.store.put(KIND, store)
        for file in files:
            record = indexing.attachment(call, store["id"], file, None, chunking)
            call.store.put(indexing.FILE_KIND, record, store["id"])
    return store


def create(call: Call) -> dict[str, Any]:
    body = call.body
    only(body, ("name", "description", "file_ids", "chunking_strategy", "expires_after", "metadata"))
    name = string(body, "name")
    description = string(body, "description", max_length=512)
    file_ids = string_list(body, "file_ids", max_items=2000)
    store = new_store(
        call,
        name=name if isinstance(name, str) else "",
        files=[require_file(call, file_id, f"file_ids[{i}]") for i, file_id in enumerate(file_ids or [])],
        chunking=indexing.chunking_strategy(field(body, "chunking_strategy")),
        metadata=metadata(body.get("metadata")),
        expires_after=_expires_after(body.get("expires_after")),
        description=description if isinstance(description, str) else None,
    )
    return indexing.store_view(call, store)


def retrieve(call: Call) -> dict[str, Any]:
    return indexing.store_view(call, require_store(call, call.params["vector_store_id"]))


def update(call: Call) -> dict[str, Any]:
    store = require_store(call, call.params["vector_store_id"])
    body = call.body
    only(body, ("name", "expires_after", "metadata"))
    name = string(body, "name")
    if name is not MISSING:
        store["name"] = name or ""
    if "expires_after" in body:
        store["expires_after"] = _expires_after(body["expires_after"])
    if "metadata" in body:
        store["metadata"] = metadata(body["metadata"])
    store["last_active_at"] = call.timestamp
    call.store.put(KIND, store)
    return indexing.store_view(call, store)


def list_stores(call: Call) -> dict[str, Any]:
    return paginate(call, KIND, list_query(call), view=lambda body: indexing.store_view(call, body))


def remove(call: Call) -> dict[str, Any]:
    store_id = require_store(call, call.params["vector_store_id"])["id"]
    with call.store.transaction():
        call.store.delete_children(indexing.FILE_KIND, store_id)
        call.store.delete_children(BATCH_KIND, store_id)
        call.store.delete(KIND, store_id)
    return deleted(store_id, "vector_store.deleted")


ROUTES = [
    post("/vector_stores", create, ASSISTANTS_BETA),
    get("/vector_stores", list_stores, ASSISTANTS_BETA),
    get("/vector_stores/{vector_store_id}", retrieve, ASSISTANTS_BETA),
    post("/vector_stores/{vector_store_id}", update, ASSISTANTS_BETA),
    delete("/vector_stores/{vector_store_id}", remove, ASSISTANTS_BETA),
]
