"""Listings shared by the projects planned in one run (`plan --projects`): each collection of each account is read
once, whichever project asks first, and every other project reads the same objects from memory.

An account is what a connection reaches with its credentials: the provider, its URL (for the embedded sandbox, the
database of its manifest root), the OpenAI organization and project headers, and a hash of the key (never the key).
Projects that differ in any of these never share a listing. Only the reads made for no single resource are shared:
an OpenAI collection walked page by page (`list_objects` with no address) and a Flowise collection (`get` with no
address); a project's reads of its own objects by id (`assistplan.providers.listing`) go to the API as when it is
planned alone. A listing is walked lazily and shared as it goes: a project that stops early (its objects are read by
id instead) leaves the pages walked so far to the others, and the next project to need more walks on from there. Each
project gets its own copy of every object, so what one project's refresh does with an object never reaches another.
The wrappers are meant for a run that only reads: a listing is never read again, so a change made during the run
would not be seen.
"""

from __future__ import annotations

import copy
import hashlib
import os
import threading
from collections.abc import Callable, Hashable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistplan.providers import Connector, Provider

if TYPE_CHECKING:
    from assistplan.manifest.models import ProjectConfig

Account = tuple[str, ...]
"""What identifies an account: the provider's name, where it is, and a hash of the key."""


class SharedListings:
    """The listings of one run, by account and collection, and the connectors whose providers read through them."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._listings: dict[Hashable, _Listing] = {}
        self._values: dict[Hashable, _Value] = {}

    def connectors(self, connectors: Mapping[str, Connector]) -> dict[str, Connector]:
        """`connectors` with the providers they open reading their collections through these listings (a provider
        this module does not know is left as it is)."""
        return {name: self._sharing(name, connect) for name, connect in connectors.items()}

    def listing(self, key: Hashable, start: Callable[[], Iterator[dict[str, Any]]]) -> Iterator[dict[str, Any]]:
        """The objects of the collection `key`, walked by `start()` the first time any project asks for it."""
        with self._lock:
            listing = self._listings.setdefault(key, _Listing(start))
        for item in listing:
            yield copy.deepcopy(item)

    def value(self, key: Hashable, read: Callable[[], Any]) -> Any:
        """The answer of `read()` for the collection `key`, read the first time any project asks for it."""
        with self._lock:
            value = self._values.setdefault(key, _Value(read))
        return copy.deepcopy(value.get())

    def _sharing(self, name: str, connect: Connector) -> Connector:
        wrapper = _WRAPPERS.get(name)
        if wrapper is None:
            return connect

        def open_shared(config: ProjectConfig, root: Path) -> Provider:
            provider = connect(config, root)
            return wrapper(provider, self, account(name, config, root))

        return open_shared


def account(provider: str, config: ProjectConfig, root: Path) -> Account:
    """The account a project's `provider` connection reaches, with a hash of its key standing for the key."""
    if provider == "openai":
        from assistplan.providers.openai import SANDBOX, resolve_base_url

        settings = config.openai
        if settings.base_url == SANDBOX:
            where = f"sandbox:{(root / '.assistplan' / 'sandbox.sqlite3').resolve()}"
        else:
            where = resolve_base_url(settings.base_url).rstrip("/")
        headers = (os.environ.get("OPENAI_ORG_ID", ""), os.environ.get("OPENAI_PROJECT_ID", ""))
        return (provider, where, *headers, _key_hash(settings.api_key_env))
    if config.flowise is None:
        return (provider, str(root.resolve()))
    return (provider, config.flowise.url.rstrip("/"), _key_hash(config.flowise.api_key_env))


def _key_hash(variable: str) -> str:
    return hashlib.sha256(os.environ.get(variable, "").encode()).hexdigest()


class _Listing:
    """One collection walked once, lazily: every reader sees the objects in order, and the reader that needs an
    object not yet walked walks the source on (one reader at a time). An error ends the listing for every reader."""

    def __init__(self, start: Callable[[], Iterator[dict[str, Any]]]) -> None:
        self._start = start
        self._source: Iterator[dict[str, Any]] | None = None
        self._items: list[dict[str, Any]] = []
        self._done = False
        self._error: BaseException | None = None
        self._lock = threading.Lock()

    def __iter__(self) -> Iterator[dict[str, Any]]:
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
                    self._source = self._start()
                try:
                    self._items.append(next(self._source))
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
    """A provider whose collection reads go through the run's listings; everything else is the provider's own."""

    def __init__(self, provider: Any, listings: SharedListings, account: Account) -> None:
        self._provider = provider
        self._listings = listings
        self._account = account

    def __getattr__(self, name: str) -> Any:
        return getattr(self._provider, name)

    def close(self) -> None:
        self._provider.close()


class _SharedPages(_Shared):
    """An OpenAI provider: its collections walked page by page with no address (`list_objects`) are shared."""

    def list_objects(
        self, path: str, *, params: Mapping[str, str] | None = None, address: str | None, operation: str
    ) -> Iterator[dict[str, Any]]:
        def start() -> Iterator[dict[str, Any]]:
            listed: Iterator[dict[str, Any]] = self._provider.list_objects(
                path, params=params, address=address, operation=operation
            )
            return listed

        if address is not None:
            return start()
        key = (self._account, path, tuple(sorted((params or {}).items())))
        return self._listings.listing(key, start)


class _SharedGets(_Shared):
    """A Flowise provider: its collections read with no address (`get`) are shared."""

    def get(self, path: str, *, address: str | None, operation: str) -> Any:
        def read() -> Any:
            return self._provider.get(path, address=address, operation=operation)

        if address is not None:
            return read()
        return self._listings.value((self._account, path), read)


_WRAPPERS: dict[str, Callable[[Any, SharedListings, Account], Provider]] = {
    "openai": _SharedPages,
    "flowise": _SharedGets,
}
"""The wrapper of each provider whose collection reads can be shared, by the provider's name."""
