"""Vault: an Agents platform vault (`/vaults`, beta header agents=v1), a named collection of credentials.

Vaults carry metadata, so they carry the project's labels and are listed with the API's metadata filter
(`metadata[assistplan:project]=<project>`): foreign vaults are never even read. The filter is eventually consistent,
so two things do not rely on it: a vault the state records that the filtered listing misses is read by id, and a
create whose response was lost looks for its vault in the full listing before trying again.

The listing is shared with VaultCredential, which lists the credentials of each of the project's vaults: it is made
once per refresh, by whichever of the two kinds asks first. Deleting a vault deletes its credentials (the API
cascades); the plan deletes them first anyway, and a credential already gone counts as deleted. A vault that still
holds a credential this project does not manage (made by hand, or by another tool) is not deleted: the delete fails
naming those credentials, for deleting it would delete them.

The API trims the names of vaults and credentials: the desired spec holds a name trimmed as the server stores it (a
name of white space only, which the API refuses, is a manifest error).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from typing import Any

from assistplan.addrs import Address
from assistplan.errors import NotFoundError, ProviderError
from assistplan.kinds.base import (
    LABEL_PROJECT,
    Applied,
    DesireContext,
    Inventory,
    Kind,
    LiveObject,
    OpenAIContext,
    Spec,
    find_stamped,
    manifest_spec,
    read_object,
    register,
    stamp_metadata,
    user_metadata,
)
from assistplan.kinds.exporting import ExportContext, Exported
from assistplan.manifest.project import Resource
from assistplan.manifest.vault_models import VaultSpec
from assistplan.providers.openai import OpenAIApi, call, collection, create_safely

SHARED_LISTING = "vaults"


class _Once:
    """A value computed by the first thread that asks for it; the others wait for it."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._value: list[LiveObject] | None = None

    def get(self, compute: Callable[[], list[LiveObject]]) -> list[LiveObject]:
        with self._lock:
            if self._value is None:
                self._value = compute()
            return self._value

    def __getstate__(self) -> dict[str, Any]:
        """Pickled without its lock (an early refresh run in a child process hands its inventory back pickled)."""
        with self._lock:
            return {"_value": self._value}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self._lock = threading.Lock()
        self._value = state["_value"]


def project_vaults(ctx: OpenAIContext) -> list[LiveObject]:
    """The vaults this project owns, listed once per refresh however many kinds ask."""
    once: _Once = ctx.inventory.shared.setdefault(SHARED_LISTING, _Once())
    return once.get(lambda: _list_vaults(ctx.provider, ctx.inventory))


def _list_vaults(provider: OpenAIApi, inventory: Inventory) -> list[LiveObject]:
    params = {} if inventory.exporting else {f"metadata[{LABEL_PROJECT}]": inventory.project}
    listed = [
        LiveObject.from_metadata(VaultKind.kind, raw)
        for raw in provider.list_objects("/vaults", params=params, address=None, operation="list vaults")
    ]
    seen = {obj.id for obj in listed}
    for remote_id, address in inventory.id_to_address.items():
        if Address.of(address).kind == VaultKind.kind and remote_id not in seen:
            try:
                raw = provider.get_object(f"/vaults/{remote_id}", address=address, operation="read vault")
            except NotFoundError:
                continue
            listed.append(LiveObject.from_metadata(VaultKind.kind, raw))
    return [obj for obj in listed if inventory.owns(obj.id, obj.project)]


def server_name(display_name: str) -> str:
    """A name as the API stores it: trimmed of surrounding white space (one of white space only is a manifest
    error, `manifest/vault_models.py`)."""
    return display_name.strip()


def _json(response: Any) -> dict[str, Any]:
    body: dict[str, Any] = json.loads(response.text)
    return body


