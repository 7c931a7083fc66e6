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

**From known objects.** When the caller knows ids the collection probably holds (the state's records of the kind, most
recently recorded first), more newest-first walks start right after some of them (`after=<id>`), spread evenly, beside
the walk from the top. A walk that meets an object another walk listed stops there: that walk goes on from that object,
in the same order, so the walks' runs follow each other without a gap or an overlap. A walk whose first page fails (an
id the server no longer knows) is left out; the walks around it go on through its part. An oldest-first walk starts
beside them all, for the objects older than every known one (an account shared with other projects): the listing is
complete once it has crossed the runs that follow one another from the top (as above, by `created_at`, against the
oldest object the last of those runs has reached), or once those runs reach the end; the oldest-first walk is dropped as
above when the answers do not prove the crossing, and the runs go on. Which walk goes on into the older objects does not
matter, so the known ids need not come in the server's order (an apply that made objects side by side records them in
another). Objects come in the server's order: the runs one after another, from the top, then what only the oldest-first
walk saw, newest first.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

Item = dict[str, Any]


@dataclass(frozen=True)
class Page:
    """One answer of a walk: its objects, whether more follow, and the cursor for the next page."""

    items: list[Item]
    more: bool
    cursor: str | None


Reached = Callable[[int], None]
"""Told, after each page a listing takes while it is still walking, how many pages the walk that took it has taken:
the listing's depth in rounds, its walks running side by side (pages that land once the walks have crossed or
stopped are not told)."""


def unheeded(depth: int) -> None:
    """A listing's depth, where nothing depends on it."""


Fetch = Callable[[str | None, str | None, int], Page]
"""A page of the collection: `(order, after, walk)`; order None is the server's own (newest first), "asc" the oldest
first; `walk` numbers the walk asking (a cursor may come back in another walk, never twice in one)."""


def _stamps(items: list[Item]) -> list[int] | None:
    stamps = [item.get("created_at") for item in items]
    ints = [stamp for stamp in stamps if isinstance(stamp, int) and not isinstance(stamp, bool)]
    return ints if len(ints) == len(stamps) else None


@dataclass
class _Oldest:
    """What an oldest-first walk saw, oldest first (kept under its owner's lock), and whether it still proves anything:
    its pages in order, its first page not the collection's top (a server that ignores `order`), and, at its end, the
    collection's top object reached."""

    top_id: Any
    items: list[Item] = field(default_factory=list)
    high: int | None = None
    """The newest `created_at` it has reached."""
    usable: bool = True
    done: bool = False
    """It reached its end holding every object."""

    def take(self, page: Page, first: bool) -> bool:
        """Record a page; False, and no longer usable, when the page does not prove the order."""
        stamps = _stamps(page.items)
        before = [] if self.high is None else [self.high]
        if (
            stamps is None
            or not _ordered([*before, *stamps], descending=False)
            or (first and page.items and page.items[0].get("id") == self.top_id)
        ):
            self.usable = False
            return False
        self.items.extend(page.items)
        if stamps:
            self.high = stamps[-1]
        if not page.more or not page.items or page.cursor is None:
            if not any(item.get("id") == self.top_id for item in self.items):
                self.usable = False
                return False
            self.done = True
        return True


