"""Agent: an OpenAI Agents API saved agent (`/agents`, beta header agents=v1).

The API answers with resolved values (reasoning, text, service tier, tool defaults); the same defaults are filled into
the desired spec so a freshly applied agent plans as no changes. Reasoning left out of the manifest is the model's
choice: the live value is taken as desired.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

from assistplan.kinds.base import (
    Applied,
    ApplyContext,
    Inventory,
    Kind,
    LiveObject,
    Spec,
    find_stamped,
    prune,
    user_metadata,
)
from assistplan.providers.openai import OpenAIProvider, call, create_safely

TOOL_DEFAULTS: dict[str, dict[str, Any]] = {
    "function": {"defer_loading": False},
    "web_search": {"context_size": "medium", "mode": "live"},
    "mcp": {"request_metadata": {}, "required": False},
    "programmatic_tool_calling": {"enabled": True},
    "computer_use": {"include_screenshots": False},
}
TEXT_DEFAULT = {"format": {"type": "text"}, "verbosity": "medium"}
PAGE_SIZE = 100


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


def normalize_tool(tool: Mapping[str, Any]) -> dict[str, Any]:
    """A tool with its defaults filled and nulls dropped; `async: false` is the default and is dropped too."""
    out = prune(dict(tool))
    for key, value in TOOL_DEFAULTS.get(str(tool.get("type")), {}).items():
        out.setdefault(key, value)
    if out.get("async") is False:
        del out["async"]
    return out


def normalize_text(text: Mapping[str, Any] | None) -> dict[str, Any]:
    text = prune(dict(text or {}))
    fmt = text.get("format", TEXT_DEFAULT["format"])
    if isinstance(fmt, str):
        fmt = {"type": fmt}
    return {"format": fmt, "verbosity": text.get("verbosity", TEXT_DEFAULT["verbosity"])}


def _list_json(provider: OpenAIProvider) -> Iterator[dict[str, Any]]:
    """Every agent as the API sends it, 100 a page, paging like the SDK does (after the last id while `has_more`).

    The JSON is read as it is: building the SDK's models of a thousand agents, only to dump them again, costs the
    client more time than the requests themselves. Normalizing either form gives the same spec.
    """
    after: dict[str, str] = {}
    while True:
        page = json.loads(provider.client.beta.agents.with_raw_response.list(limit=PAGE_SIZE, **after).text)
        data: list[dict[str, Any]] = page.get("data") or []
        yield from data
        if not page.get("has_more") or not data or not data[-1].get("id"):
            return
        after = {"after": data[-1]["id"]}


class AgentKind(Kind):
    kind = "Agent"

    def desired(self, resource: Any, functions: Mapping[str, Any]) -> Spec:
        spec = resource.spec.model_dump(mode="json", by_alias=True, exclude_none=True)
        tools = []
        for tool in spec.get("tools", []):
            if "function" in tool:
                name = tool["function"]
                tools.append(normalize_tool(function_tool(functions[name], name, tool)))
            else:
                tools.append(normalize_tool(tool))
        reasoning = spec.get("reasoning")
        return {
            "name": resource.address.name,
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

    def fold_live(self, desired: Spec, live: Spec) -> Spec:
        live_reasoning = live.get("reasoning") or {}
        wanted = desired.get("reasoning") or {}
        reasoning = {key: wanted.get(key) or live_reasoning.get(key) for key in ("effort", "summary")}
        return {**desired, "reasoning": reasoning}

    def normalize(self, obj: LiveObject, inventory: Inventory) -> Spec:
        raw = obj.raw
        reasoning = raw.get("reasoning") or {}
        return {
            "name": raw.get("name"),
            "model": raw.get("model"),
            "instructions": raw.get("instructions"),
            "tools": [normalize_tool(t) for t in raw.get("tools") or []],
            "reasoning": {"effort": reasoning.get("effort"), "summary": reasoning.get("summary")},
            "text": normalize_text(raw.get("text")),
            "service_tier": raw.get("service_tier") or "auto",
            "metadata": user_metadata(raw.get("metadata")),
        }

    def refresh(self, provider: OpenAIProvider, inventory: Inventory) -> list[LiveObject]:
        def list_all() -> list[LiveObject]:
            objects = []
            for agent in _list_json(provider):
                obj = LiveObject.from_metadata(self.kind, agent)
                if inventory.owns(obj.id, obj.project):
                    objects.append(obj)
            return objects

        return call(list_all, address=None, operation="list agents")

    def _payload(self, ctx: ApplyContext, address: str, spec: Spec) -> dict[str, Any]:
        payload: dict[str, Any] = {
            "model": spec["model"],
            "name": spec["name"],
            "instructions": spec.get("instructions"),
            "tools": spec["tools"],
            "text": spec["text"],
            "service_tier": spec["service_tier"],
            "metadata": {**spec["metadata"], **ctx.labels(address)},
        }
        reasoning = prune(spec.get("reasoning") or {})
        if reasoning:
            payload["reasoning"] = reasoning
        return payload

    def create(self, provider: OpenAIProvider, ctx: ApplyContext, address: str, spec: Spec) -> Applied:
        payload = self._payload(ctx, address, spec)
        agent = create_safely(
            provider,
            address=address,
            create=lambda client: client.beta.agents.create(**payload),
            find_existing=lambda: find_stamped(provider.client.beta.agents.list(limit=100), ctx.project, address),
        )
        return Applied(LiveObject.from_metadata(self.kind, agent.model_dump(mode="json", by_alias=True)))

    def update(
        self, provider: OpenAIProvider, ctx: ApplyContext, address: str, remote_id: str, before: Spec, spec: Spec
    ) -> Applied:
        payload = self._payload(ctx, address, spec)
        agent = call(
            lambda: provider.client.beta.agents.update(remote_id, **payload), address=address, operation="update"
        )
        return Applied(LiveObject.from_metadata(self.kind, agent.model_dump(mode="json", by_alias=True)))

    def delete(self, provider: OpenAIProvider, ctx: ApplyContext, address: str, remote_id: str) -> None:
        call(lambda: provider.client.beta.agents.delete(remote_id), address=address, operation="delete")

    def read(self, provider: OpenAIProvider, remote_id: str, address: str) -> LiveObject:
        agent = call(lambda: provider.client.beta.agents.retrieve(remote_id), address=address, operation="read")
        return LiveObject.from_metadata(self.kind, agent.model_dump(mode="json", by_alias=True))

    def stamp(self, provider: OpenAIProvider, address: str, live: LiveObject, stamp: dict[str, str]) -> LiveObject:
        metadata = {**(live.raw.get("metadata") or {}), **stamp}
        updated = call(
            lambda: provider.client.beta.agents.update(live.id, metadata=metadata), address=address, operation="import"
        )
        return LiveObject.from_metadata(self.kind, updated.model_dump(mode="json", by_alias=True))
