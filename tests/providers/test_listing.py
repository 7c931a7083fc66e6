"""Listing a collection or reading its known objects by id, whichever finishes first once the collection proves to
hold more than a page; no HTTP, no sleeps: the side that must lose waits on an event the test sets only once the
answer is known. The page size here is 2: the account below holds five objects."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest

from assistplan.errors import NotFoundError, ProviderError
from assistplan.providers.listing import list_or_read

ACCOUNT = [{"id": f"obj_{index}"} for index in range(5)]
WAIT = 30


PAGE = 2


def stalled_listing(release: threading.Event) -> Any:
    """A listing that yields its first page, then waits for `release`."""

    def list_all() -> Iterator[dict[str, Any]]:
        yield from ACCOUNT[:PAGE]
        assert release.wait(timeout=WAIT)
        yield from ACCOUNT[PAGE:]

    return list_all


def full_listing() -> Iterator[dict[str, Any]]:
    yield from ACCOUNT


def read(remote_id: str) -> dict[str, Any]:
    if remote_id == "obj_gone":
        raise NotFoundError(f"{remote_id} is gone")
    return {"id": remote_id, "read": True}


def stalled_read(release: threading.Event) -> Any:
    def read_one(remote_id: str) -> dict[str, Any]:
        assert release.wait(timeout=WAIT)
        return read(remote_id)

    return read_one


def ids(found: list[dict[str, Any]]) -> list[str]:
    return sorted(item["id"] for item in found)


def test_without_known_ids_the_collection_is_listed() -> None:
    assert list_or_read(full_listing, stalled_read(threading.Event()), [], parallelism=4, page_size=PAGE) == ACCOUNT


def test_reads_that_finish_first_are_the_answer_with_what_the_listing_saw() -> None:
    release = threading.Event()
    try:
        found = list_or_read(stalled_listing(release), read, ["obj_3", "obj_4"], parallelism=4, page_size=PAGE)
    finally:
        release.set()

    assert ids(found) == ["obj_0", "obj_1", "obj_3", "obj_4"]
    assert all(item.get("read") for item in found if item["id"] in ("obj_3", "obj_4"))


def test_a_listing_that_finishes_first_is_the_whole_answer() -> None:
    release = threading.Event()
    try:
        found = list_or_read(full_listing, stalled_read(release), ["obj_3"], parallelism=4, page_size=PAGE)
    finally:
        release.set()

    assert found == ACCOUNT


def test_an_object_gone_when_read_makes_the_listing_the_answer() -> None:
    release = threading.Event()

    def read_then_release(remote_id: str) -> dict[str, Any]:
        try:
            return read(remote_id)
        finally:
            if remote_id == "obj_gone":
                release.set()

    found = list_or_read(stalled_listing(release), read_then_release, ["obj_gone"], parallelism=4, page_size=PAGE)

    assert found == ACCOUNT


def test_a_listing_of_one_page_reads_nothing_by_id() -> None:
    found = list_or_read(full_listing, stalled_read(threading.Event()), ["obj_3"], parallelism=4, page_size=10)

    assert found == ACCOUNT


def test_a_failed_read_fails_the_refresh() -> None:
    release = threading.Event()

    def failing(remote_id: str) -> dict[str, Any]:
        raise ProviderError("the server answered 500", operation="read agent")

    try:
        with pytest.raises(ProviderError, match="answered 500"):
            list_or_read(stalled_listing(release), failing, ["obj_3"], parallelism=4, page_size=PAGE)
    finally:
        release.set()


def test_a_failed_listing_fails_the_refresh_while_reads_are_missing() -> None:
    release = threading.Event()

    def failing_listing() -> Iterator[dict[str, Any]]:
        raise ProviderError("the server answered 500", operation="list agents")
        yield {}

    try:
        with pytest.raises(ProviderError, match="answered 500"):
            list_or_read(failing_listing, stalled_read(release), ["obj_3"], parallelism=4, page_size=PAGE)
    finally:
        release.set()
