"""Migrated manifests against the sandbox: the Agents apply and plan no changes, and the Assistants they replace are
deleted only once their manifests are removed."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from conftest import KEY_ENV, Project

REPOSITORY_EXAMPLE = Path(__file__).resolve().parents[2] / "assistants"


def ok(project: Project, *args: str) -> str:
    result = project.run(*args)
    assert result.exit_code == 0, result.output
    return result.output


def planned(project: Project) -> list[tuple[str, list[str]]]:
    result = project.run("plan", "--format", "json")
    assert result.exit_code == 0, result.output
    view = json.loads(result.output)
    return sorted(
        (change["address"], change["change"]["actions"])
        for change in view["resource_changes"]
        if change["change"]["actions"] != ["no-op"]
    )


def test_the_migrated_example_applies_and_then_plans_no_changes(
    project: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ACME_ORDERS_MCP_TOKEN", "example-token")
    example = Project(root=tmp_path / "example", runner=project.runner, sandbox=project.sandbox)
    shutil.copytree(REPOSITORY_EXAMPLE, example.root, ignore=shutil.ignore_patterns(".assistplan"))
    example.edit("assistplan.yaml", "base_url: sandbox", f"base_url: {project.sandbox.base_url}")
    example.edit("assistplan.yaml", "api_key_env: OPENAI_API_KEY", f"api_key_env: {KEY_ENV}")
    ok(example, "migrate", "assistants-to-agents")

    ok(example, "apply", "--auto-approve")

    assert "No changes." in ok(example, "plan", "--detailed-exitcode")
    example.state_path.unlink()
    assert "No changes." in ok(example, "plan", "--detailed-exitcode")


def test_after_migrating_the_plan_creates_the_agent_and_deletes_nothing(project: Project) -> None:
    ok(project, "apply", "--auto-approve")

    ok(project, "migrate", "assistants-to-agents")

    assert planned(project) == [
        ("Agent/support", ["create"]),
        ("EnvironmentTemplate/support", ["create"]),
    ]


def test_the_assistant_and_its_code_interpreter_upload_are_deleted_once_its_manifest_is_removed(
    project: Project,
) -> None:
    ok(project, "apply", "--auto-approve")
    ok(project, "migrate", "assistants-to-agents")
    ok(project, "apply", "--auto-approve")
    stack = project.root / "stack.yaml"
    documents = stack.read_text(encoding="utf-8").split("---\n")
    stack.write_text("---\n".join(doc for doc in documents if "kind: Assistant" not in doc), encoding="utf-8")

    assert [(address.partition("#")[0], actions) for address, actions in planned(project)] == [
        ("Assistant/support", ["delete"]),
        ("File/data/orders.csv", ["delete"]),
    ]
    ok(project, "apply", "--auto-approve")
    assert "No changes." in ok(project, "plan", "--detailed-exitcode")


def test_migrating_in_place_replaces_the_assistant_with_the_agent_in_one_plan(project: Project) -> None:
    ok(project, "apply", "--auto-approve")

    ok(project, "migrate", "assistants-to-agents", "--in-place")

    assert [(address.partition("#")[0], actions) for address, actions in planned(project)] == [
        ("Agent/support", ["create"]),
        ("Assistant/support", ["delete"]),
        ("EnvironmentTemplate/support", ["create"]),
        ("File/data/orders.csv", ["delete"]),
    ]
    ok(project, "apply", "--auto-approve")
    assert "No changes." in ok(project, "plan", "--detailed-exitcode")
