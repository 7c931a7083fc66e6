"""Which live object each address is, what is left over, and what a live object's unread fields are taken to be.

An address is the live object its state records, when that object still exists; else the one stamped with the
address (labels beat stale ids); else the one stamped with an address it was moved from (`moved_from`); else the
one a kind recognises by content (files). Objects stamped with the project
that no address claims are leftovers: duplicates of an address (an interrupted create, two applies at once) and
orphans (a label with no usable address). Each live object is normalized once (`Inventory.normalized`).
Pure: reads what refresh gathered.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field, replace

from assistplan.addrs import Address
from assistplan.kinds import Inventory, Kind, LiveObject, Spec
from assistplan.kinds.base import field_digest
from assistplan.plan.desired import Desired
from assistplan.state import ResourceState, StateFile

UNREAD = "(changed since the last apply; the API does not return it)"
"""How a plan shows a field the API does not return when nothing proves its value (never recorded in a state)."""
_UNPROVEN = object()


@dataclass(frozen=True)
class Live:
    """A matched live object and its normalized spec (fields the server did not return are absent)."""

    obj: LiveObject
    spec: Spec


@dataclass
class Matched:
    live: dict[Address, Live] = field(default_factory=dict)
    duplicates: list[Live] = field(default_factory=list)
    orphans: list[Live] = field(default_factory=list)
    by_content: set[Address] = field(default_factory=set)
    """The addresses whose object a kind recognised by content (`Kind.match`), not by its labels."""


def match_live(
    desired: Mapping[Address, Desired], state: StateFile | None, inventory: Inventory, kinds: Mapping[str, Kind]
) -> Matched:
    by_key = {_key(obj): obj for objects in inventory.objects.values() for obj in objects if obj.kind in kinds}
    matched = _recorded(state, by_key) if state is not None else {}
    claimed = {_key(obj) for obj in matched.values()}
    stamped = [obj for obj in by_key.values() if _key(obj) not in claimed and obj.project == inventory.project]
    renamed = {old: address for address, want in desired.items() for old in want.moved_from}
    labelled = [(obj, label) for obj in stamped if (label := _label(obj)) is not None]
    labelled += [(obj, renamed[label]) for obj, label in labelled if label in renamed]
    for obj, target in labelled:
        if _key(obj) not in claimed and target in desired and target not in matched:
            matched[target] = obj
            claimed.add(_key(obj))
    by_content: set[Address] = set()
    for address, want in desired.items():
        if address not in matched:
            found = want.kind.match(address, want.spec, inventory)
            if found is not None and _key(found) not in claimed:
                matched[address] = found
                claimed.add(_key(found))
                by_content.add(address)
    duplicates: list[LiveObject] = []
    orphans: list[LiveObject] = []
    for obj in stamped:
        if _key(obj) in claimed:
            continue
        label = _label(obj)
        if label is None:
            orphans.append(obj)
        elif label in matched:
            duplicates.append(obj)
        else:
            matched[label] = obj
            claimed.add(_key(obj))

    def normalized(obj: LiveObject) -> Live:
        return Live(obj, inventory.normalized(obj, kinds[obj.kind]))

    return Matched(
        live={address: normalized(obj) for address, obj in matched.items()},
        duplicates=[normalized(obj) for obj in duplicates],
        orphans=[normalized(obj) for obj in orphans],
        by_content=by_content,
    )


def _key(obj: LiveObject) -> tuple[str, str]:
    """An object's identity among the listed ones: an id is unique within its kind only."""
    return obj.kind, obj.id


def _recorded(state: StateFile, by_key: Mapping[tuple[str, str], LiveObject]) -> dict[Address, LiveObject]:
    """The addresses whose recorded id is a listed object of their own kind. An id recorded for several addresses (a
    state edited by hand) is the object of the one its address label names, else of none of them: each is then
    matched as if its id were stale."""
    recorded: dict[tuple[str, str], list[Address]] = {}
    for address, resource in state.resources.items():
        key = (address.kind, resource.id)
        if key in by_key:
            recorded.setdefault(key, []).append(address)
    matched: dict[Address, LiveObject] = {}
    for key, addresses in recorded.items():
        obj = by_key[key]
        owner = addresses[0] if len(addresses) == 1 else _label(obj)
        if owner in addresses:
            matched[owner] = obj
    return matched


def _label(obj: LiveObject) -> Address | None:
    """The address the object's address label names, when it is one of the object's own kind."""
    label = Address.of(obj.address or "")
    return label if label.kind == obj.kind and label.name else None


def with_unread(found: Live | None, want: Desired | None, recorded: ResourceState | None) -> Live | None:
    """The live spec with the fields the server did not return filled in.

    A field the API does not return is compared through the per-field hashes of the digest label when it has them:
    equal to the manifest's value, it is that value; else the state's, when that matches; else it is shown as
    unread (`UNREAD`), a change. Without hashes it is taken as applied when the digest label proves the desired spec
    was applied, else as the state last recorded it, else as desired (unknown is not a change)."""
    return _filled(found, want, recorded, shown_unread=True)


def proven_unread(found: Live | None, want: Desired | None, recorded: ResourceState | None) -> Live | None:
    """As `with_unread`, for recording (a state rebuilt from the labels): a field whose value nothing proves is left
    out instead of shown as unread, so the state never takes the words of a plan for a value. The record then lacks
    it, and later plans compare it through its hash again."""
    return _filled(found, want, recorded, shown_unread=False)


def _filled(
    found: Live | None, want: Desired | None, recorded: ResourceState | None, *, shown_unread: bool
) -> Live | None:
    if found is None:
        return None
    if want is not None and (found.obj.digest == want.digest or recorded is None):
        source = want.spec
    elif recorded is not None:
        source = recorded.applied
    else:
        return found
    spec = fill_unread(found.spec, source)
    hashes = found.obj.field_digests
    # the unread fields with a hash: those filled from `source`, and those a state record lacks (it could not prove
    # them when it was rebuilt from the labels)
    unread = set(spec) - set(found.spec)
    if recorded is not None:
        unread |= {key for key in hashes if key not in found.spec and key not in recorded.applied}
    if not unread & set(hashes):
        return found if spec is found.spec else replace(found, spec=spec)
    spec = dict(spec)
    for key in sorted(unread & set(hashes)):
        candidates = [want.spec.get(key)] if want is not None and key in want.spec else []
        candidates += [recorded.applied[key]] if recorded is not None and key in recorded.applied else []
        proven = next((value for value in candidates if field_digest(value) == hashes[key]), _UNPROVEN)
        if proven is not _UNPROVEN:
            spec[key] = proven
        elif shown_unread:
            spec[key] = UNREAD
        else:
            spec.pop(key, None)
    return replace(found, spec=spec)


def fill_unread(live: Spec, source: Spec) -> Spec:
    """`live` with the top-level fields it lacks taken from `source`."""
    missing = {key: value for key, value in source.items() if key not in live}
    return {**live, **missing} if missing else live


def needed(desired: Mapping[Address, Desired]) -> set[Hashable]:
    """The shared content (uploads) that the desired resources use or are."""
    found: set[Hashable] = set()
    for want in desired.values():
        shared = want.kind.shared_content(want.spec)
        found |= shared.uses | shared.provides
    return found
