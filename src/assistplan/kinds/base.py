"""What every kind implements, the one context object kinds are given, and the live-object and inventory types.

A kind turns a manifest resource into a *normalized spec* (a JSON-ready dict in which references are addresses and
files are `{path: {sha256, size}}`), reads live objects back into the same shape, and carries out create, update and
delete. Normalized specs are what the planner diffs, what plans show and what the state records.

A kind module defines one `Kind` subclass and registers an instance (`register`): its name, manifest model, provider
and the kinds its resources refer to go to `assistplan.catalog`, which is the only list of kinds. Every hook that
talks to an API gets a `KindContext`: the project name, the kind's provider connection, the inventory, the local
files' root, and what the apply has recorded so far (ids of dependencies, state attributes, labels, progress).
"""

from __future__ import annotations

import hashlib
import json
from abc import ABC, abstractmethod
from collections.abc import Hashable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Generic, Protocol, TypeAlias, TypeVar

from assistplan import catalog
from assistplan.addrs import Address
from assistplan.errors import ProviderError

if TYPE_CHECKING:
    from assistplan.kinds.exporting import ExportContext, Exported
    from assistplan.manifest.models import ProjectConfig
    from assistplan.manifest.project import Project, Resource
    from assistplan.providers.openai import OpenAIApi

LABEL_PROJECT = "assistplan:project"
LABEL_ADDRESS = "assistplan:address"
LABEL_DIGEST = "assistplan:digest"
LABEL_KEYS = (LABEL_PROJECT, LABEL_ADDRESS, LABEL_DIGEST)
METADATA_VALUE_LIMIT = 512

Spec = dict[str, Any]


# one encoder for every digest: json.dumps with options builds a new encoder on each call
_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def canonical_json(value: Any) -> str:
    return _CANONICAL.encode(value)


def digest(spec: Mapping[str, Any]) -> str:
    """The digest stamped on remote objects: a hash of the normalized desired spec."""
    return hashlib.sha256(canonical_json(spec).encode()).hexdigest()[:32]


def field_digest(value: Any) -> str:
    """A short hash of one field's value, stamped beside the spec digest (see `labels`)."""
    return hashlib.sha256(canonical_json(value).encode()).hexdigest()[:8]


def labels(project: str, address: str, spec_digest: str, spec: Spec | None = None) -> dict[str, str]:
    """The reserved labels. With `spec`, the digest label also carries a short hash of each top-level field
    (`<digest>;name=1a2b3c4d,...`, when that fits the API's 512 characters), so that a field the API never returns
    can still be compared with the manifest when there is no state file."""
    value = spec_digest
    if spec is not None:
        fields = ",".join(f"{key}={field_digest(spec[key])}" for key in sorted(spec))
        if len(spec_digest) + 1 + len(fields) <= METADATA_VALUE_LIMIT:
            value = f"{spec_digest};{fields}"
    return {LABEL_PROJECT: project, LABEL_ADDRESS: address, LABEL_DIGEST: value}


def parse_digest_label(value: str | None) -> tuple[str | None, dict[str, str]]:
    """The spec digest and the per-field hashes of a digest label."""
    if not value:
        return value, {}
    spec_digest, _, fields = value.partition(";")
    pairs = (item.partition("=") for item in fields.split(",") if item)
    return spec_digest, {key: hashed for key, _, hashed in pairs}


def user_metadata(metadata: Mapping[str, Any] | None) -> dict[str, Any]:
    """Metadata without assistplan's own labels."""
    return {k: v for k, v in (metadata or {}).items() if k not in LABEL_KEYS}


def find_stamped(items: Iterable[Any], project: str, address: str) -> Any:
    """The first listed object (an SDK model or the JSON the API sent) whose metadata names this project and
    address, or None."""
    return next(iter(_stamped(items, project, address)), None)


def all_stamped(items: Iterable[Any], project: str, address: str) -> list[Any]:
    """Every listed object whose metadata names this project and address."""
    return list(_stamped(items, project, address))


def _stamped(items: Iterable[Any], project: str, address: str) -> Iterator[Any]:
    for item in items:
        metadata = (item.get("metadata") if isinstance(item, dict) else getattr(item, "metadata", None)) or {}
        if metadata.get(LABEL_PROJECT) == project and metadata.get(LABEL_ADDRESS) == address:
            yield item


