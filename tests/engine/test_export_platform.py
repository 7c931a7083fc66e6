"""`assistplan export` of the Agents-platform kinds and of standalone Files: vaults, credentials, skills,
environment templates and automations made directly through the SDK become manifests that validate, are adopted in
the same step and plan as no changes; secrets are never written anywhere."""

from __future__ import annotations

import shutil
from typing import Any

import openai
import pytest

from conftest import Project, files_under, no_changes, plan_changes

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

TOKEN = "ghp_SECRET_export_4242"
ACCESS = "oauth_ACCESS_export_5353"
REFRESH = "oauth_REFRESH_export_6464"
CLIENT_SECRET = "oauth_CLIENT_export_7575"
SECRET_VALUE = "env_VALUE_export_8686"
TEMPLATE_SECRET = "template_SECRET_export_9797"
SECRETS = (TOKEN, ACCESS, REFRESH, CLIENT_SECRET, SECRET_VALUE, TEMPLATE_SECRET)

SKILL_MD = "---\nname: basic-math\ndescription: Add or multiply numbers.\n---\nUse calc.py.\r\n"
CALC = "def add(a, b):\n    return a + b\n"
LAUNCH = 4_102_444_800
"""2100-01-01T00:00:00Z"""


def build(client: openai.OpenAI, *, skill: bool = True) -> dict[str, str]:
    """Every Agents-platform kind and a standalone File, with awkward names; returns remote ids by role."""
    vaults = client.beta.agents.vaults
    vault = vaults.create(name="Team tools (prod)", metadata={"team": "support"})
    github = vaults.credentials.create(
        vault.id,
        name="GitHub token",
        auth={"type": "static_bearer", "mcp_server_url": "https://mcp.github.example/mcp", "token": TOKEN},
        metadata={"owner": "platform"},
    )
    vaults.credentials.create(
        vault.id,
        name="crm",
        auth={
            "type": "mcp_oauth",
            "mcp_server_url": "https://crm.example/mcp",
            "access_token": ACCESS,
            "expires_at": "2030-01-31T00:00:00Z",
            "refresh": {
                "client_id": "assistplan",
                "token_endpoint": "https://crm.example/token",
                "refresh_token": REFRESH,
                "token_endpoint_auth": {"type": "client_secret_post", "client_secret": CLIENT_SECRET},
                "scope": "read write",
            },
        },
    )
    vaults.credentials.create(
        vault.id,
        name="orders api",
        auth={
            "type": "environment_variable",
            "secret_name": "ORDERS_KEY",
            "secret_value": SECRET_VALUE,
            "networking": {"type": "limited", "allowed_hosts": ["orders.example"]},
        },
    )
    agent = client.beta.agents.create(
        model="gpt-5",
        name="Triage bot",
        tools=[
            {
                "type": "mcp",
                "server_label": "github",
                "transport": {"type": "http", "server_url": "https://mcp.github.example/mcp"},
                "credential_id": github.id,
            }
        ],
    )
    skills: list[Any] = []
    ids: dict[str, str] = {}
    if skill:
        bundle = [("math/SKILL.md", SKILL_MD.encode()), ("math/calc.py", CALC.encode()), ("math/docs/notes.txt", b"")]
        ids["skill"] = client.skills.create(files=bundle).id
        skills.append({"type": "skill_reference", "skill_id": ids["skill"], "version": "latest"})
    template = client.beta.agents.environments.templates.create(
        name="Data analysis (py)",
        packages={"python": ["pandas"]},
        network={"access": "restricted", "allowed_domains": ["pypi.org"]},
        env={"API_TOKEN": TEMPLATE_SECRET},
        setup_commands=[{"command": "pip install -e ."}],
        skills=skills,
    )
    automation = client.beta.agents.automations.create(
        type="periodic",
        name="Nightly digest!",
        expression="0 3 * * *",
        timezone="Europe/Berlin",
        target={
            "type": "new_session",
            "agent_id": agent.id,
            "environment": {"type": "openai_hosted", "environment_template_id": template.id},
            "input": [{"role": "user", "content": [{"type": "input_text", "text": "Write the digest."}]}],
            "vault_ids": [vault.id],
        },
        metadata={"team": "support"},
    )
    launch = client.beta.agents.automations.create(
        type="once",
        name="launch",
        run_at=LAUNCH,
        target={
            "type": "new_session",
            "agent_id": agent.id,
            "environment": {"type": "none"},
            "input": [
                {"role": "user", "content": [{"type": "input_text", "text": "Launch."}]},
                {"role": "user", "content": [{"type": "input_image", "image_url": "https://acme.example/a.png"}]},
            ],
        },
    )
    client.beta.agents.automations.pause(launch.id)
    return {
        **ids,
        "vault": vault.id,
        "github": github.id,
        "agent": agent.id,
        "template": template.id,
        "automation": automation.id,
    }