class VaultKind(Kind):
    kind = "Vault"
    spec_model = VaultSpec

    def desired(self, resource: Resource, ctx: DesireContext) -> Spec:
        spec = manifest_spec(resource, VaultSpec)
        name = resource.address.name if spec.display_name is None else server_name(spec.display_name)
        return {"name": name, "metadata": dict(spec.metadata)}

    def normalize(self, obj: LiveObject, inventory: Inventory) -> Spec:
        return {"name": obj.raw.get("name") or "", "metadata": user_metadata(obj.raw.get("metadata"))}

    def refresh(self, ctx: OpenAIContext) -> list[LiveObject]:
        return project_vaults(ctx)

    def _body(self, ctx: OpenAIContext, address: Address, spec: Spec) -> dict[str, Any]:
        """The vault's name (`""` is no name: the API takes none at create and `null` at update) and metadata."""
        return {"name": spec["name"] or None, "metadata": {**spec["metadata"], **ctx.labels(address)}}

    def create(self, ctx: OpenAIContext, address: Address, spec: Spec) -> Applied:
        provider = ctx.provider
        body = {key: value for key, value in self._body(ctx, address, spec).items() if value is not None}
        raw: dict[str, Any] = create_safely(
            provider,
            address=address,
            create=lambda client: _json(client.beta.agents.vaults.with_raw_response.create(**body)),
            find_existing=lambda: find_stamped(
                provider.list_objects("/vaults", address=address, operation="look up"), ctx.project, address
            ),
        )
        return Applied(LiveObject.from_metadata(self.kind, raw))

    def update(self, ctx: OpenAIContext, address: Address, remote_id: str, before: Spec, spec: Spec) -> Applied:
        provider = ctx.provider
        body = self._body(ctx, address, spec)
        raw = call(
            lambda: _json(provider.client.beta.agents.vaults.with_raw_response.update(remote_id, **body)),
            address=address,
            operation="update",
        )
        return Applied(LiveObject.from_metadata(self.kind, raw))

    def delete(self, ctx: OpenAIContext, address: Address, remote_id: str) -> None:
        provider = ctx.provider
        try:
            foreign = self._foreign_credentials(ctx, address, remote_id)
        except NotFoundError:
            return
        if foreign:
            raise ProviderError(
                f"the vault holds {len(foreign)} credential(s) this project does not manage ({', '.join(foreign)}), "
                "which deleting it would delete too: delete them, or import them into the project, then apply "
                "again",
                address=address,
                operation="delete",
            )
        try:
            call(lambda: provider.client.beta.agents.vaults.delete(remote_id), address=address, operation="delete")
        except NotFoundError:
            return

    def _foreign_credentials(self, ctx: OpenAIContext, address: Address, remote_id: str) -> list[str]:
        """The ids of the credentials in the vault that this project neither stamped nor records."""
        from assistplan.kinds.vault_credentials import remote_id as credential_id

        path = f"/vaults/{remote_id}/credentials"
        listed = ctx.provider.list_objects(path, address=address, operation="list the vault's credentials")
        return [
            str(raw["id"])
            for raw in listed
            if not ctx.inventory.owns(
                credential_id(remote_id, str(raw["id"])), (raw.get("metadata") or {}).get(LABEL_PROJECT)
            )
        ]

    def export(self, obj: LiveObject, ctx: ExportContext) -> Exported | None:
        from assistplan.kinds.platform_exports import export_vault

        return export_vault(self, obj, ctx)

    def read(self, ctx: OpenAIContext, remote_id: str, address: Address) -> LiveObject:
        return LiveObject.from_metadata(self.kind, read_object(ctx, f"/vaults/{remote_id}", address))

    def stamp(self, ctx: OpenAIContext, address: Address, live: LiveObject, stamp: dict[str, str]) -> LiveObject:
        return LiveObject.from_metadata(self.kind, stamp_metadata(ctx, f"/vaults/{live.id}", address, live, stamp))


collection("/vaults", beta="agents=v1", two_ended=True)
register(VaultKind())
