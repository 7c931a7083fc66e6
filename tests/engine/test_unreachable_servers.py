"""A server that cannot be reached, through the command: each retry of the connection is announced on standard error
naming the URL, the number of retries is bounded, and the final error names the URL without its credentials.

The port is a closed loopback port, so every connection is refused at once; the connectors replace the providers'
waits between tries, so no test waits.
"""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from assistplan.manifest.models import ProjectConfig
from assistplan.providers.flowise import FlowiseProvider
from assistplan.providers.openai import connect
from manifest_root import ManifestRoot

KEY_ENV = "ASSISTPLAN_TEST_UNREACHABLE_KEY"
AGENT = "kind: Agent\nname: support\nmodel: gpt-5\ninstructions: You answer order questions.\n"
VARIABLE = "kind: FlowiseVariable\nname: support_email\nvalue: support@acme.example\n"


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def openai_without_waits(waits: list[float]) -> Any:
    def connector(config: ProjectConfig, root: Path) -> Any:
        provider = connect(base_url=config.openai.base_url, api_key_env=config.openai.api_key_env, root=root)
        provider.sleep = waits.append
        return provider

    return connector


def flowise_without_waits(waits: list[float]) -> Any:
    def connector(config: ProjectConfig, root: Path) -> Any:
        assert config.flowise is not None
        return FlowiseProvider(config.flowise.url, "key", backoff=lambda attempt: waits.append(attempt) or 0.0)

    return connector


@pytest.fixture
def waits() -> list[float]:
    return []


def project(tmp_path: Path, config: str, manifest: str, connectors: dict[str, Any]) -> ManifestRoot:
    root = ManifestRoot(root=tmp_path / "assistants", runner=CliRunner(), connectors=connectors)
    root.write("assistplan.yaml", config)
    root.write("manifests.yaml", manifest)
    return root


def test_an_unreachable_openai_endpoint_is_retried_three_times_with_a_notice_each(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, waits: list[float]
) -> None:
    monkeypatch.setenv(KEY_ENV, "sk-test")
    url = f"http://127.0.0.1:{closed_port()}/v1"
    config = f"project: unreachable\nopenai:\n  base_url: {url}\n  api_key_env: {KEY_ENV}\n"
    unreachable = project(tmp_path, config, AGENT, {"openai": openai_without_waits(waits)})

    result = unreachable.run("plan")

    assert result.exit_code == 1
    assert result.stderr.splitlines()[:3] == [
        f"could not connect to {url}, retrying (1/3)…",
        f"could not connect to {url}, retrying (2/3)…",
        f"could not connect to {url}, retrying (3/3)…",
    ]
    assert f"could not connect to {url} (connection refused) (GET {url}/agents?limit=100)" in result.stderr
    assert waits == [0.25, 0.5, 1.0]


def test_the_url_in_connection_errors_carries_no_credentials(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, waits: list[float]
) -> None:
    monkeypatch.setenv(KEY_ENV, "sk-test")
    port = closed_port()
    url = f"http://admin:hunter2@127.0.0.1:{port}/v1"
    config = f"project: unreachable\nopenai:\n  base_url: {url}\n  api_key_env: {KEY_ENV}\n"
    unreachable = project(tmp_path, config, AGENT, {"openai": openai_without_waits(waits)})

    result = unreachable.run("plan")

    assert result.exit_code == 1
    assert f"could not connect to http://127.0.0.1:{port}/v1 (connection refused)" in result.stderr
    assert "hunter2" not in result.output
    assert "admin" not in result.output


def test_an_unreachable_flowise_is_retried_three_times_and_named_in_the_error(
    tmp_path: Path, waits: list[float]
) -> None:
    url = f"http://127.0.0.1:{closed_port()}"
    config = f"project: unreachable\nflowise:\n  url: {url}\n"
    unreachable = project(tmp_path, config, VARIABLE, {"flowise": flowise_without_waits(waits)})

    result = unreachable.run("plan")

    assert result.exit_code == 1
    assert result.stderr.splitlines()[:3] == [
        f"could not connect to Flowise at {url}, retrying (1/3)…",
        f"could not connect to Flowise at {url}, retrying (2/3)…",
        f"could not connect to Flowise at {url}, retrying (3/3)…",
    ]
    assert f"could not connect to Flowise at {url} (connection refused; GET /variables)" in result.stderr
    assert waits == [0, 1, 2]
