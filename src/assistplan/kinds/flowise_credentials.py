"""FlowiseCredential: a Flowise credential (`/credentials`) whose secrets come from environment variables.

Secrets are write-only. Flowise never shows them again (it answers with a redaction marker, which must never be
sent back: Flowise would store the marker as the secret), and assistplan never stores or prints them: the spec holds,
per secret, the variable's name and a fingerprint, an HMAC-SHA256 of the value under a random key that the state
keeps for this credential. A rotated secret changes the fingerprint and plans as an update; so does a credential
changed in Flowise after the last apply (its `updatedDate` moved), because its secrets can no longer be vouched for.
Otherwise the live spec leaves `secrets` out (Flowise never returns them): the planner takes them as last applied.

Flowise honours a client-chosen credential id, so the id is derived from the project and the address: a lost state
is recovered, and a create whose response was lost is simply found. A listed credential tells its address by its name
and id together; one with a `display_name` (whose name is not its address's) is found by the id alone. A credential
adopted by `export` or `import` keeps the id Flowise gave it, so adoption adds a field to its data, `assistplan`
(`{project, address}` as JSON: no credential component has such a field, Flowise merges data on update and shows
only non-secret fields back); so does the update that moves a credential to a new address (`moved_from`), whose
id was derived from the old one. While the state does not record every credential of the manifests, each listed
credential neither derived nor recorded is read once to find it (its other fields are dropped unread); an import
reads it too, and refuses a credential it marks as another project's.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from secrets import token_hex
from typing import Any

from assistplan.addrs import Address, reference
from assistplan.errors import NotFoundError, PlanError, ProviderError
from assistplan.kinds.base import (
    Applied,
    DesireContext,
    Inventory,
    LiveObject,
    Spec,
    manifest_spec,
    register,
)
from assistplan.kinds.exporting import ExportContext, Exported
from assistplan.kinds.flowise_base import UNMARKED, FlowiseContext, FlowiseKind, Identity
from assistplan.manifest.flowise_models import FlowiseCredentialSpec
from assistplan.manifest.project import Resource
from assistplan.providers.flowise import FlowiseApi

NAMESPACE = uuid.UUID("6f1d2a52-36a9-4c0e-9a7e-4f0c5a1f2b8d")
REDACTED = "_FLOWISE_BLANK_07167752-1a71-43b1-bf8f-4f32252165db"
MARK = "assistplan"
"""The field of a credential's data that names the project and address of an adopted credential."""
KEY = "fingerprint_key"
UPDATED = "updated"
UNKNOWN = "changed outside assistplan"


def credential_id(project: str, address: str) -> str:
    return str(uuid.uuid5(NAMESPACE, f"{project}/{address}"))


def fingerprint(key: str, value: str) -> str:
    return hmac.new(bytes.fromhex(key), value.encode(), hashlib.sha256).hexdigest()[:16]


def secret_value(address: str, field: str, env: str) -> str:
    value = os.environ.get(env, "")
    if not value:
        raise PlanError(f"{address}: secrets.{field}: the environment variable {env} is not set (or is empty)")
    if value == REDACTED:
        raise PlanError(f"{address}: secrets.{field}: {env} holds Flowise's redaction marker, not a secret")
    return value


def _fingerprinted(address: str, field: str, env: str, key: str | None) -> dict[str, Any]:
    """A secret as the spec holds it: its variable, and its value's fingerprint when the state keeps a key and the
    variable is set (a credential that exists needs it only when its secrets are written)."""
    if not os.environ.get(env):
        return {"env": env, "fingerprint": None}
    value = secret_value(address, field, env)
    return {"env": env, "fingerprint": fingerprint(key, value) if key else None}


