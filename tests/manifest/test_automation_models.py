"""Automation manifests: the schedule, the time zone, the one-off time and every name referred to are checked at
validate, each error at its line."""

from __future__ import annotations

from .conftest import Failing, Loader

OPENAI = "project: test\nopenai: {api_key_env: OPENAI_API_KEY}\n"
AGENT = "kind: Agent\nname: support-agent\nmodel: gpt-5\n"
AUTOMATION = """\
kind: Automation
name: nightly
agent: support-agent
schedule: {cron: "0 3 * * *", timezone: Europe/Berlin}
input: Write the nightly report.
"""


def files(automation: str = AUTOMATION, extra: str = "") -> dict[str, str]:
    return {"assistplan.yaml": OPENAI, "agents.yaml": AGENT + extra, "automations.yaml": automation}


def test_an_automation_depends_on_its_agent(load: Loader) -> None:
    project = load(files())

    resource = next(r for r in project.resources.values() if r.address == "Automation/nightly")
    assert resource.depends_on == ("Agent/support-agent",)


def test_an_unknown_agent_is_an_error_with_the_closest_name(failing: Failing) -> None:
    assert failing(files(AUTOMATION.replace("agent: support-agent", "agent: suport-agent"))) == [
        'automations.yaml:3:8: agent: unknown Agent "suport-agent" (did you mean "support-agent"?)'
    ]


def test_an_unknown_environment_template_and_vault_are_errors(failing: Failing) -> None:
    automation = AUTOMATION + "environment_template: analysis\nvaults: [github]\n"

    assert failing(files(automation)) == [
        'automations.yaml:6:23: environment_template: unknown EnvironmentTemplate "analysis"',
        'automations.yaml:7:10: vaults[0]: unknown Vault "github"',
    ]


def test_a_cron_hour_out_of_range_is_an_error(failing: Failing) -> None:
    assert failing(files(AUTOMATION.replace('"0 3 * * *"', '"0 24 * * *"'))) == [
        'automations.yaml:4:12: schedule.cron: hour field "24": 24 is out of range 0-23'
    ]


def test_a_cron_with_six_fields_is_an_error(failing: Failing) -> None:
    [line] = failing(files(AUTOMATION.replace('"0 3 * * *"', '"0 0 3 * * *"')))

    assert line.startswith("automations.yaml:4:12: schedule.cron: a cron expression has 5 fields")


def test_an_unknown_weekday_name_is_an_error(failing: Failing) -> None:
    assert failing(files(AUTOMATION.replace('"0 3 * * *"', '"0 3 * * MON-FRY"'))) == [
        'automations.yaml:4:12: schedule.cron: day of week field "MON-FRY": "FRY" is not a number or a name '
        "(SUN, MON, TUE, WED, THU, FRI, SAT)"
    ]


def test_an_unknown_timezone_is_an_error_with_the_closest_zone(failing: Failing) -> None:
    [line] = failing(files(AUTOMATION.replace("Europe/Berlin", "Europe/Berln")))

    assert line.startswith('automations.yaml:4:31: schedule.timezone: "Europe/Berln" is not an IANA time zone')
    assert '(did you mean "Europe/Berlin"' in line


def test_run_at_must_be_a_timestamp_with_an_offset(failing: Failing) -> None:
    automation = AUTOMATION.replace(
        'schedule: {cron: "0 3 * * *", timezone: Europe/Berlin}', "run_at: 2026-12-01 03:00"
    )

    assert failing(files(automation)) == [
        'automations.yaml:4:1: run_at: "2026-12-01 03:00" is not an RFC 3339 timestamp with an offset, such as '
        "2026-12-01T03:00:00Z"
    ]


def test_a_one_off_automation_takes_an_rfc_3339_run_at(load: Loader) -> None:
    automation = AUTOMATION.replace(
        'schedule: {cron: "0 3 * * *", timezone: Europe/Berlin}', "run_at: 2026-12-01T03:00:00Z"
    )

    load(files(automation))


def test_schedule_and_run_at_together_are_an_error(failing: Failing) -> None:
    [line] = failing(files(AUTOMATION + "run_at: 2026-12-01T03:00:00Z\n"))

    assert 'give either "schedule" (periodic) or "run_at" (once), not both' in line


def test_a_schedule_is_required(failing: Failing) -> None:
    automation = AUTOMATION.replace('schedule: {cron: "0 3 * * *", timezone: Europe/Berlin}\n', "")

    [line] = failing(files(automation))

    assert 'one of "schedule" ({cron, timezone}) or "run_at" (a timestamp) is required' in line
