"""The Flowise REST client (httpx) and the guards its API needs.

Flowise answers some mistakes with a success: an unknown `/api/v1/...` path with a valid key is the UI's HTML page
with status 200, and several services wrap "not found" in a 500. Every response goes through `_check`: HTML where
JSON was asked for is an error, "not found" is recognised from a 404 or from a 500 whose message names the object
asked for, and everything else maps to a ProviderError naming the address and the operation. Reads, updates and
deletes are retried on connection failures and on 5xx that are not "not found"; creates never are (a POST replayed
blindly could duplicate the object: the kinds look the object up instead), except when the connection could not be
made at all (nothing was sent). A connection must be made within `CONNECT_TIMEOUT`; one that cannot be is tried
again `CONNECT_RETRIES` times, each announced by a notice naming the server's URL. The API key is sent as a bearer
token and never appears in a message, nor does any secret value registered with `redact`, nor anything shaped like a
credential (`assistplan.redact`). Errors name the request (method and URL, without credentials) and Flowise's request
id when it sends one. httpx is imported on first use.
"""

from __future__ import annotations

import os
import re
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

from assistplan import redact
from assistplan.errors import ConfigurationError, NotFoundError, ProviderError
from assistplan.providers import (
    CONNECT_RETRIES,
    CONNECT_TIMEOUT,
    Provider,
    connection_failure,
    display_url,
    retrying_connection,
)

API_PREFIX = "/api/v1"
RETRIES = 3
TIMEOUT = 60.0
_SERVICE_PREFIX = re.compile(r"^(Error: [\w.]+ - )+")
_NOT_FOUND = re.compile(r"\bnot found\b", re.IGNORECASE)
if TYPE_CHECKING:
    import httpx

_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.IGNORECASE)


class FlowiseApi(Provider, Protocol):
    """What the Flowise kinds call (`FlowiseContext`): the REST calls of `FlowiseProvider`, which
    `connect_flowise` is checked to return. A connector given to a `Workspace` returns a `Provider`;
    the Flowise kinds then call these on it."""

    @property
    def url(self) -> str:
        """The server's base URL (what a cache of its node definitions is keyed by)."""
        ...

    def redact(self, value: str) -> None: ...

    def get(self, path: str, *, address: str | None, operation: str) -> Any: ...

    def post(self, path: str, body: dict[str, Any], *, address: str | None, operation: str = "create") -> Any: ...

    def put(self, path: str, body: dict[str, Any], *, address: str | None, operation: str = "update") -> Any: ...

    def delete(self, path: str, *, address: str | None, operation: str = "delete") -> Any: ...


class FlowiseProvider:
    """One Flowise server: its URL, an authenticated client, and the values no message may show."""

    def __init__(
        self,
        url: str,
        api_key: str,
        *,
        transport: httpx.BaseTransport | None = None,
        backoff: Callable[[int], float] = lambda attempt: min(0.2 * 2**attempt, 2.0),
    ) -> None:
        import httpx

        from assistplan.providers.transport import LazyTLSTransport

        self.url = url.rstrip("/")
        self._client = httpx.Client(
            base_url=self.url + API_PREFIX,
            headers={"Authorization": f"Bearer {api_key}", "Accept": "application/json"},
            timeout=httpx.Timeout(TIMEOUT, connect=CONNECT_TIMEOUT),
            transport=transport or LazyTLSTransport(),
        )
        self._backoff = backoff
        self._secrets: set[str] = set()
        self._lock = threading.Lock()
        redact.register(api_key)

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> FlowiseProvider:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def redact(self, value: str) -> None:
        """Never show `value` in this client's messages (a credential's secret about to be sent)."""
        with self._lock:
            self._secrets.add(value)

    def scrub(self, text: str) -> str:
        with self._lock:
            secrets = tuple(self._secrets)
        return redact.scrub(text, secrets)

    def get(self, path: str, *, address: str | None, operation: str) -> Any:
        return self.request("GET", path, address=address, operation=operation)

    def post(self, path: str, body: dict[str, Any], *, address: str | None, operation: str = "create") -> Any:
        return self.request("POST", path, address=address, operation=operation, json=body)

    def put(self, path: str, body: dict[str, Any], *, address: str | None, operation: str = "update") -> Any:
        return self.request("PUT", path, address=address, operation=operation, json=body)

    def delete(self, path: str, *, address: str | None, operation: str = "delete") -> Any:
        return self.request("DELETE", path, address=address, operation=operation)

    def request(
        self,
        method: str,
        path: str,
        *,
        address: str | None,
        operation: str,
        json: dict[str, Any] | None = None,
    ) -> Any:
        """Send one request and return its JSON; retried unless it is a POST (which is tried again only when its
        connection could not be made)."""
        import httpx

        attempts = 1 if method == "POST" else RETRIES + 1
        attempt = connects = 0
        while True:
            try:
                response = self._client.request(method, path, json=json)
            except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
                if connects < CONNECT_RETRIES:
                    connects += 1
                    retrying_connection(f"Flowise at {display_url(self.url)}", connects)
                    time.sleep(self._backoff(connects - 1))
                    continue
                raise ConfigurationError(
                    f"could not connect to Flowise at {self.scrub(display_url(self.url))} "
                    f"({connection_failure(exc)}; {method} {path})",
                    address=address,
                    operation=operation,
                ) from None
            except httpx.TransportError as exc:
                error: ProviderError = ConfigurationError(
                    f"could not reach Flowise at {self.scrub(display_url(self.url))} "
                    f"({method} {path}: {type(exc).__name__})",
                    address=address,
                    operation=operation,
                )
            else:
                try:
                    return self._check(response, path, address=address, operation=operation)
                except NotFoundError:
                    raise
                except ProviderError as exc:
                    if exc.status is None or exc.status < 500:
                        raise
                    error = exc
            attempt += 1
            if attempt == attempts:
                raise error
            time.sleep(self._backoff(attempt - 1))

    def _check(self, response: httpx.Response, path: str, *, address: str | None, operation: str) -> Any:
        status = response.status_code
        content_type = response.headers.get("content-type", "")
        text = response.text
        if status < 400:
            if "html" in content_type or text.lstrip()[:15].lower().startswith(("<!doctype", "<html")):
                raise ProviderError(
                    f"Flowise answered {path} with an HTML page (HTTP {status}) instead of JSON: "
                    "this Flowise does not serve that API path",
                    address=address,
                    operation=operation,
                    status=status,
                )
            if not text:
                return None
            try:
                return response.json()
            except (ValueError, RecursionError):  # not JSON, a number too long, nesting too deep
                raise ProviderError(
                    f"Flowise answered {path} with something that is not JSON (HTTP {status})",
                    address=address,
                    operation=operation,
                    status=status,
                ) from None
        raw_message = _message(response)
        message = self.scrub(raw_message)
        where = f" ({response.request.method} {self.scrub(display_url(str(response.request.url)))})"
        request_id = response.headers.get("x-request-id")
        if status == 401:
            raise ConfigurationError(
                "Flowise refused the API key (401): check the variable named by flowise.api_key_env" + where,
                address=address,
                operation=operation,
                request_id=request_id,
                status=status,
            )
        if status == 403:
            raise ConfigurationError(
                f"the Flowise API key lacks the permission for this (403 {message}){where}",
                address=address,
                operation=operation,
                request_id=request_id,
                status=status,
            )
        if _is_not_found(status, raw_message, path):
            raise NotFoundError(
                f"not found ({message}){where}",
                address=address,
                operation=operation,
                request_id=request_id,
                status=status,
            )
        raise ProviderError(
            f"HTTP {status}: {message}{where}",
            address=address,
            operation=operation,
            request_id=request_id,
            status=status,
        )


