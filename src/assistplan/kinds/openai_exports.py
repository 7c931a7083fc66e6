"""The `export` hooks of the OpenAI kinds: Agent, Assistant, VectorStore and File manifests made from live objects
(their function tools become shared Function manifests through the export context).

Each document says what the object's normalized spec holds, leaving out what equals a default, so that the adopted
object plans as no changes. What cannot be read back is said in a comment: an MCP header's value (the manifest names
an environment variable to set before the next apply), and the content of files uploaded outside assistplan (the
manifest keeps them by id, in `existing_files` or as a File's `existing`; they are never uploaded again). A file that
a vector store or an assistant holds is kept by that object's `existing_files` and gets no File of its own unless an
environment template names it.
"""

from __future__ import annotations

from typing import Any, get_args

from assistplan.kinds.agents import TEXT_DEFAULT, TOOL_DEFAULTS, normalize_tool
from assistplan.kinds.assistants import RANKING_DEFAULT
from assistplan.kinds.base import Kind, LiveObject, Spec, registered, user_metadata
from assistplan.kinds.exporting import ExportContext, Exported, keep_remote_name, secret_variable
from assistplan.kinds.vector_stores import AUTO_CHUNKING
from assistplan.manifest.openai_models import FilePurpose

EXISTING_FILES = (
    "Its files were uploaded outside assistplan and cannot be downloaded: existing_files keeps them attached by id, "
    "and they are never uploaded again."
)
EXISTING_FILE = (
    "This file was uploaded outside assistplan and cannot be downloaded: existing keeps it by id; it is never uploaded "
    "again, and removing this manifest leaves it on the server."
)


def _named(kind: str, obj: LiveObject, ctx: ExportContext, folder: str) -> Exported:
    name = ctx.name(obj)
    exported = Exported({"kind": kind, "name": name}, f"{folder}/{name}.yaml")
    remote = obj.raw.get("name")
    keep_remote_name(exported, remote if isinstance(remote, str) else "")
    return exported


def _existing(files: dict[str, Any]) -> list[str]:
    return [entry["file_id"] for entry in files.values() if "file_id" in entry]


def export_agent(kind: Kind, obj: LiveObject, ctx: ExportContext) -> Exported:
    spec = ctx.inventory.normalized(obj, kind)
    exported = _named("Agent", obj, ctx, "agents")
    document = exported.document
    document["model"] = spec["model"]
    if spec.get("instructions") == "":
        document["instructions"] = ""
    ctx.text(exported, "instructions", spec.get("instructions"), f"prompts/{ctx.name(obj)}.md")
    tools = [_agent_tool(tool, exported, ctx) for tool in obj.raw.get("tools") or []]
    if tools:
        document["tools"] = tools
    reasoning = {key: value for key, value in (spec.get("reasoning") or {}).items() if value is not None}
    if reasoning:
        document["reasoning"] = reasoning
    if spec["text"] != TEXT_DEFAULT:
        document["text"] = spec["text"]
    if spec["service_tier"] != "auto":
        document["service_tier"] = spec["service_tier"]
    if spec["metadata"]:
        document["metadata"] = spec["metadata"]
    return exported


def _agent_tool(raw: dict[str, Any], exported: Exported, ctx: ExportContext) -> dict[str, Any]:
    tool = normalize_tool(raw)
    kind = str(tool.get("type"))
    if kind == "function":
        name = ctx.function(str(tool.get("name")), str(tool.get("description") or ""), tool.get("parameters") or {})
        out: dict[str, Any] = {"function": name}
        if tool.get("defer_loading"):
            out["defer_loading"] = True
        if tool.get("async"):
            out["async"] = True
        return out
    defaults = TOOL_DEFAULTS.get(kind, {})
    out = {key: value for key, value in tool.items() if key not in defaults or defaults[key] != value}
    if kind == "mcp":
        out = _mcp(out, exported, ctx)
    return out


def _mcp(tool: dict[str, Any], exported: Exported, ctx: ExportContext) -> dict[str, Any]:
    label = str(tool.get("server_label"))
    transport = dict(tool.get("transport") or {})
    headers = transport.get("headers") or {}
    if headers:
        names = {header: secret_variable(label, header) for header in headers}
        transport["headers"] = {header: {"env": env} for header, env in names.items()}
        tool = {**tool, "transport": transport}
        for header, env in names.items():
            exported.comments.append(
                f'MCP server "{label}" header {header} cannot be read back: set the environment variable {env} to '
                "its value before an apply that changes this agent."
            )
    credential_id = tool.get("credential_id")
    if credential_id:
        name = _credential(ctx, str(credential_id))
        if name is not None:
            tool = {**{k: v for k, v in tool.items() if k != "credential_id"}, "credential": name}
    return tool


