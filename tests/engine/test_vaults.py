"""Vaults and vault credentials through the command against the sandbox: lifecycle, rotation, replacement that
re-points the agent, lost responses, foreign vaults, and secrets that never reach an output, a state or a plan."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from assistplan.sandbox.faults import FaultConfig
from assistplan.sandbox.server import API_KEY, SandboxServer
from conftest import KEY_ENV, Project

TOKEN_ENV = "ASSISTPLAN_TEST_GITHUB_TOKEN"
SECRET = "ghp_SECRET_do_not_print_5150"
ROTATED = "ghp_ROTATED_do_not_print_6161"

STACK = """\
kind: Vault
name: tools
metadata: {team: support}
---
kind: VaultCredential
name: github
vault: tools
auth:
  type: static_bearer
  mcp_server_url: https://mcp.github.example/mcp
  token: {env: ASSISTPLAN_TEST_GITHUB_TOKEN}
metadata: {owner: platform}
---
kind: Agent
name: triage
model: gpt-5
instructions: Triage issues.
tools:
  - type: mcp
    server_label: github
    transport: {type: http, server_url: https://mcp.github.example/mcp}
    credential: github
"""


@pytest.fixture
def project(tmp_path: Path, sandbox: SandboxServer, monkeypatch: pytest.MonkeyPatch) -> Project:
    monkeypatch.setenv(KEY_ENV, API_KEY)
    monkeypatch.setenv(TOKEN_ENV, SECRET)
    proj = Project(root=tmp_path / "assistants", runner=CliRunner(), sandbox=sandbox)
    proj.write(
        "assistplan.yaml",
        f"""\
        project: vault-shop
        openai:
          base_url: {sandbox.base_url}
          api_key_env: {KEY_ENV}
        """,
    )
    proj.write("stack.yaml", STACK)
    return proj


def apply(project: Project) -> str:
    result = project.run("apply", "--auto-approve")
    assert result.exit_code == 0, result.output
    return result.output


def changes(project: Project) -> dict[str, tuple[list[str], list[str]]]:
    """address -> (actions, changed paths) of every resource the plan would change."""
    result = project.run("plan", "--format", "json")
    assert result.exit_code == 0, result.output
    return {
        rc["address"]: (rc["change"]["actions"], rc["change"]["changed_paths"])
        for rc in json.loads(result.output)["resource_changes"]
        if rc["change"]["actions"] != ["no-op"]
    }


def no_changes(project: Project) -> bool:
    return project.run("plan", "--detailed-exitcode").exit_code == 0


def credentials(project: Project) -> list[Any]:
    client = project.client()
    return [
        credential
        for vault in client.beta.agents.vaults.list()
        for credential in client.beta.agents.vaults.credentials.list(vault.id)
    ]


def agent_credential_id(project: Project) -> str | None:
    [agent] = project.client().beta.agents.list()
    [tool] = agent.to_dict()["tools"]
    assert isinstance(tool, dict)
    return tool["credential_id"]


def test_an_applied_vault_credential_and_agent_plan_no_changes_with_and_without_state(project: Project) -> None:
    apply(project)

    assert no_changes(project)
    project.state_path.unlink()
    assert no_changes(project)


def test_the_agent_is_sent_the_credential_id(project: Project) -> None:
    apply(project)

    [credential] = credentials(project)
    assert agent_credential_id(project) == credential.id
    assert project.state()["resources"]["VaultCredential/github"]["id"] == f"{credential.vault_id}/{credential.id}"


def test_an_edited_metadata_value_updates_only_that_field(project: Project) -> None:
    apply(project)
    project.edit("stack.yaml", "owner: platform", "owner: security")

    assert changes(project) == {"VaultCredential/github": (["update"], ["metadata.owner"])}
    apply(project)
    [credential] = credentials(project)
    assert credential.metadata["owner"] == "security"
    assert no_changes(project)


def test_a_rotated_secret_updates_the_credential_in_place(project: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    apply(project)
    [before] = credentials(project)
    monkeypatch.setenv(TOKEN_ENV, ROTATED)

    assert changes(project) == {"VaultCredential/github": (["update"], ["secrets.token.fingerprint"])}
    apply(project)

    [after] = credentials(project)
    assert after.id == before.id
    stored = project.sandbox.store.get("vault.credential", after.id, after.vault_id) or {}
    assert stored["_secrets"] == {"token": ROTATED}
    assert no_changes(project)


def test_a_plan_without_the_secret_in_the_environment_plans_no_changes(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    apply(project)
    monkeypatch.delenv(TOKEN_ENV)

    assert no_changes(project)


def test_a_new_server_url_replaces_the_credential_and_repoints_the_agent(project: Project) -> None:
    apply(project)
    [old] = credentials(project)
    project.edit(
        "stack.yaml", "mcp_server_url: https://mcp.github.example/mcp", "mcp_server_url: https://gh.example/mcp"
    )

    planned = changes(project)
    assert planned["VaultCredential/github"] == (["create", "delete"], ["auth.mcp_server_url"])
    assert planned["Agent/triage"] == (["update"], ["tools[0].credential"])
    output = apply(project)

    [new] = credentials(project)
    assert new.id != old.id
    assert agent_credential_id(project) == new.id
    assert output.index("Agent/triage: updated") < output.index("VaultCredential/github: old object destroyed")
    assert no_changes(project)


def test_a_replaced_vault_replaces_its_credentials_and_repoints_the_agent(project: Project) -> None:
    apply(project)
    [old] = credentials(project)

    planned = project.run("plan", "--replace", "Vault/tools", "--format", "json")
    assert planned.exit_code == 0, planned.output
    actions = {rc["address"]: rc["change"]["actions"] for rc in json.loads(planned.output)["resource_changes"]}
    assert actions["VaultCredential/github"] == ["create", "delete"]
    assert actions["Agent/triage"] == ["update"]
    replaced = project.run("apply", "--auto-approve", "--replace", "Vault/tools")

    assert replaced.exit_code == 0, replaced.output
    [new] = credentials(project)
    assert (new.id, new.vault_id) != (old.id, old.vault_id)
    assert agent_credential_id(project) == new.id
    assert no_changes(project)


def test_removing_the_credential_and_the_vault_deletes_them(project: Project) -> None:
    apply(project)
    project.write("stack.yaml", STACK.split("---\nkind: VaultCredential")[0])
    project.write("agent.yaml", "kind: Agent\nname: triage\nmodel: gpt-5\ninstructions: Triage issues.\n")

    assert changes(project)["VaultCredential/github"][0] == ["delete"]
    apply(project)
    assert credentials(project) == []
    project.write("stack.yaml", "")
    apply(project)

    assert list(project.client().beta.agents.vaults.list()) == []
    assert no_changes(project)


def test_destroy_deletes_the_vault_and_its_credentials(project: Project) -> None:
    apply(project)

    result = project.run("destroy", "--auto-approve")

    assert result.exit_code == 0, result.output
    assert list(project.client().beta.agents.vaults.list()) == []
    assert list(project.client().beta.agents.list()) == []


def test_a_lost_create_response_does_not_duplicate_the_vault_or_the_credential(project: Project) -> None:
    project.sandbox.set_faults(
        routes={
            "POST /vaults": FaultConfig(rate=1.0, modes=("lost",), max_faults=1),
            "POST /vaults/{vault_id}/credentials": FaultConfig(rate=1.0, modes=("lost",), max_faults=1),
        }
    )

    apply(project)

    assert len(list(project.client().beta.agents.vaults.list())) == 1
    assert len(credentials(project)) == 1
    assert no_changes(project)


def test_a_foreign_unlabelled_vault_is_left_alone(project: Project) -> None:
    client = project.client()
    foreign = client.beta.agents.vaults.create(name="tools", metadata={"team": "other"})
    client.beta.agents.vaults.credentials.create(
        foreign.id,
        name="github",
        auth={"type": "static_bearer", "mcp_server_url": "https://mcp.github.example/mcp", "token": "x"},
    )
    apply(project)

    project.run("destroy", "--auto-approve")

    assert [vault.id for vault in client.beta.agents.vaults.list()] == [foreign.id]
    assert len(list(client.beta.agents.vaults.credentials.list(foreign.id))) == 1


def test_the_secret_is_in_no_output_state_or_plan_file(project: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    planfile = project.root / "plan.bin"
    outputs = [
        project.run("plan", "--out", str(planfile)),
        project.run("apply", str(planfile)),
        project.run("plan", "--format", "json"),
        project.run("plan", "--format", "markdown"),
        project.run("state", "pull"),
    ]
    monkeypatch.setenv(TOKEN_ENV, ROTATED)
    outputs += [
        project.run("plan", "--out", str(planfile)),
        project.run("plan", "--format", "json"),
        project.run("plan", "--format", "markdown"),
        project.run("apply", "--auto-approve"),
        project.run("state", "pull"),
        project.run("destroy", "--auto-approve"),
    ]

    assert all(result.exit_code == 0 for result in outputs), [r.output for r in outputs]
    files = [p for p in project.state_path.parent.iterdir() if p.is_file()] + [planfile]
    texts = [r.output for r in outputs] + [p.read_bytes().decode("latin-1") for p in files]
    assert not [text for text in texts if SECRET in text or ROTATED in text]


OTHER_CREDENTIALS = """\
---
kind: VaultCredential
name: docs
vault: tools
auth:
  type: mcp_oauth
  mcp_server_url: https://docs.example/mcp
  access_token: {env: ASSISTPLAN_TEST_GITHUB_TOKEN}
  refresh:
    client_id: assistplan
    token_endpoint: https://auth.example/token
    refresh_token: {env: ASSISTPLAN_TEST_GITHUB_TOKEN}
    token_endpoint_auth: {type: client_secret_basic, client_secret: {env: ASSISTPLAN_TEST_GITHUB_TOKEN}}
    scope: read
---
kind: VaultCredential
name: service
vault: tools
auth:
  type: environment_variable
  secret_name: SERVICE_API_KEY
  secret_value: {env: ASSISTPLAN_TEST_GITHUB_TOKEN}
  networking: {type: limited, allowed_hosts: [API.Example.com]}
"""


def test_oauth_and_environment_variable_credentials_plan_no_changes_with_and_without_state(project: Project) -> None:
    project.write("stack.yaml", STACK + OTHER_CREDENTIALS)
    apply(project)

    assert no_changes(project)
    project.state_path.unlink()
    assert no_changes(project)


def test_a_new_oauth_scope_updates_the_credential_in_place(project: Project) -> None:
    project.write("stack.yaml", STACK + OTHER_CREDENTIALS)
    apply(project)
    project.edit("stack.yaml", "scope: read", "scope: read write")

    assert changes(project) == {"VaultCredential/docs": (["update"], ["scope"])}
    apply(project)
    assert no_changes(project)


def test_a_new_allowed_host_replaces_the_credential(project: Project) -> None:
    project.write("stack.yaml", STACK + OTHER_CREDENTIALS)
    apply(project)
    project.edit("stack.yaml", "[API.Example.com]", "[api.example.com, files.example.com]")

    assert changes(project) == {"VaultCredential/service": (["create", "delete"], ["auth.networking.allowed_hosts[1]"])}


def test_an_edited_vault_metadata_value_updates_the_vault(project: Project) -> None:
    apply(project)
    project.edit("stack.yaml", "team: support", "team: platform")

    assert changes(project) == {"Vault/tools": (["update"], ["metadata.team"])}
    apply(project)
    assert [vault.metadata["team"] for vault in project.client().beta.agents.vaults.list()] == ["platform"]
    assert no_changes(project)


def test_an_imported_credential_is_sent_its_secret_once_then_plans_no_changes(project: Project) -> None:
    client = project.client()
    vault = client.beta.agents.vaults.create(name="tools", metadata={"team": "support"})
    auth = {"type": "static_bearer", "mcp_server_url": "https://mcp.github.example/mcp", "token": "unknown"}
    made = client.beta.agents.vaults.credentials.create(
        vault.id, name="github", auth=auth, metadata={"owner": "platform"}
    )  # type: ignore[arg-type]
    project.write("stack.yaml", STACK.split("---\nkind: Agent")[0])

    assert project.run("import", "Vault/tools", vault.id).exit_code == 0
    result = project.run("import", "VaultCredential/github", f"{vault.id}/{made.id}")
    assert result.exit_code == 0, result.output

    assert changes(project) == {"VaultCredential/github": (["update"], ["secrets"])}
    apply(project)
    stored = project.sandbox.store.get("vault.credential", made.id, vault.id) or {}
    assert stored["_secrets"] == {"token": SECRET}
    assert no_changes(project)


def test_a_vault_holding_a_credential_the_project_does_not_manage_is_not_deleted(project: Project) -> None:
    apply(project)
    [vault] = project.client().beta.agents.vaults.list()
    hand_made = project.client().beta.agents.vaults.credentials.create(
        vault.id,
        name="made-by-hand",
        auth={"type": "static_bearer", "mcp_server_url": "https://hand.example/mcp", "token": "tok-by-hand"},
    )
    project.write("stack.yaml", "")

    result = project.run("apply", "--auto-approve")

    assert result.exit_code == 1
    assert f"Vault/tools delete: the vault holds 1 credential(s) this project does not manage ({hand_made.id})" in (
        result.output
    )
    assert [v.id for v in project.client().beta.agents.vaults.list()] == [vault.id]
    assert [c.id for c in credentials(project)] == [hand_made.id]


def test_a_vault_name_the_server_trims_plans_no_changes_with_and_without_state(project: Project) -> None:
    project.edit("stack.yaml", "name: tools\n", "name: tools\ndisplay_name: '  spaced  '\n")
    apply(project)

    assert [vault.name for vault in project.client().beta.agents.vaults.list()] == ["spaced"]
    assert no_changes(project)
    project.state_path.unlink()
    assert no_changes(project)


def test_a_credential_name_the_server_trims_keeps_the_credential_on_the_next_apply(project: Project) -> None:
    project.edit("stack.yaml", "name: github\n", "name: github\ndisplay_name: 'e token '\n")
    apply(project)
    [credential] = credentials(project)

    apply(project)

    assert [(c.id, c.name) for c in credentials(project)] == [(credential.id, "e token")]
    assert no_changes(project)
    project.state_path.unlink()
    assert no_changes(project)


def test_a_name_of_white_space_only_is_a_manifest_error(project: Project) -> None:
    project.edit("stack.yaml", "name: github\n", "name: github\ndisplay_name: '   '\n")

    result = project.run("validate")

    assert result.exit_code == 1
    assert "error: display_name: the API trims names and refuses one of white space only" in result.output


def test_a_replacement_stopped_after_the_new_vault_moves_the_credential_before_the_old_vault_goes(
    project: Project,
) -> None:
    apply(project)
    vaults = project.client().beta.agents.vaults
    [old] = vaults.list()
    new = vaults.create(name=old.name or "tools", metadata=dict(old.metadata or {}))
    state = project.state()
    state["resources"]["Vault/tools"]["id"] = new.id  # recorded before the run stopped; the rest still names the old
    project.state_path.write_text(json.dumps(state))

    planned = changes(project)
    result = project.run("apply", "--auto-approve")

    assert planned["VaultCredential/github"][0] == ["create", "delete"]
    assert planned["Agent/triage"] == (["update"], ["tools[0].credential"])
    assert result.exit_code == 0, result.output
    assert [v.id for v in vaults.list()] == [new.id]
    [credential] = credentials(project)
    assert credential.vault_id == new.id
    assert agent_credential_id(project) == credential.id
    assert no_changes(project)
