"""Agent: an OpenAI Agents API saved agent (`/agents`, beta header agents=v1).

The API answers with resolved values (reasoning, text, service tier, tool defaults); the same defaults are filled into
the desired spec so a freshly applied agent plans as no changes. What the manifest leaves to the server (reasoning,
an MCP tool's `connection_origin`) is taken from the live agent; empty MCP `headers`, `args` and `env_vars` equal
absent ones.

MCP `headers` values come from environment variables, read at apply time only. The spec holds, per header, a keyed
fingerprint (HMAC-SHA256 under a random key the state keeps for the agent) and, under `header_env`, the variables'
names; the API echoes header values, which are fingerprinted the same way and never kept in clear. A value read for
a request is registered with `assistplan.redact`, so an error message echoing it is scrubbed. `header_env` is
not returned by the API, so the live spec leaves it out.

An MCP tool's `credential` holds the address of a VaultCredential (sent as `credential_id`, the credential's API id;
a live id is mapped back to the address of the project's credential, or kept as `credential_id`), so a replaced
credential re-points the agent between the new credential's creation and the old one's deletion.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from collections.abc import Mapping
from contextlib import suppress
from secrets import token_hex
from typing import Any

from assistplan import redact
from assistplan.addrs import Address
from assistplan.errors import NotFoundError, PlanError
from assistplan.kinds.base import (
    Applied,
    DesireContext,
    Inventory,
    Kind,
    LiveObject,
    OpenAIContext,
    Spec,
    all_stamped,
    owned_objects,
    prune,
    read_object,
    register,
    stamp_metadata,
    user_metadata,
)
from assistplan.kinds.exporting import ExportContext, Exported
from assistplan.kinds.vault_credentials import VaultCredentialKind, credential_address, split_id
from assistplan.manifest.models import AgentSpec
from assistplan.manifest.project import Resource
from assistplan.providers.openai import collection

TOOL_DEFAULTS: dict[str, dict[str, Any]] = {
    "function": {"defer_loading": False},
    "web_search": {"context_size": "medium", "mode": "live"},
    "mcp": {"request_metadata": {}, "required": False},
    "programmatic_tool_calling": {"enabled": True},
    "computer_use": {"include_screenshots": False},
}
TEXT_DEFAULT = {"format": {"type": "text"}, "verbosity": "medium"}
EMPTY_TRANSPORT_LISTS = ("headers", "args", "env_vars")
KEY = "fingerprint_key"
HEADER_ENV = "header_env"
PRUNED_PARAMETERS = "agents.pruned_parameters"


def fingerprint(key: str, value: str) -> str:
    return hmac.new(bytes.fromhex(key), value.encode(), hashlib.sha256).hexdigest()[:16]


def header_value(address: str, label: str, header: str, env: str) -> str:
    """A header's value from the environment, at apply time; the error names the variable, never a value."""
    value = os.environ.get(env, "")
    if not value:
        raise PlanError(
            f'{address}: MCP tool "{label}" header {header}: the environment variable {env} is not set (or is empty)'
        )
    redact.register(value)
    return value


def function_tool(function: Mapping[str, Any], name: str, options: Mapping[str, Any]) -> dict[str, Any]:
    tool = {
        "type": "function",
        "name": name,
        "description": function.get("description", ""),
        "parameters": function.get("parameters") or {"type": "object", "properties": {}},
        "defer_loading": bool(options.get("defer_loading", False)),
    }
    if options.get("async"):
        tool["async"] = True
    return tool


def normalize_tool(tool: Mapping[str, Any], pruned: tuple[str, ...] = ()) -> dict[str, Any]:
    """A tool with its defaults filled and nulls dropped (but in the values of the `pruned` keys, which have none);
    `async: false` is the default and is dropped too, and so are an MCP transport's empty headers, args and
    env_vars."""
    out: dict[str, Any] = {k: v if k in pruned else prune(v) for k, v in tool.items() if v is not None}
    for key, value in TOOL_DEFAULTS.get(str(tool.get("type")), {}).items():
        out.setdefault(key, value)
    if out.get("async") is False:
        del out["async"]
    if isinstance(out.get("transport"), dict):
        out["transport"] = {k: v for k, v in out["transport"].items() if not (k in EMPTY_TRANSPORT_LISTS and not v)}
    return out


