"""Skill: a folder of the repository as an OpenAI skill (`/skills`, no beta header), with immutable versions.

The normalized spec is the skill's content, as its newest version holds it: `name` and `description` (from SKILL.md)
and `files`, each path inside the folder with its sha256 and size, so a plan names the files that changed; `path`
(the folder, relative to the manifest root); `default` ("latest" while the newest version is the default, else the
default's number; with `promote: false` whatever the server has); `promote` and `keep_versions`. The API shows none
of `path`, `promote` and `keep_versions` (`manifest_fields`): the state and the marker's digest stand for them, and an
import records them as the manifest says. A change of the files uploads a new version of the same skill (an update,
never a replace), made the default only when the manifest says `promote: true`; then versions beyond `keep_versions`
are deleted, oldest first, never the default one nor one that an environment template of the project pins (the
kind reads the templates for that).

Skills carry no metadata and take their name from SKILL.md, so identity lives in a marker file (`MARKER`) that every
upload adds to the bundle (not to the folder): the project, the address and the digests. The state keeps the skill's
id and the content of the version it last saw (attributes), so a plan downloads a skill's content only when its
`latest_version` moved since (someone uploaded a version) or the state does not know the skill. Unless the state
records every Skill of the manifests after a finished apply (`Inventory.read_by_id`), each listed skill the state does
not know has its newest bundle downloaded once to read its marker (and the default's, when they differ and the newest
has no marker of this project). A skill of the same name without this project's marker is never touched: planning to
create beside it is an error that names it (and the project whose marker it carries, if any). An update that leaves
the content as it is still marks the skill anew when its marker names another address (it was moved, `moved_from`).
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from assistplan.addrs import Address
from assistplan.errors import PlanError
from assistplan.kinds.base import (
    LABEL_DIGEST,
    Applied,
    DesireContext,
    Inventory,
    Kind,
    LiveObject,
    OpenAIContext,
    Spec,
    manifest_spec,
    register,
)
from assistplan.kinds.blobs import SHA_CHARS, file_entry
from assistplan.kinds.exporting import ExportContext, Exported
from assistplan.manifest.project import Resource
from assistplan.manifest.skill_models import (
    MARKER,
    SKILL_FILES,
    SkillSpec,
    inside,
    join,
    skill_folder,
    skill_front_matter,
)
from assistplan.providers.openai import OpenAIApi, call, collection, create_safely

CONTENT = "content"
"""Attribute and `LiveObject.extra` key: the newest version's name, description and files."""
VERSION = "version"
"""Attribute: the skill's `latest_version` when its content was last read or uploaded."""
DIGEST = "digest"
"""Attribute: the spec digest the newest version's marker carries."""
BUNDLE = "bundle"
"""`LiveObject.extra` key, while exporting only: the newest version's zip as downloaded."""
CONTENT_FIELDS = ("name", "description", "files")

Bundle = list[tuple[str, bytes]]


def content_digest(files: dict[str, bytes]) -> str:
    """sha256 over the sorted paths (inside the folder) and bytes of a skill's files, the marker left out."""
    digest = hashlib.sha256()
    for path in sorted(files):
        digest.update(path.encode() + b"\0" + hashlib.sha256(files[path]).digest())
    return digest.hexdigest()


def bundle_files(data: bytes) -> dict[str, bytes]:
    """A downloaded bundle's files by path inside its top folder, the marker included."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        entries = {info.filename: archive.read(info) for info in archive.infolist() if not info.is_dir()}
    return {path.partition("/")[2]: body for path, body in entries.items()}


def unpack(data: bytes) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """A downloaded bundle's content (name, description, files) and its marker (None when it has none)."""
    files = bundle_files(data)
    marker_bytes = files.pop(MARKER, None)
    marker = None
    if marker_bytes is not None:
        try:
            loaded = json.loads(marker_bytes)
        except ValueError:
            loaded = None
        marker = loaded if isinstance(loaded, dict) else None
    name = description = None
    skill_md = next((files[name] for name in SKILL_FILES if name in files), None)
    if skill_md is not None:
        found = skill_front_matter(skill_md.decode("utf-8-sig", errors="replace"))
        if not isinstance(found, str):
            name, description = found
    entries_map = {path: file_entry(hashlib.sha256(body).hexdigest(), len(body)) for path, body in files.items()}
    return {"name": name, "description": description, "files": dict(sorted(entries_map.items()))}, marker


