"""Helpers shared by the benchmark scripts: the benchmark project, running the CLI as a measured child process, and
printing tables. Standard library only, so a script can measure any tree of assistplan without importing it.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

KEY_ENV = "ASSISTPLAN_BENCH_OPENAI_KEY"
PEAK_FILE_ENV = "ASSISTPLAN_BENCH_PEAK_FILE"
DOCUMENTS_ENV = "ASSISTPLAN_BENCH_MAX_DOCUMENTS"
AGENTS_PER_FILE = 1000  # a manifest file holds at most 1 MiB
# The peak RSS of a measured process: run_child puts this `sitecustomize` module on a PYTHONPATH entry of the run's
# own, so the interpreter imports it at startup whatever the command line (`-m assistplan` or `-c`). Its atexit
# function reads VmHWM, the peak RSS of this program alone (wait4's ru_maxrss also counts the parent it was started
# from). atexit functions run at a normal exit, and the CLI of a tree that ends the process with os._exit runs them
# before it does. A `sitecustomize` module further down the path, if there is one, still runs.
SITECUSTOMIZE = f"""
import atexit, os, sys


def _assistplan_bench_record_peak():
    if os.path.exists("/proc/self/status"):
        with open("/proc/self/status") as status:
            parts = status.read().split("VmHWM:")
        with open(os.environ["{PEAK_FILE_ENV}"], "w") as peak:
            peak.write(parts[-1].split()[0] if len(parts) == 2 else "")


if os.environ.get("{PEAK_FILE_ENV}"):
    atexit.register(_assistplan_bench_record_peak)

import importlib.machinery

_here = os.path.dirname(os.path.abspath(__file__))
_spec = importlib.machinery.PathFinder.find_spec(
    "sitecustomize", [entry for entry in sys.path if os.path.abspath(entry or ".") != _here]
)
if _spec is not None and _spec.loader is not None:
    import importlib.util

    _spec.loader.exec_module(importlib.util.module_from_spec(_spec))
"""
# How a tree without `assistplan/__main__.py` (5511773 and before) is started: its console script's function, called
# from `python -c`. A project of more manifest documents than such a tree's loader accepts is measured with the limit
# raised in the process (`DOCUMENTS_ENV`); a tree run with `-m` never has its limit raised.
CLI_FALLBACK_SNIPPET = f"""
import os
if os.environ.get("{DOCUMENTS_ENV}"):
    import assistplan.manifest.loader
    assistplan.manifest.loader.MAX_DOCUMENTS = int(os.environ["{DOCUMENTS_ENV}"])
from assistplan.cli import main
main()
"""
FUNCTION = """\
kind: Function
name: lookup_order
description: Look up an order by its number.
strict: true
parameters:
  type: object
  properties:
    order_id: {type: string}
  required: [order_id]
  additionalProperties: false
"""


def load_average() -> str:
    """The 1-minute load average: other work on the machine skews every figure."""
    return f"{os.getloadavg()[0]:.2f}" if hasattr(os, "getloadavg") else "n/a"


def parse_counts(text: str) -> list[int]:
    return [int(part) for part in text.split(",") if part.strip()]


def documents(agents: int, stores: int) -> int:
    """Manifest documents of a benchmark project: the agents, the vector stores and the Function."""
    return agents + stores + 1


def write_project(root: Path, name: str, base_url: str, agents: int, stores: int, files_per_store: int) -> None:
    """A manifest root: `agents` agents using one Function (at most AGENTS_PER_FILE in a file), `stores` vector
    stores of `files_per_store` files each."""
    root.mkdir(parents=True)
    (root / "assistplan.yaml").write_text(
        f"project: {name}\nopenai:\n  base_url: {base_url}\n  api_key_env: {KEY_ENV}\n", encoding="utf-8"
    )
    (root / "functions.yaml").write_text(FUNCTION, encoding="utf-8")
    agent_docs = [
        f"kind: Agent\nname: agent-{i:04d}\nmodel: gpt-5\ninstructions: You are benchmark agent {i}.\n"
        "tools:\n  - function: lookup_order\n"
        for i in range(agents)
    ]
    for start in range(0, agents, AGENTS_PER_FILE):
        chunk = agent_docs[start : start + AGENTS_PER_FILE]
        (root / f"agents-{start // AGENTS_PER_FILE:03d}.yaml").write_text("---\n".join(chunk), encoding="utf-8")
    if stores:
        store_docs = []
        for s in range(stores):
            folder = root / "docs" / f"store-{s:03d}"
            folder.mkdir(parents=True)
            for f in range(files_per_store):
                (folder / f"note-{f:02d}.md").write_text(f"# Note {s}.{f}\n\nBenchmark text {s}.{f}.\n", "utf-8")
            store_docs.append(f"kind: VectorStore\nname: store-{s:03d}\nfiles: [docs/store-{s:03d}/*.md]\n")
        (root / "stores.yaml").write_text("---\n".join(store_docs), encoding="utf-8")


# --- child processes -------------------------------------------------------------------------------------------------


@dataclass
class ChildRun:
    """One finished (or killed) child process. `cpu` is user + system time from wait4; `peak_rss_mb` is the VmHWM the
    `SITECUSTOMIZE` module writes as it exits (None when it was killed, or off Linux)."""

    exit_code: int
    output: str
    seconds: float
    cpu: float
    peak_rss_mb: float | None
    timed_out: bool = False


def cli_command(args: Sequence[str], module: bool = True) -> list[str]:
    """The command line that runs the CLI with `args` in a fresh Python process: `python -m assistplan`, as a user
    runs it (the same as the console script); with `module` false, for a tree without `assistplan/__main__.py`,
    `python -c` with a snippet that calls the console script's function (`CLI_FALLBACK_SNIPPET`)."""
    if module:
        return [sys.executable, "-m", "assistplan", *args]
    return [sys.executable, "-c", CLI_FALLBACK_SNIPPET, *args]


