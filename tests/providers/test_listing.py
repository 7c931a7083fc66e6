"""Listing a collection or reading its known objects by id: the answer depends on how deep the listing goes, in
rounds, against how many rounds the reads take, and on whether a known object is gone, never on whether the reads or
the listing finish first. No HTTP: the listing and the reads are plain functions."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from assistplan.errors import NotFoundError, ProviderError
from assistplan.providers.listing import Lister, list_or_read
from assistplan.providers.paging import Reached

PAGE = 2


def account(size: int) -> list[dict[str, Any]]:
    return [{"id": f"obj_{index}"} for index in range(size)]


def listing(objects: list[dict[str, Any]]) -> Lister:
    """A listing walked once from the top, PAGE objects a page: its depth is its pages so far."""

    def list_all(reached: Reached) -> Iterator[dict[str, Any]]:
        for depth, first in enumerate(range(0, len(objects), PAGE), start=1):
            reached(depth)
            yield from objects[first : first + PAGE]

    return list_all


def from_both_ends(objects: list[dict[str, Any]]) -> Lister:
    """A listing walked from both ends, PAGE objects a page each: the first half comes page by page, the second half
    all at once when the walks cross, the depth being the pages of one walk."""

    def list_all(reached: Reached) -> Iterator[dict[str, Any]]:
        half = len(objects) // 2
        for depth, first in enumerate(range(0, half, PAGE), start=1):
            reached(depth)
            yield from objects[first : min(first + PAGE, half)]
        yield from objects[half:]

    return list_all


def read(remote_id: str) -> dict[str, Any]:
    if remote_id == "obj_gone":
        raise NotFoundError(f"{remote_id} is gone")
    return {"id": remote_id, "read": True}


def never_read(remote_id: str) -> dict[str, Any]:
    raise AssertionError(f"{remote_id} was read")


def test_without_known_ids_the_collection_is_listed() -> None:
    assert list_or_read(listing(account(5)), never_read, [], parallelism=4) == (account(5), True)


def test_a_collection_of_one_page_is_listed_and_nothing_is_read() -> None:
    found = list_or_read(listing(account(1)), never_read, ["obj_0"], parallelism=4)

    assert found == (account(1), True)


def test_a_listing_shorter_than_the_reads_is_the_answer() -> None:
    known = ["obj_1", "obj_2", "obj_3", "obj_4"]

    assert list_or_read(listing(account(5)), read, known, parallelism=2) == (account(5), True)


def test_a_listing_longer_than_the_reads_gives_way_to_them() -> None:
    found = list_or_read(listing(account(50)), read, ["obj_7", "obj_40"], parallelism=3)

    assert found == ([{"id": "obj_7", "read": True}, {"id": "obj_40", "read": True}], False)


def test_a_known_object_gone_makes_the_whole_listing_the_answer() -> None:
    found = list_or_read(listing(account(50)), read, ["obj_7", "obj_gone"], parallelism=3)

    assert found == (account(50), True)


def test_a_failed_read_fails_the_refresh() -> None:
    def failing(remote_id: str) -> dict[str, Any]:
        raise ProviderError("the server answered 500", operation="read agent")

    with pytest.raises(ProviderError, match="answered 500"):
        list_or_read(listing(account(50)), failing, ["obj_7"], parallelism=3)


def test_a_failed_listing_fails_the_refresh() -> None:
    def failing_listing(reached: Reached) -> Iterator[dict[str, Any]]:
        reached(1)
        yield from account(PAGE)
        raise ProviderError("the server answered 500", operation="list agents")

    with pytest.raises(ProviderError, match="answered 500"):
        list_or_read(failing_listing, read, ["obj_7"], parallelism=3)


def test_a_collection_not_much_larger_than_the_reads_costs_no_read() -> None:
    known = [f"obj_{index}" for index in range(20)]

    found = list_or_read(listing(account(30)), never_read, known, parallelism=2)

    assert found == (account(30), True)


def test_a_listing_from_both_ends_within_the_rounds_is_the_answer_though_half_of_it_comes_at_the_end() -> None:
    known = [f"obj_{index}" for index in range(10)]

    # 10 reads at a parallelism of 2 take 10 rounds: the listing may go 5 + 10 deep; it goes 15 deep, handing over
    # 30 objects page by page and then 30 at once
    found = list_or_read(from_both_ends(account(60)), read, known, parallelism=2)

    assert found == (account(60), True)


def test_a_listing_one_round_deeper_than_the_rounds_of_the_reads_gives_way_to_them() -> None:
    known = [f"obj_{index}" for index in range(10)]

    found = list_or_read(from_both_ends(account(64)), read, known, parallelism=2)

    assert found == ([{"id": remote_id, "read": True} for remote_id in known], False)


def test_a_listing_no_deeper_than_half_the_rounds_of_the_reads_costs_no_read() -> None:
    known = [f"obj_{index}" for index in range(10)]

    found = list_or_read(from_both_ends(account(20)), never_read, known, parallelism=2)

    assert found == (account(20), True)
