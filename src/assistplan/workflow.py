"""The steps behind each command, composed from the layers: load manifests, open state, connect, refresh, plan,
apply, import. No printing here: the CLI renders what these return.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from assistplan.errors import AssistplanError, PlanError
from assistplan.kinds import OPENAI_KINDS, REGISTRY, Inventory, Kind
from assistplan.kinds.base import LABEL_DIGEST, LABEL_PROJECT, labels
from assistplan.plan.desired import Desired, desired_resources
from assistplan.plan.model import Plan, PlanOptions
from assistplan.plan.planner import make_plan, observe
from assistplan.state import ResourceState, StateFile, StateLock, StateStore


@dataclass
class Planned:
    plan: Plan
    inventory: Inventory
    state: StateFile | None


class Workspace:
    """One project: its manifests, its state file, and (lazily) its provider connection."""

    def __init__(
        self, root: Path, *, cli_vars: Mapping[str, str] | None = None, var_files: Sequence[Path] = ()
    ) -> None:
        from assistplan.manifest import load_project

        self.root = root.resolve()
        self.project = load_project(self.root, cli_vars=cli_vars, var_files=var_files)
        self.store = StateStore(self.root / self.project.config.state)
        self.kinds: dict[str, Kind] = dict(REGISTRY)
        self._provider: Any = None

    @property
    def name(self) -> str:
        return self.project.config.project

    @cached_property
    def desired(self) -> dict[str, Desired]:
        return desired_resources(self.project, self.kinds)

    def lock(self, operation: str, timeout: float) -> StateLock:
        return StateLock(self.store.path, operation, timeout=timeout)

    def load_state(self) -> StateFile | None:
        return self.store.load()

    def uses_openai(self, state: StateFile | None) -> bool:
        """A provider is contacted only when the project has manifests (or state) of its kinds."""
        wanted = {k.kind for k in OPENAI_KINDS}
        in_state = state is not None and any(rs.kind in wanted for rs in state.resources.values())
        return in_state or any(a.kind in wanted for a in self.project.resources)

    @property
    def provider(self) -> Any:
        if self._provider is None:
            from assistplan.providers.openai import connect

            config = self.project.config.openai
            self._provider = connect(base_url=config.base_url, api_key_env=config.api_key_env, root=self.root)
        return self._provider

    def close(self) -> None:
        if self._provider is not None:
            self._provider.close()
            self._provider = None

    def refresh(self, state: StateFile | None) -> Inventory:
        if not self.uses_openai(state):
            return Inventory(project=self.name)
        from assistplan.plan.refresh import refresh

        return refresh(self.provider, OPENAI_KINDS, self.name, state)

    def plan(self, options: PlanOptions) -> Planned:
        """Refresh and plan; with no state file, the state is first rebuilt from the live labels."""
        state = self.load_state()
        inventory = self.refresh(state)
        if state is None and any(inventory.objects.values()):
            state = self.rebuild_state(inventory, None)
        plan = make_plan(self.name, {} if options.destroy else self.desired, state, inventory, self.kinds, options)
        return Planned(plan, inventory, state)

    def rebuild_state(self, inventory: Inventory, state: StateFile | None) -> StateFile:
        """Record every live object stamped with this project that the state does not know (state pull)."""
        current = state or StateFile.new(self.name)
        known = set(current.resources)
        for objects in inventory.objects.values():
            for obj in objects:
                if obj.project != self.name or not obj.address or obj.address in known:
                    continue
                kind = self.kinds[obj.kind]
                current = current.with_resource(
                    obj.address,
                    ResourceState(
                        kind=obj.kind,
                        name=obj.address.partition("/")[2],
                        id=obj.id,
                        digest=obj.digest or "",
                        applied=kind.normalize(obj, inventory),
                    ),
                )
                known.add(obj.address)
        return self.store.write(current)

    def observed(self, inventory: Inventory) -> dict[str, str]:
        return observe(inventory, self.kinds)

    def import_object(self, address: str, remote_id: str) -> ResourceState:
        """Adopt an existing remote object: stamp it with this project's labels and record it in the state."""
        if address not in self.desired:
            raise PlanError(f"{address} is not declared in the manifests: write its manifest first, then import it")
        state = self.load_state() or self.store.write(StateFile.new(self.name))
        if state.get(address) is not None:
            raise PlanError(f"{address} is already managed (remote id {state.get(address).id}); `state rm` it first")
        want = self.desired[address]
        kind = want.kind
        live = kind.read(self.provider, remote_id, address)
        owner = (live.raw.get("metadata") or {}).get(LABEL_PROJECT)
        if owner and owner != self.name:
            raise PlanError(f"{remote_id} belongs to project {owner!r}; assistplan never takes over another project")
        stamped = kind.stamp(self.provider, address, live, labels(self.name, address, ""))
        inventory = Inventory(project=self.name, id_to_address={**(state.by_id()), stamped.id: address})
        if self.uses_openai(state):
            from assistplan.kinds.blobs import BlobPool

            inventory.blobs = BlobPool.refresh(self.provider, self.name)
        record = ResourceState(
            kind=kind.kind,
            name=address.partition("/")[2],
            id=stamped.id,
            digest=(stamped.raw.get("metadata") or {}).get(LABEL_DIGEST, ""),
            applied=kind.normalize(stamped, inventory),
            imported=True,
        )
        self.store.record(address, record)
        return record


@contextmanager
def maybe_locked(workspace: Workspace, operation: str, timeout: float, enabled: bool = True) -> Iterator[None]:
    with workspace.lock(operation, timeout) if enabled else nullcontext():
        yield


def require_state(workspace: Workspace) -> StateFile:
    state = workspace.load_state()
    if state is None:
        raise AssistplanError(f"no state file at {workspace.store.path}: nothing has been applied yet")
    return state