@dataclass
class LiveObject:
    """A remote object as listed, with assistplan's labels read from its metadata (None when unstamped)."""

    kind: str
    id: str
    raw: dict[str, Any]
    project: str | None = None
    address: str | None = None
    digest: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    field_digests: dict[str, str] = field(default_factory=dict)
    """Per-field hashes of the applied spec, from the digest label (empty when the label carries none)."""
    spec: Spec | None = None
    """The normalized spec, computed once per command (`Inventory.normalized`)."""

    @classmethod
    def from_metadata(cls, kind: str, raw: dict[str, Any], extra: dict[str, Any] | None = None) -> LiveObject:
        metadata = raw.get("metadata") or {}
        spec_digest, fields = parse_digest_label(metadata.get(LABEL_DIGEST))
        return cls(
            kind=kind,
            id=raw["id"],
            raw=raw,
            project=metadata.get(LABEL_PROJECT),
            address=metadata.get(LABEL_ADDRESS),
            digest=spec_digest,
            extra=extra or {},
            field_digests=fields,
        )


@dataclass
class Inventory:
    """Everything the refresh read: live objects per kind, and what kinds share within a provider."""

    project: str
    objects: dict[str, list[LiveObject]] = field(default_factory=dict)
    shared: dict[str, Any] = field(default_factory=dict)
    """What a kind's refresh found for other kinds of its provider to read (for example the pool of uploads)."""
    id_to_address: dict[str, str] = field(default_factory=dict)
    """Remote id -> address as text: normalized specs hold it like any other string (an `Address`, a `str` subclass,
    would diff against the desired text as a change of type)."""
    applied: dict[str, Spec] = field(default_factory=dict)
    attributes: dict[str, dict[str, Any]] = field(default_factory=dict)
    """The kind-specific attributes the state records, per address."""
    parallelism: int = 8
    """How many list requests may run at once (`--parallelism`)."""
    unowned: dict[str, list[LiveObject]] = field(default_factory=dict)
    """Listed objects this project does not own, per kind, for kinds whose remote objects carry no labels: used to
    refuse a create whose name another object already has."""
    read_by_id: frozenset[str] = frozenset()
    """Kinds whose objects the refresh may read by id instead of listing the whole collection: the state records
    every address of the kind the manifests declare, and the apply that wrote it finished."""

    siblings: frozenset[str] = frozenset()
    """The identities of this project's other environments (and its name without one): their objects may have the
    names this one's have (the same manifests applied to dev and prod), and are never this one's to change."""

    recorded: dict[str, list[str]] = field(default_factory=dict)
    """The remote ids the state records, per kind, the most recently recorded first: listings start walks after some of
    them (see `assistplan.providers.paging`)."""

    listed_whole: set[str] = field(default_factory=set)
    """Kinds whose refresh listed their whole collection: what it found does not depend on `read_by_id`."""

    deleting: frozenset[str] = frozenset()
    """Set by an apply before it builds anything: the remote ids it deletes, which must not be reused by what it
    creates (the pool of uploads, `kinds/blobs.py`, offers a copy that stays instead of one about to be deleted)."""

    exporting: bool = False
    """Set by `export` only: the refresh keeps every listed object, this project's or not (`owns` answers True),
    so that the exporters see what no project manages. A plan never sets it."""

    def owns(self, raw_id: str, project_label: str | None) -> bool:
        """Whether the refresh keeps an object: this project's (stamped with its name, or recorded in its state:
        imported), or any object while `exporting`."""
        return self.exporting or project_label == self.project or raw_id in self.id_to_address

    def of_kind(self, kind: str) -> list[LiveObject]:
        return self.objects.get(kind, [])

    def known_ids(self, kind: str) -> list[str]:
        """The remote ids of a kind that may be read one by one (none unless the kind is in `read_by_id`)."""
        if kind not in self.read_by_id:
            return []
        return [remote_id for remote_id, address in self.id_to_address.items() if Address.of(address).kind == kind]

    def normalized(self, obj: LiveObject, kind: Kind) -> Spec:
        """The object's normalized spec, computed on first use."""
        if obj.spec is None:
            obj.spec = kind.normalize(obj, self)
        return obj.spec


