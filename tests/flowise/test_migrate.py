"""The repository's Flowise example, migrated to a CUSTOM assistant, applies to a real Flowise and then plans no
changes; the OPENAI assistant stays until its manifest is removed."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from assistplan.cli import cli
from assistplan.sandbox.server import API_KEY, SandboxServer

from .server import FlowiseServer

EXAMPLE = Path(__file__).resolve().parents[2] / "assistants" / "flowise"

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def test_the_migrated_example_applies_and_then_plans_no_changes(
    tmp_path: Path, flowise: FlowiseServer, sandbox: SandboxServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "flowise"
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns(".assistplan"))
    monkeypatch.setenv("FLOWISE_URL", flowise.url)
    monkeypatch.setenv("FLOWISE_API_KEY", flowise.api_key)
    monkeypatch.setenv("OPENAI_API_KEY", API_KEY)
    monkeypatch.setenv("OPENAI_BASE_URL", sandbox.base_url)
    runner = CliRunner()

    def run(*args: str) -> Result:
        return runner.invoke(cli, ["--chdir", str(root), *args], catch_exceptions=False)

    migrated = run("migrate", "flowise-openai-to-custom")
    planned = run("plan", "--format", "json")
    applied = run("apply", "--auto-approve")
    again = run("plan", "--detailed-exitcode")

    assert migrated.exit_code == 0, migrated.output
    assert planned.exit_code == 0, planned.output
    actions = {rc["address"]: rc["change"]["actions"] for rc in json.loads(planned.stdout)["resource_changes"]}
    assert actions["FlowiseAssistant/support-openai-custom"] == ["create"]
    assert actions["FlowiseAssistant/support-openai"] == ["create"]
    assert not [address for address, action in actions.items() if "delete" in action]
    assert applied.exit_code == 0, applied.output
    assert again.exit_code == 0, again.output
    assert "No changes." in again.output
    with flowise.client() as client:
        types = sorted(assistant["type"] for assistant in client.get("/assistants").json())
    assert types == ["CUSTOM", "CUSTOM", "OPENAI"]
