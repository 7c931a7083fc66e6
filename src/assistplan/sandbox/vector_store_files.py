"""`/vector_stores/{id}/files`: attach (with `attributes`), list (`filter`), retrieve, update attributes, detach, and
the parsed content. Detaching leaves the uploaded file in place.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.responses import Response

from assistplan.sandbox import indexing
from assistplan.sandbox.errors import SandboxError, invalid_value
from assistplan.sandbox.routing import (
    ASSISTANTS_BETA,
    Call,
    ListQuery,
    delete,
    deleted,
    get,
    list_query,
    paginate,
    post,
)
from assistplan.sandbox.validate import attributes, field, only
from assistplan.sandbox.vector_stores import require_file, require_store

KIND = indexing.FILE_KIND


def require_attachment(call: Call) -> dict[str, Any]:
    store_id = require_store(call, call.params["vector_store_id"])["id"]
    file_id = call.params["file_id"]
    record = call.store.get(KIND, file_id, store_id)
    if record is None:
        raise SandboxError(404, f"No file found with id '{file_id}' in vector store '{store_id}'.")
    return record


def status_filter(call: Call) -> str | None:
    wanted = call.query.get("filter")
    if wanted is not None and wanted not in indexing.STATUSES:
        raise invalid_value("filter", wanted, indexing.STATUSES)
    return wanted


def list_page(
    call: Call, store_id: str, query: ListQuery, wanted: str | None, include: Callable[[dict[str, Any]], bool]
) -> dict[str, Any]:
    """A page of a store's files, restricted by `include` (on the stored record) and by status."""

    def view(record: dict[str, Any]) -> dict[str, Any] | None:
        if not include(record):
            return None
        shown = indexing.file_view(record, call.now)
        return shown if wanted is None or shown["status"] == wanted else None

    return paginate(call, KIND, query, parent=store_id, view=view)


def attach(call: Call) -> dict[str, Any]:
    store = require_store(call, call.params["vector_store_id"])
    body = call.body
    only(body, ("file_id", "attributes", "chunking_strategy"))
    file = require_file(call, field(body, "file_id", required=True), "file_id")
    record = indexing.attachment(
        call,
        store["id"],
        file,
        attributes(body.get("attributes")),
        indexing.chunking_strategy(field(body, "chunking_strategy")),
    )
    store["last_active_at"] = call.timestamp
    with call.store.transaction():
        call.store.put(KIND, record, store["id"])
        call.store.put("vector_store", store)
    return indexing.file_view(record, call.now)


def retrieve(call: Call) -> Response:
    record = require_attachment(call)
    return indexing.with_poll_hint(indexing.file_view(record, call.now), [record], call.now)


def update(call: Call) -> dict[str, Any]:
    record = require_attachment(call)
    only(call.body, ("attributes",))
    record["attributes"] = attributes(field(call.body, "attributes", required=True))
    call.store.put(KIND, record, record["vector_store_id"])
    return indexing.file_view(record, call.now)


def list_files(call: Call) -> dict[str, Any]:
    store_id = require_store(call, call.params["vector_store_id"])["id"]
    return list_page(call, store_id, list_query(call), status_filter(call), lambda record: True)


def detach(call: Call) -> dict[str, Any]:
    record = require_attachment(call)
    call.store.delete(KIND, record["id"], record["vector_store_id"])
    return deleted(record["id"], "vector_store.file.deleted")


def content(call: Call) -> dict[str, Any]:
    record = require_attachment(call)
    data = call.store.get_blob(record["id"]) or b""
    text = data.decode("utf-8", errors="replace")
    return {"object": "vector_store.file_content.page", "data": [{"type": "text", "text": text}], "has_more": False}


ROUTES = [
    post("/vector_stores/{vector_store_id}/files", attach, ASSISTANTS_BETA),
    get("/vector_stores/{vector_store_id}/files", list_files, ASSISTANTS_BETA),
    get("/vector_stores/{vector_store_id}/files/{file_id}", retrieve, ASSISTANTS_BETA),
    post("/vector_stores/{vector_store_id}/files/{file_id}", update, ASSISTANTS_BETA),
    delete("/vector_stores/{vector_store_id}/files/{file_id}", detach, ASSISTANTS_BETA),
    get("/vector_stores/{vector_store_id}/files/{file_id}/content", content, ASSISTANTS_BETA),
]
