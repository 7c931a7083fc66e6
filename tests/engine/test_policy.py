"""The policy through the command: errors fail validate, plan and apply with exit 1; warnings are shown and fail
nothing; the plan comment lists the warnings and flags high-impact changes; the failure report shows the errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from engine.conftest import Project

WARN_ON_WEB_SEARCH = """\
policy:
  tool_types:
    allow: [function, file_search, code_interpreter]
    severity: warning
"""

ONLY_GPT_5 = """\
policy:
  models:
    allow: ["gpt-5*"]
"""

WEB_SEARCH_WARNING = 'stack.yaml:27:11: warning: tools[1].type: "web_search" is not an allowed tool type'
MODEL_ERROR = 'stack.yaml:8:8: error: model: "gpt-4o" is not an allowed model'


@pytest.fixture(autouse=True)
def in_the_project(project: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    """Diagnostics name files relative to the working directory: run the commands from the manifest root."""
    monkeypatch.chdir(project.root)


def with_policy(project: Project, policy: str) -> None:
    config = project.root / "assistplan.yaml"
    config.write_text(config.read_text(encoding="utf-8") + policy, encoding="utf-8")


def test_validate_shows_a_policy_warning_and_succeeds(project: Project) -> None:
    with_policy(project, WARN_ON_WEB_SEARCH)
    result = project.run("validate")
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines()[0] == WEB_SEARCH_WARNING
    assert '      = note: policy.tool_types allows "function", "file_search", "code_interpreter"' in result.stderr
    assert "are valid" in result.stdout


def test_validate_fails_on_a_policy_error(project: Project) -> None:
    with_policy(project, ONLY_GPT_5)
    result = project.run("validate")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == MODEL_ERROR
    assert result.stderr.splitlines()[-1] == "1 error"


def test_plan_fails_on_a_policy_error_before_changing_anything(project: Project) -> None:
    """The live objects may already be being read (the early refresh), never written."""
    with_policy(project, ONLY_GPT_5)
    project.sandbox.reset_counters()
    result = project.run("plan")
    assert result.exit_code == 1
    assert MODEL_ERROR in result.stderr
    assert all(route.startswith("GET ") for route in project.sandbox.counters), project.sandbox.counters
    assert not project.state_path.exists()


def test_apply_refuses_a_project_that_breaks_the_policy(project: Project) -> None:
    with_policy(project, ONLY_GPT_5)
    result = project.run("apply", "--auto-approve")
    assert result.exit_code == 1
    assert not project.state_path.exists()


def test_plan_with_a_policy_warning_succeeds_and_lists_it_in_the_comment(project: Project) -> None:
    with_policy(project, WARN_ON_WEB_SEARCH)
    result = project.run("plan", "--format", "markdown", "--detailed-exitcode")
    assert result.exit_code == 2, result.output
    assert result.stderr.splitlines()[0] == WEB_SEARCH_WARNING
    assert (
        "#### Policy\n\n"
        "1 policy warning (rules set to `warning`: they do not fail the plan):\n\n"
        '- `stack.yaml:27:11` `Agent/support-agent`: tools\\[1\\].type: "web\\_search" is not an allowed tool type '
        '(policy.tool\\_types allows "function", "file\\_search", "code\\_interpreter")\n'
    ) in result.stdout


def test_the_json_plan_carries_the_policy_warnings(project: Project) -> None:
    with_policy(project, WARN_ON_WEB_SEARCH)
    result = project.run("plan", "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["policy_warnings"] == [
        {
            "location": "stack.yaml:27:11",
            "address": "Agent/support-agent",
            "message": 'tools[1].type: "web_search" is not an allowed tool type',
            "rule": 'policy.tool_types allows "function", "file_search", "code_interpreter"',
        }
    ]


def test_a_model_change_is_flagged_in_the_comment_banner(project: Project) -> None:
    assert project.run("apply", "--auto-approve").exit_code == 0
    project.edit("stack.yaml", "model: gpt-5\n", "model: gpt-5-mini\n")
    result = project.run("plan", "--format", "markdown")
    assert result.exit_code == 0, result.output
    assert (
        "> [!WARNING]\n> **High-impact changes:**\n> - `Agent/support-agent` model `gpt-5` → `gpt-5-mini`\n"
    ) in result.stdout


def test_the_failure_report_shows_the_policy_errors(project: Project, tmp_path: Path) -> None:
    with_policy(project, ONLY_GPT_5)
    log = tmp_path / "plan.log"
    log.write_text(project.run("validate").output, encoding="utf-8")
    result = project.run("github", "failure-report", str(log))
    assert result.exit_code == 0, result.output
    assert f"{MODEL_ERROR}\n    8 | model: gpt-4o\n" in result.stdout
    assert '      = note: policy.models allows "gpt-5*"\n' in result.stdout
