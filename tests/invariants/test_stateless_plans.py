"""A plan without a state file equals a plan with one: after a successful apply both are "No changes", and
`state pull` rebuilds, from the live labels alone, the resources apply recorded."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, note
from hypothesis import strategies as st

from assistplan.sandbox.server import API_KEY, SandboxServer
from invariants.conftest import SUITE, projects_for
from invariants.workspace import Workspace, workspace

RECOVERABLE = ("kind", "name", "id", "digest", "applied", "imported")
"""What `state pull` must rebuild for every address, equal to what apply recorded. Not compared: `updated_at` (when
the entry was written) and `attributes` (kind-specific keys only the state holds, such as the fingerprint key of a
credential's or an environment template's secrets); so the fingerprints made with that key are not compared either
(a rebuilt state knows which variable each secret comes from, not the fingerprint of its value)."""


def applied(ws: Workspace) -> dict[str, Any]:
    note(ws.generated.listing())
    result = ws.apply()
    assert result.exit_code == 0, result.output
    return ws.state()


def without_fingerprints(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: without_fingerprints(item) for key, item in value.items() if key != "fingerprint"}
    if isinstance(value, list):
        return [without_fingerprints(item) for item in value]
    return value


def recoverable(state: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        address: {key: without_fingerprints(entry.get(key)) for key in RECOVERABLE}
        for address, entry in state["resources"].items()
    }


@SUITE
@given(data=st.data())
def test_a_fresh_apply_plans_no_changes(sandbox: SandboxServer, sandbox_profile: str, data: st.DataObject) -> None:
    with workspace(sandbox, data.draw(projects_for(sandbox_profile), label="project"), API_KEY) as ws:
        applied(ws)

        plan = ws.plan()

        assert plan.exit_code == 0, plan.output


@SUITE
@given(data=st.data())
def test_a_plan_without_the_state_file_after_apply_is_no_changes(
    sandbox: SandboxServer, sandbox_profile: str, data: st.DataObject
) -> None:
    with workspace(sandbox, data.draw(projects_for(sandbox_profile), label="project"), API_KEY) as ws:
        applied(ws)
        ws.state_path.unlink()

        plan = ws.plan()

        assert plan.exit_code == 0, plan.output


@SUITE
@given(data=st.data())
def test_state_pull_rebuilds_the_resources_apply_recorded(
    sandbox: SandboxServer, sandbox_profile: str, data: st.DataObject
) -> None:
    with workspace(sandbox, data.draw(projects_for(sandbox_profile), label="project"), API_KEY) as ws:
        recorded = applied(ws)
        ws.state_path.unlink()

        pulled = ws.run("state", "pull")

        assert pulled.exit_code == 0, pulled.output
        assert recoverable(json.loads(pulled.stdout)) == recoverable(recorded)
