"""`/files`: multipart upload, list, retrieve, delete and content. Files carry no metadata and cannot be updated."""

from __future__ import annotations

from typing import Any

from starlette.datastructures import UploadFile
from starlette.responses import Response

from assistplan.sandbox.errors import SandboxError, invalid_type, invalid_value, missing_parameter, unknown_parameter
from assistplan.sandbox.routing import Call, Route, delete, deleted, get, list_query, paginate
from assistplan.sandbox.store import new_id
from assistplan.sandbox.validate import in_range

KIND = "file"
PURPOSES = ("assistants", "batch", "fine-tune", "vision", "user_data", "evals")
FORM_FIELDS = frozenset({"file", "purpose", "expires_after[anchor]", "expires_after[seconds]"})
BATCH_LIFETIME = 30 * 24 * 3600


def file_not_found(file_id: str) -> SandboxError:
    return SandboxError(404, f"No such File object: {file_id}", param="id")


def live_file(call: Call, file_id: str) -> dict[str, Any] | None:
    """The file with this id unless it is missing or past its `expires_at`."""
    body = call.store.get(KIND, file_id)
    if body is None or (body["expires_at"] is not None and body["expires_at"] <= call.now):
        return None
    return body


def _require(call: Call) -> dict[str, Any]:
    body = live_file(call, call.params["file_id"])
    if body is None:
        raise file_not_found(call.params["file_id"])
    return body


def _form_text(call: Call, name: str) -> str | None:
    assert call.form is not None
    value = call.form.get(name)
    if value is None or isinstance(value, str):
        return value
    raise invalid_type(name, "a string", {})


def _expires_at(call: Call, purpose: str, created_at: int) -> int | None:
    anchor = _form_text(call, "expires_after[anchor]")
    seconds = _form_text(call, "expires_after[seconds]")
    if anchor is None and seconds is None:
        return created_at + BATCH_LIFETIME if purpose == "batch" else None
    if anchor is None:
        raise missing_parameter("expires_after.anchor")
    if seconds is None:
        raise missing_parameter("expires_after.seconds")
    if anchor != "created_at":
        raise invalid_value("expires_after.anchor", anchor, ("created_at",))
    try:
        lifetime = int(seconds)
    except ValueError:
        raise invalid_type("expires_after.seconds", "an integer", seconds) from None
    return created_at + int(in_range("expires_after.seconds", lifetime, 3600, 2592000))


def upload(call: Call) -> dict[str, Any]:
    assert call.form is not None
    for name in call.form:
        if name not in FORM_FIELDS:
            raise unknown_parameter(name)
    purpose = _form_text(call, "purpose")
    if purpose is None:
        raise missing_parameter("purpose")
    if purpose not in PURPOSES:
        raise invalid_value("purpose", purpose, PURPOSES)
    uploaded = call.form.get("file")
    if uploaded is None:
        raise missing_parameter("file")
    if not isinstance(uploaded, UploadFile):
        raise invalid_type("file", "a file", uploaded)
    data = uploaded.file.read()
    body: dict[str, Any] = {
        "id": new_id("file-", 22),
        "object": "file",
        "bytes": len(data),
        "created_at": call.timestamp,
        "filename": uploaded.filename or "upload",
        "purpose": purpose,
        "status": "processed",
        "expires_at": _expires_at(call, purpose, call.timestamp),
        "status_details": None,
    }
    with call.store.transaction():
        call.store.put_blob(body["id"], data)
        call.store.put(KIND, body)
    return body


def retrieve(call: Call) -> dict[str, Any]:
    return _require(call)


def list_files(call: Call) -> dict[str, Any]:
    query = list_query(call, default_limit=10_000, max_limit=10_000, before=False)
    purpose = call.query.get("purpose")

    def view(body: dict[str, Any]) -> dict[str, Any] | None:
        expired = body["expires_at"] is not None and body["expires_at"] <= call.now
        return None if expired or (purpose is not None and body["purpose"] != purpose) else body

    return paginate(call, KIND, query, view=view)


def remove(call: Call) -> dict[str, Any]:
    file_id = _require(call)["id"]
    with call.store.transaction():
        for store_id in call.store.parents_of("vector_store.file", file_id):
            call.store.delete("vector_store.file", file_id, store_id)
        call.store.delete(KIND, file_id)
        call.store.delete_blob(file_id)
    return deleted(file_id, "file")


def content(call: Call) -> Response:
    body = _require(call)
    data = call.store.get_blob(body["id"]) or b""
    return Response(data, media_type="application/octet-stream")


ROUTES = [
    Route("POST", "/files", upload, body="multipart"),
    get("/files", list_files),
    get("/files/{file_id}", retrieve),
    delete("/files/{file_id}", remove),
    get("/files/{file_id}/content", content),
]
