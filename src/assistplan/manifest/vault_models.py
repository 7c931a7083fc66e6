"""Models of the Vault and VaultCredential kinds (Agents platform vaults and their credentials).

A credential's secrets (`token`, `access_token`, `refresh_token`, `client_secret`, `secret_value`) are references
only (`{env: NAME}`), read from the environment at apply time and never shown, stored or digested in clear; a literal
value is a validate error that names the reference syntax without repeating the value. The limits and rules are the
API's: HTTPS URLs, 1-16 distinct lowercase hosts without scheme, port or wildcard, secret names of letters, digits and
underscores that are not reserved.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Literal

from pydantic import AfterValidator, BeforeValidator, Field

from assistplan.manifest.fields import (
    ENV_NAME_PATTERN,
    SECRET_REFERENCE_ONLY,
    KindSpec,
    Metadata,
    Spec,
    problem,
)
from assistplan.manifest.policy_models import PolicyPaths

if TYPE_CHECKING:
    from assistplan.manifest.resolution import Resolution

MAX_HOSTS = 16
RESERVED_SECRET_NAMES = frozenset(
    {"HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "ALL_PROXY", "SSL_CERT_FILE", "SSL_CERT_DIR", "REQUESTS_CA_BUNDLE"}
    | {"CURL_CA_BUNDLE", "NODE_EXTRA_CA_CERTS", "PIP_CERT"}
)
"""Proxy and certificate variables the hosted environment manages (besides every `CODEX_` name)."""
_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
_HOST = re.compile(rf"^(?:\d{{1,3}}(?:\.\d{{1,3}}){{3}}|{_LABEL}(?:\.{_LABEL})*)$")
_SECRET_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class SecretRef(Spec):
    """Where a secret's value comes from: only ever an environment variable of the machine running apply."""

    env: Annotated[str, Field(pattern=ENV_NAME_PATTERN)]


def _only_reference(value: Any) -> Any:
    """Refuse a literal secret without ever repeating it in the message."""
    if not isinstance(value, dict | SecretRef):
        raise problem(f"secret values {SECRET_REFERENCE_ONLY}")
    return value


Secret = Annotated[SecretRef, BeforeValidator(_only_reference)]


def _https(value: str) -> str:
    if not re.match(r"^https://[^\s/?#]+\S*$", value):
        raise problem(f'must be an https:// URL, got "{value}"')
    return value


def _rfc3339(value: str) -> str:
    try:
        datetime.fromisoformat(value)
    except ValueError:
        raise problem(f'must be an RFC 3339 timestamp such as 2030-01-31T00:00:00Z, got "{value}"') from None
    return value


def _not_blank(value: str) -> str:
    if value and not value.strip():
        raise problem("the API trims names and refuses one of white space only")
    return value


def _secret_name(value: str) -> str:
    if not _SECRET_NAME.match(value):
        raise problem("letters, digits and _ only, not starting with a digit")
    if value.upper().startswith("CODEX_") or value.upper() in RESERVED_SECRET_NAMES:
        raise problem(f'"{value}" is reserved by the hosted environment')
    return value


def _hosts(value: list[str]) -> list[str]:
    for index, host in enumerate(value):
        if not _HOST.match(host.lower()):
            raise problem("a hostname or IPv4 address, without scheme, path, port or wildcard", (index,))
    seen: set[str] = set()
    for index, host in enumerate(value):
        if host.lower() in seen:
            raise problem(f'"{host}" is listed twice (hosts are compared in lowercase)', (index,))
        seen.add(host.lower())
    return value


HttpsUrl = Annotated[str, AfterValidator(_https)]


class VaultSpec(KindSpec):
    """A vault: a named collection of credentials that sessions, automations and environments attach by id."""

    kind: Literal["Vault"]
    display_name: Annotated[str, Field(max_length=256), AfterValidator(_not_blank)] | None = None
    """The vault's name on the server, when it is not the manifest name (kept by `export`); `""` keeps it nameless."""
    metadata: Metadata = Field(default_factory=dict)
    """String pairs: at most 13 (assistplan uses 3 of the API's 16); keys <= 64, values <= 512 chars."""


