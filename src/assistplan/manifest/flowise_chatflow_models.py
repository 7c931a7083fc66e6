"""Model of the FlowiseChatflow kind: a Flowise chatflow declared as nodes and wiring, or read from an exported flow.

A node names its Flowise node (`node: openAIAssistant`), a few inputs, and the credential it uses. An input that
connects another node (an anchor: `tools`, `model`, `memory`) lists node names of the same flow; an input that
selects a Flowise assistant or tool (`selectedAssistant`, `selectedTool`) names a FlowiseAssistant (an OPENAI one:
the OpenAI Assistant node serves no other) or FlowiseTool manifest; `credential` names a FlowiseCredential. With
`flow_file`, the flow exported from the Flowise editor is the starting point and `nodes` changes its nodes by id (or
adds some). `validate` checks node and input names against the node definitions shipped for the supported Flowise
version, and warns about a deprecated node and about an assistant function that no Tool node wired to the OpenAI
Assistant node provides under the function's name.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Annotated, Any, Literal, NamedTuple

from pydantic import Field, model_validator

from assistplan.diagnostics import did_you_mean
from assistplan.flowise_nodes import NODE_ID, definition, flowise_version, is_anchor, node_names
from assistplan.manifest.fields import KindSpec, Problem, Spec, check, exclusive

if TYPE_CHECKING:
    from assistplan.manifest.resolution import Resolution

CUSTOM_ASSISTANT = "a FlowiseAssistant of type CUSTOM"


class Position(Spec):
    """Where the node is drawn on the canvas."""

    x: float
    y: float


class FlowNode(Spec):
    """One node of the flow."""

    node: str | None = None
    """The Flowise node, for example openAIAssistant, customTool, chatOpenAI (required unless the flow file has it)."""
    credential: str | None = None
    """The FlowiseCredential manifest the node uses."""
    inputs: dict[str, Any] = Field(default_factory=dict)
    """Input values by input name; anchors (tools, model, memory...) take node names of this flow."""
    output: str | None = None
    """For a node with several outputs: the one to use."""
    position: Position | None = None
    """Where to draw it (default: laid out from left to right along the wiring)."""


class FlowiseChatflowSpec(KindSpec):
    """A Flowise chatflow: nodes and their wiring, expanded into the flow the Flowise editor draws."""

    kind: Literal["FlowiseChatflow"]
    display_name: Annotated[str, Field(max_length=256)] | None = None
    """The chatflow's name in Flowise, when it is not a valid manifest name (written by `export`)."""
    type: Literal["CHATFLOW"] = "CHATFLOW"
    """The chatflow type; only CHATFLOW is supported."""
    deployed: bool = False
    """Whether the chatflow is marked as deployed."""
    is_public: bool = False
    """Whether its chat bot is public (no API key needed to chat)."""
    nodes: dict[str, FlowNode] = Field(default_factory=dict)
    """Nodes by id (letters, digits and _); with a flow file: changes to its nodes, or added nodes."""
    flow_file: str | None = None
    """A flow exported from the Flowise editor (JSON with nodes and edges), relative to this manifest."""
    flow: dict[str, Any] | None = None
    """The exported flow itself, instead of flow_file."""

    @model_validator(mode="after")
    def _shape(self) -> FlowiseChatflowSpec:
        problems: list[Problem] = exclusive(self, "flow", "flow_file", required=False)
        from_file = self.flow is not None or self.flow_file is not None
        if not from_file and not self.nodes:
            problems.append(('needs "nodes" or "flow_file"', ()))
        for name, node in self.nodes.items():
            if not re.match(NODE_ID, name):
                problems.append(('a node id is a letter, then letters, digits and "_" (at most 64)', ("nodes", name)))
            if node.node is None and not from_file:
                problems.append(('missing required field "node"', ("nodes", name)))
        check(problems)
        return self

    def resolve(self, resolution: Resolution) -> None:
        flow = self._flow(resolution)
        file_nodes = _file_nodes(flow) if flow is not None else {}
        names = {**file_nodes, **{node_id: node.node for node_id, node in self.nodes.items() if node.node}}
        for node_id, node_name in file_nodes.items():
            if node_id not in self.nodes:
                _check_file_node(resolution, node_id, node_name)
        for node_id, node in self.nodes.items():
            given = node.node or file_nodes.get(node_id)
            if given is None:
                at = ("nodes", node_id)
                resolution.error(at, f'the flow file has no node "{node_id}"; a new node needs "node"', key=True)
                continue
            if node.node is not None and node_id in file_nodes and file_nodes[node_id] != node.node:
                message = f'the flow file\'s node "{node_id}" is a {file_nodes[node_id]} node, not {node.node}'
                resolution.error(("nodes", node_id, "node"), message)
                continue
            _check_node(resolution, node_id, given, node, names)
        _check_wired_functions(resolution, self.nodes, file_nodes)

    def _flow(self, resolution: Resolution) -> dict[str, Any] | None:
        if self.flow_file is None:
            return self.flow
        text = resolution.text_file(("flow_file",), self.flow_file)
        if text is None:
            return None
        try:
            parsed = json.loads(text)
        except ValueError as exc:
            resolution.error(("flow_file",), f"is not JSON: {exc}")
            return None
        if not isinstance(parsed, dict) or not isinstance(parsed.get("nodes"), list):
            resolution.error(("flow_file",), 'is not a Flowise flow (a JSON object with "nodes" and "edges")')
            return None
        resolution.update("flow", parsed)
        return parsed