def run_child(
    argv: Sequence[str], env: Mapping[str, str], timeout: float | None = None, cwd: Path | None = None
) -> ChildRun:
    """Run `argv` in its own session, its output (stdout and stderr) in a temporary file; past `timeout` seconds the
    whole session is killed. The wall time ends when wait4 returns, in a thread, so it carries no polling delay. A
    Python child records its peak RSS through `SITECUSTOMIZE`, put first on its PYTHONPATH."""
    with tempfile.TemporaryDirectory(prefix="assistplan-bench-run-") as folder:
        output_path, peak_path = Path(folder) / "output", Path(folder) / "peak"
        hooks = Path(folder) / "hooks"
        hooks.mkdir()
        (hooks / "sitecustomize.py").write_text(SITECUSTOMIZE, encoding="utf-8")
        path = os.pathsep.join(part for part in (str(hooks), env.get("PYTHONPATH", "")) if part)
        with output_path.open("wb") as sink:
            started = time.perf_counter()
            process = subprocess.Popen(
                list(argv),
                stdin=subprocess.DEVNULL,
                stdout=sink,
                stderr=subprocess.STDOUT,
                env={**env, PEAK_FILE_ENV: str(peak_path), "PYTHONPATH": path},
                cwd=cwd,
                start_new_session=True,
            )
            ended: list[tuple[float, int, float]] = []
            done = threading.Event()

            def reap() -> None:
                _, status, usage = os.wait4(process.pid, 0)
                ended.append((time.perf_counter(), os.waitstatus_to_exitcode(status), usage.ru_utime + usage.ru_stime))
                done.set()

            # An Event, not Thread.join: a join interrupted by Ctrl-C can mark a thread that still runs as stopped
            threading.Thread(target=reap, name="assistplan-bench-reaper", daemon=True).start()
            try:
                done.wait(timeout)
            finally:
                timed_out = not done.is_set()
                if timed_out:  # past the timeout, or interrupted (Ctrl-C): kill the child and what it started
                    kill_session(process.pid)
                    done.wait()
            finished, exit_code, cpu = ended[0]
            process.returncode = exit_code  # reaped already: keep subprocess from waiting for it again
        peak_kb = peak_path.read_text().strip() if peak_path.exists() else ""
        output = output_path.read_text(encoding="utf-8", errors="replace")
    peak = int(peak_kb) / 1024 if peak_kb.isdigit() else None
    return ChildRun(exit_code, output, finished - started, cpu, None if timed_out else peak, timed_out)


def kill_session(pid: int) -> None:
    """SIGKILL the session (process group) that `pid` leads; nothing when it is gone."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)


def proc_cpu_seconds(stat: str) -> float | None:
    """CPU time (user + system) of a running process or thread from its /proc stat file (`/proc/PID/stat`,
    `/proc/self/task/TID/stat`); None where that is not available."""
    try:
        fields = Path(stat).read_text().rpartition(")")[2].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
