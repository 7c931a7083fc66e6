"""One real Flowise per test session, emptied between tests, and a project that points at it and at the sandbox.
Under pytest-xdist every test of this folder runs on the same worker (tests/conftest.py), so it is started once.

Without the install the tests skip and say how to install it; in CI (`CI=true`) a missing Flowise fails them.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from click.testing import CliRunner, Result

from assistplan.manifest.models import ProjectConfig
from assistplan.providers.flowise import FlowiseProvider
from assistplan.sandbox.server import API_KEY, SandboxServer
from manifest_root import ManifestRoot

from . import server as flowise_server
from .server import FlowiseServer

FLOWISE_KEY_ENV = "ASSISTPLAN_TEST_FLOWISE_KEY"
OPENAI_KEY_ENV = "ASSISTPLAN_TEST_OPENAI_KEY"
COLLECTIONS = ("chatflows", "assistants", "tools", "variables", "credentials")

# Manifest documents that several tests compose into their projects with `documents`.
SECRET_ENV = "ASSISTPLAN_TEST_FLOWISE_OPENAI_KEY"
"""The environment variable holding the OpenAI key that the FlowiseCredential `openai` stores."""

GET_ORDER_STATUS = """\
kind: Function
name: get_order_status
description: Look up the shipping status of an order.
parameters:
  type: object
  properties:
    order_id: {type: string, description: The order number.}
  required: [order_id]
"""

SUPPORT_ASSISTANT = """\
kind: Assistant
name: support
model: gpt-4o
instructions: You are Acme's support assistant.
tools:
  - function: get_order_status
"""

OPENAI_CREDENTIAL = f"""\
kind: FlowiseCredential
name: openai
credential: openAIApi
secrets:
  openAIApiKey: {{env: {SECRET_ENV}}}
"""

SUPPORT_OPENAI = """\
kind: FlowiseAssistant
name: support-openai
type: OPENAI
assistant: support
credential: openai
"""
"""The Assistant `support`, served by Flowise with the credential `openai`."""


def order_status_tool(name: str) -> str:
    """The FlowiseTool `name` running the Function get_order_status, which answers 'shipped'."""
    return f"""\
kind: FlowiseTool
name: {name}
function: get_order_status
code: return 'shipped';
"""


def documents(*texts: str) -> str:
    """The YAML documents as one stream, in order."""
    return "---\n".join(texts)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.flowise)


@pytest.fixture(scope="session")
def flowise_server_session(
    sandbox_server: SandboxServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[FlowiseServer]:
    home = flowise_server.install_home()
    run = flowise_server.entry_point(home)
    if run is None:
        message = f"Flowise {flowise_server.VERSION} is not installed in {home}: {flowise_server.INSTALL_HINT}"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    server = flowise_server.start(run, tmp_path_factory.mktemp("flowise"), sandbox_server.base_url)
    yield server
    server.stop()


@pytest.fixture
def flowise(flowise_server_session: FlowiseServer, sandbox: SandboxServer) -> FlowiseServer:
    """The session's Flowise, with no chatflows, assistants, tools, variables or credentials left by an earlier test
    (emptied before each test that takes it, which is all that needs: emptying after it too would double the cost)."""
    empty(flowise_server_session)
    return flowise_server_session


def empty(server: FlowiseServer) -> None:
    with server.client() as client:
        for collection in COLLECTIONS:
            for item in client.get(f"/{collection}").json():
                client.delete(f"/{collection}/{item['id']}").raise_for_status()


@dataclass
class FlowiseProject(ManifestRoot):
    """A manifest root on the session's Flowise and the sandbox, and the real `assistplan` command run on it."""

    flowise: FlowiseServer
    sandbox: SandboxServer

    def ok(self, *args: str) -> Result:
        result = self.run(*args)
        assert result.exit_code == 0, result.output
        return result

    def apply(self) -> Result:
        return self.ok("apply", "--auto-approve")

    def plan_json(self, *args: str) -> dict[str, Any]:
        result = self.run("plan", "--format", "json", *args)
        assert result.exit_code in (0, 2), result.output
        return json.loads(result.stdout)

    def changes(self) -> dict[str, tuple[list[str], list[str]]]:
        """address -> (actions, changed paths) of every resource the plan would change."""
        return {
            rc["address"]: (rc["change"]["actions"], rc["change"]["changed_paths"])
            for rc in self.plan_json()["resource_changes"]
            if rc["change"]["actions"] != ["no-op"]
        }

    def remote_id(self, address: str) -> str:
        return str(self.state()["resources"][address]["id"])

    def api(self) -> httpx.Client:
        return self.flowise.client()


