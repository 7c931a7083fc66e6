"""OpenAI client setup, the retry policy and the mapping of SDK errors to assistplan errors.

The SDK is imported lazily so that `--help`, `--version` and `validate` never load it. Reads and updates use the
SDK's own retries (429/5xx honouring `retry-after`); creates go out with retries off, because the SDK would replay a
POST without an idempotency key: the kinds look the object up by its labels before trying again. Every error message
names the resource, the operation, the request (method and URL) and the remote request id, and is scrubbed of keys
(`assistplan.redact`).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlsplit

from assistplan import redact
from assistplan.errors import ConfigurationError, NotFoundError, ProviderError

if TYPE_CHECKING:
    from openai import OpenAI

T = TypeVar("T")

READ_RETRIES = 4
CREATE_ATTEMPTS = 4
SANDBOX = "sandbox"
OPENAI_URL = "https://api.openai.com/v1"
SANDBOX_PROFILE_ENV = "ASSISTPLAN_SANDBOX_PROFILE"
ASSISTANTS_SHUT_DOWN = (
    "OpenAI shut the Assistants API down on 2026-08-26, so {url} no longer serves Assistant resources: "
    "use the Agent kind instead, or set openai.base_url in assistplan.yaml to an OpenAI-compatible server that still "
    "serves /assistants (for example `sandbox`)"
)


@dataclass
class OpenAIProvider:
    """An SDK client (retrying) and its no-retry twin for creates, plus what started them."""

    client: OpenAI
    create_client: OpenAI
    base_url: str
    closers: list[Callable[[], None]] = field(default_factory=list)
    backoff: Callable[[int], float] = lambda attempt: min(0.25 * 2**attempt, 4.0)

    def close(self) -> None:
        self.client.close()
        self.create_client.close()
        for close in reversed(self.closers):
            close()


def connect(
    *, base_url: str | None, api_key_env: str, root: Path, sandbox_options: dict[str, Any] | None = None
) -> OpenAIProvider:
    """Build the clients for a project's `openai:` settings. `base_url: sandbox` starts the embedded sandbox."""
    closers: list[Callable[[], None]] = []
    redact.register(os.environ.get(api_key_env))
    if base_url == SANDBOX:
        from assistplan.sandbox import start_in_process

        db = root / ".assistplan" / "sandbox.sqlite3"
        db.parent.mkdir(parents=True, exist_ok=True)
        options = {"profile": _sandbox_profile(), **(sandbox_options or {})}
        handle = start_in_process(db_path=db, **options)
        closers.append(handle.stop)
        url = handle.base_url
        key = os.environ.get(api_key_env) or "sandbox"
    else:
        url = resolve_base_url(base_url)
        key = os.environ.get(api_key_env, "")
        if not key:
            raise ConfigurationError(
                f"the environment variable {api_key_env} is not set (openai.api_key_env in assistplan.yaml names it)",
                operation="connect",
            )
    from openai import OpenAI

    client = OpenAI(api_key=key, base_url=url, max_retries=READ_RETRIES, timeout=60.0)
    create_client = client.with_options(max_retries=0)
    return OpenAIProvider(client=client, create_client=create_client, base_url=url, closers=closers)


def resolve_base_url(base_url: str | None) -> str:
    """Where a project's requests go: `openai.base_url`, else `OPENAI_BASE_URL`, else OpenAI's own API."""
    return base_url or os.environ.get("OPENAI_BASE_URL") or OPENAI_URL


def assistants_shut_down(base_url: str | None) -> str | None:
    """Why Assistant resources cannot be managed at `openai.base_url` (None: they can).

    OpenAI's own API (`api.openai.com` and its regional `*.api.openai.com` hosts) no longer serves the Assistants API;
    the sandbox and other OpenAI-compatible servers may. No request is made.
    """
    if base_url == SANDBOX:
        return None
    url = resolve_base_url(base_url)
    host = (urlsplit(url).hostname or "").lower()
    if host == "api.openai.com" or host.endswith(".api.openai.com"):
        return ASSISTANTS_SHUT_DOWN.format(url=url)
    return None


def _sandbox_profile() -> str:
    from assistplan.sandbox.profiles import DEFAULT, PROFILES

    profile = os.environ.get(SANDBOX_PROFILE_ENV) or DEFAULT
    if profile not in PROFILES:
        raise ConfigurationError(
            f"{SANDBOX_PROFILE_ENV}={profile!r} names no sandbox profile; choose from {', '.join(PROFILES)}",
            operation="connect",
        )
    return profile


