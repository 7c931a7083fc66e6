"""Listings shared by the projects planned in one run (`plan --projects`): each collection of each account is read
once, whichever project asks first, and every other project reads the same objects from memory.

Which account a project's connection reaches, and which of its reads list a whole collection, is the provider's to
say (`assistplan.providers.Sharing`): projects whose accounts differ never share a listing, and a provider whose
account is None shares nothing. Only the reads made for no single resource are shared: a collection walked page by
page (`list_objects` with no address) or read in one answer (`get` with no address); a project's reads of its own
objects by id (`assistplan.providers.listing`) go to the API as when it is planned alone. A listing is walked lazily
and shared as it goes: a project that stops early (its objects are read by id instead) leaves the pages walked so far
to the others, and the next project to need more walks on from there. Each object is kept with how deep the walk was
(in rounds) when it came, and every project reading it is told that depth as it passes it, so each one weighs the
shared listing against its reads by id as it would weigh a listing of its own. The shared walk starts from no known
ids (each project knows others), so it may go deeper than a project's own listing from the ids its state records.
Each project gets its own copy of every object, so what one project's refresh does with an object never reaches
another.

The listings are read through one connection per account that this module owns, opened from the settings of the
first project that reaches the account and closed by `SharedListings.close` at the end of the run, which also stops the
walks no project took to their end (a walk from both ends goes on in a thread of its own until then): each project's
own connection serves only that project and can be closed as soon as it is planned. The wrappers are meant for a run
that only reads: a listing is never read again, so a change made during the run would not be seen.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable, Generator, Hashable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistplan.providers import Account, Connector, Provider, Sharing, default_sharing
from assistplan.providers.paging import Reached

if TYPE_CHECKING:
    from assistplan.manifest.models import ProjectConfig


class ListingClosed(RuntimeError):
    """A shared listing was read after the run closed its listings."""


class SharedListings:
    """The listings of one run, by account and collection, the connection of each account that reads them, and the
    connectors whose providers read through them."""

    def __init__(self, sharing: Mapping[str, Sharing] | None = None) -> None:
        self._sharing = default_sharing() if sharing is None else dict(sharing)
        self._lock = threading.Lock()
        self._listings: dict[Hashable, _Listing] = {}
        self._values: dict[Hashable, _Value] = {}
        self._readers: dict[Account, _Reader] = {}

    def connectors(self, connectors: Mapping[str, Connector]) -> dict[str, Connector]:
        """`connectors` with the providers they open reading their collections through these listings (a provider
        that declares no sharing is left as it is)."""
        return {name: self._shared(name, connect) for name, connect in connectors.items()}

    def listing(
        self, key: Hashable, start: Callable[[Reached], Iterator[dict[str, Any]]], reached: Reached | None = None
    ) -> Iterator[dict[str, Any]]:
        """The objects of the collection `key`, walked by `start(...)` the first time any project asks for it;
        `reached` is told the walk's depth as the objects it had reached by then are passed."""
        with self._lock:
            listing = self._listings.setdefault(key, _Listing(start))
        told = 0
        for item, depth in listing:
            if reached is not None and depth > told:
                told = depth
                reached(depth)
            yield copy.deepcopy(item)

    def value(self, key: Hashable, read: Callable[[], Any]) -> Any:
        """The answer of `read()` for the collection `key`, read the first time any project asks for it."""
        with self._lock:
            value = self._values.setdefault(key, _Value(read))
        return copy.deepcopy(value.get())

    def close(self) -> None:
        """Stop the walks no project took to their end, and close the connections that read the listings (the
        projects' own are theirs to close)."""
        with self._lock:
            listings = list(self._listings.values())
            readers = list(self._readers.values())
            self._readers.clear()
        for listing in listings:
            listing.close()
        for reader in readers:
            reader.close()

    def _reader(self, account: Account, connect: Callable[[], Provider]) -> _Reader:
        with self._lock:
            return self._readers.setdefault(account, _Reader(connect))

    def _shared(self, name: str, connect: Connector) -> Connector:
        sharing = self._sharing.get(name)
        if sharing is None:
            return connect
        wrapper = _SharedPages if sharing.reads == "pages" else _SharedGets

        def open_shared(config: ProjectConfig, root: Path) -> Provider:
            provider = connect(config, root)
            account = sharing.account(config, root)
            if account is None:
                return provider
            reader = self._reader(account, lambda: connect(config, root))
            return wrapper(provider, self, account, reader)

        return open_shared


