"""Normalization tables, without HTTP: what a server or Flowise writes back compares equal to what the manifest says.
The Agents platform kinds' read-backs are shaped as the sandbox answers them (Skills compare content, not read-backs:
the invariant suite covers them).

Each case builds the desired spec from a manifest model, reads a live object shaped as the API reference documents it,
and checks the comparison the planner makes: the live spec against the desired spec with server choices folded in.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from pydantic import ValidationError

from assistplan.addrs import Address
from assistplan.kinds.agents import KEY, AgentKind
from assistplan.kinds.assistants import AssistantKind, flowise_rewrite
from assistplan.kinds.automations import AutomationKind
from assistplan.kinds.base import DesireContext, Inventory, LiveObject, Spec
from assistplan.kinds.environment_templates import EnvironmentTemplateKind
from assistplan.kinds.vault_credentials import VaultCredentialKind
from assistplan.kinds.vaults import VaultKind
from assistplan.manifest.agent_models import AgentSpec
from assistplan.manifest.openai_models import AssistantSpec

FUNCTION = {
    "description": "Look up the shipping status of an order.",
    "parameters": {
        "type": "object",
        "properties": {"order_id": {"type": "string", "description": "The order number."}},
        "required": ["order_id"],
        "additionalProperties": False,
    },
    "strict": True,
}
FUNCTIONS = {"get_order_status": FUNCTION}
HEADER_ENV = "ASSISTPLAN_TEST_MCP_TOKEN"
KEY_HEX = "ab" * 32


def context(attributes: dict[str, Any] | None = None) -> DesireContext:
    """What `Kind.desired` is given besides the resource: the state's attributes (the project is not read)."""
    return DesireContext(SimpleNamespace(), {}, attributes or {})  # type: ignore[arg-type]


def agent_desired(tools: list[dict[str, Any]], attributes: dict[str, Any] | None = None) -> Spec:
    spec = AgentSpec.model_validate({"kind": "Agent", "name": "a", "model": "gpt-5", "tools": tools})
    resource = SimpleNamespace(address=Address("Agent", "a"), spec=spec, files=(), functions=lambda: FUNCTIONS)
    return AgentKind().desired(resource, context(attributes))


def agent_live(tools: list[dict[str, Any]], key: str | None = None) -> Spec:
    raw = {
        "id": "agent_1",
        "object": "agent",
        "name": "a",
        "model": "gpt-5",
        "instructions": None,
        "tools": tools,
        "reasoning": {"effort": "medium", "summary": "auto"},
        "text": {"format": {"type": "text"}, "verbosity": "medium"},
        "service_tier": "auto",
        "metadata": {},
    }
    obj = LiveObject.from_metadata("Agent", raw, {KEY: key} if key else {})
    return AgentKind().normalize(obj, Inventory(project="p"))


def compared(kind: Any, desired: Spec, live: Spec) -> tuple[Spec, Spec]:
    """What the planner diffs: the desired spec with the server's choices folded in, and the live spec."""
    return kind.fold_live(desired, live), live


def mcp_read_back(**transport: Any) -> dict[str, Any]:
    """An http MCP tool as the Agents API answers it: every field present, defaults resolved."""
    return {
        "type": "mcp",
        "server_label": "github",
        "transport": {"type": "http", "server_url": "https://mcp.example.com/mcp", "headers": {}, **transport},
        "allowed_tools": None,
        "connection_origin": "service",
        "credential_id": None,
        "request_metadata": {},
        "required": False,
    }


MCP_MANIFEST = {
    "type": "mcp",
    "server_label": "github",
    "transport": {"type": "http", "server_url": "https://mcp.example.com/mcp"},
}

READ_BACK_DEFAULTS = [
    pytest.param(
        {"function": "get_order_status"},
        {
            "type": "function",
            "name": "get_order_status",
            "description": FUNCTION["description"],
            "parameters": FUNCTION["parameters"],
            "defer_loading": False,
        },
        id="function",
    ),
    pytest.param(
        {"type": "web_search"},
        {"type": "web_search", "allowed_domains": None, "context_size": "medium", "location": None, "mode": "live"},
        id="web_search",
    ),
    pytest.param(MCP_MANIFEST, mcp_read_back(), id="mcp-http"),
    pytest.param(
        {"type": "mcp", "server_label": "github", "transport": {"type": "stdio", "command": "gh-mcp", "cwd": "/srv"}},
        {
            **mcp_read_back(),
            "transport": {"type": "stdio", "command": "gh-mcp", "cwd": "/srv", "args": [], "env_vars": []},
        },
        id="mcp-stdio",
    ),
    pytest.param({"type": "tool_search"}, {"type": "tool_search"}, id="tool_search"),
    pytest.param(
        {"type": "programmatic_tool_calling"},
        {"type": "programmatic_tool_calling", "enabled": True},
        id="programmatic_tool_calling",
    ),
    pytest.param({"type": "computer_use"}, {"type": "computer_use", "include_screenshots": False}, id="computer_use"),
    pytest.param({"type": "automations"}, {"type": "automations"}, id="automations"),
]


