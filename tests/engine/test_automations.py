"""Automation through the command against the sandbox: lifecycle, no perpetual diffs with or without the state file,
one-off runs, pause and resume, a lost create adopted, agent-created and foreign automations untouched."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

import pytest

from assistplan.sandbox import app as sandbox_app
from assistplan.sandbox.faults import FaultConfig
from conftest import Project

NIGHTLY = """\
kind: Automation
name: nightly-report
agent: support-agent
schedule: {cron: "0 3 * * *", timezone: Europe/Berlin}
input: Write the nightly report.
metadata: {team: support}
"""
TARGET = {
    "type": "new_session",
    "agent_id": "agent_foreign",
    "environment": {"type": "none"},
    "input": [{"role": "user", "content": [{"type": "input_text", "text": "Hello"}]}],
}


@pytest.fixture
def nightly(project: Project) -> Project:
    project.write("automations.yaml", NIGHTLY)
    return project


def applied(project: Project) -> str:
    result = project.run("apply", "--auto-approve")
    assert result.exit_code == 0, result.output
    return result.output


def changes(project: Project) -> dict[str, tuple[list[str], list[str]]]:
    result = project.run("plan", "--format", "json")
    assert result.exit_code == 0, result.output
    view = json.loads(result.output)
    return {
        rc["address"]: (rc["change"]["actions"], rc["change"]["changed_paths"])
        for rc in view["resource_changes"]
        if rc["change"]["actions"] != ["no-op"]
    }


def remote(project: Project) -> list[Any]:
    return list(project.client().beta.agents.automations.list())


def no_changes(project: Project) -> None:
    result = project.run("plan", "--detailed-exitcode")
    assert result.exit_code == 0, result.output
    assert "No changes." in result.output


def future(hours: int) -> str:
    return datetime.fromtimestamp(int(time.time()) + hours * 3600, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def clock_ahead(monkeypatch: pytest.MonkeyPatch, hours: int) -> None:
    """The sandbox's clock `hours` ahead: a one-off due by then has run (`completed`) when it is next read."""
    now = time.time
    monkeypatch.setattr(sandbox_app, "time", SimpleNamespace(time=lambda: now() + hours * 3600))


def test_apply_creates_the_automation_for_the_saved_agent(nightly: Project) -> None:
    applied(nightly)

    [automation] = remote(nightly)
    agent_id = nightly.state()["resources"]["Agent/support-agent"]["id"]
    assert (automation.type, automation.expression, automation.timezone) == ("periodic", "0 3 * * *", "Europe/Berlin")
    assert automation.target.agent_id == agent_id
    assert automation.target.environment.type == "none"
    assert automation.metadata["team"] == "support"
    assert automation.target.metadata["assistplan:address"] == "Automation/nightly-report"


def test_plan_after_apply_has_no_changes(nightly: Project) -> None:
    applied(nightly)

    no_changes(nightly)


def test_plan_without_the_state_file_has_no_changes(nightly: Project) -> None:
    applied(nightly)
    nightly.state_path.unlink()

    no_changes(nightly)


def test_changing_the_cron_updates_exactly_that_field(nightly: Project) -> None:
    applied(nightly)
    [before] = remote(nightly)
    nightly.edit("automations.yaml", '"0 3 * * *"', '"30 4 * * 1-5"')

    assert changes(nightly) == {"Automation/nightly-report": (["update"], ["expression"])}
    applied(nightly)
    [after] = remote(nightly)
    assert (after.id, after.expression) == (before.id, "30 4 * * 1-5")
    no_changes(nightly)


def test_paused_pauses_and_unpausing_resumes(nightly: Project) -> None:
    applied(nightly)
    nightly.edit("automations.yaml", "metadata: {team: support}", "metadata: {team: support}\npaused: true")

    assert changes(nightly) == {"Automation/nightly-report": (["update"], ["paused"])}
    applied(nightly)
    assert remote(nightly)[0].status == "paused"
    no_changes(nightly)
    nightly.edit("automations.yaml", "paused: true", "paused: false")
    applied(nightly)
    assert remote(nightly)[0].status == "active"


