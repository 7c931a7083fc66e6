"""FlowiseChatflow: a Flowise chatflow (`/chatflows`, type CHATFLOW), planned node by node and input by input.

The spec is the flow's canonical form (`assistplan.flowise_nodes`): nodes by id with their node name, credential,
chosen output and the inputs that differ from the node's defaults; the edges as `source -> target.input` lines; and
the layout. A plan therefore names the node and the input that changed. The layout (positions, viewport) is taken
from the live flow (`fold_live`), so moving nodes in the editor never makes a diff and an update keeps them where
they were drawn; a new node gets the manifest's position, or one laid out from left to right along the wiring.

At apply, the flow is expanded into the `flowData` the editor saves (`flowise_nodes.expand`), from the node
definitions the server answers at `GET /api/v1/nodes/{name}` (read once per node per command). `flowData` keeps an
extra top-level key, `assistplan: {project, address, digest}`: the mark that identifies the chatflow. References
to FlowiseAssistants, FlowiseTools and FlowiseCredentials are addresses in the spec and ids in Flowise.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping
from typing import Any

from assistplan.addrs import Address, reference
from assistplan.errors import ProviderError
from assistplan.flowise_nodes import canonical_flow, canonical_inputs, definition, edge_line, is_anchor, is_unset
from assistplan.flowise_nodes.expand import build_flow
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
from assistplan.manifest.flowise_chatflow_models import FlowiseChatflowSpec, FlowNode
from assistplan.manifest.project import Resource
from assistplan.providers.flowise import FlowiseApi

REFERRED = ("FlowiseAssistant", "FlowiseTool", "FlowiseCredential")
COLUMN = 400.0
ROW = 550.0
ORIGIN = 100.0


def flow_data(raw: Mapping[str, Any]) -> dict[str, Any]:
    return json_field(raw, "flowData")


def _refers(value: str) -> bool:
    """Whether a node's value is a reference to another Flowise resource (`FlowiseTool/lookup`)."""
    address = Address.spelled(value)
    return address is not None and address.kind in REFERRED


def _declared_inputs(node_name: str, node: FlowNode) -> dict[str, Any]:
    """A manifest node's inputs in canonical form; an input set to "" (or its default) is listed as None."""
    known = (definition(node_name) or {}).get("inputs") or {}
    declared: dict[str, Any] = {}
    for name, value in node.inputs.items():
        spec = known.get(name) or {}
        if is_unset(value, spec.get("default")):
            declared[name] = None
        else:
            declared.update(canonical_inputs(node_name, {name: value}, reference))
    return declared


def _anchors(node_name: str, inputs: Mapping[str, Any]) -> dict[str, list[str]]:
    """Input name -> the node ids wired into it, for the anchor inputs among `inputs`."""
    known = (definition(node_name) or {}).get("inputs") or {}
    found: dict[str, list[str]] = {}
    for name, value in inputs.items():
        if name in known and is_anchor(known[name]):
            items = value if isinstance(value, list) else [] if value is None else [value]
            found[name] = [str(item) for item in items]
    return found


def layout(nodes: Mapping[str, Any], edges: list[str], given: Mapping[str, list[float]]) -> dict[str, list[float]]:
    """Positions from left to right: a node one column right of the rightmost node wired into it, rows in order."""
    sources: dict[str, set[str]] = {node_id: set() for node_id in nodes}
    for line in edges:
        source, target = line.split(" -> ")[0], line.split(" -> ")[1].split(".")[0]
        if target in sources and source in nodes:
            sources[target].add(source)
    depth: dict[str, int] = {}

    def column(node_id: str, seen: frozenset[str]) -> int:
        if node_id not in depth:
            before = [column(s, seen | {node_id}) + 1 for s in sources[node_id] if s not in seen]
            depth[node_id] = max(before, default=0)
        return depth[node_id]

    rows: dict[int, int] = {}
    positions: dict[str, list[float]] = {}
    for node_id in nodes:
        at = column(node_id, frozenset({node_id}))
        row = rows.get(at, 0)
        rows[at] = row + 1
        positions[node_id] = list(given.get(node_id) or [ORIGIN + at * COLUMN, ORIGIN + row * ROW])
    return dict(sorted(positions.items()))


def desired_flow(spec: FlowiseChatflowSpec) -> dict[str, Any]:
    """The canonical flow of a manifest: its flow file's (ids kept as they are), changed and extended by `nodes`."""
    base = canonical_flow(spec.flow, lambda kind, value: value) if spec.flow is not None else None
    nodes: dict[str, Any] = dict(base["nodes"]) if base else {}
    edges = set(base["edges"]) if base else set()
    given = dict(base["layout"]["positions"]) if base else {}
    for node_id, node in spec.nodes.items():
        node_name = node.node or nodes[node_id]["node"]
        current = dict(nodes.get(node_id) or {"node": node_name, "inputs": {}})
        inputs = dict(current["inputs"])
        for name, value in _declared_inputs(node_name, node).items():
            if value is None:
                inputs.pop(name, None)
            else:
                inputs[name] = value
        current["inputs"] = dict(sorted(inputs.items()))
        if node.credential is not None:
            current["credential"] = reference("FlowiseCredential", node.credential)
        if node.output is not None:
            current["output"] = node.output
        nodes[node_id] = current
        for name, sources in _anchors(node_name, node.inputs).items():
            edges = {line for line in edges if not line.endswith(f" -> {node_id}.{name}")}
            edges |= {edge_line(source, node_id, name) for source in sources}
        if node.position is not None:
            given[node_id] = [node.position.x, node.position.y]
    ordered = sorted(edges)
    flow_layout: dict[str, Any] = {"positions": layout(nodes, ordered, given)}
    if base and "viewport" in base["layout"]:
        flow_layout["viewport"] = base["layout"]["viewport"]
    return {"nodes": dict(sorted(nodes.items())), "edges": ordered, "layout": flow_layout}


