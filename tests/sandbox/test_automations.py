"""Automations (beta): periodic and one-time schedules, targets read back with their defaults, partial updates,
pause and resume, manual invocations, list pagination and the `session_id` filter, and the API's errors."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import openai
import pytest

from assistplan.sandbox.server import SandboxServer

from .conftest import RawResponse

INPUT = [{"role": "user", "content": [{"type": "input_text", "text": "Write the nightly report."}]}]
TARGET: dict[str, Any] = {
    "type": "new_session",
    "agent_id": "agent_1",
    "environment": {"type": "openai_hosted", "environment_template_id": "envtpl_1"},
    "input": INPUT,
}


def periodic(client: openai.OpenAI, **overrides: Any) -> Any:
    options: dict[str, Any] = {
        "name": "nightly",
        "expression": "0 3 * * *",
        "timezone": "Europe/Berlin",
        "target": TARGET,
        **overrides,
    }
    return client.beta.agents.automations.create(type="periodic", **options)


def once(client: openai.OpenAI, run_at: int | None = None, **overrides: Any) -> Any:
    run_at = run_at if run_at is not None else int(time.time()) + 3600
    target = {**TARGET, "environment": {"type": "none"}}
    return client.beta.agents.automations.create(type="once", name="launch", run_at=run_at, target=target, **overrides)


def test_periodic_automation_reads_back_with_every_default(openai_client: openai.OpenAI) -> None:
    automation = periodic(openai_client)

    assert automation.id.startswith("auto_")
    assert automation.to_dict() == {
        "id": automation.id,
        "object": "agent.automation",
        "type": "periodic",
        "name": "nightly",
        "created_at": automation.created_at,
        "created_by": {"type": "developer"},
        "expression": "0 3 * * *",
        "timezone": "Europe/Berlin",
        "metadata": {},
        "status": "active",
        "pause_reason": None,
        "target": {
            "type": "new_session",
            "agent_id": "agent_1",
            "agent": None,
            "environment": {
                "type": "openai_hosted",
                "environment_template_id": "envtpl_1",
                "environment_id": None,
                "container_size": None,
                "capability_directories": None,
                "desktop": None,
                "files": None,
                "network": None,
                "packages": None,
                "plugins": None,
                "skills": None,
            },
            "input": [{**INPUT[0], "type": "message"}],
            "metadata": {},
            "vault_ids": [],
        },
    }


def test_hosted_environment_never_returns_env_or_setup_commands(openai_client: openai.OpenAI) -> None:
    environment = {"type": "openai_hosted", "env": {"TOKEN": "s3cret"}, "setup_commands": ["make"]}

    automation = periodic(openai_client, target={**TARGET, "environment": environment})

    assert "env" not in automation.to_dict()["target"]["environment"]
    assert "setup_commands" not in automation.to_dict()["target"]["environment"]


def test_one_time_automation_reads_back_its_run_at(openai_client: openai.OpenAI) -> None:
    run_at = int(time.time()) + 3600

    automation = once(openai_client, run_at)

    assert (automation.type, automation.run_at, automation.status) == ("once", run_at, "active")
    assert automation.target.environment.to_dict() == {"type": "none"}


def test_retrieve_answers_the_union_by_type(openai_client: openai.OpenAI) -> None:
    made = [periodic(openai_client), once(openai_client)]

    read = [openai_client.beta.agents.automations.retrieve(a.id) for a in made]

    assert [type(a).__name__ for a in read] == ["PeriodicAutomation", "OneTimeAutomation"]


def test_inline_agent_reads_back_resolved(openai_client: openai.OpenAI) -> None:
    target = {**TARGET, "agent_id": None, "agent": {"model": "gpt-5", "instructions": "Report."}}

    automation = periodic(openai_client, target=target)

    agent = automation.to_dict()["target"]["agent"]
    assert (agent["model"], agent["instructions"], agent["service_tier"]) == ("gpt-5", "Report.", "auto")
    assert automation.target.agent_id is None


def test_target_needs_exactly_one_of_agent_id_and_agent(openai_client: openai.OpenAI) -> None:
    target = {**TARGET, "agent": {"model": "gpt-5"}}

    with pytest.raises(openai.BadRequestError, match=r"Exactly one of 'target\.agent_id' or 'target\.agent'"):
        periodic(openai_client, target=target)


@pytest.mark.parametrize(
    ("expression", "problem"),
    [
        ("0 3 * *", "has 4"),
        ("60 3 * * *", "60 is out of range 0-59"),
        ("0 3 * * MON-FOO", '"FOO" is not a number'),
        ("*/0 * * * *", "at least 1"),
        ("@daily", "has 1"),
    ],
)
def test_a_bad_cron_expression_is_refused(openai_client: openai.OpenAI, expression: str, problem: str) -> None:
    with pytest.raises(openai.BadRequestError, match=problem) as error:
        periodic(openai_client, expression=expression)

    assert error.value.param == "expression"


def test_cron_names_lists_ranges_and_steps_are_accepted(openai_client: openai.OpenAI) -> None:
    automation = periodic(openai_client, expression="*/15 8-18/2 1,15 jan-JUN mon-fri")

    assert automation.expression == "*/15 8-18/2 1,15 jan-JUN mon-fri"


def test_an_unknown_timezone_is_refused(openai_client: openai.OpenAI) -> None:
    with pytest.raises(openai.BadRequestError, match="Europe/Berlin") as error:
        periodic(openai_client, timezone="Europe/Berln")

    assert error.value.param == "timezone"


def test_run_at_in_the_past_is_refused(openai_client: openai.OpenAI) -> None:
    with pytest.raises(openai.BadRequestError, match="must be in the future") as error:
        once(openai_client, int(time.time()) - 60)

    assert error.value.param == "run_at"


def test_update_changes_only_the_fields_sent(openai_client: openai.OpenAI) -> None:
    automation = periodic(openai_client, metadata={"team": "ops"})

    updated = openai_client.beta.agents.automations.update(automation.id, expression="30 4 * * *")

    assert updated.to_dict() == {**automation.to_dict(), "expression": "30 4 * * *"}


def test_update_replaces_metadata_and_target_whole(openai_client: openai.OpenAI) -> None:
    automation = periodic(openai_client, metadata={"team": "ops", "tier": "1"})
    target = {**TARGET, "environment": {"type": "none"}, "vault_ids": ["vault_1"]}

    updated = openai_client.beta.agents.automations.update(automation.id, metadata={"team": "sre"}, target=target)

    assert updated.metadata == {"team": "sre"}
    assert updated.to_dict()["target"]["environment"] == {"type": "none"}
    assert updated.to_dict()["target"]["vault_ids"] == ["vault_1"]


def test_type_cannot_be_updated(openai_client: openai.OpenAI) -> None:
    automation = periodic(openai_client)

    with pytest.raises(openai.BadRequestError, match="Unknown parameter: 'type'"):
        openai_client.beta.agents.automations.update(automation.id, extra_body={"type": "once"})


def test_target_type_cannot_be_updated(openai_client: openai.OpenAI) -> None:
    automation = periodic(openai_client)
    target = {"type": "existing_session", "session_id": "sess_1", "instructions": "Report."}

    with pytest.raises(openai.BadRequestError, match="target type cannot change"):
        openai_client.beta.agents.automations.update(automation.id, target=target)


def test_expression_is_refused_on_a_one_time_automation(openai_client: openai.OpenAI) -> None:
    automation = once(openai_client)

    with pytest.raises(openai.BadRequestError, match="only accepted for periodic automations"):
        openai_client.beta.agents.automations.update(automation.id, expression="0 3 * * *")


def test_run_at_moves_before_the_scheduled_invocation(openai_client: openai.OpenAI) -> None:
    automation = once(openai_client)
    later = automation.run_at + 600

    updated = openai_client.beta.agents.automations.update(automation.id, run_at=later)

    assert updated.run_at == later


def test_a_one_time_automation_whose_time_passed_is_completed_and_keeps_its_run_at(
    openai_client: openai.OpenAI, sandbox: SandboxServer
) -> None:
    automation = once(openai_client)
    stored = sandbox.store.get("automation", automation.id)
    assert stored is not None
    sandbox.store.put("automation", {**stored, "run_at": int(time.time()) - 1})

    read = openai_client.beta.agents.automations.retrieve(automation.id)
    invocations = list(openai_client.beta.agents.automations.invocations.list(automation.id))

    assert read.status == "completed"
    assert [(i.source.type, i.scheduled_at) for i in invocations] == [("automation", read.run_at)]
    with pytest.raises(openai.BadRequestError, match="before the scheduled invocation exists"):
        openai_client.beta.agents.automations.update(automation.id, run_at=int(time.time()) + 60)


def test_pause_and_resume_take_no_body_and_flip_the_status(openai_client: openai.OpenAI) -> None:
    automation = periodic(openai_client)

    paused = openai_client.beta.agents.automations.pause(automation.id)
    resumed = openai_client.beta.agents.automations.resume(automation.id)

    assert (paused.status, resumed.status, resumed.pause_reason) == ("paused", "active", None)


def test_manual_invocation_is_queued_and_listed(openai_client: openai.OpenAI) -> None:
    automation = periodic(openai_client)

    invocation = openai_client.beta.agents.automations.invocations.create(automation.id)

    assert (invocation.status, invocation.source.type, invocation.scheduled_at) == ("queued", "manual", None)
    listed = openai_client.beta.agents.automations.invocations.list(automation.id)
    assert [i.id for i in listed] == [invocation.id]
    assert openai_client.beta.agents.automations.retrieve(automation.id).status == "active"


def test_list_is_newest_first_and_pages_with_after(openai_client: openai.OpenAI) -> None:
    made = [periodic(openai_client, name=f"a{n}").id for n in range(3)]

    first = openai_client.beta.agents.automations.list(limit=2)
    ids = [a.id for a in first]

    assert ids == list(reversed(made))
    assert first.has_more is True


def test_list_filters_by_existing_session(openai_client: openai.OpenAI) -> None:
    target = {"type": "existing_session", "session_id": "sess_1", "instructions": "Check in."}
    mine = periodic(openai_client, target=target)
    periodic(openai_client)

    listed = openai_client.beta.agents.automations.list(session_id="sess_1")

    assert [a.id for a in listed] == [mine.id]


def test_delete_answers_the_deleted_object(openai_client: openai.OpenAI) -> None:
    automation = periodic(openai_client)

    answer = openai_client.beta.agents.automations.delete(automation.id)

    assert (answer.id, answer.object, answer.deleted) == (automation.id, "agent.automation.deleted", True)
    with pytest.raises(openai.NotFoundError):
        openai_client.beta.agents.automations.retrieve(automation.id)


def test_the_agents_beta_header_is_required(raw: Callable[..., RawResponse]) -> None:
    response = raw("GET", "/v1/agents/automations", headers={"Authorization": "Bearer sk-test"})

    assert response.status == 400
    assert response.body["error"]["code"] == "invalid_beta"