def _credential(ctx: ExportContext, credential_id: str) -> str | None:
    for obj in ctx.inventory.of_kind("VaultCredential"):
        if obj.id.endswith("/" + credential_id):
            return ctx.reference("VaultCredential", obj.id)
    return None


def export_assistant(kind: Kind, obj: LiveObject, ctx: ExportContext) -> Exported:
    spec = ctx.inventory.normalized(obj, kind)
    exported = _named("Assistant", obj, ctx, "assistants")
    document = exported.document
    document["model"] = spec["model"]
    if spec.get("description"):
        document["description"] = spec["description"]
    ctx.text(exported, "instructions", spec.get("instructions"), f"prompts/{ctx.name(obj)}.md")
    tools: list[Any] = []
    for tool in spec["tools"]:
        if tool["type"] == "function":
            fn = tool["function"]
            tools.append({"function": ctx.function(fn["name"], fn["description"], fn["parameters"], fn["strict"])})
        else:
            tools.append(tool["type"])
    if tools:
        document["tools"] = tools
    resources = spec.get("tool_resources") or {}
    store = (resources.get("file_search") or {}).get("vector_store")
    search = next((tool for tool in spec["tools"] if tool["type"] == "file_search"), None)
    if store is not None and search is not None:
        name = ctx.reference("VectorStore", store)
        if name is not None:
            document["file_search"] = _file_search(name, search["file_search"])
    files = (resources.get("code_interpreter") or {}).get("files") or {}
    if files and "code_interpreter" in tools:
        document["code_interpreter"] = {"existing_files": _existing(files)}
        exported.comments.append(f"code_interpreter: {EXISTING_FILES}")
    for key, default in (("temperature", 1.0), ("top_p", 1.0), ("response_format", "auto")):
        if key in spec and spec[key] != default:
            document[key] = spec[key]
    if spec.get("reasoning_effort") is not None:
        document["reasoning_effort"] = spec["reasoning_effort"]
    if spec["metadata"]:
        document["metadata"] = spec["metadata"]
    return exported


def _file_search(store: str, options: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"vector_store": store}
    if options.get("max_num_results") is not None:
        out["max_num_results"] = options["max_num_results"]
    ranking = options.get("ranking_options") or {}
    if ranking and ranking != RANKING_DEFAULT:
        out["ranking_options"] = ranking
    return out


def export_vector_store(kind: Kind, obj: LiveObject, ctx: ExportContext) -> Exported:
    spec: Spec = ctx.inventory.normalized(obj, kind)
    exported = _named("VectorStore", obj, ctx, "vector-stores")
    document = exported.document
    if spec.get("description"):
        document["description"] = spec["description"]
    document["existing_files"] = _existing(spec["files"])
    exported.comments.append(EXISTING_FILES)
    chunking = spec.get("chunking")
    if chunking is not None and chunking != AUTO_CHUNKING:
        document["chunking"] = chunking
    if spec.get("expires_after_days") is not None:
        document["expires_after_days"] = spec["expires_after_days"]
    metadata = user_metadata(spec.get("metadata"))
    if metadata:
        document["metadata"] = metadata
    return exported


def export_file(kind: Kind, obj: LiveObject, ctx: ExportContext) -> Exported | None:
    """A File given by id, for a file uploaded outside assistplan (none for a file a vector store or an assistant
    keeps in its `existing_files`, unless a template names it, or for a purpose a manifest cannot give)."""
    spec = ctx.inventory.normalized(obj, kind)
    purpose = spec.get("purpose")
    if "existing" not in spec or purpose not in get_args(FilePurpose):
        return None
    if purpose == "assistants" and obj.id in _kept(ctx) and obj.id not in _named_by_templates(ctx):
        return None
    name = ctx.name(obj)
    exported = Exported({"kind": "File", "name": name, "existing": obj.id}, f"files/{name}.yaml")
    if purpose != "assistants":
        exported.document["purpose"] = purpose
    exported.comments.append(EXISTING_FILE)
    return exported


def _kept(ctx: ExportContext) -> set[str]:
    """The ids of the files that vector stores and assistants hold."""
    kinds = registered()
    return {
        file_id
        for kind in ("VectorStore", "Assistant")
        for obj in ctx.inventory.of_kind(kind)
        for file_id in _file_ids(ctx.inventory.normalized(obj, kinds[kind]))
    }


def _file_ids(value: Any) -> list[str]:
    if isinstance(value, dict):
        found = [value["file_id"]] if isinstance(value.get("file_id"), str) else []
        return found + [file_id for item in value.values() for file_id in _file_ids(item)]
    if isinstance(value, list):
        return [file_id for item in value for file_id in _file_ids(item)]
    return []


def _named_by_templates(ctx: ExportContext) -> set[str]:
    return {
        str(entry.get("file_id"))
        for obj in ctx.inventory.of_kind("EnvironmentTemplate")
        for entry in obj.raw.get("files") or []
        if entry.get("type") == "file_id"
    }