ASSISTANT_CHATFLOW = Path(__file__).with_name("openai-assistant-chatflow.json")
"""Flowise's marketplace chatflow "OpenAI Assistant", keeping its OpenAI Assistant and Custom Tool nodes."""


def save_support_chatflow(project: FlowiseProject) -> str:
    """Save ASSISTANT_CHATFLOW as the chatflow `support`, its OpenAI Assistant node serving the applied
    FlowiseAssistant `support-openai` and its Custom Tool node the FlowiseTool `get_order_status`; its id."""
    flow: dict[str, Any] = json.loads(ASSISTANT_CHATFLOW.read_text(encoding="utf-8"))
    for node in flow["nodes"]:
        inputs = node["data"]["inputs"]
        if node["data"]["name"] == "openAIAssistant":
            inputs["selectedAssistant"] = project.remote_id("FlowiseAssistant/support-openai")
        else:
            inputs["selectedTool"] = project.remote_id("FlowiseTool/get_order_status")
    with project.api() as api:
        saved = api.post("/chatflows", json={"name": "support", "type": "CHATFLOW", "flowData": json.dumps(flow)})
        saved.raise_for_status()
    return str(saved.json()["id"])


@dataclass
class Sent:
    method: str
    path: str
    params: dict[str, str]
    body: Any


class RecordingTransport(httpx.HTTPTransport):
    """A real transport that also keeps every request assistplan sends to Flowise."""

    def __init__(self) -> None:
        super().__init__()
        self.sent: list[Sent] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content) if request.content else None
        path = request.url.path.removeprefix("/api/v1")
        self.sent.append(Sent(request.method, path, dict(request.url.params), body))
        return super().handle_request(request)


@pytest.fixture
def sent(fproject: FlowiseProject) -> list[Sent]:
    """Every request the `assistplan` commands of the test send to Flowise, in order."""
    transport = RecordingTransport()

    def connect(config: ProjectConfig, root: Path) -> FlowiseProvider:
        assert config.flowise is not None
        return FlowiseProvider(config.flowise.url, os.environ[config.flowise.api_key_env], transport=transport)

    fproject.connectors["flowise"] = connect
    return transport.sent


@pytest.fixture
def fproject(
    tmp_path: Path, flowise: FlowiseServer, sandbox: SandboxServer, monkeypatch: pytest.MonkeyPatch
) -> FlowiseProject:
    monkeypatch.setenv(FLOWISE_KEY_ENV, flowise.api_key)
    monkeypatch.setenv(OPENAI_KEY_ENV, API_KEY)
    project = FlowiseProject(root=tmp_path / "assistants", runner=CliRunner(), flowise=flowise, sandbox=sandbox)
    project.write(
        "assistplan.yaml",
        f"""\
        project: flowise-test
        openai:
          base_url: {sandbox.base_url}
          api_key_env: {OPENAI_KEY_ENV}
        flowise:
          url: {flowise.url}
          api_key_env: {FLOWISE_KEY_ENV}
        """,
    )
    return project


def manifest(project: FlowiseProject, path: str) -> dict[str, Any]:
    """The YAML document an export wrote at `path` (relative to the project's root)."""
    loaded = yaml.safe_load((project.root / path).read_text(encoding="utf-8"))
    assert isinstance(loaded, dict)
    return loaded


def files(project: FlowiseProject) -> set[str]:
    """Every file under the project's root, relative to it, without assistplan's own folder."""
    return {
        path.relative_to(project.root).as_posix()
        for path in project.root.rglob("*")
        if path.is_file() and ".assistplan" not in path.parts
    }
