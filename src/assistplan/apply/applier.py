"""The applier: carries out a plan in dependency order on a thread pool, recording state after every action.

Creates, updates and the create half of replacements run first, each as soon as what it depends on has succeeded;
deletions (and the old halves of replacements) run afterwards, dependents first. A failure skips what depends on it;
everything else finishes. Moved objects are recorded under their new addresses first. Leftovers (duplicates,
orphans, unused uploads) are deletions like any other. Scheduling
costs O(1) per action and dependency: each finished action removes itself from the set each dependent still waits
on, and results arrive through a queue instead of waiting over every running future.

`parallelism` bounds the actions talking to the API at once (a request slot each). Recording an action in the state
(a synced journal line) happens after its slot is given back, on a pool with twice as many threads as slots: while
one thread waits for its record to reach the disk, another already sends the next request, so the sync does not
stretch the time between requests. Each thread still records an action before it starts another.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Hashable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistplan.addrs import Address, rank
from assistplan.apply.hooks import Hooks
from assistplan.apply.results import ActionResult, ApplyResult
from assistplan.errors import UNREADABLE_ANSWER, AssistplanError, ProviderError, unreadable_answer
from assistplan.kinds import Applied, Inventory, Kind, KindContext, PartialApplyError, Spec
from assistplan.kinds.base import labels
from assistplan.plan.matching import fill_unread
from assistplan.plan.model import Action, Plan, ResourceChange
from assistplan.state import ResourceState, StateStore

if TYPE_CHECKING:
    from assistplan.providers import Provider

BUILD = (Action.CREATE, Action.UPDATE, Action.REPLACE)


class _Records:
    """What kinds read of the apply so far: remote ids and attributes from the state, labels from the plan (with
    per-field hashes for kinds whose labels carry them), progress to the hooks."""

    def __init__(self, plan: Plan, kinds: Mapping[str, Kind], store: StateStore, hooks: Hooks) -> None:
        self.project = plan.project
        self._store = store
        self._hooks = hooks
        self._digests: dict[str, str] = {rc.address: rc.digest or "" for rc in plan.resource_changes}
        self._specs: dict[str, Spec] = {
            rc.address: rc.after
            for rc in plan.resource_changes
            if rc.after is not None and rc.kind in kinds and kinds[rc.kind].fields_in_labels
        }

    def remote_id(self, address: str) -> str:
        recorded = self._store.get(Address.of(address))
        if recorded is None:
            raise AssistplanError(f"{address} has no remote object yet (it was not applied)")
        return recorded.id

    def progress(self, address: Address, message: str) -> None:
        self._hooks.progress(address, message)

    def labels(self, address: Address) -> dict[str, str]:
        return labels(self.project, address, self._digests.get(address, ""), self._specs.get(address))

    def attributes(self, address: Address) -> dict[str, Any]:
        recorded = self._store.get(address)
        return dict(recorded.attributes) if recorded else {}


def apply_plan(
    plan: Plan,
    *,
    providers: Mapping[str, Provider],
    kinds: Mapping[str, Kind],
    store: StateStore,
    inventory: Inventory,
    root: Path,
    hooks: Hooks,
    parallelism: int = 4,
) -> ApplyResult:
    """Apply every change of the plan; never raises for a failed action (the result lists it)."""
    records = _Records(plan, kinds, store, hooks)
    # the kinds of the plan's changes only: going through every kind would import every kind's module
    contexts = {
        name: KindContext(plan.project, providers[kinds[name].provider], inventory, root, records)
        for name in {rc.kind for rc in plan.resource_changes}
        if name in kinds and kinds[name].provider in providers
    }
    result = ApplyResult()
    runner = _Runner(plan, kinds, contexts, store, inventory, hooks, result)
    runner.record_moved()
    if plan.options.refresh_only:
        runner.record_refresh()
        return result
    runner.record_adopted()
    runner.record_refreshed()
    inventory.deleting = frozenset(rc.remote_id for rc in plan.resource_changes if _deletes(rc) and rc.remote_id)
    build = [rc for rc in plan.resource_changes if rc.action in BUILD]
    runner.run_graph(build, {rc.address: set(rc.depends_on) for rc in build}, runner.build, parallelism)
    removals = [rc for rc in plan.resource_changes if rc.action is Action.DELETE or rc.address in runner.replaced]
    for group in _waves(removals):
        runner.run_graph(group, {rc.address: set() for rc in group}, runner.remove, parallelism)
    for rc in plan.resource_changes:
        if rc.action is Action.FORGET:
            store.record(rc.address, None)
            result.results.append(ActionResult(rc.address, "forget", ok=True))
            hooks.finished(result.results[-1])
    return result


def _deletes(rc: ResourceChange) -> bool:
    return rc.action is Action.DELETE and rc.remote_id is not None


def _waves(changes: list[ResourceChange]) -> list[list[ResourceChange]]:
    """Deletions grouped by kind, dependents (agents, assistants) before what they use (stores, files)."""
    groups: dict[tuple[int, str], list[ResourceChange]] = {}
    for rc in changes:
        groups.setdefault(rank(rc.address)[0], []).append(rc)
    return [groups[index] for index in sorted(groups, reverse=True)]


class _Runner:
    def __init__(
        self,
        plan: Plan,
        kinds: Mapping[str, Kind],
        contexts: Mapping[str, KindContext[Provider]],
        store: StateStore,
        inventory: Inventory,
        hooks: Hooks,
        result: ApplyResult,
    ) -> None:
        self.plan = plan
        self.kinds = kinds
        self.contexts = contexts
        self.store = store
        self.inventory = inventory
        self.hooks = hooks
        self.result = result
        self.replaced: dict[Address, str] = {}
        self.failed: set[Address] = set()
        self.slots = threading.Semaphore(1)  # the request slots of the graph being run (see `run_graph`)
        self.changes = {rc.address: rc for rc in plan.resource_changes}
        self.dependents: dict[Address, list[ResourceChange]] = {}
        for rc in plan.resource_changes:
            for dependency in rc.depends_on:
                self.dependents.setdefault(dependency, []).append(rc)

    def run_graph(
        self,
        changes: list[ResourceChange],
        deps: dict[Address, set[Address]],
        action: Callable[[ResourceChange], ActionResult],
        parallelism: int,
    ) -> None:
        """Run `action` on every change once what it depends on (within `changes`) has succeeded; a change whose
        dependency failed (or was skipped) is skipped."""
        by_address = {rc.address: rc for rc in changes}
        waiting = {a: {d for d in deps[a] if d in by_address} for a in by_address}
        released: dict[Address, list[Address]] = {}
        for address, needs in waiting.items():
            for dependency in needs:
                released.setdefault(dependency, []).append(address)
        finished: queue.SimpleQueue[tuple[Address, Future[ActionResult]]] = queue.SimpleQueue()
        self.slots = threading.Semaphore(max(1, parallelism))
        with ThreadPoolExecutor(max_workers=2 * max(1, parallelism)) as pool:
            running = 0

            def submit(address: Address) -> None:
                future = pool.submit(action, by_address[address])
                future.add_done_callback(lambda done: finished.put((address, done)))

            for address in [a for a, needs in waiting.items() if not needs]:
                submit(address)
                running += 1
            while running:
                address, future = finished.get()
                running -= 1
                outcome = future.result()
                self._finish(outcome)
                if not outcome.ok:
                    self.failed.add(address)
                    for skipped in self._skip_dependents(address, released, waiting):
                        self.failed.add(skipped)
                    continue
                for dependent in released.get(address, []):
                    remaining = waiting.get(dependent)
                    if remaining is None:
                        continue
                    remaining.discard(address)
                    if not remaining:
                        submit(dependent)
                        running += 1

    def _skip_dependents(
        self, address: Address, released: Mapping[Address, list[Address]], waiting: dict[Address, set[Address]]
    ) -> list[Address]:
        """Skip, transitively, what waits on a failed address; returns the skipped addresses."""
        skipped: list[Address] = []
        stack = [address]
        while stack:
            failed = stack.pop()
            for dependent in released.get(failed, []):
                if waiting.get(dependent):
                    blocked = waiting.pop(dependent)
                    self._finish(
                        ActionResult(dependent, "skip", ok=False, skipped=True, error=_skip_reason(blocked & {failed}))
                    )
                    skipped.append(dependent)
                    stack.append(dependent)
        return skipped

    def _finish(self, outcome: ActionResult) -> None:
        self.result.results.append(outcome)
        self.hooks.finished(outcome)

    def build(self, rc: ResourceChange) -> ActionResult:
        kind = self.kinds[rc.kind]
        step = "replace" if rc.action is Action.REPLACE else rc.action.value
        ctx = self.contexts[rc.kind]
        try:
            with self.slots:
                started = time.monotonic()
                self.hooks.started(rc, step)
                if rc.action is Action.UPDATE:
                    applied = kind.update(ctx, rc.address, rc.remote_id or "", rc.before or {}, rc.after or {})
                else:
                    applied = kind.create(ctx, rc.address, rc.after or {})
        except PartialApplyError as exc:
            self._record(rc, exc.applied)
            return _failure(rc.address, step, exc, started)
        except AssistplanError as exc:
            return _failure(rc.address, step, exc, started)
        except UNREADABLE_ANSWER as exc:
            return _failure(rc.address, step, _unreadable(rc.address, step, exc), started)
        try:
            self._record(rc, applied)
        except UNREADABLE_ANSWER as exc:  # the object the API answered with, normalized to be recorded
            return _failure(rc.address, step, _unreadable(rc.address, step, exc), started)
        return ActionResult(rc.address, step, ok=True, seconds=time.monotonic() - started)

    def _record(self, rc: ResourceChange, applied: Applied) -> None:
        kind = self.kinds[rc.kind]
        if rc.action is Action.REPLACE and rc.remote_id and rc.remote_id != applied.live.id:
            self.replaced[rc.address] = rc.remote_id
        self.inventory.id_to_address[applied.live.id] = rc.address
        self.inventory.applied[rc.address] = rc.after or {}
        applied.live.address = rc.address
        previous = self.store.get(rc.address)
        self.store.record(
            rc.address,
            ResourceState(
                kind=rc.kind,
                name=rc.name,
                id=applied.live.id,
                digest=rc.digest or "",
                applied=fill_unread(kind.normalize(applied.live, self.inventory), rc.after or {}),
                attributes=applied.attributes,
                imported=bool(previous and previous.imported),
            ),
        )

    def remove(self, rc: ResourceChange) -> ActionResult:
        kind = self.kinds[rc.kind]
        old_id = self.replaced.get(rc.address, rc.remote_id or "")
        step = "delete old" if rc.address in self.replaced else "delete"
        if rc.address in self.replaced and self._dependents_failed(rc.address):
            return ActionResult(
                rc.address, step, ok=False, skipped=True, error="kept: a resource that refers to it failed to update"
            )
        provided = kind.shared_content(rc.before).provides if rc.before is not None else frozenset()
        if provided and provided & self.held():
            return ActionResult(
                rc.address, step, ok=False, skipped=True, error="kept: a resource that uses it failed to update"
            )
        try:
            with self.slots:
                started = time.monotonic()
                self.hooks.started(rc, step)
                kind.delete(self.contexts[rc.kind], rc.address, old_id)
        except AssistplanError as exc:
            return _failure(rc.address, step, exc, started)
        except UNREADABLE_ANSWER as exc:
            return _failure(rc.address, step, _unreadable(rc.address, step, exc), started)
        if rc.action is Action.DELETE:
            self.store.record(rc.address, None)
        return ActionResult(rc.address, step, ok=True, seconds=time.monotonic() - started)

    def held(self) -> set[Hashable]:
        """The shared content (uploads) that resources which failed to update may still use."""
        held: set[Hashable] = set()
        for address in self.failed:
            rc = self.changes.get(address)
            if rc is not None and rc.before is not None:
                held |= self.kinds[rc.kind].shared_content(rc.before).uses
        return held

    def _dependents_failed(self, address: Address) -> bool:
        return any(rc.address in self.failed for rc in self.dependents.get(address, []))

    def record_moved(self) -> None:
        """Carry the state records of moved objects to their new addresses (the object keeps its remote id); the
        update that follows restamps its labels."""
        for rc in self.plan.resource_changes:
            old = self.store.get(rc.moved_from) if rc.moved_from is not None else None
            if old is None or rc.moved_from is None or old.id != rc.remote_id:
                continue
            if self.store.get(rc.address) is None:
                self.inventory.id_to_address[old.id] = rc.address
                self.store.record(rc.address, old.model_copy(update={"name": rc.name}))
            self.store.record(rc.moved_from, None)

    def record_adopted(self) -> None:
        """Record live objects the plan matched by their labels but the state does not know (a crash between a
        create and its state write, or a lost state file), so that dependents can find their ids."""
        for rc in self.plan.resource_changes:
            known = self.store.get(rc.address)
            stale = known is None or known.id != rc.remote_id
            if stale and rc.remote_id and rc.before is not None and rc.action not in (Action.DELETE, Action.FORGET):
                self.inventory.id_to_address[rc.remote_id] = rc.address
                self.store.record(
                    rc.address,
                    ResourceState(kind=rc.kind, name=rc.name, id=rc.remote_id, digest="", applied=rc.before),
                )

    def record_refreshed(self) -> None:
        """Record, for resources the plan leaves as they are, the live spec where the state holds an older one (an
        apply killed after its change took effect but before the state write, or drift the manifests do not undo),
        so that drift is reported once, not on every plan."""
        for rc in self.plan.resource_changes:
            known = self.store.get(rc.address)
            if rc.action is not Action.NOOP or known is None or rc.before is None or known.id != rc.remote_id:
                continue
            if known.applied != rc.before:
                refreshed = known.model_copy(update={"applied": rc.before, "digest": rc.digest or known.digest})
                self.store.record(rc.address, refreshed)

    def record_refresh(self) -> None:
        for rc in self.plan.resource_changes:
            recorded = self.store.get(rc.address)
            if rc.remote_id is None:
                if recorded is not None:
                    self.store.record(rc.address, None)
                    self._finish(ActionResult(rc.address, "forget", ok=True))
                continue
            state = ResourceState(
                kind=rc.kind,
                name=rc.name,
                id=rc.remote_id,
                digest=recorded.digest if recorded else "",
                applied=rc.after or {},
                attributes=recorded.attributes if recorded else {},
                imported=bool(recorded and recorded.imported),
            )
            self.store.record(rc.address, state)
            self._finish(ActionResult(rc.address, "refresh", ok=True))


def _skip_reason(blocked: set[Address]) -> str:
    return "skipped: depends on " + ", ".join(sorted(blocked)) + ", which failed"


def _unreadable(address: Address, step: str, error: Exception) -> ProviderError:
    """The error of an action whose answer could not be read: the change may have been made; the next plan sees."""
    return ProviderError(
        f"the API's answer could not be read ({unreadable_answer(error)}); the {step} may have been made: the next "
        "plan shows what was",
        address=str(address),
        operation=step,
    )


def _failure(address: Address, step: str, exc: AssistplanError, started: float) -> ActionResult:
    request_id = exc.request_id if isinstance(exc, ProviderError) else None
    return ActionResult(
        address,
        step,
        ok=False,
        error=_failed(address, step, exc),
        request_id=request_id,
        seconds=time.monotonic() - started,
    )


def _failed(address: Address, step: str, exc: AssistplanError) -> str:
    """What went wrong, for a result that names the address and the step itself: an error of the same address does
    not repeat them, and names its operation only when it is not the step (`upload docs/a.md` during an update)."""
    if isinstance(exc, ProviderError) and exc.address == address:
        said = exc.reason if exc.operation in (None, step) else f"{exc.operation}: {exc.reason}"
        return said + (f" (request id {exc.request_id})" if exc.request_id else "")
    text = str(exc)
    return text.removeprefix(f"{address}: ")
