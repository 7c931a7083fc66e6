"""Helpers for the sandbox tests: uploading files and talking to the server below the SDK."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import openai
import pytest
from openai._resource import SyncAPIResource
from openai.types import FileObject

from assistplan.sandbox import SandboxServer


@dataclass
class RawResponse:
    status: int
    headers: dict[str, str]
    body: Any


def raw_request(
    url: str, method: str = "GET", *, body: bytes | None = None, headers: dict[str, str] | None = None
) -> RawResponse:
    """One HTTP request with exactly these headers (no SDK), answered as status, lower-cased headers and JSON."""
    request = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            status, header_items, payload = response.status, response.headers.items(), response.read()
    except urllib.error.HTTPError as error:
        status, header_items, payload = error.code, error.headers.items(), error.read()
    return RawResponse(status, {k.lower(): v for k, v in header_items}, json.loads(payload) if payload else None)


@pytest.fixture
def raw(sandbox: SandboxServer) -> Callable[..., RawResponse]:
    """`raw(method, path, ...)`: a request to the sandbox, `path` relative to its root (e.g. "/v1/agents")."""

    def send(method: str, path: str, **options: Any) -> RawResponse:
        return raw_request(sandbox.url + path, method, **options)

    return send


@pytest.fixture
def control(raw: Callable[..., RawResponse]) -> Callable[..., Any]:
    """`control(method, name, body=None)`: call a `/_sandbox/` route and return its JSON."""

    def call(method: str, name: str, body: Any = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        response = raw(method, f"/_sandbox/{name}", body=data, headers={"Content-Type": "application/json"})
        assert response.status == 200, response.body
        return response.body

    return call


@pytest.fixture
def upload(openai_client: openai.OpenAI) -> Callable[..., FileObject]:
    """`upload(name="guide.md", content=b"...", purpose="assistants")`: upload a file through the SDK."""

    def send(name: str = "guide.md", content: bytes = b"# Guide\n\nReturns are accepted within 30 days.\n", **kw: Any):
        return openai_client.files.create(file=(name, content), purpose=kw.get("purpose", "assistants"))

    return send


@pytest.fixture
def sdk_poll_waits(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The waits, in seconds, that the SDK's polling helpers (`create_and_poll`, `poll`) take between two reads, in
    order; each is still waited. What a test asserts on them holds however loaded the machine is, where a bound on the
    elapsed time would not."""
    waits: list[float] = []
    wait = SyncAPIResource._sleep

    def recorded(resource: SyncAPIResource, seconds: float) -> None:
        waits.append(seconds)
        wait(resource, seconds)

    monkeypatch.setattr(SyncAPIResource, "_sleep", recorded)
    return waits
