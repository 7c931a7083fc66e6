"""The real `assistplan` command run as a child process, with its peak memory measured and its time guarded."""

from __future__ import annotations

import os
import resource
import socket
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

PEAK_FILE_ENV = "ASSISTPLAN_TEST_PEAK_FILE"
SAFETY_ADDRESS_SPACE = 4 * 1024**3
"""A ceiling for the child's address space, so that a runaway case fails instead of exhausting the machine."""
CPU_SECONDS = 10
"""A ceiling for the child's processor time (the kernel kills it past it): far above the second or less a
refusal costs, so that a runaway case fails however loaded the machine is, since waiting for a processor costs none."""
HANG_GUARD_SECONDS = 120
"""How long a child may run, in wall-clock time, before it is stopped and its case fails as hanging (blocked without
using the processor): far above the second or so a refusal takes even on a loaded machine, so it never measures the
machine's speed."""
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
    peak_mb: float


def _limit_the_child() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (SAFETY_ADDRESS_SPACE, SAFETY_ADDRESS_SPACE))
    resource.setrlimit(resource.RLIMIT_CPU, (CPU_SECONDS, CPU_SECONDS))


def run_cli(root: Path, *args: str, env: dict[str, str] | None = None) -> Run:
    """`assistplan --chdir ROOT ARGS...` in a child process; `subprocess.TimeoutExpired` if it hangs."""
    with tempfile.NamedTemporaryFile(prefix="assistplan-peak-") as peak_file:
        process = subprocess.run(
            [sys.executable, "-c", CLI, "--chdir", str(root), *args],
            capture_output=True,
            env={**os.environ, **(env or {}), PEAK_FILE_ENV: peak_file.name, "NO_COLOR": "1"},
            timeout=HANG_GUARD_SECONDS,
            preexec_fn=_limit_the_child,
            check=False,
        )
        peak_kb = Path(peak_file.name).read_text().strip()
    return Run(
        process.returncode,
        process.stdout.decode(errors="replace"),
        process.stderr.decode(errors="replace"),
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
