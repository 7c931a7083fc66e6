"""The state file as data: which remote object each address is, and what was last applied to it.

Both models are frozen; changes return a new `StateFile` (`with_resource`, `without`), so a state that has been read
can be shared between threads. Resources are keyed by `Address`, parsed once when a state is read; on disk the keys
are their `Kind/name` text. Serialization and persistence belong to `store`.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    PlainValidator,
    field_validator,
    model_validator,
)

from assistplan.addrs import Address

STATE_VERSION = 1


def _address(value: Any) -> Address:
    if not isinstance(value, str):
        raise ValueError(f"an address must be a string (Kind/name), not {type(value).__name__}")
    address = Address.spelled(value)
    if address is None:
        raise ValueError(f"{value!r} is not an address: expected Kind/name")
    return address


StateAddress = Annotated[
    Address,
    PlainValidator(_address, json_schema_input_type=str),
    PlainSerializer(str, return_type=str),
]
"""An address read from (or written to) a state file: `Kind/name` text on disk, an `Address` in memory."""


def utc_now() -> datetime:
    """Now, to the microsecond: the records of one apply, made many a second, keep the order they were made in
    (`Inventory.recorded`, which starts listings after some of them, takes the most recent first)."""
    return datetime.now(UTC)


class ResourceState(BaseModel):
    """One managed remote object, as last applied."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: str
    name: str
    id: str = Field(description="the remote id")
    digest: str = Field(description="hex digest of the normalized last-applied spec")
    applied: dict[str, Any] = Field(description="the normalized last-applied spec")
    attributes: dict[str, Any] = Field(default_factory=dict, description="kind-specific extras")
    imported: bool = False
    updated_at: AwareDatetime = Field(default_factory=utc_now, description="when this address was last written")

    @property
    def address(self) -> Address:
        return Address(self.kind, self.name)


class StateFile(BaseModel):
    """A whole state: identity (`lineage`), write counter (`serial`) and the resources by address."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    version: int = STATE_VERSION
    lineage: str
    serial: int = Field(default=0, ge=0)
    project: str
    resources: dict[StateAddress, ResourceState] = Field(default_factory=dict)

    @field_validator("version")
    @classmethod
    def _supported_version(cls, version: int) -> int:
        if version != STATE_VERSION:
            raise ValueError(f"unsupported state version {version} (this assistplan reads version {STATE_VERSION})")
        return version

    @field_validator("lineage")
    @classmethod
    def _lineage_is_uuid(cls, lineage: str) -> str:
        uuid.UUID(lineage)
        return lineage

    @model_validator(mode="after")
    def _addresses_match_resources(self) -> StateFile:
        for address, resource in self.resources.items():
            if address != resource.address:
                raise ValueError(f"resource under {address!r} is {resource.address!r}")
        return self

    @classmethod
    def new(cls, project: str) -> StateFile:
        """An empty state with a fresh lineage and serial 0; nothing is written."""
        return cls(lineage=str(uuid.uuid4()), project=project)

    def get(self, address: Address) -> ResourceState | None:
        return self.resources.get(address)

    def with_resource(self, address: Address, resource: ResourceState) -> StateFile:
        """A copy with `address` set to `resource`, stamped with the current time as `updated_at`."""
        if address != resource.address:
            raise ValueError(f"cannot store {resource.address} under address {address}")
        stamped = resource.model_copy(update={"updated_at": utc_now()})
        return self.model_copy(update={"resources": {**self.resources, resource.address: stamped}})

    def without(self, address: Address) -> StateFile:
        """A copy without `address`; the same state when the address is not there."""
        if address not in self.resources:
            return self
        return self.model_copy(update={"resources": {a: r for a, r in self.resources.items() if a != address}})

    def by_id(self) -> dict[str, Address]:
        """Remote id -> address, for every resource."""
        return {resource.id: address for address, resource in self.resources.items()}
