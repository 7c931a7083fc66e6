"""Content-addressed file blobs: the OpenAI files of a project, named so that they can be found again.

Files carry no metadata, so a blob's identity lives in its remote filename, `ap.<project>.<sha256 prefix>.<path>`
(the path percent-encoded). A blob is keyed by (sha256, path): unchanged content is never uploaded again, even when
the state file is lost, and an upload whose response was lost is found by name instead of being repeated.
"""

from __future__ import annotations

import hashlib
import threading
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, unquote

from assistplan.addrs import Address
from assistplan.errors import NotFoundError, PlanError
from assistplan.providers.openai import OpenAIApi, call, collection, create_safely

if TYPE_CHECKING:
    from assistplan.kinds.base import Inventory

SHA_CHARS = 32
PREFIX = "ap"
LIST_PAGE = {"limit": "10000"}
"""The files listing takes pages of up to 10,000."""
POOL = "openai.blobs"
"""The key of the project's blob pool in `Inventory.shared` (the File kind's refresh puts it there)."""


@dataclass(frozen=True)
class Blob:
    id: str
    project: str
    sha256: str
    path: str
    size: int
    purpose: str


def blob_filename(project: str, sha256: str, path: str) -> str:
    return f"{PREFIX}.{project}.{sha256[:SHA_CHARS]}.{quote(path, safe='')}"


def parse_blob(raw: dict[str, Any]) -> Blob | None:
    """The blob a listed file is, or None when it is not one of assistplan's."""
    parts = str(raw.get("filename", "")).split(".", 3)
    if len(parts) != 4 or parts[0] != PREFIX or len(parts[2]) != SHA_CHARS:
        return None
    return Blob(
        id=raw["id"],
        project=parts[1],
        sha256=parts[2],
        path=unquote(parts[3]),
        size=int(raw.get("bytes") or 0),
        purpose=str(raw.get("purpose", "")),
    )


def file_entry(sha256: str, size: int) -> dict[str, Any]:
    """How a file appears in a normalized spec's `files` map."""
    return {"sha256": sha256[:SHA_CHARS], "size": size}


def existing_entries(file_ids: list[str]) -> dict[str, Any]:
    """How files uploaded outside assistplan (`existing_files`) appear in a normalized spec's `files` map: by id, as
    a live object's unknown uploads are read back."""
    return {f"<{file_id}>": {"file_id": file_id} for file_id in file_ids}


def pool_of(inventory: Inventory) -> BlobPool | None:
    """The blob pool the refresh found (None when no kind that reads it was refreshed)."""
    pool: BlobPool | None = inventory.shared.get(POOL)
    return pool


def require_pool(inventory: Inventory) -> BlobPool:
    """The blob pool, for a kind that matches, uploads or deletes files (the File kind is refreshed whenever such a
    kind is). During an apply it offers none of the uploads the apply deletes (`Inventory.deleting`)."""
    pool = pool_of(inventory)
    if pool is None:
        raise RuntimeError("the File kind was not refreshed: the pool of uploads is missing")
    pool.retire(inventory.deleting)
    return pool


def file_refs(spec: Any) -> set[tuple[str, str]]:
    """Every (sha256, path) a normalized spec refers to: entries of `files` maps, and a File's own content."""
    refs: set[tuple[str, str]] = set()
    if isinstance(spec, dict):
        if isinstance(spec.get("path"), str) and isinstance(spec.get("sha256"), str):
            refs.add((spec["sha256"][:SHA_CHARS], spec["path"]))
        for key, value in spec.items():
            if key == "files" and isinstance(value, dict):
                refs |= {
                    (e["sha256"][:SHA_CHARS], p) for p, e in value.items() if isinstance(e, dict) and "sha256" in e
                }
            else:
                refs |= file_refs(value)
    elif isinstance(spec, list):
        for item in spec:
            refs |= file_refs(item)
    return refs


