"""What the Flowise kinds share: identity without metadata, name collisions, and creates that are safe to fail.

Flowise objects carry no metadata and Flowise accepts duplicate names, so each kind says how it recognises its own
objects (`identify`): an assistant by a mark inside its `details` and a chatflow by one inside its `flowData` (both
JSON strings: `MarkedKind` reads, writes and stamps that mark), a tool by a marker comment heading its code, a
credential by an id derived from the project and address (or a mark field in its data once adopted); a variable has
nowhere to carry one and is known only through the state. Objects this project does not own are kept apart
(`Inventory.unowned`): a manifest whose name one of them already has is an error naming the way to adopt it
(`assistplan import`), never a silent takeover.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any, TypeAlias

from assistplan.addrs import Address
from assistplan.errors import NotFoundError, PlanError, ProviderError
from assistplan.kinds.base import (
    LABEL_ADDRESS,
    LABEL_DIGEST,
    LABEL_PROJECT,
    Inventory,
    Kind,
    KindContext,
    LiveObject,
    Spec,
)
from assistplan.providers.flowise import FlowiseApi

Identity = tuple[str | None, str | None, str | None]
"""(project, address, digest) read from a live object; all None when it carries no mark."""

UNMARKED: Identity = (None, None, None)


FlowiseContext: TypeAlias = KindContext[FlowiseApi]
"""The context the hooks of a kind of the Flowise provider get."""


class FlowiseKind(Kind):
    """A Flowise object type listed from one collection path."""

    provider = "flowise"
    path: str
    noun: str

    def identify(self, raw: dict[str, Any], project: str) -> Identity:
        """Which project and address a live object says it belongs to."""
        return UNMARKED

    def display_name(self, raw: dict[str, Any]) -> str:
        return str(raw.get("name") or "")

    def live(self, raw: dict[str, Any], project: str, extra: dict[str, Any] | None = None) -> LiveObject:
        owner, address, digest = self.identify(raw, project)
        return LiveObject(self.kind, str(raw["id"]), raw, owner, address, digest, extra or {})

    def list_raw(self, provider: FlowiseApi) -> list[dict[str, Any]]:
        listed = provider.get(self.path, address=None, operation=f"list {self.noun}s")
        if isinstance(listed, dict):
            listed = listed.get("data")
        if not isinstance(listed, list):
            raise ProviderError(f"Flowise listed {self.path} as something other than a list", operation="refresh")
        return [item for item in listed if isinstance(item, dict) and item.get("id")]

    def refresh(self, ctx: FlowiseContext) -> list[LiveObject]:
        provider = ctx.provider
        inventory = ctx.inventory
        owned: list[LiveObject] = []
        others: list[LiveObject] = []
        for raw in self.list_raw(provider):
            obj = self.live(raw, inventory.project, self.extra(raw, inventory))
            (owned if inventory.owns(obj.id, obj.project) else others).append(obj)
        inventory.unowned[self.kind] = others
        return owned

    def extra(self, raw: dict[str, Any], inventory: Inventory) -> dict[str, Any]:
        """Kind-specific additions to a listed object (what the state knows and the API cannot show)."""
        return {}

    def clash(self, obj: LiveObject, spec: Spec, inventory: Inventory) -> str | None:
        """How an object this project does not own would collide with the desired spec (None: it would not)."""
        name = spec.get("name")
        return f"named {name!r}" if name is not None and self.display_name(obj.raw) == name else None

    def match(self, address: Address, spec: Spec, inventory: Inventory) -> LiveObject | None:
        found = super().match(address, spec, inventory)
        if found is not None:
            return found
        for obj in inventory.unowned.get(self.kind, []):
            if obj.project in inventory.siblings:
                continue
            what = self.clash(obj, spec, inventory)
            if what is not None:
                self.clashed(address, obj, what, inventory)
                return None
        return None

    def clashed(self, address: Address, obj: LiveObject, what: str, inventory: Inventory) -> None:
        """An object this project does not own collides with the address: an error naming the project whose mark it
        carries, else the way to adopt it."""
        if obj.project:
            raise PlanError(
                f"{address}: Flowise already has a {self.noun} {what} (id {obj.id}) that project {obj.project!r} "
                "manages, and assistplan never takes over another project's object: rename the manifest, or remove "
                f"the {self.noun} from that project"
            )
        raise PlanError(
            f"{address}: Flowise already has a {self.noun} {what} (id {obj.id}) that this project does not "
            "manage, and assistplan never takes over an object it did not create. Adopt it with "
            f"`assistplan import {address} {obj.id}`, rename the manifest, or remove the other {self.noun}"
        )

    def check_owner(self, address: str, live: LiveObject, stamp: dict[str, str]) -> None:
        """Refuse to import an object marked as another project's (or as another address of this one)."""
        if live.project and (live.project, live.address) != (stamp[LABEL_PROJECT], stamp[LABEL_ADDRESS]):
            raise PlanError(
                f"{live.id} is marked as {live.address} of project {live.project!r}; "
                "assistplan never takes over another project's object"
            )

    def create_safely(
        self, address: str, create: Callable[[], dict[str, Any]], find: Callable[[], dict[str, Any] | None]
    ) -> dict[str, Any]:
        """POST once; when the request failed in a way that may have committed it, adopt the object if it exists."""
        try:
            return create()
        except NotFoundError:
            raise
        except ProviderError as exc:
            if exc.status is not None and exc.status < 500:
                raise
            found = find()
            if found is None:
                raise
            return found


