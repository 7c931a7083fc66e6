"""The refresh that plan and apply start while the manifests load: it reads the kinds the state records (with no
state file, the kinds the manifests declare, once they are read), and is used only when what it relied on still holds;
otherwise the refresh is made again. Either way the plan is the same."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any
from unittest import mock

import pytest

from assistplan import manifest
from assistplan.errors import ManifestError
from assistplan.manifest.models import ProjectConfig
from assistplan.plan.model import PlanOptions
from assistplan.providers import Provider, default_connectors
from assistplan.sandbox.faults import FaultConfig
from assistplan.state import StateFile, StateStore
from assistplan.workflow import Workspace
from conftest import Project


def apply(project: Project) -> None:
    result = project.run("apply", "--auto-approve")
    assert result.exit_code == 0, result.output


def listings(project: Project) -> dict[str, int]:
    return {route: count for route, count in project.sandbox.counters.items() if route.startswith("GET ")}


def plan_without_early_refresh(project: Project) -> dict[str, int]:
    """The GET requests of a plan that reads everything after the manifests loaded."""
    project.sandbox.reset_counters()
    workspace = Workspace(project.root)
    try:
        assert not workspace.plan(PlanOptions()).plan.has_changes
    finally:
        workspace.close()
    return listings(project)


def test_a_plan_reads_what_a_plan_without_the_early_refresh_reads(project: Project) -> None:
    apply(project)
    expected = plan_without_early_refresh(project)
    project.sandbox.reset_counters()

    result = project.run("plan", "--detailed-exitcode")

    assert result.exit_code == 0, result.output
    assert listings(project) == expected


def test_a_new_resource_of_a_recorded_kind_is_planned_without_listing_its_kind_twice(project: Project) -> None:
    apply(project)
    project.write("more.yaml", "kind: Agent\nname: newcomer\nmodel: gpt-5\n")
    project.sandbox.reset_counters()

    result = project.run("plan")

    assert result.exit_code == 0, result.output
    assert "Plan: 1 to add, 0 to change, 0 to destroy." in result.output
    assert project.sandbox.count("GET /agents") == 1


def test_a_state_changed_after_the_early_refresh_is_planned_from_a_new_refresh(project: Project) -> None:
    """The plan reads the state under the lock: an apply may have changed it since the early refresh read it."""
    apply(project)
    project.sandbox.reset_counters()
    workspace = Workspace(project.root, early_refresh=8)
    try:
        store = StateStore(project.state_path)
        state = store.load()
        assert state is not None
        forgotten = next(address for address in state.resources if address.kind == "Agent")
        store.write(state.without(forgotten))

        planned = workspace.plan(PlanOptions(), 8)
    finally:
        workspace.close()

    # listed by the early refresh, then again for the state the plan read
    assert project.sandbox.count("GET /agents") == 2
    assert "Agent" not in planned.inventory.read_by_id
    assert not planned.plan.has_changes


def test_another_parallelism_than_the_early_refresh_had_is_a_new_refresh(project: Project) -> None:
    apply(project)
    project.sandbox.reset_counters()
    workspace = Workspace(project.root, early_refresh=8)
    try:
        planned = workspace.plan(PlanOptions(), 3)
    finally:
        workspace.close()

    assert planned.inventory.parallelism == 3
    assert project.sandbox.count("GET /agents") == 2
    assert not planned.plan.has_changes


def test_a_moved_resource_is_planned_from_a_new_refresh(project: Project) -> None:
    apply(project)
    project.edit("stack.yaml", "name: support-agent\n", "name: helper\nmoved_from: Agent/support-agent\n")

    result = project.run("plan")

    assert result.exit_code == 0, result.output
    assert "Agent/support-agent has moved to Agent/helper" in result.output
    assert "Plan: 0 to add, 1 to change, 0 to destroy." in result.output


def test_a_manifest_error_is_reported_while_the_early_refresh_runs(project: Project) -> None:
    apply(project)
    project.write("broken.yaml", "kind: Agent\nname: broken\n")

    result = project.run("plan")

    assert result.exit_code == 1
    assert "broken.yaml:1:1: error:" in result.output
    assert "Traceback" not in result.output


def test_a_failed_early_refresh_is_reported_once(project: Project) -> None:
    apply(project)
    project.sandbox.set_faults(routes={"GET /agents": FaultConfig(rate=1.0, modes=("500",))})

    result = project.run("plan")

    assert result.exit_code == 1
    assert result.output.count("list agents") == 1, result.output


def test_the_state_is_parsed_once_when_its_files_are_unchanged_since_the_early_refresh_read_them(
    project: Project,
) -> None:
    apply(project)
    with mock.patch.object(StateFile, "model_validate", side_effect=StateFile.model_validate) as parse:
        workspace = Workspace(project.root, early_refresh=8)
        try:
            planned = workspace.plan(PlanOptions(), 8)
        finally:
            workspace.close()

    assert parse.call_count == 1
    assert not planned.plan.has_changes


def test_a_plan_without_a_state_file_reads_what_a_plan_without_the_early_refresh_reads(project: Project) -> None:
    apply(project)
    project.state_path.unlink()
    expected = plan_without_early_refresh(project)
    project.state_path.unlink()  # the plan wrote the state it rebuilt from the labels
    project.sandbox.reset_counters()

    result = project.run("plan", "--detailed-exitcode")

    assert result.exit_code == 0, result.output
    assert listings(project) == expected


def test_a_plan_without_a_state_file_lists_the_declared_kinds_once_while_the_manifests_resolve(
    project: Project,
) -> None:
    apply(project)
    project.state_path.unlink()
    project.sandbox.reset_counters()
    workspace = Workspace(project.root, early_refresh=8)
    try:
        assert workspace._early is not None
        early = workspace._early.result(timeout=60)
        planned = workspace.plan(PlanOptions(), 8)
    finally:
        workspace.close()

    assert early is not None
    assert early.inventory.listed_whole >= {"Agent", "VectorStore"}
    assert project.sandbox.count("GET /agents") == 1
    assert not planned.inventory.read_by_id
    assert not planned.plan.has_changes


def test_a_state_file_written_after_the_early_refresh_found_none_is_planned_from_a_new_refresh(
    project: Project,
) -> None:
    apply(project)
    state = StateStore(project.state_path).load()
    assert state is not None
    project.state_path.unlink()
    project.sandbox.reset_counters()
    workspace = Workspace(project.root, early_refresh=8)
    try:
        StateStore(project.state_path).write(state)  # an apply elsewhere, while the manifests loaded
        planned = workspace.plan(PlanOptions(), 8)
    finally:
        workspace.close()

    # listed by the early refresh, then again for the state the plan read
    assert project.sandbox.count("GET /agents") == 2
    assert not planned.plan.has_changes


def test_a_manifest_error_found_while_resolving_is_reported_and_the_early_refresh_is_dropped(
    project: Project,
) -> None:
    apply(project)
    project.state_path.unlink()
    project.write("broken.yaml", "kind: Agent\nname: broken\nmodel: gpt-5\ntools: [{function: missing}]\n")

    result = project.run("plan")

    assert result.exit_code == 1
    assert "broken.yaml:" in result.output
    assert "missing" in result.output
    assert "Traceback" not in result.output


def test_without_a_state_file_the_early_refresh_sends_nothing_for_manifests_that_fail_to_resolve(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    """It connects while references resolve, and sends its first request only once they all did: a refused root is
    never contacted."""
    apply(project)
    project.state_path.unlink()
    project.write("broken.yaml", "kind: Agent\nname: broken\nmodel: gpt-5\ntools: [{function: missing}]\n")
    project.sandbox.reset_counters()
    connected = threading.Event()

    def connect(config: ProjectConfig, root: Path) -> Provider:
        provider = default_connectors()["openai"](config, root)
        connected.set()
        return provider

    load_project = manifest.load_project

    def load_once_connected(*args: Any, on_declared: Callable[[frozenset[str]], None], **kwargs: Any) -> Any:
        def declared(kinds: frozenset[str]) -> None:
            on_declared(kinds)
            assert connected.wait(timeout=60)  # the resolution goes on with the early refresh connected

        return load_project(*args, on_declared=declared, **kwargs)

    monkeypatch.setattr(manifest, "load_project", load_once_connected)

    with pytest.raises(ManifestError) as refused:
        Workspace(project.root, connectors={"openai": connect}, early_refresh=8)
    for thread in threading.enumerate():
        if thread.name == "assistplan-early-refresh":
            thread.join(timeout=60)

    assert "missing" in refused.value.diagnostics.errors()[0].summary
    assert listings(project) == {}
