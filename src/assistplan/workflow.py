"""The steps behind each command, composed from the layers: load manifests, open state, connect, refresh, plan,
apply, import. No printing here: the CLI renders what these return.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistplan.apply.hooks import Hooks
from assistplan.apply.results import ApplyResult
from assistplan.errors import AssistplanError, PlanError
from assistplan.kinds import REGISTRY, Inventory, Kind, digest
from assistplan.kinds.base import LABEL_DIGEST, LABEL_PROJECT, labels
from assistplan.plan.desired import Desired, desired_resources
from assistplan.plan.matching import match_live, with_unread
from assistplan.plan.model import Plan, PlanOptions
from assistplan.plan.planner import make_plan, observe
from assistplan.state import ResourceState, StateFile, StateLock, StateStore


def _connect_openai(workspace: Workspace) -> Any:
    from assistplan.providers.openai import connect

    config = workspace.project.config.openai
    return connect(base_url=config.base_url, api_key_env=config.api_key_env, root=workspace.root)


def _connect_flowise(workspace: Workspace) -> Any:
    from assistplan.providers.flowise import connect

    config = workspace.project.config.flowise
    if config is None:
        raise AssistplanError('the state records Flowise objects but assistplan.yaml has no "flowise" section')
    return connect(url=config.url, api_key_env=config.api_key_env)


CONNECTORS: dict[str, Callable[[Workspace], Any]] = {"openai": _connect_openai, "flowise": _connect_flowise}


@dataclass
class Planned:
    plan: Plan
    inventory: Inventory
    state: StateFile | None


class Workspace:
    """One project: its manifests, its state file, and (lazily) its provider connections."""

    def __init__(
        self, root: Path, *, cli_vars: Mapping[str, str] | None = None, var_files: Sequence[Path] = ()
    ) -> None:
        from assistplan.manifest import load_project

        self.root = root.resolve()
        self.project = load_project(self.root, cli_vars=cli_vars, var_files=var_files)
        self.store = StateStore(self.root / self.project.config.state, project=self.project.config.project)
        self.kinds: dict[str, Kind] = dict(REGISTRY)
        self._providers: dict[str, Any] = {}

    @property
    def name(self) -> str:
        return self.project.config.project

    def lock(self, operation: str, timeout: float) -> StateLock:
        return StateLock(self.store.path, operation, timeout=timeout)

    def load_state(self) -> StateFile | None:
        return self.store.load()

    def kinds_in_use(self, state: StateFile | None) -> list[Kind]:
        """The kinds of the manifests and of the state: the only ones whose endpoints a command contacts."""
        names = {a.kind for a in self.project.resources} | {
            rs.kind for rs in (state.resources.values() if state else [])
        }
        return [kind for name, kind in self.kinds.items() if name in names]

    def check_served(self, kinds: list[Kind]) -> None:
        """Refuse, before any request, kinds that the configured OpenAI endpoint no longer serves."""
        if any(kind.shut_down_at_openai for kind in kinds):
            from assistplan.providers.openai import assistants_shut_down

            message = assistants_shut_down(self.project.config.openai.base_url)
            if message is not None:
                raise PlanError(message)

    def providers_in_use(self, state: StateFile | None) -> list[str]:
        """A provider is contacted only when the project has manifests (or state) of its kinds."""
        return sorted({kind.provider for kind in self.kinds_in_use(state)})

    def provider(self, name: str) -> Any:
        """The connection to a provider, made on first use."""
        if name not in self._providers:
            self._providers[name] = CONNECTORS[name](self)
        return self._providers[name]

    def close(self) -> None:
        for provider in self._providers.values():
            provider.close()
        self._providers.clear()

    def refresh(self, state: StateFile | None, parallelism: int = 8) -> Inventory:
        """Read the live objects of every kind in use, `parallelism` list requests at a time."""
        kinds = self.kinds_in_use(state)
        if not kinds:
            return Inventory(project=self.name)
        self.check_served(kinds)
        from assistplan.plan.refresh import refresh

        providers = {name: self.provider(name) for name in sorted({kind.provider for kind in kinds})}
        return refresh(providers, kinds, self.name, state, parallelism)

    def plan(self, options: PlanOptions, parallelism: int = 8) -> Planned:
        """Refresh and plan; with no state file, the state is first rebuilt from the live labels."""
        state = self.load_state()
        inventory = self.refresh(state, parallelism)
        desired = desired_resources(self.project, self.kinds, state)
        if state is None and any(inventory.objects.values()):
            state = self.rebuild_state(inventory, None, desired)
        plan = make_plan(self.name, desired, state, inventory, self.kinds, options)
        return Planned(plan, inventory, state)

    def rebuild_state(
        self, inventory: Inventory, state: StateFile | None, desired: Mapping[str, Desired] | None = None
    ) -> StateFile:
        """The state as the live API shows it (state pull): every address matched to its live object (by the
        state's id while it exists, else by label, else by content), entries whose objects are gone dropped."""
        if desired is None:
            desired = desired_resources(self.project, self.kinds, state)
        current = state or StateFile.new(self.name)
        matched = match_live(desired, state, inventory, self.kinds).live
        listed = set(inventory.objects)
        for address, recorded in current.resources.items():
            if recorded.kind in listed and address not in matched:
                current = current.without(address)
        for address, found in matched.items():
            known = current.get(address)
            if known is not None and known.id == found.obj.id:
                continue
            if found.obj.project != self.name and known is None:
                continue
            want = desired.get(address)
            live = with_unread(found, want, None)
            spec = live.spec if live is not None else found.spec
            proven = want is not None and (found.obj.digest == want.digest or digest(spec) == want.digest)
            current = current.with_resource(
                address,
                ResourceState(
                    kind=found.obj.kind,
                    name=address.partition("/")[2],
                    id=found.obj.id,
                    digest=found.obj.digest or (want.digest if proven and want else ""),
                    applied=spec,
                    imported=bool(known and known.imported),
                ),
            )
        return self.store.write(current)

    def observed(self, inventory: Inventory) -> dict[str, str]:
        return observe(inventory, self.kinds)

    def apply(self, plan: Plan, inventory: Inventory, hooks: Hooks, parallelism: int) -> ApplyResult:
        """Apply a plan made (or loaded and checked) against this workspace's state and inventory."""
        from assistplan.apply import apply_plan

        if self.store.load() is None:
            self.store.write(StateFile.new(self.name))
        needed = {self.kinds[rc.kind].provider for rc in plan.resource_changes if rc.kind in self.kinds}
        return apply_plan(
            plan,
            providers={name: self.provider(name) for name in needed},
            kinds=self.kinds,
            store=self.store,
            inventory=inventory,
            root=self.root,
            hooks=hooks,
            parallelism=parallelism,
        )

    def import_object(self, address: str, remote_id: str) -> ResourceState:
        """Adopt an existing remote object: stamp it with this project's labels and record it in the state."""
        state = self.load_state()
        want = desired_resources(self.project, self.kinds, state).get(address)
        if want is None:
            raise PlanError(f"{address} is not declared in the manifests: write its manifest first, then import it")
        recorded = state.get(address) if state else None
        if recorded is not None:
            raise PlanError(f"{address} is already managed (remote id {recorded.id}); `state rm` it first")
        state = state or self.store.write(StateFile.new(self.name))
        kind = want.kind
        provider = self.provider(kind.provider)
        live = kind.read(provider, remote_id, address)
        owner = (live.raw.get("metadata") or {}).get(LABEL_PROJECT)
        if owner and owner != self.name:
            raise PlanError(f"{remote_id} belongs to project {owner!r}; assistplan never takes over another project")
        stamped = kind.stamp(provider, address, live, labels(self.name, address, ""))
        inventory = Inventory(project=self.name, id_to_address={**(state.by_id()), stamped.id: address})
        if kind.provider == "openai":
            from assistplan.kinds.blobs import BlobPool

            inventory.blobs = BlobPool.refresh(provider, self.name)
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


def require_state(workspace: Workspace) -> StateFile:
    state = workspace.load_state()
    if state is None:
        raise AssistplanError(f"no state file at {workspace.store.path}: nothing has been applied yet")
    return state