def test_a_pause_by_the_service_shows_as_drift_with_its_reason(nightly: Project) -> None:
    applied(nightly)
    [automation] = remote(nightly)
    stored = nightly.sandbox.store.get("automation", automation.id)
    assert stored is not None
    nightly.sandbox.store.put("automation", {**stored, "status": "paused", "pause_reason": "target_session_failed"})

    result = nightly.run("plan")

    assert result.exit_code == 0, result.output
    assert "target_session_failed" in result.output
    assert changes(nightly) == {"Automation/nightly-report": (["update"], ["pause_reason", "paused"])}
    assert remote(nightly)[0].status == "paused"


def test_switching_to_a_one_off_replaces_the_automation(nightly: Project) -> None:
    applied(nightly)
    nightly.edit("automations.yaml", 'schedule: {cron: "0 3 * * *", timezone: Europe/Berlin}', f"run_at: {future(2)}")

    actions, paths = changes(nightly)["Automation/nightly-report"]

    assert actions == ["create", "delete"] or actions == ["delete", "create"]
    assert "type" in paths


def test_a_one_off_automation_applies_and_moves_in_place(project: Project) -> None:
    project.write(
        "automations.yaml",
        NIGHTLY.replace('schedule: {cron: "0 3 * * *", timezone: Europe/Berlin}', f"run_at: {future(2)}"),
    )
    applied(project)
    [automation] = remote(project)
    assert automation.type == "once"
    no_changes(project)
    project.state_path.unlink()
    no_changes(project)

    project.write(
        "automations.yaml",
        NIGHTLY.replace('schedule: {cron: "0 3 * * *", timezone: Europe/Berlin}', f"run_at: {future(3)}"),
    )

    assert changes(project) == {"Automation/nightly-report": (["update"], ["run_at"])}
    applied(project)
    assert remote(project)[0].id == automation.id


def test_removing_the_automation_deletes_it(nightly: Project) -> None:
    applied(nightly)
    (nightly.root / "automations.yaml").unlink()

    output = applied(nightly)

    assert "Plan: 0 to add, 0 to change, 1 to destroy." in output
    assert remote(nightly) == []


def test_a_lost_create_response_leaves_one_automation(nightly: Project) -> None:
    nightly.sandbox.set_faults(
        routes={"POST /agents/automations": FaultConfig(rate=1.0, modes=("lost",), max_faults=1)}
    )

    applied(nightly)

    assert len(remote(nightly)) == 1
    no_changes(nightly)


def test_agent_created_and_foreign_automations_are_left_alone(nightly: Project) -> None:
    client = nightly.client()
    foreign = client.beta.agents.automations.create(
        type="periodic", name="theirs", expression="0 9 * * *", timezone="UTC", target=TARGET
    )
    by_agent = {
        **foreign.to_dict(),
        "id": "auto_byagent",
        "created_by": {"type": "agent", "session_id": "sess_1", "tool_call_id": "call_1"},
        "metadata": {"assistplan:project": "test-shop", "assistplan:address": "Automation/nightly-report"},
    }
    nightly.sandbox.store.put("automation", by_agent)

    applied(nightly)
    nightly.run("destroy", "--auto-approve")

    assert sorted(a.id for a in remote(nightly)) == sorted([foreign.id, "auto_byagent"])


def test_an_environment_template_is_sent_by_id_and_plans_no_changes(nightly: Project) -> None:
    nightly.write("templates.yaml", "kind: EnvironmentTemplate\nname: analysis\npackages: {python: [pandas]}\n")
    nightly.edit("automations.yaml", "metadata:", "environment_template: analysis\nmetadata:")

    applied(nightly)

    template_id = nightly.state()["resources"]["EnvironmentTemplate/analysis"]["id"]
    environment = remote(nightly)[0].target.environment
    assert (environment.type, environment.environment_template_id) == ("openai_hosted", template_id)
    no_changes(nightly)
    nightly.state_path.unlink()
    no_changes(nightly)


def test_a_completed_one_off_the_manifest_pauses_plans_no_changes_with_and_without_state(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    one_off = NIGHTLY.replace('schedule: {cron: "0 3 * * *", timezone: Europe/Berlin}', f"run_at: {future(2)}")
    project.write("automations.yaml", one_off)
    applied(project)
    clock_ahead(monkeypatch, 3)
    assert remote(project)[0].status == "completed"
    project.write("automations.yaml", one_off + "paused: true\n")

    no_changes(project)
    applied(project)
    no_changes(project)
    project.state_path.unlink()
    no_changes(project)
