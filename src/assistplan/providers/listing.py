"""Reading the objects of one collection at the cost of the project, not of the account: list every page, or, when the
objects wanted are known by id and the collection holds many more pages than reading them takes, read them one by
one.

A listing's cost grows with everything the account holds: its walks (`assistplan.providers.paging`) take a page a
round each. Reading `k` objects by id takes R = k / (parallelism - 1) rounds of requests, whatever the account
holds. The listing's progress is counted in rounds: its depth, the most pages any one of its walks has taken, which
the listing tells after each page while it is still walking (a listing walked from both ends hands over the objects
of its oldest-first walk only when the walks cross, so the objects handed over say little of how far it is). When
the ids are known (the state records every address of the kind, and the last apply finished), the reads start beside
the listing once it is deeper than R / 2 rounds, so a collection not much larger than the project costs no read. The
answer does not depend on whether the reads or the listing finish first, only on how deep the listing goes, which
follows the collection (how its walks share the work moves it by a round or so): a listing no deeper than R / 2 + R
rounds is the answer (it also shows objects the state does not know), and the reads still to start are cancelled; a
deeper one is left there, and the answer is the objects read. An object that answers 404 was deleted outside, so
something changed: the collection is then listed to the end, and the listing is the answer.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Collection, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from assistplan.errors import NotFoundError
from assistplan.providers.paging import Reached, unheeded

Lister = Callable[[Reached], Iterator[dict[str, Any]]]
Reader = Callable[[str], dict[str, Any]]


def list_or_read(
    list_all: Lister, read_one: Reader, known: Collection[str], parallelism: int
) -> tuple[list[dict[str, Any]], bool]:
    """The objects of a collection, and whether they are all of them (listed) rather than exactly those with the
    `known` ids (read, when the listing is deeper than reading them takes rounds). Returns as soon as the answer is
    known: requests still in flight on the other side finish in the background."""
    if not known:
        return list(list_all(unheeded)), True
    rounds = math.ceil(len(known) / max(1, parallelism - 1))
    start = math.ceil(rounds / 2)
    budget = start + rounds
    listed: list[dict[str, Any]] = []
    deep = threading.Event()
    """The listing went deeper than `start` rounds, or ended."""
    too_deep = threading.Event()
    """The listing went deeper than `budget` rounds: the reads are the answer."""

    def reached(depth: int) -> None:
        if depth > start:
            deep.set()
        if depth > budget:
            too_deep.set()

    def walk() -> bool:
        """List to the end (True), or stop once the listing is deeper than the budget (False)."""
        for item in list_all(reached):
            if too_deep.is_set():
                return False
            listed.append(item)
        return not too_deep.is_set()

    def read(remote_id: str) -> dict[str, Any] | None:
        try:
            return read_one(remote_id)
        except NotFoundError:
            return None

    pool = ThreadPoolExecutor(max_workers=max(2, parallelism))
    try:
        listing = pool.submit(walk)
        listing.add_done_callback(lambda _: deep.set())
        deep.wait()
        if listing.done() and listing.result():
            return listed, True
        reads = [pool.submit(read, remote_id) for remote_id in known]
        if listing.result():
            return listed, True
        found = [future.result() for future in reads]
        if any(item is None for item in found):
            return list(list_all(unheeded)), True
        return [item for item in found if item is not None], False
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
