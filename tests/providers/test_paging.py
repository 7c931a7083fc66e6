"""Listing a collection from both ends at once, and from known objects: every object exactly once, in the server's order
(newest first), whatever the server does with `order`, with objects created in the same second, and with known ids it
no longer lists or refuses as cursors. No HTTP: the pages come from a function serving a list."""

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
    deleted: frozenset[int] = frozenset()
    """Objects no longer listed whose ids the server still takes as cursors, where they were."""
    refused: frozenset[str] = frozenset()
    """Ids of deleted objects the server refuses as cursors (an error, as for an id it never had)."""
    asked: list[tuple[str | None, str | None]] = field(default_factory=list)
    hold_oldest: threading.Event | None = None
    hold_newest: threading.Event | None = None
    hold_from: int = 0
    """With `hold_newest`, a newest-first page from this position on waits for it (10 s at most, once)."""
    holding: threading.Event = field(default_factory=threading.Event)
    """Set once a newest-first page waits for `hold_newest`."""
    lock: threading.Lock = field(default_factory=threading.Lock)

    def all_objects(self) -> list[dict[str, Any]]:
        made = [{"id": f"obj_{index}", "created_at": stamp} for index, stamp in enumerate(self.stamps)]
        return made if self.stamped else [{"id": obj["id"]} for obj in made]

    def objects(self) -> list[dict[str, Any]]:
        return [obj for index, obj in enumerate(self.all_objects()) if index not in self.deleted]

    def newest_first(self) -> list[dict[str, Any]]:
        return list(reversed(self.objects()))

    def oldest_first(self) -> list[dict[str, Any]]:
        if not self.honours_order:
            return self.newest_first()
        if self.ties_reversed:
            return self.objects()
        # oldest first by second, but objects of one second in the same order as newest first
        return sorted(self.newest_first(), key=lambda obj: obj["created_at"])

    def fetch(self, order: str | None, after: str | None, walk: int = 0) -> Page:
        with self.lock:
            self.asked.append((order, after))
        if after in self.refused:
            raise ProviderError(f"no object {after}", address=None, operation="list agents")
        if order == "asc" and self.oldest_fails:
            raise ProviderError("the server refused order=asc", address=None, operation="list agents")
        if order == "asc" and self.hold_oldest is not None:
            self.hold_oldest.wait(timeout=30)
        served = self.oldest_first() if order == "asc" else self.newest_first()
        if order == "asc" and self.oldest_empty:
            served = []
        start = 0 if after is None else self.position(served, after)
        hold = self.hold_newest if order is None and start >= self.hold_from else None
        if hold is not None:
            self.holding.set()
        if hold is not None and not hold.wait(timeout=10):
            hold.set()  # nothing released it: the listing needs these pages
        items = served[start : start + self.page]
        more = start + self.page < len(served)
        return Page(items, more, items[-1]["id"] if more else None)

    def position(self, served: list[dict[str, Any]], after: str) -> int:
        """Where a page after `after` starts in `served` (after a deleted object: where it was, newest first)."""
        ids = [obj["id"] for obj in served]
        if after in ids:
            return ids.index(after) + 1
        everything = [obj["id"] for obj in reversed(self.all_objects())]
        before = everything[: everything.index(after)]
        return len([remote_id for remote_id in before if remote_id in ids])


def listed(collection: Collection) -> list[str]:
    return [obj["id"] for obj in from_both_ends(collection.fetch)]


def ids_newest_first(collection: Collection) -> list[str]:
    return [obj["id"] for obj in collection.newest_first()]


def join_oldest_walk() -> None:
    for thread in threading.enumerate():
        if thread.name == "assistplan-oldest":
            thread.join(timeout=30)


def walked_from_known(collection: Collection, known: list[str], walks: int) -> list[str]:
    return [obj["id"] for obj in from_both_ends(collection.fetch, known, walks)]


def known_newest_first(collection: Collection, *indexes: int) -> list[str]:
    return [f"obj_{index}" for index in sorted(indexes, reverse=True)]


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


def test_a_page_that_lands_once_the_walks_have_crossed_does_not_count_in_the_depth() -> None:
    collection = Collection(
        stamps=list(range(8)), page=2, hold_oldest=threading.Event(), hold_newest=threading.Event(), hold_from=2
    )
    told: list[int] = []
    found: list[dict[str, Any]] = []
    listing = threading.Thread(target=lambda: found.extend(from_both_ends(collection.fetch, reached=told.append)))
    listing.start()
    assert collection.hold_oldest is not None and collection.hold_newest is not None
    assert collection.holding.wait(timeout=10)  # the newest-first walk waits for its second page

    collection.hold_oldest.set()
    join_oldest_walk()  # the oldest-first walk crossed on its fourth page
    collection.hold_newest.set()
    listing.join(timeout=30)

    assert [obj["id"] for obj in found] == ids_newest_first(collection)
    assert sorted(told) == [1, 1, 2, 3, 4]


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


