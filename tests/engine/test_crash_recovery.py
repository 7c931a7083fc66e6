"""An apply that is killed or whose responses are lost converges on the next run, with no duplicate objects."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections import Counter
from typing import Literal

import pytest

from assistplan.sandbox.faults import FaultConfig
from assistplan.sandbox.server import API_KEY
from conftest import KEY_ENV, STACK, Project


def remote_objects(project: Project) -> Counter[str]:
    """How many live objects carry each project and address label (files by name), across every kind."""
    client = project.client()
    seen: Counter[str] = Counter()
    for listing in (client.beta.agents.list(), client.beta.assistants.list(), client.vector_stores.list()):
        for obj in listing:
            metadata = obj.metadata or {}
            seen[f"{metadata.get('assistplan:project')}:{metadata.get('assistplan:address', obj.id)}"] += 1
    for file in client.files.list():
        seen[file.filename] += 1
    return seen


def assert_converged(project: Project) -> None:
    objects = remote_objects(project)
    duplicates = {name: n for name, n in objects.items() if n > 1}
    assert duplicates == {}
    assert sum(1 for name in objects if name.startswith("test-shop:")) == 3
    assert project.run("plan", "--detailed-exitcode").exit_code == 0


def test_lost_responses_and_server_errors_never_duplicate_objects(project: Project) -> None:
    project.sandbox.set_faults(rate=0.2, modes=("lost", "500", "429", "drop"), seed=7)
    for _ in range(6):
        if project.run("apply", "--auto-approve").exit_code == 0:
            break
    project.sandbox.set_faults(rate=0.0)

    result = project.run("apply", "--auto-approve")

    assert result.exit_code == 0, result.output
    assert_converged(project)


def test_a_failed_create_whose_object_was_committed_is_adopted(project: Project) -> None:
    project.sandbox.set_faults(routes={"POST /agents": FaultConfig(rate=1.0, modes=("lost",), max_faults=1)})

    result = project.run("apply", "--auto-approve")

    assert result.exit_code == 0, result.output
    assert project.sandbox.count("POST /agents") == 1
    assert_converged(project)


def test_an_agent_delete_whose_answer_was_lost_counts_as_deleted(project: Project) -> None:
    assert project.run("apply", "--auto-approve").exit_code == 0
    project.write("stack.yaml", "---\n".join(doc for doc in STACK.split("---\n") if "kind: Agent" not in doc))
    lost = FaultConfig(rate=1.0, modes=("lost",), max_faults=1)
    project.sandbox.set_faults(routes={"DELETE /agents/{agent_id}": lost})

    result = project.run("apply", "--auto-approve")

    assert result.exit_code == 0, result.output
    assert project.sandbox.count("DELETE /agents/{agent_id}") == 2
    assert list(project.client().beta.agents.list()) == []
    assert project.run("plan", "--detailed-exitcode").exit_code == 0


KILL_POINTS = [
    pytest.param("POST /files", 1, "before", id="first-upload-never-arrives"),
    pytest.param("POST /vector_stores", 1, "after", id="store-created-unanswered"),
    pytest.param("POST /assistants", 1, "after", id="assistant-created-unanswered"),
    pytest.param("POST /agents", 1, "before", id="agent-create-never-arrives"),
]
"""Where an apply is killed: the Nth request of a route, SIGKILLed just before the server handles it or just after it
committed (its answer never sent)."""


@pytest.mark.parametrize(("route", "n", "when"), KILL_POINTS)
def test_an_apply_killed_at_a_request_converges_without_duplicates(
    project: Project, route: str, n: int, when: Literal["before", "after"]
) -> None:
    env = {**os.environ, KEY_ENV: API_KEY}
    command = [sys.executable, "-c", "from assistplan.cli import main; main()", "--chdir", str(project.root)]
    child: list[subprocess.Popen[bytes]] = []
    trigger = project.sandbox.on_request(n, lambda: os.kill(child[0].pid, signal.SIGKILL), route=route, when=when)
    child.append(
        subprocess.Popen(
            [*command, "apply", "--auto-approve"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
    )

    assert child[0].wait(timeout=120) == -signal.SIGKILL
    assert trigger.fired.is_set()
    result = project.run("apply", "--auto-approve")

    assert result.exit_code == 0, result.output
    assert_converged(project)


def test_a_leftover_object_stamped_with_a_taken_address_is_deleted(project: Project) -> None:
    assert project.run("apply", "--auto-approve").exit_code == 0
    labels = {"assistplan:project": "test-shop", "assistplan:address": "Agent/support-agent"}
    leftover = project.client().beta.agents.create(model="gpt-5", name="support-agent", metadata=labels)

    result = project.run("apply", "--auto-approve")

    assert result.exit_code == 0, result.output
    assert f"Agent/support-agent#{leftover.id}" in result.output
    assert "Plan: 0 to add, 0 to change, 1 to destroy." in result.output
    assert leftover.id not in [a.id for a in project.client().beta.agents.list()]
    assert_converged(project)
