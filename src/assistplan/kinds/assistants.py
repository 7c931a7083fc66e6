"""Assistant: an OpenAI Assistants v2 assistant (`/assistants`, beta header assistants=v2).

Tools are normalized to the API's read-back shape; the vector store is referenced by address and the code
interpreter's files by path and content hash, so the spec diffs in terms a reviewer understands.

What a server or Flowise rewrites compares equal to what the manifest says: tools are sorted (their order has no
meaning: code_interpreter, file_search, then functions by name), an empty description or instructions equals an
absent one, and a function tool exactly as Flowise's OpenAI Assistant node writes it on every chat (`flowise_rewrite`)
is taken as the manifest's function. A field the server did not return (`reasoning_effort` is not in the official
spec's assistant object; `temperature`, `top_p`, `response_format` and `tool_resources` are optional there) is left
out of the live spec: the planner treats it as unknown, not changed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from assistplan.addrs import Address, reference
from assistplan.kinds.base import (
    Applied,
    DesireContext,
    Inventory,
    Kind,
    LiveObject,
    OpenAIContext,
    SharedContent,
    Spec,
    find_stamped,
    owned_objects,
    prune,
    register,
    user_metadata,
)
from assistplan.kinds.blobs import existing_entries, file_entry, file_refs, pool_of, require_pool
from assistplan.kinds.exporting import ExportContext, Exported
from assistplan.manifest.flowise_schema import row_problems, rows_from_schema, schema_from_rows
from assistplan.manifest.models import AssistantSpec, ProjectConfig
from assistplan.manifest.project import Resource
from assistplan.providers.openai import (
    OpenAIApi,
    assistants_shut_down,
    call,
    collection,
    create_safely,
    quiet_deprecations,
)

RANKING_DEFAULT = {"ranker": "auto", "score_threshold": 0.0}
PURPOSE = "assistants"
BUILTIN_ORDER = ("code_interpreter", "file_search")
OPTIONAL_FIELDS = ("temperature", "top_p", "response_format", "reasoning_effort", "tool_resources")
"""Fields a spec-conformant server may leave out of an assistant: absent ones are left out of the live spec."""


def tool_order(tool: Mapping[str, Any]) -> tuple[int, str]:
    kind = str(tool.get("type"))
    rank = BUILTIN_ORDER.index(kind) if kind in BUILTIN_ORDER else len(BUILTIN_ORDER)
    return rank, str((tool.get("function") or {}).get("name") or kind)


def flowise_rewrite(tool: Mapping[str, Any]) -> dict[str, Any] | None:
    """A normalized function tool as Flowise's OpenAI Assistant node writes it on every chat, from the custom tool
    made of the same Function (None when its schema cannot be Flowise rows): the schema rebuilt from the rows, with
    `additionalProperties: false` at its root, and no strict flag (read back as false)."""
    function = tool["function"]
    if row_problems(function["parameters"]):
        return None
    parameters = {**schema_from_rows(rows_from_schema(function["parameters"])), "additionalProperties": False}
    return {
        "type": "function",
        "function": {
            "name": function["name"],
            "description": function["description"],
            "parameters": parameters,
            "strict": False,
        },
    }


def _fold_tool(wanted: dict[str, Any], live_functions: Mapping[str, dict[str, Any]]) -> dict[str, Any]:
    if wanted["type"] != "function":
        return wanted
    live = live_functions.get(wanted["function"]["name"])
    return live if live is not None and live == flowise_rewrite(wanted) else wanted


def _normalize_tool(tool: Mapping[str, Any]) -> dict[str, Any]:
    kind = tool.get("type")
    if kind == "function":
        fn = prune(dict(tool.get("function") or {}))
        return {
            "type": "function",
            "function": {
                "name": fn.get("name"),
                "description": fn.get("description", ""),
                "parameters": fn.get("parameters") or {"type": "object", "properties": {}},
                "strict": bool(fn.get("strict", False)),
            },
        }
    if kind == "file_search":
        options = prune(dict(tool.get("file_search") or {}))
        ranking = {**RANKING_DEFAULT, **options.get("ranking_options", {})}
        ranking["score_threshold"] = float(ranking["score_threshold"])
        return {"type": "file_search", "file_search": {**options, "ranking_options": ranking}}
    return {"type": str(kind)}


class AssistantKind(Kind):
    kind = "Assistant"
    spec_model = AssistantSpec
    depends_on = ("Function", "VectorStore")
    reads = ("File",)
    fields_in_labels = True
    high_impact_paths = ("model", "tools")

    def desired(self, resource: Resource, ctx: DesireContext) -> Spec:
        spec = resource.spec.model_dump(mode="json", by_alias=True, exclude_none=True)
        file_search = spec.get("file_search") or {}
        tools = []
        functions = resource.functions()
        for tool in spec.get("tools", []):
            if isinstance(tool, dict) and "function" in tool:
                fn = functions[tool["function"]]
                tools.append(_normalize_tool({"type": "function", "function": {"name": tool["function"], **fn}}))
            elif tool == "file_search":
                options = {k: v for k, v in file_search.items() if k != "vector_store"}
                tools.append(_normalize_tool({"type": "file_search", "file_search": options}))
            else:
                tools.append(_normalize_tool({"type": tool}))
        tools.sort(key=tool_order)
        resources: dict[str, Any] = {}
        if file_search.get("vector_store"):
            resources["file_search"] = {"vector_store": reference("VectorStore", file_search["vector_store"])}
        files = {f.path: file_entry(f.sha256, f.size) for f in resource.files}
        files.update(existing_entries((spec.get("code_interpreter") or {}).get("existing_files") or []))
        if files:
            resources["code_interpreter"] = {"files": files}
        return {
            "name": spec.get("display_name", resource.address.name),
            "model": spec["model"],
            "description": spec.get("description") or None,
            "instructions": spec.get("instructions") or None,
            "tools": tools,
            "tool_resources": resources,
            "temperature": float(spec.get("temperature", 1.0)),
            "top_p": float(spec.get("top_p", 1.0)),
            "response_format": spec.get("response_format", "auto"),
            "reasoning_effort": spec.get("reasoning_effort"),
            "metadata": dict(spec.get("metadata", {})),
        }

    def fold_live(self, desired: Spec, live: Spec) -> Spec:
        folded = dict(desired)
        if folded.get("reasoning_effort") is None:
            folded["reasoning_effort"] = live.get("reasoning_effort")
        live_search = next((t for t in live.get("tools", []) if t["type"] == "file_search"), None)
        if live_search is not None:
            tools = []
            for tool in folded["tools"]:
                if tool["type"] == "file_search" and "max_num_results" not in tool["file_search"]:
                    chosen = live_search["file_search"].get("max_num_results")
                    tool = {"type": "file_search", "file_search": {**tool["file_search"], "max_num_results": chosen}}
                tools.append(prune(tool))
            folded["tools"] = tools
        live_functions = {t["function"]["name"]: t for t in live.get("tools", []) if t["type"] == "function"}
        folded["tools"] = [_fold_tool(tool, live_functions) for tool in folded["tools"]]
        return folded

    def unserved(self, config: ProjectConfig) -> str | None:
        """OpenAI itself shut the Assistants API down; compatible servers still serve it."""
        return assistants_shut_down(config.openai.base_url)

    def shared_content(self, spec: Spec) -> SharedContent:
        """The uploads its files are (kept while it uses them)."""
        return SharedContent(uses=frozenset(file_refs(spec)))

    def reference_paths(self, spec: Spec) -> dict[str, str]:
        vector_store = (spec.get("tool_resources") or {}).get("file_search", {}).get("vector_store")
        return {"tool_resources.file_search.vector_store": vector_store} if vector_store else {}

    def normalize(self, obj: LiveObject, inventory: Inventory) -> Spec:
        raw = obj.raw
        resources: dict[str, Any] = {}
        tool_resources = raw.get("tool_resources") or {}
        store_ids = (tool_resources.get("file_search") or {}).get("vector_store_ids") or []
        if store_ids:
            resources["file_search"] = {"vector_store": inventory.id_to_address.get(store_ids[0], store_ids[0])}
        file_ids = (tool_resources.get("code_interpreter") or {}).get("file_ids") or []
        if file_ids:
            pool = pool_of(inventory)
            files: dict[str, Any] = {}
            for file_id in file_ids:
                blob = pool.by_id.get(file_id) if pool else None
                files[blob.path if blob else f"<{file_id}>"] = (
                    file_entry(blob.sha256, blob.size) if blob else {"file_id": file_id}
                )
            resources["code_interpreter"] = {"files": files}
        spec = {
            "name": raw.get("name") or "",
            "model": raw.get("model"),
            "description": raw.get("description") or None,
            "instructions": raw.get("instructions") or None,
            "tools": sorted((_normalize_tool(t) for t in raw.get("tools") or []), key=tool_order),
            "tool_resources": resources,
            "temperature": float(raw["temperature"]) if raw.get("temperature") is not None else 1.0,
            "top_p": float(raw["top_p"]) if raw.get("top_p") is not None else 1.0,
            "response_format": raw.get("response_format") or "auto",
            "reasoning_effort": raw.get("reasoning_effort"),
            "metadata": user_metadata(raw.get("metadata")),
        }
        return {key: value for key, value in spec.items() if key in raw or key not in OPTIONAL_FIELDS}

    def refresh(self, ctx: OpenAIContext) -> list[LiveObject]:
        return owned_objects(ctx, self.kind, "/assistants", "assistant")

    def _payload(self, provider: OpenAIApi, ctx: OpenAIContext, address: Address, spec: Spec) -> dict[str, Any]:
        resources = spec.get("tool_resources") or {}
        tool_resources: dict[str, Any] = {}
        if "file_search" in resources:
            tool_resources["file_search"] = {
                "vector_store_ids": [ctx.remote_id(resources["file_search"]["vector_store"])]
            }
        else:
            tool_resources["file_search"] = {"vector_store_ids": []}
        files = (resources.get("code_interpreter") or {}).get("files") or {}
        file_ids = [
            entry["file_id"]
            if "file_id" in entry
            else require_pool(ctx.inventory).ensure(provider, ctx.root, path, entry, PURPOSE, address).id
            for path, entry in files.items()
        ]
        tool_resources["code_interpreter"] = {"file_ids": file_ids}
        payload = {
            "model": spec["model"],
            "name": spec["name"],
            "description": spec.get("description"),
            "instructions": spec.get("instructions"),
            "tools": spec["tools"],
            "tool_resources": tool_resources,
            "temperature": spec["temperature"],
            "top_p": spec["top_p"],
            "response_format": spec["response_format"],
            "metadata": {**spec["metadata"], **ctx.labels(address)},
        }
        if spec.get("reasoning_effort") is not None:
            payload["reasoning_effort"] = spec["reasoning_effort"]
        return payload

    def create(self, ctx: OpenAIContext, address: Address, spec: Spec) -> Applied:
        provider = ctx.provider
        payload = self._payload(provider, ctx, address, spec)
        with quiet_deprecations():
            assistant = create_safely(
                provider,
                address=address,
                create=lambda client: client.beta.assistants.create(**payload),
                find_existing=lambda: find_stamped(
                    provider.client.beta.assistants.list(limit=100), ctx.project, address
                ),
            )
        return Applied(
            LiveObject.from_metadata(self.kind, assistant.model_dump(mode="json", by_alias=True, exclude_unset=True))
        )

    def update(self, ctx: OpenAIContext, address: Address, remote_id: str, before: Spec, spec: Spec) -> Applied:
        provider = ctx.provider
        payload = self._payload(provider, ctx, address, spec)
        with quiet_deprecations():
            assistant = call(
                lambda: provider.client.beta.assistants.update(remote_id, **payload),
                address=address,
                operation="update",
            )
        return Applied(
            LiveObject.from_metadata(self.kind, assistant.model_dump(mode="json", by_alias=True, exclude_unset=True))
        )

    def delete(self, ctx: OpenAIContext, address: Address, remote_id: str) -> None:
        provider = ctx.provider
        with quiet_deprecations():
            call(lambda: provider.client.beta.assistants.delete(remote_id), address=address, operation="delete")

    def read(self, ctx: OpenAIContext, remote_id: str, address: Address) -> LiveObject:
        provider = ctx.provider
        with quiet_deprecations():
            assistant = call(
                lambda: provider.client.beta.assistants.retrieve(remote_id), address=address, operation="read"
            )
        return LiveObject.from_metadata(self.kind, assistant.model_dump(mode="json", by_alias=True, exclude_unset=True))

    def stamp(self, ctx: OpenAIContext, address: Address, live: LiveObject, stamp: dict[str, str]) -> LiveObject:
        provider = ctx.provider
        metadata = {**(live.raw.get("metadata") or {}), **stamp}
        with quiet_deprecations():
            updated = call(
                lambda: provider.client.beta.assistants.update(live.id, metadata=metadata),
                address=address,
                operation="import",
            )
        return LiveObject.from_metadata(self.kind, updated.model_dump(mode="json", by_alias=True, exclude_unset=True))

    def export(self, obj: LiveObject, ctx: ExportContext) -> Exported | None:
        from assistplan.kinds.openai_exports import export_assistant

        return export_assistant(self, obj, ctx)


collection("/assistants", beta="assistants=v2", two_ended=True)
register(AssistantKind())
