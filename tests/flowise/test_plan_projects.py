"""`plan --projects` on one real Flowise: two projects planned in one run read each Flowise collection once between
them, each plans exactly as alone (no changes once applied, with or without its state file), and neither adopts
the other's objects."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from assistplan.cli import cli

from .conftest import FLOWISE_KEY_ENV, OPENAI_KEY_ENV, FlowiseProject, Sent

TOOL = """\
kind: Function
name: get_{name}_status
description: Look up the status of a {name} order.
parameters:
  type: object
  properties:
    order_id: {{type: string, description: The order number.}}
  required: [order_id]
---
kind: FlowiseTool
name: {name}_status
function: get_{name}_status
code: return '{name}';
"""


@pytest.fixture
def repo(fproject: FlowiseProject, sent: list[Sent], tmp_path: Path) -> Path:
    """Two projects, `shop` and `blog`, each with a tool of its own on the one Flowise, both applied."""
    top = tmp_path / "repo"
    for name in ("shop", "blog"):
        folder = top / name
        folder.mkdir(parents=True)
        config = f"""\
            project: {name}
            openai: {{base_url: '{fproject.sandbox.base_url}', api_key_env: {OPENAI_KEY_ENV}}}
            flowise: {{url: '{fproject.flowise.url}', api_key_env: {FLOWISE_KEY_ENV}}}
            """
        (folder / "assistplan.yaml").write_text(textwrap.dedent(config), encoding="utf-8")
        (folder / "tools.yaml").write_text(TOOL.format(name=name), encoding="utf-8")
        result = run(fproject, "--chdir", str(folder), "apply", "--auto-approve")
        assert result.exit_code == 0, result.output
    return top


def run(fproject: FlowiseProject, *args: str) -> Result:
    return CliRunner().invoke(cli, list(args), obj={"connectors": fproject.connectors}, catch_exceptions=False)


def planned(fproject: FlowiseProject, top: Path) -> dict[str, dict[str, Any]]:
    result = run(fproject, "plan", "--projects", str(top), "--format", "json")
    assert result.exit_code == 0, result.output
    return {entry["project"]: entry["plan"] for entry in json.loads(result.stdout)["projects"]}


def collection_reads(sent: list[Sent]) -> int:
    return sum(1 for request in sent if request.method == "GET" and request.path == "/tools")


def test_two_projects_on_one_flowise_read_its_tools_once_and_plan_no_changes(
    fproject: FlowiseProject, repo: Path, sent: list[Sent]
) -> None:
    sent.clear()
    for name in ("shop", "blog"):
        run(fproject, "--chdir", str(repo / name), "plan")
    one_by_one = collection_reads(sent)
    sent.clear()

    plans = planned(fproject, repo)

    assert (one_by_one, collection_reads(sent)) == (2, 1)
    assert {name: plan["summary"]["has_changes"] for name, plan in plans.items()} == {"blog": False, "shop": False}


def test_without_their_state_files_each_project_finds_only_its_own_tool(fproject: FlowiseProject, repo: Path) -> None:
    for name in ("shop", "blog"):
        (repo / name / ".assistplan" / "state.json").unlink()

    plans = planned(fproject, repo)

    assert {name: [rc["address"] for rc in plan["resource_changes"]] for name, plan in plans.items()} == {
        "blog": ["FlowiseTool/blog_status"],
        "shop": ["FlowiseTool/shop_status"],
    }
    assert all(rc["change"]["actions"] == ["no-op"] for plan in plans.values() for rc in plan["resource_changes"])
