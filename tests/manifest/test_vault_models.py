"""Vault and VaultCredential manifests, and an Agent MCP tool's credential: references by name, secrets given only
by reference, URLs, hosts and secret names are checked at validate, each error at its line."""

from __future__ import annotations

from .conftest import Failing, Loader

OPENAI = "project: test\nopenai: {api_key_env: OPENAI_API_KEY}\n"
VAULT = "kind: Vault\nname: tools\n"
CREDENTIAL = """\
kind: VaultCredential
name: github
vault: tools
auth:
  type: static_bearer
  mcp_server_url: https://mcp.github.example/mcp
  token: {env: GITHUB_TOKEN}
"""
AGENT = """\
kind: Agent
name: triage
model: gpt-5
tools:
  - type: mcp
    server_label: github
    transport: {type: http, server_url: https://mcp.github.example/mcp}
    credential: github
"""
ENV_CREDENTIAL = """\
kind: VaultCredential
name: service
vault: tools
auth:
  type: environment_variable
  secret_name: SERVICE_API_KEY
  secret_value: {env: SERVICE_KEY}
  networking: {type: limited, allowed_hosts: [api.example.com]}
"""


PLAIN_AGENT = "kind: Agent\nname: triage\nmodel: gpt-5\n"


def files(credential: str = CREDENTIAL, agent: str = AGENT) -> dict[str, str]:
    return {"assistplan.yaml": OPENAI, "vaults.yaml": VAULT + "---\n" + credential, "agents.yaml": agent}


def credential_errors(failing: Failing, credential: str) -> list[str]:
    return failing(files(credential, PLAIN_AGENT))


def test_a_credential_depends_on_its_vault_and_the_agent_on_the_credential(load: Loader) -> None:
    project = load(files())

    depends = {str(r.address): r.depends_on for r in project.resources.values()}
    assert depends["VaultCredential/github"] == ("Vault/tools",)
    assert depends["Agent/triage"] == ("VaultCredential/github",)


def test_an_unknown_vault_is_an_error_with_the_closest_name(failing: Failing) -> None:
    assert failing(files(CREDENTIAL.replace("vault: tools", "vault: tool"))) == [
        'vaults.yaml:6:8: vault: unknown Vault "tool" (did you mean "tools"?)'
    ]


def test_an_unknown_credential_of_an_mcp_tool_is_an_error_with_the_closest_name(failing: Failing) -> None:
    assert failing(files(agent=AGENT.replace("credential: github", "credential: gihub"))) == [
        'agents.yaml:8:17: tools[0].credential: unknown VaultCredential "gihub" (did you mean "github"?)'
    ]


def test_an_environment_variable_credential_cannot_serve_an_mcp_tool(failing: Failing) -> None:
    [line] = failing(files(ENV_CREDENTIAL, AGENT.replace("credential: github", "credential: service")))

    assert line.startswith(
        'agents.yaml:8:17: tools[0].credential: VaultCredential "service" is an environment_variable'
    )


def test_a_literal_token_is_refused_without_repeating_it(failing: Failing) -> None:
    [line] = credential_errors(failing, CREDENTIAL.replace("{env: GITHUB_TOKEN}", "ghp_LITERAL_SECRET"))

    assert line.startswith("vaults.yaml:10:3: auth.token: secret values come only from environment variables")
    assert "ghp_LITERAL_SECRET" not in line


def test_an_http_server_url_is_an_error(failing: Failing) -> None:
    assert credential_errors(failing, CREDENTIAL.replace("https://mcp", "http://mcp")) == [
        'vaults.yaml:9:3: auth.mcp_server_url: must be an https:// URL, got "http://mcp.github.example/mcp"'
    ]


def test_a_reserved_secret_name_is_an_error(failing: Failing) -> None:
    [line] = credential_errors(failing, ENV_CREDENTIAL.replace("SERVICE_API_KEY", "CODEX_TOKEN"))

    assert line == 'vaults.yaml:9:3: auth.secret_name: "CODEX_TOKEN" is reserved by the hosted environment'


def test_a_host_with_a_scheme_is_an_error(failing: Failing) -> None:
    [line] = credential_errors(failing, ENV_CREDENTIAL.replace("[api.example.com]", "[https://api.example.com]"))

    assert line.startswith("vaults.yaml:11:47: ")
    assert "auth.networking.allowed_hosts[0]: a hostname or IPv4 address" in line


def test_credential_and_credential_id_together_are_an_error(failing: Failing) -> None:
    [line] = failing(files(agent=AGENT + "    credential_id: cred_1\n"))

    assert line.startswith("agents.yaml:9:")
    assert 'cannot be used together with "credential"' in line