def _message(response: httpx.Response) -> str:
    try:
        body = response.json()
    except (ValueError, RecursionError):
        return response.text.strip()[:500] or response.reason_phrase
    message = body.get("message") if isinstance(body, dict) else None
    if not isinstance(message, str):
        message = body.get("error") if isinstance(body, dict) else None
    return _SERVICE_PREFIX.sub("", message) if isinstance(message, str) else response.reason_phrase


def _is_not_found(status: int, message: str, path: str) -> bool:
    """404, or a 500 whose message says "not found" about the object the path names (not about another one, such
    as the credential an assistant update needs)."""
    if status == 404:
        return True
    if not _NOT_FOUND.search(message):
        return False
    wanted = _UUID.findall(path)
    return bool(wanted) and wanted[-1].lower() in message.lower()


VERSION_TIMEOUT = 3.0
"""Seconds `server_version` waits for the connection and for the answer."""


def server_version(url: str, *, transport: httpx.BaseTransport | None = None) -> str:
    """The version the Flowise server at `url` reports (`GET /api/v1/version`, which needs no key), asked once and
    waiting at most VERSION_TIMEOUT seconds; a ProviderError naming the URL when it gives none."""
    import httpx

    from assistplan.providers.transport import LazyTLSTransport

    endpoint = redact.scrub(display_url(f"{url.rstrip('/')}{API_PREFIX}/version"))
    try:
        with httpx.Client(timeout=VERSION_TIMEOUT, transport=transport or LazyTLSTransport()) as client:
            response = client.get(f"{url.rstrip('/')}{API_PREFIX}/version", headers={"Accept": "application/json"})
    except httpx.TransportError as exc:
        reason = f"no answer within {VERSION_TIMEOUT:g} s" if isinstance(exc, httpx.TimeoutException) else None
        raise ProviderError(
            f"could not connect to {endpoint} ({reason or connection_failure(exc)})", operation="read version"
        ) from None
    try:
        reported = response.json().get("version") if response.status_code == 200 else None
    except (ValueError, RecursionError, AttributeError):
        reported = None
    if not isinstance(reported, str) or not reported:
        raise ProviderError(
            f"{endpoint} answered HTTP {response.status_code} without a version",
            operation="read version",
            status=response.status_code,
        )
    return reported


def connect(*, url: str, api_key_env: str) -> FlowiseProvider:
    """The client for a project's `flowise:` settings; the key comes from the environment variable it names."""
    key = os.environ.get(api_key_env, "")
    if not key:
        raise ConfigurationError(
            f"the environment variable {api_key_env} is not set (flowise.api_key_env in assistplan.yaml names it)",
            operation="connect",
        )
    return FlowiseProvider(url, key)
