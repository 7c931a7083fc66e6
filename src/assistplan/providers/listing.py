"""Reading the objects of one collection at the cost of the project, not of the account: list every page, or,
when the objects wanted are known by id and the collection holds many more pages than reading them takes, read
them one by one.

The listing walks its pages one after another, so its cost grows with everything the account holds; reading `k`
objects by id takes R = k / (parallelism - 1) rounds of requests, whatever the account holds. When the ids are
known (the state records every address of the kind, and the last apply finished), the reads start beside the
listing once it has walked R / 2 pages without ending, so a collection not much larger than the project costs no
read. The answer does not depend on which side is faster, only on the collection: a listing that ends within
R / 2 + R pages is the answer (it also shows objects the state does not know); a longer one is stopped there, and
the answer is the objects read. An object that answers 404 was deleted outside, so something changed: the
collection is then listed to the end, and the listing is the answer.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Collection, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from assistplan.errors import NotFoundError

Lister = Callable[[], Iterator[dict[str, Any]]]
Reader = Callable[[str], dict[str, Any]]


def list_or_read(
    list_all: Lister, read_one: Reader, known: Collection[str], parallelism: int, page_size: int = 100
) -> tuple[list[dict[str, Any]], bool]:
    """The objects of a collection, and whether they are all of them (listed) rather than exactly those with the
    `known` ids (read, when the listing is longer than reading them). Returns as soon as the answer is known:
    requests still in flight on the other side finish in the background."""
    if not known:
        return list(list_all()), True
    rounds = math.ceil(len(known) / max(1, parallelism - 1))
    # the reads start once the listing has walked half as many pages as they take rounds (a shorter listing costs
    # no read at all), and the listing is the answer when it ends within those pages and the rounds of the reads
    start = page_size * math.ceil(rounds / 2)
    budget = start + page_size * rounds
    lock = threading.Lock()
    listed: list[dict[str, Any]] = []
    big = threading.Event()

    def walk() -> bool:
        """List to the end (True), or stop once the listing is longer than the budget (False)."""
        for item in list_all():
            with lock:
                listed.append(item)
                if len(listed) == start:
                    big.set()
                if len(listed) > budget:
                    return False
        return True

    def read(remote_id: str) -> dict[str, Any] | None:
        try:
            return read_one(remote_id)
        except NotFoundError:
            return None

    pool = ThreadPoolExecutor(max_workers=max(2, parallelism))
    try:
        listing = pool.submit(walk)
        listing.add_done_callback(lambda _: big.set())
        big.wait()
        if listing.done() and listing.result():
            return list(listed), True
        reads = [pool.submit(read, remote_id) for remote_id in known]
        if listing.result():
            return list(listed), True
        found = [future.result() for future in reads]
        if any(item is None for item in found):
            return list(list_all()), True
        return [item for item in found if item is not None], False
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