class _Crossing:
    """What the two walks know of each other, under one lock."""

    def __init__(self, first: list[Item]) -> None:
        self.lock = threading.Lock()
        self.first_id = first[0].get("id")
        stamps = _stamps(first)
        self.usable = stamps is not None and _ordered(stamps, descending=True)
        self.newest_low: int | None = stamps[-1] if stamps else None
        """The oldest `created_at` the newest-first walk has reached."""
        self.oldest = _Oldest(self.first_id)
        self.stopped = False

    def _crossed(self) -> bool:
        if not self.usable:
            return False
        if self.oldest.done:
            return True
        high = self.oldest.high
        return high is not None and self.newest_low is not None and high > self.newest_low

    def taken(self) -> list[Item] | None:
        """What only the oldest-first walk saw, once the walks have crossed (None before)."""
        with self.lock:
            return list(self.oldest.items) if self._crossed() else None

    def newest_page(self, items: list[Item]) -> bool:
        """Record a page of the newest-first walk; whether the walks had not crossed when it came."""
        stamps = _stamps(items)
        with self.lock:
            counted = not self._crossed()
            if stamps is None or self.newest_low is None or not _ordered([self.newest_low, *stamps], descending=True):
                self.usable = False
            elif stamps:
                self.newest_low = stamps[-1]
            return counted

    def counts(self) -> bool:
        """Whether a page taken now counts in the listing's depth: the walks have neither crossed nor stopped, and
        the oldest-first walk is still of use."""
        with self.lock:
            return self.usable and not self.stopped and not self._crossed()

    def oldest_page(self, page: Page, first: bool) -> bool:
        """Record a page of the oldest-first walk; whether that walk should go on."""
        with self.lock:
            if not self.usable:
                return False  # dropped (the newest-first walk's pages did not prove the order)
            if not self.oldest.take(page, first):
                self.usable = False
                return False
            return not self.stopped and not self._crossed()

    def walk_oldest(self, fetch: Fetch, reached: Reached) -> None:
        cursor: str | None = None
        depth = 0
        try:
            while True:
                page = fetch("asc", cursor, 1)
                depth += 1
                if self.counts():
                    reached(depth)  # before the page is recorded: the crossing it may make is seen after the depth
                if not self.oldest_page(page, cursor is None):
                    return
                cursor = page.cursor
        except Exception:
            with self.lock:
                self.usable = False


def _ordered(stamps: list[int], *, descending: bool) -> bool:
    pairs = pairwise(stamps)
    return all(a >= b for a, b in pairs) if descending else all(a <= b for a, b in pairs)


def walked_once(fetch: Fetch, reached: Reached = unheeded) -> Iterator[Item]:
    """Every object of the collection `fetch` pages, walked once from the top, one page a round."""
    page, depth = fetch(None, None, 0), 1
    while True:
        reached(depth)
        yield from page.items
        if not page.more or page.cursor is None:
            return
        page, depth = fetch(None, page.cursor, 0), depth + 1


def from_both_ends(
    fetch: Fetch, known: Sequence[str] = (), walks: int = 2, reached: Reached = unheeded
) -> Iterator[Item]:
    """Every object of the collection `fetch` pages, once each, in the server's order (see the module): from both ends,
    and with `known` ids (newest first) also from those, `walks` newest-first walks in all; `reached` is told the
    listing's depth as it goes."""
    page = fetch(None, None, 0)
    reached(1)
    if not page.more or not page.items or page.cursor is None:
        yield from page.items
        return
    first = {item.get("id") for item in page.items}
    starts = [remote_id for remote_id in dict.fromkeys(known) if remote_id not in first]
    if starts and walks > 1:
        yield from _Walks(fetch, page, starts, walks, reached).listing()
    else:
        yield from _crossing(fetch, page, reached)


def _crossing(fetch: Fetch, page: Page, reached: Reached) -> Iterator[Item]:
    """The newest-first walk (number 0) from its first page `page` on, with an oldest-first walk (number 1) beside it
    until they cross; what only the oldest-first walk saw comes last."""
    crossing = _Crossing(page.items)
    if crossing.usable:
        threading.Thread(
            target=crossing.walk_oldest, args=(fetch, reached), daemon=True, name="assistplan-oldest"
        ).start()
    seen: set[Any] = set()
    rest: list[Item] | None = None
    depth = 1
    try:
        while True:
            seen.update(item.get("id") for item in page.items)
            yield from page.items
            if not page.more or page.cursor is None or (rest := crossing.taken()) is not None:
                break
            page = fetch(None, page.cursor, 0)
            depth += 1
            if crossing.newest_page(page.items):
                reached(depth)
        if rest is not None:
            for item in reversed(rest):
                if item.get("id") not in seen:
                    seen.add(item.get("id"))
                    yield item
    finally:
        crossing.stopped = True


