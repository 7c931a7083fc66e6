"""Persisted agent tools: validation of each tool type and the defaults the Agents API fills in when it answers.

Defaults: function `defer_loading: false`; programmatic_tool_calling `enabled: true`; mcp `allowed_tools: null`,
`connection_origin: "service"`, `credential_id: null`, `request_metadata: {}`, `required: false`, http transport
`headers: {}`, stdio transport `args: []`, `env_vars: []`; web_search `allowed_domains: null`, `context_size: "medium"`,
`location: null`, `mode: "live"`; computer_use `include_screenshots: false`.
"""

from __future__ import annotations

import json
from typing import Any

from assistplan.sandbox.errors import invalid, invalid_type, invalid_value
from assistplan.sandbox.validate import MISSING, array, boolean, choice, field, obj, only, string, string_list

TOOL_TYPES = (
    "function",
    "tool_search",
    "programmatic_tool_calling",
    "mcp",
    "web_search",
    "computer_use",
    "automations",
)
MAX_TOOLS_BYTES = 3 * 1024 * 1024
LOCATION_FIELDS = ("city", "country", "region", "timezone")


def _function(tool: dict[str, Any], param: str) -> dict[str, Any]:
    only(tool, ("type", "name", "description", "parameters", "defer_loading", "async"), param)
    resolved = {
        "type": "function",
        "name": string(tool, "name", param, required=True, nullable=False, max_length=64),
        "description": string(tool, "description", param, required=True, nullable=False),
        "parameters": obj(field(tool, "parameters", param, required=True), f"{param}.parameters"),
        "defer_loading": boolean(tool, "defer_loading", param) or False,
    }
    run_async = boolean(tool, "async", param)
    if run_async is not MISSING:
        resolved["async"] = run_async
    return resolved


def _string_map(value: Any, param: str) -> dict[str, str]:
    if value is None:
        return {}
    mapping = obj(value, param)
    for key, item in mapping.items():
        if not isinstance(item, str):
            raise invalid_type(f"{param}.{key}", "a string", item)
    return dict(mapping)


def _transport(value: Any, param: str) -> dict[str, Any]:
    transport = obj(value, param)
    kind = field(transport, "type", param, required=True)
    if kind == "http":
        only(transport, ("type", "server_url", "headers"), param)
        return {
            "type": "http",
            "server_url": string(transport, "server_url", param, required=True, nullable=False),
            "headers": _string_map(transport.get("headers"), f"{param}.headers"),
        }
    if kind == "stdio":
        only(transport, ("type", "command", "cwd", "args", "env_vars"), param)
        return {
            "type": "stdio",
            "command": string(transport, "command", param, required=True, nullable=False),
            "cwd": string(transport, "cwd", param, required=True, nullable=False),
            "args": list(string_list(transport, "args", param, nullable=True) or []),
            "env_vars": list(string_list(transport, "env_vars", param, nullable=True) or []),
        }
    raise invalid_value(f"{param}.type", kind, ("http", "stdio"))


def _mcp(tool: dict[str, Any], param: str) -> dict[str, Any]:
    only(
        tool,
        (
            "type",
            "server_label",
            "transport",
            "allowed_tools",
            "connection_origin",
            "credential_id",
            "request_metadata",
            "required",
        ),
        param,
    )
    allowed = string_list(tool, "allowed_tools", param, nullable=True)
    request_metadata = tool.get("request_metadata")
    return {
        "type": "mcp",
        "server_label": string(tool, "server_label", param, required=True, nullable=False),
        "transport": _transport(field(tool, "transport", param, required=True), f"{param}.transport"),
        "allowed_tools": None if allowed is None or allowed is MISSING else list(allowed),
        "connection_origin": choice(tool, "connection_origin", ("service", "environment"), param) or "service",
        "credential_id": string(tool, "credential_id", param) or None,
        "request_metadata": {} if request_metadata is None else obj(request_metadata, f"{param}.request_metadata"),
        "required": boolean(tool, "required", param) or False,
    }


def _web_search(tool: dict[str, Any], param: str) -> dict[str, Any]:
    only(tool, ("type", "allowed_domains", "context_size", "location", "mode"), param)
    domains = string_list(tool, "allowed_domains", param, nullable=True)
    location = tool.get("location")
    if location is not None:
        location_param = f"{param}.location"
        place = obj(location, location_param)
        only(place, LOCATION_FIELDS, location_param)
        location = {key: string(place, key, location_param) or None for key in LOCATION_FIELDS}
    return {
        "type": "web_search",
        "allowed_domains": None if domains is None or domains is MISSING else list(domains),
        "context_size": choice(tool, "context_size", ("low", "medium", "high"), param) or "medium",
        "location": location,
        "mode": choice(tool, "mode", ("disabled", "cached", "live"), param) or "live",
    }


def _tool(tool: dict[str, Any], param: str) -> dict[str, Any]:
    kind = field(tool, "type", param, required=True)
    if kind == "function":
        return _function(tool, param)
    if kind == "mcp":
        return _mcp(tool, param)
    if kind == "web_search":
        return _web_search(tool, param)
    if kind == "programmatic_tool_calling":
        only(tool, ("type", "enabled"), param)
        enabled = boolean(tool, "enabled", param)
        return {"type": kind, "enabled": True if enabled is MISSING else enabled}
    if kind == "computer_use":
        only(tool, ("type", "include_screenshots"), param)
        return {"type": kind, "include_screenshots": boolean(tool, "include_screenshots", param) or False}
    if kind in ("tool_search", "automations"):
        only(tool, ("type",), param)
        return {"type": kind}
    raise invalid_value(f"{param}.type", kind, TOOL_TYPES)


def tools(value: Any) -> list[dict[str, Any]]:
    """The resolved tool list for a requested one (null means no tools)."""
    if value is None:
        return []
    items = array({"tools": value}, "tools")
    size = len(json.dumps(items, separators=(",", ":"), ensure_ascii=False).encode())
    if size > MAX_TOOLS_BYTES:
        raise invalid("tools", f"the tool list is {size} bytes of JSON; the limit is {MAX_TOOLS_BYTES} bytes.")
    return [_tool(obj(item, f"tools[{index}]"), f"tools[{index}]") for index, item in enumerate(items)]
