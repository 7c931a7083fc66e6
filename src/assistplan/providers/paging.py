"""Walking a cursor-paged collection in several places at once, so that a long listing takes a fraction of the rounds.

The OpenAI collections page with an `after` cursor and accept `order` (`asc` or `desc`, by `created_at`, newest first
by default). A cursor walk is sequential: one page per round. When the first page (the server's own order) says there
is more, the listing goes on in more places at once.

**From both ends.** A second walk starts from the oldest object (`order=asc`) beside the first, and the listing is
complete as soon as the two walks have crossed: once the oldest-first walk has reached an object created strictly
later than the oldest object the newest-first walk has reached, every object was seen by one of them, whatever order
the server gives objects created in the same second. Objects are produced in the server's order: the first walk's
pages as they come, then what only the second walk saw, newest first.

The second walk is dropped, and the first walks to the end as it would alone, whenever the answers do not prove the
crossing: a page out of order for its walk, an object without an integer `created_at`, a second walk whose first page
starts where the first's did (a server that ignores `order`), a second walk that fails, or one that ends without
reaching the object the first began with. When every object was created in the same second the walks never cross; the
one that reaches its end first has them all. Either way the wall time is at most that of one walk.

**From known objects.** When the caller knows ids the collection probably holds (the state's records of the kind,
newest first), more newest-first walks start right after some of them (`after=<id>`), spread evenly, beside the walk
from the top. A walk that meets an object another walk listed stops there: that walk goes on from that object, in the
same order, so the walks' runs follow each other without a gap or an overlap, and the listing needs no `created_at`.
The walk after the oldest known id also walks from both ends (above), for the objects older than every known one (an
account shared with other projects). A walk whose first page fails (an id the server no longer knows) is left out;
the walks around it go on through its part. Objects come in the server's order: the runs one after another, from the
top.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Generator, Iterator, Sequence
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


Fetch = Callable[[str | None, str | None, int], Page]
"""A page of the collection: `(order, after, walk)`; order None is the server's own (newest first), "asc" the oldest
first; `walk` numbers the walk asking (a cursor may come back in another walk, never twice in one)."""


def _stamps(items: list[Item]) -> list[int] | None:
    stamps = [item.get("created_at") for item in items]
    ints = [stamp for stamp in stamps if isinstance(stamp, int) and not isinstance(stamp, bool)]
    return ints if len(ints) == len(stamps) else None


class _Crossing:
    """What the two walks know of each other, under one lock."""

    def __init__(self, first: list[Item], top_id: Any) -> None:
        self.lock = threading.Lock()
        self.first_id = first[0].get("id")
        self.top_id = top_id
        """The first object of the whole listing (the oldest-first walk starting there ignored `order`)."""
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
                or (first and page.items and page.items[0].get("id") in (self.first_id, self.top_id))
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

    def walk_oldest(self, fetch: Fetch, walk: int) -> None:
        cursor: str | None = None
        try:
            while self.oldest_page(page := fetch("asc", cursor, walk), cursor is None):
                cursor = page.cursor
        except Exception:
            with self.lock:
                self.usable = False


def _ordered(stamps: list[int], *, descending: bool) -> bool:
    pairs = pairwise(stamps)
    return all(a >= b for a, b in pairs) if descending else all(a <= b for a, b in pairs)


def from_both_ends(fetch: Fetch, known: Sequence[str] = (), walks: int = 2) -> Iterator[Item]:
    """Every object of the collection `fetch` pages, once each, in the server's order (see the module): from both ends,
    and with `known` ids (newest first) also from those, `walks` newest-first walks in all."""
    page = fetch(None, None, 0)
    if not page.more or not page.items or page.cursor is None:
        yield from page.items
        return
    first = {item.get("id") for item in page.items}
    starts = [remote_id for remote_id in dict.fromkeys(known) if remote_id not in first]
    if starts and walks > 1:
        yield from _Walks(fetch, page, starts, walks).listing()
    else:
        yield from (item for item, _ in _crossing(fetch, page, 0, page.items[0].get("id")))


def _crossing(fetch: Fetch, page: Page, walk: int, top_id: Any) -> Generator[tuple[Item, bool], None, None]:
    """The newest-first walk `walk` from its first page `page` on, with an oldest-first walk (number `walk + 1`) beside
    it until they cross: each object, and whether only the oldest-first walk saw it (those come last)."""
    crossing = _Crossing(page.items, top_id)
    if crossing.usable:
        threading.Thread(
            target=crossing.walk_oldest, args=(fetch, walk + 1), daemon=True, name="assistplan-oldest"
        ).start()
    seen: set[Any] = set()
    rest: list[Item] | None = None
    try:
        while True:
            seen.update(item.get("id") for item in page.items)
            yield from ((item, False) for item in page.items)
            if not page.more or page.cursor is None or (rest := crossing.taken()) is not None:
                break
            page = fetch(None, page.cursor, walk)
            crossing.newest_page(page.items)
        if rest is not None:
            for item in reversed(rest):
                if item.get("id") not in seen:
                    seen.add(item.get("id"))
                    yield item, True
    finally:
        crossing.stopped = True


class _Walks:
    """The newest-first walks of a listing from known objects (see the module), under one condition: the objects each
    walk listed (its run), which walk listed each object, and where each walk stopped."""

    def __init__(self, fetch: Fetch, page: Page, starts: list[str], walks: int) -> None:
        self.fetch = fetch
        self.top_id = page.items[0].get("id")
        # the walk from the top is 0; then one after each start spread over all but the oldest; the last walk goes
        # after the oldest known id, from both ends (its oldest-first walk is numbered one more)
        middle = min(walks - 2, len(starts) - 1)
        spread = [starts[(len(starts) - 1) * k // (middle + 1)] for k in range(1, middle + 1)]
        self.starts = list(dict.fromkeys([*spread, starts[-1]]))
        self.last = len(self.starts)
        self.condition = threading.Condition()
        self.owner: dict[Any, int] = {}
        self.runs: dict[int, list[Item]] = {walk: [] for walk in range(self.last + 1)}
        self.next: dict[int, int] = {}
        """Walk -> the walk it ran into."""
        self.extra: list[Item] = []
        """What only the last walk's oldest-first walk saw, newest first."""
        self.done: set[int] = set()
        self.error: Exception | None = None
        self.stopped = False
        self._record(0, page.items)
        self.first = page

    def _record(self, walk: int, items: list[Item]) -> bool:
        """Add a page to `walk`'s run, up to the first object another walk listed; whether the walk goes on."""
        with self.condition:
            run = self.runs[walk]
            for item in items:
                key = item.get("id")
                owner = self.owner.get(key, walk) if key is not None else walk
                if owner != walk:
                    self.next[walk] = owner
                    self.condition.notify_all()
                    return False
                if key is not None:
                    self.owner[key] = walk
                run.append(item)
            self.condition.notify_all()
            return not self.stopped

    def _walk(self, walk: int, page: Page | None) -> None:
        """Walk `walk` to the end, or until it meets another walk; the first page of one after a known id may fail."""
        error: Exception | None = None
        try:
            if page is None:
                try:
                    page = self.fetch(None, self.starts[walk - 1], walk)
                except Exception:
                    return  # an id the server refuses as a cursor: the walks before this one go on through its part
                if not self._record(walk, page.items):
                    return
            while page.more and page.cursor is not None:
                page = self.fetch(None, page.cursor, walk)
                if not self._record(walk, page.items):
                    return
        except Exception as exc:
            error = exc
        finally:
            self._finish(walk, error)

    def _walk_last(self) -> None:
        """The walk after the oldest known id, from both ends; it stops like the others when it meets another walk."""
        walk, error = self.last, None
        try:
            try:
                page = self.fetch(None, self.starts[-1], walk)
            except Exception:
                return
            if not page.more or not page.items or page.cursor is None:
                self._record(walk, page.items)
                return
            listing = _crossing(self.fetch, page, walk, self.top_id)
            try:
                for item, oldest_only in listing:
                    if oldest_only:
                        with self.condition:
                            self.extra.append(item)
                    elif not self._record(walk, [item]):
                        return
            finally:
                listing.close()
        except Exception as exc:
            error = exc
        finally:
            self._finish(walk, error)

    def _finish(self, walk: int, error: Exception | None) -> None:
        with self.condition:
            self.done.add(walk)
            if error is not None and self.error is None:
                self.error = error
            self.condition.notify_all()

    def listing(self) -> Iterator[Item]:
        """The objects, following the runs from the top as they grow; what no run led to comes last."""
        threads = [threading.Thread(target=self._walk, args=(0, self.first), daemon=True, name="assistplan-walk-0")]
        threads += [
            threading.Thread(target=self._walk, args=(walk, None), daemon=True, name=f"assistplan-walk-{walk}")
            for walk in range(1, self.last)
        ]
        threads.append(threading.Thread(target=self._walk_last, daemon=True, name=f"assistplan-walk-{self.last}"))
        for thread in threads:
            thread.start()
        emitted: set[Any] = set()  # the ids given, and the objects given (an object without an id is never a duplicate)
        try:
            walk: int | None = 0
            visited: set[int] = set()
            while walk is not None and walk not in visited:
                visited.add(walk)
                taken = 0
                while True:
                    with self.condition:
                        run = self.runs[walk]
                        while len(run) == taken and walk not in self.done and self.error is None:
                            self.condition.wait()
                        if self.error is not None:
                            raise self.error
                        fresh, ended = run[taken:], walk in self.done
                    taken += len(fresh)
                    for item in fresh:
                        emitted.update((item.get("id"), id(item)))
                        yield item
                    if ended and taken == len(run):
                        break
                walk = self.next.get(walk)
            with self.condition:
                while len(self.done) < len(threads) and self.error is None:
                    self.condition.wait()
                if self.error is not None:
                    raise self.error
            for item in [*(item for run in self.runs.values() for item in run), *self.extra]:
                key = item.get("id")
                if id(item) not in emitted and (key is None or key not in emitted):
                    emitted.update((key, id(item)))
                    yield item
        finally:
            self.stopped = True