def _request_id(exc: BaseException) -> str | None:
    rid = getattr(exc, "request_id", None)
    return rid if isinstance(rid, str) and rid else None


def map_error(exc: Exception, *, address: str | None, operation: str) -> ProviderError:
    """Turn an SDK exception into a ProviderError naming the resource, the operation, the request and its id."""
    import openai

    if isinstance(exc, ProviderError):
        return exc
    where = _where(exc)
    if isinstance(exc, openai.NotFoundError):
        return NotFoundError(
            _message(exc) + where, address=address, operation=operation, request_id=_request_id(exc), status=404
        )
    if isinstance(exc, openai.AuthenticationError):
        return ConfigurationError(
            "the API key was refused (401)" + where,
            address=address,
            operation=operation,
            request_id=_request_id(exc),
            status=401,
        )
    if isinstance(exc, openai.APIStatusError):
        return ProviderError(
            _message(exc) + where,
            address=address,
            operation=operation,
            request_id=_request_id(exc),
            status=exc.status_code,
        )
    if isinstance(exc, openai.APITimeoutError):
        return ProviderError("the request timed out" + where, address=address, operation=operation)
    if isinstance(exc, openai.APIConnectionError):
        return ProviderError(
            "could not reach the API (connection failed)" + where, address=address, operation=operation
        )
    if isinstance(exc, openai.OpenAIError):
        return ProviderError(redact.scrub(str(exc)), address=address, operation=operation)
    raise exc


def _message(exc: Exception) -> str:
    status = getattr(exc, "status_code", None)
    body = getattr(exc, "body", None)
    message = body.get("message") if isinstance(body, dict) else None
    return f"{status}: {redact.scrub(str(message))}" if message else f"HTTP {status}"


def _where(exc: Exception) -> str:
    """` (METHOD URL)` of the failed request, when the exception carries it."""
    request = getattr(exc, "request", None)
    if request is None:
        return ""
    return f" ({request.method} {redact.scrub(str(request.url))})"


def is_retryable(exc: BaseException) -> bool:
    """Whether a failed create may have failed transiently (and so must be looked up before it is tried again)."""
    import openai

    if isinstance(exc, openai.APIConnectionError):
        return True
    if isinstance(exc, openai.APIStatusError):
        return exc.status_code in (408, 409, 429) or exc.status_code >= 500
    return False


def retry_after(exc: BaseException) -> float | None:
    """The server's requested delay in seconds (`retry-after-ms`, then `retry-after`), when given and sane."""
    response = getattr(exc, "response", None)
    headers = getattr(response, "headers", None)
    if headers is None:
        return None
    for name, scale in (("retry-after-ms", 0.001), ("retry-after", 1.0)):
        value = headers.get(name)
        if value is None:
            continue
        try:
            delay = float(value) * scale
        except ValueError:
            continue
        if 0 < delay <= 60:
            return delay
    return None


def create_safely(
    provider: OpenAIProvider,
    *,
    address: str,
    create: Callable[[OpenAI], T],
    find_existing: Callable[[], T | None],
) -> T:
    """Create once; after a transient failure, adopt the object if it was committed, else try again.

    `create` runs on the no-retry client. `find_existing` looks the object up by its labels; it is consulted before
    every retry so a create whose response was lost is adopted rather than duplicated.
    """
    attempt = 0
    while True:
        try:
            return create(provider.create_client)
        except Exception as exc:
            attempt += 1
            if not is_retryable(exc) or attempt == CREATE_ATTEMPTS:
                raise map_error(exc, address=address, operation="create") from None
            time.sleep(retry_after(exc) or provider.backoff(attempt - 1))
            found = call(find_existing, address=address, operation="look up after a failed create")
            if found is not None:
                return found


def call(fn: Callable[[], T], *, address: str | None, operation: str) -> T:
    """Run an SDK call, mapping its failure to a ProviderError."""
    try:
        return fn()
    except ProviderError:
        raise
    except Exception as exc:
        import openai

        if isinstance(exc, openai.OpenAIError):
            raise map_error(exc, address=address, operation=operation) from None
        raise


@contextmanager
def quiet_deprecations() -> Iterator[None]:
    """Every `beta.assistants` call warns DeprecationWarning; the Assistants API is in scope on purpose."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        yield
