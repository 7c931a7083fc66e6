"""VaultCredential: a credential in a vault (`/vaults/{vault_id}/credentials`, beta header agents=v1).

A credential lives in its vault, so its remote id here is `<vault id>/<credential id>` (what `import` takes); an
Agent's MCP tool is sent the credential id alone. Credentials are listed per vault of the project, one listing each
(the vaults come from the listing Vault shares), and carry the project's labels in their metadata.

What the API cannot change is replaced (create the new credential, re-point the agents that name it, delete the old
one): the name, the vault, and `auth` as the spec holds it (type, MCP server URL, secret name and networking, OAuth
client id, token endpoint, resource and token endpoint authentication type); the name is held trimmed, as the API
stores it (see Vault). The OAuth `expires_at` and refresh `scope` and the metadata are updated in place.

Secrets are write-only: the API never returns them, and assistplan never stores or prints them. The spec holds,
per secret, the variable's name and a fingerprint, an HMAC-SHA256 of the value under a random key that the state
keeps for this credential (`fingerprint_key`). A changed value changes the fingerprint and plans an update that
rotates every secret of the credential (the API's rotate shape, same type). The live spec takes the secrets the state
last recorded (without a state, the planner takes them as desired). Where a fingerprint cannot be computed (no key
yet, or the variable is not set where plan runs) the live one is kept, so a plan needs no secret. Without the state
file there is no key: a rotation is then seen only once an apply has written the credential again.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
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
    find_stamped,
    manifest_spec,
    prune,
    read_object,
    register,
    stamp_metadata,
    user_metadata,
)
from assistplan.kinds.exporting import ExportContext, Exported
from assistplan.kinds.vaults import project_vaults, server_name
from assistplan.manifest.project import Resource
from assistplan.manifest.vault_models import (
    ClientSecret,
    EnvironmentVariableAuth,
    Limited,
    McpOAuthAuth,
    StaticBearerAuth,
    VaultCredentialSpec,
)
from assistplan.providers.openai import call, collection, create_safely

KEY = "fingerprint_key"
ROTATED = ("secrets", "expires_at", "scope")
"""Top-level fields an update sends in the rotate shape of `auth`."""


def fingerprint(key: str, value: str) -> str:
    return hmac.new(bytes.fromhex(key), value.encode(), hashlib.sha256).hexdigest()[:16]


def remote_id(vault_id: str, credential_id: str) -> str:
    return f"{vault_id}/{credential_id}"


def split_id(composite: str) -> tuple[str, str]:
    """The vault id and the credential id of a remote id `<vault id>/<credential id>`."""
    vault_id, slash, credential_id = composite.partition("/")
    if not slash or not vault_id or not credential_id:
        raise ProviderError(f'"{composite}" is not a vault credential id: write <vault id>/<credential id>')
    return vault_id, credential_id


def credential_address(inventory: Inventory, credential_id: str) -> str | None:
    """The address of the credential with this API id (its remote id without the vault), if the project has it."""
    suffix = "/" + credential_id
    for known, address in inventory.id_to_address.items():
        if known.endswith(suffix) and Address.of(address).kind == VaultCredentialKind.kind:
            return address
    return None


def secret_value(address: str, field: str, env: str) -> str:
    """A secret from the environment, at apply time; the error names the variable, never a value."""
    value = os.environ.get(env, "")
    if not value:
        raise PlanError(f"{address}: {field}: the environment variable {env} is not set (or is empty)")
    redact.register(value)
    return value


def _secret_envs(spec: VaultCredentialSpec) -> dict[str, str]:
    """Each secret of the credential -> the environment variable holding it."""
    auth = spec.auth
    if isinstance(auth, StaticBearerAuth):
        return {"token": auth.token.env}
    if isinstance(auth, EnvironmentVariableAuth):
        return {"secret_value": auth.secret_value.env}
    envs = {"access_token": auth.access_token.env}
    if auth.refresh is not None:
        envs["refresh_token"] = auth.refresh.refresh_token.env
        if isinstance(auth.refresh.token_endpoint_auth, ClientSecret):
            envs["client_secret"] = auth.refresh.token_endpoint_auth.client_secret.env
    return envs


def _desired_auth(auth: StaticBearerAuth | McpOAuthAuth | EnvironmentVariableAuth) -> dict[str, Any]:
    """The part of `auth` the API reads back and cannot change in place."""
    if isinstance(auth, StaticBearerAuth):
        return {"type": auth.type, "mcp_server_url": auth.mcp_server_url}
    if isinstance(auth, EnvironmentVariableAuth):
        networking: dict[str, Any] = {"type": auth.networking.type}
        if isinstance(auth.networking, Limited):
            networking["allowed_hosts"] = [host.lower() for host in auth.networking.allowed_hosts]
        return {"type": auth.type, "secret_name": auth.secret_name, "networking": networking}
    shown: dict[str, Any] = {"type": auth.type, "mcp_server_url": auth.mcp_server_url}
    if auth.refresh is not None:
        refresh = auth.refresh
        shown["refresh"] = prune(
            {
                "client_id": refresh.client_id,
                "token_endpoint": refresh.token_endpoint,
                "token_endpoint_auth": {"type": refresh.token_endpoint_auth.type},
                "resource": refresh.resource,
            }
        )
    return shown


def _live_auth(auth: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The read-back `auth` as the spec holds it, and the fields changed in place (`expires_at`, `scope`)."""
    kind = auth.get("type")
    if kind == "static_bearer":
        return {"type": kind, "mcp_server_url": auth.get("mcp_server_url")}, {}
    if kind == "environment_variable":
        networking = dict(auth.get("networking") or {})
        return {"type": kind, "secret_name": auth.get("secret_name"), "networking": networking}, {}
    shown: dict[str, Any] = {"type": kind, "mcp_server_url": auth.get("mcp_server_url")}
    in_place: dict[str, Any] = {"expires_at": auth.get("expires_at")}
    refresh = auth.get("refresh")
    if refresh:
        endpoint_auth = refresh.get("token_endpoint_auth") or {}
        shown["refresh"] = prune(
            {
                "client_id": refresh.get("client_id"),
                "token_endpoint": refresh.get("token_endpoint"),
                "token_endpoint_auth": {"type": endpoint_auth.get("type")},
                "resource": refresh.get("resource"),
            }
        )
        in_place["scope"] = refresh.get("scope")
    return shown, in_place


