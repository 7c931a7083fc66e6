"""Provider clients: how assistplan reaches each remote API, and the connectors that open them from a project's
settings. A `Workspace` is given its connectors (tests give their own); `default_connectors` are the real ones."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from assistplan.errors import AssistplanError

if TYPE_CHECKING:
    from assistplan.manifest.models import ProjectConfig


class Provider(Protocol):
    """An open connection to one remote API."""

    def close(self) -> None: ...


Connector = Callable[["ProjectConfig", Path], Provider]
"""Opens a provider from the project's settings (`assistplan.yaml`) and its manifest root."""


def connect_openai(config: ProjectConfig, root: Path) -> Provider:
    from assistplan.providers.openai import connect

    return connect(base_url=config.openai.base_url, api_key_env=config.openai.api_key_env, root=root)


def connect_flowise(config: ProjectConfig, root: Path) -> Provider:
    from assistplan.providers.flowise import connect

    if config.flowise is None:
        raise AssistplanError('the state records Flowise objects but assistplan.yaml has no "flowise" section')
    return connect(url=config.flowise.url, api_key_env=config.flowise.api_key_env)


def default_connectors() -> dict[str, Connector]:
    """Provider name (as kinds declare it) -> its connector."""
    return {"openai": connect_openai, "flowise": connect_flowise}