def exported(project: Project) -> str:
    result = project.run("export")
    assert result.exit_code == 0, result.output
    return str(result.output)


def test_an_exported_platform_account_validates_and_plans_no_changes(account: Project) -> None:
    build(account.client())

    output = exported(account)

    assert "Adopted 9 objects" in output
    assert "Warning" not in output
    assert account.run("validate").exit_code == 0
    no_changes(account)


def test_what_names_an_object_export_leaves_out_is_left_out_too_and_the_rest_plans_no_changes(
    account: Project,
) -> None:
    ids = build(account.client())
    account.client().beta.agents.environments.templates.update(
        ids["template"], files=[{"type": "inline", "path": "/workspace/notes.txt", "data": "bm90ZXM="}]
    )

    output = exported(account)

    assert "EnvironmentTemplate/Data-analysis-py: no File manifest can name its file /workspace/notes.txt" in output
    assert "Automation/Nightly-digest: it names EnvironmentTemplate/Data-analysis-py, which is not exported" in output
    assert sorted(files_under(account.root / "environment-templates")) == []
    assert account.run("validate").exit_code == 0
    no_changes(account)


def test_export_writes_one_manifest_per_object_and_the_skill_folder(account: Project) -> None:
    build(account.client())

    exported(account)

    assert sorted(files_under(account.root)) == [
        "agents/Triage-bot.yaml",
        "assistplan.yaml",
        "automations/Nightly-digest.yaml",
        "automations/launch.yaml",
        "environment-templates/Data-analysis-py.yaml",
        "skills/basic-math.yaml",
        "skills/basic-math/SKILL.md",
        "skills/basic-math/calc.py",
        "skills/basic-math/docs/notes.txt",
        "vault-credentials/GitHub-token.yaml",
        "vault-credentials/crm.yaml",
        "vault-credentials/orders-api.yaml",
        "vaults/Team-tools-prod.yaml",
    ]


def test_references_are_by_manifest_name(account: Project) -> None:
    build(account.client())

    exported(account)

    written = files_under(account.root)
    assert "credential: GitHub-token" in written["agents/Triage-bot.yaml"]
    assert "vault: Team-tools-prod" in written["vault-credentials/GitHub-token.yaml"]
    assert "- skill: basic-math\n  version: latest" in written["environment-templates/Data-analysis-py.yaml"]
    automation = written["automations/Nightly-digest.yaml"]
    assert "agent: Triage-bot" in automation
    assert "environment_template: Data-analysis-py" in automation
    assert "vaults:\n- Team-tools-prod" in automation


def test_remote_names_are_kept(account: Project) -> None:
    ids = build(account.client())
    exported(account)
    client = account.client()

    assert client.beta.agents.vaults.retrieve(ids["vault"]).name == "Team tools (prod)"
    assert client.beta.agents.vaults.credentials.retrieve(ids["github"], vault_id=ids["vault"]).name == "GitHub token"
    assert client.beta.agents.automations.retrieve(ids["automation"]).name == "Nightly digest!"


def test_a_vault_without_a_name_is_exported_under_its_id_and_stays_nameless(account: Project) -> None:
    vault = account.client().beta.agents.vaults.create()

    output = exported(account)

    assert "Warning" not in output
    assert f"name: {vault.id}\ndisplay_name: ''\n" in files_under(account.root)[f"vaults/{vault.id}.yaml"]
    no_changes(account)
    account.state_path.unlink()
    no_changes(account)


def test_a_nameless_vault_stays_nameless_when_it_is_created_and_updated(account: Project) -> None:
    account.write("vaults.yaml", "kind: Vault\nname: tools\ndisplay_name: ''\n")
    assert account.run("apply", "--auto-approve").exit_code == 0
    account.edit("vaults.yaml", "display_name: ''\n", "display_name: ''\nmetadata: {team: support}\n")

    result = account.run("apply", "--auto-approve")

    assert result.exit_code == 0, result.output
    [vault] = account.client().beta.agents.vaults.list()
    assert (vault.name, vault.metadata["team"]) == (None, "support")
    no_changes(account)