class FlowiseCredentialKind(FlowiseKind):
    kind = "FlowiseCredential"
    spec_model = FlowiseCredentialSpec
    path = "/credentials"
    noun = "credential"

    def desired(self, resource: Resource, ctx: DesireContext) -> Spec:
        """The credential; each secret fingerprinted with the key the state keeps (none yet: known after apply)."""
        spec = manifest_spec(resource, FlowiseCredentialSpec)
        key = ctx.attributes.get(KEY)
        address = str(resource.address)
        return {
            "name": resource.address.name if spec.display_name is None else spec.display_name,
            "credential": spec.credential,
            "secrets": {
                field: _fingerprinted(address, field, ref.env, key) for field, ref in sorted(spec.secrets.items())
            },
        }

    def fold_live(self, desired: Spec, live: Spec) -> Spec:
        """A secret whose fingerprint cannot be made here (no key yet, or its variable is not set where plan runs)
        is taken as last applied, when it names the same variable."""
        applied = live.get("secrets")
        if not isinstance(applied, dict):
            return desired
        secrets = {
            field: applied[field]
            if entry["fingerprint"] is None and (applied.get(field) or {}).get("env") == entry["env"]
            else entry
            for field, entry in desired["secrets"].items()
        }
        return {**desired, "secrets": secrets}

    def match(self, address: Address, spec: Spec, inventory: Inventory) -> LiveObject | None:
        """The credential that this address is when the state does not say: the one with the id derived from it,
        whatever its name; a credential to create needs every variable its secrets name (the error names the first one
        not set)."""
        remote_id = credential_id(inventory.project, str(address))
        for obj in [*inventory.of_kind(self.kind), *inventory.unowned.get(self.kind, [])]:
            if obj.id == remote_id:
                return replace(obj, project=inventory.project, address=str(address))
        found = super().match(address, spec, inventory)
        if found is None:
            for field, entry in spec["secrets"].items():
                secret_value(address, field, entry["env"])
        return found

    def clash(self, obj: LiveObject, spec: Spec, inventory: Inventory) -> str | None:
        """A credential of another environment of this project (its id derived from that environment's identity)
        shares the name without clashing."""
        address = Address(self.kind, self.display_name(obj.raw))
        if any(obj.id == credential_id(other, address) for other in inventory.siblings):
            return None
        return super().clash(obj, spec, inventory)

    def identify(self, raw: dict[str, Any], project: str) -> Identity:
        address = reference(self.kind, str(raw.get("name")))  # a live object's address label is text
        return (project, address, None) if raw.get("id") == credential_id(project, address) else UNMARKED

    def extra(self, raw: dict[str, Any], inventory: Inventory) -> dict[str, Any]:
        address = inventory.id_to_address.get(raw["id"]) or self.identify(raw, inventory.project)[1]
        updated = (inventory.attributes.get(address or "") or {}).get(UPDATED)
        return {"moved": updated is not None and updated != raw.get("updatedDate")}

    def refresh(self, ctx: FlowiseContext) -> list[LiveObject]:
        """The credentials. One whose id is neither derived nor recorded is read once for its mark while the state
        does not record every credential of the manifests, and while exporting (then with its field names too)."""
        provider = ctx.provider
        inventory = ctx.inventory
        listed = [self.live(raw, inventory.project, self.extra(raw, inventory)) for raw in self.list_raw(provider)]
        unread = [
            obj
            for obj in listed
            if inventory.exporting
            or (obj.project is None and obj.id not in inventory.id_to_address and self.kind not in inventory.read_by_id)
        ]
        with ThreadPoolExecutor(max_workers=max(1, min(inventory.parallelism, len(unread) or 1))) as pool:
            read = {
                obj.id: found
                for obj, found in zip(unread, pool.map(lambda o: self._data(provider, o), unread), strict=True)
            }
        owned: list[LiveObject] = []
        others: list[LiveObject] = []
        for obj in listed:
            fields, mark = read.get(obj.id, ([], None))
            if obj.project is None and mark is not None:
                obj = replace(obj, project=mark[0], address=mark[1])
            if inventory.exporting:
                from assistplan.kinds.flowise_exports import FIELDS

                obj.extra[FIELDS] = fields
            (owned if inventory.owns(obj.id, obj.project) else others).append(obj)
        inventory.unowned[self.kind] = others
        return owned

    def _data(self, provider: FlowiseApi, obj: LiveObject) -> tuple[list[str], tuple[str, str] | None]:
        """A credential's field names (its mark left out) and the (project, address) its mark names; the values
        are dropped unread (Flowise redacts the secret ones)."""
        raw = provider.get(f"{self.path}/{obj.id}", address=None, operation="read the credential's mark")
        plain = raw.get("plainDataObj") if isinstance(raw, dict) else None
        plain = plain if isinstance(plain, dict) else {}
        return sorted(str(key) for key in plain if key != MARK), _parsed_mark(plain.get(MARK))

    def normalize(self, obj: LiveObject, inventory: Any) -> Spec:
        """The credential; its secrets only when just written, or marked unknown when changed in Flowise since."""
        spec: Spec = {"name": obj.raw.get("name"), "credential": obj.raw.get("credentialName")}
        if "secrets" in obj.extra:
            spec["secrets"] = obj.extra["secrets"]
        elif obj.extra.get("moved"):
            spec["secrets"] = UNKNOWN
        return spec

    def _write(
        self, provider: FlowiseApi, ctx: FlowiseContext, address: Address, spec: Spec, gone: list[str]
    ) -> tuple[dict[str, Any], Applied]:
        """The request body (with the secrets read from the environment) and what to record once it is sent."""
        key = ctx.attributes(address).get(KEY) or token_hex(32)
        plain: dict[str, str] = dict.fromkeys(gone, "")
        recorded = {}
        for field, entry in spec["secrets"].items():
            value = secret_value(address, field, entry["env"])
            provider.redact(value)
            plain[field] = value
            recorded[field] = {"env": entry["env"], "fingerprint": fingerprint(key, value)}
        body = {"name": spec["name"], "credentialName": spec["credential"], "plainDataObj": plain}
        live = LiveObject(self.kind, "", {}, extra={"secrets": recorded})
        return body, Applied(live, attributes={KEY: key})

    def _applied(self, applied: Applied, raw: dict[str, Any], project: str) -> Applied:
        raw = {k: v for k, v in raw.items() if k not in ("plainDataObj", "encryptedData")}
        live = self.live(raw, project, applied.live.extra)
        return Applied(live, attributes={**applied.attributes, UPDATED: raw.get("updatedDate")})

    def create(self, ctx: FlowiseContext, address: Address, spec: Spec) -> Applied:
        provider = ctx.provider
        body, applied = self._write(provider, ctx, address, spec, [])
        remote_id = credential_id(ctx.project, address)
        raw = self.create_safely(
            address,
            lambda: provider.post(self.path, {"id": remote_id, **body}, address=address),
            lambda: self._get(provider, remote_id, address),
        )
        return self._applied(applied, raw, ctx.project)

    def update(self, ctx: FlowiseContext, address: Address, remote_id: str, before: Spec, spec: Spec) -> Applied:
        provider = ctx.provider
        recorded = before.get("secrets")
        gone = sorted(set(recorded) - set(spec["secrets"])) if isinstance(recorded, dict) else []
        body, applied = self._write(provider, ctx, address, spec, gone)
        if remote_id != credential_id(ctx.project, address):
            body["plainDataObj"][MARK] = _mark(ctx.project, address)
        raw = provider.put(f"{self.path}/{remote_id}", body, address=address)
        return self._applied(applied, raw, ctx.project)

    def delete(self, ctx: FlowiseContext, address: Address, remote_id: str) -> None:
        provider = ctx.provider
        provider.delete(f"{self.path}/{remote_id}", address=address)

    def _get(self, provider: FlowiseApi, remote_id: str, address: str) -> dict[str, Any] | None:
        found = self._get_marked(provider, remote_id, address)
        return None if found is None else found[0]

    def _get_marked(
        self, provider: FlowiseApi, remote_id: str, address: str
    ) -> tuple[dict[str, Any], tuple[str, str] | None] | None:
        """The credential without its data, and the (project, address) its mark names; None when there is none."""
        try:
            raw = provider.get(f"{self.path}/{remote_id}", address=address, operation="read")
        except NotFoundError:
            return None
        if not isinstance(raw, dict):
            raise ProviderError(f"Flowise answered credential {remote_id} with something other than an object")
        plain = raw.get("plainDataObj")
        found = _parsed_mark(plain.get(MARK)) if isinstance(plain, dict) else None
        return {k: v for k, v in raw.items() if k not in ("plainDataObj", "encryptedData")}, found

    def read(self, ctx: FlowiseContext, remote_id: str, address: Address) -> LiveObject:
        """The credential, with the project and address its mark names (so that an import of another project's
        credential is refused)."""
        provider = ctx.provider
        found = self._get_marked(provider, remote_id, address)
        if found is None:
            raise NotFoundError(f"no Flowise credential has the id {remote_id}", address=address, operation="read")
        raw, marked = found
        live = self.live(raw, "")
        return live if marked is None else replace(live, project=marked[0], address=marked[1])

    def stamp(self, ctx: FlowiseContext, address: Address, live: LiveObject, stamp: dict[str, str]) -> LiveObject:
        """Mark an adopted credential (whose id is not derived from its address) in its data; Flowise merges the
        field into the data it holds, secrets untouched (`updateCredential` in Flowise 3.1.4, the version tested)."""
        self.check_owner(address, live, stamp)
        if live.id == credential_id(ctx.project, address):
            return live
        provider = ctx.provider
        body = {
            "name": live.raw.get("name"),
            "credentialName": live.raw.get("credentialName"),
            "plainDataObj": {MARK: _mark(ctx.project, address)},
        }
        raw = provider.put(f"{self.path}/{live.id}", body, address=address, operation="import")
        raw = {k: v for k, v in raw.items() if k not in ("plainDataObj", "encryptedData")}
        return replace(self.live(raw, ctx.project, live.extra), project=ctx.project, address=str(address))

    def export(self, obj: LiveObject, ctx: ExportContext) -> Exported | None:
        from assistplan.kinds.flowise_exports import export_credential

        return export_credential(self, obj, ctx)


def _mark(project: str, address: str) -> str:
    """The mark field's value naming this project and address."""
    return json.dumps({"project": project, "address": str(address)}, sort_keys=True)


def _parsed_mark(value: Any) -> tuple[str, str] | None:
    try:
        mark = json.loads(value) if isinstance(value, str) else None
    except ValueError:
        return None
    if isinstance(mark, dict) and isinstance(mark.get("project"), str) and isinstance(mark.get("address"), str):
        return mark["project"], mark["address"]
    return None


register(FlowiseCredentialKind())
