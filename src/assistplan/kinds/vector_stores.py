"""VectorStore: an OpenAI vector store and its file attachments, waited on until indexed.

Attachments carry `attributes` naming the project, the file's path and its content hash, so membership is read back
as `{path: {sha256, size}}`. Chunking reads back as static 800/400 when `auto` was asked for; description and
chunking are create-only and force a replacement. The API does not return `description`, and chunking shows only on
attached files: normalize leaves out what it cannot read, and the planner takes it as applied (see plan.matching).
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import suppress
from typing import Any

from assistplan.addrs import Address
from assistplan.errors import NotFoundError, ProviderError
from assistplan.kinds.base import (
    Applied,
    DesireContext,
    Inventory,
    Kind,
    LiveObject,
    OpenAIContext,
    PartialApplyError,
    SharedContent,
    Spec,
    find_stamped,
    owned_objects,
    register,
    user_metadata,
)
from assistplan.kinds.blobs import existing_entries, file_entry, file_refs, pool_of, require_pool
from assistplan.kinds.exporting import ExportContext, Exported
from assistplan.manifest.models import VectorStoreSpec
from assistplan.manifest.project import Resource
from assistplan.providers.openai import OpenAIApi, call, collection, create_safely
from assistplan.redact import scrub

AUTO_CHUNKING = {"max_chunk_size_tokens": 800, "chunk_overlap_tokens": 400}
ATTR_PROJECT = "assistplan:project"
ATTR_PATH = "assistplan:path"
ATTR_SHA = "assistplan:sha256"
PURPOSE = "assistants"
POLL_SECONDS = 0.2
INDEX_TIMEOUT_SECONDS = 1800.0


class VectorStoreKind(Kind):
    kind = "VectorStore"
    spec_model = VectorStoreSpec
    reads = ("File",)
    fields_in_labels = True
    replace_paths = frozenset({"description", "chunking"})

    def desired(self, resource: Resource, ctx: DesireContext) -> Spec:
        spec = resource.spec.model_dump(mode="json", by_alias=True, exclude_none=True)
        chunking = spec.get("chunking", "auto")
        files = {f.path: file_entry(f.sha256, f.size) for f in resource.files}
        files.update(existing_entries(spec.get("existing_files") or []))
        return {
            "name": spec.get("display_name", resource.address.name),
            "description": spec.get("description"),
            "chunking": AUTO_CHUNKING if chunking == "auto" else dict(chunking),
            "expires_after_days": spec.get("expires_after_days"),
            "metadata": dict(spec.get("metadata", {})),
            "files": files,
        }

    def shared_content(self, spec: Spec) -> SharedContent:
        """The uploads its files are (kept while it uses them)."""
        return SharedContent(uses=frozenset(file_refs(spec)))

    def normalize(self, obj: LiveObject, inventory: Inventory) -> Spec:
        raw = obj.raw
        pool = pool_of(inventory)
        files: dict[str, Any] = {}
        chunking = None
        for attachment in obj.extra.get("files", []):
            if attachment.get("status") in ("failed", "cancelled"):
                continue
            attrs = attachment.get("attributes") or {}
            blob = pool.by_id.get(attachment["id"]) if pool else None
            if blob is not None:
                files[str(attrs.get(ATTR_PATH) or blob.path)] = file_entry(blob.sha256, blob.size)
            else:
                files[f"<{attachment['id']}>"] = {"file_id": attachment["id"]}
            strategy = attachment.get("chunking_strategy") or {}
            if strategy.get("type") == "static":
                chunking = dict(strategy["static"])
        expires = raw.get("expires_after") or {}
        spec: Spec = {
            "name": raw.get("name") or "",
            "expires_after_days": expires.get("days"),
            "metadata": user_metadata(raw.get("metadata")),
            "files": files,
        }
        if "description" in raw:
            spec["description"] = raw["description"]
        if chunking is not None:
            spec["chunking"] = chunking
        return spec

    def refresh(self, ctx: OpenAIContext) -> list[LiveObject]:
        provider = ctx.provider
        inventory = ctx.inventory

        def list_all() -> list[LiveObject]:
            with ThreadPoolExecutor(max_workers=max(1, inventory.parallelism)) as pool:
                # the attachments of the stores the state records are listed beside the stores, not a round after:
                # what is found for a store no longer listed is never looked at
                ahead = {
                    store_id: pool.submit(self._attachments, provider, store_id)
                    for store_id in inventory.recorded.get(self.kind, ())
                }
                objects = owned_objects(ctx, self.kind, "/vector_stores", "vector store")
                attachments = [ahead.get(o.id) or pool.submit(self._attachments, provider, o.id) for o in objects]
                for obj, files in zip(objects, attachments, strict=True):
                    obj.extra["files"] = files.result()
            return objects

        return call(list_all, address=None, operation="list vector stores")

    def _attachments(self, provider: OpenAIApi, store_id: str) -> list[dict[str, Any]]:
        path = f"/vector_stores/{store_id}/files"
        return list(provider.list_objects(path, address=None, operation="list vector store files"))

    def create(self, ctx: OpenAIContext, address: Address, spec: Spec) -> Applied:
        provider = ctx.provider
        params: dict[str, Any] = {
            "name": spec["name"],
            "metadata": {**spec["metadata"], **ctx.labels(address)},
        }
        if spec.get("description"):
            params["description"] = spec["description"]
        if spec.get("expires_after_days"):
            params["expires_after"] = {"anchor": "last_active_at", "days": spec["expires_after_days"]}
        store = create_safely(
            provider,
            address=address,
            create=lambda client: client.vector_stores.create(**params),
            find_existing=lambda: find_stamped(provider.client.vector_stores.list(limit=100), ctx.project, address),
        )
        return self._sync_files(provider, ctx, address, store.id, {}, spec)

    def update(self, ctx: OpenAIContext, address: Address, remote_id: str, before: Spec, spec: Spec) -> Applied:
        provider = ctx.provider
        expires = (
            {"anchor": "last_active_at", "days": spec["expires_after_days"]} if spec["expires_after_days"] else None
        )
        call(
            lambda: provider.client.vector_stores.update(
                remote_id,
                name=spec["name"],
                expires_after=expires,  # type: ignore[arg-type]
                metadata={**spec["metadata"], **ctx.labels(address)},
            ),
            address=address,
            operation="update",
        )
        return self._sync_files(provider, ctx, address, remote_id, before.get("files") or {}, spec)

    def _sync_files(
        self,
        provider: OpenAIApi,
        ctx: OpenAIContext,
        address: Address,
        store_id: str,
        before: dict[str, Any],
        spec: Spec,
    ) -> Applied:
        """Attach new and changed files, wait for indexing, then detach what is no longer wanted."""
        wanted: dict[str, Any] = spec["files"]
        current = {
            str((a.get("attributes") or {}).get(ATTR_PATH) or f"<{a['id']}>"): a
            for a in self._attachments(provider, store_id)
        }
        pool = require_pool(ctx.inventory)
        attach = []
        for path, entry in wanted.items():
            existing = current.get(path)
            if (
                existing is not None
                and _holds(existing, entry)
                and existing.get("status") not in ("failed", "cancelled")
            ):
                continue
            if "file_id" in entry:
                attach.append((path, entry["file_id"], entry))
                continue
            ctx.progress(address, f"uploading {path}")
            blob = pool.ensure(provider, ctx.root, path, entry, PURPOSE, address)
            attach.append((path, blob.id, entry))
        failures: list[str] = []
        if attach:
            failures = self._attach_and_wait(provider, ctx, address, store_id, attach, spec["chunking"])
        attached_ids = {file_id for _, file_id, _ in attach}
        for path, attachment in current.items():
            if attachment["id"] in attached_ids:
                continue
            wanted_entry = wanted.get(path)
            stale = wanted_entry is None or not _holds(attachment, wanted_entry)
            if stale or attachment.get("status") in ("failed", "cancelled"):
                self._detach(provider, address, store_id, attachment["id"])
        store = call(lambda: provider.client.vector_stores.retrieve(store_id), address=address, operation="read")
        live = LiveObject.from_metadata(
            self.kind, store.model_dump(mode="json", by_alias=True), {"files": self._attachments(provider, store_id)}
        )
        applied = Applied(live)
        if failures:
            raise PartialApplyError(
                "files failed to index: " + "; ".join(failures), applied=applied, address=address, operation="index"
            )
        return applied

    def _attach_and_wait(
        self,
        provider: OpenAIApi,
        ctx: OpenAIContext,
        address: Address,
        store_id: str,
        attach: list[tuple[str, str, dict[str, Any]]],
        chunking: dict[str, Any],
    ) -> list[str]:
        strategy = {"type": "static", "static": chunking}
        files = [
            {
                "file_id": file_id,
                "attributes": {ATTR_PROJECT: ctx.project, ATTR_PATH: path, ATTR_SHA: entry["sha256"]}
                if "sha256" in entry
                else {ATTR_PROJECT: ctx.project},
                "chunking_strategy": strategy,
            }
            for path, file_id, entry in attach
        ]
        batch = call(
            lambda: provider.client.vector_stores.file_batches.create(store_id, files=files),  # type: ignore[arg-type]
            address=address,
            operation="attach files",
        )
        batch_id = batch.id
        deadline = time.monotonic() + INDEX_TIMEOUT_SECONDS
        while batch.status == "in_progress":
            counts = batch.file_counts
            ctx.progress(address, f"indexing {counts.completed + counts.failed}/{counts.total} files")
            if time.monotonic() > deadline:
                raise ProviderError("indexing did not finish in time", address=address, operation="index")
            time.sleep(POLL_SECONDS)
            batch = call(
                lambda: provider.client.vector_stores.file_batches.retrieve(batch_id, vector_store_id=store_id),
                address=address,
                operation="wait for indexing",
            )
        by_id = {file_id: path for path, file_id, _ in attach}
        failures = []
        if batch.file_counts.failed or batch.status != "completed":
            for item in provider.client.vector_stores.file_batches.list_files(batch_id, vector_store_id=store_id):
                if item.status in ("failed", "cancelled"):
                    error = scrub(item.last_error.message) if item.last_error else item.status
                    failures.append(f"{by_id.get(item.id, item.id)}: {error}")
        return failures

    def _detach(self, provider: OpenAIApi, address: str, store_id: str, file_id: str) -> None:
        with suppress(NotFoundError):
            call(
                lambda: provider.client.vector_stores.files.delete(file_id, vector_store_id=store_id),
                address=address,
                operation="detach file",
            )

    def delete(self, ctx: OpenAIContext, address: Address, remote_id: str) -> None:
        provider = ctx.provider
        call(lambda: provider.client.vector_stores.delete(remote_id), address=address, operation="delete")

    def read(self, ctx: OpenAIContext, remote_id: str, address: Address) -> LiveObject:
        provider = ctx.provider
        store = call(lambda: provider.client.vector_stores.retrieve(remote_id), address=address, operation="read")
        return LiveObject.from_metadata(
            self.kind, store.model_dump(mode="json", by_alias=True), {"files": self._attachments(provider, remote_id)}
        )

    def stamp(self, ctx: OpenAIContext, address: Address, live: LiveObject, stamp: dict[str, str]) -> LiveObject:
        provider = ctx.provider
        metadata = {**(live.raw.get("metadata") or {}), **stamp}
        updated = call(
            lambda: provider.client.vector_stores.update(live.id, metadata=metadata),
            address=address,
            operation="import",
        )
        return LiveObject.from_metadata(
            self.kind, updated.model_dump(mode="json", by_alias=True), {"files": self._attachments(provider, live.id)}
        )

    def export(self, obj: LiveObject, ctx: ExportContext) -> Exported | None:
        from assistplan.kinds.openai_exports import export_vector_store

        return export_vector_store(self, obj, ctx)


def _holds(attachment: dict[str, Any], entry: dict[str, Any]) -> bool:
    """Whether an attachment is the wanted file: the same content, or the same existing upload."""
    if "file_id" in entry:
        return bool(attachment.get("id") == entry["file_id"])
    return bool((attachment.get("attributes") or {}).get(ATTR_SHA) == entry["sha256"])


collection("/vector_stores", beta="assistants=v2", two_ended=True)
collection("/vector_stores/{id}/files", beta="assistants=v2", two_ended=True)
register(VectorStoreKind())