def fingerprint_headers(tool: dict[str, Any], key: str | None) -> dict[str, Any]:
    """A live MCP tool whose header values are replaced by their fingerprints (None without a key)."""
    headers = (tool.get("transport") or {}).get("headers")
    if not headers:
        return tool
    hidden = {name: {"fingerprint": fingerprint(key, str(value)) if key else None} for name, value in headers.items()}
    return {**tool, "transport": {**tool["transport"], "headers": hidden}}


def desired_tool(tool: dict[str, Any], functions: Mapping[str, Any], pruned: dict[str, Any]) -> dict[str, Any]:
    """A manifest tool as the API shows it. `pruned` keeps each Function's parameters pruned once for every agent
    that uses it (the specs share them; nothing changes a spec in place)."""
    if "function" in tool:
        function = functions[tool["function"]]
        made = function_tool(function, function.get("name", tool["function"]), tool)
        if tool["function"] not in pruned:
            pruned[tool["function"]] = prune(made["parameters"])
        return normalize_tool({**made, "parameters": pruned[tool["function"]]}, pruned=("parameters",))
    if tool.get("credential"):
        tool = {**tool, "credential": f"{VaultCredentialKind.kind}/{tool['credential']}"}
    headers = (tool.get("transport") or {}).get("headers")
    if headers:
        hidden = {name: {"fingerprint": None} for name in headers}
        tool = {**tool, "transport": {**tool["transport"], "headers": hidden}}
    return normalize_tool(tool)


def header_env(tools: list[dict[str, Any]]) -> dict[str, dict[str, str]]:
    """server_label -> header -> the environment variable holding its value."""
    found = {}
    for tool in tools:
        headers = (tool.get("transport") or {}).get("headers")
        if tool.get("type") == "mcp" and headers:
            found[tool["server_label"]] = {name: ref["env"] for name, ref in sorted(headers.items())}
    return found


def live_credential(tool: dict[str, Any], inventory: Inventory) -> dict[str, Any]:
    """A live MCP tool whose `credential_id` names one of the project's credentials, as that credential's address."""
    credential_id = tool.get("credential_id")
    address = credential_address(inventory, credential_id) if credential_id else None
    if address is None:
        return tool
    return {**{key: value for key, value in tool.items() if key != "credential_id"}, "credential": address}


def _fold_tool(wanted: dict[str, Any], live: Mapping[str, Any] | None) -> dict[str, Any]:
    """Take into a desired MCP tool what the server chose: `connection_origin` when the manifest leaves it out, and a
    header's fingerprint when it cannot be computed yet (no key, or the variable is not set where plan runs)."""
    if live is None or wanted.get("type") != "mcp":
        return wanted
    folded = dict(wanted)
    if "connection_origin" not in folded and "connection_origin" in live:
        folded["connection_origin"] = live["connection_origin"]
    headers = (folded.get("transport") or {}).get("headers")
    live_headers = (live.get("transport") or {}).get("headers") or {}
    if headers:
        known = {
            name: entry if entry.get("fingerprint") is not None or name not in live_headers else live_headers[name]
            for name, entry in headers.items()
        }
        folded["transport"] = {**folded["transport"], "headers": known}
    return folded


def normalize_text(text: Mapping[str, Any] | None) -> dict[str, Any]:
    text = prune(dict(text or {}))
    fmt = text.get("format", TEXT_DEFAULT["format"])
    if isinstance(fmt, str):
        fmt = {"type": fmt}
    return {"format": fmt, "verbosity": text.get("verbosity", TEXT_DEFAULT["verbosity"])}


