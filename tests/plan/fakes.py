"""Builders for planner tests: desired resources, state entries and live objects, with no provider and no HTTP.

Everything that knows the engine's types (kinds, inventories, state models, `make_plan` itself) lives here, so that
the tables in test_planner.py speak only of addresses, specs, ids and expected (action, reason) strings.

Defaults: the project is `acme`; a live object and a state entry of `Kind/name` have the id `name-1`; a live object
is stamped with the project's labels exactly as an apply stamps them, with the digest of the spec it holds (pass
`applied=` for the spec an apply wrote when the object changed since, or the API leaves fields out).
"""

from __future__ import annotations

import copy
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, NoReturn

from assistplan.addrs import Address
from assistplan.errors import PlanError
from assistplan.kinds.base import (
    DesireContext,
    Garbage,
    Inventory,
    Kind,
    KindContext,
    LiveObject,
    SharedContent,
    Spec,
    digest,
    labels,
)
from assistplan.kinds.blobs import POOL, Blob, BlobPool, file_refs
from assistplan.kinds.files import FileKind
from assistplan.plan.desired import Desired
from assistplan.plan.model import ActionReason, FieldChange, Plan, PlanOptions
from assistplan.plan.planner import make_plan
from assistplan.state import ResourceState, StateFile

PROJECT = "acme"
LINEAGE = "6f1c2a3e-4b5d-4e6f-8a9b-0c1d2e3f4a5b"
NOW = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
_UNSET: Any = object()

REASONS = frozenset(str(reason) for reason in ActionReason)
"""Every reason a resource change can give, as the JSON plan spells it."""


class FakeKind(Kind):
    """A kind the planner can plan with and nothing else: its live spec is `raw["spec"]`, and every call that would
    reach a provider fails the test (the planner must never make one)."""

    def __init__(
        self,
        kind: str,
        *,
        replace_paths: Iterable[str] = (),
        uploads: bool = False,
        references: Iterable[str] = (),
        reached_through: Iterable[str] = (),
    ) -> None:
        self.kind = kind  # type: ignore[misc]
        self.replace_paths = frozenset(replace_paths)  # type: ignore[misc]
        self.uploads = uploads
        self.references = tuple(references)
        self.reached_through = tuple(reached_through)

    def shared_content(self, spec: Spec) -> SharedContent:
        return SharedContent(uses=frozenset(file_refs(spec))) if self.uploads else SharedContent()

    def normalize(self, obj: LiveObject, inventory: Inventory) -> Spec:
        return copy.deepcopy(obj.raw["spec"])

    def reference_paths(self, spec: Spec) -> dict[str, str]:
        return {path: spec[path] for path in self.references if isinstance(spec.get(path), str)}

    def reached(self, address: str, spec: Spec, updates: Mapping[str, tuple[Spec, Spec]]) -> list[tuple[str, str]]:
        """Every update of what the `reached_through` paths name reaches the object."""
        named = [(path, spec.get(path)) for path in self.reached_through]
        return [(target, f"reaches {address} through {path}") for path, target in named if target in updates]

    def _never(self, what: str) -> NoReturn:
        raise AssertionError(f"the planner called {self.kind}.{what}")

    def desired(self, resource: Any, ctx: DesireContext) -> Spec:
        self._never("desired")

    def refresh(self, ctx: KindContext) -> list[LiveObject]:
        self._never("refresh")

    def create(self, ctx: KindContext, address: str, spec: Spec) -> Any:
        self._never("create")

    def update(self, ctx: KindContext, address: str, remote_id: str, before: Spec, spec: Spec) -> Any:
        self._never("update")

    def delete(self, ctx: KindContext, address: str, remote_id: str) -> None:
        self._never("delete")

    def read(self, ctx: KindContext, remote_id: str, address: str) -> LiveObject:
        self._never("read")

    def stamp(self, ctx: KindContext, address: str, live: LiveObject, stamp: dict[str, str]) -> LiveObject:
        self._never("stamp")


