"""The early refresh of a process of one thread (the command as a user runs it) runs in a forked child process: the
plan it gives is the plan of a refresh made in the process itself, and it is used only when the state it read still
stands."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys

import pytest

from assistplan.sandbox.faults import FaultConfig
from assistplan.sandbox.server import API_KEY
from conftest import KEY_ENV, Project

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="the early refresh forks on Linux only")

# A fresh process of one thread opens the workspace with an early refresh; before planning it may rewrite the state
# file (dropping one agent's record), as an apply by someone else would
PLANNING = """
import json, sys
from pathlib import Path
from assistplan.plan.model import PlanOptions
from assistplan.state import StateStore
from assistplan.workflow import Workspace

root, forget = Path(sys.argv[1]), sys.argv[2] == "forget"
workspace = Workspace(root, early_refresh=8)
forked = workspace._early_child is not None
if forget:
    store = StateStore(workspace.store.path)
    state = store.load()
    store.write(state.without(next(address for address in state.resources if address.kind == "Agent")))
planned = workspace.plan(PlanOptions(), 8)
workspace.close()
print(json.dumps({
    "forked": forked,
    "changes": [f"{change.address} {change.action.value}" for change in planned.plan.resource_changes
                if change.action.value != "no-op"],
    "drift": [str(drift.address) for drift in planned.plan.drift],
}))
"""


def plan_in_fresh_process(project: Project, forget: bool = False) -> dict[str, object]:
    env = {**os.environ, KEY_ENV: API_KEY}
    done = subprocess.run(
        [sys.executable, "-c", PLANNING, str(project.root), "forget" if forget else "keep"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, object] = json.loads(done.stdout)
    return result


@pytest.fixture
def applied(project: Project) -> Project:
    result = project.run("apply", "--auto-approve")
    assert result.exit_code == 0, result.output
    project.sandbox.reset_counters()
    return project


def test_a_no_op_plan_reads_the_live_objects_once_in_a_child_process(applied: Project) -> None:
    result = plan_in_fresh_process(applied)

    assert result == {"forked": True, "changes": [], "drift": []}
    assert applied.sandbox.count("GET /agents") == 1


def test_a_no_op_plan_without_a_state_file_lists_the_declared_kinds_once_in_a_child_process(
    applied: Project,
) -> None:
    applied.state_path.unlink()

    result = plan_in_fresh_process(applied)

    assert result == {"forked": True, "changes": [], "drift": []}
    assert applied.sandbox.count("GET /agents") == 1


def test_drift_made_before_the_plan_is_read_by_the_child(applied: Project) -> None:
    client = applied.client()
    agent = next(iter(client.beta.agents.list()))
    client.beta.agents.update(agent.id, instructions="Edited in the dashboard.")

    result = plan_in_fresh_process(applied)

    assert result["forked"] is True
    assert result["drift"] == ["Agent/support-agent"]
    assert result["changes"] == ["Agent/support-agent update"]


def test_a_state_rewritten_after_the_child_read_it_is_planned_from_a_new_refresh(applied: Project) -> None:
    result = plan_in_fresh_process(applied, forget=True)

    assert result["forked"] is True
    # the agent whose record was dropped is found by its labels again: nothing to change
    assert result["changes"] == []
    # listed by the child, then again for the state the plan read
    assert applied.sandbox.count("GET /agents") == 2


def test_an_api_error_met_by_the_child_is_reported_as_the_commands_own(applied: Project) -> None:
    applied.sandbox.set_faults(routes={"GET /agents": FaultConfig(rate=1.0, modes=("500",))})
    env = {**os.environ, KEY_ENV: API_KEY}

    done = subprocess.run(
        [sys.executable, "-m", "assistplan", "--chdir", str(applied.root), "plan"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert done.returncode == 1, done.stdout
    assert "list agents" in done.stderr
    assert "request id" in done.stderr
    assert "Traceback" not in done.stderr


def test_an_interrupted_plan_stops_the_child_and_lists_nothing_again(applied: Project) -> None:
    # the uploads' listing takes 60 s; the agents' listing, once it arrives, interrupts the command
    applied.sandbox.set_faults(routes={"GET /files": FaultConfig(latency_ms=60_000)})
    env = {**os.environ, KEY_ENV: API_KEY}
    command = subprocess.Popen(
        [sys.executable, "-m", "assistplan", "--chdir", str(applied.root), "plan"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    applied.sandbox.on_request(
        1, lambda: os.kill(command.pid, signal.SIGINT), route="GET /agents", when="before", then="answer"
    )

    # ended long before the uploads' listing could have answered: nothing waited on the child
    assert command.wait(timeout=45) != 0
    assert applied.sandbox.count("GET /agents") == 1
