"""Write-only fields never printed: a server whose 400 quotes the request body (as some validation errors do) has
the text of an EnvironmentTemplate's setup commands scrubbed from the error, which still says what failed."""

from __future__ import annotations

import json
from typing import Any

import pytest

from assistplan.sandbox import environment_templates
from assistplan.sandbox.errors import SandboxError
from conftest import Project

COMMAND = "curl -H 'X: setupcmd-SECRET-77' x"

TEMPLATE = f"""\
kind: EnvironmentTemplate
name: analysis
setup_commands:
  - command: {json.dumps(COMMAND)}
"""


def quoting_the_body(template: dict[str, Any], body: dict[str, Any]) -> None:
    raise SandboxError(400, f"Could not parse the request body: {json.dumps(body)}")


@pytest.fixture
def echoing_templates(project: Project, monkeypatch: pytest.MonkeyPatch) -> Project:
    monkeypatch.setattr(environment_templates, "_apply", quoting_the_body)
    project.write("templates.yaml", TEMPLATE)
    return project


def test_a_setup_command_echoed_in_an_error_is_scrubbed(echoing_templates: Project) -> None:
    result = echoing_templates.run("apply", "--auto-approve")

    assert result.exit_code == 1
    assert "setupcmd-SECRET-77" not in result.output
    assert '"setup_commands": [{"command": "[redacted]", "cwd": "/workspace"}]' in result.output


def test_an_error_echoing_a_setup_command_still_names_the_resource_and_the_failure(
    echoing_templates: Project,
) -> None:
    result = echoing_templates.run("apply", "--auto-approve")

    line = next(line for line in result.output.splitlines() if "Could not parse the request body" in line)
    assert "EnvironmentTemplate/analysis" in line
    assert "create" in line
    assert "400" in line
