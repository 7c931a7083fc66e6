"""File: a standalone OpenAI file, uploaded by content (for application code that refers to it by id), and the
owner of the project's pool of uploads.

Files carry no metadata, so a file's identity lives in its remote filename, `ap.<project>.<sha256>.<path>` (see
`blobs`): the refresh of this kind lists the project's uploads once, for every kind that reads them (vector stores,
assistants), and its garbage is every upload that no resource needs any more. Files cannot be updated, so any change
replaces the file and deletes the old upload.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterator, Sequence
from typing import Any

from assistplan.addrs import Address
from assistplan.kinds.base import (
    Applied,
    DesireContext,
    Garbage,
    Inventory,
    Kind,
    KindContext,
    LiveObject,
    Spec,
    manifest_spec,
    register,
)
from assistplan.kinds.blobs import POOL, Blob, BlobPool, file_entry, file_refs, parse_blob, pool_of, require_pool
from assistplan.manifest.models import FileSpec
from assistplan.manifest.project import Resource
from assistplan.providers.openai import OpenAIProvider, call


def _live(blob: Blob, address: str | None = None) -> LiveObject:
    raw = {"id": blob.id, "path": blob.path, "sha256": blob.sha256, "size": blob.size, "purpose": blob.purpose}
    return LiveObject(kind="File", id=blob.id, raw=raw, project=blob.project, address=address)


class FileKind(Kind):
    kind = "File"
    spec_model = FileSpec
    fields_in_labels = True
    replace_paths = frozenset({"path", "purpose", "sha256", "size"})

    def desired(self, resource: Resource, ctx: DesireContext) -> Spec:
        local = resource.files[0]
        spec = manifest_spec(resource, FileSpec)
        return {"path": local.path, "purpose": spec.purpose, **file_entry(local.sha256, local.size)}

    def normalize(self, obj: LiveObject, inventory: Inventory) -> Spec:
        raw = obj.raw
        return {"path": raw["path"], "purpose": raw["purpose"], "sha256": raw["sha256"], "size": raw["size"]}

    def provides(self, spec: Spec) -> set[Hashable]:
        return set(file_refs(spec))

    def refresh(self, ctx: KindContext) -> list[LiveObject]:
        """List the project's uploads into the pool; the Files are the uploads the state records as File."""
        provider: OpenAIProvider = ctx.provider
        inventory = ctx.inventory
        pool = BlobPool.refresh(provider, ctx.project)
        inventory.shared[POOL] = pool
        return [
            _live(pool.by_id[blob_id], address)
            for blob_id, address in inventory.id_to_address.items()
            if blob_id in pool.by_id and Address.of(address).kind == self.kind
        ]

    def match(self, address: Address, spec: Spec, inventory: Inventory) -> LiveObject | None:
        """A blob of this project with the same content, path and purpose: the file, uploaded before."""
        blob = require_pool(inventory).find(spec["sha256"], spec["path"], spec["purpose"])
        return _live(blob, address) if blob is not None else None

    def garbage(
        self, inventory: Inventory, needed: set[Hashable], claimed: set[str], keep: Sequence[LiveObject]
    ) -> list[Garbage]:
        """Uploads to delete: those whose content and path nothing needs, and extra copies of needed ones (two
        uploads of the same file) that no object that stays refers to."""
        pool = pool_of(inventory)
        if pool is None:
            return []
        groups: dict[tuple[str, str, str], list[Blob]] = {}
        unused: list[Blob] = []
        for blob in pool.by_id.values():
            if blob.id in claimed:
                continue
            if (blob.sha256, blob.path) in needed:
                groups.setdefault((blob.sha256, blob.path, blob.purpose), []).append(blob)
            else:
                unused.append(blob)
        copied = {key: copies for key, copies in groups.items() if len(copies) > 1}
        if copied:
            referenced = {value for obj in keep for value in _strings((obj.raw, obj.extra))}
            for key, copies in copied.items():
                used = [blob for blob in copies if blob.id in referenced]
                chosen = pool.find(*key)
                survivors = {blob.id for blob in used} or {chosen.id if chosen else copies[0].id}
                unused.extend(blob for blob in copies if blob.id not in survivors)
        return [
            Garbage(Address(self.kind, f"{blob.path}#{blob.id}"), blob.id, self.normalize(_live(blob), inventory))
            for blob in sorted(unused, key=lambda blob: (blob.path, blob.id))
        ]

    def prepare(self, inventory: Inventory, deleting: set[str]) -> None:
        """Uploads about to be deleted are no longer offered: a copy that stays takes their place for new uploads."""
        pool = pool_of(inventory)
        if pool is not None:
            pool.retire(deleting)

    def create(self, ctx: KindContext, address: Address, spec: Spec) -> Applied:
        provider: OpenAIProvider = ctx.provider
        blob = require_pool(ctx.inventory).ensure(provider, ctx.root, spec["path"], spec, spec["purpose"], address)
        return Applied(_live(blob, address))

    def update(self, ctx: KindContext, address: Address, remote_id: str, before: Spec, spec: Spec) -> Applied:
        return Applied(self.read(ctx, remote_id, address))

    def delete(self, ctx: KindContext, address: Address, remote_id: str) -> None:
        """Delete the upload. The planner never deletes a File whose upload another resource still uses: it
        forgets it."""
        provider: OpenAIProvider = ctx.provider
        require_pool(ctx.inventory).delete(provider, remote_id, address)

    def read(self, ctx: KindContext, remote_id: str, address: Address) -> LiveObject:
        provider: OpenAIProvider = ctx.provider
        raw = call(lambda: provider.client.files.retrieve(remote_id), address=address, operation="read")
        dumped = raw.model_dump(mode="json")
        blob = parse_blob(dumped)
        if blob is not None:
            return _live(blob, address)
        return LiveObject(
            kind=self.kind,
            id=remote_id,
            raw={
                "id": remote_id,
                "path": dumped.get("filename"),
                "sha256": "",
                "size": dumped.get("bytes", 0),
                "purpose": dumped.get("purpose"),
            },
        )

    def stamp(self, ctx: KindContext, address: Address, live: LiveObject, stamp: dict[str, str]) -> LiveObject:
        """Files carry no metadata: an imported file is known by the state alone."""
        live.address = address
        return live


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings(item)


register(FileKind())
