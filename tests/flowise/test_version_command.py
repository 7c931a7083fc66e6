"""`assistplan version` asks a real Flowise for its version (`GET /api/v1/version`, no key needed)."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from assistplan.cli import cli

from .server import VERSION, FlowiseServer


def test_version_names_the_version_flowise_reports(flowise: FlowiseServer, tmp_path: Path) -> None:
    root = tmp_path / "assistants"
    root.mkdir()
    config = f"project: versions\nflowise:\n  url: {flowise.url}\n  api_key_env: ASSISTPLAN_TEST_NO_KEY_NEEDED\n"
    (root / "assistplan.yaml").write_text(config, encoding="utf-8")

    result = CliRunner().invoke(cli, ["--chdir", str(root), "version"])

    assert result.exit_code == 0, result.output
    assert f"Flowise at {flowise.url}: {VERSION}\n" in result.stdout