class AgentKind(Kind):
    kind = "Agent"
    spec_model = AgentSpec
    depends_on = ("Function", "VaultCredential")
    fields_in_labels = True
    high_impact_paths = ("model", "service_tier", "tools")

    def desired(self, resource: Resource, ctx: DesireContext) -> Spec:
        spec = resource.spec.model_dump(mode="json", by_alias=True, exclude_none=True)
        pruned: dict[str, Any] = ctx.shared.setdefault(PRUNED_PARAMETERS, {})
        functions = resource.functions()
        tools = [desired_tool(tool, functions, pruned) for tool in spec.get("tools", [])]
        reasoning = spec.get("reasoning")
        desired: Spec = {
            "name": spec.get("display_name", resource.address.name),
            "model": spec["model"],
            "instructions": spec.get("instructions"),
            "tools": tools,
            "reasoning": {"effort": reasoning.get("effort"), "summary": reasoning.get("summary")}
            if reasoning
            else None,
            "text": normalize_text(spec.get("text")),
            "service_tier": spec.get("service_tier", "auto"),
            "metadata": dict(spec.get("metadata", {})),
        }
        secrets = header_env(spec.get("tools", []))
        if secrets:
            desired[HEADER_ENV] = secrets
        return _recall(desired, ctx.attributes)

    def fold_live(self, desired: Spec, live: Spec) -> Spec:
        live_reasoning = live.get("reasoning") or {}
        wanted = desired.get("reasoning") or {}
        reasoning = {key: wanted.get(key) or live_reasoning.get(key) for key in ("effort", "summary")}
        live_mcp = {t.get("server_label"): t for t in live.get("tools") or [] if t.get("type") == "mcp"}
        tools = [_fold_tool(t, live_mcp.get(t.get("server_label"))) for t in desired["tools"]]
        return {**desired, "reasoning": reasoning, "tools": tools}

    def reference_paths(self, spec: Spec) -> dict[str, str]:
        return {
            f"tools[{index}].credential": tool["credential"]
            for index, tool in enumerate(spec.get("tools") or [])
            if tool.get("type") == "mcp" and tool.get("credential")
        }

    def normalize(self, obj: LiveObject, inventory: Inventory) -> Spec:
        raw = obj.raw
        reasoning = raw.get("reasoning") or {}
        return {
            "name": raw.get("name") or "",
            "model": raw.get("model"),
            "instructions": raw.get("instructions"),
            "tools": [
                live_credential(fingerprint_headers(normalize_tool(t), obj.extra.get(KEY)), inventory)
                for t in raw.get("tools") or []
            ],
            "reasoning": {"effort": reasoning.get("effort"), "summary": reasoning.get("summary")},
            "text": normalize_text(raw.get("text")),
            "service_tier": raw.get("service_tier") or "auto",
            "metadata": user_metadata(raw.get("metadata")),
        }

    def refresh(self, ctx: OpenAIContext) -> list[LiveObject]:
        inventory = ctx.inventory
        objects = owned_objects(ctx, self.kind, "/agents", "agent")
        for obj in objects:
            address = inventory.id_to_address.get(obj.id) or obj.address or ""
            obj.extra = _key_extra(inventory.attributes.get(address) or {})
        return objects

    def _payload(self, ctx: OpenAIContext, address: Address, spec: Spec) -> dict[str, Any]:
        payload: dict[str, Any] = {
            "model": spec["model"],
            "name": spec["name"],
            "instructions": spec.get("instructions"),
            "tools": [_with_credential_id(ctx, tool) for tool in _sent_tools(address, spec)],
            "text": spec["text"],
            "service_tier": spec["service_tier"],
            "metadata": {**spec["metadata"], **ctx.labels(address)},
        }
        reasoning = prune(spec.get("reasoning") or {})
        if reasoning:
            payload["reasoning"] = reasoning
        return payload

    def create(self, ctx: OpenAIContext, address: Address, spec: Spec) -> Applied:
        provider = ctx.provider
        payload = self._payload(ctx, address, spec)
        agent = provider.create_object(
            "/agents",
            payload,
            address=address,
            find_stamped=lambda: all_stamped(
                provider.list_objects("/agents", address=address, operation="look up"), ctx.project, address
            ),
        )
        return _applied(ctx, address, spec, agent)

    def update(self, ctx: OpenAIContext, address: Address, remote_id: str, before: Spec, spec: Spec) -> Applied:
        provider = ctx.provider
        payload = self._payload(ctx, address, spec)
        agent = provider.post_object(f"/agents/{remote_id}", payload, address=address, operation="update")
        return _applied(ctx, address, spec, agent)

    def delete(self, ctx: OpenAIContext, address: Address, remote_id: str) -> None:
        provider = ctx.provider
        with suppress(NotFoundError):
            provider.delete_object(f"/agents/{remote_id}", address=address, operation="delete")

    def read(self, ctx: OpenAIContext, remote_id: str, address: Address) -> LiveObject:
        return LiveObject.from_metadata(self.kind, read_object(ctx, f"/agents/{remote_id}", address))

    def stamp(self, ctx: OpenAIContext, address: Address, live: LiveObject, stamp: dict[str, str]) -> LiveObject:
        return LiveObject.from_metadata(self.kind, stamp_metadata(ctx, f"/agents/{live.id}", address, live, stamp))

    def export(self, obj: LiveObject, ctx: ExportContext) -> Exported | None:
        from assistplan.kinds.openai_exports import export_agent

        return export_agent(self, obj, ctx)


