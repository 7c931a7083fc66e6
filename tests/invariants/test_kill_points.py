"""An apply SIGKILLed at any request is completed by the next apply: no duplicates, no orphans, no changes left.

Kill points are counted, never timed: a sandbox trigger kills the `assistplan apply` subprocess when the server receives
its Nth request, either before handling it (the request never takes effect) or after committing it (its answer is
lost). N is drawn from 1 to the number of requests an uninterrupted apply of the same project (or of the same change
to it) makes, or taken from a table of route kill points. Killed applies run with `--parallelism 1` so that request N
is the same request on every run.
"""

from __future__ import annotations

import os
import signal

import pytest
from hypothesis import given, note
from hypothesis import strategies as st

from assistplan.sandbox.profiles import PROFILES
from assistplan.sandbox.server import API_KEY, SandboxServer
from invariants.conftest import COSTLIEST, PLATFORM_PROFILES, project_and_its_change, projects_for
from invariants.convergence import assert_converged
from invariants.projects import GeneratedProject
from invariants.workspace import Workspace, workspace

SEQUENTIAL = ("--parallelism", "1")
WHEN = ("after", "before")


def requests_of_an_uninterrupted_apply(ws: Workspace, *, reset: bool = True) -> int:
    """Apply, count the requests, and put the sandbox and the manifest root back to nothing applied."""
    if reset:
        ws.sandbox.reset()
    else:
        ws.sandbox.reset_counters()
    result = ws.run("apply", "--auto-approve", *SEQUENTIAL)
    assert result.exit_code == 0, result.output
    total = sum(ws.sandbox.counters.values())
    ws.sandbox.reset()
    ws.state_path.unlink()
    return total


def requests_of_an_uninterrupted_change(ws: Workspace, change: GeneratedProject) -> int:
    """Apply the project, count the requests of applying `change` on it, then apply the project again from nothing
    and leave `change` in the manifest root, unapplied."""
    first = ws.generated
    applied = ws.apply()
    assert applied.exit_code == 0, applied.output
    ws.switch(change)
    total = requests_of_an_uninterrupted_apply(ws, reset=False)
    ws.switch(first)
    applied = ws.apply()
    assert applied.exit_code == 0, applied.output
    ws.switch(change)
    return total


def killed_apply(ws: Workspace, n: int, when: str, route: str | None = None) -> bool:
    """Run `apply` as a subprocess, SIGKILLed when the sandbox receives its `n`th request (of `route`, or of any);
    whether it was killed."""
    child = []
    trigger = ws.sandbox.on_request(n, lambda: os.kill(child[0].pid, signal.SIGKILL), route=route, when=when)
    child.append(ws.spawn("apply", "--auto-approve", *SEQUENTIAL))
    returncode = child[0].wait(timeout=300)
    killed = trigger.fired.is_set()
    ws.sandbox.triggers.clear()
    assert killed == (returncode == -signal.SIGKILL)
    return killed


@COSTLIEST
@given(data=st.data())
def test_an_apply_killed_at_any_request_converges_on_the_next_apply(
    sandbox: SandboxServer, sandbox_profile: str, data: st.DataObject
) -> None:
    with workspace(sandbox, data.draw(projects_for(sandbox_profile), label="project"), API_KEY) as ws:
        note(ws.generated.listing())
        total = requests_of_an_uninterrupted_apply(ws)
        kill_twice(ws, data, total)

        assert_converged(ws)


@COSTLIEST
@given(data=st.data())
def test_an_apply_of_a_change_killed_at_any_request_converges_on_the_next_apply(
    sandbox: SandboxServer, sandbox_profile: str, data: st.DataObject
) -> None:
    with project_and_its_change(sandbox, sandbox_profile, data) as (ws, _first, change):
        total = requests_of_an_uninterrupted_change(ws, change)
        kill_twice(ws, data, total)

        assert_converged(ws)


def kill_twice(ws: Workspace, data: st.DataObject, total: int) -> None:
    """Two applies killed at drawn requests (the simplest draw: the middle one, after it committed); the first is
    always killed, since it starts where the count did."""
    middle = (total + 1) // 2
    point = st.tuples(
        st.integers(1 - middle, total - middle).map(lambda offset: middle + offset), st.sampled_from(WHEN)
    )
    kills = data.draw(
        st.lists(point, min_size=2, max_size=2),
        label="kills (Nth request counted from the start of each apply, after/before the server handles it)",
    )
    first, second = kills
    assert killed_apply(ws, *first), (
        f"an apply from the same start makes as many requests as the one counted; it printed:\n{ws.spawned_output()}"
    )
    killed_apply(ws, *second)


KILL_TABLE: dict[str, list[list[tuple[str, int, str]]]] = {
    "store-created-unanswered-then-batch-attached-unanswered": [
        [
            ("POST /vector_stores", 1, "after"),
            ("POST /vector_stores/{vector_store_id}/file_batches", 1, "after"),
        ]
    ],
    "skill-template-credential-automation-each-created-unanswered": [
        [("POST /skills", 1, "after")],
        [("POST /agents/environments/templates", 1, "after")],
        [("POST /vaults/{vault_id}/credentials", 1, "after")],
        [("POST /agents/automations", 1, "after")],
    ],
}
"""Kill points by route (the Nth request of a route, before or after the server handles it). Each inner list is a
sequence of applies killed one after the other from a fresh sandbox, the last followed by one that must converge. A
sequence holds only kill points an apply reaches in a set order (a file batch needs its store): objects of
independent kinds are created in no set order, even at `--parallelism 1` (two threads take turns on its one request
slot), so an apply killed at a skill may have created a credential first, and those get a sequence each."""
PLATFORM_ROUTES = ("POST /vaults", "POST /skills", "POST /agents/")
PLATFORM_TABLE_PROFILE = PLATFORM_PROFILES[-1]
"""The profile that runs the table's Agents platform rows (the `sandbox` profile answers those routes the same)."""


def on_platform(sequences: list[list[tuple[str, int, str]]]) -> bool:
    """Whether a row kills at a route of the Agents platform."""
    return any(route.startswith(PLATFORM_ROUTES) for sequence in sequences for route, *_ in sequence)


def table_rows() -> list[object]:
    """Each row of the table once per profile that serves its routes: every profile, or only the platform one."""
    rows: list[object] = []
    for name, sequences in KILL_TABLE.items():
        for profile in (PLATFORM_TABLE_PROFILE,) if on_platform(sequences) else PROFILES:
            rows.append(pytest.param(sequences, profile, id=f"{name}-{profile}"))
    return rows


@pytest.mark.parametrize(("sequences", "sandbox_profile"), table_rows(), indirect=["sandbox_profile"])
@COSTLIEST
@given(data=st.data())
def test_an_apply_killed_at_each_point_of_a_table_converges_on_the_next_apply(
    sandbox: SandboxServer, sandbox_profile: str, sequences: list[list[tuple[str, int, str]]], data: st.DataObject
) -> None:
    project = data.draw(projects_for(sandbox_profile, on_platform(sequences)), label="project")
    note(project.listing())
    for sequence in sequences:
        with workspace(sandbox, project, API_KEY) as ws:
            for route, n, when in sequence:
                assert killed_apply(ws, n, when, route=route), (
                    f"no apply reached request {n} of {route}; it printed:\n{ws.spawned_output()}"
                )

            assert_converged(ws)
