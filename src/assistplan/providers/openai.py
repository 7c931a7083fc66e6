"""The connection to an OpenAI-compatible API: a JSON layer, the SDK clients, retries and error mapping.

Requests that only need the JSON the API sends and takes go through the JSON layer on one shared `httpx.Client`,
without the `openai` SDK, whose import costs more than a no-op plan's requests and whose per-request path costs more
than the request itself at scale: listing a collection page by page and reading one object by id (`list_objects`,
`get_object`), and the writes of the kinds that use it (`create_object`, `post_object`, `delete_object`). The SDK
clients (`client`, and `create_client` for creates) are built on first use by the kinds and calls that still use
them, so a command that only reads never imports the SDK; `--help`, `--version` and `validate` import neither.

Both paths send the same base URL, key and timeouts (a connection must be made within `CONNECT_TIMEOUT`) and apply
the same policy. Reads, updates and deletes are retried (on 408, 409, 429 and 5xx, on dropped connections and
timeouts, honouring `retry-after-ms`/`retry-after` up to two minutes, as the SDK does); a connection that cannot be
made is tried again `CONNECT_RETRIES` times, each announced by a notice naming the URL, then fails naming it; creates
go out with retries off, because the SDK would replay a POST without an idempotency key: the object is looked up by
its labels before trying again (`create_safely`, `create_object`). Every error is a `ProviderError` naming the
resource, the operation, the request (method and URL, without credentials) and the remote request id
(`x-request-id`), scrubbed of keys (`assistplan.redact`); a 404 is a `NotFoundError`, a refused key a
`ConfigurationError`.
"""

from __future__ import annotations

import functools
import os
import random
import re
import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TypeVar
from urllib.parse import urlsplit

from assistplan import __version__, redact
from assistplan.errors import ConfigurationError, NotFoundError, ProviderError
from assistplan.providers import (
    CONNECT_RETRIES,
    CONNECT_TIMEOUT,
    Provider,
    connect_delay,
    connection_failure,
    display_url,
    retrying_connection,
    servers_stop_on_close,
)
from assistplan.providers.paging import Page, Reached, from_both_ends, unheeded, walked_once

if TYPE_CHECKING:
    from http.client import HTTPResponse
    from http.cookiejar import CookieJar
    from urllib.request import Request

    import httpx
    from openai import OpenAI

T = TypeVar("T")

READ_RETRIES = 4
CREATE_ATTEMPTS = 4
TIMEOUT = 60.0
PAGE_SIZE = 100
MAX_RETRY_AFTER = 120.0
SANDBOX = "sandbox"
OPENAI_URL = "https://api.openai.com/v1"
SANDBOX_PROFILE_ENV = "ASSISTPLAN_SANDBOX_PROFILE"
ASSISTANTS_SHUT_DOWN = (
    "OpenAI shut the Assistants API down on 2026-08-26, so {url} no longer serves Assistant resources: "
    "use the Agent kind instead, or set openai.base_url in assistplan.yaml to an OpenAI-compatible server that still "
    "serves /assistants (for example `sandbox`)"
)


@dataclass(frozen=True)
class Collection:
    """What the API reference says of one collection, as the kind that keeps objects in it declares it (`collection`):
    its path (`{id}` where an object's id goes) as a pattern, the `OpenAI-Beta` header the SDK sends for it and for
    every path below it, and whether it lists by `created_at` in either `order`, newest first by default."""

    pattern: re.Pattern[str]
    beta: str | None
    two_ended: bool

    def holds(self, path: str) -> bool:
        """Whether `path` is this collection's or a path below it (an object, a collection inside an object)."""
        match = self.pattern.match(path)
        return match is not None and (match.end() == len(path) or path[match.end()] == "/")


_collections: dict[str, Collection] = {}
_every_kind_declared = False


def collection(path: str, *, beta: str | None = None, two_ended: bool = False) -> None:
    """Declare the collection at `path` (`/vaults/{id}/credentials`): `beta` is the `OpenAI-Beta` header the SDK sends
    for its paths, sent with every request of this provider's JSON layer to it or below it; `two_ended`, that it is
    documented to list by `created_at` in either `order`, newest first by default, so a listing walks it from both ends
    at once (`assistplan.providers.paging`). A kind's module declares the collections it keeps objects in, when it is
    imported."""
    parts = ("[^/]+" if part == "{id}" else re.escape(part) for part in path.split("/"))
    _collections[path] = Collection(re.compile("/".join(parts)), beta, two_ended)


