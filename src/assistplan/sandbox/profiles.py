"""Server profiles: how the sandbox differs to behave like a real server.

- `sandbox` (default): any non-empty key is accepted; every route is served; responses carry the resolved defaults
  the SDK models (e.g. `reasoning_effort` on assistants).
- `openai`: the OpenAI platform after 2026-08-26: only `Settings.api_key` is accepted (401 `invalid_api_key`
  otherwise), and every `/assistants` and `/threads` route answers 404 (the Assistants API was shut down).
- `spec`: every response object carries only the fields the official OpenAPI spec declares for its type.
- `assistants-only`: an OpenAI-compatible server without the Agents API or the platform around it: `/agents` (and
  everything under it: environment templates, automations, sessions), `/vaults` and `/skills` routes answer 404.
"""

from __future__ import annotations

from typing import Any

from assistplan.sandbox.errors import SandboxError, incorrect_key, unauthorized

API_KEY = "sk-sandbox"
DEFAULT = "sandbox"
PROFILES: tuple[str, ...] = (DEFAULT, "openai", "spec", "assistants-only")
AGENTS_PLATFORM = ("/agents", "/vaults", "/skills")
"""Path prefixes of the Agents API and the platform around it, which an Assistants-only server lacks."""

# Top-level properties per `object` type in the official OpenAPI spec (github.com/openai/openai-openapi,
# openapi.yaml at f85dbe2, 2026-08-21): components.schemas AssistantObject, VectorStoreObject, VectorStoreFileObject,
# VectorStoreFileBatchObject and OpenAIFile. The spec declares no Agents API, so agent objects pass unchanged.
SPEC_FIELDS: dict[str, frozenset[str]] = {
    "assistant": frozenset(
        (
            "id",
            "object",
            "created_at",
            "name",
            "description",
            "model",
            "instructions",
            "tools",
            "tool_resources",
            "metadata",
            "temperature",
            "top_p",
            "response_format",
        )
    ),
    "vector_store": frozenset(
        (
            "id",
            "object",
            "created_at",
            "name",
            "usage_bytes",
            "file_counts",
            "status",
            "expires_after",
            "expires_at",
            "last_active_at",
            "metadata",
        )
    ),
    "vector_store.file": frozenset(
        (
            "id",
            "object",
            "usage_bytes",
            "created_at",
            "vector_store_id",
            "status",
            "last_error",
            "chunking_strategy",
            "attributes",
        )
    ),
    "vector_store.files_batch": frozenset(("id", "object", "created_at", "vector_store_id", "status", "file_counts")),
    "file": frozenset(
        ("id", "bytes", "created_at", "expires_at", "filename", "object", "purpose", "status", "status_details")
    ),
}
# DeleteAssistantResponse, DeleteFileResponse, DeleteVectorStoreResponse, DeleteVectorStoreFileResponse.
DELETED_FIELDS = frozenset(("id", "object", "deleted"))


def check(profile: str) -> str:
    """`profile` if it names a profile; ValueError otherwise."""
    if profile not in PROFILES:
        raise ValueError(f"unknown sandbox profile {profile!r}; choose from {', '.join(PROFILES)}")
    return profile


def serves(profile: str, route_key: str) -> bool:
    """Whether a server of `profile` has the route (`"METHOD /template"`)."""
    path = route_key.partition(" ")[2]
    if profile == "openai":
        return not path.startswith(("/assistants", "/threads"))
    if profile == "assistants-only":
        return not path.startswith(AGENTS_PLATFORM)
    return True


def authenticate(profile: str, headers: list[tuple[bytes, bytes]], api_key: str) -> SandboxError | None:
    """The 401 a server of `profile` answers for these request headers, or None when the key is accepted."""
    token = _key(headers, azure=profile != "openai")
    if not token:
        return unauthorized()
    if profile == "openai" and token != api_key:
        return incorrect_key(token)
    return None


def _key(headers: list[tuple[bytes, bytes]], *, azure: bool) -> str:
    for name, value in headers:
        if name == b"authorization":
            scheme, _, token = value.decode("latin-1").partition(" ")
            return token.strip() if scheme.lower() == "bearer" else ""
        if azure and name == b"api-key":
            return value.decode("latin-1").strip()
    return ""


def shape(profile: str, body: dict[str, Any]) -> dict[str, Any]:
    """The response body as a server of `profile` sends it."""
    if profile != "spec":
        return body
    if body.get("object") == "list" and isinstance(body.get("data"), list):
        return {**body, "data": [_spec_object(item) for item in body["data"]]}
    return dict(_spec_object(body))


def _spec_object(body: Any) -> Any:
    if not isinstance(body, dict):
        return body
    fields = DELETED_FIELDS if "deleted" in body else SPEC_FIELDS.get(body.get("object", ""))
    if fields is None:
        return body
    return {key: value for key, value in body.items() if key in fields}
