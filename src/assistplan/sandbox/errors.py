"""OpenAI-shaped errors: the exception handlers raise and the `{"error": {...}}` bodies the sandbox answers with.

Messages, types and codes follow what the real API sends, so code that parses OpenAI errors parses these too.
"""

from __future__ import annotations

from typing import Any


class SandboxError(Exception):
    """An error answered to the client as `{"error": {"message", "type", "param", "code"}}` with `status`."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        type: str = "invalid_request_error",
        param: str | None = None,
        code: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.type = type
        self.param = param
        self.code = code
        self.headers = headers or {}

    def body(self) -> dict[str, Any]:
        return {"error": {"message": self.message, "type": self.type, "param": self.param, "code": self.code}}


def describe(value: Any) -> str:
    """The JSON type name the real API uses in "expected X, but got Y" messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a decimal"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return "an object"


def not_found(what: str, object_id: str, *, param: str | None = None) -> SandboxError:
    return SandboxError(404, f"No {what} found with id '{object_id}'.", param=param)


def invalid_url(method: str, path: str) -> SandboxError:
    return SandboxError(404, f"Invalid URL ({method} {path})")


def unknown_parameter(param: str) -> SandboxError:
    return SandboxError(400, f"Unknown parameter: '{param}'.", param=param, code="unknown_parameter")


def missing_parameter(param: str) -> SandboxError:
    return SandboxError(400, f"Missing required parameter: '{param}'.", param=param, code="missing_required_parameter")


def invalid_type(param: str, expected: str, value: Any) -> SandboxError:
    return SandboxError(
        400,
        f"Invalid type for '{param}': expected {expected}, but got {describe(value)} instead.",
        param=param,
        code="invalid_type",
    )


def invalid_value(param: str, value: Any, supported: tuple[str, ...]) -> SandboxError:
    if len(supported) > 1:
        choices = ", ".join(f"'{s}'" for s in supported[:-1]) + f", and '{supported[-1]}'"
    else:
        choices = f"'{supported[0]}'"
    return SandboxError(
        400,
        f"Invalid value: '{value}'. Supported values are: {choices}.",
        param=param,
        code="invalid_value",
    )


def invalid(param: str, message: str, code: str | None = None) -> SandboxError:
    return SandboxError(400, f"Invalid '{param}': {message}", param=param, code=code)


def unauthorized() -> SandboxError:
    return SandboxError(
        401,
        "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer "
        "auth (i.e. Authorization: Bearer YOUR_KEY), or as the password field (with blank username) if you're "
        "accessing the API from your browser and are prompted for a username and password.",
    )


def incorrect_key(token: str) -> SandboxError:
    """OpenAI's answer to a wrong key: the key masked but for its first 8 and last 4 characters."""
    masked = token[:8] + "*" * (len(token) - 12) + token[-4:] if len(token) > 12 else "*" * len(token)
    return SandboxError(
        401,
        f"Incorrect API key provided: {masked}. You can find your API key at "
        "https://platform.openai.com/account/api-keys.",
        code="invalid_api_key",
    )


def missing_beta(beta: str) -> SandboxError:
    api = "Agents" if beta.startswith("agents") else "Assistants"
    return SandboxError(
        400,
        f"You must provide the 'OpenAI-Beta' header to access the {api} API. "
        f"Please try again by setting the header 'OpenAI-Beta: {beta}'.",
        code="invalid_beta",
    )


def rate_limited(retry_after_ms: int) -> SandboxError:
    seconds = max(1, -(-retry_after_ms // 1000))
    return SandboxError(
        429,
        "Rate limit reached for requests. Please try again shortly.",
        type="requests",
        code="rate_limit_exceeded",
        headers={"retry-after-ms": str(retry_after_ms), "retry-after": str(seconds)},
    )


def echoed_credentials(headers: list[tuple[bytes, bytes]]) -> SandboxError:
    """A 400 quoting the request's credential headers (the `echo` fault)."""
    quoted = "; ".join(
        f"{name.decode('latin-1')}: {value.decode('latin-1')}"
        for name, value in headers
        if name in (b"authorization", b"api-key")
    )
    return SandboxError(400, f"Could not process the request headers ({quoted}).")


def server_error() -> SandboxError:
    return SandboxError(
        500,
        "The server had an error while processing your request. Sorry about that!",
        type="server_error",
    )
