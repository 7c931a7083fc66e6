"""A real Flowise 3.1.4 for the tests: found in its install folder, started on a free loopback port with every folder
it writes in a scratch directory, bootstrapped (account, login, API key) and stopped afterwards.

assistplan talks to it with the API key, as it does in use. The tests' own look-ups and clean-ups (`client()`) go
through the owner's logged-in session, as Flowise's UI does: Flowise checks an API key with scrypt on every request
(tens of milliseconds of processor time each), and a session costs a signature check, so the tests' many reads and
deletes stay cheap without changing what assistplan is tested on."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

VERSION = "3.1.4"
INSTALL_HINT = "install it with `bash scripts/install-flowise.sh` (about 10 minutes, 3 GB)"
START_TIMEOUT = 120.0
EMAIL = "admin@example.com"
PASSWORD = "Passw0rd!x"
PERMISSIONS = [
    f"{area}:{verb}"
    for area in ("chatflows", "agentflows", "tools", "assistants", "credentials", "variables")
    for verb in ("view", "create", "update", "delete")
]


def install_home() -> Path:
    default = Path.home() / ".cache" / "assistplan" / f"flowise-{VERSION}"
    return Path(os.environ.get("ASSISTPLAN_FLOWISE_HOME") or default)


def entry_point(home: Path) -> Path | None:
    """Flowise's `bin/run` when the install script finished in `home`, else None."""
    run = home / "node_modules" / "flowise" / "bin" / "run"
    return run if (home / ".assistplan-installed").exists() and run.exists() else None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


SESSION_MINUTES = "1440"
"""How long the owner's login lasts (Flowise's default is 60 minutes): longer than any test session."""


@dataclass
class FlowiseServer:
    url: str
    api_key: str
    process: subprocess.Popen[bytes]
    log: Path
    session: httpx.Cookies = field(default_factory=httpx.Cookies)

    def client(self) -> httpx.Client:
        """A client of the REST API logged in as the owner (the UI's session: cookies and the internal-request
        header), for the tests' look-ups and clean-ups."""
        return httpx.Client(
            base_url=self.url + "/api/v1", headers={"x-request-from": "internal"}, cookies=self.session, timeout=60
        )

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


def start(run: Path, scratch: Path, openai_base_url: str) -> FlowiseServer:
    """Start Flowise with its data in `scratch`, wait for /ping, and bootstrap an API key."""
    folders = {name: scratch / name for name in ("home", "database", "secrets", "logs", "blobs")}
    for folder in folders.values():
        folder.mkdir(parents=True, exist_ok=True)
    port = free_port()
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(folders["home"]),
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "DATABASE_TYPE": "sqlite",
        "DATABASE_PATH": str(folders["database"]),
        "SECRETKEY_PATH": str(folders["secrets"]),
        "LOG_PATH": str(folders["logs"]),
        "BLOB_STORAGE_PATH": str(folders["blobs"]),
        "OPENAI_BASE_URL": openai_base_url,
        "JWT_TOKEN_EXPIRY_IN_MINUTES": SESSION_MINUTES,
        "JWT_REFRESH_TOKEN_EXPIRY_IN_MINUTES": SESSION_MINUTES,
    }
    log = scratch / "flowise.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            ["node", str(run), "start"], env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    url = f"http://127.0.0.1:{port}"
    server = FlowiseServer(url, "", process, log)
    try:
        _wait_ready(url, process, log)
        server.api_key, server.session = _bootstrap(url)
    except BaseException:
        server.stop()
        raise
    return server


def _wait_ready(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"Flowise exited with {process.returncode}:\n{_tail(log)}")
        try:
            if httpx.get(url + "/api/v1/ping", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"Flowise did not answer /api/v1/ping within {START_TIMEOUT:.0f} s:\n{_tail(log)}")


def _bootstrap(url: str) -> tuple[str, httpx.Cookies]:
    """Register the owner (possible once), log in, and create an API key for the reconciler's permissions; the key and
    the login's session cookies."""
    with httpx.Client(base_url=url + "/api/v1", timeout=60) as client:
        user = {"name": "admin", "email": EMAIL, "credential": PASSWORD}
        _ok(client.post("/account/register", json={"user": user}))
        _ok(client.post("/auth/login", json={"email": EMAIL, "password": PASSWORD}))
        keys: Any = _ok(
            client.post(
                "/apikey",
                json={"keyName": "assistplan-tests", "permissions": PERMISSIONS},
                headers={"x-request-from": "internal"},
            )
        )
        session = httpx.Cookies(client.cookies)
    return str(next(k["apiKey"] for k in keys if k["keyName"] == "assistplan-tests")), session


def _ok(response: httpx.Response) -> Any:
    if not response.is_success:
        raise RuntimeError(
            f"{response.request.method} {response.request.url.path}: {response.status_code} {response.text}"
        )
    return response.json()


def _tail(log: Path) -> str:
    return "\n".join(log.read_text(errors="replace").splitlines()[-20:])
