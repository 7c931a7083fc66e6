"""The repository's Flowise example (assistants/flowise/) applies to a real Flowise and then plans no changes."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from assistplan.cli import cli
from assistplan.sandbox.server import API_KEY, SandboxServer

from .server import FlowiseServer

EXAMPLE = Path(__file__).resolve().parents[2] / "assistants" / "flowise"

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def test_the_example_applies_and_then_plans_no_changes(
    tmp_path: Path, flowise: FlowiseServer, sandbox: SandboxServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "flowise"
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns(".assistplan"))
    monkeypatch.setenv("FLOWISE_URL", flowise.url)
    monkeypatch.setenv("FLOWISE_API_KEY", flowise.api_key)
    monkeypatch.setenv("OPENAI_API_KEY", API_KEY)
    monkeypatch.setenv("OPENAI_BASE_URL", sandbox.base_url)
    runner = CliRunner()

    applied = runner.invoke(cli, ["--chdir", str(root), "apply", "--auto-approve"], catch_exceptions=False)
    planned = runner.invoke(cli, ["--chdir", str(root), "plan", "--detailed-exitcode"], catch_exceptions=False)

    assert applied.exit_code == 0, applied.output
    assert "Apply complete! Resources: 9 added, 0 changed, 0 destroyed." in applied.output
    assert planned.exit_code == 0, planned.output
    assert "No changes." in planned.output
