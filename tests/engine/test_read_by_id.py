"""When the refresh may read objects by id instead of listing whole collections: only when the state records every
address of the kind and the apply that wrote it finished; never for destroy. Either way the plan is the same."""

from __future__ import annotations

import gc

from assistplan.plan.model import PlanOptions
from assistplan.state import StateStore
from assistplan.workflow import Workspace
from conftest import Project

KINDS_READ_BY_ID = {"Agent", "Assistant", "File", "VectorStore"}


def apply(project: Project) -> None:
    result = project.run("apply", "--auto-approve")
    assert result.exit_code == 0, result.output


def plan(project: Project, options: PlanOptions | None = None) -> tuple[frozenset[str], bool]:
    workspace = Workspace(project.root)
    try:
        planned = workspace.plan(options or PlanOptions())
        return planned.inventory.read_by_id, planned.plan.has_changes
    finally:
        workspace.close()


def test_a_project_applied_to_the_end_is_read_by_id_and_plans_no_changes(project: Project) -> None:
    apply(project)

    read_by_id, has_changes = plan(project)

    assert read_by_id == KINDS_READ_BY_ID
    assert not has_changes


def test_without_a_state_file_every_collection_is_listed(project: Project) -> None:
    apply(project)
    project.state_path.unlink()

    read_by_id, has_changes = plan(project)

    assert read_by_id == frozenset()
    assert not has_changes


def test_a_kind_with_an_address_the_state_does_not_record_is_listed(project: Project) -> None:
    apply(project)
    project.write("more.yaml", "kind: Agent\nname: newcomer\nmodel: gpt-5\n")

    read_by_id, has_changes = plan(project)

    assert "Agent" not in read_by_id
    assert "Assistant" in read_by_id
    assert has_changes


def interrupt(project: Project) -> None:
    """Leave the journal an apply killed after one record leaves (the store that wrote it is gone)."""
    store = StateStore(project.state_path)
    state = store.load()
    assert state is not None
    address, recorded = next(iter(state.resources.items()))
    store.record(address, recorded)
    del store
    gc.collect()


def test_after_an_interrupted_apply_every_plan_lists_every_collection(project: Project) -> None:
    apply(project)
    interrupt(project)

    first, has_changes = plan(project)
    second, _ = plan(project)

    assert first == second == frozenset()
    assert not has_changes


def test_an_apply_after_an_interrupted_one_lets_the_next_plan_read_by_id(project: Project) -> None:
    apply(project)
    interrupt(project)

    apply(project)
    read_by_id, has_changes = plan(project)

    assert read_by_id == KINDS_READ_BY_ID
    assert not has_changes


def test_destroy_lists_every_collection(project: Project) -> None:
    apply(project)

    read_by_id, _ = plan(project, PlanOptions(destroy=True))

    assert read_by_id == frozenset()


def test_in_an_account_of_many_pages_the_project_agent_is_read_by_id_and_plans_no_changes(project: Project) -> None:
    apply(project)
    client = project.client()
    for index in range(600):
        client.beta.agents.create(model="gpt-5", name=f"other-{index}", metadata={"team": "another"})
    project.sandbox.reset_counters()

    read_by_id, has_changes = plan(project)

    assert "Agent" in read_by_id
    assert not has_changes
    assert project.sandbox.count("GET /agents/{agent_id}") == 1
    # one read takes one round, so a listing deeper than 1 + 1 rounds gives way to it; 7 pages walked from both ends
    # are at least 3 deep whenever the walks cross (assistplan.providers.paging). The walk from the top and the one
    # from the oldest agent stop by the page after their third, and the walk after the project's agent (the oldest)
    # asks for one page
    assert 3 <= project.sandbox.count("GET /agents") <= 4 + 4 + 1
