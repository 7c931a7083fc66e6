"""EnvironmentTemplate: an Agents API environment template (`/agents/environments/templates`, beta agents=v1).

Templates carry no metadata, so the identity lives in the name: `assistplan:<project>:EnvironmentTemplate/<name>`
(at most 20 + 40 + 64 + 13 characters, well under the API's 256). The refresh reads it back into the live object's
project and address; a template whose name does not carry this project's mark (and whose id the state does not
record) is never updated or deleted. A create whose response was lost is found by that name.

Some fields are write-only: `env`, `setup_commands`, `network.blocked_domains` and the contents of inline files are
never read back. The spec holds them in top-level fields the live object lacks, which the planner takes as last
applied: `env` as each variable's name and a keyed fingerprint of its value, `setup_commands` as a count and a keyed
fingerprint (they are confidential even though the manifest holds them), `network_blocked_domains` as given, and
`file_contents` as each inline file's local source and digest. The fingerprint key (HMAC-SHA256) is random and kept in
the state attributes of the address. A template changed since the last apply (its `updated_at` moved) cannot vouch
for them: they read as changed and the update writes them again. Every update sends the whole configuration, and
`network` always explicitly (its default depends on the API version). Each env value and setup command sent is
registered with `assistplan.redact`, so an error message that echoes the request never shows it.

Without a state file the key is unknown: write-only fields are taken as desired, so a rotated env value or an edited
setup command is not detected until an apply with the state (any update sends them again); packages, network access,
files (by path, File and size), skills and the rest are compared as read.

A `file_id` entry reads back as the File it is through the project's pool of uploads (a file that is not one of them,
as its id: a File given by id, `existing`, is named by its id), which the refresh lists only
when the File kind is in use: whenever a template names a File, the manifests declare it (or the state recorded it),
so a project whose templates name no File makes no `/files` request. An import lists the pool itself when the
template names a file.

`export` adopts a template by renaming it to carry the mark (as `import` does); while it adopts one, the template
reads back under the name it is about to take.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
from collections.abc import Mapping
from secrets import token_hex
from typing import Any

from assistplan import redact
from assistplan.addrs import Address, reference
from assistplan.errors import NotFoundError, PlanError, ProviderError
from assistplan.kinds.base import (
    Applied,
    DesireContext,
    Inventory,
    Kind,
    LiveObject,
    OpenAIContext,
    Spec,
    canonical_json,
    listed_or_read,
    manifest_spec,
    register,
)
from assistplan.kinds.blobs import POOL, BlobPool, pool_of, require_pool
from assistplan.kinds.exporting import ExportContext, Exported
from assistplan.kinds.skills import moved_selectors
from assistplan.manifest.project import Resource
from assistplan.manifest.template_models import FILE_PURPOSE, EnvironmentTemplateSpec
from assistplan.providers.openai import OpenAIApi, call, collection, create_safely

PATH = "/agents/environments/templates"
MARK = "assistplan"
KEY = "fingerprint_key"
UPDATED = "updated_at"
WRITTEN = "written"
MOVED = "moved"
UNKNOWN = "changed outside assistplan"
WRITE_ONLY = ("env", "setup_commands", "network_blocked_domains", "file_contents")
UPLOAD_KEYS = ("path", "sha256", "size")
"""What names a project's upload in a template's `files`."""


def template_name(project: str, address: str) -> str:
    """The remote name that carries a template's identity."""
    return f"{MARK}:{project}:{address}"


def parse_name(name: Any, kind: str) -> tuple[str | None, str | None]:
    """The project and address a remote name carries, or (None, None) when it carries none of this kind."""
    parts = name.split(":", 2) if isinstance(name, str) else []
    if len(parts) != 3 or parts[0] != MARK or Address.of(parts[2]).kind != kind or not Address.of(parts[2]).name:
        return None, None
    return parts[1], parts[2]


def fingerprint(key: str, value: str) -> str:
    return hmac.new(bytes.fromhex(key), value.encode(), hashlib.sha256).hexdigest()[:16]


def env_value(address: str, name: str, env: str) -> str:
    """An env value from the environment, at apply time; the error names the variable, never a value."""
    value = os.environ.get(env, "")
    if not value:
        raise PlanError(f"{address}: env.{name}: the environment variable {env} is not set (or is empty)")
    redact.register(value)
    return value


def _commands(commands: list[dict[str, Any]], key: str | None) -> dict[str, Any]:
    return {"count": len(commands), "fingerprint": fingerprint(key, canonical_json(commands)) if key else None}


