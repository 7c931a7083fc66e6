"""A canonical flow expanded into the `flowData` the Flowise editor saves, from the server's node definitions.

Each node is built as the editor builds a node dropped on the canvas: its definition's inputs split into fields
(`inputParams`, the credential first) and anchors (`inputAnchors`), each with the handle id
`<node>-input-<input>-<type>`; its output anchor `<node>-output-<name>-<base classes>` (or, for a node with several
outputs, an options anchor whose chosen option is `data.outputs.output`); its inputs filled with the defaults
(`default`, or "" when the definition has none or a false one) and then with the flow's values, wiring written as
`{{<node>.data.instance}}`. Edges join the source's output handle to the target's input handle, with the id the
editor gives them and type `buttonedge`. Only the node data keys the editor exports are kept (no server file paths).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from assistplan.flowise_nodes import PARAM_TYPES

EXPORTED_KEYS = (
    "id",
    "label",
    "version",
    "name",
    "type",
    "color",
    "hideOutput",
    "hideInput",
    "baseClasses",
    "tags",
    "category",
    "description",
    "inputParams",
    "inputAnchors",
    "inputs",
    "outputAnchors",
    "outputs",
    "credential",
    "selected",
)
DEFAULT_VIEWPORT = {"x": 0, "y": 0, "zoom": 1}

Definition = Callable[[str], Mapping[str, Any]]
"""node name -> the server's definition (`GET /api/v1/nodes/{name}`)."""
Remote = Callable[[str], str]
"""A canonical reference (an address, or a literal id) -> the id to send."""


def instance(node_id: str) -> str:
    return "{{" + node_id + ".data.instance}}"


def _js_default(value: Any) -> Any:
    """What the editor writes for an input's default: the value, or "" for a missing or falsy one."""
    return value if value not in (None, False, 0, "") else ""


def _output_option(output: Mapping[str, Any], node_id: str) -> dict[str, Any]:
    classes = list(output.get("baseClasses") or [])
    option = {
        "id": f"{node_id}-output-{output['name']}-{'|'.join(classes)}",
        "name": output["name"],
        "label": output.get("label"),
        "description": output.get("description") or "",
        "type": " | ".join(classes),
    }
    option.update({key: output[key] for key in ("isAnchor", "hidden") if key in output})
    return option


def output_anchors(definition: Mapping[str, Any], node_id: str) -> list[dict[str, Any]]:
    if definition.get("hideOutput"):
        return []
    outputs = definition.get("outputs") or []
    if outputs:
        return [
            {
                "name": "output",
                "label": "Output",
                "type": "options",
                "description": outputs[0].get("description") or "",
                "options": [_output_option(output, node_id) for output in outputs],
                "default": outputs[0]["name"],
            }
        ]
    classes = list(definition.get("baseClasses") or [])
    return [
        {
            "id": f"{node_id}-output-{definition['name']}-{'|'.join(classes)}",
            "name": definition["name"],
            "label": definition.get("type"),
            "description": definition.get("description") or "",
            "type": " | ".join(classes),
        }
    ]


def init_node(definition: Mapping[str, Any], node_id: str) -> dict[str, Any]:
    """The node data the editor makes when the node is dropped on the canvas."""
    params: list[dict[str, Any]] = []
    anchors: list[dict[str, Any]] = []
    for item in definition.get("inputs") or []:
        entry = {**item, "id": f"{node_id}-input-{item['name']}-{item['type']}"}
        (params if item["type"] in PARAM_TYPES else anchors).append(entry)
    credential = definition.get("credential")
    if isinstance(credential, dict):
        params.insert(0, {**credential, "id": f"{node_id}-input-{credential['name']}-{credential['type']}"})
    outputs = definition.get("outputs") or []
    data = {
        **definition,
        "id": node_id,
        "inputParams": params,
        "inputAnchors": anchors,
        "inputs": {item["name"]: _js_default(item.get("default")) for item in definition.get("inputs") or []},
        "outputAnchors": output_anchors(definition, node_id),
        "outputs": {"output": outputs[0]["name"]} if outputs else {},
        "selected": False,
    }
    if isinstance(credential, dict):
        data["credential"] = ""
    return {key: data[key] for key in EXPORTED_KEYS if key in data}


def _input_value(value: Any, anchor: bool, refers: str | None, remote: Remote) -> Any:
    if anchor:
        return [instance(item) for item in value] if isinstance(value, list) else instance(str(value))
    if refers is not None and isinstance(value, str):
        return remote(value)
    return value


def _names_nodes(value: Any, nodes: Mapping[str, Any]) -> bool:
    """Whether an input the definition does not know holds wiring (node ids of the flow)."""
    items = value if isinstance(value, list) else [value]
    return bool(items) and all(isinstance(item, str) and item in nodes for item in items)


def source_handle(data: Mapping[str, Any]) -> str:
    anchors = data.get("outputAnchors") or [{}]
    first = anchors[0]
    if first.get("type") == "options":
        chosen = (data.get("outputs") or {}).get("output") or first.get("default")
        for option in first.get("options") or []:
            if option.get("name") == chosen:
                return str(option["id"])
    return str(first.get("id") or "")


def target_handle(data: Mapping[str, Any], node_id: str, input_name: str) -> str:
    for item in [*(data.get("inputAnchors") or []), *(data.get("inputParams") or [])]:
        if item.get("name") == input_name:
            return str(item["id"])
    return f"{node_id}-input-{input_name}-"


def build_flow(
    flow: Mapping[str, Any],
    definition: Definition,
    remote: Remote,
    refers: Callable[[str, str], str | None],
) -> dict[str, Any]:
    """`flowData` (as a dict) for a canonical flow `{nodes, edges, layout}`; `refers(node, input)` names the kind of
    manifest an input refers to (None for a plain value)."""
    positions = flow["layout"].get("positions") or {}
    datas: dict[str, dict[str, Any]] = {}
    nodes: list[dict[str, Any]] = []
    for node_id, node in flow["nodes"].items():
        found = definition(node["node"])
        data = init_node(found, node_id)
        kinds = {item["name"]: item["type"] for item in found.get("inputs") or []}
        for name, value in node["inputs"].items():
            anchor = kinds[name] not in PARAM_TYPES if name in kinds else _names_nodes(value, flow["nodes"])
            data["inputs"][name] = _input_value(value, anchor, refers(node["node"], name), remote)
        if node.get("credential"):
            data["credential"] = remote(node["credential"])
        if node.get("output"):
            data["outputs"] = {"output": node["output"]}
        datas[node_id] = data
        x, y = positions.get(node_id) or [0.0, 0.0]
        nodes.append(
            {
                "id": node_id,
                "position": {"x": x, "y": y},
                "positionAbsolute": {"x": x, "y": y},
                "type": "stickyNote" if found.get("type") == "StickyNote" else "customNode",
                "data": data,
                "selected": False,
                "dragging": False,
            }
        )
    edges = []
    for line in flow["edges"]:
        source, target_input = line.split(" -> ")
        target, input_name = target_input.split(".", 1)
        out = source_handle(datas.get(source) or {})
        into = target_handle(datas.get(target) or {}, target, input_name)
        edges.append(
            {
                "source": source,
                "sourceHandle": out,
                "target": target,
                "targetHandle": into,
                "type": "buttonedge",
                "id": f"{source}-{out}-{target}-{into}",
            }
        )
    return {"nodes": nodes, "edges": edges, "viewport": flow["layout"].get("viewport") or DEFAULT_VIEWPORT}
