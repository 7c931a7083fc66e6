"""The `environments` of `assistplan.yaml`: what one named environment (dev, staging, prod) overrides.

An environment overrides only what it names: template variables (merged over the project's), fields of the
`openai` and `flowise` sections, and the state path. One environment may keep the project's own identity (the one
its objects carried before environments were declared). Which one is used, and how its identity is stamped, is
`assistplan.manifest.environments`.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import Field, field_validator

from assistplan.manifest.fields import ENV_NAME_PATTERN, Problem, Spec, check, problem
from assistplan.manifest.urls import check_base_url, check_url

ENVIRONMENT_NAME_PATTERN = r"^[a-z0-9][a-z0-9-]{0,19}$"
"""An environment's name: it becomes part of the identity stamped on remote objects (`<project>@<environment>`)."""
ENVIRONMENT_NAME_WORDING = 'a lowercase letter or digit, then lowercase letters, digits and "-", at most 20 characters'


class OpenAIOverride(Spec):
    """Fields of `openai` this environment sets differently."""

    base_url: str | None = None
    """"sandbox" for the built-in sandbox, or an http(s) URL."""
    api_key_env: Annotated[str | None, Field(pattern=ENV_NAME_PATTERN)] = None
    """The name of the variable holding this environment's key."""

    @field_validator("base_url")
    @classmethod
    def _url(cls, value: str | None) -> str | None:
        return check_base_url(value)


class FlowiseOverride(Spec):
    """Fields of `flowise` this environment sets differently (`url` is required when the project sets none)."""

    url: Annotated[str | None, Field(pattern=r"^https?://\S+$")] = None
    api_key_env: Annotated[str | None, Field(pattern=ENV_NAME_PATTERN)] = None

    @field_validator("url")
    @classmethod
    def _url(cls, value: str | None) -> str | None:
        return None if value is None else check_url(value)


class EnvironmentConfig(Spec):
    """One named environment: what it overrides of the project's settings."""

    vars: dict[str, Any] = Field(default_factory=dict)
    """Template variables, merged over the project's `vars` (--var-file and --var still win)."""
    openai: OpenAIOverride | None = None
    flowise: FlowiseOverride | None = None
    state: Annotated[str | None, Field(min_length=1)] = None
    """State file, relative to the manifest root (default: `.assistplan/<environment>/state.json`, that is the
    project's `state` with the environment's name as a folder before the file name; the project's `state` itself for
    the environment with `identity: project`)."""
    identity: Literal["environment", "project"] = "environment"
    """What this environment's objects are stamped with: `environment` for `<project>@<environment>`, `project` for
    the project name alone, as without environments (at most one environment: the one the project was before it
    declared environments keeps owning its objects)."""


def check_environment_names(value: dict[str, EnvironmentConfig]) -> dict[str, EnvironmentConfig]:
    """Every environment name follows ENVIRONMENT_NAME_PATTERN, and at most one environment keeps the project's
    identity (two would own the same objects)."""
    for name in value:
        if not re.fullmatch(ENVIRONMENT_NAME_PATTERN, name):
            raise problem(f'environment name "{name}" is invalid: expected {ENVIRONMENT_NAME_WORDING}', (name,))
    keeping = [name for name, environment in value.items() if environment.identity == "project"]
    problems: list[Problem] = [
        (
            f'environment "{keeping[0]}" already keeps the project\'s identity: at most one environment may (the '
            "others are stamped <project>@<environment>)",
            (name, "identity"),
        )
        for name in keeping[1:]
    ]
    check(problems)
    return value
