"""Listing a collection or reading its known objects by id: the answer depends on the collection (how many pages it
holds against how many rounds the reads take, and whether a known object is gone), never on which side is faster.
No HTTP: the listing and the reads are plain functions."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from assistplan.errors import NotFoundError, ProviderError
from assistplan.providers.listing import list_or_read

PAGE = 2


def account(size: int) -> list[dict[str, Any]]:
    return [{"id": f"obj_{index}"} for index in range(size)]


def listing(objects: list[dict[str, Any]]) -> Any:
    def list_all() -> Iterator[dict[str, Any]]:
        yield from objects

    return list_all


def read(remote_id: str) -> dict[str, Any]:
    if remote_id == "obj_gone":
        raise NotFoundError(f"{remote_id} is gone")
    return {"id": remote_id, "read": True}


def never_read(remote_id: str) -> dict[str, Any]:
    raise AssertionError(f"{remote_id} was read")


def test_without_known_ids_the_collection_is_listed() -> None:
    assert list_or_read(listing(account(5)), never_read, [], parallelism=4, page_size=PAGE) == (account(5), True)


def test_a_collection_of_one_page_is_listed_and_nothing_is_read() -> None:
    found = list_or_read(listing(account(1)), never_read, ["obj_0"], parallelism=4, page_size=PAGE)

    assert found == (account(1), True)


def test_a_listing_shorter_than_the_reads_is_the_answer() -> None:
    known = ["obj_1", "obj_2", "obj_3", "obj_4"]

    assert list_or_read(listing(account(5)), read, known, parallelism=2, page_size=PAGE) == (account(5), True)


def test_a_listing_longer_than_the_reads_gives_way_to_them() -> None:
    found = list_or_read(listing(account(50)), read, ["obj_7", "obj_40"], parallelism=3, page_size=PAGE)

    assert found == ([{"id": "obj_7", "read": True}, {"id": "obj_40", "read": True}], False)


def test_a_known_object_gone_makes_the_whole_listing_the_answer() -> None:
    found = list_or_read(listing(account(50)), read, ["obj_7", "obj_gone"], parallelism=3, page_size=PAGE)

    assert found == (account(50), True)


def test_a_failed_read_fails_the_refresh() -> None:
    def failing(remote_id: str) -> dict[str, Any]:
        raise ProviderError("the server answered 500", operation="read agent")

    with pytest.raises(ProviderError, match="answered 500"):
        list_or_read(listing(account(50)), failing, ["obj_7"], parallelism=3, page_size=PAGE)


def test_a_failed_listing_fails_the_refresh() -> None:
    def failing_listing() -> Iterator[dict[str, Any]]:
        yield from account(PAGE)
        raise ProviderError("the server answered 500", operation="list agents")

    with pytest.raises(ProviderError, match="answered 500"):
        list_or_read(failing_listing, read, ["obj_7"], parallelism=3, page_size=PAGE)


def test_a_collection_not_much_larger_than_the_reads_costs_no_read() -> None:
    known = [f"obj_{index}" for index in range(20)]

    found = list_or_read(listing(account(30)), never_read, known, parallelism=2, page_size=PAGE)

    assert found == (account(30), True)