def declared(path: str) -> Collection | None:
    """The declared collection that `path` is or lies below (the longest such). A path no imported kind's module
    declares has every kind's module imported first, once, so the answer never depends on which kinds a command
    happened to import; a path no kind declares gets no header and is walked once, from the top."""
    global _every_kind_declared
    found = _holding(path)
    if found is None and not _every_kind_declared:
        from assistplan import catalog

        catalog.kinds()
        _every_kind_declared = True
        found = _holding(path)
    return found


def _holding(path: str) -> Collection | None:
    holding = [one for one in list(_collections.values()) if one.holds(path)]
    return max(holding, key=lambda one: len(one.pattern.pattern), default=None)


_servers_outlive_close = False


def leave_servers_to_process_exit() -> None:
    """From now on, `OpenAIProvider.close` leaves the embedded sandbox it started running.

    For the console script only, which ends the process with `os._exit` as soon as the command has returned: stopping
    the sandbox gracefully would only add time there. Nothing is lost: the sandbox's SQLite database commits every
    request before answering it, and its thread is a daemon.
    """
    global _servers_outlive_close
    _servers_outlive_close = True


def default_backoff(attempt: int) -> float:
    """Seconds before retrying a create after a transient failure (attempt 0 is the first retry)."""
    return float(min(0.25 * 2**attempt, 4.0))


class OpenAIApi(Provider, Protocol):
    """What the kinds of the OpenAI provider call (`OpenAIContext`): the SDK clients and the JSON layer of
    `OpenAIProvider`, which `connect_openai` is checked to return. A connector given to a `Workspace` returns a
    `Provider`; the OpenAI kinds then call these on it."""

    @property
    def client(self) -> OpenAI: ...

    @property
    def create_client(self) -> OpenAI: ...

    def backoff(self, attempt: int) -> float: ...

    def list_objects(
        self,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        address: str | None,
        operation: str,
        known: Sequence[str] = (),
        parallelism: int = 2,
        reached: Reached | None = None,
    ) -> Iterator[dict[str, Any]]: ...

    def get_object(self, path: str, *, address: str | None, operation: str) -> dict[str, Any]: ...

    def get_bytes(self, path: str, *, address: str | None, operation: str) -> bytes: ...

    def post_object(
        self, path: str, body: Mapping[str, Any], *, address: str | None, operation: str
    ) -> dict[str, Any]: ...

    def delete_object(self, path: str, *, address: str | None, operation: str) -> None: ...

    def create_object(
        self, path: str, body: Mapping[str, Any], *, address: str, find_stamped: Callable[[], list[dict[str, Any]]]
    ) -> dict[str, Any]: ...


