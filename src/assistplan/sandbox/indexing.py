"""Simulated vector-store indexing: which files index, how long it takes, and the statuses and counts it implies.

Indexing is decided when a file is attached (its outcome and the moment it is done, `now + indexing_delay`) and
evaluated lazily whenever an object is read, so it needs no background work and survives restarts. A file whose
extension file_search does not support ends `failed` with `unsupported_file`; an empty file ends `failed` with
`invalid_file`; every other file ends `completed`. While files index, retrieving one (or its batch) answers with an
`openai-poll-after-ms` header, which the SDK's polling helpers follow.
"""

from __future__ import annotations

import math
from pathlib import PurePosixPath
from typing import Any

from starlette.responses import JSONResponse

from assistplan.sandbox.errors import invalid_value
from assistplan.sandbox.routing import Call, public
from assistplan.sandbox.validate import MISSING, field, in_range, number, obj, only

FILE_KIND = "vector_store.file"
STATUSES = ("in_progress", "completed", "failed", "cancelled")
SUPPORTED_EXTENSIONS = frozenset(
    {
        ".c", ".cpp", ".cs", ".css", ".doc", ".docx", ".go", ".html", ".java", ".js", ".json", ".md", ".pdf",
        ".php", ".pptx", ".py", ".rb", ".sh", ".tex", ".ts", ".txt",
    }
)  # fmt: skip


def default_chunking() -> dict[str, Any]:
    """What `{"type": "auto"}` (or no strategy) reads back as."""
    return {"type": "static", "static": {"max_chunk_size_tokens": 800, "chunk_overlap_tokens": 400}}


def chunking_strategy(value: Any, param: str = "chunking_strategy") -> dict[str, Any]:
    """Validate a requested chunking strategy and return it as the API reads it back (always `static`)."""
    if value is MISSING:
        return default_chunking()
    strategy = obj(value, param)
    kind = field(strategy, "type", param, required=True)
    if kind == "auto":
        only(strategy, ("type",), param)
        return default_chunking()
    if kind != "static":
        raise invalid_value(f"{param}.type", kind, ("auto", "static"))
    only(strategy, ("type", "static"), param)
    static = obj(field(strategy, "static", param, required=True), f"{param}.static")
    prefix = f"{param}.static"
    only(static, ("max_chunk_size_tokens", "chunk_overlap_tokens"), prefix)
    size = number(static, "max_chunk_size_tokens", prefix, integer=True, required=True, nullable=False)
    in_range(f"{prefix}.max_chunk_size_tokens", size, 100, 4096)
    overlap = number(static, "chunk_overlap_tokens", prefix, integer=True, required=True, nullable=False)
    in_range(f"{prefix}.chunk_overlap_tokens", overlap, 0, size // 2)
    return {"type": "static", "static": {"max_chunk_size_tokens": size, "chunk_overlap_tokens": overlap}}


def outcome(file: dict[str, Any]) -> tuple[str, dict[str, str] | None]:
    """How indexing this file ends: ("completed", None) or ("failed", last_error)."""
    extension = PurePosixPath(file["filename"]).suffix.lower()
    if extension not in SUPPORTED_EXTENSIONS:
        return "failed", {
            "code": "unsupported_file",
            "message": f"Files with extensions [{extension or 'none'}] are not supported for retrieval.",
        }
    if file["bytes"] == 0:
        return "failed", {"code": "invalid_file", "message": "The file is empty."}
    return "completed", None


def attachment(
    call: Call,
    store_id: str,
    file: dict[str, Any],
    attributes: dict[str, Any] | None,
    chunking: dict[str, Any],
    batch_id: str | None = None,
) -> dict[str, Any]:
    """The stored record of a file attached to a vector store, indexing from now."""
    status, error = outcome(file)
    return {
        "id": file["id"],
        "object": "vector_store.file",
        "created_at": call.timestamp,
        "vector_store_id": store_id,
        "attributes": attributes,
        "chunking_strategy": chunking,
        "_bytes": file["bytes"],
        "_outcome": status,
        "_error": error,
        "_ready_at": call.now + call.settings.indexing_delay,
        "_cancelled": False,
        "_batch_id": batch_id,
    }


def status_of(record: dict[str, Any], now: float) -> str:
    if record["_cancelled"]:
        return "cancelled"
    return "in_progress" if now < record["_ready_at"] else record["_outcome"]


def with_poll_hint(view: dict[str, Any], records: list[dict[str, Any]], now: float) -> JSONResponse:
    """`view` as a response telling pollers when the first of `records` still indexing will be done."""
    pending = [record["_ready_at"] - now for record in records if status_of(record, now) == "in_progress"]
    headers = {"openai-poll-after-ms": str(min(1000, max(10, math.ceil(min(pending) * 1000))))} if pending else None
    return JSONResponse(view, headers=headers)


def file_view(record: dict[str, Any], now: float) -> dict[str, Any]:
    status = status_of(record, now)
    view = public(record)
    view["status"] = status
    view["usage_bytes"] = record["_bytes"] if status == "completed" else 0
    view["last_error"] = record["_error"] if status == "failed" else None
    return view


def file_counts(records: list[dict[str, Any]], now: float) -> dict[str, int]:
    counts = dict.fromkeys(STATUSES, 0)
    for record in records:
        counts[status_of(record, now)] += 1
    counts["total"] = len(records)
    return counts


def store_view(call: Call, body: dict[str, Any]) -> dict[str, Any]:
    """A vector store with its status, usage and file counts computed from its files."""
    records = call.store.children(FILE_KIND, body["id"])
    counts = file_counts(records, call.now)
    view = public(body)
    expires_after = body["expires_after"]
    view["expires_at"] = body["last_active_at"] + expires_after["days"] * 86400 if expires_after else None
    if view["expires_at"] is not None and view["expires_at"] <= call.now:
        view["status"] = "expired"
    else:
        view["status"] = "in_progress" if counts["in_progress"] else "completed"
    view["file_counts"] = counts
    view["usage_bytes"] = sum(record["_bytes"] for record in records if status_of(record, call.now) == "completed")
    return view


def batch_records(call: Call, batch: dict[str, Any]) -> list[dict[str, Any]]:
    return [r for r in call.store.children(FILE_KIND, batch["vector_store_id"]) if r["_batch_id"] == batch["id"]]


def batch_view(call: Call, batch: dict[str, Any]) -> dict[str, Any]:
    records = batch_records(call, batch)
    counts = file_counts(records, call.now)
    view = public(batch)
    view["file_counts"] = counts
    if batch["_cancelled"]:
        view["status"] = "cancelled"
    else:
        view["status"] = "in_progress" if counts["in_progress"] else "completed"
    return view
