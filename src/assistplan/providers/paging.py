"""Walking a cursor-paged collection from both ends at once, so that a long listing takes about half the rounds.

The OpenAI collections page with an `after` cursor and accept `order` (`asc` or `desc`, by `created_at`, newest first
by default). A cursor walk is sequential: one page per round. When the first page (the server's own order) says there
is more, a second walk starts from the oldest object (`order=asc`) beside it, and the listing is complete as soon as
the two walks have crossed: once the oldest-first walk has reached an object created strictly later than the oldest
object the newest-first walk has reached, every object was seen by one of them, whatever order the server gives
objects created in the same second. Objects are produced in the server's order: the first walk's pages as they come,
then what only the second walk saw, newest first.

The second walk is dropped, and the first walks to the end as it would alone, whenever the answers do not prove the
crossing: a page out of order for its walk, an object without an integer `created_at`, a second walk whose first page
starts where the first's did (a server that ignores `order`), a second walk that fails, or one that ends without
reaching the object the first began with. When every object was created in the same second the walks never cross; the
one that reaches its end first has them all. Either way the wall time is at most that of one walk.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

Item = dict[str, Any]


@dataclass(frozen=True)
class Page:
    """One answer of a walk: its objects, whether more follow, and the cursor for the next page."""

    items: list[Item]
    more: bool
    cursor: str | None


Fetch = Callable[[str | None, str | None], Page]
"""A page of the collection: `(order, after)`; order None is the server's own (newest first), "asc" the oldest first."""


def _stamps(items: list[Item]) -> list[int] | None:
    stamps = [item.get("created_at") for item in items]
    ints = [stamp for stamp in stamps if isinstance(stamp, int) and not isinstance(stamp, bool)]
    return ints if len(ints) == len(stamps) else None


class _Crossing:
    """What the two walks know of each other, under one lock."""

    def __init__(self, first: list[Item]) -> None:
        self.lock = threading.Lock()
        self.first_id = first[0].get("id")
        stamps = _stamps(first)
        self.usable = stamps is not None and _ordered(stamps, descending=True)
        self.newest_low: int | None = stamps[-1] if stamps else None
        """The oldest `created_at` the newest-first walk has reached."""
        self.oldest_high: int | None = None
        """The newest `created_at` the oldest-first walk has reached."""
        self.oldest: list[Item] = []
        self.oldest_done = False
        self.stopped = False

    def _crossed(self) -> bool:
        if not self.usable:
            return False
        if self.oldest_done:
            return True
        return self.oldest_high is not None and self.newest_low is not None and self.oldest_high > self.newest_low

    def taken(self) -> list[Item] | None:
        """What only the oldest-first walk saw, once the walks have crossed (None before)."""
        with self.lock:
            return list(self.oldest) if self._crossed() else None

    def newest_page(self, items: list[Item]) -> None:
        stamps = _stamps(items)
        with self.lock:
            if stamps is None or self.newest_low is None or not _ordered([self.newest_low, *stamps], descending=True):
                self.usable = False
            elif stamps:
                self.newest_low = stamps[-1]

    def oldest_page(self, page: Page, first: bool) -> bool:
        """Record a page of the oldest-first walk; whether that walk should go on."""
        stamps = _stamps(page.items)
        with self.lock:
            before = [] if self.oldest_high is None else [self.oldest_high]
            if (
                stamps is None
                or not _ordered([*before, *stamps], descending=False)
                or (first and page.items and page.items[0].get("id") == self.first_id)
            ):
                self.usable = False
                return False
            self.oldest.extend(page.items)
            if stamps:
                self.oldest_high = stamps[-1]
            if not page.more or not page.items or page.cursor is None:
                # at its end, the walk holds everything only if it reached the newest object the other walk began with
                if not any(item.get("id") == self.first_id for item in self.oldest):
                    self.usable = False
                    return False
                self.oldest_done = True
            return not self.stopped and not self._crossed()

    def walk_oldest(self, fetch: Fetch) -> None:
        cursor: str | None = None
        try:
            while self.oldest_page(page := fetch("asc", cursor), cursor is None):
                cursor = page.cursor
        except Exception:
            with self.lock:
                self.usable = False


def _ordered(stamps: list[int], *, descending: bool) -> bool:
    pairs = pairwise(stamps)
    return all(a >= b for a, b in pairs) if descending else all(a <= b for a, b in pairs)


def from_both_ends(fetch: Fetch) -> Iterator[Item]:
    """Every object of the collection `fetch` pages, once each, in the server's order (see the module)."""
    page = fetch(None, None)
    if not page.more or not page.items or page.cursor is None:
        yield from page.items
        return
    crossing = _Crossing(page.items)
    if crossing.usable:
        threading.Thread(target=crossing.walk_oldest, args=(fetch,), daemon=True, name="assistplan-oldest").start()
    seen: set[Any] = set()
    rest: list[Item] | None = None
    try:
        while True:
            seen.update(item.get("id") for item in page.items)
            yield from page.items
            if not page.more or page.cursor is None or (rest := crossing.taken()) is not None:
                break
            page = fetch(None, page.cursor)
            crossing.newest_page(page.items)
        if rest is not None:
            for item in reversed(rest):
                if item.get("id") not in seen:
                    seen.add(item.get("id"))
                    yield item
    finally:
        crossing.stopped = True