def moved_selectors(before: Spec, after: Spec) -> frozenset[str | None]:
    """The version selectors of a skill reference (`"latest"`; None, the default version) that an update of the skill
    from `before` to `after` points at another version: new content is a new newest version, also the default when
    promoted; a promotion alone moves the default."""
    moved: set[str | None] = set()
    if any(before.get(key) != after.get(key) for key in CONTENT_FIELDS):
        moved.add("latest")
        if after.get("promote"):
            moved.add(None)
    if after.get("default") == "latest" and before.get("default") != "latest":
        moved.add(None)
    return frozenset(moved)


class SkillKind(Kind):
    kind = "Skill"
    spec_model = SkillSpec
    manifest_fields = frozenset({"path", "promote", "keep_versions"})
    reads = ("EnvironmentTemplate",)
    """The project's templates: the versions they pin are never pruned (`keep_versions`)."""

    def desired(self, resource: Resource, ctx: DesireContext) -> Spec:
        spec = manifest_spec(resource, SkillSpec)
        folder = skill_folder(resource.files)
        files = {inside(folder, local.path): file_entry(local.sha256, local.size) for local in resource.files}
        skill_md = next(local for local in resource.files if local.path in {join(folder, n) for n in SKILL_FILES})
        found = skill_front_matter(skill_md.abspath.read_text(encoding="utf-8-sig"))
        name, description = found if not isinstance(found, str) else (None, None)
        desired: Spec = {
            "name": name,
            "description": description,
            "path": folder,
            "files": dict(sorted(files.items())),
            "promote": spec.promote,
            "keep_versions": spec.keep_versions,
        }
        if spec.promote:
            desired["default"] = "latest"
        return desired

    def fold_live(self, desired: Spec, live: Spec) -> Spec:
        """Without `promote`, where the default version points is left to whoever moves it."""
        if "default" in desired or "default" not in live:
            return desired
        return {**desired, "default": live["default"]}

    def normalize(self, obj: LiveObject, inventory: Inventory) -> Spec:
        content = obj.extra.get(CONTENT) or {}
        raw = obj.raw
        default = raw.get("default_version")
        return {
            "name": content.get("name"),
            "description": content.get("description"),
            "files": content.get("files") or {},
            "default": "latest" if default == raw.get("latest_version") else default,
        }

    def match(self, address: Address, spec: Spec, inventory: Inventory) -> LiveObject | None:
        found = super().match(address, spec, inventory)
        if found is not None:
            return found
        for obj in inventory.unowned.get(self.kind, []):
            if obj.raw.get("name") == spec.get("name") and obj.project not in inventory.siblings:
                raise PlanError(_name_taken(address, obj))
        return None

    def refresh(self, ctx: OpenAIContext) -> list[LiveObject]:
        provider = ctx.provider
        inventory = ctx.inventory
        listed = list(provider.list_objects("/skills", address=None, operation="list skills"))
        ids = {raw["id"] for raw in listed}
        # a skill the state records that is gone may have been made anew (a replacement, a state from a backup): the
        # other skills' markers are read then, as when the state does not record every skill
        gone = any(recorded not in ids for recorded in inventory.recorded.get(self.kind, []))
        prove = self.kind not in inventory.read_by_id or gone
        known: list[LiveObject] = []
        unread: list[dict[str, Any]] = []
        others: list[LiveObject] = []
        for raw in listed:
            address = inventory.id_to_address.get(raw["id"])
            attributes = inventory.attributes.get(address or "") or {}
            if (
                not inventory.exporting
                and address is not None
                and attributes.get(VERSION) == raw.get("latest_version")
                and CONTENT in attributes
            ):
                extra = {CONTENT: attributes[CONTENT]}
                known.append(
                    LiveObject(self.kind, raw["id"], raw, inventory.project, address, attributes.get(DIGEST), extra)
                )
            elif address is not None or prove:
                unread.append(raw)
            else:
                others.append(LiveObject(self.kind, raw["id"], raw))
        with ThreadPoolExecutor(max_workers=max(1, min(inventory.parallelism, len(unread) or 1))) as pool:
            read = list(pool.map(lambda raw: _read(provider, raw, inventory.project, inventory.exporting), unread))
        for obj in read:
            (known if inventory.owns(obj.id, obj.project) else others).append(obj)
        inventory.unowned[self.kind] = others
        return known

    def create(self, ctx: OpenAIContext, address: Address, spec: Spec) -> Applied:
        provider = ctx.provider
        bundle, marker_digest = _bundle(ctx, address, spec)
        raw: dict[str, Any] = create_safely(
            provider,
            address=address,
            create=lambda client: client.skills.create(files=bundle).model_dump(mode="json"),
            find_existing=lambda: _find_marked(provider, ctx.project, address, spec.get("name")),
        )
        return _applied(raw, spec, marker_digest)

    def update(self, ctx: OpenAIContext, address: Address, remote_id: str, before: Spec, spec: Spec) -> Applied:
        provider = ctx.provider
        promote = bool(spec.get("promote"))
        marker_digest = ctx.attributes(address).get(DIGEST)
        if any(before.get(key) != spec.get(key) for key in CONTENT_FIELDS):
            bundle, marker_digest = _bundle(ctx, address, spec)
            ctx.progress(address, f"uploading a new version ({len(bundle)} files)")
            call(
                lambda: provider.client.skills.versions.create(remote_id, files=bundle, default=promote),
                address=address,
                operation="upload a new version",
            )
        else:
            marker_digest = _mark_moved(ctx, address, _retrieve(provider, remote_id, address)) or marker_digest
        skill = _retrieve(provider, remote_id, address)
        if promote and skill["default_version"] != skill["latest_version"]:
            latest = skill["latest_version"]
            skill = call(
                lambda: provider.client.skills.update(remote_id, default_version=latest).model_dump(mode="json"),
                address=address,
                operation="set the default version",
            )
        keep = spec.get("keep_versions")
        if keep is not None:
            _prune(provider, skill, keep, address, _pinned(ctx.inventory, remote_id))
        return _applied(skill, spec, marker_digest)

    def delete(self, ctx: OpenAIContext, address: Address, remote_id: str) -> None:
        provider = ctx.provider
        call(lambda: provider.client.skills.delete(remote_id), address=address, operation="delete")

    def read(self, ctx: OpenAIContext, remote_id: str, address: Address) -> LiveObject:
        provider = ctx.provider
        return _read(provider, _retrieve(provider, remote_id, address), ctx.project)

    def export(self, obj: LiveObject, ctx: ExportContext) -> Exported | None:
        from assistplan.kinds.platform_exports import export_skill

        return export_skill(self, obj, ctx)

    def stamp(self, ctx: OpenAIContext, address: Address, live: LiveObject, stamp: dict[str, str]) -> LiveObject:
        """Mark an adopted skill: a new version with the newest version's files unchanged and the marker (the only
        place a skill can carry it), default only when the newest version was, so that a plan without the state
        file knows the skill. Its content, and what a template pinned to a version number runs, stay the same. A
        skill marked as another project's, or as another address of this one, is refused."""
        if live.project and (live.project, live.address) != (ctx.project, str(address)):
            raise PlanError(
                f"{live.id} is marked as {live.address} of project {live.project!r}; "
                "assistplan never takes over another project's object"
            )
        provider = ctx.provider
        digest = stamp[LABEL_DIGEST].partition(";")[0]
        _upload_marked(ctx, address, live, digest, "import: upload the marked version")
        skill = _retrieve(provider, live.id, address)
        return LiveObject(self.kind, live.id, skill, ctx.project, str(address), digest, {CONTENT: live.extra[CONTENT]})


