"""An apply SIGKILLed at any request is completed by the next apply: no duplicates, no orphans, no changes left.

Kill points are counted, never timed: a sandbox trigger kills the `assistplan apply` subprocess when the server receives
its Nth request, either before handling it (the request never takes effect) or after committing it (its answer is
lost). N is drawn from 1 to the number of requests an uninterrupted apply of the same project makes. Applies run with
`--parallelism 1` so that request N is the same request on every run.
"""

from __future__ import annotations

import os
import signal

from hypothesis import given, note
from hypothesis import strategies as st

from assistplan.sandbox.server import API_KEY, SandboxServer
from invariants.conftest import COSTLY, projects_for
from invariants.convergence import assert_converged
from invariants.workspace import Workspace, workspace

SEQUENTIAL = ("--parallelism", "1")


def requests_of_an_uninterrupted_apply(ws: Workspace) -> int:
    """Apply, count the requests, and put the sandbox and the manifest root back to nothing applied."""
    ws.sandbox.reset()
    result = ws.run("apply", "--auto-approve", *SEQUENTIAL)
    assert result.exit_code == 0, result.output
    total = sum(ws.sandbox.counters.values())
    ws.sandbox.reset()
    ws.state_path.unlink()
    return total


def killed_apply(ws: Workspace, n: int, when: str) -> bool:
    """Run `apply` as a subprocess, SIGKILLed when the sandbox receives its `n`th request; whether it was killed."""
    child = []
    trigger = ws.sandbox.on_request(n, lambda: os.kill(child[0].pid, signal.SIGKILL), when=when)
    child.append(ws.spawn("apply", "--auto-approve", *SEQUENTIAL))
    returncode = child[0].wait(timeout=300)
    assert trigger.fired.is_set() == (returncode == -signal.SIGKILL)
    return trigger.fired.is_set()


@COSTLY
@given(data=st.data())
def test_an_apply_killed_at_any_request_converges_on_the_next_apply(
    sandbox: SandboxServer, sandbox_profile: str, data: st.DataObject
) -> None:
    with workspace(sandbox, data.draw(projects_for(sandbox_profile), label="project"), API_KEY) as ws:
        note(ws.generated.listing())
        total = requests_of_an_uninterrupted_apply(ws)
        kills = data.draw(
            st.lists(st.tuples(st.integers(1, total), st.sampled_from(["before", "after"])), min_size=1, max_size=2),
            label="kills (Nth request counted from the start of each apply, before/after the server handles it)",
        )
        first, *more = kills
        assert killed_apply(ws, *first), "an apply from nothing makes as many requests as the one counted"
        for n, when in more:
            killed_apply(ws, n, when)

        assert_converged(ws)
