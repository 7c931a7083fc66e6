"""Environments of assistplan.yaml: what the chosen one gives (vars, provider settings, state path, identity), and
the errors of choosing one that is unknown, missing or invalid, each at its line."""

from __future__ import annotations

from .conftest import Failing, Loader

CONFIG = """\
project: acme
openai: {base_url: sandbox, api_key_env: DEV_OPENAI_KEY}
flowise: {url: http://127.0.0.1:3000}
vars: {region: eu, tier: small}
environments:
  dev:
    vars: {tier: tiny}
  prod:
    vars: {tier: large}
    openai: {base_url: "https://api.openai.com/v1", api_key_env: PROD_OPENAI_KEY}
    flowise: {url: "https://flowise.acme.example"}
    state: states/prod.json
"""

AGENT = """\
kind: Agent
name: support
model: gpt-5
instructions: "Serve {{ vars.region }} on {{ vars.tier }}."
"""


def instructions(load: Loader, **options: object) -> str:
    project = load({"assistplan.yaml": CONFIG, "agent.yaml": AGENT}, **options)
    [resource] = project.resources.values()
    return str(getattr(resource.spec, "instructions", ""))


def test_a_project_without_environments_is_identified_by_its_name(load: Loader) -> None:
    project = load({})

    assert project.environment is None
    assert project.identity == "test"
    assert project.config.state == ".assistplan/state.json"


def test_the_environment_is_part_of_the_identity(load: Loader) -> None:
    project = load({"assistplan.yaml": CONFIG}, environment="dev")

    assert project.environment == "dev"
    assert project.identity == "acme@dev"
    assert project.config.project == "acme"


def test_the_environments_vars_are_merged_over_the_projects(load: Loader) -> None:
    assert instructions(load, environment="dev") == "Serve eu on tiny."
    assert instructions(load, environment="prod") == "Serve eu on large."


def test_command_line_vars_win_over_the_environments(load: Loader) -> None:
    assert instructions(load, environment="prod", cli_vars={"tier": "huge"}) == "Serve eu on huge."


def test_an_environment_overrides_only_the_provider_fields_it_names(load: Loader) -> None:
    dev = load({"assistplan.yaml": CONFIG}, environment="dev").config
    prod = load({"assistplan.yaml": CONFIG}, environment="prod").config

    assert (dev.openai.base_url, dev.openai.api_key_env) == ("sandbox", "DEV_OPENAI_KEY")
    assert (prod.openai.base_url, prod.openai.api_key_env) == ("https://api.openai.com/v1", "PROD_OPENAI_KEY")
    assert dev.flowise is not None and dev.flowise.url == "http://127.0.0.1:3000"
    assert prod.flowise is not None
    assert (prod.flowise.url, prod.flowise.api_key_env) == ("https://flowise.acme.example", "FLOWISE_API_KEY")


def test_each_environment_has_its_own_state_file(load: Loader) -> None:
    assert load({"assistplan.yaml": CONFIG}, environment="dev").config.state == ".assistplan/dev/state.json"
    assert load({"assistplan.yaml": CONFIG}, environment="prod").config.state == "states/prod.json"


def test_the_default_state_of_an_environment_follows_the_projects_state_path(load: Loader) -> None:
    config = "project: acme\nstate: run/state.json\nenvironments: {dev: {}}\n"

    assert load({"assistplan.yaml": config}, environment="dev").config.state == "run/dev/state.json"


def test_default_environment_is_used_when_none_is_chosen(load: Loader) -> None:
    project = load({"assistplan.yaml": CONFIG + "default_environment: prod\n"})

    assert project.identity == "acme@prod"


def test_an_unknown_environment_suggests_the_closest(failing: Failing) -> None:
    assert failing({"assistplan.yaml": CONFIG}, environment="prd") == [
        'assistplan.yaml:5:1: unknown environment "prd" (did you mean "prod"?): expected one of dev, prod'
    ]


def test_a_project_with_environments_needs_one_chosen(failing: Failing) -> None:
    assert failing({"assistplan.yaml": CONFIG}) == [
        "assistplan.yaml:5:1: assistplan.yaml declares environments (dev, prod): choose one with --env NAME or "
        "ASSISTPLAN_ENV, or set default_environment"
    ]