class StaticBearerAuth(Spec):
    """A bearer token that OpenAI sends to an MCP server (`Authorization: Bearer`)."""

    type: Literal["static_bearer"]
    mcp_server_url: HttpsUrl
    """The MCP server's HTTPS URL (changing it replaces the credential)."""
    token: Secret
    """{env: VARIABLE}: the token, read from the environment at apply time."""


class NoClientSecret(Spec):
    type: Literal["none"]


class ClientSecret(Spec):
    type: Literal["client_secret_basic", "client_secret_post"]
    client_secret: Secret
    """{env: VARIABLE}: the OAuth client secret."""


TokenEndpointAuth = Annotated[NoClientSecret | ClientSecret, Field(discriminator="type")]


class OAuthRefresh(Spec):
    """How the server refreshes the access token."""

    client_id: Annotated[str, Field(min_length=1)]
    token_endpoint: HttpsUrl
    refresh_token: Secret
    """{env: VARIABLE}: the refresh token."""
    token_endpoint_auth: TokenEndpointAuth
    """{type: none} or {type: client_secret_basic | client_secret_post, client_secret: {env: VARIABLE}}."""
    resource: Annotated[str, Field(min_length=1)] | None = None
    scope: Annotated[str, Field(min_length=1)] | None = None
    """Space-separated scopes asked for on refresh (changed in place)."""


class McpOAuthAuth(Spec):
    """An OAuth access token for an MCP server, optionally refreshed by the server."""

    type: Literal["mcp_oauth"]
    mcp_server_url: HttpsUrl
    access_token: Secret
    """{env: VARIABLE}: the access token."""
    expires_at: Annotated[str, AfterValidator(_rfc3339)] | None = None
    """When the access token expires (RFC 3339); left out, the server's value is kept."""
    refresh: OAuthRefresh | None = None


class Unrestricted(Spec):
    type: Literal["unrestricted"]


class Limited(Spec):
    type: Literal["limited"]
    allowed_hosts: Annotated[list[str], Field(min_length=1, max_length=MAX_HOSTS), AfterValidator(_hosts)]
    """1 to 16 distinct hostnames or IPv4 addresses."""


Networking = Annotated[Unrestricted | Limited, Field(discriminator="type")]


class EnvironmentVariableAuth(Spec):
    """A secret that hosted sandboxes see as a placeholder, substituted by the egress proxy for allowed hosts."""

    type: Literal["environment_variable"]
    secret_name: Annotated[str, AfterValidator(_secret_name)]
    """The variable name inside the sandbox (changing it replaces the credential)."""
    secret_value: Secret
    """{env: VARIABLE}: the secret."""
    networking: Networking
    """{type: unrestricted} or {type: limited, allowed_hosts: [...]}."""


CredentialAuth = Annotated[StaticBearerAuth | McpOAuthAuth | EnvironmentVariableAuth, Field(discriminator="type")]


class VaultCredentialSpec(KindSpec):
    """A credential in a vault; its secrets are write-only and come from environment variables."""

    policy_paths: ClassVar[PolicyPaths] = PolicyPaths(mcp_urls=("auth.mcp_server_url",))

    kind: Literal["VaultCredential"]
    display_name: Annotated[str, Field(min_length=1, max_length=256), AfterValidator(_not_blank)] | None = None
    """The credential's name on the server, when it is not the manifest name (kept by `export`; changing it replaces
    the credential)."""
    vault: Annotated[str, Field(min_length=1)]
    """The Vault manifest holding it (moving it replaces the credential)."""
    auth: CredentialAuth
    """static_bearer, mcp_oauth or environment_variable, with its secrets as {env: VARIABLE}."""
    metadata: Metadata = Field(default_factory=dict)
    """String pairs: at most 13 (assistplan uses 3 of the API's 16); keys <= 64, values <= 512 chars."""

    def resolve(self, resolution: Resolution) -> None:
        resolution.reference("Vault", self.vault, ("vault",))
