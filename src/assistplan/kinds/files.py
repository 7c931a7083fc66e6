"""File: a standalone OpenAI file, uploaded by content (for application code that refers to it by id).

Files cannot be updated, so any change replaces the file and deletes the old blob.
Identity lives in the state and in the blob filename
(project, content hash, path), so a file is found again after the state is lost and never uploaded twice.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from assistplan.kinds.base import Applied, ApplyContext, Inventory, Kind, LiveObject, Spec
from assistplan.kinds.blobs import Blob, BlobPool, file_entry
from assistplan.providers.openai import OpenAIProvider, call


def _live(blob: Blob) -> LiveObject:
    raw = {"id": blob.id, "path": blob.path, "sha256": blob.sha256, "size": blob.size, "purpose": blob.purpose}
    return LiveObject(kind="File", id=blob.id, raw=raw, project=blob.project)


class FileKind(Kind):
    kind = "File"
    uses_blobs = True
    replace_paths = frozenset({"path", "purpose", "sha256", "size"})

    def desired(self, resource: Any, functions: Mapping[str, Any]) -> Spec:
        local = resource.files[0]
        return {"path": local.path, "purpose": resource.spec.purpose, **file_entry(local.sha256, local.size)}

    def normalize(self, obj: LiveObject, inventory: Inventory) -> Spec:
        raw = obj.raw
        return {"path": raw["path"], "purpose": raw["purpose"], "sha256": raw["sha256"], "size": raw["size"]}

    def refresh(self, provider: OpenAIProvider, inventory: Inventory) -> list[LiveObject]:
        pool: BlobPool = inventory.blobs
        objects = []
        for blob_id, address in inventory.id_to_address.items():
            blob = pool.by_id.get(blob_id)
            if blob is not None and address.startswith("File/"):
                obj = _live(blob)
                obj.address = address
                objects.append(obj)
        return objects

    def match(self, address: str, spec: Spec, inventory: Inventory) -> LiveObject | None:
        """A blob of this project with the same content, path and purpose: the file, uploaded before."""
        blob = inventory.blobs.find(spec["sha256"], spec["path"], spec["purpose"])
        if blob is None:
            return None
        obj = _live(blob)
        obj.address = address
        return obj

    def create(self, provider: OpenAIProvider, ctx: ApplyContext, address: str, spec: Spec) -> Applied:
        pool: BlobPool = ctx.blobs
        blob = pool.ensure(provider, ctx.root, spec["path"], spec, spec["purpose"], address)
        live = _live(blob)
        live.address = address
        return Applied(live)

    def update(
        self, provider: OpenAIProvider, ctx: ApplyContext, address: str, remote_id: str, before: Spec, spec: Spec
    ) -> Applied:
        return Applied(self.read(provider, remote_id, address))

    def delete(self, provider: OpenAIProvider, ctx: ApplyContext, address: str, remote_id: str) -> None:
        """Delete the blob. The planner never deletes a File whose blob another resource still uses: it forgets it."""
        pool: BlobPool = ctx.blobs
        pool.delete(provider, remote_id, address)

    def read(self, provider: OpenAIProvider, remote_id: str, address: str) -> LiveObject:
        from assistplan.kinds.blobs import parse_blob

        raw = call(lambda: provider.client.files.retrieve(remote_id), address=address, operation="read")
        blob = parse_blob(raw.model_dump(mode="json"))
        if blob is None:
            dumped = raw.model_dump(mode="json")
            return LiveObject(
                kind="File",
                id=remote_id,
                raw={
                    "id": remote_id,
                    "path": dumped.get("filename"),
                    "sha256": "",
                    "size": dumped.get("bytes", 0),
                    "purpose": dumped.get("purpose"),
                },
            )
        live = _live(blob)
        live.address = address
        return live

    def stamp(self, provider: OpenAIProvider, address: str, live: LiveObject, stamp: dict[str, str]) -> LiveObject:
        """Files carry no metadata: an imported file is known by the state alone."""
        live.address = address
        return live
