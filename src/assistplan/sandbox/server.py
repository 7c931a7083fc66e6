"""Running the sandbox: in-process on an ephemeral loopback port (`start_in_process`, for the CLI and tests), or
standalone in the foreground (`serve`, behind `assistplan sandbox serve`). Both use uvicorn's h11 server.
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Any

import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

from assistplan.sandbox.app import PREFIX, TRANSPORT_KEY, create_app
from assistplan.sandbox.faults import FaultConfig, FaultInjector
from assistplan.sandbox.profiles import API_KEY as API_KEY
from assistplan.sandbox.profiles import DEFAULT
from assistplan.sandbox.routing import Settings
from assistplan.sandbox.store import Store
from assistplan.sandbox.triggers import Then, Trigger, Triggers, When

PROJECT_DB = Path(".assistplan") / "sandbox.sqlite3"
DEFAULT_INDEXING_DELAY = 0.1


class DroppableH11Protocol(H11Protocol):
    """uvicorn's h11 protocol, exposing each connection's transport to the app so a fault can drop it."""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        super().connection_made(transport)  # type: ignore[arg-type]
        self.app_state = {**self.app_state, TRANSPORT_KEY: transport}


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)  # TCP proto: asyncio then sets TCP_NODELAY
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


def _config(app: Any, *, log_level: str, access_log: bool, in_process: bool) -> uvicorn.Config:
    return uvicorn.Config(
        app,
        http=DroppableH11Protocol,
        lifespan="off",
        log_level=log_level,
        access_log=access_log,
        log_config=None if in_process else uvicorn.config.LOGGING_CONFIG,
        timeout_graceful_shutdown=2,
    )


def _faults(faults: FaultConfig | None, options: dict[str, Any]) -> FaultConfig:
    if faults is not None and options:
        raise TypeError("pass either a FaultConfig or fault options, not both")
    return faults if faults is not None else FaultConfig(**options)


class SandboxServer:
    """A sandbox running on a background thread. Use as a context manager, or call `stop()`."""

    def __init__(self, store: Store, injector: FaultInjector, settings: Settings, host: str, port: int) -> None:
        self.store = store
        self.injector = injector
        self.settings = settings
        self.triggers = Triggers()
        self._socket = _bind(host, port)
        bound_host, bound_port = self._socket.getsockname()[:2]
        self.url = f"http://{bound_host if ':' not in bound_host else f'[{bound_host}]'}:{bound_port}"
        self.base_url = self.url + PREFIX
        self._server = uvicorn.Server(
            _config(
                create_app(store, injector, settings, self.triggers),
                log_level="warning",
                access_log=False,
                in_process=True,
            )
        )
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [self._socket]}, name="assistplan-sandbox", daemon=True
        )

    def start(self, timeout: float = 10.0) -> SandboxServer:
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("the sandbox server did not start")
            time.sleep(0.002)
        return self

    def stop(self) -> None:
        """Stop serving, wait for the server thread, and close the database."""
        self._server.should_exit = True
        if self._thread.is_alive():
            self._thread.join(timeout=10)
        self._socket.close()
        self.store.close()

    def __enter__(self) -> SandboxServer:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.stop()

    @property
    def counters(self) -> dict[str, int]:
        """Requests per route key, e.g. `{"POST /assistants": 2}`."""
        return self.injector.counters()

    def count(self, route_key: str) -> int:
        return self.injector.counters().get(route_key, 0)

    def reset_counters(self) -> None:
        self.injector.reset_counters()

    def set_faults(self, faults: FaultConfig | None = None, **options: Any) -> None:
        """Replace the fault config: a FaultConfig, or its fields as keywords; nothing clears all faults."""
        self.injector.configure(_faults(faults, options))

    def on_request(
        self,
        n: int,
        action: Callable[[], None],
        *,
        route: str | None = None,
        when: When,
        then: Then = "drop",
    ) -> Trigger:
        """Run `action` when the `n`th request from now (of `route`, e.g. `"POST /agents"`, or of any) arrives.

        `when="before"`: before the handler runs; `"after"`: once it has committed, before the response is sent.
        Then the connection is dropped (`then="drop"`) or answered as usual (`then="answer"`). See `triggers`.
        """
        return self.triggers.add(n, action, route=route, when=when, then=then)

    def reset(self) -> None:
        """Forget every object and file, reset counters, clear faults and triggers."""
        self.store.clear()
        self.injector.reset_counters()
        self.injector.configure(FaultConfig())
        self.triggers.clear()


def start_in_process(
    db_path: str | Path | None = None,
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    indexing_delay: float = DEFAULT_INDEXING_DELAY,
    profile: str = DEFAULT,
    faults: FaultConfig | None = None,
    **fault_options: Any,
) -> SandboxServer:
    """Start a sandbox on a background thread (an ephemeral loopback port by default) and wait until it serves.

    `db_path=None` keeps the data in memory. `profile` is one of `profiles.PROFILES`. Faults come as a `FaultConfig`
    or as its fields (`latency_ms=`, `rate=`, `modes=`, `seed=`, `routes=`, ...).
    """
    injector = FaultInjector(_faults(faults, fault_options))
    settings = Settings(indexing_delay=indexing_delay, profile=profile)
    server = SandboxServer(Store(db_path), injector, settings, host, port)
    return server.start()


def start_for_project(root: str | Path, **options: Any) -> SandboxServer:
    """The sandbox behind `openai.base_url: sandbox`: data in `<root>/.assistplan/sandbox.sqlite3`."""
    return start_in_process(Path(root) / PROJECT_DB, **options)


def serve(
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    db_path: str | Path | None = None,
    indexing_delay: float = DEFAULT_INDEXING_DELAY,
    profile: str = DEFAULT,
    faults: FaultConfig | None = None,
    on_ready: Callable[[str], None] | None = None,
    log_level: str = "info",
) -> None:
    """Serve in the foreground until interrupted; `on_ready` gets the base URL (with `/v1`) once bound."""
    settings = Settings(indexing_delay=indexing_delay, profile=profile)
    store = Store(db_path)
    app = create_app(store, FaultInjector(faults or FaultConfig()), settings)
    sock = _bind(host, port)
    bound_host, bound_port = sock.getsockname()[:2]
    if on_ready is not None:
        on_ready(f"http://{bound_host if ':' not in bound_host else f'[{bound_host}]'}:{bound_port}{PREFIX}")
    try:
        uvicorn.Server(_config(app, log_level=log_level, access_log=True, in_process=False)).run(sockets=[sock])
    finally:
        sock.close()
        store.close()
