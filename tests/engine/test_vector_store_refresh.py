"""The refresh of vector stores: the attachments of the stores the state records are listed beside the stores, not a
round after them; a recorded store deleted since costs a request, never an object or an error."""

from __future__ import annotations

from assistplan.sandbox.faults import FaultConfig
from conftest import Project

FILES = "GET /vector_stores/{vector_store_id}/files"


def apply(project: Project) -> None:
    result = project.run("apply", "--auto-approve")
    assert result.exit_code == 0, result.output


def test_the_recorded_stores_attachments_are_asked_for_without_waiting_for_the_stores(project: Project) -> None:
    apply(project)
    project.sandbox.reset_counters()
    # the stores never come back: only an attachments listing that did not wait for them can have been asked for
    project.sandbox.set_faults(routes={"GET /vector_stores": FaultConfig(rate=1.0, modes=("500",))})

    result = project.run("plan")

    assert result.exit_code == 1
    assert "list vector stores" in result.output
    assert project.sandbox.count(FILES) == 1


def test_a_no_op_plan_lists_each_stores_attachments_once(project: Project) -> None:
    apply(project)
    project.sandbox.reset_counters()

    result = project.run("plan", "--detailed-exitcode")

    assert result.exit_code == 0, result.output
    assert project.sandbox.count(FILES) == 1


def test_a_recorded_store_deleted_since_is_planned_as_gone(project: Project) -> None:
    apply(project)
    client = project.client()
    store = next(iter(client.vector_stores.list()))
    client.vector_stores.delete(store.id)
    project.sandbox.reset_counters()

    result = project.run("plan")

    assert result.exit_code == 0, result.output
    assert "VectorStore/handbook" in result.output
    assert "Plan: 1 to add" in result.output
    # the deleted store's attachments were asked for beside the listing, and their answer was not used
    assert project.sandbox.count(FILES) == 1
