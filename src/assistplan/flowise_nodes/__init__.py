"""Flowise chatflow nodes: the definitions shipped for the supported Flowise version, and a flow's canonical form.

`definitions.json` is generated from a real Flowise by `scripts/flowise-node-definitions.py`: per node its version,
category, base classes, deprecation notice, accepted credential components, and each input's type, list flag,
optionality, default and, for inputs that list Flowise assistants or tools, the kind of manifest they name. It is
what `validate` checks node and input names against, offline.

The canonical form is what plans compare, the same for a manifest and for a live flow: per node (keyed by node id)
its node name, credential, chosen output and the inputs that differ from the node's defaults, with wiring written as
node ids (`{{customTool_0.data.instance}}` becomes `customTool_0`); the edges as sorted `source -> target.input`
lines; and the layout (positions, viewport), which the kind takes from the live flow so that it never makes a diff.
Everything else the Flowise editor keeps (anchors, descriptions, selection, sizes) is left out.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from functools import cache
from importlib import resources
from typing import Any

PARAM_TYPES = frozenset(
    {
        "asyncOptions",
        "asyncMultiOptions",
        "options",
        "multiOptions",
        "array",
        "datagrid",
        "string",
        "number",
        "boolean",
        "password",
        "json",
        "code",
        "date",
        "file",
        "folder",
        "tabs",
        "conditionFunction",
        "timePicker",
        "weekDaysPicker",
        "monthDaysPicker",
        "datePicker",
    }
)
"""Input types the editor shows as fields (inputParams); every other type is an anchor another node connects to."""

CREDENTIAL_INPUT = "FLOWISE_CREDENTIAL_ID"
"""The editor's copy of the node's credential inside its inputs (moved to `data.credential` when it saves)."""

INSTANCE = re.compile(r"^\{\{([A-Za-z0-9_]+)\.data\.instance\}\}$")
NODE_ID = r"^[A-Za-z][A-Za-z0-9_]{0,63}$"
"""A node id the editor can parse back out of its handle ids (they are split on "-")."""

Refer = Callable[[str, str], Any]
"""(kind, value) -> the canonical value of an input or credential that names a Flowise object."""


@cache
def shipped() -> dict[str, Any]:
    """The definitions shipped with assistplan: {"flowise": version, "nodes": {name: definition}}."""
    text = resources.files(__package__).joinpath("definitions.json").read_text(encoding="utf-8")
    loaded: dict[str, Any] = json.loads(text)
    return loaded


def flowise_version() -> str:
    return str(shipped()["flowise"])


def definition(node: str) -> dict[str, Any] | None:
    found = shipped()["nodes"].get(node)
    return found if isinstance(found, dict) else None


def node_names() -> list[str]:
    return list(shipped()["nodes"])


def is_anchor(spec: Mapping[str, Any]) -> bool:
    return spec.get("type") not in PARAM_TYPES


def wired(value: Any) -> Any:
    """An anchor's value with `{{id.data.instance}}` written as the node id (lists element by element)."""
    if isinstance(value, list):
        return [wired(item) for item in value]
    if isinstance(value, str):
        match = INSTANCE.match(value)
        return match.group(1) if match else value
    return value


def is_unset(value: Any, default: Any) -> bool:
    return value is None or value == "" or value == [] or (default is not None and value == default)


def canonical_inputs(node: str, inputs: Mapping[str, Any], refer: Refer) -> dict[str, Any]:
    """The inputs that differ from the node's defaults, wiring as node ids and named objects through `refer`."""
    known = (definition(node) or {}).get("inputs") or {}
    kept: dict[str, Any] = {}
    for name, value in inputs.items():
        if name == CREDENTIAL_INPUT:
            continue
        spec = known.get(name) or {}
        if is_unset(value, spec.get("default")):
            continue
        refers = spec.get("refers")
        kept[name] = refer(refers, value) if refers and isinstance(value, str) else wired(value)
    return dict(sorted(kept.items()))


def canonical_node(data: Mapping[str, Any], refer: Refer) -> dict[str, Any]:
    """One node of a flow (its `data`) in canonical form."""
    name = str(data.get("name") or "")
    node: dict[str, Any] = {"node": name, "inputs": canonical_inputs(name, data.get("inputs") or {}, refer)}
    credential = data.get("credential") or (data.get("inputs") or {}).get(CREDENTIAL_INPUT)
    if isinstance(credential, str) and credential:
        node["credential"] = refer("FlowiseCredential", credential)
    output = (data.get("outputs") or {}).get("output")
    outputs = (definition(name) or {}).get("outputs") or []
    if isinstance(output, str) and output and output != (outputs[0] if outputs else None):
        node["output"] = output
    return node


def edge_line(source: str, target: str, input_name: str) -> str:
    return f"{source} -> {target}.{input_name}"


def canonical_edges(edges: list[Any]) -> list[str]:
    lines = set()
    for edge in edges:
        if isinstance(edge, dict):
            handle = str(edge.get("targetHandle") or "").split("-")
            input_name = handle[2] if len(handle) > 2 else ""
            lines.add(edge_line(str(edge.get("source")), str(edge.get("target")), input_name))
    return sorted(lines)


def position(node: Mapping[str, Any]) -> list[float]:
    where = node.get("position") or {}
    return [float(where.get("x") or 0), float(where.get("y") or 0)]


def canonical_flow(flow: Mapping[str, Any], refer: Refer) -> dict[str, Any]:
    """A flow (`{nodes, edges, viewport}`) as `{nodes, edges, layout}`."""
    nodes: dict[str, Any] = {}
    positions: dict[str, list[float]] = {}
    for item in flow.get("nodes") or []:
        if isinstance(item, dict) and isinstance(item.get("data"), dict):
            node_id = str(item.get("id"))
            nodes[node_id] = canonical_node(item["data"], refer)
            positions[node_id] = position(item)
    layout: dict[str, Any] = {"positions": dict(sorted(positions.items()))}
    viewport = flow.get("viewport")
    if isinstance(viewport, dict):
        layout["viewport"] = viewport
    return {
        "nodes": dict(sorted(nodes.items())),
        "edges": canonical_edges(list(flow.get("edges") or [])),
        "layout": layout,
    }
