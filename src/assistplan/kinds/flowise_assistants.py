"""FlowiseAssistant: a Flowise assistant (`/assistants`), CUSTOM or OPENAI.

The assistant's `details` (a JSON string) carries the mark `assistplan: {project, address, digest}` that identifies
it. A CUSTOM assistant keeps its chat model, instruction and tools there, in the keys the Flowise editor uses. An
OPENAI assistant links the OpenAI assistant of an Assistant manifest (`details.id`); Flowise writes `details` to that
assistant on every save, so the spec repeats exactly what Flowise sends, taken from the Assistant's desired spec (see
`desired`), and both sides agree after an apply. The built-in tools Flowise sends are a set (sorted), as the
Assistant's tools are.

Flowise's traps, guarded here: `type` is never sent on update (it would change the type, leaving an assistant that
can be neither updated nor deleted); `credential` is always sent (without it Flowise takes the workspace's first
credential); `isDeleteBoth` is never sent (any value, `false` too, deletes the OpenAI assistant, which belongs to its
Assistant manifest); and Flowise updates the OpenAI assistant it linked first, whatever `details.id` says, so a new
OpenAI assistant means a new Flowise assistant.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from assistplan.addrs import Address, reference
from assistplan.kinds.base import (
    Applied,
    DesireContext,
    Inventory,
    LiveObject,
    Spec,
    manifest_spec,
    register,
)
from assistplan.kinds.exporting import ExportContext, Exported
from assistplan.kinds.flowise_base import MARK, FlowiseContext, MarkedKind, json_field, mark
from assistplan.manifest.flowise_models import FlowiseAssistantSpec
from assistplan.manifest.project import Resource

OPENAI_FIELDS = ("name", "model", "description", "instructions", "temperature", "top_p")


def details(raw: Mapping[str, Any]) -> dict[str, Any]:
    return json_field(raw, "details")


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) else None


def _sent(assistant: Mapping[str, Any]) -> dict[str, Any]:
    """What Flowise will send to the OpenAI assistant: the linked Assistant's values."""
    sent = {field: assistant.get(field) for field in OPENAI_FIELDS}
    sent["tools"] = sorted(tool["type"] for tool in assistant.get("tools") or [] if tool.get("type") != "function")
    return sent


def _merged(current: Mapping[str, Any], written: dict[str, Any]) -> dict[str, Any]:
    """A CUSTOM assistant's `details` with the fields the manifest manages written over those it holds, keeping what
    the manifest does not model: the editor's `flowId`, `description` and `documentStores`, the chat model's other
    fields and inputs while it stays the same model, and the other fields of each custom tool it keeps."""
    model = written["chatModel"]
    held = current.get("chatModel")
    if isinstance(held, dict) and held.get("name") == model["name"]:
        model = {**held, "inputs": _over(held.get("inputs"), model["inputs"])}
        if "temperature" not in written["chatModel"]["inputs"]:
            model["inputs"].pop("temperature", None)
        if "credential" in held:
            model["credential"] = model["inputs"]["credential"]
    tools_held = {
        (tool.get("inputs") or {}).get("selectedTool"): tool
        for tool in current.get("tools") or []
        if isinstance(tool, dict) and tool.get("name") == "customTool"
    }
    tools = []
    for tool in written["tools"]:
        kept = tools_held.get(tool["inputs"]["selectedTool"]) or {}
        tools.append({**kept, **tool, "inputs": _over(kept.get("inputs"), tool["inputs"])})
    return {**current, **written, "chatModel": model, "tools": tools}


def _over(held: Any, written: dict[str, Any]) -> dict[str, Any]:
    """`written` over the mapping held (nothing when it holds none)."""
    return {**(held if isinstance(held, dict) else {}), **written}


