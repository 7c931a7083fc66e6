"""File: a standalone OpenAI file, uploaded by content (for application code that refers to it by id), or uploaded
outside assistplan and referred to by id (`existing`); and the owner of the project's pool of uploads.

Files carry no metadata, so a file's identity lives in its remote filename, `ap.<project>.<sha256>.<path>` (see
`blobs`): the refresh of this kind lists the project's uploads once, for every kind that reads them (vector stores,
assistants), and its garbage is every upload that no resource needs any more. Files cannot be updated, so any change
replaces the file and deletes the old upload.

A File given by id is the listed file of that id (with or without the state): it is never uploaded, and never deleted,
because assistplan did not make it: removed from the manifests or destroyed, it is forgotten (see `shared_content`). Its
normalized spec is its id and purpose, which is all a manifest can say of it.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterator, Sequence
from typing import Any

from assistplan.addrs import Address
from assistplan.errors import PlanError
from assistplan.kinds.base import (
    Applied,
    DesireContext,
    Garbage,
    Inventory,
    Kind,
    LiveObject,
    OpenAIContext,
    SharedContent,
    Spec,
    manifest_spec,
    register,
)
from assistplan.kinds.blobs import POOL, Blob, BlobPool, file_entry, file_refs, parse_blob, pool_of, require_pool
from assistplan.kinds.exporting import ExportContext, Exported
from assistplan.manifest.models import FileSpec
from assistplan.manifest.project import Resource
from assistplan.providers.openai import call


def _live(blob: Blob, address: str | None = None) -> LiveObject:
    raw = {"id": blob.id, "path": blob.path, "sha256": blob.sha256, "size": blob.size, "purpose": blob.purpose}
    return LiveObject(kind="File", id=blob.id, raw=raw, project=blob.project, address=address)


def _existing(listed: dict[str, Any], address: str | None = None) -> LiveObject:
    """A file that is not one of this project's uploads, as listed (or read)."""
    blob = parse_blob(listed)
    raw = {
        "id": listed["id"],
        "filename": listed.get("filename"),
        "size": int(listed.get("bytes") or 0),
        "purpose": listed.get("purpose"),
        "existing": True,
    }
    return LiveObject(kind="File", id=listed["id"], raw=raw, project=blob.project if blob else None, address=address)


class FileKind(Kind):
    kind = "File"
    spec_model = FileSpec
    fields_in_labels = True
    replace_paths = frozenset({"path", "purpose", "sha256", "size", "existing"})
    replaceable = False

    def desired(self, resource: Resource, ctx: DesireContext) -> Spec:
        spec = manifest_spec(resource, FileSpec)
        if spec.existing is not None:
            return {"existing": spec.existing, "purpose": spec.purpose}
        local = resource.files[0]
        return {"path": local.path, "purpose": spec.purpose, **file_entry(local.sha256, local.size)}

    def normalize(self, obj: LiveObject, inventory: Inventory) -> Spec:
        raw = obj.raw
        if raw.get("existing"):
            return {"existing": raw["id"], "purpose": raw["purpose"]}
        return {"path": raw["path"], "purpose": raw["purpose"], "sha256": raw["sha256"], "size": raw["size"]}

    def shared_content(self, spec: Spec) -> SharedContent:
        """An upload is its content, which other resources may use; a File given by id was uploaded outside
        assistplan: it is forgotten, never deleted."""
        return SharedContent(provides=frozenset(file_refs(spec)), foreign="existing" in spec)

    def refresh(self, ctx: OpenAIContext) -> list[LiveObject]:
        """List the project's uploads into the pool; the Files are the uploads and the files given by id that the
        state records as File, and while exporting also every file that no project uploaded."""
        provider = ctx.provider
        inventory = ctx.inventory
        pool = BlobPool.refresh(provider, ctx.project)
        inventory.shared[POOL] = pool
        found: list[LiveObject] = []
        for remote_id, address in inventory.id_to_address.items():
            if Address.of(address).kind != self.kind:
                continue
            if remote_id in pool.by_id:
                found.append(_live(pool.by_id[remote_id], address))
            elif remote_id in pool.others:
                found.append(_existing(pool.others[remote_id], address))
        if inventory.exporting:
            recorded = {obj.id for obj in found}
            found += [
                _existing(listed)
                for remote_id, listed in pool.others.items()
                if remote_id not in recorded and parse_blob(listed) is None
            ]
        return found

    def match(self, address: Address, spec: Spec, inventory: Inventory) -> LiveObject | None:
        """A blob of this project with the same content, path and purpose: the file, uploaded before; for a File
        given by id, the listed file of that id."""
        pool = require_pool(inventory)
        if "existing" in spec:
            listed = pool.others.get(spec["existing"])
            return _existing(listed, address) if listed is not None else None
        blob = pool.find(spec["sha256"], spec["path"], spec["purpose"])
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

    def create(self, ctx: OpenAIContext, address: Address, spec: Spec) -> Applied:
        """Upload the local file; a File given by id is only read (and must have the purpose its manifest says)."""
        provider = ctx.provider
        if "existing" in spec:
            live = self.read(ctx, spec["existing"], address)
            if live.raw["purpose"] != spec["purpose"]:
                raise PlanError(
                    f"{address}: file {spec['existing']} has purpose {live.raw['purpose']}, the manifest says "
                    f"{spec['purpose']} (a file given by id cannot be changed)"
                )
            return Applied(live)
        blob = require_pool(ctx.inventory).ensure(provider, ctx.root, spec["path"], spec, spec["purpose"], address)
        return Applied(_live(blob, address))

    def update(self, ctx: OpenAIContext, address: Address, remote_id: str, before: Spec, spec: Spec) -> Applied:
        return Applied(self.read(ctx, remote_id, address))

    def delete(self, ctx: OpenAIContext, address: Address, remote_id: str) -> None:
        """Delete the upload. The planner never deletes a File whose upload another resource still uses, nor a
        File given by id: it forgets them; and a file that is not this project's upload is never deleted here."""
        provider = ctx.provider
        pool = require_pool(ctx.inventory)
        if remote_id in pool.others:
            return
        pool.delete(provider, remote_id, address)

    def read(self, ctx: OpenAIContext, remote_id: str, address: Address) -> LiveObject:
        provider = ctx.provider
        raw = call(lambda: provider.client.files.retrieve(remote_id), address=address, operation="read")
        dumped = raw.model_dump(mode="json")
        blob = parse_blob(dumped)
        if blob is not None and blob.project == ctx.project:
            return _live(blob, address)
        return _existing(dumped, address)

    def stamp(self, ctx: OpenAIContext, address: Address, live: LiveObject, stamp: dict[str, str]) -> LiveObject:
        """Files carry no metadata: an imported file is known by the state alone."""
        live.address = address
        return live

    def export(self, obj: LiveObject, ctx: ExportContext) -> Exported | None:
        from assistplan.kinds.openai_exports import export_file

        return export_file(self, obj, ctx)


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
