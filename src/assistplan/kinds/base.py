"""What every kind implements, and the live-object and context types the planner and applier pass to kinds.

A kind turns a manifest resource into a *normalized spec* (a JSON-ready dict in which references are addresses and
files are `{path: {sha256, size}}`), reads live objects back into the same shape, and carries out create, update and
delete. Normalized specs are what the planner diffs, what plans show and what the state records.
"""

from __future__ import annotations

import hashlib
import json
from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistplan.errors import ProviderError

LABEL_PROJECT = "assistplan:project"
LABEL_ADDRESS = "assistplan:address"
LABEL_DIGEST = "assistplan:digest"
LABEL_KEYS = (LABEL_PROJECT, LABEL_ADDRESS, LABEL_DIGEST)
METADATA_VALUE_LIMIT = 512

Spec = dict[str, Any]


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


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
    """The first listed SDK object whose metadata names this project and address, or None."""
    for item in items:
        metadata = getattr(item, "metadata", None) or {}
        if metadata.get(LABEL_PROJECT) == project and metadata.get(LABEL_ADDRESS) == address:
            return item
    return None


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
    """Everything the refresh read: live objects per kind and the file blobs of the project."""

    project: str
    objects: dict[str, list[LiveObject]] = field(default_factory=dict)
    blobs: Any = None
    id_to_address: dict[str, str] = field(default_factory=dict)
    applied: dict[str, Spec] = field(default_factory=dict)
    attributes: dict[str, dict[str, Any]] = field(default_factory=dict)
    """The kind-specific attributes the state records, per address."""
    parallelism: int = 8
    """How many list requests may run at once (`--parallelism`)."""
    unowned: dict[str, list[LiveObject]] = field(default_factory=dict)
    """Listed objects this project does not own, per kind, for kinds whose remote objects have no metadata: used
    to refuse a create whose name another object already has."""

    def owns(self, raw_id: str, project_label: str | None) -> bool:
        """Whether an object is this project's: stamped with its name, or recorded in its state (imported)."""
        return project_label == self.project or raw_id in self.id_to_address

    def of_kind(self, kind: str) -> list[LiveObject]:
        return self.objects.get(kind, [])


class ApplyContext(ABC):
    """What a kind needs while applying: the project, the local files, and remote ids of other addresses."""

    project: str
    root: Path
    blobs: Any

    @abstractmethod
    def remote_id(self, address: str) -> str:
        """The remote id recorded for an address (a dependency applied earlier)."""

    @abstractmethod
    def progress(self, address: str, message: str) -> None:
        """Report progress of a long operation (uploads, indexing)."""

    @abstractmethod
    def labels(self, address: str) -> dict[str, str]:
        """The reserved metadata labels to stamp on the object at an address (project, address, spec digest)."""

    def attributes(self, address: str) -> dict[str, Any]:
        """The kind-specific attributes the state records for an address ({} when none)."""
        return {}


@dataclass
class Applied:
    """The result of a create or update: the live object, its normalized spec and kind-specific state attributes."""

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


class Kind(ABC):
    """One remote object type."""

    kind: str
    provider: str = "openai"
    replace_paths: frozenset[str] = frozenset()
    uses_blobs: bool = False
    """Whether its objects hold the project's uploaded files (the files listing is read only when a kind in use
    does)."""
    shut_down_at_openai: bool = False
    """Whether OpenAI itself no longer serves this kind (only compatible servers do)."""

    @abstractmethod
    def desired(self, resource: Any, functions: Mapping[str, Any]) -> Spec:
        """The normalized spec of a manifest resource (defaults the server would fill in are filled in)."""

    def link(self, spec: Spec, desired: Mapping[str, Spec]) -> Spec:
        """Complete a desired spec from the desired specs of resources of earlier kinds (address -> spec), for a
        kind whose remote object repeats what another resource declares."""
        return spec

    def recall(self, address: str, spec: Spec, attributes: Mapping[str, Any]) -> Spec:
        """Complete a desired spec with what the state recorded for its address (for example a fingerprint key)."""
        return spec

    def fold_live(self, desired: Spec, live: Spec) -> Spec:
        """Take server-chosen values into the desired spec where the manifest leaves the choice to the server."""
        return desired

    @abstractmethod
    def normalize(self, obj: LiveObject, inventory: Inventory) -> Spec:
        """The normalized spec of a live object, in the same shape as `desired`."""

    def reference_paths(self, spec: Spec) -> dict[str, str]:
        """Paths in the spec that hold an address of another resource (so a replaced dependency updates this)."""
        return {}

    def match(self, address: str, spec: Spec, inventory: Inventory) -> LiveObject | None:
        """The live object that is this address when the state does not say: the one stamped with it."""
        for obj in inventory.of_kind(self.kind):
            if obj.address == address and obj.project == inventory.project:
                return obj
        return None

    @abstractmethod
    def refresh(self, provider: Any, inventory: Inventory) -> list[LiveObject]:
        """List the live objects of this kind (one call per page)."""

    @abstractmethod
    def create(self, provider: Any, ctx: ApplyContext, address: str, spec: Spec) -> Applied: ...

    @abstractmethod
    def update(
        self, provider: Any, ctx: ApplyContext, address: str, remote_id: str, before: Spec, spec: Spec
    ) -> Applied: ...

    @abstractmethod
    def delete(self, provider: Any, ctx: ApplyContext, address: str, remote_id: str) -> None: ...

    @abstractmethod
    def read(self, provider: Any, remote_id: str, address: str) -> LiveObject:
        """Retrieve one object by id (import, and objects recorded in state but missing from a listing)."""

    @abstractmethod
    def stamp(self, provider: Any, address: str, live: LiveObject, stamp: dict[str, str]) -> LiveObject:
        """Put this project's labels on an existing object, changing nothing else (import)."""
