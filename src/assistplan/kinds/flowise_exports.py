"""The `export` hooks of the Flowise kinds: FlowiseTool, FlowiseVariable, FlowiseCredential, FlowiseAssistant and
FlowiseChatflow manifests made from live objects, so that the adopted objects plan as no changes.

A tool's description and schema rows become a Function, shared with the project's Functions and with other tools
where name and content agree (`ExportContext.function`), and its code a `.js` file beside its manifest. Where the
remote name is not a valid manifest name (`my tool (v2)`), the manifest keeps it in `display_name`, so the next plan
never renames the object. A credential's secrets cannot be read back (Flowise answers a redaction marker in their
place): its manifest names an environment variable per field, `{env: NAME}`, and a comment says to set them before
an apply that changes it; the field names come from one read of the credential during export, whose values are
dropped at once. An assistant names its credential, its tools and (OPENAI) its Assistant, which come along. A
chatflow is its flow as Flowise saved it, in a `.json` flow file beside its manifest (without assistplan's mark), and
`nodes` entries that name, by manifest, the credentials, assistants and tools its nodes use by id (which come along).
"""

from __future__ import annotations

import json
import re
from typing import Any

from assistplan.errors import AssistplanError
from assistplan.flowise_nodes import CREDENTIAL_INPUT, NODE_ID, definition
from assistplan.kinds.base import Kind, LiveObject
from assistplan.kinds.exporting import ExportContext, Exported, keep_remote_name, secret_variable, valid_name
from assistplan.kinds.flowise_assistants import details
from assistplan.kinds.flowise_base import MARK
from assistplan.kinds.flowise_chatflows import flow_data
from assistplan.manifest.fields import FUNCTION_NAME_PATTERN
from assistplan.manifest.flowise_schema import schema_from_rows

FIELDS = "fields"
"""`LiveObject.extra` key of a credential's field names (read during export only)."""
MAX_DESCRIPTION = 1024
COMPONENT = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
SECRETS_UNREAD = (
    "Secret values cannot be read back (Flowise answers a redaction marker in their place): set {names} before an "
    "apply that changes this credential (a plan needs none)."
)


def _named(kind: str, obj: LiveObject, ctx: ExportContext, folder: str, remote: str | None) -> Exported:
    """The document's kind and name, and the remote name where the kind has one (None: it has none)."""
    name = ctx.name(obj)
    exported = Exported({"kind": kind, "name": name}, f"flowise/{folder}/{name}.yaml")
    if remote is not None:
        keep_remote_name(exported, remote)
    return exported


def export_tool(kind: Kind, obj: LiveObject, ctx: ExportContext) -> Exported:
    spec = ctx.inventory.normalized(obj, kind)
    remote = str(spec.get("name") or "")
    description = str(spec.get("description") or "")
    if not description or len(description) > MAX_DESCRIPTION:
        raise AssistplanError(
            f"Flowise tool {remote!r} ({obj.id}): its Function needs a description of 1 to {MAX_DESCRIPTION} "
            f"characters, and this tool's has {len(description)}; change it in Flowise, or leave the tool out "
            "with --name"
        )
    rows = spec.get("schema")
    try:
        if not isinstance(rows, list):
            raise ValueError("is not a JSON list of rows")
        parameters = schema_from_rows(rows)
    except ValueError as error:
        raise AssistplanError(f"Flowise tool {remote!r} ({obj.id}): its schema {error}") from None
    exported = _named("FlowiseTool", obj, ctx, "tools", remote)
    tool_name = valid_name(remote, FUNCTION_NAME_PATTERN, "function")
    exported.document["function"] = ctx.function(tool_name, description, parameters)
    code = ctx.path(f"flowise/tools/{ctx.name(obj)}.js")
    exported.files[code] = str(spec.get("code") or "")
    exported.document["code_file"] = code.rpartition("/")[2]
    for key in ("color", "icon"):
        if spec.get(key):
            exported.document[key] = spec[key]
    return exported


def export_variable(kind: Kind, obj: LiveObject, ctx: ExportContext) -> Exported:
    spec = ctx.inventory.normalized(obj, kind)
    exported = _named("FlowiseVariable", obj, ctx, "variables", str(spec.get("name") or ""))
    runtime = spec.get("type") == "runtime"
    if runtime:
        exported.document["type"] = "runtime"
    elif spec.get("value"):
        exported.document["value"] = spec["value"]
    if spec.get("type") not in ("static", "runtime"):
        exported.comments.append(
            f"Flowise stores this variable's type as {spec.get('type')!r}, which it treats as static; the next apply "
            "writes static."
        )
    return exported


