"""Provider clients: how assistplan reaches each remote API, and the connectors that open them from a project's
settings. A `Workspace` is given its connectors (tests give their own); `default_connectors` are the real ones.

While a provider waits to try a connection again it says so through `notice` (the command prints it on standard
error, see `report_notices`); the connect timeout and the retries of a connection that cannot be made are here too.

Each provider also says here how projects planned in one run may share its collection reads (`default_sharing`, used
by `assistplan.providers.sharing`): which account a project's settings reach, and which of its reads list a whole
collection.
"""

from __future__ import annotations

import contextvars
import hashlib
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal, Protocol

from assistplan.errors import AssistplanError

CONNECT_TIMEOUT = 5.0
"""Seconds to wait for a connection to a server; reading its answer may take longer (each provider's TIMEOUT)."""
CONNECT_RETRIES = 3
"""How many times a request whose connection could not be made is tried again, with a notice each time."""

_reporters: list[Callable[[str], None]] = []
_stopping_servers = contextvars.ContextVar("stopping_servers", default=False)
_speaking = threading.local()

if TYPE_CHECKING:
    from assistplan.manifest.models import ProjectConfig
    from assistplan.providers.flowise import FlowiseApi
    from assistplan.providers.openai import OpenAIApi


class Provider(Protocol):
    """An open connection to one remote API."""

    def close(self) -> None: ...


Connector = Callable[["ProjectConfig", Path], Provider]
"""Opens a provider from the project's settings (`assistplan.yaml`) and its manifest root."""


Account = tuple[str, ...]
"""What identifies an account: the provider's name, where it is, and a hash of the key (never the key)."""


@dataclass(frozen=True)
class Sharing:
    """How the projects of one run may share a provider's collection reads.

    `account` names the account a project's settings reach (None: its reads are never shared, as for a server only
    that project's root uses). `reads` says which reads list a whole collection: `pages`, a collection walked page by
    page (`list_objects(path, params=..., address=None, operation=...)`), or `gets`, a collection read in one answer
    (`get(path, address=None, operation=...)`).
    """

    account: Callable[[ProjectConfig, Path], Account | None]
    reads: Literal["pages", "gets"]


def key_hash(variable: str) -> str:
    """A hash of the key in the environment variable `variable`, to tell accounts apart without the key."""
    return hashlib.sha256(os.environ.get(variable, "").encode()).hexdigest()


@contextmanager
def stopping_servers() -> Iterator[None]:
    """Within this block (in this thread), closing a provider stops what it started (an embedded server) even when
    the process is about to end and would leave it running: for a run that opens many projects one after another."""
    token = _stopping_servers.set(True)
    try:
        yield
    finally:
        _stopping_servers.reset(token)


def servers_stop_on_close() -> bool:
    """Whether a provider closed now must stop what it started (see `stopping_servers`)."""
    return _stopping_servers.get()


def report_notices(reporter: Callable[[str], None]) -> None:
    """From now on, send the providers' notices (one line each, such as a retry) to `reporter` instead of the last
    one given."""
    _reporters[:] = [reporter]


def notice(message: str) -> None:
    """Tell the person running the command what a provider is doing while they wait (nothing when no one listens);
    within `notices_for(NAME)`, the line starts with `NAME: `."""
    name = getattr(_speaking, "name", None)
    for reporter in list(_reporters):
        reporter(f"{name}: {message}" if name else message)


@contextmanager
def notices_for(name: str) -> Iterator[None]:
    """Within this block (in this thread), the providers' notices name `name` (the project they concern, when a run
    plans several)."""
    previous = getattr(_speaking, "name", None)
    _speaking.name = name
    try:
        yield
    finally:
        _speaking.name = previous


def connect_delay(retry: int) -> float:
    """Seconds before retry `retry` (1-based) of a connection that could not be made: 0.25, 0.5, then 1."""
    return float(min(0.25 * 2 ** (retry - 1), 1.0))


def retrying_connection(url: str, retry: int) -> None:
    """The notice for retry `retry` (1-based) of a request to `url` whose connection could not be made."""
    from assistplan.redact import scrub

    notice(scrub(f"could not connect to {url}, retrying ({retry}/{CONNECT_RETRIES})…"))


def display_url(url: str) -> str:
    """`url` as messages show it: without a user name or password, even when it is no valid URL (what follows `//`
    up to the first `/`, `?` or `#` is the user info and host; everything up to its last `@` is left out)."""
    start, slashes, rest = url.partition("//")
    end = min((at for at in map(rest.find, "/?#") if at >= 0), default=len(rest))
    if not slashes or "@" not in rest[:end]:
        return url
    return f"{start}{slashes}{rest[:end].rpartition('@')[2]}{rest[end:]}"


def connection_failure(exc: Exception) -> str:
    """Why a connection could not be made, in a few words: refused, timed out, or the transport's own message."""
    import httpx

    from assistplan.redact import scrub

    if isinstance(exc, httpx.ConnectTimeout):
        return f"no answer within {CONNECT_TIMEOUT:g} s"
    text = str(exc)
    if "refused" in text.lower():
        return "connection refused"
    return scrub(text) or type(exc).__name__


def connect_openai(config: ProjectConfig, root: Path) -> OpenAIApi:
    from assistplan.providers.openai import connect

    return connect(base_url=config.openai.base_url, api_key_env=config.openai.api_key_env, root=root)


def connect_flowise(config: ProjectConfig, root: Path) -> FlowiseApi:
    from assistplan.providers.flowise import connect

    if config.flowise is None:
        raise AssistplanError('the state records Flowise objects but assistplan.yaml has no "flowise" section')
    return connect(url=config.flowise.url, api_key_env=config.flowise.api_key_env)


def openai_account(config: ProjectConfig, root: Path) -> Account | None:
    """The account of a project's `openai:` settings: the URL, the organization and project headers, the key's hash;
    None for the embedded sandbox, which only the environments of its own root reach."""
    from assistplan.providers.openai import SANDBOX, resolve_base_url

    settings = config.openai
    if settings.base_url == SANDBOX:
        return None
    where = resolve_base_url(settings.base_url).rstrip("/")
    headers = (os.environ.get("OPENAI_ORG_ID", ""), os.environ.get("OPENAI_PROJECT_ID", ""))
    return ("openai", where, *headers, key_hash(settings.api_key_env))


def flowise_account(config: ProjectConfig, root: Path) -> Account | None:
    """The account of a project's `flowise:` settings: the URL and the key's hash (None without the section)."""
    if config.flowise is None:
        return None
    return ("flowise", config.flowise.url.rstrip("/"), key_hash(config.flowise.api_key_env))


def preload_http() -> None:
    """Import the HTTP client every connection uses, ahead of the first one: httpx, and what its first request would
    import (httpcore with h11 for the connection pool, the IDNA codec for the host name)."""
    import encodings.idna  # noqa: F401

    import httpcore  # noqa: F401
    import httpx  # noqa: F401


def default_connectors() -> dict[str, Connector]:
    """Provider name (as kinds declare it) -> its connector."""
    return {"openai": connect_openai, "flowise": connect_flowise}


def default_sharing() -> dict[str, Sharing]:
    """Provider name -> how projects of one run share its collection reads."""
    return {"openai": Sharing(openai_account, "pages"), "flowise": Sharing(flowise_account, "gets")}