def _recall(spec: Spec, attributes: Mapping[str, Any]) -> Spec:
    """Fingerprint each MCP header whose variable is set, with the key the state keeps (none yet: unknown)."""
    key = attributes.get(KEY)
    secrets = spec.get(HEADER_ENV) or {}
    if not key or not secrets:
        return spec
    tools = []
    for tool in spec["tools"]:
        envs = secrets.get(tool.get("server_label", ""), {}) if tool.get("type") == "mcp" else {}
        if envs:
            hidden = {
                name: {"fingerprint": fingerprint(key, os.environ[env]) if os.environ.get(env) else None}
                for name, env in envs.items()
            }
            tool = {**tool, "transport": {**tool["transport"], "headers": hidden}}
        tools.append(tool)
    return {**spec, "tools": tools}


def _key_extra(attributes: Mapping[str, Any]) -> dict[str, Any]:
    return {KEY: attributes[KEY]} if attributes.get(KEY) else {}


def _sent_tools(address: str, spec: Spec) -> list[dict[str, Any]]:
    """The tools as the API receives them: each MCP header's value read from its environment variable."""
    secrets = spec.get(HEADER_ENV) or {}
    tools = []
    for tool in spec["tools"]:
        envs = secrets.get(tool.get("server_label", ""), {}) if tool.get("type") == "mcp" else {}
        if envs:
            label = tool["server_label"]
            values = {name: header_value(address, label, name, env) for name, env in envs.items()}
            tool = {**tool, "transport": {**tool["transport"], "headers": values}}
        tools.append(tool)
    return tools


def _with_credential_id(ctx: OpenAIContext, tool: dict[str, Any]) -> dict[str, Any]:
    """An MCP tool as sent: its credential's address replaced by the credential's API id."""
    address = tool.get("credential")
    if not address:
        return tool
    rest = {key: value for key, value in tool.items() if key != "credential"}
    return {**rest, "credential_id": split_id(ctx.remote_id(address))[1]}


def _applied(ctx: OpenAIContext, address: Address, spec: Spec, raw: dict[str, Any]) -> Applied:
    """The applied agent, with the fingerprint key its headers need (kept, or made for the first header)."""
    live = LiveObject.from_metadata(AgentKind.kind, raw)
    key = ctx.attributes(address).get(KEY) or (token_hex(32) if spec.get(HEADER_ENV) else None)
    attributes = {KEY: key} if key else {}
    live.extra = _key_extra(attributes)
    return Applied(live, attributes=attributes)


collection("/agents", beta="agents=v1", two_ended=True)
register(AgentKind())
