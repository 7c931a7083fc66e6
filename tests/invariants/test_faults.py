"""Applies under injected faults (429, 500, dropped connections, and lost responses: done, then answered with an
error) may fail, but never leave duplicates or orphans: the next clean apply converges, files included. The faulty
applies create the project, then change it (new file contents, removed resources), so interrupted deletes of
replaced files and removed objects are exercised too."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from assistplan.sandbox.server import SandboxServer
from invariants.conftest import COSTLIEST, project_and_its_change
from invariants.convergence import assert_converged

MODES = ("lost", "500", "429", "drop")

fault_runs = st.lists(
    st.fixed_dictionaries(
        {
            "rate": st.sampled_from([0.4, 0.25, 0.1]),
            "seed": st.integers(0, 2**16),
            "lost_as": st.sampled_from(["500", "drop"]),
        }
    ),
    min_size=1,
    max_size=2,
)


@COSTLIEST
@given(data=st.data())
def test_applies_under_faults_are_completed_by_a_clean_apply(
    sandbox: SandboxServer, sandbox_profile: str, data: st.DataObject
) -> None:
    with project_and_its_change(sandbox, sandbox_profile, data) as (ws, first, change):
        for version in (first, change):
            ws.switch(version)
            for faults in data.draw(fault_runs, label="one apply per fault configuration"):
                sandbox.set_faults(modes=MODES, **faults)
                ws.apply()
                sandbox.set_faults(rate=0.0)

        assert_converged(ws)