@dataclass
class BlobPool:
    """The project's blobs by id and by (sha256, path); uploads missing ones exactly once."""

    project: str
    by_id: dict[str, Blob] = field(default_factory=dict)
    others: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Every other listed file by id, as listed: uploaded outside assistplan, or by another project (what a File
    given by id, `existing`, is)."""
    _copies: dict[tuple[str, str, str], list[Blob]] = field(default_factory=dict)
    """Every blob of a (sha256, path, purpose), in the order they were listed or uploaded: the first not retired is
    offered."""
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _key_locks: dict[tuple[str, str, str], threading.Lock] = field(default_factory=dict)
    _retired: frozenset[str] = frozenset()

    def __getstate__(self) -> dict[str, Any]:
        """Pickled without its locks (an early refresh run in a child process hands its pool back pickled)."""
        with self._lock:
            return {key: value for key, value in vars(self).items() if key not in ("_lock", "_key_locks")}

    def __setstate__(self, state: dict[str, Any]) -> None:
        vars(self).update(state, _lock=threading.Lock(), _key_locks={})

    @classmethod
    def refresh(cls, provider: OpenAIApi, project: str) -> BlobPool:
        pool = cls(project)
        for item in provider.list_objects("/files", params=LIST_PAGE, address=None, operation="list files"):
            blob = parse_blob(item)
            if blob is not None and blob.project == project:
                pool.add(blob)
            else:
                pool.others[item["id"]] = item
        return pool

    def add(self, blob: Blob) -> None:
        with self._lock:
            if blob.id in self.by_id:
                return
            self.by_id[blob.id] = blob
            self._copies.setdefault((blob.sha256, blob.path, blob.purpose), []).append(blob)

    def retire(self, blob_ids: frozenset[str]) -> None:
        """Offer none of these blobs, which are about to be deleted: a copy that stays takes their place for new
        uploads."""
        with self._lock:
            self._retired = blob_ids

    def find(self, sha256: str, path: str, purpose: str) -> Blob | None:
        with self._lock:
            copies = self._copies.get((sha256[:SHA_CHARS], path, purpose), ())
            return next((blob for blob in copies if blob.id not in self._retired), None)

    def ensure(
        self, provider: OpenAIApi, root: Path, path: str, entry: dict[str, Any], purpose: str, address: str
    ) -> Blob:
        """The blob for a local file, uploading it when the project has no blob of that content and path yet."""
        key = (entry["sha256"][:SHA_CHARS], path, purpose)
        with self._lock:
            key_lock = self._key_locks.setdefault(key, threading.Lock())
        with key_lock:
            existing = self.find(entry["sha256"], path, purpose)
            if existing is not None:
                return existing
            content = _read_checked(root, path, entry["sha256"])
            name = blob_filename(self.project, entry["sha256"], path)

            def find_existing() -> Any:
                for item in provider.client.files.list(purpose=purpose, limit=10_000):
                    if item.filename == name:
                        return item
                return None

            created = create_safely(
                provider,
                address=address,
                create=lambda client: client.files.create(file=(name, content), purpose=purpose),  # type: ignore[arg-type]
                find_existing=find_existing,
                operation=f"upload {path}",
            )
            blob = parse_blob(created.model_dump())
            if blob is None:
                raise PlanError(f"{address}: the uploaded file {path} came back without its name")
            self.add(blob)
            return blob

    def delete(self, provider: OpenAIApi, blob_id: str, address: Address) -> None:
        """Delete a blob; one already gone counts as deleted."""
        with suppress(NotFoundError):
            call(lambda: provider.client.files.delete(blob_id), address=address, operation="delete file")
        with self._lock:
            blob = self.by_id.pop(blob_id, None)
            if blob is not None:
                self._copies[(blob.sha256, blob.path, blob.purpose)].remove(blob)


def _read_checked(root: Path, path: str, sha256: str) -> bytes:
    content = (root / path).read_bytes()
    actual = hashlib.sha256(content).hexdigest()
    if not actual.startswith(sha256[:SHA_CHARS]):
        raise PlanError(f"{path} changed after the plan was made (sha256 {actual[:12]}, planned {sha256[:12]})")
    return content


collection("/files", two_ended=True)
