"""`assistplan test --sandbox`: the project applied to a throwaway embedded sandbox, for tests of a change before it
is applied anywhere (a pull request's preview).

The sandbox runs in memory and the state lives in a temporary folder: neither the project's state nor its
configured OpenAI endpoint is touched. Only the OpenAI kinds are applied (Flowise objects need a Flowise server), so
tests of Flowise targets are left out of a preview, with that reason.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from assistplan.errors import PlanError
from assistplan.manifest.conversation_test_models import ConversationTestSpec

if TYPE_CHECKING:
    from assistplan.manifest.models import ProjectConfig
    from assistplan.providers import Connector, Provider
    from assistplan.state import StateFile
    from assistplan.workflow import Workspace

PROVIDER = "openai"


def flowise_skipped(spec: ConversationTestSpec) -> str | None:
    """Why a preview leaves the test out (None: it runs)."""
    if spec.target_kind.startswith("Flowise"):
        return "not run on the sandbox preview: Flowise objects are not applied there"
    return None


@contextmanager
def applied_to_sandbox(
    root: Path,
    *,
    cli_vars: Mapping[str, str],
    var_files: Sequence[Path],
    connectors: Mapping[str, Connector] | None,
    environment: str | None,
) -> Iterator[tuple[Workspace, StateFile]]:
    """A workspace of the project at `root` (in `environment` of its assistplan.yaml) on a fresh in-memory sandbox,
    with its OpenAI kinds applied there, and the state that apply left."""
    from assistplan.providers.openai import OpenAIProvider
    from assistplan.sandbox import start_in_process
    from assistplan.sandbox.server import API_KEY
    from assistplan.state import StateStore
    from assistplan.workflow import Workspace

    sandbox = start_in_process(None)

    def connect(config: ProjectConfig, root: Path) -> Provider:
        return OpenAIProvider(base_url=sandbox.base_url, api_key=API_KEY)

    try:
        with tempfile.TemporaryDirectory(prefix="assistplan-preview-") as scratch:
            replaced = {**(connectors or {}), PROVIDER: connect}
            workspace = Workspace(
                root, cli_vars=cli_vars, var_files=var_files, connectors=replaced, environment=environment
            )
            try:
                workspace.store = StateStore(Path(scratch) / "state.json", project=workspace.name)
                workspace.kinds = {name: kind for name, kind in workspace.kinds.items() if kind.provider == PROVIDER}
                yield workspace, _apply(workspace)
            finally:
                workspace.close()
    finally:
        sandbox.stop()


def _apply(workspace: Workspace) -> StateFile:
    from assistplan.apply import SilentHooks
    from assistplan.plan.model import PlanOptions

    planned = workspace.plan(PlanOptions())
    result = workspace.apply(planned.plan, planned.inventory, SilentHooks(), parallelism=4)
    if not result.ok:
        failure = result.failed[0] if result.failed else result.results[-1]
        raise PlanError(f"applying the project to the sandbox preview failed: {failure.address}: {failure.error}")
    state = workspace.load_state()
    if state is None:
        raise PlanError("applying the project to the sandbox preview left no state")
    return state
