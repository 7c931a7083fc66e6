"""`assistplan version`: assistplan's version, Python's, the SDK's and httpx's, and what the configured servers
report; only a configured Flowise is asked (the OpenAI API has no version route)."""

from __future__ import annotations

import json
import platform
import socket
from importlib.metadata import version as installed
from pathlib import Path

from click.testing import CliRunner

from assistplan import __version__
from assistplan.cli import cli


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def project(tmp_path: Path, config: str) -> Path:
    root = tmp_path / "assistants"
    root.mkdir()
    (root / "assistplan.yaml").write_text(config, encoding="utf-8")
    return root


def test_version_names_assistplan_python_the_sdk_and_httpx(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(cli, ["--chdir", str(tmp_path), "version"])

    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[:4] == [
        f"assistplan {__version__}",
        f"Python {platform.python_version()} ({platform.python_implementation()})",
        f"openai {installed('openai')}",
        f"httpx {installed('httpx')}",
    ]


def test_version_outside_a_project_says_no_server_was_read(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(cli, ["--chdir", str(tmp_path), "version"])

    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[4].startswith(f"Servers: the project at {tmp_path} could not be read (no ")


def test_the_embedded_sandbox_reports_assistplans_version_without_being_started(
    runner: CliRunner, tmp_path: Path
) -> None:
    root = project(tmp_path, "project: versions\nopenai:\n  base_url: sandbox\n")

    result = runner.invoke(cli, ["--chdir", str(root), "version"])

    assert result.exit_code == 0, result.output
    assert f"OpenAI API at sandbox: {__version__}, the sandbox built into assistplan\n" in result.stdout
    assert not (root / ".assistplan").exists()


def test_an_openai_endpoint_reports_no_version_and_is_not_contacted(runner: CliRunner, tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{closed_port()}/v1"
    root = project(tmp_path, f"project: versions\nopenai:\n  base_url: {url}\n")

    result = runner.invoke(cli, ["--chdir", str(root), "version"])

    assert result.exit_code == 0, result.output
    assert f"OpenAI API at {url}: reports no version (the OpenAI API has no version route)\n" in result.stdout
    assert result.stderr == ""


def test_an_unreachable_flowise_is_asked_once_and_named(runner: CliRunner, tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{closed_port()}"
    root = project(tmp_path, f"project: versions\nflowise:\n  url: {url}\n")

    result = runner.invoke(cli, ["--chdir", str(root), "version"])

    assert result.exit_code == 0, result.output
    assert (
        f"Flowise at {url}: no version: could not connect to {url}/api/v1/version (connection refused)\n"
        in result.stdout
    )
    assert "retrying" not in result.output


def test_version_as_json(runner: CliRunner, tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{closed_port()}/v1"
    root = project(tmp_path, f"project: versions\nopenai:\n  base_url: {url}\n")

    result = runner.invoke(cli, ["--chdir", str(root), "version", "--format", "json"])

    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {
        "assistplan": __version__,
        "python": f"{platform.python_version()} ({platform.python_implementation()})",
        "packages": {"openai": installed("openai"), "httpx": installed("httpx")},
        "servers": [
            {
                "name": "OpenAI API",
                "url": url,
                "version": None,
                "detail": "reports no version (the OpenAI API has no version route)",
            }
        ],
    }
