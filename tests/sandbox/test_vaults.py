"""Vaults and vault credentials (agents beta): create, read back without secrets, rotate, list with filters, delete."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import openai
import pytest

from assistplan.sandbox import SandboxServer

from .conftest import RawResponse

TOKEN = "ghp_SANDBOX_SECRET_token_1234"
BEARER = {"type": "static_bearer", "mcp_server_url": "https://mcp.example.com/mcp", "token": TOKEN}
OAUTH = {
    "type": "mcp_oauth",
    "mcp_server_url": "https://mcp.example.com/mcp",
    "access_token": "at_SECRET",
    "refresh": {
        "client_id": "client-1",
        "token_endpoint": "https://auth.example.com/token",
        "refresh_token": "rt_SECRET",
        "token_endpoint_auth": {"type": "client_secret_post", "client_secret": "cs_SECRET"},
    },
}
ENV = {
    "type": "environment_variable",
    "secret_name": "SERVICE_API_KEY",
    "secret_value": "sv_SECRET",
    "networking": {"type": "limited", "allowed_hosts": ["API.Example.com", "10.0.0.1"]},
}


def limited(*hosts: str) -> dict[str, Any]:
    return {"type": "limited", "allowed_hosts": list(hosts)}


def test_a_vault_reads_back_trimmed_with_its_metadata(openai_client: openai.OpenAI) -> None:
    vault = openai_client.beta.agents.vaults.create(name="  team secrets ", metadata={"team": "support"})

    assert vault.to_dict() == {
        "id": vault.id,
        "object": "vault",
        "created_at": vault.created_at,
        "metadata": {"team": "support"},
        "name": "team secrets",
    }
    assert openai_client.beta.agents.vaults.retrieve(vault.id) == vault


def test_a_vault_without_a_name_reads_back_null_name_and_empty_metadata(openai_client: openai.OpenAI) -> None:
    vault = openai_client.beta.agents.vaults.create()

    assert (vault.name, vault.metadata) == (None, {})


@pytest.mark.parametrize("name", ["   ", "x" * 257, "é" * 129])
def test_a_vault_name_must_be_1_to_256_bytes_after_trimming(openai_client: openai.OpenAI, name: str) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        openai_client.beta.agents.vaults.create(name=name)

    assert caught.value.param == "name"


def test_vault_metadata_is_limited_to_16_pairs(openai_client: openai.OpenAI) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        openai_client.beta.agents.vaults.create(metadata={f"k{i}": "v" for i in range(17)})

    assert caught.value.param == "metadata"


def test_updating_a_vault_replaces_its_metadata_and_null_clears_the_name(openai_client: openai.OpenAI) -> None:
    vault = openai_client.beta.agents.vaults.create(name="a", metadata={"x": "1", "y": "2"})

    updated = openai_client.beta.agents.vaults.update(vault.id, name=None, metadata={"z": "3"})

    assert (updated.name, updated.metadata) == (None, {"z": "3"})


def test_vault_routes_need_the_agents_beta_header(raw: Callable[..., RawResponse]) -> None:
    response = raw("GET", "/v1/vaults", headers={"Authorization": "Bearer sk-sandbox"})

    assert response.status == 400
    assert response.body["error"]["code"] == "invalid_beta"


def test_vaults_list_newest_first_in_pages(openai_client: openai.OpenAI) -> None:
    made = [openai_client.beta.agents.vaults.create(name=f"v{i}").id for i in range(5)]

    first = openai_client.beta.agents.vaults.list(limit=2)
    every = [vault.id for vault in openai_client.beta.agents.vaults.list(limit=2)]

    assert [vault.id for vault in first.data] == made[::-1][:2]
    assert first.has_more
    assert every == made[::-1]


def test_vaults_list_by_metadata_every_pair_matching(openai_client: openai.OpenAI) -> None:
    both = openai_client.beta.agents.vaults.create(metadata={"team": "a", "env": "prod"})
    openai_client.beta.agents.vaults.create(metadata={"team": "a", "env": "dev"})
    openai_client.beta.agents.vaults.create()

    found = openai_client.beta.agents.vaults.list(metadata={"team": "a", "env": "prod"})

    assert [vault.id for vault in found] == [both.id]


def test_vaults_list_by_status_every_vault_being_active(openai_client: openai.OpenAI) -> None:
    vault = openai_client.beta.agents.vaults.create()

    active = openai_client.beta.agents.vaults.list(status="active")
    archived = openai_client.beta.agents.vaults.list(status="archived")
    both = openai_client.beta.agents.vaults.list(status=["active", "archived"])

    assert ([v.id for v in active], [v.id for v in archived], [v.id for v in both]) == ([vault.id], [], [vault.id])


def test_an_unknown_status_filter_is_400(openai_client: openai.OpenAI) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        openai_client.beta.agents.vaults.list(status="deleted")  # type: ignore[arg-type]

    assert caught.value.param == "status"


def test_a_bearer_credential_reads_back_without_its_token(openai_client: openai.OpenAI) -> None:
    vault = openai_client.beta.agents.vaults.create()

    credential = openai_client.beta.agents.vaults.credentials.create(vault.id, name=" github ", auth=BEARER)  # type: ignore[arg-type]

    assert credential.to_dict() == {
        "id": credential.id,
        "object": "vault.credential",
        "vault_id": vault.id,
        "name": "github",
        "created_at": credential.created_at,
        "updated_at": credential.created_at,
        "metadata": {},
        "auth": {"type": "static_bearer", "mcp_server_url": "https://mcp.example.com/mcp"},
    }
    retrieved = openai_client.beta.agents.vaults.credentials.retrieve(credential.id, vault_id=vault.id)
    assert TOKEN not in retrieved.to_json()


def test_an_oauth_credential_reads_back_its_public_refresh_settings(openai_client: openai.OpenAI) -> None:
    vault = openai_client.beta.agents.vaults.create()

    credential = openai_client.beta.agents.vaults.credentials.create(vault.id, name="docs", auth=OAUTH)  # type: ignore[arg-type]

    assert credential.to_dict()["auth"] == {
        "type": "mcp_oauth",
        "mcp_server_url": "https://mcp.example.com/mcp",
        "expires_at": None,
        "refresh": {
            "client_id": "client-1",
            "token_endpoint": "https://auth.example.com/token",
            "token_endpoint_auth": {"type": "client_secret_post"},
            "resource": None,
            "scope": None,
        },
    }
    assert "SECRET" not in credential.to_json()


def test_an_environment_variable_credential_reads_back_lowercased_hosts(openai_client: openai.OpenAI) -> None:
    vault = openai_client.beta.agents.vaults.create()

    credential = openai_client.beta.agents.vaults.credentials.create(vault.id, name="svc", auth=ENV)  # type: ignore[arg-type]

    assert credential.to_dict()["auth"] == {
        "type": "environment_variable",
        "secret_name": "SERVICE_API_KEY",
        "networking": {"type": "limited", "allowed_hosts": ["api.example.com", "10.0.0.1"]},
    }


@pytest.mark.parametrize(
    ("auth", "param"),
    [
        ({**BEARER, "mcp_server_url": "http://mcp.example.com"}, "auth.mcp_server_url"),
        ({"type": "static_bearer", "mcp_server_url": "https://mcp.example.com"}, "auth.token"),
        ({**BEARER, "token": ""}, "auth.token"),
        ({**ENV, "secret_name": "CODEX_HOME"}, "auth.secret_name"),
        ({**ENV, "secret_name": "1KEY"}, "auth.secret_name"),
        ({**ENV, "secret_value": "a\nb"}, "auth.secret_value"),
        (
            {**ENV, "networking": {"type": "limited", "allowed_hosts": ["https://a.example"]}},
            "auth.networking.allowed_hosts[0]",
        ),
        (
            {**ENV, "networking": {"type": "limited", "allowed_hosts": ["a.example", "A.example"]}},
            "auth.networking.allowed_hosts",
        ),
        ({**OAUTH, "expires_at": "tomorrow"}, "auth.expires_at"),
        ({"type": "basic"}, "auth.type"),
    ],
)
def test_a_credential_the_api_would_refuse_is_400_naming_the_field(
    openai_client: openai.OpenAI, auth: dict[str, Any], param: str
) -> None:
    vault = openai_client.beta.agents.vaults.create()

    with pytest.raises(openai.BadRequestError) as caught:
        openai_client.beta.agents.vaults.credentials.create(vault.id, name="c", auth=auth)  # type: ignore[arg-type]

    assert caught.value.param == param


def test_rotating_a_token_keeps_the_credential_and_moves_updated_at(
    openai_client: openai.OpenAI, sandbox: SandboxServer
) -> None:
    vault = openai_client.beta.agents.vaults.create()
    credential = openai_client.beta.agents.vaults.credentials.create(vault.id, name="gh", auth=BEARER)  # type: ignore[arg-type]

    rotated = openai_client.beta.agents.vaults.credentials.update(
        credential.id, vault_id=vault.id, auth={"type": "static_bearer", "token": "ghp_NEW"}
    )

    assert rotated.id == credential.id
    assert rotated.auth == credential.auth
    stored = sandbox.store.get("vault.credential", credential.id, vault.id) or {}
    assert stored["_secrets"] == {"token": "ghp_NEW"}


def test_a_rotation_of_another_type_is_400(openai_client: openai.OpenAI) -> None:
    vault = openai_client.beta.agents.vaults.create()
    credential = openai_client.beta.agents.vaults.credentials.create(vault.id, name="gh", auth=BEARER)  # type: ignore[arg-type]

    with pytest.raises(openai.BadRequestError) as caught:
        openai_client.beta.agents.vaults.credentials.update(
            credential.id, vault_id=vault.id, auth={"type": "environment_variable", "secret_value": "x"}
        )

    assert caught.value.param == "auth.type"


def test_a_new_access_token_clears_expires_at_unless_given(openai_client: openai.OpenAI) -> None:
    vault = openai_client.beta.agents.vaults.create()
    oauth = {**OAUTH, "expires_at": "2030-01-01T00:00:00Z"}
    credential = openai_client.beta.agents.vaults.credentials.create(vault.id, name="docs", auth=oauth)  # type: ignore[arg-type]

    kept = openai_client.beta.agents.vaults.credentials.update(
        credential.id, vault_id=vault.id, auth={"type": "mcp_oauth", "refresh": {"scope": "read"}}
    )
    cleared = openai_client.beta.agents.vaults.credentials.update(
        credential.id, vault_id=vault.id, auth={"type": "mcp_oauth", "access_token": "at_NEW"}
    )

    kept_auth: Any = kept.to_dict()["auth"]
    assert (kept_auth["expires_at"], kept_auth["refresh"]["scope"]) == ("2030-01-01T00:00:00Z", "read")
    assert cleared.to_dict()["auth"] == {**kept_auth, "expires_at": None}


def test_a_credential_update_takes_no_name(openai_client: openai.OpenAI) -> None:
    vault = openai_client.beta.agents.vaults.create()
    credential = openai_client.beta.agents.vaults.credentials.create(vault.id, name="gh", auth=BEARER)  # type: ignore[arg-type]

    with pytest.raises(openai.BadRequestError) as caught:
        openai_client.beta.agents.vaults.credentials.update(credential.id, vault_id=vault.id, extra_body={"name": "x"})

    assert caught.value.code == "unknown_parameter"


def test_a_credential_metadata_update_replaces_all_of_it(openai_client: openai.OpenAI) -> None:
    vault = openai_client.beta.agents.vaults.create()
    credential = openai_client.beta.agents.vaults.credentials.create(
        vault.id,
        name="gh",
        auth=BEARER,  # type: ignore[arg-type]
        metadata={"a": "1"},
    )

    updated = openai_client.beta.agents.vaults.credentials.update(credential.id, vault_id=vault.id, metadata={"b": "2"})

    assert updated.metadata == {"b": "2"}


def test_credentials_list_per_vault_filtered_by_metadata(openai_client: openai.OpenAI) -> None:
    vault, other = openai_client.beta.agents.vaults.create(), openai_client.beta.agents.vaults.create()
    credentials = openai_client.beta.agents.vaults.credentials
    tagged = credentials.create(vault.id, name="a", auth=BEARER, metadata={"team": "x"})  # type: ignore[arg-type]
    credentials.create(vault.id, name="b", auth=BEARER)  # type: ignore[arg-type]
    credentials.create(other.id, name="c", auth=BEARER, metadata={"team": "x"})  # type: ignore[arg-type]

    found = credentials.list(vault.id, metadata={"team": "x"})

    assert [credential.id for credential in found] == [tagged.id]


def test_deleting_a_vault_deletes_its_credentials(openai_client: openai.OpenAI) -> None:
    vault = openai_client.beta.agents.vaults.create()
    credential = openai_client.beta.agents.vaults.credentials.create(vault.id, name="gh", auth=BEARER)  # type: ignore[arg-type]

    gone = openai_client.beta.agents.vaults.delete(vault.id)

    assert gone.to_dict() == {"id": vault.id, "object": "vault.deleted", "deleted": True}
    with pytest.raises(openai.NotFoundError):
        openai_client.beta.agents.vaults.credentials.retrieve(credential.id, vault_id=vault.id)


def test_deleting_a_credential_answers_its_deletion(openai_client: openai.OpenAI) -> None:
    vault = openai_client.beta.agents.vaults.create()
    credential = openai_client.beta.agents.vaults.credentials.create(vault.id, name="gh", auth=BEARER)  # type: ignore[arg-type]

    gone = openai_client.beta.agents.vaults.credentials.delete(credential.id, vault_id=vault.id)

    assert gone.to_dict() == {"id": credential.id, "object": "vault.credential.deleted", "deleted": True}
    assert list(openai_client.beta.agents.vaults.credentials.list(vault.id)) == []
