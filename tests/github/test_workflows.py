"""The GitHub workflows follow the project's rules: least privilege, pinned first-party actions, secrets only through
`secrets.*`, no expressions inside shell scripts; plan on pull requests, apply on main under an environment."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from .conftest import REPO_ROOT

WORKFLOWS = sorted((REPO_ROOT / ".github" / "workflows").glob("*.yml"))
PINNED = re.compile(r"^(actions|github)/[A-Za-z0-9_.-]+@[0-9a-f]{40}$")
SECRET_NAME = re.compile(r"(?i)(api_?key|token|password|secret)")


def load(path: Path) -> dict[str, Any]:
    workflow = yaml.safe_load(path.read_text(encoding="utf-8"))
    workflow["on"] = workflow.pop(True, workflow.get("on"))  # YAML 1.1 reads the key `on` as true
    return workflow


def reusable() -> dict[str, Any]:
    return load(REPO_ROOT / ".github" / "workflows" / "assistplan.yml")


def steps(workflow: dict[str, Any]) -> list[dict[str, Any]]:
    return [step for job in workflow["jobs"].values() for step in job.get("steps", [])]


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_workflows_grant_no_permissions_by_default(path: Path) -> None:
    workflow = load(path)

    assert workflow["permissions"] == {}
    for name, job in workflow["jobs"].items():
        assert "permissions" in job, f"job {name} must list the permissions it needs"


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_workflows_use_only_first_party_actions_pinned_to_a_commit(path: Path) -> None:
    for step in steps(load(path)):
        if "uses" in step:
            assert PINNED.match(step["uses"]), step["uses"]


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_no_expression_is_interpolated_into_a_shell_script(path: Path) -> None:
    for step in steps(load(path)):
        assert "${{" not in step.get("run", ""), step


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_secret_looking_variables_come_from_secrets_or_the_job_token(path: Path) -> None:
    for step in steps(load(path)):
        for name, value in (step.get("env") or {}).items():
            if SECRET_NAME.search(name):
                assert re.fullmatch(r"\$\{\{ (secrets\.[A-Z_]+|github\.token) \}\}", value), (name, value)


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_checkouts_do_not_keep_the_token(path: Path) -> None:
    for step in steps(load(path)):
        if step.get("uses", "").startswith("actions/checkout@"):
            assert step["with"]["persist-credentials"] is False


def test_the_reusable_workflow_takes_the_folder_python_var_files_environment_lines_and_keys() -> None:
    call = reusable()["on"]["workflow_call"]

    assert {"manifests", "python-version", "var-files", "environment", "env"} <= set(call["inputs"])
    assert set(call["secrets"]) == {"OPENAI_API_KEY", "FLOWISE_API_KEY", "ASSISTPLAN_SECRET_ENV"}
    assert not any(secret["required"] for secret in call["secrets"].values())


def test_plan_runs_on_pull_requests_and_may_write_only_pull_requests() -> None:
    plan = reusable()["jobs"]["plan"]

    assert plan["if"] == "github.event_name == 'pull_request'"
    assert plan["permissions"] == {"contents": "read", "pull-requests": "write"}
    assert plan["concurrency"]["cancel-in-progress"] is True
    assert [s["run"] for s in plan["steps"] if "run" in s][-1] == ".assistplan-tool/scripts/ci-assistplan.sh plan"
    upload = plan["steps"][-1]
    assert upload["uses"].startswith("actions/upload-artifact@")
    assert {Path(p).name for p in upload["with"]["path"].splitlines()} == {"plan.json", "saved.plan", "plan.md"}


def test_apply_runs_on_the_default_branch_in_an_environment_one_at_a_time() -> None:
    apply = reusable()["jobs"]["apply"]

    assert apply["if"].startswith("github.event_name == 'push' && ")
    assert apply["environment"] == "${{ inputs.environment }}"
    assert apply["permissions"] == {"contents": "read"}
    assert apply["concurrency"]["cancel-in-progress"] is False
    assert "${{ inputs.manifests }}" in apply["concurrency"]["group"]
    assert [s["run"] for s in apply["steps"] if "run" in s][-1] == ".assistplan-tool/scripts/ci-assistplan.sh apply"


def test_the_token_reaches_only_the_step_that_comments() -> None:
    holders = [s["name"] for s in steps(reusable()) if "GITHUB_TOKEN" in (s.get("env") or {})]

    assert holders == ["Plan, and comment on the pull request"]


def test_this_repository_plans_and_applies_its_example_stack() -> None:
    workflow = load(REPO_ROOT / ".github" / "workflows" / "assistants.yml")

    assert "assistants/**" in workflow["on"]["pull_request"]["paths"]
    assert workflow["on"]["push"] == {"branches": ["main"], "paths": ["assistants/**"]}
    (job,) = workflow["jobs"].values()
    assert job["uses"] == "./.github/workflows/assistplan.yml"
    assert job["with"]["manifests"] == "assistants"
    assert job["permissions"] == {"contents": "read", "pull-requests": "write"}


def test_the_script_the_workflow_runs_is_executable() -> None:
    assert (REPO_ROOT / "scripts" / "ci-assistplan.sh").stat().st_mode & 0o111
