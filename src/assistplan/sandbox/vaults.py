"""`/vaults` and `/vaults/{vault_id}/credentials` (Agents platform, `OpenAI-Beta: agents=v1`).

Vaults: create (`name` trimmed, 1-256 UTF-8 bytes; `metadata` map or null), retrieve, update (`name` null clears it;
`metadata` replaces all), list, delete (which deletes every credential of the vault). Credentials: create (`name`
and `auth` required, `metadata` defaults to `{}`), retrieve, update (only `metadata`, which replaces all, and `auth`
in the rotate shape of the credential's own type; no `name`), list, delete.

Secrets (`token`, `access_token`, `refresh_token`, `client_secret`, `secret_value`) are kept but never answered:
`auth` reads back `static_bearer {type, mcp_server_url}`, `mcp_oauth {type, mcp_server_url, expires_at, refresh:
{client_id, token_endpoint, token_endpoint_auth: {type}, resource, scope} | null}` and `environment_variable {type,
secret_name, networking}` with `allowed_hosts` lowercased. Lists page with `after`/`limit`/`order` (newest first by
default) and filter by `metadata[key]=value` (every pair must match) and `status` (`active`, `archived` or both as
`status[]`; every sandbox object is active).
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from assistplan.sandbox.errors import invalid, invalid_type, invalid_value, not_found
from assistplan.sandbox.routing import AGENTS_BETA, Call, delete, deleted, get, list_query, paginate, post, public
from assistplan.sandbox.store import new_id
from assistplan.sandbox.validate import (
    MAX_KEY,
    MAX_PAIRS,
    MAX_VALUE,
    MISSING,
    check_length,
    field,
    metadata,
    obj,
    only,
    string,
    string_list,
)

VAULT = "vault"
CREDENTIAL = "vault.credential"
NAME_BYTES = 256
AUTH_TYPES = ("static_bearer", "mcp_oauth", "environment_variable")
ENDPOINT_AUTH_TYPES = ("none", "client_secret_basic", "client_secret_post")
STATUSES = ("active", "archived")
SECRET_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
RESERVED_SECRET_NAMES = frozenset(
    {"HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "ALL_PROXY", "SSL_CERT_FILE", "SSL_CERT_DIR", "REQUESTS_CA_BUNDLE"}
    | {"CURL_CA_BUNDLE", "NODE_EXTRA_CA_CERTS", "PIP_CERT"}
)
"""Proxy and certificate variables the hosted environment manages (besides every `CODEX_` name)."""
LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
HOST = re.compile(rf"^(?:\d{{1,3}}(?:\.\d{{1,3}}){{3}}|{LABEL}(?:\.{LABEL})*)$")
MAX_HOSTS = 16


def _name(body: dict[str, Any], param: str = "name", *, required: bool = False, nullable: bool = False) -> Any:
    """A name trimmed of surrounding white space, 1 to 256 UTF-8 bytes once trimmed."""
    value = string(body, "name", required=required, nullable=nullable)
    if not isinstance(value, str):
        return value
    trimmed = value.strip()
    size = len(trimmed.encode())
    if not 1 <= size <= NAME_BYTES:
        raise invalid(param, f"the name must be 1 to {NAME_BYTES} UTF-8 bytes after trimming, not {size}.")
    return trimmed


def _metadata_update(body: dict[str, Any]) -> Any:
    """Metadata on update: a map that replaces all (`{}` clears), never null."""
    if "metadata" not in body:
        return MISSING
    if body["metadata"] is None:
        raise invalid_type("metadata", "an object", None)
    return metadata(body["metadata"])


def _https(body: dict[str, Any], key: str, prefix: str) -> str:
    url = string(body, key, prefix, required=True, nullable=False)
    if not url.startswith("https://") or len(url) <= len("https://"):
        raise invalid(f"{prefix}.{key}", "must be an HTTPS URL.")
    return str(url)


def _secret(body: dict[str, Any], key: str, prefix: str, *, required: bool = True) -> Any:
    """A write-only secret: a non-empty string (None or MISSING when optional and not given)."""
    value = string(body, key, prefix, required=required, nullable=not required)
    if value is MISSING or value is None:
        return value
    if value == "":
        raise invalid(f"{prefix}.{key}", "must not be empty.")
    return value


# --- vaults -------------------------------------------------------------------------------------------------------


def _vault(call: Call) -> dict[str, Any]:
    vault = call.store.get(VAULT, call.params["vault_id"])
    if vault is None:
        raise not_found("vault", call.params["vault_id"])
    return vault


def create_vault(call: Call) -> dict[str, Any]:
    only(call.body, ("name", "metadata"))
    name = _name(call.body)
    vault = {
        "id": new_id("vault_"),
        "object": "vault",
        "created_at": call.timestamp,
        "metadata": metadata(call.body.get("metadata")),
        "name": None if name is MISSING else name,
    }
    call.store.put(VAULT, vault)
    return vault


def update_vault(call: Call) -> dict[str, Any]:
    vault = _vault(call)
    only(call.body, ("name", "metadata"))
    name = _name(call.body, nullable=True)
    if name is not MISSING:
        vault["name"] = name
    replaced = _metadata_update(call.body)
    if replaced is not MISSING:
        vault["metadata"] = replaced
    call.store.put(VAULT, vault)
    return vault


def remove_vault(call: Call) -> dict[str, Any]:
    vault_id = _vault(call)["id"]
    with call.store.transaction():
        call.store.delete_children(CREDENTIAL, vault_id)
        call.store.delete(VAULT, vault_id)
    return deleted(vault_id, "vault.deleted")


def _filters(call: Call) -> tuple[dict[str, str], tuple[str, ...]]:
    """The `metadata[key]=value` pairs and the statuses (`status` or `status[]`) a list asks for."""
    items = call.query.multi_items() if hasattr(call.query, "multi_items") else list(call.query.items())
    pairs: dict[str, str] = {}
    statuses: list[str] = []
    for key, value in items:
        if key.startswith("metadata[") and key.endswith("]"):
            name = key[len("metadata[") : -1]
            if not name:
                raise invalid("metadata", "keys must be 1 to 64 characters.")
            check_length(f"metadata[{name}]", name, MAX_KEY)
            check_length(f"metadata[{name}]", value, MAX_VALUE)
            pairs[name] = value
        elif key in ("status", "status[]"):
            if value not in STATUSES:
                raise invalid_value("status", value, STATUSES)
            statuses.append(value)
    if len(pairs) > MAX_PAIRS:
        raise invalid("metadata", f"at most {MAX_PAIRS} pairs may be given, not {len(pairs)}.")
    return pairs, tuple(statuses) or STATUSES


def _filtered(call: Call, kind: str, parent: str = "") -> dict[str, Any]:
    pairs, statuses = _filters(call)

    def view(row: dict[str, Any]) -> dict[str, Any] | None:
        found = row.get("metadata") or {}
        if "active" not in statuses or any(found.get(key) != value for key, value in pairs.items()):
            return None
        return public(row)

    return paginate(call, kind, list_query(call, before=False), parent=parent, view=view)


# --- credentials ------------------------------------------------------------------------------------------------


def _endpoint_auth(value: Any, param: str) -> tuple[dict[str, Any], dict[str, str]]:
    auth = obj(value, param)
    kind = field(auth, "type", param, required=True)
    if kind not in ENDPOINT_AUTH_TYPES:
        raise invalid_value(f"{param}.type", kind, ENDPOINT_AUTH_TYPES)
    if kind == "none":
        only(auth, ("type",), param)
        return {"type": kind}, {}
    only(auth, ("type", "client_secret"), param)
    return {"type": kind}, {"client_secret": _secret(auth, "client_secret", param)}


def _refresh(value: Any, param: str) -> tuple[dict[str, Any] | None, dict[str, str]]:
    if value is None:
        return None, {}
    refresh = obj(value, param)
    only(refresh, ("client_id", "refresh_token", "token_endpoint", "token_endpoint_auth", "resource", "scope"), param)
    endpoint_auth, secrets = _endpoint_auth(
        field(refresh, "token_endpoint_auth", param, required=True), f"{param}.token_endpoint_auth"
    )
    shown = {
        "client_id": string(refresh, "client_id", param, required=True, nullable=False),
        "token_endpoint": _https(refresh, "token_endpoint", param),
        "token_endpoint_auth": endpoint_auth,
        "resource": string(refresh, "resource", param) or None,
        "scope": string(refresh, "scope", param) or None,
    }
    return shown, {"refresh_token": _secret(refresh, "refresh_token", param), **secrets}


def _expires_at(body: dict[str, Any], param: str) -> Any:
    value = string(body, "expires_at", param)
    if isinstance(value, str):
        try:
            datetime.fromisoformat(value)
        except ValueError:
            raise invalid(f"{param}.expires_at", "must be an RFC 3339 timestamp.") from None
    return value


def _networking(value: Any, param: str) -> dict[str, Any]:
    networking = obj(value, param)
    kind = field(networking, "type", param, required=True)
    if kind == "unrestricted":
        only(networking, ("type",), param)
        return {"type": kind}
    if kind != "limited":
        raise invalid_value(f"{param}.type", kind, ("unrestricted", "limited"))
    only(networking, ("type", "allowed_hosts"), param)
    hosts = string_list(networking, "allowed_hosts", param, max_items=MAX_HOSTS)
    if hosts is MISSING:
        field(networking, "allowed_hosts", param, required=True)
    lowered = [host.lower() for host in hosts]
    if not lowered:
        raise invalid(f"{param}.allowed_hosts", f"1 to {MAX_HOSTS} hosts are required.")
    for index, host in enumerate(lowered):
        if not HOST.match(host):
            raise invalid(
                f"{param}.allowed_hosts[{index}]",
                "must be a hostname or IPv4 address without scheme, path, port or wildcard.",
            )
    if len(set(lowered)) != len(lowered):
        raise invalid(f"{param}.allowed_hosts", "hosts must be distinct.")
    return {"type": kind, "allowed_hosts": lowered}


def _secret_name(body: dict[str, Any], param: str) -> str:
    name = string(body, "secret_name", param, required=True, nullable=False)
    if not SECRET_NAME.match(name):
        raise invalid(
            f"{param}.secret_name", "use ASCII letters, digits and underscores, starting with a letter or underscore."
        )
    if name.upper().startswith("CODEX_") or name.upper() in RESERVED_SECRET_NAMES:
        raise invalid(f"{param}.secret_name", f"'{name}' is a reserved environment variable name.")
    return str(name)


def _secret_value(body: dict[str, Any], param: str) -> str:
    value = _secret(body, "secret_value", param)
    if any(char in value for char in "\r\n\0"):
        raise invalid(f"{param}.secret_value", "must not contain carriage returns, newlines or NUL bytes.")
    return str(value)


def _auth(value: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """The credential's shown `auth` and its secrets, from a create request."""
    param = "auth"
    auth = obj(value, param)
    kind = field(auth, "type", param, required=True)
    if kind == "static_bearer":
        only(auth, ("type", "mcp_server_url", "token"), param)
        url = _https(auth, "mcp_server_url", param)
        return {"type": kind, "mcp_server_url": url}, {"token": _secret(auth, "token", param)}
    if kind == "mcp_oauth":
        only(auth, ("type", "mcp_server_url", "access_token", "expires_at", "refresh"), param)
        url = _https(auth, "mcp_server_url", param)
        access = _secret(auth, "access_token", param)
        refresh, refresh_secrets = _refresh(auth.get("refresh"), f"{param}.refresh")
        shown = {
            "type": kind,
            "mcp_server_url": url,
            "expires_at": _expires_at(auth, param) or None,
            "refresh": refresh,
        }
        return shown, {"access_token": access, **refresh_secrets}
    if kind == "environment_variable":
        only(auth, ("type", "secret_name", "secret_value", "networking"), param)
        shown = {
            "type": kind,
            "secret_name": _secret_name(auth, param),
            "networking": _networking(field(auth, "networking", param, required=True), f"{param}.networking"),
        }
        return shown, {"secret_value": _secret_value(auth, param)}
    raise invalid_value(f"{param}.type", kind, AUTH_TYPES)


