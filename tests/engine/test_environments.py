"""Environments through the command against one sandbox: the same manifests applied to dev and prod (Agent,
VectorStore, File, Vault, VaultCredential, Skill, EnvironmentTemplate) stay apart through apply, drift, state loss and
destroy; --env and ASSISTPLAN_ENV choose one; validate renders each one's vars;
a project without environments is stamped with its name alone; after environments are added to a project already
applied, the environment keeping the project's identity plans no changes (with its state, without it, from a new state
path) while another one creates its own objects beside it; two environments keeping it are an error."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from assistplan.cli import cli
from assistplan.sandbox.server import API_KEY, SandboxServer
from conftest import KEY_ENV, Project

TOKEN_ENV = "ASSISTPLAN_TEST_GITHUB_TOKEN"

STACK = """\
kind: Agent
name: support-agent
model: gpt-5
instructions: "You are the {{ vars.stage }} support agent."
tools:
  - type: mcp
    server_label: github
    transport: {type: http, server_url: https://mcp.github.example/mcp}
    credential: github
---
kind: VectorStore
name: handbook
files: [handbook/*.md]
---
kind: File
name: rates
path: data/rates.csv
purpose: user_data
---
kind: Vault
name: tools
---
kind: VaultCredential
name: github
vault: tools
auth:
  type: static_bearer
  mcp_server_url: https://mcp.github.example/mcp
  token: {env: ASSISTPLAN_TEST_GITHUB_TOKEN}
---
kind: Skill
name: math
path: skills/basic-math
---
kind: EnvironmentTemplate
name: analysis
packages:
  python: [pandas]
files:
  - {file: rates, path: /workspace/data/rates.csv}
skills:
  - {skill: math}
"""

SKILL_MD = """\
---
name: basic-math
description: Add or multiply numbers.
---
Use exact sums.
"""


def config(sandbox: SandboxServer, extra: str = "") -> str:
    return f"""\
        project: test-shop
        openai:
          base_url: {sandbox.base_url}
          api_key_env: {KEY_ENV}
        environments:
          dev:
            vars: {{stage: development}}
          prod:
            vars: {{stage: production}}
        {extra}"""


@pytest.fixture
def project(tmp_path: Path, sandbox: SandboxServer, monkeypatch: pytest.MonkeyPatch) -> Project:
    monkeypatch.setenv(KEY_ENV, API_KEY)
    monkeypatch.setenv(TOKEN_ENV, "ghp_SECRET_never_print_4242")
    monkeypatch.delenv("ASSISTPLAN_ENV", raising=False)
    proj = Project(root=tmp_path / "assistants", runner=CliRunner(), sandbox=sandbox)
    proj.write("assistplan.yaml", config(sandbox))
    proj.write("stack.yaml", STACK)
    proj.write("handbook/returns.md", "# Returns\n\nItems can be returned within 30 days.\n")
    proj.write("data/rates.csv", "currency,rate\nEUR,1.08\n")
    proj.write("skills/basic-math/SKILL.md", SKILL_MD)
    return proj


def run(project: Project, env: str, *args: str) -> str:
    result = project.run("--env", env, *args)
    assert result.exit_code == 0, result.output
    output: str = result.output
    return output


def apply(project: Project, env: str) -> None:
    run(project, env, "apply", "--auto-approve")


def changes(project: Project, env: str) -> dict[str, list[str]]:
    """address -> actions of every resource the plan of `env` would change."""
    view = json.loads(run(project, env, "plan", "--format", "json"))
    return {
        rc["address"]: rc["change"]["actions"]
        for rc in view["resource_changes"]
        if rc["change"]["actions"] != ["no-op"]
    }


def state_path(project: Project, env: str) -> Path:
    return project.root / ".assistplan" / env / "state.json"


def recorded_ids(project: Project, env: str) -> dict[str, str]:
    return ids_in(state_path(project, env))


def ids_in(state: Path) -> dict[str, str]:
    """address -> id of every resource the state file records."""
    recorded = json.loads(state.read_text(encoding="utf-8"))
    return {address: entry["id"] for address, entry in recorded["resources"].items()}


def owners(objects: list[Any]) -> list[str]:
    return sorted(obj.metadata["assistplan:project"] for obj in objects)


def both_applied(project: Project) -> Project:
    apply(project, "dev")
    apply(project, "prod")
    return project


def test_each_environment_applies_its_own_set_of_objects(project: Project) -> None:
    both_applied(project)

    client = project.client()
    agents = list(client.beta.agents.list())
    assert owners(agents) == ["test-shop@dev", "test-shop@prod"]
    assert sorted(agent.instructions for agent in agents) == [
        "You are the development support agent.",
        "You are the production support agent.",
    ]
    assert owners(list(client.vector_stores.list())) == ["test-shop@dev", "test-shop@prod"]
    vaults = list(client.beta.agents.vaults.list())
    assert owners(vaults) == ["test-shop@dev", "test-shop@prod"]
    assert all(len(list(client.beta.agents.vaults.credentials.list(vault.id))) == 1 for vault in vaults)
    assert sorted(template.name for template in client.beta.agents.environments.templates.list()) == [
        "assistplan:test-shop@dev:EnvironmentTemplate/analysis",
        "assistplan:test-shop@prod:EnvironmentTemplate/analysis",
    ]
    assert [skill.name for skill in client.skills.list()] == ["basic-math", "basic-math"]
    names = sorted(file.filename for file in client.files.list())
    assert [name.split(".")[1] for name in names if name.endswith("rates.csv")] == ["test-shop@dev", "test-shop@prod"]


def test_each_environment_keeps_its_own_state_file(project: Project) -> None:
    both_applied(project)

    dev, prod = recorded_ids(project, "dev"), recorded_ids(project, "prod")
    assert set(dev) == set(prod)
    assert not set(dev.values()) & set(prod.values())
    assert not project.state_path.exists()


def test_both_environments_plan_no_changes_after_apply(project: Project) -> None:
    both_applied(project)

    assert changes(project, "dev") == {}
    assert changes(project, "prod") == {}


def test_an_edit_to_the_dev_agent_shows_only_in_the_dev_plan(project: Project) -> None:
    both_applied(project)
    client = project.client()
    dev_agent = recorded_ids(project, "dev")["Agent/support-agent"]
    client.beta.agents.update(dev_agent, instructions="Edited in the dashboard.")

    assert changes(project, "dev") == {"Agent/support-agent": ["update"]}
    assert changes(project, "prod") == {}


def test_without_state_files_each_environment_finds_only_its_own_objects(project: Project) -> None:
    both_applied(project)
    dev, prod = recorded_ids(project, "dev"), recorded_ids(project, "prod")
    state_path(project, "dev").unlink()
    state_path(project, "prod").unlink()

    assert changes(project, "dev") == {}
    assert changes(project, "prod") == {}
    assert recorded_ids(project, "dev") == dev
    assert recorded_ids(project, "prod") == prod


def test_destroying_dev_leaves_prod_intact(project: Project) -> None:
    both_applied(project)
    prod = recorded_ids(project, "prod")

    run(project, "dev", "destroy", "--auto-approve")

    client = project.client()
    assert [agent.id for agent in client.beta.agents.list()] == [prod["Agent/support-agent"]]
    assert owners(list(client.vector_stores.list())) == ["test-shop@prod"]
    assert owners(list(client.beta.agents.vaults.list())) == ["test-shop@prod"]
    assert [template.id for template in client.beta.agents.environments.templates.list()] == [
        prod["EnvironmentTemplate/analysis"]
    ]
    assert [skill.id for skill in client.skills.list()] == [prod["Skill/math"]]
    assert changes(project, "prod") == {}
    assert recorded_ids(project, "prod") == prod


def test_assistplan_env_chooses_the_environment(project: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASSISTPLAN_ENV", "prod")

    result = project.run("apply", "--auto-approve")

    assert result.exit_code == 0, result.output
    assert state_path(project, "prod").exists()
    assert not state_path(project, "dev").exists()
    assert owners(list(project.client().beta.agents.list())) == ["test-shop@prod"]


def test_the_env_option_wins_over_assistplan_env(project: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASSISTPLAN_ENV", "prod")

    apply(project, "dev")

    assert owners(list(project.client().beta.agents.list())) == ["test-shop@dev"]


def test_an_unknown_environment_is_an_error_with_a_suggestion(project: Project) -> None:
    result = project.run("--env", "prd", "plan")

    assert result.exit_code == 1
    assert 'unknown environment "prd" (did you mean "prod"?): expected one of dev, prod' in result.output


def test_a_project_with_environments_needs_one_chosen(project: Project) -> None:
    result = project.run("plan")

    assert result.exit_code == 1
    assert "declares environments (dev, prod): choose one with --env NAME or ASSISTPLAN_ENV" in result.output


def test_default_environment_is_used_when_none_is_chosen(project: Project, sandbox: SandboxServer) -> None:
    project.write("assistplan.yaml", config(sandbox, "default_environment: dev\n"))

    result = project.run("apply", "--auto-approve")

    assert result.exit_code == 0, result.output
    assert owners(list(project.client().beta.agents.list())) == ["test-shop@dev"]


def test_validate_renders_the_chosen_environments_vars(project: Project) -> None:
    project.edit("stack.yaml", "{{ vars.stage }}", "{{ vars.stage }} {{ vars.pager }}")
    project.edit("assistplan.yaml", "vars: {stage: development}", "vars: {stage: development, pager: on-call}")

    assert "environment dev" in run(project, "dev", "validate")
    result = project.run("--env", "prod", "validate")
    assert result.exit_code == 1
    assert "stack.yaml:4:" in result.output
    assert "pager" in result.output


def test_a_project_without_environments_is_stamped_with_its_name_alone(
    project: Project, sandbox: SandboxServer
) -> None:
    project.write("assistplan.yaml", config(sandbox).split("        environments:")[0] + "        vars: {stage: any}\n")

    result = project.run("apply", "--auto-approve")

    assert result.exit_code == 0, result.output
    assert owners(list(project.client().beta.agents.list())) == ["test-shop"]
    assert [t.name for t in project.client().beta.agents.environments.templates.list()] == [
        "assistplan:test-shop:EnvironmentTemplate/analysis"
    ]
    assert project.state_path.exists()


def test_an_environment_on_a_project_without_environments_is_an_error(project: Project, sandbox: SandboxServer) -> None:
    project.write("assistplan.yaml", config(sandbox).split("        environments:")[0] + "        vars: {stage: any}\n")

    result = project.run("--env", "dev", "plan")

    assert result.exit_code == 1
    assert 'environment "dev" was asked for (--env or ASSISTPLAN_ENV), but assistplan.yaml declares no' in result.output


def test_a_saved_plan_of_another_project_names_its_manifest_root_rather_than_an_environment(
    project: Project, sandbox: SandboxServer, tmp_path: Path
) -> None:
    alone = config(sandbox).split("        environments:")[0] + "        vars: {stage: any}\n"
    project.write("assistplan.yaml", alone)
    planfile = tmp_path / "shop.plan"
    assert project.run("plan", "--out", str(planfile)).exit_code == 0
    project.write("assistplan.yaml", alone.replace("test-shop", "other"))

    result = project.run("apply", str(planfile))

    assert result.exit_code == 1
    assert (
        "is a plan of 'test-shop', not of 'other': apply it from the manifest root it was planned in" in result.output
    )


def test_a_saved_plan_is_applied_only_in_its_own_environment(project: Project, tmp_path: Path) -> None:
    planfile = tmp_path / "dev.plan"
    run(project, "dev", "plan", "--out", str(planfile))

    result = project.run("--env", "prod", "apply", str(planfile))

    assert result.exit_code == 1
    assert "is a plan of 'test-shop@dev', not of 'test-shop@prod': apply it with --env dev" in result.output
    assert list(project.client().beta.agents.list()) == []


def recorded_completions(project: Project, *words: str) -> list[str]:
    """What bash would be offered after `assistplan --chdir ROOT WORDS state show File/`."""
    line = ["assistplan", "--chdir", str(project.root), *words, "state", "show", "File/"]
    environ = {"_ASSISTPLAN_COMPLETE": "bash_complete", "COMP_WORDS": " ".join(line), "COMP_CWORD": str(len(line) - 1)}
    result = project.runner.invoke(cli, [], prog_name="assistplan", env=environ)
    return [entry.partition(",")[2] for entry in result.stdout.splitlines() if entry]


def test_completion_reads_the_chosen_environments_state(project: Project) -> None:
    apply(project, "prod")

    assert recorded_completions(project, "--env", "prod") == ["File/rates"]
    assert recorded_completions(project, "--env", "dev") == []


def test_version_names_the_chosen_environments_server(project: Project, sandbox: SandboxServer) -> None:
    prod = "vars: {stage: production}"
    project.edit("assistplan.yaml", prod, f"{prod}\n    openai: {{base_url: sandbox}}")

    assert f"OpenAI API at {sandbox.base_url}:" in run(project, "dev", "version")
    assert "OpenAI API at sandbox:" in run(project, "prod", "version")


def without_environments(sandbox: SandboxServer) -> str:
    return config(sandbox).split("        environments:")[0] + "        vars: {stage: production}\n"


def prod_keeping_the_project_identity(sandbox: SandboxServer, *prod_fields: str) -> str:
    prod = "vars: {stage: production}"
    fields = "".join(f"\n            {field}" for field in ("identity: project", *prod_fields))
    return config(sandbox).replace(prod, prod + fields)


def applied_before_environments(project: Project, sandbox: SandboxServer) -> dict[str, str]:
    """Apply the project without environments, then declare dev and prod, prod keeping the project's identity: the
    ids the project's state recorded."""
    project.write("assistplan.yaml", without_environments(sandbox))
    result = project.run("apply", "--auto-approve")
    assert result.exit_code == 0, result.output
    project.write("assistplan.yaml", prod_keeping_the_project_identity(sandbox))
    return ids_in(project.state_path)


def test_the_environment_keeping_the_project_identity_plans_no_changes_after_environments_are_added(
    project: Project, sandbox: SandboxServer
) -> None:
    before = applied_before_environments(project, sandbox)

    assert "No changes." in run(project, "prod", "plan")
    assert changes(project, "prod") == {}
    assert ids_in(project.state_path) == before
    assert not state_path(project, "prod").exists()


def test_the_environment_keeping_the_project_identity_finds_its_objects_without_the_state_file(
    project: Project, sandbox: SandboxServer
) -> None:
    before = applied_before_environments(project, sandbox)
    project.state_path.unlink()

    assert changes(project, "prod") == {}
    assert ids_in(project.state_path) == before


def test_the_environment_keeping_the_project_identity_finds_its_objects_from_a_new_state_path(
    project: Project, sandbox: SandboxServer
) -> None:
    before = applied_before_environments(project, sandbox)
    project.write("assistplan.yaml", prod_keeping_the_project_identity(sandbox, "state: states/prod.json"))

    assert changes(project, "prod") == {}
    assert ids_in(project.root / "states/prod.json") == before


def test_another_environment_creates_its_own_objects_beside_the_ones_applied_before_environments(
    project: Project, sandbox: SandboxServer
) -> None:
    before = applied_before_environments(project, sandbox)

    assert changes(project, "dev") == {address: ["create"] for address in before}
    apply(project, "dev")

    client = project.client()
    assert owners(list(client.beta.agents.list())) == ["test-shop", "test-shop@dev"]
    assert sorted(template.name for template in client.beta.agents.environments.templates.list()) == [
        "assistplan:test-shop:EnvironmentTemplate/analysis",
        "assistplan:test-shop@dev:EnvironmentTemplate/analysis",
    ]
    assert changes(project, "prod") == {}
    assert changes(project, "dev") == {}


def test_destroying_another_environment_leaves_the_objects_applied_before_environments(
    project: Project, sandbox: SandboxServer
) -> None:
    before = applied_before_environments(project, sandbox)
    apply(project, "dev")

    run(project, "dev", "destroy", "--auto-approve")

    client = project.client()
    assert [agent.id for agent in client.beta.agents.list()] == [before["Agent/support-agent"]]
    assert [template.id for template in client.beta.agents.environments.templates.list()] == [
        before["EnvironmentTemplate/analysis"]
    ]
    assert owners(list(client.vector_stores.list())) == ["test-shop"]
    assert [skill.id for skill in client.skills.list()] == [before["Skill/math"]]
    assert {file.filename.split(".")[1] for file in client.files.list()} == {"test-shop"}
    assert changes(project, "prod") == {}
    assert ids_in(project.state_path) == before


def test_destroying_the_environment_keeping_the_project_identity_leaves_the_other_environments_objects(
    project: Project, sandbox: SandboxServer
) -> None:
    applied_before_environments(project, sandbox)
    apply(project, "dev")
    dev = recorded_ids(project, "dev")

    run(project, "prod", "destroy", "--auto-approve")

    client = project.client()
    assert [agent.id for agent in client.beta.agents.list()] == [dev["Agent/support-agent"]]
    assert owners(list(client.vector_stores.list())) == ["test-shop@dev"]
    assert owners(list(client.beta.agents.vaults.list())) == ["test-shop@dev"]
    assert [skill.id for skill in client.skills.list()] == [dev["Skill/math"]]
    assert changes(project, "dev") == {}


def test_two_environments_keeping_the_project_identity_are_an_error(project: Project, sandbox: SandboxServer) -> None:
    project.write(
        "assistplan.yaml",
        prod_keeping_the_project_identity(sandbox).replace(
            "vars: {stage: development}", "vars: {stage: development}\n            identity: project"
        ),
    )

    result = project.run("--env", "dev", "validate")

    assert result.exit_code == 1
    assert (
        'assistplan.yaml:11:5: error: environments.prod.identity: environment "dev" already keeps the project\'s '
        "identity: at most one environment may" in result.output
    )


def test_destroying_both_environments_after_environments_are_added_leaves_nothing(
    project: Project, sandbox: SandboxServer
) -> None:
    applied_before_environments(project, sandbox)
    apply(project, "dev")

    run(project, "dev", "destroy", "--auto-approve")
    run(project, "prod", "destroy", "--auto-approve")

    client = project.client()
    assert list(client.beta.agents.list()) == []
    assert list(client.vector_stores.list()) == []
    assert list(client.files.list()) == []
    assert list(client.beta.agents.vaults.list()) == []
    assert list(client.skills.list()) == []
    assert list(client.beta.agents.environments.templates.list()) == []