def _last_applied_secrets(obj: LiveObject, inventory: Inventory) -> Any:
    """The secrets as the state last recorded them for this credential (None without a record)."""
    address = inventory.id_to_address.get(obj.id)
    return (inventory.applied.get(address) or {}).get("secrets") if address else None


class VaultCredentialKind(Kind):
    kind = "VaultCredential"
    spec_model = VaultCredentialSpec
    depends_on = ("Vault",)
    reads = ("Vault",)
    replace_paths = frozenset({"name", "vault", "auth"})

    def desired(self, resource: Resource, ctx: DesireContext) -> Spec:
        spec = manifest_spec(resource, VaultCredentialSpec)
        key = ctx.attributes.get(KEY)
        secrets = {}
        for field, env in sorted(_secret_envs(spec).items()):
            value = os.environ.get(env)
            secrets[field] = {"env": env, "fingerprint": fingerprint(key, value) if key and value else None}
        desired: Spec = {
            "name": resource.address.name if spec.display_name is None else server_name(spec.display_name),
            "vault": reference("Vault", spec.vault),
            "auth": _desired_auth(spec.auth),
            "secrets": secrets,
            "metadata": dict(spec.metadata),
        }
        if isinstance(spec.auth, McpOAuthAuth):
            desired["expires_at"] = spec.auth.expires_at
            if spec.auth.refresh is not None:
                desired["scope"] = spec.auth.refresh.scope
        return desired

    def reference_paths(self, spec: Spec) -> dict[str, str]:
        # a credential lives in its vault: a vault made anew (replaced, re-created) takes new credentials with it
        return {"vault": spec["vault"]} if isinstance(spec.get("vault"), str) else {}

    def fold_live(self, desired: Spec, live: Spec) -> Spec:
        """Take the live `expires_at` when the manifest leaves it out, and the live fingerprint of a secret whose
        fingerprint cannot be computed here (same variable)."""
        folded = dict(desired)
        if "expires_at" in folded and folded["expires_at"] is None and live.get("expires_at") is not None:
            folded["expires_at"] = live["expires_at"]
        live_secrets = live.get("secrets")
        if isinstance(live_secrets, dict):
            folded["secrets"] = {
                field: live_secrets[field]
                if entry.get("fingerprint") is None
                and isinstance(live_secrets.get(field), dict)
                and live_secrets[field].get("env") == entry.get("env")
                else entry
                for field, entry in desired["secrets"].items()
            }
        return folded

    def normalize(self, obj: LiveObject, inventory: Inventory) -> Spec:
        raw = obj.raw
        vault_id = str(raw.get("vault_id"))
        auth, in_place = _live_auth(raw.get("auth") or {})
        spec: Spec = {
            "name": raw.get("name"),
            "vault": inventory.id_to_address.get(vault_id, vault_id),
            "auth": auth,
            "metadata": user_metadata(raw.get("metadata")),
            **in_place,
        }
        secrets = obj.extra.get("secrets") or _last_applied_secrets(obj, inventory)
        if secrets is not None:
            spec["secrets"] = secrets
        return spec

    def refresh(self, ctx: OpenAIContext) -> list[LiveObject]:
        provider = ctx.provider
        vaults = project_vaults(ctx)

        def listed(vault: LiveObject) -> list[LiveObject]:
            path = f"/vaults/{vault.id}/credentials"
            try:
                items = list(provider.list_objects(path, address=None, operation="list vault credentials"))
            except NotFoundError:
                return []
            return [self._live(raw) for raw in items]

        with ThreadPoolExecutor(max_workers=max(1, min(len(vaults), ctx.parallelism))) as pool:
            found = [obj for objects in pool.map(listed, vaults) for obj in objects]
        return [obj for obj in found if ctx.inventory.owns(obj.id, obj.project)]

    def _live(self, raw: dict[str, Any], extra: dict[str, Any] | None = None) -> LiveObject:
        obj = LiveObject.from_metadata(self.kind, raw, extra)
        obj.id = remote_id(str(raw.get("vault_id")), raw["id"])
        return obj

    def _auth_body(self, spec: Spec, values: Mapping[str, str]) -> dict[str, Any]:
        """The create shape of `auth`, with the secrets' values."""
        auth = dict(spec["auth"])
        if auth["type"] == "static_bearer":
            return {**auth, "token": values["token"]}
        if auth["type"] == "environment_variable":
            return {**auth, "secret_value": values["secret_value"]}
        body: dict[str, Any] = {**auth, "access_token": values["access_token"]}
        if spec.get("expires_at") is not None:
            body["expires_at"] = spec["expires_at"]
        if "refresh" in auth:
            refresh = {**auth["refresh"], "refresh_token": values["refresh_token"]}
            if "client_secret" in values:
                refresh["token_endpoint_auth"] = {
                    **refresh["token_endpoint_auth"],
                    "client_secret": values["client_secret"],
                }
            if spec.get("scope") is not None:
                refresh["scope"] = spec["scope"]
            body["refresh"] = refresh
        return body

    def _rotate_body(self, spec: Spec, values: Mapping[str, str]) -> dict[str, Any]:
        """The rotate shape of `auth`: every secret again, `expires_at` and `scope` as the spec says."""
        kind = spec["auth"]["type"]
        if kind == "static_bearer":
            return {"type": kind, "token": values["token"]}
        if kind == "environment_variable":
            return {"type": kind, "secret_value": values["secret_value"]}
        body: dict[str, Any] = {
            "type": kind,
            "access_token": values["access_token"],
            "expires_at": spec.get("expires_at"),
        }
        if "refresh" in spec["auth"]:
            refresh: dict[str, Any] = {"refresh_token": values["refresh_token"], "scope": spec.get("scope")}
            if "client_secret" in values:
                endpoint_type = spec["auth"]["refresh"]["token_endpoint_auth"]["type"]
                refresh["token_endpoint_auth"] = {"type": endpoint_type, "client_secret": values["client_secret"]}
            body["refresh"] = refresh
        return body

    def _values(self, ctx: OpenAIContext, address: Address, spec: Spec) -> tuple[dict[str, str], Applied]:
        """The secrets' values read from the environment, and what to record once they are sent."""
        key = ctx.attributes(address).get(KEY) or token_hex(32)
        values: dict[str, str] = {}
        recorded: dict[str, Any] = {}
        for field, entry in spec["secrets"].items():
            values[field] = secret_value(address, f"secret {field}", entry["env"])
            recorded[field] = {"env": entry["env"], "fingerprint": fingerprint(key, values[field])}
        return values, Applied(LiveObject(self.kind, "", {}, extra={"secrets": recorded}), attributes={KEY: key})

    def _applied(self, pending: Applied, raw: dict[str, Any]) -> Applied:
        return Applied(self._live(raw, pending.live.extra), attributes=pending.attributes)

    def create(self, ctx: OpenAIContext, address: Address, spec: Spec) -> Applied:
        provider = ctx.provider
        vault_id = ctx.remote_id(spec["vault"])
        values, pending = self._values(ctx, address, spec)
        body = {
            "name": spec["name"],
            "auth": self._auth_body(spec, values),
            "metadata": {**spec["metadata"], **ctx.labels(address)},
        }
        path = f"/vaults/{vault_id}/credentials"
        raw: dict[str, Any] = create_safely(
            provider,
            address=address,
            create=lambda client: json.loads(
                client.beta.agents.vaults.credentials.with_raw_response.create(vault_id, **body).text
            ),
            find_existing=lambda: find_stamped(
                provider.list_objects(path, address=address, operation="look up"), ctx.project, address
            ),
        )
        return self._applied(pending, raw)

    def update(self, ctx: OpenAIContext, address: Address, remote_id: str, before: Spec, spec: Spec) -> Applied:
        provider = ctx.provider
        vault_id, credential_id = split_id(remote_id)
        body: dict[str, Any] = {"metadata": {**spec["metadata"], **ctx.labels(address)}}
        if any(before.get(field) != spec.get(field) for field in ROTATED):
            values, pending = self._values(ctx, address, spec)
            body["auth"] = self._rotate_body(spec, values)
        else:
            key = ctx.attributes(address).get(KEY)
            pending = Applied(
                LiveObject(self.kind, "", {}, extra={"secrets": spec["secrets"]}), attributes={KEY: key} if key else {}
            )
        raw = call(
            lambda: json.loads(
                provider.client.beta.agents.vaults.credentials.with_raw_response.update(
                    credential_id, vault_id=vault_id, **body
                ).text
            ),
            address=address,
            operation="update",
        )
        return self._applied(pending, raw)

    def delete(self, ctx: OpenAIContext, address: Address, remote_id: str) -> None:
        provider = ctx.provider
        vault_id, credential_id = split_id(remote_id)
        try:
            call(
                lambda: provider.client.beta.agents.vaults.credentials.delete(credential_id, vault_id=vault_id),
                address=address,
                operation="delete",
            )
        except NotFoundError:
            return

    def export(self, obj: LiveObject, ctx: ExportContext) -> Exported | None:
        from assistplan.kinds.platform_exports import export_vault_credential

        return export_vault_credential(self, obj, ctx)

    def read(self, ctx: OpenAIContext, remote_id: str, address: Address) -> LiveObject:
        return self._live(read_object(ctx, _path(remote_id), address))

    def stamp(self, ctx: OpenAIContext, address: Address, live: LiveObject, stamp: dict[str, str]) -> LiveObject:
        return self._live(stamp_metadata(ctx, _path(live.id), address, live, stamp))


def _path(remote_id: str) -> str:
    """The URL path of the credential whose id is `<vault id>/<credential id>`."""
    vault_id, credential_id = split_id(remote_id)
    return f"/vaults/{vault_id}/credentials/{credential_id}"


collection("/vaults/{id}/credentials", beta="agents=v1", two_ended=True)
register(VaultCredentialKind())
