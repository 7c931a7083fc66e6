"""A small project on the sandbox, and a way to run the real `assistplan` command on it; an empty project on an
account for the export tests, and the plan checks they share."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import openai
import pytest
from click.testing import CliRunner

from assistplan.sandbox.server import API_KEY, SandboxServer
from assistplan.sandbox.testing import make_client
from manifest_root import ManifestRoot

KEY_ENV = "ASSISTPLAN_TEST_OPENAI_KEY"

FUNCTIONS = """\
kind: Function
name: get_order_status
description: Look up the shipping status of an order.
strict: true
parameters:
  type: object
  properties:
    order_id: {type: string, description: "The order number, e.g. A-1001."}
  required: [order_id]
  additionalProperties: false
"""

STACK = """\
kind: VectorStore
name: handbook
files: [handbook/*.md]
metadata: {team: support}
---
kind: Assistant
name: support
model: gpt-4o
instructions: |
  You are the support assistant of Acme.
  Answer from the handbook.
  Be brief.
tools:
  - file_search
  - code_interpreter
  - function: get_order_status
file_search: {vector_store: handbook}
code_interpreter: {files: [data/orders.csv]}
metadata: {team: support}
---
kind: Agent
name: support-agent
model: gpt-5
instructions: You are the support agent of Acme.
tools:
  - function: get_order_status
  - type: web_search
    allowed_domains: [acme.example]
---
kind: File
name: price-list
path: data/prices.csv
"""


@dataclass
class Project(ManifestRoot):
    sandbox: SandboxServer

    def client(self) -> openai.OpenAI:
        return make_client(self.sandbox)


@pytest.fixture
def project(tmp_path: Path, sandbox: SandboxServer, monkeypatch: pytest.MonkeyPatch) -> Project:
    monkeypatch.setenv(KEY_ENV, API_KEY)
    root = tmp_path / "assistants"
    proj = Project(root=root, runner=CliRunner(), sandbox=sandbox)
    proj.write(
        "assistplan.yaml",
        f"""\
        project: test-shop
        openai:
          base_url: {sandbox.base_url}
          api_key_env: {KEY_ENV}
        """,
    )
    proj.write("functions.yaml", FUNCTIONS)
    proj.write("stack.yaml", STACK)
    proj.write("handbook/returns.md", "# Returns\n\nItems can be returned within 30 days.\n")
    proj.write("handbook/shipping.md", "# Shipping\n\nOrders ship within 2 business days.\n")
    proj.write("data/orders.csv", "order_id,status\nA-1001,shipped\nA-1002,processing\n")
    proj.write("data/prices.csv", "sku,price\nmug,12\n")
    return proj


@pytest.fixture
def account(tmp_path: Path, sandbox: SandboxServer, monkeypatch: pytest.MonkeyPatch) -> Project:
    """A project with no manifests yet, on an account whose objects a test makes through the SDK (export)."""
    monkeypatch.setenv(KEY_ENV, API_KEY)
    found = Project(root=tmp_path / "assistants", runner=CliRunner(), sandbox=sandbox)
    found.write(
        "assistplan.yaml",
        f"""\
        project: adopter
        openai:
          base_url: {sandbox.base_url}
          api_key_env: {KEY_ENV}
        """,
    )
    return found


def no_changes(project: Project) -> None:
    result = project.run("plan", "--detailed-exitcode")
    assert result.exit_code == 0, result.output
    assert "No changes." in result.output


def plan_changes(project: Project) -> list[tuple[str, list[str], list[str]]]:
    """(address, actions, changed paths) of every resource the plan would change."""
    result = project.run("plan", "--format", "json")
    assert result.exit_code == 0, result.output
    view = json.loads(result.output)
    return [
        (rc["address"], rc["change"]["actions"], rc["change"]["changed_paths"])
        for rc in view["resource_changes"]
        if rc["change"]["actions"] != ["no-op"]
    ]


def files_under(root: Path) -> dict[str, str]:
    """Every file under the manifest root but the state, by path relative to it, with its text."""
    return {
        str(path.relative_to(root)): path.read_text(encoding="utf-8")
        for path in root.rglob("*")
        if path.is_file() and ".assistplan" not in path.parts
    }


ProjectFactory = Callable[[], Project]
