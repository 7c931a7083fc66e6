"""The environment variables an export names for the secrets it cannot read back: the object's name and the field's,
in capitals, never one a CI runner sets or reserves."""

from __future__ import annotations

import pytest

from assistplan.kinds.exporting import secret_variable


@pytest.mark.parametrize(
    ("name", "field", "variable"),
    [
        ("db-pass", "secret_value", "DB_PASS_SECRET_VALUE"),
        ("OpenAI key (prod)", "openAIApiKey", "OPENAI_KEY_PROD_OPEN_AI_API_KEY"),
        ("jira", "X-Trace", "JIRA_X_TRACE"),
    ],
)
def test_a_variable_is_the_object_s_name_and_the_field_s_in_capitals(name: str, field: str, variable: str) -> None:
    assert secret_variable(name, field) == variable


@pytest.mark.parametrize(
    ("name", "field", "variable"),
    [
        ("github", "token", "ASSISTPLAN_GITHUB_TOKEN"),
        ("github", "Authorization", "ASSISTPLAN_GITHUB_AUTHORIZATION"),
        ("runner", "key", "ASSISTPLAN_RUNNER_KEY"),
        ("actions", "runtime_token", "ASSISTPLAN_ACTIONS_RUNTIME_TOKEN"),
        ("", "ci", "ASSISTPLAN_CI"),
        ("", "path", "ASSISTPLAN_PATH"),
    ],
)
def test_a_variable_a_ci_runner_sets_or_reserves_takes_the_prefix(name: str, field: str, variable: str) -> None:
    assert secret_variable(name, field) == variable


def test_a_name_that_is_only_a_prefix_of_a_reserved_one_is_kept() -> None:
    assert secret_variable("circle", "token") == "CIRCLE_TOKEN"


def test_a_variable_never_starts_with_a_digit() -> None:
    assert secret_variable("1password", "token") == "ASSISTPLAN_1PASSWORD_TOKEN"