def test_an_unknown_default_environment_is_an_error_at_its_line(failing: Failing) -> None:
    assert failing({"assistplan.yaml": CONFIG + "default_environment: prd\n"}, environment="dev") == [
        'assistplan.yaml:13:22: default_environment: "prd" is not a declared environment (did you mean "prod"?): '
        "expected one of dev, prod"
    ]


def test_an_environment_asked_of_a_project_without_environments_is_an_error(failing: Failing) -> None:
    assert failing({}, environment="dev") == [
        'assistplan.yaml:1:1: environment "dev" was asked for (--env or ASSISTPLAN_ENV), but assistplan.yaml '
        "declares no environments"
    ]


def test_an_environment_name_must_fit_in_an_identity(failing: Failing) -> None:
    [error] = failing({"assistplan.yaml": "project: acme\nenvironments: {Prod_1: {}}\n"}, environment="Prod_1")

    assert error.startswith("assistplan.yaml:2:")
    assert 'environment name "Prod_1" is invalid: expected a lowercase letter or digit' in error


def test_an_environments_state_must_stay_inside_the_root(failing: Failing) -> None:
    config = "project: acme\nenvironments:\n  dev: {state: ../elsewhere/state.json}\n"

    [error] = failing({"assistplan.yaml": config}, environment="dev")

    assert error.startswith("assistplan.yaml:3:16: environments.dev.state: ")


def test_an_environments_flowise_needs_a_url_when_the_project_has_none(failing: Failing) -> None:
    config = "project: acme\nenvironments:\n  dev: {flowise: {api_key_env: DEV_FLOWISE_KEY}}\n"

    assert failing({"assistplan.yaml": config}, environment="dev") == [
        "assistplan.yaml:3:18: environments.dev.flowise: url is required (the project's flowise section sets none)"
    ]


def test_an_unknown_field_of_an_environment_is_an_error(failing: Failing) -> None:
    config = "project: acme\nenvironments:\n  dev: {variables: {a: 1}}\n"

    [error] = failing({"assistplan.yaml": config}, environment="dev")

    assert 'unknown field "variables"' in error
    assert '(did you mean "vars"?)' in error


KEEPING = """\
project: acme
state: run/state.json
environments:
  dev: {}
  prod: {identity: project}
"""


def test_the_environment_keeping_the_project_identity_is_identified_by_the_project_name(load: Loader) -> None:
    project = load({"assistplan.yaml": KEEPING}, environment="prod")

    assert project.identity == "acme"
    assert project.siblings == {"acme@dev"}


def test_the_other_environments_keep_their_own_identity_beside_the_one_keeping_the_projects(load: Loader) -> None:
    project = load({"assistplan.yaml": KEEPING}, environment="dev")

    assert project.identity == "acme@dev"
    assert project.siblings == {"acme"}


def test_the_environment_keeping_the_project_identity_keeps_the_projects_state_file(load: Loader) -> None:
    assert load({"assistplan.yaml": KEEPING}, environment="prod").config.state == "run/state.json"
    assert load({"assistplan.yaml": KEEPING}, environment="dev").config.state == "run/dev/state.json"


def test_the_environment_keeping_the_project_identity_may_name_another_state_file(load: Loader) -> None:
    config = KEEPING.replace("{identity: project}", "{identity: project, state: states/prod.json}")

    assert load({"assistplan.yaml": config}, environment="prod").config.state == "states/prod.json"


def test_two_environments_keeping_the_project_identity_are_an_error_at_the_second(failing: Failing) -> None:
    config = KEEPING.replace("dev: {}", "dev: {identity: project}")

    assert failing({"assistplan.yaml": config}, environment="dev") == [
        'assistplan.yaml:5:10: environments.prod.identity: environment "dev" already keeps the project\'s identity: '
        "at most one environment may (the others are stamped <project>@<environment>)"
    ]


def test_an_unknown_identity_of_an_environment_is_an_error(failing: Failing) -> None:
    [error] = failing({"assistplan.yaml": KEEPING.replace("identity: project", "identity: name")}, environment="dev")

    assert error == (
        'assistplan.yaml:5:20: environments.prod.identity: invalid value "name": expected one of "environment", '
        '"project"'
    )
