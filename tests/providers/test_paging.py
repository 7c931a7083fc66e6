"""Listing a collection from both ends at once: every object exactly once, in the server's order (newest first),
whatever the server does with `order` and with objects created in the same second. No HTTP: the pages come from a
function serving a list."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from assistplan.errors import ProviderError
from assistplan.providers.paging import Page, from_both_ends


@dataclass
class Collection:
    """A server's collection: objects `obj_<i>` created at `stamps[i]` (in creation order), served `page` at a time
    newest first, or oldest first when asked for `asc`."""

    stamps: list[int]
    page: int
    ties_reversed: bool = True
    """Objects created in the same second come in exactly the opposite order when asked oldest first."""
    honours_order: bool = True
    oldest_fails: bool = False
    oldest_empty: bool = False
    """The server answers `order=asc` with an empty page."""
    stamped: bool = True
    asked: list[tuple[str | None, str | None]] = field(default_factory=list)
    hold_oldest: threading.Event | None = None

    def objects(self) -> list[dict[str, Any]]:
        made = [{"id": f"obj_{index}", "created_at": stamp} for index, stamp in enumerate(self.stamps)]
        return made if self.stamped else [{"id": obj["id"]} for obj in made]

    def newest_first(self) -> list[dict[str, Any]]:
        return list(reversed(self.objects()))

    def oldest_first(self) -> list[dict[str, Any]]:
        if not self.honours_order:
            return self.newest_first()
        if self.ties_reversed:
            return self.objects()
        # oldest first by second, but objects of one second in the same order as newest first
        return sorted(self.newest_first(), key=lambda obj: obj["created_at"])

    def fetch(self, order: str | None, after: str | None) -> Page:
        self.asked.append((order, after))
        if order == "asc" and self.oldest_fails:
            raise ProviderError("the server refused order=asc", address=None, operation="list agents")
        if order == "asc" and self.hold_oldest is not None:
            self.hold_oldest.wait(timeout=30)
        served = self.oldest_first() if order == "asc" else self.newest_first()
        if order == "asc" and self.oldest_empty:
            served = []
        ids = [obj["id"] for obj in served]
        start = 0 if after is None else ids.index(after) + 1
        items = served[start : start + self.page]
        more = start + self.page < len(served)
        return Page(items, more, items[-1]["id"] if more else None)


def listed(collection: Collection) -> list[str]:
    return [obj["id"] for obj in from_both_ends(collection.fetch)]


def ids_newest_first(collection: Collection) -> list[str]:
    return [obj["id"] for obj in collection.newest_first()]


def join_oldest_walk() -> None:
    for thread in threading.enumerate():
        if thread.name == "assistplan-oldest":
            thread.join(timeout=30)


def test_a_collection_of_one_page_is_asked_for_once() -> None:
    collection = Collection(stamps=[1, 2, 3], page=5)

    assert listed(collection) == ids_newest_first(collection)
    assert collection.asked == [(None, None)]


def test_a_long_collection_is_also_walked_oldest_first() -> None:
    collection = Collection(stamps=list(range(10)), page=2)

    assert sorted(listed(collection)) == sorted(ids_newest_first(collection))
    join_oldest_walk()
    assert ("asc", None) in collection.asked


def test_the_walks_stop_once_they_have_crossed() -> None:
    collection = Collection(stamps=list(range(20)), page=2, hold_oldest=threading.Event())
    listing = from_both_ends(collection.fetch)
    first = [next(listing), next(listing)]
    assert collection.hold_oldest is not None
    collection.hold_oldest.set()
    join_oldest_walk()

    rest = list(listing)

    assert [obj["id"] for obj in first + rest] == ids_newest_first(collection)
    # the oldest walk crossed the first page of the newest one, which then asked for nothing more
    assert [after for order, after in collection.asked if order is None] == [None]
    assert len([order for order, _ in collection.asked if order == "asc"]) == 10


def test_objects_of_the_same_second_are_all_listed_once() -> None:
    collection = Collection(stamps=[5] * 9, page=2, ties_reversed=False)

    assert sorted(listed(collection)) == sorted(ids_newest_first(collection))


def test_a_server_that_ignores_order_is_walked_once_to_the_end() -> None:
    collection = Collection(stamps=list(range(9)), page=2, honours_order=False)

    assert listed(collection) == ids_newest_first(collection)
    join_oldest_walk()
    assert [after for order, after in collection.asked if order == "asc"] == [None]


def test_a_failing_oldest_first_walk_leaves_the_listing_to_the_other() -> None:
    collection = Collection(stamps=list(range(9)), page=2, oldest_fails=True)

    assert listed(collection) == ids_newest_first(collection)


def test_an_oldest_first_walk_that_ends_short_of_the_newest_object_leaves_the_listing_to_the_other() -> None:
    collection = Collection(stamps=list(range(9)), page=2, oldest_empty=True)

    assert listed(collection) == ids_newest_first(collection)


def test_objects_without_a_creation_time_are_walked_one_way_only() -> None:
    collection = Collection(stamps=list(range(9)), page=2, stamped=False)

    assert listed(collection) == ids_newest_first(collection)
    assert all(order is None for order, _ in collection.asked)


def test_a_listing_left_early_stops_the_oldest_first_walk() -> None:
    collection = Collection(stamps=[1] * 40, page=2, hold_oldest=threading.Event())
    listing = from_both_ends(collection.fetch)
    next(listing)
    listing.close()
    assert collection.hold_oldest is not None
    collection.hold_oldest.set()
    join_oldest_walk()

    assert [order for order, _ in collection.asked if order == "asc"] == ["asc"]


@settings(max_examples=150, deadline=None)
@given(
    stamps=st.lists(st.integers(min_value=0, max_value=6), max_size=30).map(sorted),
    page=st.integers(min_value=1, max_value=5),
    ties_reversed=st.booleans(),
    honours_order=st.booleans(),
    oldest_fails=st.booleans(),
    oldest_empty=st.booleans(),
)
def test_every_object_is_listed_once_newest_first(
    stamps: list[int], page: int, ties_reversed: bool, honours_order: bool, oldest_fails: bool, oldest_empty: bool
) -> None:
    collection = Collection(stamps, page, ties_reversed, honours_order, oldest_fails, oldest_empty)

    found = list(from_both_ends(collection.fetch))

    assert sorted(obj["id"] for obj in found) == sorted(ids_newest_first(collection))
    assert [obj["created_at"] for obj in found] == sorted(stamps, reverse=True)