def _file_nodes(flow: Mapping[str, Any]) -> dict[str, str]:
    """Node id -> node name of the nodes of an exported flow."""
    found: dict[str, str] = {}
    for item in flow.get("nodes") or []:
        data = item.get("data") if isinstance(item, dict) else None
        if isinstance(data, dict):
            found[str(item.get("id"))] = str(data.get("name"))
    return found


def _deprecated(resolution: Resolution, at: tuple[str | int, ...], node_name: str, known: Mapping[str, Any]) -> None:
    notice = known.get("deprecated")
    if notice is None:
        return
    replacement = f" ({CUSTOM_ASSISTANT})" if node_name == "openAIAssistant" else ""
    resolution.warning(at, f'node "{node_name}" is deprecated in Flowise {flowise_version()}: {notice}{replacement}')


def _check_file_node(resolution: Resolution, node_id: str, node_name: str) -> None:
    known = definition(node_name)
    if known is None:
        message = f'node "{node_id}" is a {node_name} node, which Flowise {flowise_version()} does not have'
        resolution.warning(("flow_file",), message)
        return
    _deprecated(resolution, ("flow_file",), node_name, known)


def _check_node(resolution: Resolution, node_id: str, node_name: str, node: FlowNode, names: Mapping[str, str]) -> None:
    at: tuple[str | int, ...] = ("nodes", node_id)
    known = definition(node_name)
    if known is None:
        hint = did_you_mean(node_name, node_names())
        resolution.error((*at, "node"), f'unknown Flowise node "{node_name}" (Flowise {flowise_version()}){hint}')
        return
    _deprecated(resolution, (*at, "node") if node.node else at, node_name, known)
    inputs = known.get("inputs") or {}
    for input_name, value in node.inputs.items():
        spec = inputs.get(input_name)
        if spec is None:
            hint = did_you_mean(input_name, inputs) or f" (it has: {', '.join(inputs) or 'none'})"
            resolution.error(
                (*at, "inputs", input_name), f'node {node_name} has no input "{input_name}"{hint}', key=True
            )
        elif is_anchor(spec):
            _check_wiring(resolution, (*at, "inputs", input_name), spec, value, names)
        elif spec.get("refers") and isinstance(value, str) and value:
            found = resolution.reference(spec["refers"], value, (*at, "inputs", input_name))
            if spec["refers"] == "FlowiseAssistant":
                _check_served_type(resolution, (*at, "inputs", input_name), node_name, value, found)
    if node.output is not None and node.output not in (known.get("outputs") or []):
        outputs = ", ".join(known.get("outputs") or []) or "only one"
        resolution.error((*at, "output"), f'node {node_name} has no output "{node.output}" (it has: {outputs})')
    credential = known.get("credential")
    if node.credential is not None:
        if credential is None:
            resolution.error((*at, "credential"), f"node {node_name} takes no credential")
            return
        found = resolution.reference("FlowiseCredential", node.credential, (*at, "credential"))
        component = getattr(found, "credential", None)
        if component is not None and credential["names"] and component not in credential["names"]:
            wanted = ", ".join(credential["names"])
            message = f'FlowiseCredential "{node.credential}" is a {component} credential; {node_name} takes {wanted}'
            resolution.error((*at, "credential"), message)


def _check_served_type(
    resolution: Resolution, at: tuple[str | int, ...], node_name: str, name: str, found: Any
) -> None:
    """The OpenAI Assistant node serves an OpenAI assistant by its id, which only an OPENAI FlowiseAssistant has:
    with a CUSTOM one, Flowise asks OpenAI for `/assistants/undefined` and every prediction fails."""
    kind = getattr(found, "type", None)
    if kind is None or kind == "OPENAI":
        return
    message = (
        f'FlowiseAssistant "{name}" is of type {kind}, but the {node_name} node serves only OPENAI assistants '
        "(every prediction would fail in Flowise, on /assistants/undefined): select an OPENAI "
        "FlowiseAssistant, or chat with a CUSTOM assistant through the chatflow the Flowise editor saves for it, or "
        "build this chatflow as a CUSTOM assistant is built: a toolAgent node with a chat model, a memory and the "
        "customTool nodes"
    )
    resolution.error(at, message)


