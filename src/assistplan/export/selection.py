"""Which live objects an export writes, and under which names.

Every kind with an `export` hook is listed (its refresh keeps every object while the inventory is `exporting`). An
object another project stamped is never exported. An object this project manages (stamped, or recorded in its state)
keeps its address; the others get a valid manifest name made from their remote name, unique within the kind ignoring
case and different from every address the project has. The filters (kinds, name globs, `unowned`) choose what is
exported; an object that a chosen one refers to (`ExportContext.reference`) comes along.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from fnmatch import fnmatchcase

from assistplan import catalog
from assistplan.addrs import Address
from assistplan.kinds.base import Inventory, Kind, LiveObject
from assistplan.kinds.exporting import unique, valid_name
from assistplan.manifest.fields import RESOURCE_NAME_PATTERN


@dataclass(frozen=True)
class Filters:
    kinds: frozenset[str] = frozenset()
    """Kinds to export (empty: all)."""
    names: tuple[str, ...] = ()
    """Globs matched against the remote name and the manifest name (empty: all)."""
    unowned: bool = False
    """Only objects no project manages."""


def remote_name(obj: LiveObject) -> str:
    """The name the object has on the server (its file name for an upload; `extra["name"]` for a kind that keeps it
    inside another field, like a Flowise assistant's `details`), or its id."""
    for value in (*(obj.raw.get(key) for key in ("name", "filename", "path")), obj.extra.get("name")):
        if isinstance(value, str) and value:
            return value
    return obj.id


def exportable(kind: Kind) -> bool:
    """Whether the kind has an `export` hook."""
    return type(kind).export is not Kind.export


def manifest_only() -> frozenset[str]:
    """The kinds with no remote object of their own (a Function): the export writes them from the objects of the
    kinds that refer to them."""
    return frozenset(name for name, info in catalog.kinds().items() if info.implementation is None)


def with_referrers(wanted: Iterable[str], kinds: dict[str, Kind]) -> set[str]:
    """`wanted`, and for each manifest-only kind in it, the exportable kinds that refer to it (a Function comes from
    the tools of agents, assistants and Flowise tools)."""
    chosen = set(wanted)
    for name in chosen & manifest_only():
        chosen |= {other for other, kind in kinds.items() if name in kind.depends_on and exportable(kind)}
    return chosen


@dataclass
class Selection:
    """The objects to export in order, with their names; `include` adds what they refer to."""

    project: str
    inventory: Inventory
    kinds: dict[str, Kind]
    taken: dict[str, set[str]]
    """Per kind, the lowercased names no new object may take: the project's addresses and those allocated."""
    names: dict[str, str] = field(default_factory=dict)
    """Remote id -> manifest name, for every object queued."""
    queue: deque[LiveObject] = field(default_factory=deque)
    chosen: set[str] = field(default_factory=set)
    """Ids of the objects the filters chose (the others in the queue are referred to by them)."""

    def owner(self, obj: LiveObject) -> str | None:
        """The project an object belongs to: its label, or this project when the state records it."""
        if obj.id in self.inventory.id_to_address:
            return self.project
        return obj.project

    def managed_name(self, obj: LiveObject) -> str | None:
        address = self.inventory.id_to_address.get(obj.id)
        if address is None and obj.project == self.project and obj.address:
            address = obj.address
        return Address.of(address).name if address else None

    def add(self, obj: LiveObject) -> str:
        """Queue an object (once) and return its manifest name."""
        if obj.id in self.names:
            return self.names[obj.id]
        name = self.managed_name(obj)
        if name is None:
            fallback = obj.kind.lower()
            name = unique(valid_name(remote_name(obj), RESOURCE_NAME_PATTERN, fallback), self.taken[obj.kind])
        self.names[obj.id] = name
        self.queue.append(obj)
        return name

    def include(self, kind: str, remote_id: str) -> str | None:
        """The manifest name of a referenced object, queuing it when it is listed and not another project's."""
        if remote_id in self.names:
            return self.names[remote_id]
        address = self.inventory.id_to_address.get(remote_id)
        if address is not None and Address.of(address).kind == kind and not exportable(self.kinds[kind]):
            return Address.of(address).name
        for obj in self.inventory.of_kind(kind) if exportable(self.kinds[kind]) else ():
            if obj.id == remote_id:
                return self.add(obj) if self.owner(obj) in (None, self.project) else None
        return Address.of(address).name if address else None


def select(
    project: str, inventory: Inventory, kinds: dict[str, Kind], declared: Iterable[Address], filters: Filters
) -> Selection:
    """The objects the filters choose, queued in catalog order and by remote name."""
    taken: dict[str, set[str]] = {name: set() for name in kinds}
    for address in [*declared, *(Address.of(a) for a in inventory.id_to_address.values())]:
        taken.setdefault(address.kind, set()).add(address.name.lower())
    selection = Selection(project, inventory, kinds, taken)
    wanted = with_referrers(filters.kinds, kinds)
    for name, kind in kinds.items():
        if not exportable(kind) or (wanted and name not in wanted):
            continue
        for obj in sorted(inventory.of_kind(name), key=lambda o: (remote_name(o), o.id)):
            owner = selection.owner(obj)
            if owner not in (None, project) or (filters.unowned and owner is not None):
                continue
            names = (remote_name(obj), selection.managed_name(obj) or "")
            if filters.names and not any(fnmatchcase(n, glob) for glob in filters.names for n in names if n):
                continue
            selection.add(obj)
            selection.chosen.add(obj.id)
    return selection
