"""Environments on one real Flowise: the same manifests applied to dev and prod make two sets of tools,
credentials and assistants, each environment plans no changes with and without its state, destroying dev leaves
prod, a variable (which carries no mark) needs a name of its own per environment, and an environment keeping the
project's identity owns what the project applied before it declared environments (credentials' derived ids
included)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from .conftest import (
    FLOWISE_KEY_ENV,
    GET_ORDER_STATUS,
    OPENAI_CREDENTIAL,
    OPENAI_KEY_ENV,
    SECRET_ENV,
    FlowiseProject,
    documents,
    order_status_tool,
)

STACK = documents(
    GET_ORDER_STATUS,
    OPENAI_CREDENTIAL,
    order_status_tool("order_status"),
    """\
kind: FlowiseAssistant
name: support
type: CUSTOM
credential: openai
instructions: "Help Acme's customers ({{ vars.stage }})."
chat_model: {name: chatOpenAI, model: gpt-4o-mini}
tools: [order_status]
""",
)

VARIABLE = """\
kind: FlowiseVariable
name: "{{ vars.stage }}_support_email"
value: support@acme.example
"""


@pytest.fixture
def project(fproject: FlowiseProject, monkeypatch: pytest.MonkeyPatch) -> FlowiseProject:
    monkeypatch.setenv(SECRET_ENV, "sk-flowise-test")
    fproject.write(
        "assistplan.yaml",
        f"""\
        project: flowise-test
        openai:
          base_url: {fproject.sandbox.base_url}
          api_key_env: {OPENAI_KEY_ENV}
        flowise:
          url: {fproject.flowise.url}
          api_key_env: {FLOWISE_KEY_ENV}
        environments:
          dev: {{vars: {{stage: dev}}}}
          prod: {{vars: {{stage: prod}}}}
        """,
    )
    fproject.write("stack.yaml", STACK)
    return fproject


def in_env(project: FlowiseProject, env: str, *args: str) -> str:
    result = project.run("--env", env, *args)
    assert result.exit_code == 0, result.output
    output: str = result.output
    return output


def both_applied(project: FlowiseProject) -> None:
    in_env(project, "dev", "apply", "--auto-approve")
    in_env(project, "prod", "apply", "--auto-approve")


def listed(project: FlowiseProject, collection: str) -> list[dict[str, object]]:
    with project.api() as api:
        items: list[dict[str, object]] = api.get(f"/{collection}").json()
        return items


def names(project: FlowiseProject, collection: str) -> Counter[str]:
    return Counter(str(item["name"]) for item in listed(project, collection))


def state_file(project: FlowiseProject, env: str) -> Path:
    return project.root / ".assistplan" / env / "state.json"


def test_each_environment_makes_its_own_flowise_objects(project: FlowiseProject) -> None:
    both_applied(project)

    assert names(project, "tools") == {"order_status": 2}
    assert names(project, "credentials") == {"openai": 2}
    assert len(listed(project, "assistants")) == 2
    assert "No changes." in in_env(project, "dev", "plan")
    assert "No changes." in in_env(project, "prod", "plan")


def test_without_state_files_each_environment_plans_no_changes(project: FlowiseProject) -> None:
    both_applied(project)
    state_file(project, "dev").unlink()
    state_file(project, "prod").unlink()

    assert "No changes." in in_env(project, "dev", "plan")
    assert "No changes." in in_env(project, "prod", "plan")


def test_destroying_dev_leaves_the_prod_objects(project: FlowiseProject) -> None:
    both_applied(project)

    in_env(project, "dev", "destroy", "--auto-approve")

    assert names(project, "tools") == {"order_status": 1}
    assert names(project, "credentials") == {"openai": 1}
    assert len(listed(project, "assistants")) == 1
    assert "No changes." in in_env(project, "prod", "plan")


def test_variables_named_per_environment_stay_apart(project: FlowiseProject) -> None:
    project.write("variables.yaml", VARIABLE)
    both_applied(project)

    assert names(project, "variables") == {"dev_support_email": 1, "prod_support_email": 1}
    in_env(project, "dev", "destroy", "--auto-approve")
    assert names(project, "variables") == {"prod_support_email": 1}


def test_a_variable_of_one_name_in_two_environments_is_refused(project: FlowiseProject) -> None:
    project.write("variables.yaml", VARIABLE.replace('"{{ vars.stage }}_support_email"', "support_email"))
    in_env(project, "dev", "apply", "--auto-approve")

    result = project.run("--env", "prod", "plan")

    assert result.exit_code == 1
    assert "Flowise already has a variable named 'support_email'" in result.output


def test_the_environment_keeping_the_project_identity_owns_what_was_applied_before_environments(
    project: FlowiseProject,
) -> None:
    environments = "environments:\n  dev: {vars: {stage: dev}}\n  prod: {vars: {stage: prod}}\n"
    project.edit("assistplan.yaml", environments, "vars: {stage: prod}\n")
    applied = project.run("apply", "--auto-approve")
    assert applied.exit_code == 0, applied.output
    project.edit(
        "assistplan.yaml", "vars: {stage: prod}\n", environments.replace("prod}}", "prod}, identity: project}")
    )

    assert "No changes." in in_env(project, "prod", "plan")
    project.state_path.unlink()
    assert "No changes." in in_env(project, "prod", "plan")
    in_env(project, "dev", "apply", "--auto-approve")
    assert names(project, "credentials") == {"openai": 2}
    assert "No changes." in in_env(project, "prod", "plan")
    in_env(project, "dev", "destroy", "--auto-approve")
    assert (names(project, "tools"), names(project, "credentials")) == ({"order_status": 1}, {"openai": 1})
    assert "No changes." in in_env(project, "prod", "plan")