class _Reader:
    """The connection of one account that walks its shared listings, opened on first use."""

    def __init__(self, connect: Callable[[], Provider]) -> None:
        self._connect = connect
        self._provider: Provider | None = None
        self._lock = threading.Lock()

    def provider(self) -> Any:
        with self._lock:
            if self._provider is None:
                self._provider = self._connect()
            return self._provider

    def close(self) -> None:
        with self._lock:
            provider, self._provider = self._provider, None
        if provider is not None:
            provider.close()


class _Listing:
    """One collection walked once, lazily: every reader sees the objects in order, each with the walk's depth when it
    came, and the reader that needs an object not yet walked walks the source on (one reader at a time). An error
    ends the listing for every reader."""

    def __init__(self, start: Callable[[Reached], Iterator[dict[str, Any]]]) -> None:
        self._start = start
        self._source: Iterator[dict[str, Any]] | None = None
        self._items: list[tuple[dict[str, Any], int]] = []
        self._depth = 0
        self._depth_lock = threading.Lock()  # told from the walk's threads, while a reader may hold `_lock`
        self._done = False
        self._error: BaseException | None = None
        self._lock = threading.Lock()

    def close(self) -> None:
        """Stop the walk if it has not ended: a walk from both ends goes on in its own thread until it is closed."""
        with self._lock:
            source, self._source = self._source, None
            if not self._done and self._error is None:
                self._error = ListingClosed("the run's shared listings were closed")
        if isinstance(source, Generator):
            source.close()

    def _reached(self, depth: int) -> None:
        with self._depth_lock:
            self._depth = max(self._depth, depth)

    def __iter__(self) -> Iterator[tuple[dict[str, Any], int]]:
        index = 0
        while True:
            if index < len(self._items):
                yield self._items[index]
                index += 1
                continue
            with self._lock:
                if index < len(self._items):
                    continue
                if self._error is not None:
                    raise self._error
                if self._done:
                    return
                if self._source is None:
                    self._source = self._start(self._reached)
                try:
                    item = next(self._source)
                    with self._depth_lock:
                        depth = self._depth
                    self._items.append((item, depth))
                except StopIteration:
                    self._done = True
                except Exception as error:
                    self._error = error
                    raise


class _Value:
    """One collection read once; an error is every reader's."""

    def __init__(self, read: Callable[[], Any]) -> None:
        self._read = read
        self._lock = threading.Lock()
        self._read_yet = False
        self._value: Any = None
        self._error: Exception | None = None

    def get(self) -> Any:
        with self._lock:
            if not self._read_yet:
                try:
                    self._value = self._read()
                except Exception as error:
                    self._error = error
                self._read_yet = True
        if self._error is not None:
            raise self._error
        return self._value


class _Shared:
    """A project's provider whose collection reads go through the run's listings, walked by the account's reader;
    everything else is the project's own provider's."""

    def __init__(self, provider: Any, listings: SharedListings, account: Account, reader: _Reader) -> None:
        self._provider = provider
        self._listings = listings
        self._account = account
        self._reader = reader

    def __getattr__(self, name: str) -> Any:
        return getattr(self._provider, name)

    def close(self) -> None:
        self._provider.close()


class _SharedPages(_Shared):
    """A provider whose collections are walked page by page with no address (`list_objects`): those are shared."""

    def list_objects(
        self,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        address: str | None,
        operation: str,
        known: Sequence[str] = (),
        parallelism: int = 2,
        reached: Reached | None = None,
    ) -> Iterator[dict[str, Any]]:
        """A listing of the account, shared by the projects that ask for it: it is walked without `known` ids (each
        project knows others), `parallelism` as the first project to ask says; a project's own look-ups are its
        own."""
        if address is not None:
            mine: Iterator[dict[str, Any]] = self._provider.list_objects(
                path, params=params, address=address, operation=operation
            )
            return mine

        def start(walked: Reached) -> Iterator[dict[str, Any]]:
            listed: Iterator[dict[str, Any]] = self._reader.provider().list_objects(
                path, params=params, address=None, operation=operation, parallelism=parallelism, reached=walked
            )
            return listed

        key = (self._account, path, tuple(sorted((params or {}).items())))
        return self._listings.listing(key, start, reached)


class _SharedGets(_Shared):
    """A provider whose collections are read in one answer with no address (`get`): those are shared."""

    def get(self, path: str, *, address: str | None, operation: str) -> Any:
        if address is not None:
            return self._provider.get(path, address=address, operation=operation)
        return self._listings.value(
            (self._account, path), lambda: self._reader.provider().get(path, address=None, operation=operation)
        )
