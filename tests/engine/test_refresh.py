"""Refresh across pages: a project with more agents than one list page holds plans as no changes, and drift on the
last page is still seen."""

from __future__ import annotations

import json

from conftest import Project

AGENTS = 150


def test_agents_beyond_the_first_page_are_read(project: Project) -> None:
    project.write("many.yaml", "---\n".join(f"kind: Agent\nname: bulk-{i:03d}\nmodel: gpt-5\n" for i in range(AGENTS)))
    assert project.run("apply", "--auto-approve", "--parallelism", "8").exit_code == 0

    assert project.run("plan", "--detailed-exitcode").exit_code == 0
    listed = list(project.client().beta.agents.list(limit=100))
    assert len(listed) == AGENTS + 1
    last = listed[-1]
    project.client().beta.agents.update(last.id, instructions="Edited in the dashboard.")

    view = json.loads(project.run("plan", "--format", "json").output)

    address = (last.metadata or {})["assistplan:address"]
    assert [(d["address"], d["changed_paths"]) for d in view["resource_drift"]] == [(address, ["instructions"])]
