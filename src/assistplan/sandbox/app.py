"""The Starlette application: OpenAI routes under `/v1`, control routes under `/_sandbox`, and the middleware that
gives every response an `x-request-id`, checks the API key, answers unknown URLs, counts requests and injects faults.

The OpenAI routes are found, not listed: every module of this package that defines `ROUTES` contributes them, so a new
resource is one module. They are tried most specific first (a literal path segment before a `{parameter}` at the same
place), so `/agents/automations` is never taken for the agent `automations`.
"""

from __future__ import annotations

import asyncio
import importlib
import json
import logging
import pkgutil
import secrets
import time
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Match
from starlette.routing import Route as StarletteRoute
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from assistplan import sandbox
from assistplan.sandbox import control, profiles
from assistplan.sandbox.errors import (
    SandboxError,
    echoed_credentials,
    invalid_url,
    missing_beta,
    rate_limited,
    server_error,
)
from assistplan.sandbox.faults import FaultInjector
from assistplan.sandbox.routing import Call, Route, Settings
from assistplan.sandbox.store import Store
from assistplan.sandbox.triggers import Trigger, Triggers

log = logging.getLogger(__name__)

PREFIX = "/v1"
TRANSPORT_KEY = "assistplan.sandbox.transport"


def _specificity(route: Route) -> tuple[tuple[int, ...], str]:
    """Sort key: literal segments before parameters, position by position."""
    segments = route.path.strip("/").split("/")
    return tuple(1 if segment.startswith("{") else 0 for segment in segments), route.key


def _discover() -> list[Route]:
    found: list[Route] = []
    for module in pkgutil.iter_modules(sandbox.__path__):
        if module.name in ("app", "server", "testing", "__main__"):
            continue
        found.extend(getattr(importlib.import_module(f"{sandbox.__name__}.{module.name}"), "ROUTES", ()))
    return sorted(found, key=_specificity)


ROUTES: list[Route] = _discover()
BAD_JSON = (
    "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library "
    "correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON.)"
)


def error_response(error: SandboxError) -> JSONResponse:
    return JSONResponse(error.body(), status_code=error.status, headers=error.headers)


def _json_body(raw: bytes) -> dict[str, Any]:
    if not raw.strip():
        return {}
    try:
        body = json.loads(raw)
    except ValueError:
        raise SandboxError(400, BAD_JSON) from None
    if not isinstance(body, dict):
        raise SandboxError(400, BAD_JSON)
    return body


def _check_beta(request: Request, beta: str) -> None:
    header = request.headers.get("openai-beta", "")
    if beta not in {value.strip() for value in header.split(",")}:
        raise missing_beta(beta)


def endpoint(route: Route, store: Store, settings: Settings) -> Callable[[Request], Awaitable[Response]]:
    """The Starlette endpoint for one route: parse the request, run the handler, shape errors."""

    async def handle(request: Request) -> Response:
        try:
            if route.beta is not None:
                _check_beta(request, route.beta)
            call = Call(store, settings, request.path_params, request.query_params)
            if route.body == "json":
                call.body = _json_body(await request.body())
            elif route.body == "multipart":
                call.form = await request.form()
            # the clock is read as the handler runs, with nothing awaited before it stores what it makes: objects
            # are then listed in the order of their `created_at`, as the API documents its lists
            call.now = time.time()
            result = route.handler(call)
        except SandboxError as error:
            return error_response(error)
        except HTTPException as error:
            return error_response(SandboxError(error.status_code, error.detail))
        except Exception:
            log.exception("sandbox handler failed: %s", route.key)
            return error_response(server_error())
        return result if isinstance(result, Response) else JSONResponse(profiles.shape(settings.profile, result))

    return handle


