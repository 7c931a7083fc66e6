"""A manifest root with Assistants using every feature, the real `assistplan` command run on it, and snapshots of
what the migrations write (Markdown reports and YAML manifests, one readable file per test)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from syrupy.assertion import SnapshotAssertion
from syrupy.extensions.single_file import SingleFileSnapshotExtension, WriteMode

from manifest_root import ManifestRoot

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
---
kind: Function
name: create_ticket
description: Open a support ticket.
parameters:
  type: object
  properties:
    subject: {type: string}
    priority: {type: string, enum: [low, high]}
  required: [subject]
---
kind: Function
name: plan_route
description: Plan a delivery route.
parameters:
  type: object
  properties:
    stops:
      type: array
      items:
        type: object
        properties:
          city: {type: string}
"""

ASSISTANTS = """\
kind: VectorStore
name: handbook
files: [handbook/*.md]
---
kind: Assistant
name: support
model: "{{ vars.model }}"
description: Answers questions about orders.
instructions_file: prompts/support.md
tools:
  - code_interpreter
  - file_search
  - function: get_order_status
  - function: create_ticket
file_search:
  vector_store: handbook
  max_num_results: 8
  ranking_options: {ranker: auto, score_threshold: 0.2}
code_interpreter: {files: [data/*.csv]}
temperature: 0.3
top_p: 0.9
response_format:
  type: json_schema
  json_schema:
    name: answer
    description: The answer and its sources.
    strict: true
    schema:
      type: object
      properties:
        answer: {type: string}
      required: [answer]
      additionalProperties: false
reasoning_effort: low
metadata:
  team: support
  env: "{{ vars.env }}"
lifecycle:
  prevent_destroy: true
  ignore_changes: [metadata]
---
kind: Assistant
name: triage
model: gpt-4o-mini
instructions: |
  Sort each message into billing, shipping or other.
  Answer with a JSON object.
tools:
  - function: plan_route
response_format: {type: json_object}
---
kind: Assistant
name: notes
model: gpt-4o
tools: [code_interpreter]
response_format: {type: text}
---
kind: Agent
name: triage
model: gpt-5
"""


class MarkdownSnapshot(SingleFileSnapshotExtension):
    _write_mode = WriteMode.TEXT
    file_extension = "md"


class YamlSnapshot(SingleFileSnapshotExtension):
    _write_mode = WriteMode.TEXT
    file_extension = "yaml"


@pytest.fixture
def markdown_snapshot(snapshot: SnapshotAssertion) -> SnapshotAssertion:
    return snapshot.use_extension(MarkdownSnapshot)


@pytest.fixture
def yaml_snapshot(snapshot: SnapshotAssertion) -> SnapshotAssertion:
    return snapshot.use_extension(YamlSnapshot)


@pytest.fixture
def root(tmp_path: Path) -> ManifestRoot:
    project = ManifestRoot(root=tmp_path / "assistants", runner=CliRunner())
    project.write(
        "assistplan.yaml",
        """\
        project: shop
        openai: {base_url: sandbox}
        vars: {model: gpt-4o, env: dev}
        """,
    )
    project.write("functions.yaml", FUNCTIONS)
    project.write("assistants.yaml", ASSISTANTS)
    project.write("prompts/support.md", "You are the support assistant of Acme.\n")
    project.write("handbook/returns.md", "# Returns\n\nWithin 30 days.\n")
    project.write("data/orders.csv", "order_id,status\nA-1001,shipped\n")
    project.write("data/prices.csv", "sku,price\nmug,12\n")
    return project
