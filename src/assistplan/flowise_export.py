"""Manifests for tools that already exist in Flowise: a Function (the description and the schema rows as a JSON
Schema) and a FlowiseTool (its code in a `.js` file, its colour and icon) per tool, ready for `assistplan import`.

Applied again, the manifests give the same tool: same name, description, rows, code, colour and icon. Text that
looks like a template is wrapped in `{% raw %}` so that rendering the manifest leaves it as it is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from assistplan.errors import AssistplanError
from assistplan.kinds.flowise_tools import FlowiseToolKind, split_mark
from assistplan.manifest.fields import FUNCTION_NAME_PATTERN, RESOURCE_NAME_PATTERN
from assistplan.manifest.flowise_schema import normalize_rows, schema_from_rows
from assistplan.providers.flowise import FlowiseProvider

TEMPLATE_MARKS = ("{{", "{%", "{#")
MAX_DESCRIPTION = 1024


@dataclass(frozen=True)
class ExportedTool:
    remote_id: str
    address: str
    manifest: Path
    code: Path


def export_tools(provider: FlowiseProvider, out: Path, project: str) -> list[ExportedTool]:
    """Write manifests for every Flowise tool not marked as this project's; refuses to overwrite a file."""
    kind = FlowiseToolKind()
    tools = [raw for raw in kind.list_raw(provider) if kind.identify(raw, project)[0] != project]
    taken_names: set[str] = set()
    planned = []
    for raw in sorted(tools, key=lambda t: (str(t.get("name")), str(t["id"]))):
        name = _unique(_safe(str(raw.get("name") or "tool"), RESOURCE_NAME_PATTERN), taken_names)
        planned.append((raw, name, out / f"{name}.yaml", out / "tools" / f"{name}.js"))
    existing = [str(path) for _, _, manifest, code in planned for path in (manifest, code) if path.exists()]
    if existing:
        raise AssistplanError(f"export-tools never overwrites a file, and these exist: {', '.join(existing)}")
    exported = []
    for raw, name, manifest, code in planned:
        documents = _documents(raw, name)
        code.parent.mkdir(parents=True, exist_ok=True)
        code.write_text(split_mark(str(raw.get("func") or ""))[1], encoding="utf-8")
        manifest.write_text("---\n".join(_dump(document) for document in documents), encoding="utf-8")
        exported.append(ExportedTool(str(raw["id"]), f"FlowiseTool/{name}", manifest, code))
    return exported


def _documents(raw: dict[str, Any], name: str) -> list[dict[str, Any]]:
    description = str(raw.get("description") or "")
    if not description or len(description) > MAX_DESCRIPTION:
        raise AssistplanError(
            f"Flowise tool {raw.get('name')!r} ({raw['id']}): a Function needs a description of 1 to "
            f"{MAX_DESCRIPTION} characters, and this tool's has {len(description)}"
        )
    rows = normalize_rows(raw.get("schema") or "[]")
    try:
        if not isinstance(rows, list):
            raise ValueError("is not a JSON list of rows")
        parameters = schema_from_rows(rows)
    except ValueError as error:
        raise AssistplanError(f"Flowise tool {raw.get('name')!r} ({raw['id']}): its schema {error}") from None
    function = _safe(name, FUNCTION_NAME_PATTERN)
    tool: dict[str, Any] = {"kind": "FlowiseTool", "name": name, "function": function}
    tool["code_file"] = f"tools/{name}.js"
    if raw.get("color"):
        tool["color"] = raw["color"]
    if raw.get("iconSrc"):
        tool["icon"] = raw["iconSrc"]
    return [{"kind": "Function", "name": function, "description": description, "parameters": parameters}, tool]


def _dump(document: dict[str, Any]) -> str:
    text = yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=120)
    if any(mark in text for mark in TEMPLATE_MARKS):
        return f"# {{% raw %}} (not a template)\n{text}# {{% endraw %}}\n"
    return text


def _safe(name: str, pattern: str) -> str:
    """`name` with the characters a manifest name cannot hold replaced by `_`, cut to 64 characters."""
    cleaned = re.sub(r"[^A-Za-z0-9_-]", "_", name).lstrip("_-.") or "tool"
    cleaned = cleaned[:64]
    return cleaned if re.match(pattern, cleaned) else "tool"


def _unique(name: str, taken: set[str]) -> str:
    candidate, number = name, 2
    while candidate in taken:
        candidate = f"{name[:60]}-{number}"
        number += 1
    taken.add(candidate)
    return candidate