class Records(Protocol):
    """What an apply has recorded so far, as kinds may read it."""

    def remote_id(self, address: str) -> str: ...

    def attributes(self, address: Address) -> dict[str, Any]: ...

    def labels(self, address: Address) -> dict[str, str]: ...

    def progress(self, address: Address, message: str) -> None: ...


class NoRecords:
    """Records outside an apply (refresh, import): nothing applied yet, labels without a digest, no progress."""

    def __init__(self, project: str) -> None:
        self.project = project

    def remote_id(self, address: str) -> str:
        raise ProviderError(f"{address} has no remote object yet (it was not applied)", address=address)

    def attributes(self, address: Address) -> dict[str, Any]:
        return {}

    def labels(self, address: Address) -> dict[str, str]:
        return labels(self.project, address, "")

    def progress(self, address: Address, message: str) -> None:
        return None


P = TypeVar("P")


@dataclass
class KindContext(Generic[P]):
    """What a kind's API hooks are given: the project, the kind's provider connection, the inventory, the local files'
    root, and the apply's records. A kind's hooks name their provider's type (`KindContext[OpenAIApi]`), so that
    what they call on it is checked; the generic layers, which hold every kind, make `KindContext[Provider]`s."""

    project: str
    provider: P
    inventory: Inventory
    root: Path
    records: Records

    @property
    def parallelism(self) -> int:
        return self.inventory.parallelism

    def remote_id(self, address: str) -> str:
        """The remote id recorded for an address (a dependency applied earlier)."""
        return self.records.remote_id(address)

    def attributes(self, address: Address) -> dict[str, Any]:
        """The kind-specific attributes the state records for an address ({} when none)."""
        return self.records.attributes(address)

    def labels(self, address: Address) -> dict[str, str]:
        """The reserved labels to stamp on the object at an address (project, address, spec digest)."""
        return self.records.labels(address)

    def progress(self, address: Address, message: str) -> None:
        """Report progress of a long operation (uploads, indexing)."""
        self.records.progress(address, message)


OpenAIContext: TypeAlias = "KindContext[OpenAIApi]"
"""The context the hooks of a kind of the OpenAI provider get."""


@dataclass(frozen=True)
class DesireContext:
    """What `Kind.desired` is given besides the resource (which holds the resources it refers to, resolved:
    `Resource.referred`): the manifests' project, the desired specs of the resources desired before this one (every
    kind this one depends on comes earlier), the attributes the state recorded for this address, and what kinds
    compute once for all the resources of a command (`shared`, for example a Function's parameters as every agent that
    uses it embeds them)."""

    project: Project
    specs: Mapping[str, Spec]
    attributes: Mapping[str, Any]
    shared: dict[str, Any] = field(default_factory=dict)


@dataclass
class Applied:
    """The result of a create or update: the live object and kind-specific state attributes."""

    live: LiveObject
    attributes: dict[str, Any] = field(default_factory=dict)


class PartialApplyError(ProviderError):
    """The object was created or updated, but a later step failed (for example a file that did not index)."""

    def __init__(self, message: str, *, applied: Applied, address: str, operation: str) -> None:
        self.applied = applied
        super().__init__(message, address=address, operation=operation)


