"""Choosing one environment of `assistplan.yaml`: the settings it gives and the identity its objects carry.

Without `environments` nothing changes: the project's settings are used as written and its objects carry the project
name alone. With them, exactly one environment is in use (`--env`, `ASSISTPLAN_ENV`, else `default_environment`):
its vars are merged over the project's, its `openai` and `flowise` fields replace the project's, its state file is
its own, and the identity stamped on (or encoded in the names of) its remote objects is `<project>@<environment>`,
so that environments sharing one OpenAI project or Flowise server never see each other's objects. One environment may
keep the project's own identity (`identity: project`): it goes on owning the objects the project applied before it
declared environments, with its state where the project's was.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from pathlib import PurePosixPath

from assistplan.diagnostics import Diagnostic, did_you_mean
from assistplan.manifest.models import FlowiseConfig, ProjectConfig
from assistplan.manifest.yamlpos import JsonPath, Positions

SEPARATOR = "@"
"""Between the project and the environment in an identity: a character neither name may contain."""


def identity(config: ProjectConfig, environment: str | None) -> str:
    """What remote objects are stamped with: the project name (without environments, or for the environment that
    keeps the project's identity), or `<project>@<environment>`."""
    if environment is None or _keeps_project_identity(config, environment):
        return config.project
    return f"{config.project}{SEPARATOR}{environment}"


def _keeps_project_identity(config: ProjectConfig, environment: str) -> bool:
    declared = config.environments.get(environment)
    return declared is not None and declared.identity == "project"


def siblings(config: ProjectConfig, environment: str | None) -> frozenset[str]:
    """The identities of the project's other environments, and its name alone unless that is this identity: objects
    stamped with them may share names with this environment's, and are never this environment's to change."""
    others = {identity(config, name) for name in config.environments} | {config.project}
    return frozenset(others - {identity(config, environment)})


def environment_state(state: str, environment: str) -> str:
    """An environment's default state path: the project's, with the environment as a folder before the file name
    (`.assistplan/state.json` -> `.assistplan/dev/state.json`)."""
    path = PurePosixPath(state)
    return str(path.parent / environment / path.name)


@dataclass(frozen=True)
class Selected:
    """The project's settings as the chosen environment gives them."""

    config: ProjectConfig
    environment: str | None
    state_at: JsonPath
    """Where the state path in use is written in assistplan.yaml (for its diagnostics)."""


def select(config: ProjectConfig, requested: str | None, positions: Positions) -> Selected | Diagnostic:
    """The settings of the requested environment (else the default one), or the error saying why there is none."""
    declared = config.environments
    if config.default_environment is not None and config.default_environment not in declared:
        hint = did_you_mean(config.default_environment, declared)
        return Diagnostic.error(
            f'default_environment: "{config.default_environment}" is not a declared environment{hint}'
            + _choices(declared),
            range=positions.value(("default_environment",)),
        )
    if not declared:
        if requested is None:
            return Selected(config, None, ("state",))
        return Diagnostic.error(
            f'environment "{requested}" was asked for (--env or ASSISTPLAN_ENV), but assistplan.yaml declares no '
            "environments",
            range=positions.value(()),
        )
    name = requested if requested is not None else config.default_environment
    if name is None:
        return Diagnostic.error(
            f"assistplan.yaml declares environments ({', '.join(declared)}): choose one with --env NAME or "
            "ASSISTPLAN_ENV, or set default_environment",
            range=positions.key(("environments",)),
        )
    if name not in declared:
        return Diagnostic.error(
            f'unknown environment "{name}"{did_you_mean(name, declared)}' + _choices(declared),
            range=positions.key(("environments",)),
        )
    return _merged(config, name, positions)


def _choices(declared: Collection[str]) -> str:
    return f": expected one of {', '.join(declared)}" if declared else ": assistplan.yaml declares no environments"


def _merged(config: ProjectConfig, name: str, positions: Positions) -> Selected | Diagnostic:
    environment = config.environments[name]
    openai = config.openai
    if environment.openai is not None:
        openai = openai.model_copy(update=environment.openai.model_dump(exclude_none=True))
    flowise = config.flowise
    if environment.flowise is not None:
        changes = environment.flowise.model_dump(exclude_none=True)
        if flowise is not None:
            flowise = flowise.model_copy(update=changes)
        elif "url" in changes:
            flowise = FlowiseConfig(**changes)
        else:
            return Diagnostic.error(
                f"environments.{name}.flowise: url is required (the project's flowise section sets none)",
                range=positions.value(("environments", name, "flowise")),
            )
    state_at: JsonPath = ("environments", name, "state")
    state = environment.state
    if state is None:
        state_at = ("state",)
        state = config.state if environment.identity == "project" else environment_state(config.state, name)
    settings = {"openai": openai, "flowise": flowise, "state": state, "vars": {**config.vars, **environment.vars}}
    return Selected(config.model_copy(update=settings), name, state_at)
