"""Write src/assistplan/flowise_nodes/definitions.json from a real Flowise: the chatflow nodes it serves, compacted.

Starts the Flowise installed by scripts/install-flowise.sh (with its data in a scratch folder), reads
`GET /api/v1/nodes` and keeps, for every node a chatflow can hold (not the Agent Flows, Sequential Agents or Multi
Agents categories), what `validate` and the normalization need: version, category, base classes, the deprecation
notice, the credential components it accepts, and each input's type, list flag, optionality, default and (for
inputs listing Flowise assistants or tools) the kind of manifest it names. Run it again for a new Flowise version.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from flowise import server  # noqa: E402

TARGET = ROOT / "src" / "assistplan" / "flowise_nodes" / "definitions.json"
LEFT_OUT = {"Agent Flows", "Sequential Agents", "Multi Agents"}
REFERS = {"listAssistants": "FlowiseAssistant", "listTools": "FlowiseTool"}
FLAGS = ("list", "optional")


def compact_input(raw: dict[str, Any]) -> dict[str, Any]:
    kept: dict[str, Any] = {"type": raw["type"]}
    kept.update({flag: True for flag in FLAGS if raw.get(flag) is True})
    if raw.get("default") not in (None, ""):
        kept["default"] = raw["default"]
    refers = REFERS.get(str(raw.get("loadMethod")))
    return {**kept, "refers": refers} if refers else kept


def compact_node(raw: dict[str, Any]) -> dict[str, Any]:
    node: dict[str, Any] = {
        "version": raw["version"],
        "category": raw["category"],
        "baseClasses": raw.get("baseClasses") or [],
        "inputs": {item["name"]: compact_input(item) for item in raw.get("inputs") or []},
    }
    if raw.get("badge") == "DEPRECATING":
        node["deprecated"] = raw.get("deprecateMessage") or f"{raw['label']} is deprecated"
    credential = raw.get("credential")
    if isinstance(credential, dict):
        node["credential"] = {
            "names": credential.get("credentialNames") or [],
            "optional": bool(credential.get("optional")),
        }
    outputs = raw.get("outputs")
    if isinstance(outputs, list) and outputs:
        node["outputs"] = [item["name"] for item in outputs]
    return node


def main() -> None:
    run = server.entry_point(server.install_home())
    if run is None:
        sys.exit(f"Flowise {server.VERSION} is not installed: {server.INSTALL_HINT}")
    with tempfile.TemporaryDirectory() as scratch:
        flowise = server.start(run, Path(scratch), "http://127.0.0.1:9/v1")
        try:
            with flowise.client() as client:
                version = client.get("/version").json()["version"]
                listed = client.get("/nodes").json()
        finally:
            flowise.stop()
    nodes = {raw["name"]: compact_node(raw) for raw in listed if raw.get("category") not in LEFT_OUT}
    lines = [f"{json.dumps(name)}: {json.dumps(node, separators=(',', ':'))}" for name, node in sorted(nodes.items())]
    TARGET.write_text(f'{{"flowise": {json.dumps(version)}, "nodes": {{\n' + ",\n".join(lines) + "\n}}\n")
    print(f"{len(nodes)} node definitions of Flowise {version} written to {TARGET.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