class FakeFileKind(FakeKind):
    """The File kind: what it is and which uploads are garbage are the real kind's rules."""

    real = FileKind()
    replaceable = FileKind.replaceable

    def shared_content(self, spec: Spec) -> SharedContent:
        return self.real.shared_content(spec)

    def garbage(
        self, inventory: Inventory, needed: set[Hashable], claimed: set[str], keep: Sequence[LiveObject]
    ) -> list[Garbage]:
        return self.real.garbage(inventory, needed, claimed, keep)


# Real kind names, so that the planner's kind order (files, stores, vaults, then what uses them) applies: a
# VectorStore cannot change `chunking` in place and uploads the files of its `files` map; Assistants and Agents refer
# to a store by address in `vector_store`, and an Agent is reached by every update of its store (`Kind.reached`); a
# Vault cannot change `region` in place, a VaultCredential refers to its vault by a path it cannot change in place
# (`vault`), and an Agent refers to a credential in `credential`.
KINDS: dict[str, Kind] = {
    kind.kind: kind
    for kind in (
        FakeFileKind("File", replace_paths={"path", "sha256"}),
        FakeKind("VectorStore", replace_paths={"chunking"}, uploads=True),
        FakeKind("Vault", replace_paths={"region"}),
        FakeKind("VaultCredential", replace_paths={"vault"}, references={"vault"}),
        FakeKind("Assistant", references={"vector_store"}),
        FakeKind("Agent", references={"vector_store", "credential"}, reached_through={"vector_store"}),
    )
}


def _id(address: str) -> str:
    return f"{address.partition('/')[2]}-1"


def want(
    address: str,
    spec: Spec,
    *,
    depends_on: Sequence[str] = (),
    prevent_destroy: bool = False,
    ignore_changes: Sequence[str] = (),
    moved_from: Sequence[str] = (),
) -> Desired:
    """A resource of the manifests; `moved_from` are the addresses it had before it was renamed."""
    return Desired(
        address=Address.of(address),
        kind=KINDS[address.partition("/")[0]],
        spec=spec,
        digest=digest(spec),
        depends_on=tuple(Address.of(d) for d in depends_on),
        prevent_destroy=prevent_destroy,
        ignore_changes=tuple(ignore_changes),
        moved_from=tuple(Address.of(m) for m in moved_from),
    )


def recorded(address: str, applied: Spec, *, id: str | None = None, digested: bool = True) -> ResourceState:
    """A state entry: `applied` was last applied to the remote object `id` (not `digested`: a record adopted by its
    labels, which knows no digest)."""
    kind, _, name = address.partition("/")
    spec_digest = digest(applied) if digested else ""
    return ResourceState(kind=kind, name=name, id=id or _id(address), digest=spec_digest, applied=applied)


def live(
    address: str,
    spec: Spec,
    *,
    id: str | None = None,
    applied: Spec = _UNSET,
    stamped: bool = True,
    project: str = PROJECT,
    label: str | None = None,
    digested: bool = True,
) -> LiveObject:
    """A listed remote object of `address`'s kind whose normalized spec is `spec`. Stamped, it carries the labels an
    apply of `applied` (default: `spec`) writes; `label` replaces the address label, `project` the project label;
    not `digested`, it carries no digest label (a kind whose objects keep only their identity)."""
    kind = address.partition("/")[0]
    raw: dict[str, Any] = {"id": id or _id(address), "spec": spec}
    if stamped:
        written = spec if applied is _UNSET else applied
        raw["metadata"] = {**labels(project, address, digest(written), written)}
        if label is not None:
            raw["metadata"]["assistplan:address"] = label
        if not digested:
            del raw["metadata"]["assistplan:digest"]
    return LiveObject.from_metadata(kind, raw)


