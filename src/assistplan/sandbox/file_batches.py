"""`/vector_stores/{id}/file_batches`: attach many files at once (`file_ids` or per-file `files`), retrieve, cancel
and list the batch's files. A batch's counts and status are computed from the files it attached.
"""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from assistplan.sandbox import indexing
from assistplan.sandbox.errors import SandboxError, missing_parameter, not_found
from assistplan.sandbox.routing import ASSISTANTS_BETA, Call, get, list_query, post
from assistplan.sandbox.store import new_id
from assistplan.sandbox.validate import MISSING, array, attributes, field, join, obj, only, string_list
from assistplan.sandbox.vector_store_files import list_page, status_filter
from assistplan.sandbox.vector_stores import BATCH_KIND, require_file, require_store

MAX_FILES = 2000


def require_batch(call: Call) -> dict[str, Any]:
    store_id = require_store(call, call.params["vector_store_id"])["id"]
    batch = call.store.get(BATCH_KIND, call.params["batch_id"], store_id)
    if batch is None:
        raise not_found("vector store file batch", call.params["batch_id"])
    return batch


def _requested(call: Call) -> list[tuple[Any, Any, Any, str, str]]:
    """(file_id, attributes, chunking_strategy, file_id param, settings prefix) for each file the request names."""
    body = call.body
    only(body, ("file_ids", "files", "attributes", "chunking_strategy"))
    file_ids = string_list(body, "file_ids", max_items=MAX_FILES)
    files = array(body, "files", max_items=MAX_FILES)
    if file_ids is not MISSING and files is not MISSING:
        raise SandboxError(400, "'file_ids' and 'files' are mutually exclusive: provide only one.", param="files")
    if files is not MISSING:
        requested = []
        for index, item in enumerate(files):
            param = f"files[{index}]"
            entry = obj(item, param)
            only(entry, ("file_id", "attributes", "chunking_strategy"), param)
            file_id = field(entry, "file_id", param, required=True)
            settings = (entry.get("attributes"), field(entry, "chunking_strategy"))
            requested.append((file_id, *settings, f"{param}.file_id", param))
        return requested
    if file_ids is MISSING:
        raise missing_parameter("file_ids")
    shared = (body.get("attributes"), field(body, "chunking_strategy"))
    return [(file_id, *shared, f"file_ids[{index}]", "") for index, file_id in enumerate(file_ids)]


def create(call: Call) -> dict[str, Any]:
    store = require_store(call, call.params["vector_store_id"])
    batch = {
        "id": new_id("vsfb_", 32),
        "object": "vector_store.files_batch",
        "created_at": call.timestamp,
        "vector_store_id": store["id"],
        "_cancelled": False,
    }
    records = []
    for file_id, attrs, chunking, param, prefix in _requested(call):
        file = require_file(call, file_id, param)
        record = indexing.attachment(
            call,
            store["id"],
            file,
            attributes(attrs, join(prefix, "attributes")),
            indexing.chunking_strategy(chunking, join(prefix, "chunking_strategy")),
            batch["id"],
        )
        records.append(record)
    store["last_active_at"] = call.timestamp
    with call.store.transaction():
        call.store.put(BATCH_KIND, batch, store["id"])
        for record in records:
            call.store.put(indexing.FILE_KIND, record, store["id"])
        call.store.put("vector_store", store)
    return indexing.batch_view(call, batch)


def retrieve(call: Call) -> Response:
    batch = require_batch(call)
    return indexing.with_poll_hint(indexing.batch_view(call, batch), indexing.batch_records(call, batch), call.now)


def cancel(call: Call) -> dict[str, Any]:
    batch = require_batch(call)
    only(call.body, ())
    store_id = batch["vector_store_id"]
    with call.store.transaction():
        pending = [
            record
            for record in call.store.children(indexing.FILE_KIND, store_id)
            if record["_batch_id"] == batch["id"] and indexing.status_of(record, call.now) == "in_progress"
        ]
        for record in pending:
            record["_cancelled"] = True
            call.store.put(indexing.FILE_KIND, record, store_id)
        if pending:
            batch["_cancelled"] = True
            call.store.put(BATCH_KIND, batch, store_id)
    return indexing.batch_view(call, batch)


def list_files(call: Call) -> dict[str, Any]:
    batch = require_batch(call)
    return list_page(
        call,
        batch["vector_store_id"],
        list_query(call),
        status_filter(call),
        lambda record: record["_batch_id"] == batch["id"],
    )


ROUTES = [
    post("/vector_stores/{vector_store_id}/file_batches", create, ASSISTANTS_BETA),
    get("/vector_stores/{vector_store_id}/file_batches/{batch_id}", retrieve, ASSISTANTS_BETA),
    post("/vector_stores/{vector_store_id}/file_batches/{batch_id}/cancel", cancel, ASSISTANTS_BETA),
    get("/vector_stores/{vector_store_id}/file_batches/{batch_id}/files", list_files, ASSISTANTS_BETA),
]
