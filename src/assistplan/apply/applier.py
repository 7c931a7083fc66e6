"""The applier: carries out a plan in dependency order on a thread pool, recording state after every action.

Creates, updates and the create half of replacements run first, each as soon as what it depends on has succeeded;
deletions (and the old halves of replacements) run afterwards, dependents first. A failure skips what depends on it;
everything else finishes. File blobs that nothing references any more are deleted last.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from pathlib import Path
from typing import Any

from assistplan.apply.hooks import Hooks
from assistplan.apply.results import ActionResult, ApplyResult
from assistplan.errors import AssistplanError, ProviderError
from assistplan.kinds import Applied, ApplyContext, Inventory, Kind, PartialApplyError
from assistplan.kinds.base import labels
from assistplan.kinds.blobs import BlobPool, file_refs
from assistplan.plan.desired import kind_rank
from assistplan.plan.matching import fill_unread
from assistplan.plan.model import Action, Plan, ResourceChange
from assistplan.state import ResourceState, StateStore

BUILD = (Action.CREATE, Action.UPDATE, Action.REPLACE)


class _Context(ApplyContext):
    """Labels carry per-field hashes on OpenAI objects, whose metadata holds them; other providers keep their
    marks short."""

    def __init__(
        self, plan: Plan, kinds: Mapping[str, Kind], root: Path, blobs: BlobPool, store: StateStore, hooks: Hooks
    ) -> None:
        self.project = plan.project
        self.root = root
        self.blobs = blobs
        self._store = store
        self._hooks = hooks
        self._digests = {rc.address: rc.digest or "" for rc in plan.resource_changes}
        self._specs = {
            rc.address: rc.after
            for rc in plan.resource_changes
            if rc.after is not None and rc.kind in kinds and kinds[rc.kind].provider == "openai"
        }

    def remote_id(self, address: str) -> str:
        recorded = self._store.current.get(address) if self._store.current else None
        if recorded is None:
            raise AssistplanError(f"{address} has no remote object yet (it was not applied)")
        return recorded.id

    def progress(self, address: str, message: str) -> None:
        self._hooks.progress(address, message)

    def labels(self, address: str) -> dict[str, str]:
        return labels(self.project, address, self._digests.get(address, ""), self._specs.get(address))

    def attributes(self, address: str) -> dict[str, Any]:
        recorded = self._store.current.get(address) if self._store.current else None
        return dict(recorded.attributes) if recorded else {}


def apply_plan(
    plan: Plan,
    *,
    providers: Mapping[str, Any],
    kinds: Mapping[str, Kind],
    store: StateStore,
    inventory: Inventory,
    root: Path,
    hooks: Hooks,
    parallelism: int = 4,
) -> ApplyResult:
    """Apply every change of the plan; never raises for a failed action (the result lists it)."""
    ctx = _Context(plan, kinds, root, inventory.blobs, store, hooks)
    result = ApplyResult()
    runner = _Runner(plan, providers, kinds, store, inventory, ctx, hooks, result)
    if plan.options.refresh_only:
        runner.record_refresh()
        return result
    runner.record_adopted()
    runner.record_refreshed()
    if inventory.blobs is not None:
        inventory.blobs.retire({rc.remote_id for rc in plan.resource_changes if _deletes_blob(rc)})
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


def _deletes_blob(rc: ResourceChange) -> bool:
    return rc.kind == "File" and rc.action is Action.DELETE and rc.remote_id is not None


def _waves(changes: list[ResourceChange]) -> list[list[ResourceChange]]:
    """Deletions grouped by kind, dependents (agents, assistants) before what they use (stores, files)."""
    groups: dict[int, list[ResourceChange]] = {}
    for rc in changes:
        groups.setdefault(kind_rank(rc.address)[0], []).append(rc)
    return [groups[rank] for rank in sorted(groups, reverse=True)]


class _Runner:
    def __init__(
        self,
        plan: Plan,
        providers: Mapping[str, Any],
        kinds: Mapping[str, Kind],
        store: StateStore,
        inventory: Inventory,
        ctx: _Context,
        hooks: Hooks,
        result: ApplyResult,
    ) -> None:
        self.plan = plan
        self.providers = providers
        self.kinds = kinds
        self.store = store
        self.inventory = inventory
        self.ctx = ctx
        self.hooks = hooks
        self.result = result
        self.replaced: dict[str, str] = {}
        self.failed: set[str] = set()

    def run_graph(
        self,
        changes: list[ResourceChange],
        deps: dict[str, set[str]],
        action: Callable[[ResourceChange], ActionResult],
        parallelism: int,
    ) -> None:
        by_address = {rc.address: rc for rc in changes}
        pending = {a: {d for d in deps[a] if d in by_address} for a in by_address}
        done: set[str] = set()
        with ThreadPoolExecutor(max_workers=max(1, parallelism)) as pool:
            running: dict[Future[ActionResult], str] = {}
            while pending or running:
                for address in [a for a, d in pending.items() if d & self.failed]:
                    del pending[address]
                    self.failed.add(address)
                    blocked = deps[address] & self.failed
                    self._finish(ActionResult(address, "skip", ok=False, skipped=True, error=_skip_reason(blocked)))
                for address in [a for a, d in pending.items() if d <= done]:
                    del pending[address]
                    running[pool.submit(action, by_address[address])] = address
                if not running:
                    break
                finished, _ = wait(running, return_when=FIRST_COMPLETED)
                for future in finished:
                    address = running.pop(future)
                    outcome = future.result()
                    (done if outcome.ok else self.failed).add(address)
                    self._finish(outcome)

    def _finish(self, outcome: ActionResult) -> None:
        self.result.results.append(outcome)
        self.hooks.finished(outcome)

    def build(self, rc: ResourceChange) -> ActionResult:
        kind = self.kinds[rc.kind]
        step = "replace" if rc.action is Action.REPLACE else rc.action.value
        self.hooks.started(rc, step)
        started = time.monotonic()
        try:
            if rc.action is Action.UPDATE:
                applied = kind.update(
                    self.providers[kind.provider],
                    self.ctx,
                    rc.address,
                    rc.remote_id or "",
                    rc.before or {},
                    rc.after or {},
                )
            else:
                applied = kind.create(self.providers[kind.provider], self.ctx, rc.address, rc.after or {})
        except PartialApplyError as exc:
            self._record(rc, exc.applied)
            return _failure(rc.address, step, exc, started)
        except AssistplanError as exc:
            return _failure(rc.address, step, exc, started)
        self._record(rc, applied)
        return ActionResult(rc.address, step, ok=True, seconds=time.monotonic() - started)

    def _record(self, rc: ResourceChange, applied: Applied) -> None:
        kind = self.kinds[rc.kind]
        if rc.action is Action.REPLACE and rc.remote_id and rc.remote_id != applied.live.id:
            self.replaced[rc.address] = rc.remote_id
        self.inventory.id_to_address[applied.live.id] = rc.address
        self.inventory.applied[rc.address] = rc.after or {}
        applied.live.address = rc.address
        previous = self.store.current.get(rc.address) if self.store.current else None
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
        held = file_refs(rc.before) & self.held_files() if rc.kind == "File" else set()
        if held:
            return ActionResult(
                rc.address, step, ok=False, skipped=True, error="kept: a resource that uses this file failed to update"
            )
        self.hooks.started(rc, step)
        started = time.monotonic()
        try:
            kind.delete(self.providers[kind.provider], self.ctx, rc.address, old_id)
        except AssistplanError as exc:
            return _failure(rc.address, step, exc, started)
        if rc.action is Action.DELETE:
            self.store.record(rc.address, None)
        return ActionResult(rc.address, step, ok=True, seconds=time.monotonic() - started)

    def held_files(self) -> set[tuple[str, str]]:
        """The files that resources which failed to update may still use."""
        held: set[tuple[str, str]] = set()
        for rc in self.plan.resource_changes:
            if rc.address in self.failed:
                held |= file_refs(rc.before)
        return held

    def _dependents_failed(self, address: str) -> bool:
        return any(address in rc.depends_on and rc.address in self.failed for rc in self.plan.resource_changes)

    def record_adopted(self) -> None:
        """Record live objects the plan matched by their labels but the state does not know (a crash between a
        create and its state write, or a lost state file), so that dependents can find their ids."""
        for rc in self.plan.resource_changes:
            known = self.store.current.get(rc.address) if self.store.current else None
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
        current = self.store.current
        for rc in self.plan.resource_changes:
            known = current.get(rc.address) if current else None
            if rc.action is not Action.NOOP or known is None or rc.before is None or known.id != rc.remote_id:
                continue
            if known.applied != rc.before:
                refreshed = known.model_copy(update={"applied": rc.before, "digest": rc.digest or known.digest})
                self.store.record(rc.address, refreshed)

    def record_refresh(self) -> None:
        for rc in self.plan.resource_changes:
            recorded = self.store.current.get(rc.address) if self.store.current else None
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


def _skip_reason(blocked: set[str]) -> str:
    return "skipped: depends on " + ", ".join(sorted(blocked)) + ", which failed"


def _failure(address: str, step: str, exc: AssistplanError, started: float) -> ActionResult:
    request_id = exc.request_id if isinstance(exc, ProviderError) else None
    return ActionResult(
        address, step, ok=False, error=str(exc), request_id=request_id, seconds=time.monotonic() - started
    )
