"""The real `assistplan` command run as a child process, with its wall time and peak memory measured."""

from __future__ import annotations

import os
import resource
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

PEAK_FILE_ENV = "ASSISTPLAN_TEST_PEAK_FILE"
SAFETY_ADDRESS_SPACE = 4 * 1024**3
"""A ceiling for the child's address space, so that a runaway case fails instead of exhausting the machine."""
CLI = f"""
import atexit, os

def record_peak():
    # VmHWM: the peak RSS of this process alone
    status = open("/proc/self/status").read().split("VmHWM:")
    open(os.environ["{PEAK_FILE_ENV}"], "w").write(status[-1].split()[0] if len(status) == 2 else "")

atexit.register(record_peak)
from assistplan.cli import main
main()
"""


@dataclass(frozen=True)
class Run:
    exit_code: int
    stdout: str
    stderr: str
    seconds: float
    peak_mb: float


def _limit_address_space() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (SAFETY_ADDRESS_SPACE, SAFETY_ADDRESS_SPACE))


def run_cli(root: Path, *args: str, env: dict[str, str] | None = None) -> Run:
    """`assistplan --chdir ROOT ARGS...` in a child process."""
    with tempfile.NamedTemporaryFile(prefix="assistplan-peak-") as peak_file:
        started = time.monotonic()
        process = subprocess.run(
            [sys.executable, "-c", CLI, "--chdir", str(root), *args],
            capture_output=True,
            env={**os.environ, **(env or {}), PEAK_FILE_ENV: peak_file.name, "NO_COLOR": "1"},
            timeout=120,
            preexec_fn=_limit_address_space,
            check=False,
        )
        seconds = time.monotonic() - started
        peak_kb = Path(peak_file.name).read_text().strip()
    return Run(
        process.returncode,
        process.stdout.decode(errors="replace"),
        process.stderr.decode(errors="replace"),
        seconds,
        int(peak_kb) / 1024 if peak_kb else float("inf"),
    )


class Listener:
    """A loopback TCP port that counts the connections made to it: a provider address nothing may contact."""

    def __init__(self) -> None:
        self.socket = socket.socket()
        self.socket.bind(("127.0.0.1", 0))
        self.socket.listen(16)
        self.socket.setblocking(False)
        self.url = f"http://127.0.0.1:{self.socket.getsockname()[1]}"

    def connections(self) -> int:
        count = 0
        while True:
            try:
                connection, _ = self.socket.accept()
            except BlockingIOError:
                return count
            connection.close()
            count += 1

    def close(self) -> None:
        self.socket.close()
