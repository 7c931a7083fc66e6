"""`destroy` under faults leaves zero project objects, files included, once it reports success; and it never reports
success while any remain. Before it, the project was applied and then changed under faults, so the server may also
hold leftovers of the project (replaced files, removed objects) that no address claims: destroy removes them too."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from assistplan.sandbox.server import SandboxServer
from invariants.conftest import COSTLIEST, project_and_its_change
from invariants.test_faults import MODES

ATTEMPTS = 8
"""How many times destroy is run under faults before the test gives up on it exiting 0."""


@COSTLIEST
@given(data=st.data())
def test_destroy_under_faults_leaves_no_project_objects(
    sandbox: SandboxServer, sandbox_profile: str, data: st.DataObject
) -> None:
    with project_and_its_change(sandbox, sandbox_profile, data) as (ws, _first, change):
        applied = ws.apply()
        assert applied.exit_code == 0, applied.output
        rate = data.draw(st.sampled_from([0.4, 0.25, 0.1]), label="fault rate")
        seed = data.draw(st.integers(0, 2**16), label="seed")
        ws.switch(change)
        sandbox.set_faults(rate=rate, modes=MODES, seed=seed)
        ws.apply()

        outputs = []
        for attempt in range(ATTEMPTS):
            sandbox.set_faults(rate=rate, modes=MODES, seed=seed + 1 + attempt)
            result = ws.run("destroy", "--auto-approve")
            sandbox.set_faults(rate=0.0)
            outputs.append(result.output)
            if result.exit_code == 0:
                break

        assert result.exit_code == 0, "\n----\n".join(outputs)
        assert [f"{obj.claim()} ({obj.id})" for obj in ws.inventory().of(ws.project)] == []