def prune(value: Any) -> Any:
    """Drop None-valued keys recursively, so that an absent field and an explicit null compare equal."""
    if isinstance(value, dict):
        return {k: prune(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [prune(v) for v in value]
    return value


@dataclass(frozen=True)
class SharedContent:
    """How an object is tied to content that objects of several kinds share (the project's pool of uploads), and
    whether assistplan made it. The planner keeps what the desired resources use or are; the applier keeps what a
    resource that failed to update still uses."""

    uses: frozenset[Hashable] = frozenset()
    """Shared content, held by objects of other kinds, that the object needs kept."""
    provides: frozenset[Hashable] = frozenset()
    """The shared content the object is: removed from the manifests while other objects still use it, it is
    forgotten, not deleted."""
    foreign: bool = False
    """Made outside assistplan and only referred to (a File given by id): removed from the manifests or destroyed, it
    is forgotten, never deleted."""


NOT_SHARED = SharedContent()


@dataclass(frozen=True)
class Garbage:
    """An object of the project that no address claims and no resource needs, found by its kind (see
    `Kind.garbage`): planned as a deletion at `address`."""

    address: Address
    remote_id: str
    spec: Spec


class Kind(ABC):
    """One remote object type. Subclasses set the class attributes and implement the abstract hooks."""

    kind: ClassVar[str]
    spec_model: ClassVar[type[Any]]
    """The manifest model of this kind (see `assistplan.manifest`)."""
    provider: ClassVar[str] = "openai"
    depends_on: ClassVar[tuple[str, ...]] = ()
    """Kinds whose resources this kind's resources may refer to: applied before, deleted after."""
    reads: ClassVar[tuple[str, ...]] = ()
    """Kinds whose refresh this kind's normalization reads (listed whenever this kind is)."""
    replace_paths: ClassVar[frozenset[str]] = frozenset()
    high_impact_paths: ClassVar[tuple[str, ...]] = ()
    """Spec paths whose changes the pull-request comment flags as high-impact (a model, the tools)."""
    manifest_fields: ClassVar[frozenset[str]] = frozenset()
    """Top-level spec fields that only the manifest holds, with no remote counterpart (a Skill's folder): `import`
    records them as the manifest says, so an adopted object differs from the manifest only where the object does."""
    replaceable: ClassVar[bool] = True
    """Whether `--replace` may ask for a new object. Not for a kind whose object is its content (a File: an upload of
    the same content is the same file, and one given by id is not assistplan's to delete)."""
    fields_in_labels: ClassVar[bool] = False
    """Whether the digest label carries a short hash of each field (where metadata values are long enough)."""

    @abstractmethod
    def desired(self, resource: Resource, ctx: DesireContext) -> Spec:
        """The normalized spec of a manifest resource (defaults the server would fill in are filled in)."""

    def fold_live(self, desired: Spec, live: Spec) -> Spec:
        """Take server-chosen values into the desired spec where the manifest leaves the choice to the server."""
        return desired

    @abstractmethod
    def normalize(self, obj: LiveObject, inventory: Inventory) -> Spec:
        """The normalized spec of a live object, in the same shape as `desired`."""

    def reference_paths(self, spec: Spec) -> dict[str, str]:
        """Paths in the spec that hold an address of another resource (so a replaced dependency updates this)."""
        return {}

    def match(self, address: Address, spec: Spec, inventory: Inventory) -> LiveObject | None:
        """The live object that is this address when the state does not say: the one stamped with it."""
        for obj in inventory.of_kind(self.kind):
            if obj.address == address and obj.project == inventory.project:
                return obj
        return None

    def unserved(self, config: ProjectConfig) -> str | None:
        """Why the configured endpoint cannot serve this kind (checked before any request), or None."""
        return None

    def reached(
        self, address: Address, spec: Spec, updates: Mapping[Address, tuple[Spec, Spec]]
    ) -> list[tuple[Address, str]]:
        """How in-place updates of resources this object refers to reach it with no change of its own (for example a
        template naming a skill without a version takes the skill's new default version at the next session start):
        (updated address, note) pairs, the note shown with that update. `updates` maps each address updated in place
        to its (before, after) specs."""
        return []

    def shared_content(self, spec: Spec) -> SharedContent:
        """What an object with this spec shares with objects of other kinds, and whether assistplan made it (see
        `SharedContent`); the default: nothing, and it did."""
        return NOT_SHARED

    def garbage(
        self, inventory: Inventory, needed: set[Hashable], claimed: set[str], keep: Sequence[LiveObject]
    ) -> list[Garbage]:
        """Objects of this kind that the project made, whose ids no address `claimed` and that nothing `needed`
        keeps: deleted by the plan. `keep` are the live objects that stay."""
        return []

    @abstractmethod
    def refresh(self, ctx: KindContext[Any]) -> list[LiveObject]:
        """List the live objects of this kind (one call per page)."""

    @abstractmethod
    def create(self, ctx: KindContext[Any], address: Address, spec: Spec) -> Applied: ...

    @abstractmethod
    def update(self, ctx: KindContext[Any], address: Address, remote_id: str, before: Spec, spec: Spec) -> Applied: ...

    @abstractmethod
    def delete(self, ctx: KindContext[Any], address: Address, remote_id: str) -> None: ...

    @abstractmethod
    def read(self, ctx: KindContext[Any], remote_id: str, address: Address) -> LiveObject:
        """Retrieve one object by id (import; a File's update, which changes nothing remote)."""

    @abstractmethod
    def stamp(self, ctx: KindContext[Any], address: Address, live: LiveObject, stamp: dict[str, str]) -> LiveObject:
        """Put this project's labels on an existing object, changing nothing else (import)."""

    def export(self, obj: LiveObject, ctx: ExportContext) -> Exported | None:
        """The manifest of a live object for `assistplan export` (see `assistplan.kinds.exporting`), written so
        that, once the object is adopted, the next plan shows no changes. None: this object is not exported. A kind
        that does not override this hook is not exported at all."""
        return None


def owned_objects(ctx: OpenAIContext, kind: str, path: str, noun: str) -> list[LiveObject]:
    """The objects of an OpenAI collection at `path` that this project owns: listed, or read by id where the
    inventory allows it and that is cheaper (see `assistplan.providers.listing`)."""
    objects = (LiveObject.from_metadata(kind, item) for item in listed_or_read(ctx, kind, path, noun))
    return [obj for obj in objects if ctx.inventory.owns(obj.id, obj.project)]


def listed_or_read(ctx: OpenAIContext, kind: str, path: str, noun: str) -> list[dict[str, Any]]:
    """The objects of the OpenAI collection at `path` as the API sends them: listed (also from the ids the state
    records, `assistplan.providers.paging`), or the recorded ones read by id where the inventory allows it and that
    is cheaper (`assistplan.providers.listing`); a whole listing is noted in `Inventory.listed_whole`."""
    from assistplan.providers.listing import list_or_read

    provider, inventory = ctx.provider, ctx.inventory
    items, whole = list_or_read(
        lambda reached: provider.list_objects(
            path,
            address=None,
            operation=f"list {noun}s",
            known=inventory.recorded.get(kind, ()),
            parallelism=inventory.parallelism,
            reached=reached,
        ),
        lambda remote_id: provider.get_object(f"{path}/{remote_id}", address=None, operation=f"read {noun}"),
        inventory.known_ids(kind),
        inventory.parallelism,
    )
    if whole:
        inventory.listed_whole.add(kind)
    return items


def read_object(ctx: OpenAIContext, path: str, address: Address) -> dict[str, Any]:
    """The object at `path` (its collection's path, then its id), read through the provider's JSON layer for
    `import`: a failure names the address, the operation "read", the URL and the request id."""
    raw: dict[str, Any] = ctx.provider.get_object(path, address=address, operation="read")
    return raw


def stamp_metadata(
    ctx: OpenAIContext, path: str, address: Address, live: LiveObject, stamp: Mapping[str, str]
) -> dict[str, Any]:
    """Put `stamp` (this project's labels) in the metadata of the object at `path`, keeping its other pairs: one
    update through the provider's JSON layer, changing nothing else; the object as it then is. A failure names the
    address, the operation "import", the URL and the request id."""
    metadata = {**(live.raw.get("metadata") or {}), **stamp}
    raw: dict[str, Any] = ctx.provider.post_object(path, {"metadata": metadata}, address=address, operation="import")
    return raw


S = TypeVar("S")


def manifest_spec(resource: Resource, model: type[S]) -> S:
    """A resource's manifest spec as its kind's model (the loader validated it with that model)."""
    spec = resource.spec
    if not isinstance(spec, model):
        raise TypeError(f"{resource.address} has a {type(spec).__name__}, not a {model.__name__}")
    return spec


def register(kind: Kind) -> Kind:
    """Put a kind in the catalog (called once by the kind's module)."""
    catalog.register(catalog.KindInfo(kind.kind, kind.spec_model, kind.provider, kind.depends_on, kind))
    return kind


class Registered(Mapping[str, Kind]):
    """The kinds with a remote object, in catalog order. Looking one up imports only its module; going through them
    all imports every kind module."""

    def __init__(self) -> None:
        self._found: dict[str, Kind] = {}

    def __getitem__(self, name: str) -> Kind:
        found = self._found.get(name)
        if found is not None:
            return found
        info = catalog.get(name)
        if info is None or info.implementation is None:
            raise KeyError(name)
        implementation: Kind = info.implementation
        self._found[name] = implementation
        return implementation

    def __iter__(self) -> Iterator[str]:
        return (name for name, info in catalog.kinds().items() if info.implementation is not None)

    def __len__(self) -> int:
        return sum(1 for _ in self)


def registered() -> Registered:
    """Every kind with a remote object, in catalog order, each module imported when first needed."""
    return Registered()