def _upload_marked(ctx: OpenAIContext, address: Address, live: LiveObject, digest: str, operation: str) -> None:
    """Upload a new version holding the newest version's files unchanged and the marker of `address`; it becomes the
    default only where the newest version was the default."""
    provider = ctx.provider
    raw = live.raw
    data = live.extra.get(BUNDLE)
    files = bundle_files(data if isinstance(data, bytes) else _download(provider, live.id, raw["latest_version"]))
    files.pop(MARKER, None)
    bundle = _marked(files, ctx.project, address, digest)
    promote = raw.get("default_version") == raw.get("latest_version")
    call(
        lambda: provider.client.skills.versions.create(live.id, files=bundle, default=promote),
        address=address,
        operation=operation,
    )


def _mark_moved(ctx: OpenAIContext, address: Address, raw: dict[str, Any]) -> str | None:
    """Mark the skill with `address` when its marker names another one (it was moved, `moved_from`), so that a plan
    without the state file finds it at its new address: a new version of the same files. The new marker's digest, or
    None when the marker already names `address`."""
    live = _read(ctx.provider, raw, ctx.project, keep=True)
    if (live.project, live.address) == (ctx.project, str(address)):
        return None
    digest = ctx.labels(address).get(LABEL_DIGEST, "").partition(";")[0]
    ctx.progress(address, f"marking the skill as {address} (a new version of the same files)")
    _upload_marked(ctx, address, live, digest, "upload the version marked with the new address")
    return digest