class EnvironmentTemplateKind(Kind):
    kind = "EnvironmentTemplate"
    spec_model = EnvironmentTemplateSpec
    depends_on = ("File", "Skill")

    def __init__(self) -> None:
        self._commands: dict[tuple[str, str], list[dict[str, Any]]] = {}
        """The setup commands of each (manifest root, address) as `desired` last read them: the spec holds only their
        fingerprint, so the apply takes them from here."""

    def desired(self, resource: Resource, ctx: DesireContext) -> Spec:
        spec = manifest_spec(resource, EnvironmentTemplateSpec)
        key = ctx.attributes.get(KEY)
        commands = [command.model_dump(mode="json") for command in spec.setup_commands]
        self._commands[(str(ctx.project.root), str(resource.address))] = commands
        local = {item.path: item for item in resource.files}
        files: list[dict[str, Any]] = []
        contents: dict[str, Any] = {}
        for entry in spec.files:
            if entry.file is not None:
                upload = ctx.specs[Address("File", entry.file)]
                named = {"id": upload["existing"]} if "existing" in upload else {k: upload[k] for k in UPLOAD_KEYS}
                files.append({"path": entry.path, "file": named})
            else:
                source = local[entry.source or ""]
                files.append({"path": entry.path, "size": source.size})
                contents[entry.path] = {"source": source.path, "sha256": source.sha256}
        desired: Spec = {
            "name": template_name(ctx.project.identity, resource.address),
            "packages": spec.packages.model_dump(mode="json"),
            "network": {"access": spec.network.access, "allowed_domains": list(spec.network.allowed_domains)},
            "network_blocked_domains": list(spec.network.blocked_domains),
            "env": {
                name: {"env": ref.env, "fingerprint": _env_fingerprint(key, ref.env)}
                for name, ref in sorted(spec.env.items())
            },
            "setup_commands": _commands(commands, key),
            "files": files,
            "file_contents": contents,
            "skills": [
                {"skill": reference("Skill", s.skill), "version": None if s.version is None else str(s.version)}
                for s in spec.skills
            ],
            "desktop": {"enabled": spec.desktop.enabled},
            "capability_directories": list(spec.capability_directories),
        }
        return desired

    def fold_live(self, desired: Spec, live: Spec) -> Spec:
        """Take from the live template an env fingerprint the plan cannot know: its variable is not set where the
        plan runs."""
        folded = dict(desired)
        live_env = live.get("env")
        if isinstance(live_env, dict):
            folded["env"] = {
                name: live_env[name]
                if entry["fingerprint"] is None and (live_env.get(name) or {}).get("env") == entry["env"]
                else entry
                for name, entry in desired["env"].items()
            }
        return folded

    def reference_paths(self, spec: Spec) -> dict[str, str]:
        return {f"skills[{i}].skill": s["skill"] for i, s in enumerate(spec["skills"])}

    def reached(
        self, address: Address, spec: Spec, updates: Mapping[Address, tuple[Spec, Spec]]
    ) -> list[tuple[Address, str]]:
        """A skill update reaches the template where it moves the version a reference selects (no version: the
        default; latest: the newest), resolved afresh at each session start, with no update of the template."""
        reached: list[tuple[Address, str]] = []
        for index, entry in enumerate(spec["skills"]):
            version, target = entry["version"], Address.of(entry["skill"])
            if target in updates and version in moved_selectors(*updates[target]):
                which = "default" if version is None else "latest"
                named = "names no version" if version is None else "names latest"
                reached.append(
                    (
                        target,
                        f"reaches {address} at its next session start: skills[{index}] {named}, so "
                        f"it takes the new {which} version",
                    )
                )
        return reached

    def normalize(self, obj: LiveObject, inventory: Inventory) -> Spec:
        raw = obj.raw
        network = raw.get("network") or {}
        packages = raw.get("packages") or {}
        pool = pool_of(inventory)
        files: list[dict[str, Any]] = []
        for entry in raw.get("files") or []:
            if entry.get("type") == "file_id":
                blob = pool.by_id.get(entry.get("file_id", "")) if pool is not None else None
                upload = {"path": blob.path, "sha256": blob.sha256, "size": blob.size} if blob else None
                files.append({"path": entry.get("path"), "file": upload or {"id": entry.get("file_id")}})
            else:
                files.append({"path": entry.get("path"), "size": entry.get("size_bytes")})
        name = raw.get("name")
        if inventory.exporting and obj.project is None and obj.id in inventory.id_to_address:
            name = template_name(inventory.project, inventory.id_to_address[obj.id])
        spec: Spec = {
            "name": name,
            "packages": {key: list(packages.get(key) or []) for key in ("python", "npm", "system")},
            "network": {"access": network.get("access"), "allowed_domains": list(network.get("allowed_domains") or [])},
            "files": files,
            "skills": [
                {
                    "skill": inventory.id_to_address.get(s.get("skill_id"), s.get("skill_id")),
                    "version": s.get("version"),
                }
                if s.get("type") == "skill_reference"
                else {"inline": s.get("name")}
                for s in raw.get("skills") or []
            ],
            "desktop": {"enabled": bool((raw.get("desktop") or {}).get("enabled"))},
            "capability_directories": list(raw.get("capability_directories") or []),
        }
        if WRITTEN in obj.extra:
            spec.update(obj.extra[WRITTEN])
        elif obj.extra.get(MOVED):
            spec.update(dict.fromkeys(WRITE_ONLY, UNKNOWN))
        return spec

    def refresh(self, ctx: OpenAIContext) -> list[LiveObject]:
        inventory = ctx.inventory
        objects = []
        for raw in listed_or_read(ctx, self.kind, PATH, "environment template"):
            obj = self._live(raw)
            if inventory.owns(obj.id, obj.project):
                address = inventory.id_to_address.get(obj.id) or obj.address or ""
                updated = (inventory.attributes.get(address) or {}).get(UPDATED)
                obj.extra = {MOVED: updated is not None and updated != raw.get("updated_at")}
                objects.append(obj)
        return objects

    def _live(self, raw: dict[str, Any]) -> LiveObject:
        project, address = parse_name(raw.get("name"), self.kind)
        return LiveObject(kind=self.kind, id=raw["id"], raw=raw, project=project, address=address)

    def _write(self, ctx: OpenAIContext, address: Address, spec: Spec) -> tuple[dict[str, Any], dict[str, Any], str]:
        """The request body (secrets read from the environment, local files read from disk), the write-only fields
        as they will then be, and the fingerprint key."""
        key = ctx.attributes(address).get(KEY) or token_hex(32)
        env = {name: env_value(address, name, entry["env"]) for name, entry in spec["env"].items()}
        commands = self._setup_commands(ctx, address, spec["setup_commands"], key)
        files = [self._file(ctx, address, entry, spec["file_contents"]) for entry in spec["files"]]
        body: dict[str, Any] = {
            "name": spec["name"],
            "packages": spec["packages"],
            "network": {**spec["network"], "blocked_domains": spec["network_blocked_domains"]},
            "env": env,
            "setup_commands": commands,
            "files": files,
            "skills": [_skill(ctx, address, index, entry) for index, entry in enumerate(spec["skills"])],
            "desktop": spec["desktop"],
            "capability_directories": spec["capability_directories"],
        }
        written = {
            "env": {
                name: {"env": entry["env"], "fingerprint": fingerprint(key, env[name])}
                for name, entry in spec["env"].items()
            },
            "setup_commands": _commands(commands, key),
            "network_blocked_domains": spec["network_blocked_domains"],
            "file_contents": spec["file_contents"],
        }
        return body, written, key

    def _setup_commands(
        self, ctx: OpenAIContext, address: str, planned: Mapping[str, Any], key: str
    ) -> list[dict[str, Any]]:
        """The setup commands the manifests hold now, which must be those the plan fingerprinted; the text of each is
        registered with `assistplan.redact`, so an error message echoing the request never shows it."""
        commands = self._commands.get((str(ctx.root), address), [])
        fingerprinted = _commands(commands, key if planned["fingerprint"] is not None else None)
        if fingerprinted != planned:
            raise PlanError(f"{address}: setup_commands changed since the plan was made; plan again")
        for command in commands:
            if len(command["command"]) >= MIN_SHOWN_COMMAND:  # `make` or `true` hide nothing, and would blank words
                redact.register(command["command"])
        return commands

    def _file(self, ctx: OpenAIContext, address: str, entry: dict[str, Any], contents: Mapping[str, Any]) -> Any:
        if "file" in entry:
            upload = entry["file"]
            if "id" in upload:
                return {"type": "file_id", "file_id": upload["id"], "path": entry["path"]}
            blob = require_pool(ctx.inventory).find(upload["sha256"], upload["path"], FILE_PURPOSE)
            if blob is None:
                raise PlanError(f"{address}: the upload of {upload['path']} is gone; plan again")
            return {"type": "file_id", "file_id": blob.id, "path": entry["path"]}
        content = contents[entry["path"]]
        data = (ctx.root / content["source"]).read_bytes()
        if hashlib.sha256(data).hexdigest() != content["sha256"]:
            raise PlanError(f"{address}: {content['source']} changed since the plan was made; plan again")
        return {"type": "inline", "path": entry["path"], "data": base64.b64encode(data).decode()}

    def _applied(self, ctx: OpenAIContext, raw: dict[str, Any], written: dict[str, Any], key: str) -> Applied:
        live = self._live(raw)
        live.extra = {WRITTEN: written}
        return Applied(live, attributes={KEY: key, UPDATED: raw.get("updated_at")})

    def create(self, ctx: OpenAIContext, address: Address, spec: Spec) -> Applied:
        provider = ctx.provider
        body, written, key = self._write(ctx, address, spec)
        raw: dict[str, Any] = create_safely(
            provider,
            address=address,
            create=lambda client: json.loads(
                client.beta.agents.environments.templates.with_raw_response.create(**body).text
            ),
            find_existing=lambda: _named(provider, spec["name"], address),
        )
        return self._applied(ctx, raw, written, key)

    def update(self, ctx: OpenAIContext, address: Address, remote_id: str, before: Spec, spec: Spec) -> Applied:
        provider = ctx.provider
        body, written, key = self._write(ctx, address, spec)
        templates = provider.client.beta.agents.environments.templates
        raw: dict[str, Any] = call(
            lambda: json.loads(templates.with_raw_response.update(remote_id, **body).text),
            address=address,
            operation="update",
        )
        return self._applied(ctx, raw, written, key)

    def delete(self, ctx: OpenAIContext, address: Address, remote_id: str) -> None:
        provider = ctx.provider
        templates = provider.client.beta.agents.environments.templates
        call(lambda: templates.delete(remote_id), address=address, operation="delete")

    def export(self, obj: LiveObject, ctx: ExportContext) -> Exported | None:
        from assistplan.kinds.platform_exports import export_environment_template

        return export_environment_template(self, obj, ctx)

    def read(self, ctx: OpenAIContext, remote_id: str, address: Address) -> LiveObject:
        """Import: the template, and the project's uploads when it names any (so its Files read back by name)."""
        provider = ctx.provider
        raw = provider.get_object(f"{PATH}/{remote_id}", address=address, operation="read")
        named = any(entry.get("type") == "file_id" for entry in raw.get("files") or [])
        if named and pool_of(ctx.inventory) is None:
            ctx.inventory.shared[POOL] = BlobPool.refresh(provider, ctx.project)
        return self._live(raw)

    def stamp(self, ctx: OpenAIContext, address: Address, live: LiveObject, stamp: dict[str, str]) -> LiveObject:
        """Import: the template takes this project's name mark (nothing else changes)."""
        provider = ctx.provider
        name = template_name(ctx.project, address)
        templates = provider.client.beta.agents.environments.templates
        raw = call(
            lambda: json.loads(templates.with_raw_response.update(live.id, name=name).text),
            address=address,
            operation="import",
        )
        return self._live(raw)


