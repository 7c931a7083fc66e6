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


def drift() -> dict[str, Any]:
    return load(REPO_ROOT / ".github" / "workflows" / "assistplan-drift.yml")


MATRIX = "${{ fromJSON(needs.projects.outputs.matrix) }}"


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

    assert {"manifests", "projects", "python-version", "var-files", "environment", "env"} <= set(call["inputs"])
    assert call["inputs"]["projects"]["default"] == ""
    assert set(call["secrets"]) == {"OPENAI_API_KEY", "FLOWISE_API_KEY", "ASSISTPLAN_SECRET_ENV"}
    assert not any(secret["required"] for secret in call["secrets"].values())


def test_the_projects_job_lists_the_matrix_and_may_only_read() -> None:
    projects = reusable()["jobs"]["projects"]

    assert projects["permissions"] == {"contents": "read"}
    assert projects["outputs"] == {
        "matrix": "${{ steps.list.outputs.matrix }}",
        "empty": "${{ steps.list.outputs.empty }}",
    }
    assert projects["steps"][-1]["run"] == ".assistplan-tool/scripts/ci-assistplan.sh projects"
    assert projects["steps"][-1]["env"]["ASSISTPLAN_PROJECTS"] == "${{ inputs.projects }}"


@pytest.mark.parametrize("name", ["plan", "apply"])
def test_plan_and_apply_run_a_job_per_project_and_environment(name: str) -> None:
    job = reusable()["jobs"][name]

    assert job["needs"] == "projects"
    assert job["if"].endswith("needs.projects.outputs.empty == 'false'")
    assert job["strategy"] == {"fail-fast": False, "matrix": MATRIX}
    assert job["concurrency"]["group"].endswith("-${{ matrix.dir }}-${{ matrix.environment }}")
    env = job["steps"][-1 if name == "apply" else -2]["env"]
    assert (env["ASSISTPLAN_DIR"], env["ASSISTPLAN_ENV"]) == ("${{ matrix.dir }}", "${{ matrix.environment }}")


def test_plan_runs_on_pull_requests_and_may_write_only_pull_requests() -> None:
    plan = reusable()["jobs"]["plan"]

    assert plan["if"].startswith("github.event_name == 'pull_request' && ")
    assert plan["permissions"] == {"contents": "read", "pull-requests": "write"}
    assert plan["concurrency"]["cancel-in-progress"] is True
    assert [s["run"] for s in plan["steps"] if "run" in s][-1] == ".assistplan-tool/scripts/ci-assistplan.sh plan"
    upload = plan["steps"][-1]
    assert upload["uses"].startswith("actions/upload-artifact@")
    assert {Path(p).name for p in upload["with"]["path"].splitlines()} == {
        "plan.json",
        "saved.plan",
        "plan.md",
        "tests.xml",
    }


def test_apply_runs_on_the_default_branch_in_an_environment_one_at_a_time() -> None:
    apply = reusable()["jobs"]["apply"]

    assert apply["if"].startswith("github.event_name == 'push' && ")
    assert apply["environment"] == "${{ inputs.environment }}"
    assert apply["permissions"] == {"contents": "read"}
    assert apply["concurrency"]["cancel-in-progress"] is False
    assert apply["concurrency"]["group"].startswith("assistplan-apply-${{ inputs.environment }}-")
    assert [s["run"] for s in apply["steps"] if "run" in s][-1] == ".assistplan-tool/scripts/ci-assistplan.sh apply"


def test_the_token_reaches_only_the_steps_that_comment() -> None:
    holders = [s["name"] for s in steps(reusable()) if "GITHUB_TOKEN" in (s.get("env") or {})]

    assert holders == ["Plan, and comment on the pull request"] * 2


def test_the_combined_comment_plans_every_project_in_one_job_instead_of_the_matrix() -> None:
    workflow = reusable()
    combined, matrix = workflow["jobs"]["plan-combined"], workflow["jobs"]["plan"]

    combined_input = workflow["on"]["workflow_call"]["inputs"]["combined-comment"]
    assert {key: value for key, value in combined_input.items() if key != "description"} == {
        "type": "boolean",
        "default": False,
    }
    assert "post one comment with a section per project" in combined_input["description"]
    assert "inputs.combined-comment && inputs.projects != ''" in combined["if"]
    assert "!(inputs.combined-comment && inputs.projects != '')" in matrix["if"]
    assert "strategy" not in combined
    assert combined["permissions"] == {"contents": "read", "pull-requests": "write"}
    assert combined["steps"][0]["with"]["fetch-depth"] == 0
    step = combined["steps"][-2]
    assert step["run"] == ".assistplan-tool/scripts/ci-assistplan.sh plan-all"
    assert step["env"]["ASSISTPLAN_PROJECTS"] == "${{ inputs.projects }}"
    assert step["env"]["ASSISTPLAN_CHANGED_SINCE"] == "${{ github.event.pull_request.base.sha }}"


def test_the_drift_check_plans_every_project_and_may_write_only_issues() -> None:
    workflow = drift()
    check = workflow["jobs"]["drift"]

    assert set(workflow["on"]) == {"workflow_call"}
    assert workflow["jobs"]["projects"]["permissions"] == {"contents": "read"}
    assert "ASSISTPLAN_CHANGED_SINCE" not in workflow["jobs"]["projects"]["steps"][-1]["env"]
    assert check["permissions"] == {"contents": "read", "issues": "write"}
    assert check["strategy"] == {"fail-fast": False, "matrix": MATRIX}
    assert check["concurrency"] == {
        "group": "assistplan-drift-${{ matrix.dir }}-${{ matrix.environment }}",
        "cancel-in-progress": False,
    }
    assert [s["run"] for s in check["steps"] if "run" in s][-1] == ".assistplan-tool/scripts/ci-assistplan.sh drift"
    holders = [s["name"] for s in steps(workflow) if "GITHUB_TOKEN" in (s.get("env") or {})]
    assert holders == ["Check for drift, and keep the drift issue"]


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