def _name_taken(address: Address, obj: LiveObject) -> str:
    """Why a skill cannot be created beside another of its name, and the way out: an unmarked skill can be adopted,
    one marked by another project belongs to that project."""
    taken = f'{address}: a skill named "{obj.raw.get("name")}" already exists (id {obj.id})'
    if obj.project:
        return (
            f"{taken}, marked as {obj.address} of project {obj.project!r}, and assistplan never takes over another "
            "project's object. Change the name in SKILL.md, or remove the skill from that project"
        )
    return (
        f"{taken} without this project's marker, and assistplan never takes over an object it did not create. Adopt "
        f"it with `assistplan import {address} {obj.id}`, change the name in SKILL.md, or delete the other skill"
    )


def _retrieve(provider: OpenAIApi, skill_id: str, address: str | None) -> dict[str, Any]:
    return provider.get_object(f"/skills/{skill_id}", address=address, operation="read")


def _download(provider: OpenAIApi, skill_id: str, version: str) -> bytes:
    """A version's bundle, through the provider's HTTP layer (a plan never needs the SDK for it)."""
    return provider.get_bytes(
        f"/skills/{skill_id}/versions/{version}/content",
        address=None,
        operation=f"download version {version} of skill {skill_id}",
    )


def _read(provider: OpenAIApi, raw: dict[str, Any], project: str, keep: bool = False) -> LiveObject:
    """A skill with its newest version's content and the marker that says whose it is (the default version's,
    when the newest carries none of this project's); with `keep`, the newest bundle itself too (`BUNDLE`)."""
    data = _download(provider, raw["id"], raw["latest_version"])
    content, marker = unpack(data)
    default = raw.get("default_version")
    if (marker or {}).get("project") != project and default and default != raw["latest_version"]:
        _, marker = unpack(_download(provider, raw["id"], default))
    marker = marker or {}
    return LiveObject(
        "Skill",
        raw["id"],
        raw,
        marker.get("project"),
        marker.get("address"),
        marker.get("digest"),
        {CONTENT: content, BUNDLE: data} if keep else {CONTENT: content},
    )