class SandboxMiddleware:
    """Request ids, authentication, unknown URLs, counters and fault injection, in front of the routes."""

    def __init__(
        self,
        app: ASGIApp,
        routes: list[tuple[BaseRoute, str]],
        faults: FaultInjector,
        triggers: Triggers,
        settings: Settings,
    ) -> None:
        self.app = app
        self.routes = routes
        self.faults = faults
        self.triggers = triggers
        self.settings = settings

    def _match(self, scope: Scope) -> str | None:
        for route, key in self.routes:
            if route.matches(scope)[0] is Match.FULL:
                return key
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = ("req_" + secrets.token_hex(16)).encode()

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), (b"x-request-id", request_id)]}
            await send(message)

        if scope["path"].startswith(control.PREFIX):
            await self.app(scope, receive, send_with_id)
            return
        key = self._match(scope)
        fault, lost_as = None, "500"
        if key is not None:
            decision = self.faults.decide(key)
            trigger = self.triggers.arrive(key)
            if trigger is not None:
                await self._trigger(trigger, key, scope, receive, send_with_id)
                return
            if decision.latency:
                await asyncio.sleep(decision.latency)
            fault, lost_as = decision.fault, decision.lost_as
            if fault == "429":
                await error_response(rate_limited(decision.retry_after_ms))(scope, receive, send_with_id)
                return
            if fault == "500":
                await error_response(server_error())(scope, receive, send_with_id)
                return
            if fault == "drop":
                await drop(scope, receive)
                return
            if fault == "echo":
                await error_response(echoed_credentials(scope["headers"]))(scope, receive, send_with_id)
                return
        if fault == "lost":
            await self._lose(scope, receive, send_with_id, lost_as)
        else:
            await self._answer(key, scope, receive, send_with_id)

    async def _answer(self, key: str | None, scope: Scope, receive: Receive, send: Send) -> None:
        """What the server answers without faults: 401 for a refused key, 404 for a URL the profile lacks, else the
        route."""
        profile = self.settings.profile
        refused = profiles.authenticate(profile, scope["headers"], self.settings.api_key)
        if refused is not None:
            await error_response(refused)(scope, receive, send)
        elif key is None or not profiles.serves(profile, key):
            await error_response(invalid_url(scope["method"], scope["path"]))(scope, receive, send)
        else:
            await self.app(scope, receive, send)

    async def _trigger(self, trigger: Trigger, key: str, scope: Scope, receive: Receive, send: Send) -> None:
        """Run `trigger`'s action before or after the request is carried out, then drop the connection or answer."""
        held: list[Message] = []

        async def hold(message: Message) -> None:
            held.append(message)

        if trigger.when == "before":
            trigger.run()
            if trigger.then == "drop":
                await drop(scope, receive)
                return
            await self._answer(key, scope, receive, send)
            return
        await self._answer(key, scope, receive, hold)
        trigger.run()
        if trigger.then == "drop":
            await drop(scope, receive)
            return
        for message in held:
            await send(message)

    async def _lose(self, scope: Scope, receive: Receive, send: Send, lost_as: str) -> None:
        """Carry the request out, then throw the answer away: the client sees a 500 or a dropped connection."""

        async def discard(message: Message) -> None:
            return None

        await self.app(scope, receive, discard)
        if lost_as == "drop":
            await drop(scope, receive)
        else:
            await error_response(server_error())(scope, receive, send)


async def drop(scope: Scope, receive: Receive) -> None:
    """Close the client's connection without answering (needs the transport the sandbox's server exposes)."""
    transport = scope.get("state", {}).get(TRANSPORT_KEY)
    if transport is None:
        raise RuntimeError("dropping a connection needs the sandbox server (assistplan.sandbox.server)")
    transport.abort()
    while (await receive())["type"] != "http.disconnect":
        pass


async def _http_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, HTTPException)
    return error_response(SandboxError(error.status_code, error.detail))


def create_app(
    store: Store,
    faults: FaultInjector | None = None,
    settings: Settings | None = None,
    triggers: Triggers | None = None,
) -> Starlette:
    """The sandbox as an ASGI application over `store`."""
    faults = faults or FaultInjector()
    settings = settings or Settings()
    triggers = triggers or Triggers()
    keyed: list[tuple[BaseRoute, str]] = [
        (StarletteRoute(PREFIX + route.path, endpoint(route, store, settings), methods=[route.method]), route.key)
        for route in ROUTES
    ]
    return Starlette(
        routes=[*(route for route, _ in keyed), *control.routes(store, faults, triggers)],
        middleware=[Middleware(SandboxMiddleware, routes=keyed, faults=faults, triggers=triggers, settings=settings)],
        exception_handlers={HTTPException: _http_error},
    )