@pytest.mark.parametrize(("manifest", "read_back"), READ_BACK_DEFAULTS)
def test_an_agent_tool_read_back_with_server_defaults_equals_the_manifest(
    manifest: dict[str, Any], read_back: dict[str, Any]
) -> None:
    wanted, live = compared(AgentKind(), agent_desired([manifest]), agent_live([read_back]))

    assert wanted["tools"] == live["tools"]


def test_an_mcp_connection_origin_the_manifest_sets_is_compared() -> None:
    desired = agent_desired([{**MCP_MANIFEST, "connection_origin": "environment"}])

    wanted, live = compared(AgentKind(), desired, agent_live([mcp_read_back()]))

    assert wanted["tools"][0]["connection_origin"] == "environment"
    assert live["tools"][0]["connection_origin"] == "service"


def test_mcp_header_values_read_back_are_replaced_by_fingerprints() -> None:
    live = agent_live([mcp_read_back(headers={"Authorization": "Bearer ghp_secret"})], key=KEY_HEX)

    assert "ghp_secret" not in repr(live)
    assert set(live["tools"][0]["transport"]["headers"]["Authorization"]) == {"fingerprint"}


def test_a_header_whose_value_is_unchanged_compares_equal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(HEADER_ENV, "Bearer ghp_secret")
    manifest = {
        **MCP_MANIFEST,
        "transport": {**MCP_MANIFEST["transport"], "headers": {"Authorization": {"env": HEADER_ENV}}},
    }
    desired = agent_desired([manifest], {KEY: KEY_HEX})

    wanted, live = compared(
        AgentKind(), desired, agent_live([mcp_read_back(headers={"Authorization": "Bearer ghp_secret"})], KEY_HEX)
    )

    assert wanted["tools"] == live["tools"]
    assert desired["header_env"] == {"github": {"Authorization": HEADER_ENV}}
    assert "ghp_secret" not in repr(desired)