class OpenAIProvider:
    """One OpenAI-compatible API: a JSON layer, the SDK clients (built on first use), and what was started
    for it (`closers`: the embedded sandbox's stop).

    `client` is the SDK client with the read retries; `create_client` its twin with retries off, for creates. `http`
    is the `httpx.Client` behind the JSON layer (`list_objects`, `get_object`, `create_object`, `post_object`,
    `delete_object`). Each is made once, under a lock, because the refresh
    reads from several threads at a time (importing the SDK does not hold up the HTTP client). `backoff` (between
    create attempts) and `sleep` (between read retries, and between tries of a connection) can be replaced, e.g. by
    tests, and `transport` replaces the network under `http`.
    """

    def __init__(
        self,
        *,
        base_url: str,
        api_key: str,
        closers: list[Callable[[], None]] | None = None,
        timeout: float = TIMEOUT,
        read_retries: int = READ_RETRIES,
        connect_retries: int = CONNECT_RETRIES,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.base_url = base_url
        self.closers: list[Callable[[], None]] = list(closers or [])
        self.timeout = timeout
        self.read_retries = read_retries
        self.connect_retries = connect_retries
        self.backoff: Callable[[int], float] = default_backoff
        self.sleep: Callable[[float], None] = time.sleep
        self._api_key = api_key
        self._transport = transport
        self._sdk_lock = threading.Lock()
        self._http_lock = threading.Lock()
        self._http: httpx.Client | None = None
        self._client: OpenAI | None = None
        self._create_client: OpenAI | None = None

    # --- clients, made on first use -----------------------------------------------------------------------------

    @property
    def client(self) -> OpenAI:
        """The SDK client (imports `openai` on first use), retrying reads and updates. `httpx` is imported first: the
        SDK, which sends through `httpx2`, looks up `httpx` in `sys.modules` on every response, and the JSON layer's
        first import of it on another thread would otherwise show it half-initialized to a request under way."""
        with self._sdk_lock:
            if self._client is None:
                import httpx  # noqa: F401
                from openai import OpenAI, Timeout

                self._client = OpenAI(
                    api_key=self._api_key,
                    base_url=self.base_url,
                    max_retries=self.read_retries,
                    timeout=Timeout(self.timeout, connect=min(CONNECT_TIMEOUT, self.timeout)),
                )
            return self._client

    @property
    def create_client(self) -> OpenAI:
        """The SDK client with retries off, for creates (see `create_safely`)."""
        client = self.client
        with self._sdk_lock:
            if self._create_client is None:
                self._create_client = client.with_options(max_retries=0)
            return self._create_client

    @property
    def http(self) -> httpx.Client:
        """The HTTP client of the JSON layer: the base URL, the key and the timeout of the SDK's."""
        with self._http_lock:
            if self._http is None:
                import httpx

                from assistplan.providers.transport import LazyTLSTransport

                headers = {"Accept": "application/json", "User-Agent": f"assistplan/{__version__}"}
                if self._api_key:
                    headers["Authorization"] = f"Bearer {self._api_key}"
                for header, variable in (
                    ("OpenAI-Organization", "OPENAI_ORG_ID"),
                    ("OpenAI-Project", "OPENAI_PROJECT_ID"),
                ):
                    if os.environ.get(variable):
                        headers[header] = os.environ[variable]
                limits = httpx.Limits(max_connections=1000, max_keepalive_connections=100)
                self._http = httpx.Client(
                    base_url=self.base_url,
                    headers=headers,
                    timeout=httpx.Timeout(self.timeout, connect=min(CONNECT_TIMEOUT, self.timeout)),
                    follow_redirects=True,
                    limits=limits,  # for the proxies the environment names, if any
                    transport=self._transport or LazyTLSTransport(limits),
                    cookies=_no_cookies(),
                )
            return self._http

    def close(self) -> None:
        """Close the clients that were made, then stop what was started for this provider (the embedded sandbox),
        unless the process is about to end (`leave_servers_to_process_exit`)."""
        with self._sdk_lock, self._http_lock:
            made = [c for c in (self._http, self._client, self._create_client) if c is not None]
            self._http = self._client = self._create_client = None
        for made_client in made:
            made_client.close()
        if _servers_outlive_close and not servers_stop_on_close():
            return
        closers, self.closers = self.closers, []
        for close in reversed(closers):
            close()

    # --- the JSON layer ------------------------------------------------------------------------------------------

    def list_objects(
        self,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        address: str | None,
        operation: str,
        known: Sequence[str] = (),
        parallelism: int = 2,
        reached: Reached | None = None,
    ) -> Iterator[dict[str, Any]]:
        """Every object of the collection at `path` (relative to the base URL, e.g. `"/agents"` or
        `f"/vector_stores/{store_id}/files"`), as the API sends it, walking the cursor pages lazily.

        Each page is a GET of `path` with `params` (strings, e.g. `{"purpose": "assistants"}`) plus `limit`
        (`PAGE_SIZE` unless `params` set it) and, after the first page, `after`: the id of the last object of the page
        before (else its `last_id`), exactly as the SDK pages. It stops after a page with `has_more: false`, or an
        empty one. The `OpenAI-Beta` header the SDK would send for the path is sent (`declared`). A collection
        declared `two_ended` with more than one page is also walked from its oldest object (`order=asc`) at the same
        time, and the walks stop once they have crossed (`assistplan.providers.paging`), unless `params` set an
        `order`; given `known` ids (newest first) that the collection probably holds, it is also walked from some of
        them. Either way at most `parallelism` requests are in flight: with 1, the collection is walked once, from
        the top. `reached`, if given, is told the listing's depth in rounds as it goes
        (`assistplan.providers.paging.Reached`), which `assistplan.providers.listing` weighs against reading by id.

        A failed request is retried like the SDK's reads; then it raises a `ProviderError` (a `NotFoundError` on 404)
        naming `address` (None for a listing that serves many resources), `operation` (e.g. "list agents"), the
        request and its request id. So does a response that is not a list page, or one whose `after` cursor does not
        move.
        """
        query = {"limit": str(PAGE_SIZE), **(params or {})}
        seen: dict[tuple[str | None, int], set[str]] = {}
        listed = declared(path)
        # a top-level collection that answers 404 is an API the server lacks (still a NotFoundError: `export` leaves
        # such kinds out), not a missing object
        top_level = listed is not None and "[^/]+" not in listed.pattern.pattern and listed.pattern.fullmatch(path)

        def fetch(order: str | None, after: str | None, walk: int) -> Page:
            asked = {
                **query,
                **({} if order is None else {"order": order}),
                **({} if after is None else {"after": after}),
            }
            try:
                page, request = self._get(path, asked, address=address, operation=operation)
            except NotFoundError as error:
                if after is None and top_level:
                    raise NotFoundError(
                        f"this server does not serve {path}, so what is kept there cannot be managed on it "
                        f"({error.reason})",
                        address=address,
                        operation=operation,
                        request_id=error.request_id,
                        status=404,
                    ) from None
                raise
            data = page.get("data")
            if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
                raise ProviderError(
                    f"the API answered with something that is not a list of objects{_at(request)}",
                    address=address,
                    operation=operation,
                )
            last = (data[-1].get("id") or page.get("last_id")) if data else None
            cursor = last if isinstance(last, str) and last and page.get("has_more") is not False else None
            if cursor is not None:
                if cursor in seen.setdefault((order, walk), set()):
                    raise ProviderError(
                        f"the API answered the same page again after {cursor}{_at(request)}",
                        address=address,
                        operation=operation,
                    )
                seen[order, walk].add(cursor)
            return Page(data, cursor is not None, cursor)

        told = reached or unheeded
        ordered = listed is not None and listed.two_ended and listed.pattern.fullmatch(path) is not None
        if ordered and "order" not in query and parallelism > 1:
            return from_both_ends(fetch, known, parallelism - 1, told)
        return walked_once(fetch, told)

    def get_object(self, path: str, *, address: str | None, operation: str) -> dict[str, Any]:
        """The object at `path` (e.g. `f"/agents/{agent_id}"`) as the API sends it; a `NotFoundError` when it is gone.

        Retried and mapped to errors like `list_objects`.
        """
        return self._get(path, None, address=address, operation=operation)[0]

    def get_bytes(self, path: str, *, address: str | None, operation: str) -> bytes:
        """The body at `path` as bytes (e.g. a skill version's zip, `f"/skills/{skill_id}/versions/1/content"`, asked
        for with `Accept: application/binary` as the SDK asks); retried and mapped to errors like `get_object`."""
        return self._send("GET", path, None, "application/binary", address=address, operation=operation).content

    def post_object(self, path: str, body: Mapping[str, Any], *, address: str | None, operation: str) -> dict[str, Any]:
        """POST `body` as JSON to `path` (an update, e.g. `f"/agents/{agent_id}"`): the object the API answers with,
        retried and mapped to errors like `get_object` (as the SDK retries an update)."""
        response = self._send("POST", path, body=body, address=address, operation=operation)
        return _json_object(response, address=address, operation=operation)

    def delete_object(self, path: str, *, address: str | None, operation: str) -> None:
        """DELETE `path` (e.g. `f"/agents/{agent_id}"`), retried and mapped to errors like `get_object`; a
        `NotFoundError` when it is gone already."""
        self._send("DELETE", path, address=address, operation=operation)

    def create_object(
        self,
        path: str,
        body: Mapping[str, Any],
        *,
        address: str,
        find_stamped: Callable[[], list[dict[str, Any]]],
    ) -> dict[str, Any]:
        """POST `body` as JSON to the collection at `path` (e.g. `"/agents"`) once; after a failure that may have
        committed it (a dropped connection, a timeout, 408, 409, 429, 5xx), wait (the server's `retry-after`, else
        `backoff`) and adopt the object if `find_stamped` (every object stamped for this address) finds it, else try
        again, `CREATE_ATTEMPTS` times in all, looking up once more after the last: `create_safely` over the JSON
        layer. An earlier attempt that committed but was not listed yet would be a duplicate: once a retry succeeds
        (or a look-up finds several), every other object stamped for the address is deleted. A connection that could
        not be made is tried again as reads are (the request was never sent)."""
        attempt = 0
        while True:
            try:
                response = self._send("POST", path, body=body, retries=0, address=address, operation="create")
                created = _json_object(response, address=address, operation="create")
            except _Transient as exc:
                attempt += 1
                time.sleep(exc.delay or self.backoff(attempt - 1))
                found = find_stamped()
                if found:
                    return self._only(path, found[0], found, address)
                if attempt == CREATE_ATTEMPTS:
                    raise exc.error from None
                continue
            return self._only(path, created, find_stamped(), address) if attempt else created

    def _only(self, path: str, kept: dict[str, Any], stamped: list[dict[str, Any]], address: str) -> dict[str, Any]:
        """`kept`, after deleting every other object of `stamped` (duplicates of it that earlier attempts made)."""
        for extra in stamped:
            if extra["id"] != kept["id"]:
                with suppress(NotFoundError):
                    self.delete_object(f"{path}/{extra['id']}", address=address, operation="delete a duplicate")
        return kept

    def _get(
        self, path: str, params: Mapping[str, str] | None, *, address: str | None, operation: str
    ) -> tuple[dict[str, Any], httpx.Request]:
        """One GET, retried as the SDK retries reads; its JSON object and the request (`_at` names it in messages)."""
        response = self._send("GET", path, params, address=address, operation=operation)
        return _json_object(response, address=address, operation=operation), response.request

    def _send(
        self,
        method: str,
        path: str,
        params: Mapping[str, str] | None = None,
        accept: str | None = None,
        *,
        body: Mapping[str, Any] | None = None,
        retries: int | None = None,
        address: str | None,
        operation: str,
    ) -> httpx.Response:
        """One request, retried as the SDK retries (`retries` times, `read_retries` unless given); its successful
        response (a message names its request with `_at`, made only for a message: it is scrubbed). With
        `retries=0` a failure that may be transient (see `create_object`) raises `_Transient`, carrying the error and
        the delay the server asked for."""
        import httpx

        retries = self.read_retries if retries is None else retries
        headers = {} if accept is None else {"Accept": accept}
        collection = declared(path)
        if collection is not None and collection.beta is not None:
            headers["OpenAI-Beta"] = collection.beta
        http = self.http
        request = http.build_request(
            method, _absolute_url(http.base_url, path), params=params, headers=headers, json=body
        )
        attempt = connects = 0
        while True:
            try:
                response = http.send(request)
            except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
                if connects < self.connect_retries:
                    connects += 1
                    retrying_connection(display_url(self.base_url), connects)
                    self.sleep(connect_delay(connects))
                    continue
                failure = f"could not connect to {display_url(self.base_url)} ({connection_failure(exc)})"
                raise ProviderError(failure + _at(request), address=address, operation=operation) from None
            except httpx.TransportError as exc:
                if attempt < retries:
                    self.sleep(_read_delay(attempt, None))
                    attempt += 1
                    continue
                what = "the request timed out" if isinstance(exc, httpx.TimeoutException) else "could not reach the API"
                suffix = "" if isinstance(exc, httpx.TimeoutException) else " (connection failed)"
                error = ProviderError(what + suffix + _at(request), address=address, operation=operation)
                if retries == 0:
                    raise _Transient(error, None) from None
                raise error from None
            if response.status_code >= 400:
                if attempt < retries and _should_retry(response.status_code, response.headers):
                    self.sleep(_read_delay(attempt, response.headers))
                    attempt += 1
                    continue
                error = _status_error(response, _at(request), address=address, operation=operation)
                status = response.status_code
                if retries == 0 and (status in (408, 409, 429) or status >= 500):
                    raise _Transient(error, _create_delay(response.headers)) from None
                raise error
            return response


@functools.lru_cache(maxsize=256)
def _absolute_url(base: httpx.URL, path: str) -> httpx.URL:
    """The relative `path` (e.g. `"/agents"`) under `base`, joined as `httpx.Client` joins a request's path to its base
    URL; kept for the paths used again and again (every create of a kind posts to one), so that each is parsed once
    instead of on every request."""
    import httpx

    return base.copy_with(raw_path=base.raw_path + httpx.URL(path).raw_path.lstrip(b"/"))


def _no_cookies() -> CookieJar:
    """A cookie jar that keeps nothing, for the JSON layer's client: the API authenticates by key, and looking for
    cookies in every response (as `httpx.Client` does with a jar that keeps them) costs about a fifth of a request's
    CPU. Imported on first use, as httpx is."""
    from http.cookiejar import CookieJar

    class NoCookies(CookieJar):
        def extract_cookies(self, response: HTTPResponse, request: Request) -> None:
            return None

        def add_cookie_header(self, request: Request) -> None:
            return None

    return NoCookies()


class _Transient(Exception):
    """A request sent without retries failed in a way that may be transient (`error`), `delay` seconds asked for."""

    def __init__(self, error: ProviderError, delay: float | None) -> None:
        super().__init__(str(error))
        self.error = error
        self.delay = delay


def _json_object(response: httpx.Response, *, address: str | None, operation: str) -> dict[str, Any]:
    """The JSON object of a successful response; an error naming the request when it is something else."""
    try:
        body = response.json()
    except (ValueError, RecursionError):  # not JSON, a number too long, nesting too deep
        body = None
    if not isinstance(body, dict):
        raise ProviderError(
            f"the API answered {response.status_code} with something that is not a JSON object{_at(response.request)}",
            address=address,
            operation=operation,
            request_id=response.headers.get("x-request-id") or None,
        )
    return body


def _create_delay(headers: Mapping[str, str]) -> float | None:
    """The delay the server asks for before a create is tried again, when it is between 0 and 60 seconds (as
    `retry_after` reads it from an SDK error)."""
    delay = _retry_after(headers)
    return delay if delay is not None and 0 < delay <= 60 else None


def _status_error(response: httpx.Response, where: str, *, address: str | None, operation: str) -> ProviderError:
    """The error for a failed response, as `map_error` makes it for the SDK's exceptions."""
    status = response.status_code
    request_id = response.headers.get("x-request-id") or None
    try:
        body: Any = response.json()
    except (ValueError, RecursionError):
        body = None
    error = body.get("error", body) if isinstance(body, dict) else None
    if status == 401:
        return ConfigurationError(
            "the API key was refused (401)" + where,
            address=address,
            operation=operation,
            request_id=request_id,
            status=401,
        )
    kind = NotFoundError if status == 404 else ProviderError
    return kind(
        _status_message(status, error) + where,
        address=address,
        operation=operation,
        request_id=request_id,
        status=status,
    )


def _should_retry(status: int, headers: Mapping[str, str]) -> bool:
    """Whether the SDK would retry a read that failed with `status`: not when the server asks to wait more than two
    minutes; as `x-should-retry` says when it is sent; else on 408, 409, 429 and 5xx."""
    delay = _retry_after(headers)
    if delay is not None and delay > MAX_RETRY_AFTER:
        return False
    should = headers.get("x-should-retry")
    if should in ("true", "false"):
        return should == "true"
    return status in (408, 409, 429) or status >= 500


def _read_delay(attempt: int, headers: Mapping[str, str] | None) -> float:
    """Seconds before retry `attempt` (0-based) of a read: the server's `retry-after` when it asks for at most two
    minutes, else the SDK's backoff (0.5 s doubling up to 8 s, less up to a quarter at random)."""
    delay = _retry_after(headers) if headers is not None else None
    if delay is not None and 0 < delay <= MAX_RETRY_AFTER:
        return delay
    return float(min(0.5 * 2.0**attempt, 8.0) * (1 - 0.25 * random.random()))


def _retry_after(headers: Mapping[str, str]) -> float | None:
    """The delay the server asks for, in seconds: `retry-after-ms`, else `retry-after` (seconds or an HTTP date)."""
    for name, scale in (("retry-after-ms", 0.001), ("retry-after", 1.0)):
        value = headers.get(name)
        if value is None:
            continue
        try:
            return float(value) * scale
        except ValueError:
            continue
    value = headers.get("retry-after")
    if value is None:
        return None
    import email.utils

    try:
        parsed = email.utils.parsedate_tz(value)
        return None if parsed is None else float(email.utils.mktime_tz(parsed) - time.time())
    except (TypeError, ValueError, OverflowError):
        return None


def connect(
    *, base_url: str | None, api_key_env: str, root: Path, sandbox_options: dict[str, Any] | None = None
) -> OpenAIProvider:
    """The provider for a project's `openai:` settings. `base_url: sandbox` starts the embedded sandbox; no client
    is made and nothing is contacted until the first request."""
    closers: list[Callable[[], None]] = []
    redact.register(os.environ.get(api_key_env))
    if base_url == SANDBOX:
        from assistplan.sandbox import start_in_process
        from assistplan.sandbox.server import PROJECT_DB

        db = root / PROJECT_DB
        try:
            db.parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise ConfigurationError(
                f"cannot make the folder {db.parent} for the embedded sandbox's database: {error.strerror or error}",
                operation="connect",
            ) from error
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
    return OpenAIProvider(base_url=url, api_key=key, closers=closers)


def resolve_base_url(base_url: str | None) -> str:
    """Where a project's requests go: `openai.base_url`, else `OPENAI_BASE_URL`, else OpenAI's own API; a
    `ConfigurationError` naming where the URL came from when no request could be sent to it."""
    from assistplan.manifest.urls import url_problem

    source = "openai.base_url in assistplan.yaml" if base_url else "the environment variable OPENAI_BASE_URL"
    url = base_url or os.environ.get("OPENAI_BASE_URL") or OPENAI_URL
    reason = url_problem(url)
    if reason is not None:
        raise ConfigurationError(f"{source} is not a usable URL: {reason}", operation="connect")
    return url


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


# --- the SDK path ----------------------------------------------------------------------------------------------------


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
    return _status_message(getattr(exc, "status_code", None), getattr(exc, "body", None))


def _status_message(status: int | None, error: Any) -> str:
    """`STATUS: message` from the `error` object of a failed response's body, or `HTTP STATUS` without one."""
    message = error.get("message") if isinstance(error, dict) else None
    return f"{status}: {redact.scrub(str(message))}" if message else f"HTTP {status}"


def _where(exc: Exception) -> str:
    """` (METHOD URL)` of the failed request, when the exception carries it."""
    request = getattr(exc, "request", None)
    return "" if request is None else _at(request)


def _at(request: httpx.Request) -> str:
    """` (METHOD URL)` of a request, for a message (made only when one is: it is scrubbed)."""
    return f" ({request.method} {redact.scrub(display_url(str(request.url)))})"


def is_retryable(exc: BaseException) -> bool:
    """Whether a failed create may have failed transiently (and so must be looked up before it is tried again)."""
    if not _from_sdk(exc):
        return False
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
    provider: OpenAIApi,
    *,
    address: str,
    create: Callable[[OpenAI], T],
    find_existing: Callable[[], T | None],
    operation: str = "create",
) -> T:
    """Create once; after a transient failure, adopt the object if it was committed, else try again.

    `create` runs on the no-retry client. `find_existing` looks the object up by its labels; it is consulted before
    every retry so a create whose response was lost is adopted rather than duplicated. `operation` names the create in
    errors (`upload docs/a.md` for a file a vector store needs).
    """
    attempt = 0
    while True:
        try:
            return create(provider.create_client)
        except Exception as exc:
            attempt += 1
            if not is_retryable(exc) or attempt == CREATE_ATTEMPTS:
                raise map_error(exc, address=address, operation=operation) from None
            time.sleep(retry_after(exc) or provider.backoff(attempt - 1))
            found = call(find_existing, address=address, operation=f"look up after a failed {operation}")
            if found is not None:
                return found


def call(fn: Callable[[], T], *, address: str | None, operation: str) -> T:
    """Run an SDK call (or a function making several), mapping an SDK failure to a ProviderError."""
    try:
        return fn()
    except ProviderError:
        raise
    except Exception as exc:
        if _from_sdk(exc):
            raise map_error(exc, address=address, operation=operation) from None
        raise


def _from_sdk(exc: BaseException) -> bool:
    """Whether `exc` is an SDK error; never imports the SDK (an error cannot come from it if it is not loaded)."""
    if "openai" not in sys.modules:
        return False
    import openai

    return isinstance(exc, openai.OpenAIError)


@contextmanager
def quiet_deprecations() -> Iterator[None]:
    """Every `beta.assistants` call warns DeprecationWarning; the Assistants API is in scope on purpose."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        yield