def _find_marked(provider: OpenAIApi, project: str, address: str, name: Any) -> dict[str, Any] | None:
    """The skill of this name whose newest bundle carries this project's marker for `address` (a create whose
    answer was lost)."""
    for raw in provider.list_objects("/skills", address=address, operation="look up"):
        if raw.get("name") != name:
            continue
        obj = _read(provider, raw, project)
        if (obj.project, obj.address) == (project, address):
            return raw
    return None


def _bundle(ctx: OpenAIContext, address: Address, spec: Spec) -> tuple[Bundle, str]:
    """The files to upload, under one top-level folder named after the address, with the marker; and the spec
    digest the marker carries."""
    folder = spec.get("path") or ""
    files = {
        path: _read_checked(ctx.root, join(folder, path), entry["sha256"]) for path, entry in spec["files"].items()
    }
    spec_digest = ctx.labels(address).get(LABEL_DIGEST, "").partition(";")[0]
    return _marked(files, ctx.project, address, spec_digest), spec_digest


def _marked(files: dict[str, bytes], project: str, address: str, spec_digest: str) -> Bundle:
    """The files under one top-level folder named after the address, with the marker naming the project, the address
    and the digests."""
    top = Address.of(address).name
    marker = {"project": project, "address": str(address), "digest": spec_digest, "content": content_digest(files)}
    bundle = [(f"{top}/{path}", body) for path, body in sorted(files.items())]
    bundle.append((f"{top}/{MARKER}", json.dumps(marker, sort_keys=True).encode()))
    return bundle


def _read_checked(root: Path, path: str, sha256: str) -> bytes:
    content = (root / path).read_bytes()
    actual = hashlib.sha256(content).hexdigest()
    if actual[:SHA_CHARS] != sha256[:SHA_CHARS]:
        raise PlanError(f"{path} changed after the plan was made (sha256 {actual[:12]}, planned {sha256[:12]})")
    return content


def _pinned(inventory: Inventory, skill_id: str) -> frozenset[str]:
    """The versions of the skill that the project's environment templates name by number."""
    return frozenset(
        str(entry.get("version"))
        for template in inventory.of_kind("EnvironmentTemplate")
        for entry in template.raw.get("skills") or []
        if entry.get("type") == "skill_reference" and entry.get("skill_id") == skill_id
    )


def _prune(provider: OpenAIApi, skill: dict[str, Any], keep: int, address: str, pinned: frozenset[str]) -> None:
    """Delete the versions older than the newest `keep`, never the default one nor one a template pins (a session
    started from that template would fail)."""
    skill_id = skill["id"]
    listed = provider.list_objects(f"/skills/{skill_id}/versions", address=address, operation="list versions")
    numbers = sorted((item["version"] for item in listed), key=int, reverse=True)
    for number in numbers[keep:]:
        if number != skill["default_version"] and str(number) not in pinned:
            _delete_version(provider, skill_id, number, address)


def _delete_version(provider: OpenAIApi, skill_id: str, number: str, address: str) -> None:
    call(
        lambda: provider.client.skills.versions.delete(number, skill_id=skill_id),
        address=address,
        operation=f"delete old version {number}",
    )


def _applied(raw: dict[str, Any], spec: Spec, marker_digest: str | None) -> Applied:
    content = {key: spec.get(key) for key in CONTENT_FIELDS}
    live = LiveObject("Skill", raw["id"], raw, extra={CONTENT: content})
    attributes: dict[str, Any] = {VERSION: raw.get("latest_version"), CONTENT: content}
    if marker_digest:
        attributes[DIGEST] = marker_digest
    return Applied(live, attributes)


collection("/skills")  # its default order is not documented: walked once, from the top
register(SkillKind())
