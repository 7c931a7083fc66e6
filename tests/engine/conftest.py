"""A small project on the sandbox, and a way to run the real `assistplan` command on it."""

from __future__ import annotations

import json
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import openai
import pytest
from click.testing import CliRunner, Result

from assistplan.cli import cli
from assistplan.sandbox.server import API_KEY, SandboxServer
from assistplan.sandbox.testing import make_client

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
class Project:
    root: Path
    sandbox: SandboxServer
    runner: CliRunner

    def run(self, *args: str, input: str | None = None) -> Result:
        return self.runner.invoke(cli, ["--chdir", str(self.root), *args], input=input, catch_exceptions=False)

    def write(self, name: str, text: str) -> None:
        path = self.root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")

    def edit(self, name: str, old: str, new: str) -> None:
        path = self.root / name
        text = path.read_text(encoding="utf-8")
        assert old in text, f"{old!r} not in {name}"
        path.write_text(text.replace(old, new), encoding="utf-8")

    @property
    def state_path(self) -> Path:
        return self.root / ".assistplan" / "state.json"

    def state(self) -> dict[str, Any]:
        return json.loads(self.state_path.read_text(encoding="utf-8"))

    def client(self) -> openai.OpenAI:
        return make_client(self.sandbox)


@pytest.fixture
def project(tmp_path: Path, sandbox: SandboxServer, monkeypatch: pytest.MonkeyPatch) -> Project:
    monkeypatch.setenv(KEY_ENV, API_KEY)
    root = tmp_path / "assistants"
    proj = Project(root, sandbox, CliRunner())
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


ProjectFactory = Callable[[], Project]
