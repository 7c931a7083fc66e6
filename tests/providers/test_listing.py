"""Listing a collection or reading its known objects by id, whichever finishes first; no HTTP, no sleeps: the side
that must lose waits on an event the test sets only once the answer is known."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest

from assistplan.errors import NotFoundError, ProviderError
from assistplan.providers.listing import list_or_read

ACCOUNT = [{"id": f"obj_{index}"} for index in range(5)]
WAIT = 30


def stalled_listing(release: threading.Event, fail: bool = False) -> Any:
    """A listing that yields the first object, then waits for `release` (and fails then, with `fail`)."""

    def list_all() -> Iterator[dict[str, Any]]:
        yield ACCOUNT[0]
        assert release.wait(timeout=WAIT)
        if fail:
            raise ProviderError("the server answered 500", operation="list agents")
        yield from ACCOUNT[1:]

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
    assert list_or_read(full_listing, stalled_read(threading.Event()), [], parallelism=4) == ACCOUNT


def test_reads_that_finish_first_are_the_answer_with_what_the_listing_saw() -> None:
    release = threading.Event()
    try:
        found = list_or_read(stalled_listing(release), read, ["obj_3", "obj_4"], parallelism=4)
    finally:
        release.set()

    assert ids(found) == ["obj_0", "obj_3", "obj_4"]
    assert all(item.get("read") for item in found if item["id"] != "obj_0")


def test_a_listing_that_finishes_first_is_the_whole_answer() -> None:
    release = threading.Event()
    try:
        found = list_or_read(full_listing, stalled_read(release), ["obj_3"], parallelism=4)
    finally:
        release.set()

    assert found == ACCOUNT


def test_an_object_gone_when_read_is_left_out() -> None:
    release = threading.Event()
    try:
        found = list_or_read(stalled_listing(release), read, ["obj_3", "obj_gone"], parallelism=4)
    finally:
        release.set()

    assert ids(found) == ["obj_0", "obj_3"]


def test_a_failed_read_fails_the_refresh() -> None:
    release = threading.Event()

    def failing(remote_id: str) -> dict[str, Any]:
        raise ProviderError("the server answered 500", operation="read agent")

    try:
        with pytest.raises(ProviderError, match="answered 500"):
            list_or_read(stalled_listing(release), failing, ["obj_3"], parallelism=4)
    finally:
        release.set()


def test_a_failed_listing_fails_the_refresh_while_reads_are_missing() -> None:
    release = threading.Event()

    def failing_listing() -> Iterator[dict[str, Any]]:
        raise ProviderError("the server answered 500", operation="list agents")
        yield {}

    try:
        with pytest.raises(ProviderError, match="answered 500"):
            list_or_read(failing_listing, stalled_read(release), ["obj_3"], parallelism=4)
    finally:
        release.set()