MARK = "assistplan"
"""The key of the mark `{project, address, digest}` inside a `MarkedKind`'s JSON field."""


def json_field(raw: Mapping[str, Any], key: str) -> dict[str, Any]:
    """A field that Flowise keeps as a JSON string, parsed (empty when missing or not a JSON object)."""
    try:
        parsed = json.loads(raw.get(key) or "{}")
    except ValueError:
        return {}
    return parsed if isinstance(parsed, dict) else {}


def mark(labels: Mapping[str, str]) -> dict[str, str]:
    """The mark that a stamp's labels make."""
    return {"project": labels[LABEL_PROJECT], "address": labels[LABEL_ADDRESS], "digest": labels[LABEL_DIGEST]}


class MarkedKind(FlowiseKind):
    """A Flowise object type whose JSON-string field (`marked`) carries the mark; one by-id GET, and a DELETE that
    takes "not found" as done."""

    marked: str
    """The field holding the mark: `details` of an assistant, `flowData` of a chatflow."""

    def identify(self, raw: dict[str, Any], project: str) -> Identity:
        found = json_field(raw, self.marked).get(MARK)
        if not isinstance(found, dict):
            return UNMARKED
        return found.get("project"), found.get("address"), found.get("digest")

    def find_marked(self, provider: FlowiseApi, project: str, address: str) -> dict[str, Any] | None:
        """The listed object marked as this address of this project (a create whose answer was lost)."""
        for raw in self.list_raw(provider):
            if self.identify(raw, project)[:2] == (project, address):
                return raw
        return None

    def stamp_body(self, live: LiveObject) -> dict[str, Any]:
        """What an import's update sends besides the marked field."""
        return {}

    def stamp(self, ctx: FlowiseContext, address: Address, live: LiveObject, stamp: dict[str, str]) -> LiveObject:
        provider = ctx.provider
        self.check_owner(address, live, stamp)
        marked = {**json_field(live.raw, self.marked), MARK: mark(stamp)}
        body = {self.marked: json.dumps(marked), **self.stamp_body(live)}
        return self.live(provider.put(f"{self.path}/{live.id}", body, address=address, operation="import"), "")

    def delete(self, ctx: FlowiseContext, address: Address, remote_id: str) -> None:
        provider = ctx.provider
        try:
            provider.delete(f"{self.path}/{remote_id}", address=address)
        except NotFoundError:
            return

    def read(self, ctx: FlowiseContext, remote_id: str, address: Address) -> LiveObject:
        provider = ctx.provider
        return self.live(provider.get(f"{self.path}/{remote_id}", address=address, operation="read"), "")
