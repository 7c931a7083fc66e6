"""`destroy` under faults leaves zero project objects, files included, once it reports success; and it never reports
success while any remain."""

from __future__ import annotations

from hypothesis import given, note
from hypothesis import strategies as st

from assistplan.sandbox.server import API_KEY, SandboxServer
from invariants.conftest import COSTLY, projects_for
from invariants.test_faults import MODES
from invariants.workspace import workspace

ATTEMPTS = 8
"""How many times destroy is run under faults before the test gives up on it exiting 0."""


@COSTLY
@given(data=st.data())
def test_destroy_under_faults_leaves_no_project_objects(
    sandbox: SandboxServer, sandbox_profile: str, data: st.DataObject
) -> None:
    with workspace(sandbox, data.draw(projects_for(sandbox_profile), label="project"), API_KEY) as ws:
        note(ws.generated.listing())
        applied = ws.apply()
        assert applied.exit_code == 0, applied.output
        rate = data.draw(st.sampled_from([0.1, 0.25, 0.4]), label="fault rate")
        seed = data.draw(st.integers(0, 2**16), label="seed")

        outputs = []
        for attempt in range(ATTEMPTS):
            sandbox.set_faults(rate=rate, modes=MODES, seed=seed + attempt)
            result = ws.run("destroy", "--auto-approve")
            sandbox.set_faults(rate=0.0)
            outputs.append(result.output)
            if result.exit_code == 0:
                break

        assert result.exit_code == 0, "\n----\n".join(outputs)
        assert [f"{obj.claim()} ({obj.id})" for obj in ws.inventory().of(ws.project)] == []
