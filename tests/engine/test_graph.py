"""`assistplan graph`, through the command: the manifests' dependency graph, and what a plan changes."""

from __future__ import annotations

from pathlib import Path

from conftest import Project


def test_graph_draws_the_manifests_dependencies_as_dot_without_reading_the_api(project: Project) -> None:
    project.write("assistplan.yaml", "project: test-shop\nopenai: {base_url: http://127.0.0.1:9, api_key_env: NONE}\n")

    result = project.run("graph")

    assert result.exit_code == 0, result.output
    assert result.output.startswith("digraph assistplan {\n")
    assert '  "VectorStore/handbook" -> "Assistant/support";\n' in result.output
    assert '  "Function/get_order_status" -> "Agent/support-agent";\n' in result.output


def test_graph_as_mermaid(project: Project) -> None:
    result = project.run("graph", "--format", "mermaid")

    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "flowchart LR"
    ids = {line.split('["')[1].rstrip('"]'): line.split("[")[0].strip() for line in lines if '["' in line}
    assert f"  {ids['VectorStore/handbook']} --> {ids['Assistant/support']}" in lines


def test_graph_changed_only_shows_the_planned_changes_and_what_depends_on_them(project: Project) -> None:
    assert project.run("apply", "--auto-approve").exit_code == 0
    project.edit(
        "stack.yaml", "metadata: {team: support}\n---\nkind: Assistant", "metadata: {team: docs}\n---\nkind: Assistant"
    )

    result = project.run("graph", "--changed-only", "--format", "mermaid")

    assert result.exit_code == 0, result.output
    labels = [line.split('["')[1].split('"]')[0] for line in result.output.splitlines() if '["' in line]
    assert labels == ["~ VectorStore/handbook", "Assistant/support"]


def test_graph_marks_the_changes_of_a_saved_plan(project: Project, tmp_path: Path) -> None:
    project.run("plan", "--out", str(tmp_path / "first.plan"))

    result = project.run("graph", "--plan", str(tmp_path / "first.plan"))

    assert result.exit_code == 0, result.output
    assert '"Agent/support-agent" [label="+ Agent/support-agent", style=filled' in result.output
    assert '"Function/get_order_status" [label="Function/get_order_status"];' in result.output