class FlowiseChatflowKind(MarkedKind):
    kind = "FlowiseChatflow"
    spec_model = FlowiseChatflowSpec
    depends_on = REFERRED
    path = "/chatflows"
    noun = "chatflow"
    marked = "flowData"

    def __init__(self) -> None:
        self._definitions: dict[tuple[str, str], Mapping[str, Any]] = {}
        self._lock = threading.Lock()

    def desired(self, resource: Resource, ctx: DesireContext) -> Spec:
        spec = manifest_spec(resource, FlowiseChatflowSpec)
        return {
            "name": resource.address.name if spec.display_name is None else spec.display_name,
            "type": spec.type,
            "deployed": spec.deployed,
            "is_public": spec.is_public,
            **desired_flow(spec),
        }

    def fold_live(self, desired: Spec, live: Spec) -> Spec:
        live_layout = live.get("layout") or {}
        live_positions = live_layout.get("positions") or {}
        positions = {
            node_id: live_positions.get(node_id, where) for node_id, where in desired["layout"]["positions"].items()
        }
        folded_layout = {**desired["layout"], **live_layout, "positions": positions}
        return {**desired, "layout": folded_layout}

    def reference_paths(self, spec: Spec) -> dict[str, str]:
        paths: dict[str, str] = {}
        for node_id, node in spec["nodes"].items():
            values = {"credential": node.get("credential")} | {
                f"inputs.{name}": value for name, value in node["inputs"].items()
            }
            for path, value in values.items():
                if isinstance(value, str) and _refers(value):
                    paths[f"nodes.{node_id}.{path}"] = value
        return paths

    def list_raw(self, provider: FlowiseApi) -> list[dict[str, Any]]:
        return [raw for raw in super().list_raw(provider) if raw.get("type") == "CHATFLOW"]

    def normalize(self, obj: LiveObject, inventory: Inventory) -> Spec:
        raw = obj.raw
        addresses = inventory.id_to_address

        def refer(kind: str, value: str) -> str:
            return addresses.get(value, value)

        flow = canonical_flow(flow_data(raw), refer)
        return {
            "name": raw.get("name"),
            "type": raw.get("type"),
            "deployed": bool(raw.get("deployed")),
            "is_public": bool(raw.get("isPublic")),
            **flow,
        }

    def _definition(self, provider: FlowiseApi, address: str, node: str) -> Mapping[str, Any]:
        key = (provider.url, node)
        with self._lock:
            found = self._definitions.get(key)
        if found is None:
            try:
                found = provider.get(f"/nodes/{node}", address=address, operation=f"read the {node} node definition")
            except ProviderError as exc:
                raise ProviderError(
                    f"Flowise has no node {node!r} ({exc})", address=address, operation="expand the flow"
                ) from None
            if not isinstance(found, dict) or found.get("name") != node:
                raise ProviderError(f"Flowise answered no definition for node {node!r}", address=address)
            with self._lock:
                self._definitions[key] = found
        return found

    def _body(self, ctx: FlowiseContext, address: Address, spec: Spec) -> dict[str, Any]:
        provider = ctx.provider

        def remote(value: str) -> str:
            return ctx.remote_id(value) if _refers(value) else value

        def refers(node: str, input_name: str) -> str | None:
            found = ((definition(node) or {}).get("inputs") or {}).get(input_name) or {}
            refers_to = found.get("refers")
            return str(refers_to) if refers_to else None

        flow = build_flow(spec, lambda node: self._definition(provider, address, node), remote, refers)
        flow[MARK] = mark(ctx.labels(address))
        return {
            "name": spec["name"],
            "flowData": json.dumps(flow),
            "deployed": spec["deployed"],
            "isPublic": spec["is_public"],
        }

    def create(self, ctx: FlowiseContext, address: Address, spec: Spec) -> Applied:
        provider = ctx.provider
        body = {**self._body(ctx, address, spec), "type": spec["type"]}
        raw = self.create_safely(
            address,
            lambda: provider.post(self.path, body, address=address),
            lambda: self.find_marked(provider, ctx.project, address),
        )
        return Applied(self.live(raw, ctx.project))

    def update(self, ctx: FlowiseContext, address: Address, remote_id: str, before: Spec, spec: Spec) -> Applied:
        provider = ctx.provider
        body = self._body(ctx, address, spec)
        raw = provider.put(f"{self.path}/{remote_id}", body, address=address)
        return Applied(self.live(raw, ctx.project))

    def export(self, obj: LiveObject, ctx: ExportContext) -> Exported | None:
        from assistplan.kinds.flowise_exports import export_chatflow

        return export_chatflow(self, obj, ctx)


register(FlowiseChatflowKind())