def test_a_rotated_header_value_changes_its_fingerprint(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(HEADER_ENV, "Bearer ghp_rotated")
    manifest = {
        **MCP_MANIFEST,
        "transport": {**MCP_MANIFEST["transport"], "headers": {"Authorization": {"env": HEADER_ENV}}},
    }
    desired = agent_desired([manifest], {KEY: KEY_HEX})

    wanted, live = compared(
        AgentKind(), desired, agent_live([mcp_read_back(headers={"Authorization": "Bearer ghp_secret"})], KEY_HEX)
    )

    assert wanted["tools"] != live["tools"]
    assert "ghp_rotated" not in repr(wanted) and "ghp_secret" not in repr(live)


def test_a_header_variable_not_set_where_plan_runs_is_unknown_not_changed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(HEADER_ENV, raising=False)
    manifest = {
        **MCP_MANIFEST,
        "transport": {**MCP_MANIFEST["transport"], "headers": {"Authorization": {"env": HEADER_ENV}}},
    }

    wanted, live = compared(
        AgentKind(),
        agent_desired([manifest], {KEY: KEY_HEX}),
        agent_live([mcp_read_back(headers={"Authorization": "Bearer ghp_secret"})], KEY_HEX),
    )

    assert wanted["tools"] == live["tools"]


def test_a_literal_header_value_is_refused_with_the_reference_syntax() -> None:
    manifest = {**MCP_MANIFEST, "transport": {**MCP_MANIFEST["transport"], "headers": {"X-Org": "tok_literal"}}}

    with pytest.raises(ValidationError) as refused:
        AgentSpec.model_validate({"kind": "Agent", "name": "a", "model": "gpt-5", "tools": [manifest]})

    [error] = refused.value.errors()
    assert "{env: VARIABLE}" in error["msg"]
    assert "tok_literal" not in error["msg"]


def assistant_desired(**fields: Any) -> Spec:
    spec = AssistantSpec.model_validate({"kind": "Assistant", "name": "s", "model": "gpt-4o", **fields})
    resource = SimpleNamespace(address=Address("Assistant", "s"), spec=spec, files=(), functions=lambda: FUNCTIONS)
    return AssistantKind().desired(resource, context())


def assistant_live(**fields: Any) -> Spec:
    raw = {
        "id": "asst_1",
        "object": "assistant",
        "created_at": 1,
        "name": "s",
        "model": "gpt-4o",
        "description": None,
        "instructions": None,
        "tools": [],
        "metadata": {},
        **fields,
    }
    return AssistantKind().normalize(LiveObject.from_metadata("Assistant", raw), Inventory(project="p"))


def function_read_back(tool: dict[str, Any]) -> dict[str, Any]:
    return {"type": "function", "function": tool["function"]}


STRICT_FUNCTION = {
    "type": "function",
    "function": {"name": "get_order_status", **FUNCTION},
}


def test_a_live_assistant_without_reasoning_effort_leaves_it_out() -> None:
    assert "reasoning_effort" not in assistant_live()


def test_a_reasoning_effort_of_null_is_a_value() -> None:
    assert assistant_live(reasoning_effort=None)["reasoning_effort"] is None


@pytest.mark.parametrize("field", ["temperature", "top_p", "response_format", "tool_resources"])
def test_optional_fields_of_the_spec_the_server_leaves_out_are_left_out(field: str) -> None:
    assert field not in assistant_live()


@pytest.mark.parametrize("field", ["name", "description", "instructions", "model", "tools", "metadata"])
def test_required_fields_of_the_spec_are_always_there(field: str) -> None:
    assert field in assistant_live()


ORDERS = [
    pytest.param(["code_interpreter", "file_search", {"function": "get_order_status"}], id="flowise-ui-order"),
    pytest.param([{"function": "get_order_status"}, "file_search", "code_interpreter"], id="functions-first"),
]


@pytest.mark.parametrize("tools", ORDERS)
def test_assistant_tools_compare_as_a_set(tools: list[Any]) -> None:
    live_tools = [
        {"type": "function", "function": {"name": "get_order_status", **FUNCTION}},
        {"type": "file_search", "file_search": {"ranking_options": {"ranker": "auto", "score_threshold": 0.0}}},
        {"type": "code_interpreter"},
    ]

    assert assistant_desired(tools=tools)["tools"] == assistant_live(tools=live_tools)["tools"]


@pytest.mark.parametrize("written", ["", None])
def test_an_empty_description_equals_an_absent_one(written: str | None) -> None:
    assert assistant_desired()["description"] == assistant_live(description=written)["description"]


def test_an_empty_instructions_equals_absent_ones() -> None:
    assert assistant_desired()["instructions"] == assistant_live(instructions="")["instructions"]


def test_flowise_rewrites_a_function_to_its_rows_schema_without_strict() -> None:
    assert flowise_rewrite(STRICT_FUNCTION) == {
        "type": "function",
        "function": {
            "name": "get_order_status",
            "description": FUNCTION["description"],
            "parameters": {
                "type": "object",
                "properties": {"order_id": {"type": "string", "description": "The order number."}},
                "required": ["order_id"],
                "additionalProperties": False,
            },
            "strict": False,
        },
    }


def flowise_written(tool: dict[str, Any]) -> dict[str, Any]:
    """The tool as the OpenAI Assistant node sends it (no strict key: the server reads it back as false)."""
    function = {k: v for k, v in (flowise_rewrite(tool) or {})["function"].items() if k != "strict"}
    return {"type": "function", "function": {**function, "strict": False}}


def test_a_function_as_flowise_writes_it_on_a_chat_compares_equal() -> None:
    desired = assistant_desired(tools=[{"function": "get_order_status"}, "code_interpreter"])
    live = assistant_live(tools=[{"type": "code_interpreter"}, flowise_written(STRICT_FUNCTION)])

    wanted, live_spec = compared(AssistantKind(), desired, live)

    assert wanted["tools"] == live_spec["tools"]


def test_a_non_strict_function_with_additional_properties_added_by_flowise_compares_equal() -> None:
    loose = {"type": "object", "properties": {"q": {"type": "string"}}}
    functions = {"search": {"description": "Search.", "parameters": loose, "strict": False}}
    spec = AssistantSpec.model_validate(
        {"kind": "Assistant", "name": "s", "model": "gpt-4o", "tools": [{"function": "search"}]}
    )
    desired = AssistantKind().desired(
        SimpleNamespace(address=Address("Assistant", "s"), spec=spec, files=(), functions=lambda: functions),
        context(),
    )
    written = {
        "type": "function",
        "function": {
            "name": "search",
            "description": "Search.",
            "parameters": {**loose, "additionalProperties": False},
            "strict": False,
        },
    }

    wanted, live = compared(AssistantKind(), desired, assistant_live(tools=[written]))

    assert wanted["tools"] == live["tools"]


def test_a_function_changed_beyond_flowise_rewrite_is_a_change() -> None:
    edited = flowise_written(STRICT_FUNCTION)
    edited["function"]["description"] = "Edited in the dashboard."

    wanted, live = compared(
        AssistantKind(), assistant_desired(tools=[{"function": "get_order_status"}]), assistant_live(tools=[edited])
    )

    assert wanted["tools"] != live["tools"]


PLATFORM_IDS = {
    "vault_1": "Vault/tools",
    "agent_1": "Agent/support",
    "envtpl_1": "EnvironmentTemplate/analysis",
    "vault_1/cred_1": "VaultCredential/github",
}
"""The project's live ids and their addresses, as the state maps them."""


def platform_desired(kind: Any, manifest: dict[str, Any]) -> Spec:
    spec = kind.spec_model.model_validate(manifest)
    resource = SimpleNamespace(
        address=Address(manifest["kind"], manifest["name"]), spec=spec, files=(), functions=lambda: FUNCTIONS
    )
    project = SimpleNamespace(config=SimpleNamespace(project="p"), identity="p", root="/manifests")
    return kind.desired(resource, DesireContext(project, {}, {}))  # type: ignore[arg-type]


def platform_live(kind: Any, raw: dict[str, Any]) -> Spec:
    obj = LiveObject.from_metadata(kind.kind, raw)
    if kind.kind == "VaultCredential":
        obj.id = f"{raw['vault_id']}/{raw['id']}"
    return kind.normalize(obj, Inventory(project="p", id_to_address=dict(PLATFORM_IDS)))


def unread_filled(wanted: Spec, live: Spec) -> Spec:
    """The live spec with the write-only fields the API never returns taken as desired, as the planner does."""
    return {**live, **{key: value for key, value in wanted.items() if key not in live}}


CREDENTIAL_READ_BACK = {"id": "cred_1", "object": "vault.credential", "vault_id": "vault_1", "name": "github"}
CREDENTIAL_READ_BACK_DEFAULTS = [
    pytest.param(
        {"type": "static_bearer", "mcp_server_url": "https://mcp.example/mcp", "token": {"env": "GITHUB_TOKEN"}},
        {"type": "static_bearer", "mcp_server_url": "https://mcp.example/mcp"},
        id="static_bearer",
    ),
    pytest.param(
        {"type": "mcp_oauth", "mcp_server_url": "https://mcp.example/mcp", "access_token": {"env": "GITHUB_TOKEN"}},
        {"type": "mcp_oauth", "mcp_server_url": "https://mcp.example/mcp", "expires_at": None, "refresh": None},
        id="mcp_oauth",
    ),
    pytest.param(
        {
            "type": "mcp_oauth",
            "mcp_server_url": "https://mcp.example/mcp",
            "access_token": {"env": "GITHUB_TOKEN"},
            "refresh": {
                "client_id": "assistplan",
                "token_endpoint": "https://auth.example/token",
                "refresh_token": {"env": "GITHUB_REFRESH"},
                "token_endpoint_auth": {"type": "none"},
            },
        },
        {
            "type": "mcp_oauth",
            "mcp_server_url": "https://mcp.example/mcp",
            "expires_at": "2031-01-31T00:00:00Z",
            "refresh": {
                "client_id": "assistplan",
                "token_endpoint": "https://auth.example/token",
                "token_endpoint_auth": {"type": "none"},
                "resource": None,
                "scope": None,
            },
        },
        id="mcp_oauth-refresh-server-expiry",
    ),
    pytest.param(
        {
            "type": "environment_variable",
            "secret_name": "API_KEY",
            "secret_value": {"env": "API_KEY"},
            "networking": {"type": "limited", "allowed_hosts": ["API.example"]},
        },
        {
            "type": "environment_variable",
            "secret_name": "API_KEY",
            "networking": {"type": "limited", "allowed_hosts": ["api.example"]},
        },
        id="environment_variable-hosts-lowercased",
    ),
]


def test_a_vault_read_back_equals_the_manifest() -> None:
    kind = VaultKind()
    desired = platform_desired(kind, {"kind": "Vault", "name": "tools"})
    live = platform_live(kind, {"id": "vault_1", "object": "vault", "created_at": 1, "metadata": {}, "name": "tools"})

    wanted, live = compared(kind, desired, live)

    assert wanted == live


@pytest.mark.parametrize(("auth", "read_back"), CREDENTIAL_READ_BACK_DEFAULTS)
def test_a_vault_credential_read_back_without_secrets_equals_the_manifest(
    auth: dict[str, Any], read_back: dict[str, Any]
) -> None:
    kind = VaultCredentialKind()
    manifest = {"kind": "VaultCredential", "name": "github", "vault": "tools", "auth": auth}
    raw = {**CREDENTIAL_READ_BACK, "created_at": 1, "updated_at": 1, "metadata": {}, "auth": read_back}

    wanted, live = compared(kind, platform_desired(kind, manifest), platform_live(kind, raw))

    assert "secrets" not in live
    assert wanted == unread_filled(wanted, live)


TEMPLATE_READ_BACK = {
    "id": "envtpl_1",
    "object": "agent.environment.template",
    "created_at": 1,
    "updated_at": 1,
    "name": "assistplan:p:EnvironmentTemplate/analysis",
    "capability_directories": [],
    "files": [],
    "network": {"access": "disabled", "allowed_domains": []},
    "packages": {"npm": [], "python": [], "system": []},
    "plugins": [],
    "skills": [],
    "desktop": {"enabled": False},
}


@pytest.mark.parametrize(
    ("manifest", "read_back"),
    [
        pytest.param({}, {}, id="every-default"),
        pytest.param(
            {"packages": {"python": ["pandas"]}, "network": {"access": "restricted", "blocked_domains": ["x.example"]}},
            {
                "packages": {"npm": [], "python": ["pandas"], "system": []},
                "network": {"access": "restricted", "allowed_domains": []},
            },
            id="packages-and-blocked-domains",
        ),
        pytest.param(
            {"skills": [{"skill": "invoice-math"}, {"skill": "charts", "version": 2}]},
            {
                "skills": [
                    {"type": "skill_reference", "skill_id": "skill_1", "version": None},
                    {"type": "skill_reference", "skill_id": "skill_2", "version": "2"},
                ]
            },
            id="skill-version-selectors",
        ),
    ],
)
def test_an_environment_template_read_back_with_server_defaults_equals_the_manifest(
    manifest: dict[str, Any], read_back: dict[str, Any]
) -> None:
    kind = EnvironmentTemplateKind()
    desired = platform_desired(kind, {"kind": "EnvironmentTemplate", "name": "analysis", **manifest})
    ids = {"skill_1": "Skill/invoice-math", "skill_2": "Skill/charts"}
    obj = LiveObject("EnvironmentTemplate", "envtpl_1", {**TEMPLATE_READ_BACK, **read_back}, "p")
    live = kind.normalize(obj, Inventory(project="p", id_to_address={**PLATFORM_IDS, **ids}))

    wanted, live = compared(kind, desired, live)

    assert wanted == unread_filled(wanted, live)


AUTOMATION_TARGET = {
    "type": "new_session",
    "agent_id": "agent_1",
    "agent": None,
    "environment": {"type": "none"},
    "input": [{"type": "message", "role": "user", "content": [{"type": "input_text", "text": "Summarise."}]}],
    "metadata": {"assistplan:project": "p", "assistplan:address": "Automation/nightly"},
    "vault_ids": [],
}
HOSTED = {
    "type": "openai_hosted",
    "environment_template_id": "envtpl_1",
    **dict.fromkeys(("environment_id", "container_size", "capability_directories", "desktop", "files")),
    **dict.fromkeys(("network", "packages", "plugins", "skills")),
}


@pytest.mark.parametrize(
    ("manifest", "read_back"),
    [
        pytest.param(
            {"schedule": {"cron": "0 3 * * *", "timezone": "UTC"}},
            {"type": "periodic", "expression": "0 3 * * *", "timezone": "UTC"},
            id="periodic-no-environment",
        ),
        pytest.param(
            {"run_at": "2031-03-01T03:00:00Z", "environment_template": "analysis", "vaults": ["tools"]},
            {
                "type": "once",
                "run_at": 1930100400,
                "target": {**AUTOMATION_TARGET, "environment": HOSTED, "vault_ids": ["vault_1"]},
            },
            id="once-hosted-environment-and-vaults",
        ),
    ],
)
def test_an_automation_read_back_with_server_defaults_equals_the_manifest(
    manifest: dict[str, Any], read_back: dict[str, Any]
) -> None:
    kind = AutomationKind()
    desired = platform_desired(
        kind, {"kind": "Automation", "name": "nightly", "agent": "support", "input": "Summarise.", **manifest}
    )
    raw = {
        "id": "auto_1",
        "object": "agent.automation",
        "name": "nightly",
        "created_at": 1,
        "created_by": {"type": "developer"},
        "metadata": {},
        "status": "active",
        "pause_reason": None,
        "target": AUTOMATION_TARGET,
        **read_back,
    }

    wanted, live = compared(kind, desired, platform_live(kind, raw))

    assert wanted == live
