"""pytest fixtures for a running sandbox, for any test folder (`pytest_plugins = ["assistplan.sandbox.testing"]`).

- `sandbox_server` (session): one in-memory sandbox for the whole run, with no indexing delay.
- `sandbox`: that server, emptied before each test (objects, files, counters, faults, triggers), with the default
  profile and key; indexing is instant unless the test sets `sandbox.settings.indexing_delay`.
- `sandbox_profile`: parametrized over every profile (`profiles.PROFILES`): sets `sandbox.settings.profile` for the
  test and returns its name, so a test that takes it runs once per profile.
- `openai_client`: an `openai.OpenAI` client on `sandbox` with `max_retries=0` and strict response validation
  (one client for the session: building a client costs tens of milliseconds).
"""

from __future__ import annotations

from collections.abc import Iterator

import openai
import pytest

from assistplan.sandbox.profiles import API_KEY, DEFAULT, PROFILES
from assistplan.sandbox.server import SandboxServer, start_in_process


def make_client(server: SandboxServer, **options: object) -> openai.OpenAI:
    """An SDK client on `server`; strict validation and no retries unless `options` say otherwise."""
    settings: dict[str, object] = {
        "api_key": API_KEY,
        "max_retries": 0,
        "_strict_response_validation": True,
        "timeout": 10.0,
    }
    settings.update(options)
    return openai.OpenAI(base_url=server.base_url, **settings)  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def sandbox_server() -> Iterator[SandboxServer]:
    with start_in_process(indexing_delay=0.0) as server:
        yield server


@pytest.fixture
def sandbox(sandbox_server: SandboxServer) -> SandboxServer:
    sandbox_server.reset()
    sandbox_server.settings.indexing_delay = 0.0
    sandbox_server.settings.profile = DEFAULT
    sandbox_server.settings.api_key = API_KEY
    return sandbox_server


@pytest.fixture(params=PROFILES)
def sandbox_profile(request: pytest.FixtureRequest, sandbox: SandboxServer) -> str:
    profile: str = request.param
    sandbox.settings.profile = profile
    return profile


@pytest.fixture(scope="session")
def _sandbox_session_client(sandbox_server: SandboxServer) -> Iterator[openai.OpenAI]:
    client = make_client(sandbox_server)
    yield client
    client.close()


@pytest.fixture
def openai_client(sandbox: SandboxServer, _sandbox_session_client: openai.OpenAI) -> openai.OpenAI:
    return _sandbox_session_client