class FlowiseAssistantKind(MarkedKind):
    kind = "FlowiseAssistant"
    spec_model = FlowiseAssistantSpec
    depends_on = ("Assistant", "FlowiseCredential", "FlowiseTool")
    path = "/assistants"
    noun = "assistant"
    marked = "details"
    replace_paths = frozenset({"type", "assistant"})
    high_impact_paths = ("chat_model.model", "tools")

    def desired(self, resource: Resource, ctx: DesireContext) -> Spec:
        spec = manifest_spec(resource, FlowiseAssistantSpec)
        credential = reference("FlowiseCredential", spec.credential)
        if spec.type == "OPENAI":
            if spec.assistant is None:
                raise TypeError(f"{resource.address}: an OPENAI assistant without assistant passed validation")
            assistant = reference("Assistant", spec.assistant)
            linked = {"type": "OPENAI", "credential": credential, "assistant": assistant}
            return {**linked, "openai": _sent(ctx.specs.get(assistant) or {})}
        model = spec.chat_model
        if model is None:
            raise TypeError(f"{resource.address}: a CUSTOM assistant without chat_model passed validation")
        return {
            "type": "CUSTOM",
            "name": resource.address.name if spec.display_name is None else spec.display_name,
            "credential": credential,
            "instructions": spec.instructions or "",
            "chat_model": {"name": model.name, "model": model.model, "temperature": model.temperature},
            "tools": [reference("FlowiseTool", name) for name in spec.tools],
        }

    def fold_live(self, desired: Spec, live: Spec) -> Spec:
        """OPENAI: a temperature or top_p that the live `details` leave out is never sent to OpenAI (the OpenAI
        assistant keeps the value its Assistant manifest gives), so it equals whatever that manifest says."""
        sent = live.get("openai")
        if desired["type"] != "OPENAI" or not isinstance(sent, dict):
            return desired
        unset = {key: None for key in ("temperature", "top_p") if sent.get(key) is None}
        return {**desired, "openai": {**desired["openai"], **unset}} if unset else desired

    def reference_paths(self, spec: Spec) -> dict[str, str]:
        paths = {"credential": spec["credential"]}
        if spec["type"] == "OPENAI":
            paths["assistant"] = spec["assistant"]
        for index, tool in enumerate(spec.get("tools") or []):
            paths[f"tools[{index}]"] = tool
        return paths

    def display_name(self, raw: dict[str, Any]) -> str:
        return str(details(raw).get("name") or "")

    def extra(self, raw: dict[str, Any], inventory: Inventory) -> dict[str, Any]:
        """The name kept inside `details`, which export names the assistant after."""
        return {"name": self.display_name(raw)}

    def clash(self, obj: LiveObject, spec: Spec, inventory: Inventory) -> str | None:
        if spec["type"] == "CUSTOM":
            return super().clash(obj, spec, inventory)
        linked = details(obj.raw).get("id")
        if linked and inventory.id_to_address.get(linked) == spec["assistant"]:
            return f"serving the OpenAI assistant of {spec['assistant']}"
        return None

    def normalize(self, obj: LiveObject, inventory: Any) -> Spec:
        raw, info = obj.raw, details(obj.raw)
        addresses = inventory.id_to_address
        credential = addresses.get(raw.get("credential"), raw.get("credential"))
        if raw.get("type") != "CUSTOM":
            sent = {field: info.get(field) for field in OPENAI_FIELDS}
            sent["temperature"], sent["top_p"] = _number(info.get("temperature")), _number(info.get("top_p"))
            sent["tools"] = sorted(str(tool) for tool in info.get("tools") or [])
            assistant = addresses.get(info.get("id"), info.get("id"))
            return {"type": raw.get("type"), "credential": credential, "assistant": assistant, "openai": sent}
        model = info.get("chatModel") or {}
        inputs = model.get("inputs") or {}
        tools = [(tool.get("inputs") or {}).get("selectedTool") for tool in info.get("tools") or []]
        return {
            "type": "CUSTOM",
            "name": info.get("name"),
            "credential": credential,
            "instructions": info.get("instruction") or "",
            "chat_model": {
                "name": model.get("name"),
                "model": inputs.get("modelName"),
                "temperature": _number(inputs.get("temperature")),
            },
            "tools": [addresses.get(tool, tool) for tool in tools],
        }

    def _details(self, ctx: FlowiseContext, address: Address, spec: Spec) -> dict[str, Any]:
        marked = mark(ctx.labels(address))
        if spec["type"] == "OPENAI":
            sent = {key: value for key, value in spec["openai"].items() if value is not None}
            return {"id": ctx.remote_id(spec["assistant"]), **sent, MARK: marked}
        model = spec["chat_model"]
        inputs = {"modelName": model["model"], "credential": ctx.remote_id(spec["credential"])}
        if model.get("temperature") is not None:
            inputs["temperature"] = model["temperature"]
        return {
            "name": spec["name"],
            "instruction": spec["instructions"],
            "chatModel": {"name": model["name"], "inputs": inputs},
            "tools": [{"name": "customTool", "inputs": {"selectedTool": ctx.remote_id(t)}} for t in spec["tools"]],
            MARK: marked,
        }

    def create(self, ctx: FlowiseContext, address: Address, spec: Spec) -> Applied:
        provider = ctx.provider
        body = {
            "details": json.dumps(self._details(ctx, address, spec)),
            "credential": ctx.remote_id(spec["credential"]),
            "type": spec["type"],
        }
        raw = self.create_safely(
            address,
            lambda: provider.post(self.path, body, address=address),
            lambda: self.find_marked(provider, ctx.project, address),
        )
        return Applied(self.live(raw, ctx.project))

    def update(self, ctx: FlowiseContext, address: Address, remote_id: str, before: Spec, spec: Spec) -> Applied:
        provider = ctx.provider
        current = provider.get(f"{self.path}/{remote_id}", address=address, operation="read")
        written = self._details(ctx, address, spec)
        if spec["type"] == "OPENAI":
            if details(current).get("id") != ctx.remote_id(spec["assistant"]):
                created = self.create(ctx, address, spec)
                self.delete(ctx, address, remote_id)
                return created
        else:
            written = _merged(details(current), written)
        body = {"details": json.dumps(written), "credential": ctx.remote_id(spec["credential"])}
        raw = provider.put(f"{self.path}/{remote_id}", body, address=address)
        return Applied(self.live(raw, ctx.project))

    def stamp_body(self, live: LiveObject) -> dict[str, Any]:
        """The credential, always (without it Flowise takes the workspace's first credential)."""
        return {"credential": live.raw.get("credential")}

    def export(self, obj: LiveObject, ctx: ExportContext) -> Exported | None:
        from assistplan.kinds.flowise_exports import export_assistant

        return export_assistant(self, obj, ctx)


register(FlowiseAssistantKind())