def test_known_ids_start_walks_after_them_and_every_object_comes_once_in_order() -> None:
    collection = Collection(stamps=list(range(40)), page=2)

    found = walked_from_known(collection, known_newest_first(collection, *range(40)), walks=4)

    assert found == ids_newest_first(collection)
    starts = {after for order, after in collection.asked if order is None and after is not None}
    # the 38 known ids after the first page, split in four: the oldest-first walk takes the last part from below
    assert {"obj_28", "obj_18", "obj_9"} <= starts


def test_walks_from_known_ids_take_about_a_page_more_each_than_the_collection_has() -> None:
    collection = Collection(stamps=list(range(40)), page=2)

    walked_from_known(collection, known_newest_first(collection, *range(40)), walks=4)

    newest_first = [after for order, after in collection.asked if order is None]
    assert len(newest_first) <= 20 + 4


def test_a_known_id_the_server_refuses_leaves_its_part_to_the_walk_before_it() -> None:
    collection = Collection(
        stamps=list(range(30)), page=2, deleted=frozenset({20, 10}), refused=frozenset({"obj_20", "obj_10"})
    )

    found = walked_from_known(collection, known_newest_first(collection, *range(30)), walks=4)

    assert found == ids_newest_first(collection)


def test_a_known_object_no_longer_listed_still_leaves_every_object_once() -> None:
    collection = Collection(stamps=list(range(30)), page=2, deleted=frozenset({20, 10, 0}))

    found = walked_from_known(collection, known_newest_first(collection, *range(30)), walks=4)

    assert found == ids_newest_first(collection)


def test_known_ids_in_another_order_than_the_listing_still_give_every_object_once() -> None:
    collection = Collection(stamps=list(range(30)), page=2)
    known = [f"obj_{index}" for index in (3, 27, 11, 19, 0, 24)]

    found = walked_from_known(collection, known, walks=5)

    assert sorted(found) == sorted(ids_newest_first(collection))


def test_objects_older_than_every_known_one_are_also_walked_oldest_first() -> None:
    collection = Collection(stamps=list(range(60)), page=2)

    found = walked_from_known(collection, known_newest_first(collection, *range(50, 60)), walks=4)
    join_oldest_walk()

    assert found == ids_newest_first(collection)
    assert ("asc", None) in collection.asked


def test_known_ids_recorded_in_another_order_than_the_server_s_still_leave_the_rest_to_the_oldest_first_walk() -> None:
    collection = Collection(stamps=list(range(100)), page=2, hold_newest=threading.Event(), hold_from=20)
    # the newest objects, as a parallel apply may record them: not newest first, so the walk after the last one known
    # runs into the walks after the others, and the walk after obj_91 is the one that goes on into the rest
    known = [f"obj_{index}" for index in (95, 91, 97, 93)]

    found = walked_from_known(collection, known, walks=4)
    assert collection.hold_newest is not None
    collection.hold_newest.set()

    assert found == ids_newest_first(collection)
    deepest = min(int(after.removeprefix("obj_")) for order, after in collection.asked if order is None and after)
    assert deepest == 80


def test_a_collection_of_one_page_is_asked_for_once_whatever_is_known() -> None:
    collection = Collection(stamps=[1, 2, 3], page=5)

    assert walked_from_known(collection, ["obj_1", "obj_0"], walks=4) == ids_newest_first(collection)
    assert collection.asked == [(None, None)]


@settings(max_examples=200, deadline=None)
@given(
    data=st.data(),
    stamps=st.lists(st.integers(min_value=0, max_value=6), max_size=30).map(sorted),
    page=st.integers(min_value=1, max_value=5),
    walks=st.integers(min_value=2, max_value=6),
    ties_reversed=st.booleans(),
    honours_order=st.booleans(),
    oldest_fails=st.booleans(),
    in_order=st.booleans(),
)
def test_every_object_is_listed_once_from_any_known_ids(
    data: st.DataObject,
    stamps: list[int],
    page: int,
    walks: int,
    ties_reversed: bool,
    honours_order: bool,
    oldest_fails: bool,
    in_order: bool,
) -> None:
    indexes = range(len(stamps))
    known = data.draw(st.lists(st.sampled_from(indexes), unique=True) if stamps else st.just([]))
    deleted = data.draw(st.frozensets(st.sampled_from(known)) if known else st.just(frozenset()))
    refused = data.draw(st.frozensets(st.sampled_from(sorted(deleted))) if deleted else st.just(frozenset()))
    collection = Collection(
        stamps,
        page,
        ties_reversed,
        honours_order,
        oldest_fails,
        deleted=frozenset(deleted),
        refused=frozenset(f"obj_{index}" for index in refused),
    )
    ids = sorted(known, reverse=True) if in_order else known

    found = list(from_both_ends(collection.fetch, [f"obj_{index}" for index in ids], walks))

    assert sorted(obj["id"] for obj in found) == sorted(ids_newest_first(collection))
    if in_order:
        assert [obj["created_at"] for obj in found] == sorted(
            (obj["created_at"] for obj in collection.objects()), reverse=True
        )