def test_secrets_are_placeholders_and_never_written_shown_or_stored(account: Project) -> None:
    build(account.client())

    output = exported(account)
    plan = account.run("plan")

    texts = [output, plan.output, account.state_path.read_text(encoding="utf-8"), *files_under(account.root).values()]
    assert not [secret for secret in SECRETS for text in texts if secret in text]
    credential = files_under(account.root)["vault-credentials/crm.yaml"]
    assert "Secret values cannot be read back" in credential
    assert "access_token:\n    env: CRM_ACCESS_TOKEN" in credential
    assert "client_secret:\n        env: CRM_CLIENT_SECRET" in credential


def test_the_template_says_that_env_and_setup_commands_cannot_be_read_back(account: Project) -> None:
    build(account.client())

    exported(account)

    assert (
        "env and setup_commands cannot be read back"
        in files_under(account.root)["environment-templates/Data-analysis-py.yaml"]
    )


def test_the_skill_folder_holds_the_bundle_as_uploaded(account: Project) -> None:
    build(account.client())

    exported(account)

    skill = account.root / "skills" / "basic-math"
    assert (skill / "SKILL.md").read_bytes() == SKILL_MD.encode()
    assert (skill / "calc.py").read_bytes() == CALC.encode()
    assert (skill / "docs" / "notes.txt").read_bytes() == b""
    assert "path: basic-math" in files_under(account.root)["skills/basic-math.yaml"]


def test_adopted_objects_plan_no_changes_without_the_state_file(account: Project) -> None:
    build(account.client(), skill=False)
    exported(account)

    account.state_path.unlink()

    no_changes(account)


def test_an_exported_skill_is_marked_by_a_new_version_of_the_same_files(account: Project) -> None:
    ids = build(account.client())
    before = account.client().skills.retrieve(ids["skill"])

    exported(account)
    account.state_path.unlink()

    no_changes(account)
    after = account.client().skills.retrieve(ids["skill"])
    assert int(after.latest_version) == int(before.latest_version) + 1
    assert after.default_version == after.latest_version


def test_exporting_again_after_a_lost_state_and_manifests_marks_no_skill_twice(account: Project) -> None:
    ids = build(account.client())
    exported(account)
    marked = account.client().skills.retrieve(ids["skill"])
    for path in account.root.iterdir():
        if path.name != "assistplan.yaml":
            if path.is_dir():
                shutil.rmtree(path)
            else:
                path.unlink()

    exported(account)

    assert account.client().skills.retrieve(ids["skill"]).latest_version == marked.latest_version
    no_changes(account)


def test_a_one_off_paused_automation_without_environment_keeps_its_time_and_input(account: Project) -> None:
    build(account.client())

    exported(account)

    launch = files_under(account.root)["automations/launch.yaml"]
    assert "run_at: '2100-01-01T00:00:00Z'" in launch
    assert "paused: true" in launch
    assert "environment_template" not in launch
    assert "image_url: https://acme.example/a.png" in launch


def test_editing_an_exported_manifest_applies_exactly_that_change(account: Project) -> None:
    ids = build(account.client())
    exported(account)
    account.edit("automations/Nightly-digest.yaml", "cron: 0 3 * * *", "cron: 0 4 * * *")

    assert plan_changes(account) == [("Automation/Nightly-digest", ["update"], ["expression"])]
    result = account.run("apply", "--auto-approve")

    assert result.exit_code == 0, result.output
    automation = account.client().beta.agents.automations.retrieve(ids["automation"]).to_dict()
    assert (automation["name"], automation["expression"]) == ("Nightly digest!", "0 4 * * *")
    no_changes(account)


def test_exporting_again_with_merge_writes_nothing_new(account: Project) -> None:
    build(account.client())
    exported(account)
    before = files_under(account.root)

    result = account.run("export", "--merge")

    assert result.exit_code == 0, result.output
    assert "Nothing to export." in result.output
    assert files_under(account.root) == before
    no_changes(account)


def test_agent_created_automations_are_not_exported(account: Project) -> None:
    ids = build(account.client())
    made = account.client().beta.agents.automations.retrieve(ids["automation"])
    account.sandbox.store.put(
        "automation",
        {
            **made.to_dict(),
            "id": "auto_byagent",
            "name": "made by an agent",
            "created_by": {"type": "agent", "session_id": "sess_1", "tool_call_id": "call_1"},
        },
    )

    exported(account)

    assert not [path for path in files_under(account.root) if "made-by" in path]
