"""Reading the objects of one collection at the cost of the project, not of the account: list every page, or,
when the objects wanted are known by id and the collection turns out to hold more than one page, race the listing
against reading them one by one.

The listing walks its pages one after another, so its cost grows with everything the account holds; reading by id
costs one request per object, `parallelism` at a time, whatever the account holds. When the ids are known (the state
records every address of the kind, and the last apply finished) and the first page is full, the reads start beside
the listing. Whichever finishes first decides: a complete listing is the answer (it also shows objects the state
does not know); else the reads, with what the listing saw so far. An object that answers 404 is gone, and since
something changed outside, the listing is then waited for, so that an object re-created or stamped meanwhile is seen.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Collection, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from assistplan.errors import NotFoundError

Lister = Callable[[], Iterator[dict[str, Any]]]
Reader = Callable[[str], dict[str, Any]]


def list_or_read(
    list_all: Lister, read_one: Reader, known: Collection[str], parallelism: int, page_size: int = 100
) -> list[dict[str, Any]]:
    """The objects of a collection: all of them (listed), or at least those with the `known` ids (read) when the
    listing has more than `page_size` of them. Returns as soon as the answer is known: a request still in flight on
    the losing side is left to finish in the background."""
    if not known:
        return list(list_all())
    lock = threading.Lock()
    finished = False
    listed: list[dict[str, Any]] = []
    big = threading.Event()
    done = threading.Event()
    remaining = len(known)
    gone = False

    def walk() -> bool:
        """List until the end (True) or until the reads are done (False)."""
        for item in list_all():
            with lock:
                if finished:
                    return False
                listed.append(item)
                if len(listed) == page_size:
                    big.set()
        return True

    def read(remote_id: str) -> dict[str, Any] | None:
        nonlocal gone
        try:
            return read_one(remote_id)
        except NotFoundError:
            with lock:
                gone = True
            return None

    def count(_: Future[Any]) -> None:
        nonlocal remaining
        with lock:
            remaining -= 1
            if remaining == 0 and not gone:
                done.set()

    def listed_all(_: Future[Any]) -> None:
        big.set()
        done.set()

    pool = ThreadPoolExecutor(max_workers=max(2, parallelism))
    try:
        listing = pool.submit(walk)
        listing.add_done_callback(listed_all)
        big.wait()
        reads = [] if listing.done() else [pool.submit(read, remote_id) for remote_id in known]
        for future in reads:
            future.add_done_callback(count)
        done.wait()
        with lock:
            finished = True
            read_all = remaining == 0 and bool(reads) and not gone
            seen = list(listed)
        if listing.done() and (not read_all or listing.exception() is None) and listing.result():
            return seen
        found = {item["id"]: item for item in seen}
        for future in reads:
            item = future.result()
            if item is not None:
                found[item["id"]] = item
        return list(found.values())
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
