"""What `migrate assistants-to-agents` does with code_interpreter files a template cannot carry inline: a local
file larger than that becomes a File manifest (purpose user_data) the template names; a file kept by id
(`existing_files`, written by `export`) cannot be downloaded, and the report says how to bring it over."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from assistplan.migrate.assistants import INLINE_BYTES_MAX
from manifest_root import ManifestRoot

ASSISTANT = """\
kind: Assistant
name: analyst
model: gpt-4o
tools: [code_interpreter]
code_interpreter:
  files: [data/*.csv]
  existing_files: [file-uploaded-elsewhere]
"""


@pytest.fixture
def root(tmp_path: Path) -> ManifestRoot:
    project = ManifestRoot(root=tmp_path / "assistants", runner=CliRunner())
    project.write("assistplan.yaml", "project: shop\nopenai: {base_url: sandbox}\n")
    project.write("assistants.yaml", ASSISTANT)
    project.write("data/small.csv", "id\n1\n")
    (project.root / "data" / "big orders.csv").write_bytes(b"x" * (INLINE_BYTES_MAX + 1))
    return project


def migrate(root: ManifestRoot) -> str:
    result = root.run("migrate", "assistants-to-agents", "--report", str(root.root / "migration.md"))
    assert result.exit_code == 0, result.output
    return (root.root / "migration.md").read_text(encoding="utf-8")


def test_a_file_too_large_to_send_inline_becomes_a_file_the_template_names(root: ManifestRoot) -> None:
    report = migrate(root)

    _, template, upload = yaml.safe_load_all((root.root / "analyst.agent.yaml").read_text(encoding="utf-8"))
    assert upload == {"kind": "File", "name": "big-orders.csv", "path": "data/big orders.csv", "purpose": "user_data"}
    assert template["files"] == [
        {"file": "big-orders.csv", "path": "/workspace/data/big orders.csv"},
        {"source": "data/small.csv", "path": "/workspace/data/small.csv"},
    ]
    assert "File/big-orders.csv uploads it (purpose user_data)" in report
    result = root.run("validate")
    assert result.exit_code == 0, result.output


def test_a_file_kept_by_id_is_in_the_report_with_the_way_to_bring_it_over(root: ManifestRoot) -> None:
    report = migrate(root)

    assert "file-uploaded-elsewhere" in report
    assert "cannot be downloaded" in report