def blob(path: str, sha256: str, *, id: str) -> Blob:
    """An uploaded file named with the project's prefix (`ap.acme.<sha256>.<path>`)."""
    return Blob(id=id, project=PROJECT, sha256=sha256, path=path, size=1, purpose="assistants")


def files(*entries: tuple[str, str]) -> dict[str, Any]:
    """A normalized `files` map of (path, sha256) entries, as a kind that uploads files has it."""
    return {path: {"sha256": sha256, "size": 1} for path, sha256 in entries}


def file_spec(path: str, sha256: str) -> Spec:
    """A File's normalized spec."""
    return {"path": path, "purpose": "assistants", "sha256": sha256, "size": 1}


@dataclass(frozen=True)
class Scenario:
    """Planner inputs. `state=None` is no state file at all; `state=[]` an empty one."""

    want: Sequence[Desired] = ()
    state: Sequence[ResourceState] | None = None
    live: Sequence[LiveObject] = ()
    blobs: Sequence[Blob] = ()
    destroy: bool = False
    refresh_only: bool = False
    targets: Sequence[str] = ()
    replace: Sequence[str] = ()


def plan(scenario: Scenario) -> Plan:
    """The plan `make_plan` makes for a scenario."""
    state = None
    if scenario.state is not None:
        state = StateFile(
            lineage=LINEAGE,
            serial=1,
            project=PROJECT,
            resources={entry.address: entry for entry in scenario.state},
        )
    objects: dict[str, list[LiveObject]] = {}
    for obj in scenario.live:
        objects.setdefault(obj.kind, []).append(obj)
    inventory = Inventory(project=PROJECT, objects=objects)
    if scenario.blobs:  # listed into the pool by the File kind's refresh, as in a real one
        objects.setdefault("File", [])
        pool = BlobPool(PROJECT)
        for item in scenario.blobs:
            pool.add(item)
        inventory.shared[POOL] = pool
    targets = tuple(Address.of(target) for target in scenario.targets)
    options = PlanOptions(
        destroy=scenario.destroy,
        refresh_only=scenario.refresh_only,
        targets=targets,
        replace=tuple(Address.of(address) for address in scenario.replace),
    )
    return make_plan(PROJECT, {d.address: d for d in scenario.want}, state, inventory, KINDS, options, now=NOW)


Outcome = tuple[str, str | None]


def outcomes(result: Plan) -> dict[str, Outcome]:
    """Address -> (action, reason) of every resource change, as the JSON plan spells them."""
    return {
        str(rc.address): (str(rc.action), str(rc.reason) if rc.reason is not None else None)
        for rc in result.resource_changes
    }


def order(result: Plan) -> list[str]:
    """The addresses of the resource changes, in plan order."""
    return [str(rc.address) for rc in result.resource_changes]


def change(result: Plan, address: str) -> Any:
    """The resource change of an address."""
    [found] = [rc for rc in result.resource_changes if str(rc.address) == address]
    return found


def fields(changes: Iterable[FieldChange]) -> list[tuple[str, str, Any, Any]]:
    """(path, change, before, after) of field changes."""
    return [(c.path, str(c.change), c.before, c.after) for c in changes]


def drift(result: Plan) -> list[tuple[str, str | None, bool, list[tuple[str, str, Any, Any]]]]:
    """(address, remote id, deleted, field changes) of every drift record, in plan order."""
    return [(str(d.address), d.remote_id, d.deleted, fields(d.changes)) for d in result.drift]


def summary(result: Plan) -> dict[str, int]:
    s = result.summary
    return {"add": s.add, "change": s.change, "destroy": s.destroy, "forget": s.forget}


__all__ = [
    "KINDS",
    "NOW",
    "PROJECT",
    "REASONS",
    "FakeKind",
    "PlanError",
    "Scenario",
    "blob",
    "change",
    "drift",
    "fields",
    "file_spec",
    "files",
    "live",
    "order",
    "outcomes",
    "plan",
    "recorded",
    "summary",
    "want",
]