def export_credential(kind: Kind, obj: LiveObject, ctx: ExportContext) -> Exported | None:
    spec = ctx.inventory.normalized(obj, kind)
    component = str(spec.get("credential") or "")
    fields = obj.extra.get(FIELDS) or []
    if not COMPONENT.match(component) or not fields:
        return None
    exported = _named("FlowiseCredential", obj, ctx, "credentials", str(spec.get("name") or ""))
    exported.document["credential"] = component
    names = {field: secret_variable(ctx.name(obj), field) for field in fields}
    exported.document["secrets"] = {field: {"env": env} for field, env in names.items()}
    exported.comments.append(SECRETS_UNREAD.format(names=", ".join(names.values())))
    return exported


def export_assistant(kind: Kind, obj: LiveObject, ctx: ExportContext) -> Exported | None:
    info = details(obj.raw)
    credential = ctx.reference("FlowiseCredential", str(obj.raw.get("credential")))
    if credential is None:
        return None
    if obj.raw.get("type") != "CUSTOM":
        assistant = ctx.reference("Assistant", str(info.get("id")))
        if assistant is None:
            return None
        exported = _named("FlowiseAssistant", obj, ctx, "assistants", None)
        exported.document.update(type="OPENAI", credential=credential, assistant=assistant)
        return exported
    return _custom(kind, obj, ctx, credential, info)


def _custom(kind: Kind, obj: LiveObject, ctx: ExportContext, credential: str, info: dict[str, Any]) -> Exported | None:
    spec = ctx.inventory.normalized(obj, kind)
    model = spec["chat_model"]
    if not model.get("name") or not model.get("model"):
        return None
    if not spec.get("name"):
        ctx.leave_out(obj, "Flowise refuses to update a CUSTOM assistant without a name: name it, then export again")
        return None
    name = ctx.name(obj)
    exported = _named("FlowiseAssistant", obj, ctx, "assistants", str(spec["name"]))
    document = exported.document
    document.update(type="CUSTOM", credential=credential)
    ctx.text(exported, "instructions", spec.get("instructions"), f"flowise/prompts/{name}.md")
    document["chat_model"] = {key: value for key, value in model.items() if value is not None}
    tools: list[str] = []
    for entry in info.get("tools") or []:
        selected = (entry.get("inputs") or {}).get("selectedTool") if isinstance(entry, dict) else None
        tool = ctx.reference("FlowiseTool", str(selected)) if selected else None
        if tool is None:
            label = entry.get("label") or entry.get("name") if isinstance(entry, dict) else entry
            exported.comments.append(
                f"The tool {label!r} is not a custom tool this project can name: the next apply removes it."
            )
        else:
            tools.append(tool)
    if tools:
        document["tools"] = tools
    if info.get("documentStores"):
        exported.comments.append("Document stores cannot be written in a manifest: an apply keeps them as they are.")
    return exported


def export_chatflow(kind: Kind, obj: LiveObject, ctx: ExportContext) -> Exported:
    raw = obj.raw
    exported = _named("FlowiseChatflow", obj, ctx, "chatflows", str(raw.get("name") or ""))
    for flag, key in (("deployed", "deployed"), ("is_public", "isPublic")):
        if raw.get(key):
            exported.document[flag] = True
    flow = {key: value for key, value in flow_data(raw).items() if key != MARK}
    target = ctx.path(f"flowise/chatflows/{ctx.name(obj)}.json")
    exported.files[target] = json.dumps(flow, indent=2, ensure_ascii=False) + "\n"
    exported.document["flow_file"] = target.rpartition("/")[2]
    nodes: dict[str, dict[str, Any]] = {}
    for item in flow.get("nodes") or []:
        data = item.get("data") if isinstance(item, dict) else None
        if not isinstance(data, dict):
            continue
        named = _named_references(data, ctx)
        if not named:
            continue
        node_id = str(item.get("id"))
        if re.match(NODE_ID, node_id):
            nodes[node_id] = named
        else:
            exported.comments.append(
                f"The node {node_id!r} refers to objects by id and its id cannot be a key of `nodes`: the next plan "
                "shows the difference."
            )
    if nodes:
        exported.document["nodes"] = nodes
    return exported


def _named_references(data: dict[str, Any], ctx: ExportContext) -> dict[str, Any]:
    """A node's `nodes` entry naming by manifest the credential and the assistants or tools it uses by id (empty
    when it uses none that a manifest names)."""
    given = data.get("inputs")
    inputs: dict[str, Any] = given if isinstance(given, dict) else {}
    named: dict[str, Any] = {}
    credential = data.get("credential") or inputs.get(CREDENTIAL_INPUT)
    if isinstance(credential, str) and credential:
        name = ctx.reference("FlowiseCredential", credential)
        if name is not None:
            named["credential"] = name
    known = (definition(str(data.get("name") or "")) or {}).get("inputs") or {}
    for input_name, value in inputs.items():
        refers = (known.get(input_name) or {}).get("refers")
        name = ctx.reference(refers, value) if refers and isinstance(value, str) and value else None
        if name is not None:
            named.setdefault("inputs", {})[input_name] = name
    return named
