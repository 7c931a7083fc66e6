"""What a resource module declares (`Route`) and what its handlers receive (`Call`), plus list pagination.

Handlers are plain functions `Call -> dict | Response`; they run on the server's event loop (SQLite calls are short),
raise `SandboxError` for OpenAI-shaped errors, and return the JSON object to send.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from starlette.datastructures import FormData
from starlette.responses import Response

from assistplan.sandbox import profiles
from assistplan.sandbox.errors import SandboxError, invalid, invalid_type, invalid_value
from assistplan.sandbox.store import Store

ASSISTANTS_BETA = "assistants=v2"
AGENTS_BETA = "agents=v1"


@dataclass
class Settings:
    """Server behaviour that is not fault injection (mutable while the server runs).

    `profile` is one of `profiles.PROFILES`; `api_key` is the one key the `openai` profile accepts.
    """

    indexing_delay: float = 0.1
    profile: str = profiles.DEFAULT
    api_key: str = profiles.API_KEY

    def __setattr__(self, name: str, value: Any) -> None:
        if name == "profile":
            profiles.check(value)
        super().__setattr__(name, value)


@dataclass
class Call:
    """One request, as a handler sees it."""

    store: Store
    settings: Settings
    params: Mapping[str, str]
    query: Mapping[str, str]
    body: dict[str, Any] = field(default_factory=dict)
    form: FormData | None = None
    now: float = field(default_factory=time.time)

    @property
    def timestamp(self) -> int:
        return int(self.now)


Handler = Callable[[Call], "dict[str, Any] | Response"]
View = Callable[[dict[str, Any]], "dict[str, Any] | None"]


@dataclass(frozen=True)
class Route:
    """One OpenAI endpoint: `path` is relative to `/v1`; `beta` is the required `OpenAI-Beta` value, if any."""

    method: str
    path: str
    handler: Handler
    beta: str | None = None
    body: Literal["json", "multipart", "none"] = "none"

    @property
    def key(self) -> str:
        return f"{self.method} {self.path}"


def get(path: str, handler: Handler, beta: str | None = None) -> Route:
    return Route("GET", path, handler, beta)


def post(path: str, handler: Handler, beta: str | None = None) -> Route:
    return Route("POST", path, handler, beta, "json")


def delete(path: str, handler: Handler, beta: str | None = None) -> Route:
    return Route("DELETE", path, handler, beta)


def public(body: dict[str, Any]) -> dict[str, Any]:
    """The object as the API shows it: stored keys starting with `_` are the sandbox's own bookkeeping."""
    return {key: value for key, value in body.items() if not key.startswith("_")}


def deleted(object_id: str, object_type: str) -> dict[str, Any]:
    return {"id": object_id, "object": object_type, "deleted": True}


@dataclass(frozen=True)
class ListQuery:
    """Validated `after` / `before` / `limit` / `order` query parameters."""

    limit: int
    descending: bool
    after: str | None
    before: str | None


def list_query(
    call: Call, *, default_limit: int = 20, max_limit: int = 100, default_order: str = "desc", before: bool = True
) -> ListQuery:
    raw_limit = call.query.get("limit")
    limit = default_limit
    if raw_limit is not None:
        try:
            limit = int(raw_limit)
        except ValueError:
            raise invalid_type("limit", "an integer", raw_limit) from None
        if not 1 <= limit <= max_limit:
            raise invalid(
                "limit",
                f"integer {'below minimum' if limit < 1 else 'above maximum'} value. Expected a value "
                f"{'>= 1' if limit < 1 else f'<= {max_limit}'}, but got {limit} instead.",
                "integer_below_min_value" if limit < 1 else "integer_above_max_value",
            )
    order = call.query.get("order", default_order)
    if order not in ("asc", "desc"):
        raise invalid_value("order", order, ("asc", "desc"))
    return ListQuery(limit, order == "desc", call.query.get("after"), call.query.get("before") if before else None)


def paginate(
    call: Call,
    kind: str,
    query: ListQuery,
    *,
    parent: str = "",
    view: View = public,
) -> dict[str, Any]:
    """A `{"object": "list", ...}` page of the objects of `kind` as `view` shows them (None skips an object)."""
    after = _cursor(call.store, kind, parent, query.after, "after")
    before = _cursor(call.store, kind, parent, query.before, "before")
    if before is not None and after is None:
        rows = call.store.scan(kind, parent, descending=not query.descending, start=before)
        page, has_more = _take(rows, query.limit, view)
        page.reverse()
    else:
        rows = call.store.scan(kind, parent, descending=query.descending, start=after, stop=before)
        page, has_more = _take(rows, query.limit, view)
    return list_body(page, has_more)


def list_body(page: list[dict[str, Any]], has_more: bool) -> dict[str, Any]:
    return {
        "object": "list",
        "data": page,
        "first_id": page[0]["id"] if page else None,
        "last_id": page[-1]["id"] if page else None,
        "has_more": has_more,
    }


def _cursor(store: Store, kind: str, parent: str, object_id: str | None, param: str) -> int | None:
    if object_id is None:
        return None
    seq = store.seq_of(kind, object_id, parent)
    if seq is None:
        raise SandboxError(400, f"Invalid '{param}': no object with id '{object_id}' in this list.", param=param)
    return seq


def _take(rows: Iterable[dict[str, Any]], limit: int, view: View) -> tuple[list[dict[str, Any]], bool]:
    page: list[dict[str, Any]] = []
    for row in rows:
        item = view(row)
        if item is None:
            continue
        if len(page) == limit:
            return page, True
        page.append(item)
    return page, False