def _check_wiring(
    resolution: Resolution, at: tuple[str | int, ...], spec: Mapping[str, Any], value: Any, names: Mapping[str, str]
) -> None:
    """Anchor values name nodes of the flow whose base classes include the anchor's type."""
    if spec.get("list"):
        if not isinstance(value, list):
            resolution.error(at, f"connects a list of nodes: write [{value}]")
            return
        items: list[tuple[tuple[str | int, ...], Any]] = [((*at, index), item) for index, item in enumerate(value)]
    else:
        items = [(at, value)]
    for where, item in items:
        if not isinstance(item, str):
            resolution.error(where, f"connects {spec['type']} nodes: write the name of a node of this flow here")
            continue
        if item not in names:
            hint = did_you_mean(item, names)
            resolution.error(where, f'connects {spec["type"]} nodes: "{item}" is not a node of this flow{hint}')
            continue
        classes = (definition(names[item]) or {}).get("baseClasses")
        wanted = [part.strip() for part in str(spec["type"]).split("|")]
        if classes is not None and not set(wanted) & set(classes):
            message = f'connects {spec["type"]} nodes: "{item}" is a {names[item]} node ({", ".join(classes)})'
            resolution.error(where, message)


def _check_wired_functions(
    resolution: Resolution, nodes: Mapping[str, FlowNode], file_nodes: Mapping[str, str]
) -> None:
    """Warn when an OpenAI Assistant node serves an assistant with a function that no wired Tool node provides by
    name: at every prediction Flowise writes the wired tools to the assistant under their names, so it removes such
    a function, or renames it after a tool that wraps it under another name (drift on every plan)."""
    for node_id, node in nodes.items():
        if (node.node or file_nodes.get(node_id)) != "openAIAssistant":
            continue
        selected = node.inputs.get("selectedAssistant")
        served = resolution.find("FlowiseAssistant", selected) if isinstance(selected, str) else None
        linked = getattr(served, "assistant", None)
        assistant = resolution.find("Assistant", linked) if isinstance(linked, str) else None
        functions = [tool.function for tool in getattr(assistant, "tools", []) if hasattr(tool, "function")]
        at: tuple[str | int, ...] = (
            ("nodes", node_id, "inputs", "tools") if "tools" in node.inputs else ("nodes", node_id)
        )
        wired = _wired_tools(resolution, nodes, node.inputs.get("tools"), at)
        named = {tool.name for tool in wired}
        for function in functions:
            if function in named:
                continue
            renamed = next((tool for tool in wired if tool.function == function), None)
            if renamed is not None:
                message = (
                    f'the Assistant "{linked}" declares the function {function}, but the customTool node '
                    f'{renamed.node_id} wired to {node_id} provides it under the name "{renamed.name}" (FlowiseTool '
                    f'"{renamed.manifest}"): Flowise writes the function as {renamed.name} at every prediction, so '
                    f"every plan shows the assistant's tools drifting; name the FlowiseTool after its Function "
                    f"({function})"
                )
                resolution.warning(renamed.at, message)
                continue
            message = (
                f'the Assistant "{linked}" declares the function {function}, but no customTool node wired to '
                f"{node_id} provides it (a FlowiseTool with function: {function}): Flowise removes the function "
                "from the assistant at every prediction"
            )
            resolution.warning(at, message)


class _WiredTool(NamedTuple):
    node_id: str
    at: tuple[str | int, ...]
    """Where the node is wired (its entry in the Assistant node's `tools`)."""
    manifest: str
    """The FlowiseTool manifest the node selects."""
    name: str
    """The tool's name in Flowise, which the OpenAI Assistant node gives the function."""
    function: str


def _wired_tools(
    resolution: Resolution, nodes: Mapping[str, FlowNode], wired: Any, at: tuple[str | int, ...]
) -> list[_WiredTool]:
    """The FlowiseTools that the customTool nodes listed in `wired` select."""
    found: list[_WiredTool] = []
    for index, tool_node in enumerate(wired if isinstance(wired, list) else []):
        if not isinstance(tool_node, str) or tool_node not in nodes:
            continue
        inputs = nodes[tool_node].inputs
        picked = inputs.get("selectedTool")
        tool = resolution.find("FlowiseTool", picked) if isinstance(picked, str) else None
        function = getattr(tool, "function", None)
        if not isinstance(picked, str) or not isinstance(function, str):
            continue
        override = inputs.get("customToolName")
        display = getattr(tool, "display_name", None)
        name = override if isinstance(override, str) and override else display or picked
        found.append(_WiredTool(tool_node, (*at, index), picked, name, function))
    return found
