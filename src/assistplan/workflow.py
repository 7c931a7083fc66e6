"""The steps behind each command, composed from the layers: load manifests, open state, connect, refresh, plan,
apply, import. No printing here: the CLI renders what these return.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Collection, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from assistplan import catalog, forked
from assistplan.addrs import Address
from assistplan.errors import AssistplanError, PlanError
from assistplan.kinds import Inventory, Kind, KindContext, digest, registered
from assistplan.kinds.base import LABEL_DIGEST, LABEL_PROJECT, NoRecords, labels, parse_digest_label
from assistplan.plan.desired import Desired, desired_resources
from assistplan.plan.matching import fill_unread, match_live, proven_unread
from assistplan.plan.model import Plan, PlanOptions
from assistplan.plan.moves import moved_state, resource_moves
from assistplan.plan.planner import make_plan, observe
from assistplan.plan.refresh import fetch, finish, new_inventory, recorded_specs, refresh
from assistplan.providers import Connector, Provider, default_connectors, preload_http
from assistplan.state import ResourceState, StateFile, StateLock, StateStore

if TYPE_CHECKING:
    from assistplan.apply import ApplyResult, Hooks
    from assistplan.manifest.models import ProjectConfig


@dataclass
class _Early:
    """A refresh started while the manifests loaded: the kinds the state records, read against that state (`read`:
    the digest of the state's files, `StateStore.read_digest`)."""

    read: str | None
    interrupted: bool
    inventory: Inventory
    error: Exception | None = None


@dataclass
class Planned:
    plan: Plan
    inventory: Inventory
    state: StateFile | None


class Workspace:
    """One project (in one of its environments): its manifests, its state file, and (lazily) its provider
    connections."""

    def __init__(
        self,
        root: Path,
        *,
        cli_vars: Mapping[str, str] | None = None,
        var_files: Sequence[Path] = (),
        connectors: Mapping[str, Connector] | None = None,
        environment: str | None = None,
        early_refresh: int | None = None,
    ) -> None:
        """`early_refresh`: start reading the live objects of the kinds the state records, that many requests at a
        time, as soon as assistplan.yaml is read, while the manifests load; the next `refresh` uses what it read when
        nothing it relied on changed (see `refresh`)."""
        from assistplan.manifest import load_project

        self.root = root.resolve()
        self.environment = environment
        """The environment asked for (None: assistplan.yaml's default one, if any)."""
        self.kinds: Mapping[str, Kind] = registered()
        self.connectors: dict[str, Connector] = {**default_connectors(), **(connectors or {})}
        self._providers: dict[str, Provider] = {}
        self._providers_lock = threading.Lock()
        self._config: ProjectConfig | None = None
        self._early: Future[_Early | None] | None = None
        self._early_store: StateStore | None = None
        self._early_child: forked.Forked[_Early | None] | None = None
        self._abandoned = False
        self._custom_connectors = bool(connectors)
        self._pending: Callable[[frozenset[str]], None] | None = None
        self._gate: forked.Gate | None = None
        self._closed = False
        self.lock_waiting: Callable[[str], None] | None = None
        """Told, in words, when a lock this workspace takes is held by another run and waited for (the CLI prints
        it)."""
        start = None if early_refresh is None else lambda config, env: self._start_early(config, env, early_refresh)
        try:
            self.project = load_project(
                self.root,
                cli_vars=cli_vars,
                var_files=var_files,
                environment=environment,
                on_config=start,
                on_declared=None if early_refresh is None else self._start_declared,
            )
        except BaseException:
            self.close()
            raise
        if self._gate is not None:
            self._gate.open()  # the manifests stand: the early refresh that waited for them may send its requests
        self._config = self.project.config
        path, early_store = self.root / self.project.config.state, self._early_store
        self.store: StateStore
        if early_store is not None and (early_store.path, early_store.project) == (path, self.name):
            self.store = early_store  # what it read stands until the files change (see StateStore.load)
        else:
            self.store = StateStore(path, project=self.name)

    @cached_property
    def moves(self) -> dict[Address, Address]:
        """Old address -> new address for every `moved_from` of the manifests."""
        return resource_moves(self.project.resources)

    def protected(self) -> frozenset[Address]:
        """The addresses whose manifests set `lifecycle.prevent_destroy`."""
        return frozenset(a for a, r in self.project.resources.items() if r.spec.lifecycle.prevent_destroy)

    @property
    def name(self) -> str:
        """The identity stamped on this project's objects: its name, or `<project>@<environment>`."""
        return self.project.identity

    def lock(self, operation: str, timeout: float) -> StateLock:
        """The state's lock for `operation`, waited for up to `timeout` seconds; `lock_waiting` is told when it is
        held."""
        return StateLock(self.store.path, operation, timeout=timeout, waiting=self.lock_waiting)

    def load_state(self) -> StateFile | None:
        return self.store.load()

    def kinds_in_use(self, state: StateFile | None) -> list[Kind]:
        """The kinds of the manifests and of the state, and the kinds their normalization reads: the only ones
        whose endpoints a command contacts."""
        names = {a.kind for a in self.project.resources} | {
            rs.kind for rs in (state.resources.values() if state else [])
        }
        return self._with_reads(names)

    def _with_reads(self, names: set[str]) -> list[Kind]:
        wanted = set(names)
        stack = list(names)
        while stack:
            kind = self.kinds.get(stack.pop())
            for read in kind.reads if kind is not None else ():
                if read not in wanted:
                    wanted.add(read)
                    stack.append(read)
        return [self.kinds[name] for name in sorted(wanted, key=catalog.rank) if name in self.kinds]

    def check_served(self, kinds: list[Kind]) -> None:
        """Refuse, before any request, kinds that the configured endpoints do not serve."""
        for kind in kinds:
            message = kind.unserved(self.project.config)
            if message is not None:
                raise PlanError(message)

    def providers_in_use(self, state: StateFile | None) -> list[str]:
        """A provider is contacted only when the project has manifests (or state) of its kinds."""
        return sorted({kind.provider for kind in self.kinds_in_use(state)})

    def provider(self, name: str) -> Provider:
        """The connection to a provider, made on first use."""
        with self._providers_lock:
            if name not in self._providers:
                config = self._config if self._config is not None else self.project.config
                self._providers[name] = self.connectors[name](config, self.root)
            return self._providers[name]

    def _start_early(self, config: ProjectConfig, environment: str | None, parallelism: int) -> None:
        from assistplan.manifest.environments import identity

        self._config = config
        name = identity(config, environment)
        store = StateStore(self.root / config.state, project=name)
        self._early_store = store
        if store.exists():
            self._launch_early(lambda: self._read_early(config, environment, name, store, parallelism))
            return

        # with no state file the kinds to read are those the manifests declare: the reading starts once they are read,
        # and sends its first request once they are all resolved and checked (a refused root is never contacted)
        def declared(kinds: frozenset[str]) -> None:
            gate = self._gate = forked.Gate()
            self._launch_early(
                lambda: self._read_early(config, environment, name, store, parallelism, kinds, gate), gate
            )

        self._pending = declared

    def _start_declared(self, kinds: frozenset[str]) -> None:
        """The manifests declare `kinds`: start the early refresh that waited for them (with no state file)."""
        pending, self._pending = self._pending, None
        if pending is not None:
            pending(kinds)

    def _launch_early(self, read: Callable[[], _Early | None], gate: forked.Gate | None = None) -> None:
        # a child forks only with the built-in connectors: what other connectors do in a child would be lost
        child = forked.start(read, "assistplan-early-refresh", gate) if not self._custom_connectors else None
        if child is not None:
            self._early, self._early_child = child.future, child
            return
        # on this thread, before the manifests load (or are resolved): the thread's first request then goes out
        # while they are parsed, instead of after the HTTP client's imports, which would share the interpreter lock
        # with the parsing
        preload_http()
        early: Future[_Early | None] = Future()
        self._early = early

        def run() -> None:
            try:
                early.set_result(read())
            except BaseException as error:  # the thread must end with its future settled, whatever happened
                early.set_exception(error)

        threading.Thread(target=run, daemon=True, name="assistplan-early-refresh").start()

    def _read_early(
        self,
        config: ProjectConfig,
        environment: str | None,
        name: str,
        store: StateStore,
        parallelism: int,
        declared: frozenset[str] | None = None,
        gate: forked.Gate | None = None,
    ) -> _Early | None:
        """List the kinds the state records (and those they read), as `refresh` would with manifests declaring exactly
        what the state records; with no state file, the `declared` kinds of the manifests, as `refresh` would, once
        `gate` opens (the providers connect before: their imports overlap the manifests' resolution). None when there
        is nothing to go by, a kind is not served or the gate is shut."""
        from assistplan.manifest.environments import siblings

        state, read, interrupted = store.load_read()
        if state is not None and state.resources:
            names = {rs.kind for rs in state.resources.values()}
        elif state is None and declared:
            names = set(declared)  # listed whole: with nothing recorded, nothing is read by id
        else:
            names = set()
        kinds = self._with_reads(names)
        served = bool(kinds) and all(kind.unserved(config) is None for kind in kinds)

        def provider(name: str) -> Provider:
            if self._closed:
                raise PlanError("the project was closed before its early refresh connected")
            return self.provider(name)

        try:
            if served:  # the HTTP client is imported once, here, rather than by the first request of every thread
                preload_http()
                for used in sorted({kind.provider for kind in kinds}):
                    provider(used)
        finally:
            opened = gate is None or gate.wait()
        if not served or not opened:
            return None
        inventory = new_inventory(name, state, parallelism)
        inventory.siblings = siblings(config, environment)
        if state is not None and not interrupted:
            inventory.read_by_id = frozenset(kind.kind for kind in kinds)
        early = _Early(read, interrupted, inventory)
        try:
            fetch(provider, kinds, inventory, self.root)
        except AssistplanError as error:
            early.error = error
        # what the state recorded is the taker's own state (the same bytes): it need not come back from a child
        inventory.applied, inventory.attributes = {}, {}
        return early

    def _take_early(self, state: StateFile | None, parallelism: int) -> _Early | None:
        """The early refresh, if one was started and it stands: it read this very state (or, like it, found no state
        file), at this parallelism, and no manifest moves a resource. Taken once."""
        started, self._early = self._early, None
        if started is None:
            return None
        read = self.store.read_digest()
        if read is None or state is not self.store.current or self.moves:
            if self._early_child is not None:
                self._early_child.stop()  # what it reads would not be used
            return None
        try:
            early = started.result()  # an interrupt meanwhile stops the child (`_abandon_early`)
        except Exception:
            if self._abandoned:
                raise PlanError("the refresh was abandoned") from None
            return None
        finally:
            self._early_child = None  # ended: nothing to stop, nothing to keep
        if (
            early is None
            or early.read != read
            or early.interrupted != self.store.interrupted
            or early.inventory.parallelism != parallelism
        ):
            return None
        return early

    def context(self, kind: Kind, inventory: Inventory) -> KindContext[Provider]:
        """The context a kind's hooks get outside an apply (import)."""
        return KindContext(self.name, self.provider(kind.provider), inventory, self.root, NoRecords(self.name))

    def _abandon_early(self) -> None:
        """Stop an early refresh running in a child, and refresh nothing again in its place."""
        self._abandoned = True
        if self._early_child is not None:
            self._early_child.stop()

    def close(self) -> None:
        """Close the connections made (an early refresh still running makes no more; this workspace still may)."""
        if self._early_child is not None:
            self._early_child.stop()
        if self._gate is not None:
            self._gate.shut()  # an early refresh on a thread that still waits ends without a request
        with self._providers_lock:
            self._closed = True
            opened = list(self._providers.values())
            self._providers.clear()
        for provider in opened:
            provider.close()

    def refresh(
        self, state: StateFile | None, parallelism: int = 8, desired: Collection[Address] | None = None
    ) -> Inventory:
        """Read the live objects of every kind in use, `parallelism` requests at a time. Given the addresses of the
        desired resources, kinds whose every address the state records (after a finished apply) may be read by
        id."""
        early = self._take_early(state, parallelism)
        state = self.moved(state)
        kinds = self.kinds_in_use(state)
        read_by_id: frozenset[str] = frozenset()
        if state is not None and desired is not None and not self.store.interrupted:
            recorded = set(state.resources)
            partial = {address.kind for address in desired if address not in recorded}
            read_by_id = frozenset(kind.kind for kind in kinds if kind.kind not in partial)
        if not kinds or early is None:
            inventory = new_inventory(self.name, state, parallelism)
            inventory.siblings = self.project.siblings
            inventory.read_by_id = read_by_id
            if not kinds:
                return inventory
        self.check_served(kinds)
        if early is None:
            return refresh(self.provider, kinds, inventory, self.root, self.moves)
        if early.error is not None:
            raise early.error
        inventory = early.inventory
        inventory.applied, inventory.attributes = recorded_specs(state)
        # a kind read by id early that the manifests now declare more of is listed after all
        for kind in early.inventory.read_by_id - read_by_id - inventory.listed_whole:
            inventory.objects.pop(kind, None)
        inventory.read_by_id = read_by_id
        fetch(self.provider, [kind for kind in kinds if kind.kind not in inventory.objects], inventory, self.root)
        return finish(inventory, kinds)

    def moved(self, state: StateFile | None) -> StateFile | None:
        """The state with the records of resources the manifests moved (`moved_from`) under their new addresses."""
        return moved_state(state, self.moves)[0]

    def refresh_for(self, state: StateFile | None, options: PlanOptions, parallelism: int = 8) -> Inventory:
        """The refresh a plan with these options makes (apply of a saved plan refreshes the same way)."""
        desired = None if options.destroy else desired_resources(self.project, self.kinds, self.moved(state))
        return self.refresh(state, parallelism, desired)

    def plan(self, options: PlanOptions, parallelism: int = 8, *, saving: bool = False) -> Planned:
        """Refresh and plan; with no state file, the state is first rebuilt from the live labels. `saving`: the plan
        will be saved for `apply PLANFILE`, so it records the digest of every object it observed."""
        state = self.load_state()
        declared = None if options.destroy else [a for a in self.project.resources if a.kind in self.kinds]
        # the requests of the refresh wait on the API: the desired specs are computed meanwhile
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="assistplan-refresh") as background:
            refreshing = background.submit(self.refresh, state, parallelism, declared)
            try:
                desired = desired_resources(self.project, self.kinds, self.moved(state))
                inventory = refreshing.result()
            except BaseException:
                self._abandon_early()  # an interrupt (or an error of the desired specs) must not wait on the child
                raise
        rebuilt = state is None and any(inventory.objects.values())
        if rebuilt:
            state = self.rebuild_state(inventory, None, desired)
        now = datetime.now(UTC)
        plan = make_plan(self.name, desired, state, inventory, self.kinds, options, now=now, observing=saving)
        return Planned(replace(plan, state_rebuilt=True) if rebuilt else plan, inventory, state)

    def rebuild_state(
        self, inventory: Inventory, state: StateFile | None, desired: Mapping[Address, Desired] | None = None
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
            live = proven_unread(found, want, None)
            spec = live.spec if live is not None else found.spec
            proven = want is not None and (found.obj.digest == want.digest or digest(spec) == want.digest)
            current = current.with_resource(
                address,
                ResourceState(
                    kind=found.obj.kind,
                    name=address.name,
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

        if self.store.current is None:
            self.store.write(StateFile.new(self.name))
        needed = {self.kinds[rc.kind].provider for rc in plan.resource_changes if rc.kind in self.kinds}
        result = apply_plan(
            plan,
            providers={name: self.provider(name) for name in needed},
            kinds=self.kinds,
            store=self.store,
            inventory=inventory,
            root=self.root,
            hooks=hooks,
            parallelism=parallelism,
        )
        self.store.compact()
        return result

    def import_object(self, address: Address, remote_id: str) -> ResourceState:
        """Adopt an existing remote object: stamp it with this project's labels and record it in the state."""
        state = self.load_state()
        want = desired_resources(self.project, self.kinds, state).get(address)
        if want is None:
            raise PlanError(f"{address} is not declared in the manifests: write its manifest first, then import it")
        recorded = state.get(address) if state else None
        if recorded is not None:
            raise PlanError(
                f"{address} is already managed (remote id {recorded.id}): an address is one object. To adopt "
                f"{remote_id} under it, delete {recorded.id} first, or declare {remote_id} under another address "
                f"(`state rm` alone would not do: {recorded.id} keeps this project's labels, and the next apply "
                "would delete it as a second object of the address)"
            )
        state = state or self.store.write(StateFile.new(self.name))
        kind = want.kind
        inventory = new_inventory(self.name, state)
        context = self.context(kind, inventory)
        live = kind.read(context, remote_id, address)
        # the owner a kind read from wherever it keeps it (labels, a name's prefix, a marker file), else the label
        owner = live.project or (live.raw.get("metadata") or {}).get(LABEL_PROJECT)
        if owner and owner != self.name:
            raise PlanError(f"{remote_id} belongs to project {owner!r}; assistplan never takes over another project")
        stamped = kind.stamp(context, address, live, labels(self.name, address, ""))
        inventory.id_to_address[stamped.id] = address
        read = [self.kinds[name] for name in kind.reads if name in self.kinds]
        if read:
            refresh(self.provider, read, inventory, self.root)
        record = ResourceState(
            kind=kind.kind,
            name=address.name,
            id=stamped.id,
            digest=parse_digest_label((stamped.raw.get("metadata") or {}).get(LABEL_DIGEST))[0] or "",
            applied=fill_unread(
                kind.normalize(stamped, inventory), {k: v for k, v in want.spec.items() if k in kind.manifest_fields}
            ),
            imported=True,
        )
        self.store.record(address, record)
        self.store.compact()
        return record


def require_state(workspace: Workspace) -> StateFile:
    state = workspace.load_state()
    if state is None:
        raise AssistplanError(f"no state file at {workspace.store.path}: nothing has been applied yet")
    return state