def _rotate(credential: dict[str, Any], value: Any) -> None:
    """Apply an update's `auth` (the rotate shape of the credential's own type) to the stored credential."""
    param = "auth"
    auth = obj(value, param)
    current = credential["auth"]
    kind = field(auth, "type", param, required=True)
    if kind != current["type"]:
        raise invalid(f"{param}.type", f"must be '{current['type']}', the credential's authentication method.")
    secrets = credential["_secrets"]
    if kind == "static_bearer":
        only(auth, ("type", "token"), param)
        secrets["token"] = _secret(auth, "token", param)
    elif kind == "environment_variable":
        only(auth, ("type", "secret_value"), param)
        secrets["secret_value"] = _secret_value(auth, param)
    else:
        only(auth, ("type", "access_token", "expires_at", "refresh"), param)
        access = _secret(auth, "access_token", param, required=False)
        expires = _expires_at(auth, param)
        if access:
            secrets["access_token"] = access
        if expires is not MISSING:
            current["expires_at"] = expires
        elif access:
            current["expires_at"] = None
        if auth.get("refresh") is not None:
            _rotate_refresh(current, secrets, obj(auth["refresh"], f"{param}.refresh"), f"{param}.refresh")


def _rotate_refresh(current: dict[str, Any], secrets: dict[str, Any], refresh: dict[str, Any], param: str) -> None:
    shown = current.get("refresh")
    if shown is None:
        raise invalid(param, "the credential has no refresh configuration to update.")
    only(refresh, ("refresh_token", "scope", "token_endpoint_auth"), param)
    token = _secret(refresh, "refresh_token", param, required=False)
    if token:
        secrets["refresh_token"] = token
    scope = string(refresh, "scope", param)
    if scope is not MISSING:
        shown["scope"] = scope or None
    if refresh.get("token_endpoint_auth") is None:
        return
    endpoint_param = f"{param}.token_endpoint_auth"
    endpoint = obj(refresh["token_endpoint_auth"], endpoint_param)
    only(endpoint, ("type", "client_secret"), endpoint_param)
    kind = field(endpoint, "type", endpoint_param, required=True)
    if kind not in ("client_secret_basic", "client_secret_post"):
        raise invalid_value(f"{endpoint_param}.type", kind, ("client_secret_basic", "client_secret_post"))
    if kind != shown["token_endpoint_auth"]["type"]:
        raise invalid(f"{endpoint_param}.type", f"must be '{shown['token_endpoint_auth']['type']}'.")
    client_secret = _secret(endpoint, "client_secret", endpoint_param, required=False)
    if client_secret:
        secrets["client_secret"] = client_secret


