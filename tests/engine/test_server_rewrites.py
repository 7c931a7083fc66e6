"""Through the real command on the sandbox: what servers fill in or leave out plans as no changes, and MCP header
values (secrets by reference) are sent to the API but never shown, stored or digested in clear."""

from __future__ import annotations

import json

import pytest

from conftest import Project

TOKEN_ENV = "ASSISTPLAN_TEST_MCP_TOKEN"
TOKEN = "Bearer ghp_TopSecretValue0123456789"

MCP_AGENT = f"""\
kind: Agent
name: helper
model: gpt-5
tools:
  - type: mcp
    server_label: github
    transport:
      type: http
      server_url: https://mcp.example.com/mcp
      headers:
        Authorization: {{env: {TOKEN_ENV}}}
"""

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.fixture
def mcp(project: Project, monkeypatch: pytest.MonkeyPatch) -> Project:
    monkeypatch.setenv(TOKEN_ENV, TOKEN)
    project.write("mcp.yaml", MCP_AGENT)
    return project


def applied(project: Project) -> str:
    result = project.run("apply", "--auto-approve")
    assert result.exit_code == 0, result.output
    return result.output


def plan_exit(project: Project, *args: str) -> int:
    return project.run("plan", "--detailed-exitcode", *args).exit_code


def test_an_agent_with_an_mcp_tool_plans_no_changes_after_apply(project: Project) -> None:
    project.write(
        "mcp.yaml",
        """\
        kind: Agent
        name: helper
        model: gpt-5
        tools:
          - type: mcp
            server_label: docs
            transport: {type: http, server_url: "https://mcp.example.com/mcp"}
          - type: mcp
            server_label: local
            transport: {type: stdio, command: docs-mcp, cwd: /srv}
        """,
    )
    applied(project)

    assert plan_exit(project) == 0


def test_an_assistant_whose_server_does_not_echo_reasoning_effort_plans_no_changes(project: Project) -> None:
    project.sandbox.settings.profile = "spec"
    project.write(
        "reasoning.yaml",
        """\
        kind: Assistant
        name: thinker
        model: o3-mini
        reasoning_effort: high
        """,
    )
    applied(project)

    assert plan_exit(project) == 0
    project.state_path.unlink()
    assert plan_exit(project) == 0


def test_a_literal_mcp_header_value_is_a_validate_error_naming_the_reference_syntax(project: Project) -> None:
    project.write("mcp.yaml", MCP_AGENT.replace(f"{{env: {TOKEN_ENV}}}", f'"{TOKEN}"'))

    result = project.run("validate")

    assert result.exit_code == 1
    [headline] = [line for line in result.output.splitlines() if ": error: " in line]
    assert "transport.headers.Authorization: header values come only from environment variables" in headline
    assert "write {env: VARIABLE}" in headline
    assert "ghp_TopSecretValue" not in result.output


def test_mcp_header_values_reach_the_api(mcp: Project) -> None:
    applied(mcp)

    agent_id = mcp.state()["resources"]["Agent/helper"]["id"]
    [tool] = mcp.client().beta.agents.retrieve(agent_id).tools
    assert tool.transport.headers == {"Authorization": TOKEN}


def test_mcp_header_values_never_appear_in_plans_apply_output_or_state(mcp: Project) -> None:
    shown = [mcp.run("plan").output, applied(mcp)]
    shown += [mcp.run("plan", "--format", fmt).output for fmt in ("text", "json", "markdown")]
    shown += [mcp.run("state", "show", "Agent/helper").output, mcp.state_path.read_text(encoding="utf-8")]
    saved = mcp.root / "saved.plan"
    mcp.run("plan", "--out", str(saved))
    shown += [saved.read_text(encoding="utf-8", errors="replace")]

    assert not [text for text in shown if "ghp_TopSecretValue" in text]


def test_an_applied_mcp_agent_plans_no_changes_with_and_without_state(mcp: Project) -> None:
    applied(mcp)

    assert plan_exit(mcp) == 0
    mcp.state_path.unlink()
    assert plan_exit(mcp) == 0


def test_a_rotated_header_value_plans_an_update_of_its_fingerprint(
    mcp: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    applied(mcp)
    monkeypatch.setenv(TOKEN_ENV, "Bearer ghp_RotatedValue0123456789")

    result = mcp.run("plan", "--format", "json")

    [change] = [rc for rc in json.loads(result.output)["resource_changes"] if rc["address"] == "Agent/helper"]
    assert change["change"]["actions"] == ["update"]
    assert change["change"]["changed_paths"] == ["tools[0].transport.headers.Authorization.fingerprint"]
    assert "ghp_RotatedValue" not in result.output and "ghp_TopSecretValue" not in result.output


def test_a_header_variable_missing_at_apply_is_an_error_naming_it(
    mcp: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(TOKEN_ENV)

    result = mcp.run("apply", "--auto-approve")

    assert result.exit_code == 1
    assert f"the environment variable {TOKEN_ENV} is not set" in result.output