MIN_SHOWN_COMMAND = 8
"""Setup commands shorter than this are not scrubbed from error messages: too short to hold a secret."""


def _env_fingerprint(key: str | None, env: str) -> str | None:
    value = os.environ.get(env)
    return fingerprint(key, value) if key and value else None


def _skill(ctx: OpenAIContext, address: str, index: int, entry: dict[str, Any]) -> dict[str, Any]:
    """A skill reference as the API takes it. A pinned version must exist: the API does not check it, and every
    session started from the template would fail."""
    skill: dict[str, Any] = {"type": "skill_reference", "skill_id": ctx.remote_id(entry["skill"])}
    version = entry["version"]
    if version is not None:
        skill["version"] = version
    if version is not None and version != "latest":
        try:
            ctx.provider.get_object(
                f"/skills/{skill['skill_id']}/versions/{version}", address=address, operation="read a pinned version"
            )
        except NotFoundError:
            raise ProviderError(
                f"skills[{index}]: {entry['skill']} has no version {version}; pin one it has, or leave the version "
                "out to follow its default",
                address=address,
                operation="check the pinned skill versions",
            ) from None
    return skill


def _named(provider: OpenAIApi, name: str, address: str) -> dict[str, Any] | None:
    for raw in provider.list_objects(PATH, address=address, operation="look up after a failed create"):
        if raw.get("name") == name:
            return raw
    return None


collection("/agents/environments/templates", beta="agents=v1", two_ended=True)
register(EnvironmentTemplateKind())