def _credential(call: Call) -> dict[str, Any]:
    vault_id = _vault(call)["id"]
    credential = call.store.get(CREDENTIAL, call.params["credential_id"], vault_id)
    if credential is None:
        raise not_found("vault credential", call.params["credential_id"])
    return credential


def create_credential(call: Call) -> dict[str, Any]:
    vault_id = _vault(call)["id"]
    only(call.body, ("name", "auth", "metadata"))
    name = _name(call.body, required=True)
    auth, secrets = _auth(field(call.body, "auth", required=True))
    credential = {
        "id": new_id("cred_"),
        "object": "vault.credential",
        "vault_id": vault_id,
        "name": name,
        "created_at": call.timestamp,
        "updated_at": call.timestamp,
        "metadata": metadata(call.body.get("metadata")),
        "auth": auth,
        "_secrets": secrets,
    }
    call.store.put(CREDENTIAL, credential, vault_id)
    return public(credential)


def update_credential(call: Call) -> dict[str, Any]:
    credential = _credential(call)
    only(call.body, ("auth", "metadata"))
    replaced = _metadata_update(call.body)
    if "auth" in call.body:
        _rotate(credential, call.body["auth"])
    if replaced is not MISSING:
        credential["metadata"] = replaced
    credential["updated_at"] = call.timestamp
    call.store.put(CREDENTIAL, credential, credential["vault_id"])
    return public(credential)


def remove_credential(call: Call) -> dict[str, Any]:
    credential = _credential(call)
    call.store.delete(CREDENTIAL, credential["id"], credential["vault_id"])
    return deleted(credential["id"], "vault.credential.deleted")


ROUTES = [
    post("/vaults", create_vault, AGENTS_BETA),
    get("/vaults", lambda call: _filtered(call, VAULT), AGENTS_BETA),
    get("/vaults/{vault_id}", _vault, AGENTS_BETA),
    post("/vaults/{vault_id}", update_vault, AGENTS_BETA),
    delete("/vaults/{vault_id}", remove_vault, AGENTS_BETA),
    post("/vaults/{vault_id}/credentials", create_credential, AGENTS_BETA),
    get("/vaults/{vault_id}/credentials", lambda call: _filtered(call, CREDENTIAL, _vault(call)["id"]), AGENTS_BETA),
    get("/vaults/{vault_id}/credentials/{credential_id}", lambda call: public(_credential(call)), AGENTS_BETA),
    post("/vaults/{vault_id}/credentials/{credential_id}", update_credential, AGENTS_BETA),
    delete("/vaults/{vault_id}/credentials/{credential_id}", remove_credential, AGENTS_BETA),
]