class _Walks:
    """The walks of a listing from known objects (see the module), under one condition: the objects each newest-first
    walk listed (its run), which walk listed each object, where each walk stopped and the oldest creation time it
    reached, and what the oldest-first walk saw."""

    def __init__(self, fetch: Fetch, page: Page, starts: list[str], walks: int, reached: Reached) -> None:
        self.fetch = fetch
        self.reached = reached
        self.top_id = page.items[0].get("id")
        # the walk from the top is 0; then one after each start spread evenly over the known ids, the oldest-first
        # walk meeting the last of them from below
        spread = min(walks - 1, len(starts))
        self.starts = list(dict.fromkeys(starts[len(starts) * k // (spread + 1)] for k in range(1, spread + 1)))
        self.count = len(self.starts) + 1
        """The newest-first walks; the oldest-first walk is numbered `count`."""
        self.condition = threading.Condition()
        self.owner: dict[Any, int] = {}
        self.runs: dict[int, list[Item]] = {walk: [] for walk in range(self.count)}
        self.next: dict[int, int] = {}
        """Walk -> the walk it ran into."""
        self.lows: dict[int, int] = {}
        """Walk -> the oldest `created_at` it reached."""
        self.highs: dict[int, int] = {}
        """Walk -> the `created_at` of the first object of its run."""
        self.unordered: set[int] = set()
        """Walks whose objects were not all stamped, newest first."""
        self.oldest = _Oldest(self.top_id)
        self.crossed = False
        """The oldest-first walk reached past the end of the runs that follow one another from the top."""
        self.done: set[int] = set()
        self.error: Exception | None = None
        self.stopped = False
        self.depths: dict[int, int] = {0: 1}
        """Walk -> the pages it has taken (the first page is walk 0's, told already)."""
        self._record(0, page.items)
        self.first = page

    def _took(self, walk: int) -> None:
        """Count a page `walk` took, and tell the listing's depth unless the listing has crossed or stopped (outside
        the condition: `reached` may take locks of its own)."""
        with self.condition:
            depth = self.depths[walk] = self.depths.get(walk, 0) + 1
            counted = not self.stopped
        if counted:
            self.reached(depth)

    def _record(self, walk: int, items: list[Item]) -> bool:
        """Add a page to `walk`'s run, up to the first object another walk listed; whether the walk goes on."""
        with self.condition:
            run, added, met = self.runs[walk], [], False
            for item in items:
                key = item.get("id")
                owner = self.owner.get(key, walk) if key is not None else walk
                if owner != walk:
                    self.next[walk] = owner
                    met = True
                    break
                if key is not None:
                    self.owner[key] = walk
                run.append(item)
                added.append(item)
            self._stamped(walk, added)
            self._check()
            self.condition.notify_all()
            return not met and not self.stopped

    def _stamped(self, walk: int, added: list[Item]) -> None:
        """Note the creation times of objects `walk` added to its run (under the condition)."""
        stamps = _stamps(added)
        before = [self.lows[walk]] if walk in self.lows else []
        if stamps is None or not _ordered([*before, *stamps], descending=True):
            self.unordered.add(walk)
        elif stamps:
            self.highs.setdefault(walk, stamps[0])
            self.lows[walk] = stamps[-1]

    def _chain(self) -> list[int]:
        """The walks whose runs follow one another from the top: 0, the walk it ran into, and so on."""
        chain = [0]
        while chain[-1] in self.next and self.next[chain[-1]] not in chain:
            chain.append(self.next[chain[-1]])
        return chain

    def _check(self) -> None:
        """Whether the oldest-first walk has crossed the runs from the top (under the condition): every object is then
        in those runs or in what it saw, and every walk stops."""
        if self.crossed or not self.oldest.usable:
            return
        if not self.oldest.done:
            chain = self._chain()
            end = chain[-1]
            if any(walk in self.unordered for walk in chain) or any(
                a not in self.lows or b not in self.highs or self.lows[a] < self.highs[b] for a, b in pairwise(chain)
            ):
                return
            high = self.oldest.high
            if high is None or end not in self.lows or high <= self.lows[end]:
                return
        self.crossed = self.stopped = True

    def _walk(self, walk: int, page: Page | None) -> None:
        """Walk `walk` to the end, or until it meets another walk; the first page of one after a known id may fail."""
        error: Exception | None = None
        try:
            if page is None:
                try:
                    page = self.fetch(None, self.starts[walk - 1], walk)
                except Exception:
                    return  # an id the server refuses as a cursor: the walks before this one go on through its part
                self._took(walk)
                if not self._record(walk, page.items):
                    return
            while page.more and page.cursor is not None:
                page = self.fetch(None, page.cursor, walk)
                self._took(walk)
                if not self._record(walk, page.items):
                    return
        except Exception as exc:
            error = exc
        finally:
            self._finish(walk, error)

    def _walk_oldest(self) -> None:
        """The walk from the oldest object (`order=asc`), until it crosses the runs from the top or the walks stop; it
        is dropped, and the runs go on alone, whenever its answers do not prove the crossing (see the module)."""
        cursor: str | None = None
        try:
            while True:
                page = self.fetch("asc", cursor, self.count)
                self._took(self.count)
                if not self._oldest_page(page, cursor is None):
                    return
                cursor = page.cursor
        except Exception:
            with self.condition:
                self.oldest.usable = False

    def _oldest_page(self, page: Page, first: bool) -> bool:
        """Record a page of the oldest-first walk; whether that walk should go on."""
        with self.condition:
            if not self.oldest.take(page, first):
                return False
            self._check()
            self.condition.notify_all()
            return not self.stopped and not self.oldest.done

    def _finish(self, walk: int, error: Exception | None) -> None:
        with self.condition:
            self.done.add(walk)
            if error is not None and self.error is None:
                self.error = error
            self.condition.notify_all()

    def _failed(self) -> Exception | None:
        """The error of a walk, unless the listing is complete without it (under the condition)."""
        return None if self.crossed else self.error

    def listing(self) -> Iterator[Item]:
        """The objects, following the runs from the top as they grow; once the oldest-first walk has crossed them,
        what only it saw, newest first; what no run led to comes last."""
        threads = [threading.Thread(target=self._walk, args=(0, self.first), daemon=True, name="assistplan-walk-0")]
        threads += [
            threading.Thread(target=self._walk, args=(walk, None), daemon=True, name=f"assistplan-walk-{walk}")
            for walk in range(1, self.count)
        ]
        if 0 not in self.unordered:
            threads.append(threading.Thread(target=self._walk_oldest, daemon=True, name="assistplan-oldest"))
        else:
            self.oldest.usable = False
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
                        while len(run) == taken and walk not in self.done and not self.crossed and not self.error:
                            self.condition.wait()
                        if (error := self._failed()) is not None:
                            raise error
                        fresh, ended = run[taken:], walk in self.done or self.crossed
                    taken += len(fresh)
                    for item in fresh:
                        emitted.update((item.get("id"), id(item)))
                        yield item
                    if ended and taken == len(run):
                        break
                with self.condition:
                    walk = self.next.get(walk)
            with self.condition:
                self.stopped = True
                while len(self.done) < self.count and not self.crossed and self.error is None:
                    self.condition.wait()
                if (error := self._failed()) is not None:
                    raise error
                # once crossed, what only the oldest-first walk saw is older than the runs from the top, else it is
                # in them
                rest = [
                    *(reversed(self.oldest.items) if self.crossed else []),
                    *(x for run in self.runs.values() for x in run),
                ]
            for item in rest:
                key = item.get("id")
                if id(item) not in emitted and (key is None or key not in emitted):
                    emitted.update((key, id(item)))
                    yield item
        finally:
            self.stopped = True
