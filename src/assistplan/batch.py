"""Planning several projects in one run (`plan --projects PATH`): every manifest root under a folder, in each of its
environments, planned side by side, with each account's collections listed once for all of them
(`assistplan.providers.sharing`). Each project is planned exactly as alone (its own manifests, state, lock and
read-by-id decisions); one that cannot be planned gives its error, whatever the error, and the others go on. Each
project's connections are closed as soon as it is planned, so a run holds at most `jobs` projects' connections (and
one per account for the shared listings) at a time. No printing here.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from types import GeneratorType
from typing import TYPE_CHECKING, Any

from assistplan.diagnostics import Diagnostics
from assistplan.plan.model import PlanOptions
from assistplan.projects import Root
from assistplan.providers import Connector, Provider, default_connectors, notices_for, stopping_servers
from assistplan.providers.sharing import SharedListings
from assistplan.workflow import Planned, Workspace

if TYPE_CHECKING:
    from assistplan.manifest.models import ProjectConfig


@dataclass(frozen=True)
class Entry:
    """One project to plan: its manifest root, the project it names, and the environment (None: it has none)."""

    path: Path
    project: str
    environment: str | None

    @property
    def identity(self) -> str:
        """The name its plan goes by: the project, or `<project>@<environment>`."""
        return self.project if self.environment is None else f"{self.project}@{self.environment}"


@dataclass
class Outcome:
    """A project's plan, or why there is none; `warnings` are the policy rules' warnings of its manifests."""

    entry: Entry
    planned: Planned | None = None
    error: Exception | None = None
    """Why there is no plan: an `AssistplanError`, or any other exception (a fault of assistplan, not of the
    project, reported as such)."""
    warnings: Diagnostics = field(default_factory=Diagnostics)

    @property
    def changed(self) -> bool:
        """Whether the plan changes something or found drift."""
        plan = self.planned.plan if self.planned is not None else None
        return plan is not None and (plan.has_changes or bool(plan.drift))


def entries(roots: Sequence[Root]) -> list[Entry]:
    """One entry per root and environment (a root without environments once)."""
    return [Entry(root.path, root.project, env) for root in roots for env in root.environments or (None,)]


def plan_projects(
    chosen: Sequence[Entry],
    options: PlanOptions,
    *,
    parallelism: int,
    jobs: int,
    lock_timeout: float,
    cli_vars: Mapping[str, str] | None = None,
    var_files: Sequence[Path] = (),
    connectors: Mapping[str, Connector] | None = None,
) -> list[Outcome]:
    """Plan every entry, `jobs` projects at a time, each with `parallelism` requests at a time; the outcomes in the
    order of `chosen`. Each project's workspace is opened when its turn comes and closed when it is planned."""
    listings = SharedListings()
    shared = listings.connectors({**default_connectors(), **(connectors or {})})
    outcomes = [Outcome(entry) for entry in chosen]

    def plan_one(outcome: Outcome) -> None:
        identity = outcome.entry.identity
        try:
            workspace = Workspace(
                outcome.entry.path,
                cli_vars=cli_vars,
                var_files=var_files,
                connectors={name: _announcing(connect, identity) for name, connect in shared.items()},
                environment=outcome.entry.environment,
            )
            try:
                outcome.warnings = workspace.project.warnings
                with workspace.lock("plan", lock_timeout):
                    outcome.planned = workspace.plan(options, parallelism)
            finally:
                with stopping_servers():
                    workspace.close()
        except Exception as error:
            outcome.error = error

    try:
        with ThreadPoolExecutor(max_workers=max(1, jobs), thread_name_prefix="assistplan-project") as pool:
            for future in [pool.submit(plan_one, outcome) for outcome in outcomes]:
                future.result()
    finally:
        listings.close()
    return outcomes


def _announcing(connect: Connector, identity: str) -> Connector:
    """`connect`, its providers' notices (a retry) naming the project `identity`."""

    def announced(config: ProjectConfig, root: Path) -> Provider:
        return _Announced(connect(config, root), identity)

    return announced


class _Announced:
    """A provider whose notices, while any of its methods runs or an iterator it returned is read, name a project."""

    def __init__(self, provider: Any, identity: str) -> None:
        self._provider = provider
        self._identity = identity

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._provider, name)
        if not callable(value):
            return value

        def call(*args: Any, **kwargs: Any) -> Any:
            with notices_for(self._identity):
                result = value(*args, **kwargs)
            return self._iterated(result) if isinstance(result, GeneratorType) else result

        return call

    def _iterated(self, items: Iterator[Any]) -> Iterator[Any]:
        while True:
            with notices_for(self._identity):
                try:
                    item = next(items)
                except StopIteration:
                    return
            yield item

    def close(self) -> None:
        self._provider.close()
