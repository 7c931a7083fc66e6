"""Manifests for existing Flowise tools: the 13 marketplace tools survive export, apply to a fresh Flowise, and plan."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from assistplan.kinds.flowise_tools import split_mark
from assistplan.manifest.flowise_schema import normalize_rows

from .conftest import FlowiseProject, empty

MARKETPLACE = Path(__file__).resolve().parent / "marketplace-tools"


def marketplace_tools() -> list[dict[str, Any]]:
    return [json.loads(path.read_text(encoding="utf-8")) for path in sorted(MARKETPLACE.glob("*.json"))]


def comparable(tool: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": tool["name"],
        "description": tool["description"],
        "color": tool["color"],
        "iconSrc": tool.get("iconSrc"),
        "schema": normalize_rows(tool["schema"]),
        "func": split_mark(tool["func"])[1],
    }


def post_tools(project: FlowiseProject, tools: list[dict[str, Any]]) -> dict[str, str]:
    with project.api() as api:
        return {tool["name"]: api.post("/tools", json=tool).raise_for_status().json()["id"] for tool in tools}


def live_tools(project: FlowiseProject) -> dict[str, dict[str, Any]]:
    with project.api() as api:
        return {tool["name"]: comparable(tool) for tool in api.get("/tools").json()}


def test_the_marketplace_tools_round_trip_through_manifests_to_a_fresh_flowise(fproject: FlowiseProject) -> None:
    originals = marketplace_tools()
    assert len(originals) == 13
    post_tools(fproject, originals)

    exported = fproject.ok("flowise", "export-tools", "--out", str(fproject.root / "marketplace"))
    assert exported.output.count("assistplan import FlowiseTool/") == 13
    assert "26 resources" in fproject.ok("validate").output
    empty(fproject.flowise)
    fproject.apply()

    assert live_tools(fproject) == {tool["name"]: comparable(tool) for tool in originals}
    assert "No changes." in fproject.ok("plan").output


def test_exported_tools_adopted_by_import_plan_no_changes(fproject: FlowiseProject) -> None:
    originals = marketplace_tools()[:3]
    ids = post_tools(fproject, originals)
    fproject.ok("flowise", "export-tools")

    for name, remote_id in ids.items():
        fproject.ok("import", f"FlowiseTool/{name}", remote_id)

    assert "No changes." in fproject.ok("plan").output
    assert live_tools(fproject) == {tool["name"]: comparable(tool) for tool in originals}


def test_export_never_overwrites_a_file(fproject: FlowiseProject) -> None:
    post_tools(fproject, marketplace_tools()[:1])
    fproject.ok("flowise", "export-tools")

    again = fproject.run("flowise", "export-tools")

    assert again.exit_code == 1
    assert "never overwrites a file" in again.output


def test_export_leaves_out_the_tools_the_project_manages(fproject: FlowiseProject) -> None:
    ids = post_tools(fproject, marketplace_tools()[:1])
    fproject.ok("flowise", "export-tools", "--out", str(fproject.root / "exported"))
    [(name, remote_id)] = ids.items()
    fproject.ok("import", f"FlowiseTool/{name}", remote_id)

    again = fproject.ok("flowise", "export-tools", "--out", str(fproject.root / "again"))

    assert "No Flowise tools to export." in again.output


def test_text_that_looks_like_a_template_is_kept_as_it_is(fproject: FlowiseProject) -> None:
    tool = {"name": "greet", "description": "Says {{ hello }}.", "color": "red", "schema": "[]", "func": "return 1;"}
    post_tools(fproject, [tool])
    fproject.ok("flowise", "export-tools")
    empty(fproject.flowise)

    fproject.apply()

    assert live_tools(fproject)["greet"]["description"] == "Says {{ hello }}."
