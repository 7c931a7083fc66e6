"""The engine at scale, every command a fresh process, optionally side by side with an earlier commit.

1. Apply N creates: a fresh project of N agents (each with instructions and one Function tool) is applied with
   `apply --auto-approve --parallelism P` at `--latency-ms` per request. Afterwards the sandbox must hold exactly N
   agents of the project, with no address twice, and `plan --detailed-exitcode` must exit 0. Beside the request
   floor the table shows "bare HTTP": the same N creates sent by P threads through one httpx client (the HTTP client
   under the engine) with nothing else around them, on the same empty sandbox: what the sandbox and the HTTP client
   alone take on this machine, the most an apply could come down to.
2. No-op plan: projects of 3 resources (two agents, a vector store of one file), `--agents` agents, and
   `--agents-with-stores` agents plus `--stores` vector stores of `--files-per-store` files are applied once with no
   latency by the current tree's CLI (setup, not measured), then `plan --detailed-exitcode` runs `--repeat` times at
   `--latency-ms` and must exit 0; the table shows medians.
3. A small project in a big account: `--account-agents` agents of other projects (10,000 at most each) and a project of
   `--project-agents` agents are applied (setup), then the project's no-op plan runs `--repeat` times with its state
   file (reads by id may race the listing) and without it (listings only), the calls split by route.

With `--bytecode`, each tree's modules are compiled to bytecode before anything is measured, as installing a package
does; without it, and with PYTHONDONTWRITEBYTECODE set, every command compiles the modules it imports.

Every measured command runs as its own process, started as a user starts the CLI (`python -m assistplan`; a tree
without assistplan/__main__.py runs its console script's function from `python -c`): wall time, CPU (user + system,
from wait4), peak RSS (VmHWM, read as the process exits) and the API calls the sandbox counted. The sandbox runs in
a process of its own (the current tree's code, data in memory, indexing instant), so its work does not share the GIL
with the command; the latency is set through its control API and added to every request. The current tree ("now") is
src/ as it is when the script starts, copied, so that edits made during a long run do not mix in. A project of more
manifest documents than a tree's loader accepts (5,000 at 5511773; 12,000 now) runs with that limit raised in the
measured process when the tree is started from `python -c`, and the table says so.

With `--baseline REV` the script checks REV out in a temporary git worktree and runs every measured command a second
time with that tree's code (PYTHONPATH=<worktree>/src, the same Python), printing both side by side; a baseline
command running longer than `--baseline-timeout` is killed and shown as "> N s". Nothing is asserted about time: the
targets are printed beside the figures. Linux (figures read from /proc show as n/a elsewhere).

    .venv/bin/python benchmarks/scale.py [--creates 1000,5000,10000] [--latency-ms 50] [--parallelism 8]
        [--agents 1000] [--agents-with-stores 5000] [--stores 100] [--files-per-store 2] [--account-agents 5000]
        [--project-agents 250] [--repeat 3] [--baseline REV] [--baseline-timeout 300] [--timeout SECONDS] [--quick]
        [--bytecode]
"""

from __future__ import annotations

import argparse
import compileall
import json
import math
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any, TypeVar

from benchlib import (
    DOCUMENTS_ENV,
    KEY_ENV,
    ChildRun,
    cli_command,
    documents,
    load_average,
    parse_counts,
    proc_cpu_seconds,
    run_child,
    write_project,
)

T = TypeVar("T")
BENCHMARKS = Path(__file__).resolve().parent
REPO = BENCHMARKS.parent
API_KEY = "sk-sandbox"
LABEL_PROJECT = "assistplan:project"
LABEL_ADDRESS = "assistplan:address"
STATE_FILE = Path(".assistplan") / "state.json"
APPLY_TARGET = 1.3  # wall within this many times the request floor
TINY_PLAN_TARGET = 0.5  # seconds, the project of 3 resources
PLAN_TARGETS = ((1000, 1.5), (5000, 3.0))  # (up to this many agents, seconds)
SETUP_PARALLELISM = 16
LIST_ROUTE, READ_ROUTE = "GET /agents", "GET /agents/{agent_id}"
PAGE = 100  # objects per listed page
PLAN_PARALLELISM = 10  # plan --parallelism's default
SANDBOX_SNIPPET = """
import sys
from assistplan.sandbox import start_in_process

server = start_in_process(indexing_delay=0.0)
print(server.url, flush=True)
sys.stdin.read()  # serve until the benchmark closes stdin (or exits)
server.stop()
"""
CHECK_IMPORT_SNIPPET = """
import assistplan, assistplan.cli, assistplan.manifest.loader
print(assistplan.__file__)
print(assistplan.manifest.loader.MAX_DOCUMENTS)
"""


BYTECODE_NOTE = (
    "none written ahead; with PYTHONDONTWRITEBYTECODE set (as here), every command compiles every module of "
    "assistplan it imports (--bytecode compiles them first, as installing a package does)"
)


class BenchError(Exception):
    """The benchmark cannot go on (the message says why)."""


def progress(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# --- the sandbox, in a process of its own -----------------------------------------------------------------------------


class Sandbox:
    """The current tree's sandbox in a child process: in-memory data, instant indexing, controlled over HTTP."""

    def __init__(self, src: Path, work: Path) -> None:
        self._log_path = work / "sandbox.log"
        self._log = self._log_path.open("wb")
        self.process = subprocess.Popen(
            [sys.executable, "-c", SANDBOX_SNIPPET],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._log,
            env=tree_env(src),
            start_new_session=True,  # Ctrl-C reaches the benchmark only, which then stops the sandbox itself
        )
        assert self.process.stdout is not None
        url = self.process.stdout.readline().decode().strip()
        if not url.startswith("http"):
            self.stop()
            raise BenchError(f"the sandbox did not start:\n{self.log_tail()}")
        self.url = url
        self.base_url = url + "/v1"

    def log_tail(self) -> str:
        return self._log_path.read_text(encoding="utf-8", errors="replace")[-3000:]

    def _request(
        self, method: str, url: str, body: dict[str, Any] | None = None, headers: Mapping[str, str] | None = None
    ) -> Any:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(url, data=data, method=method, headers=dict(headers or {}))
        if data is not None:
            request.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return json.loads(response.read() or b"{}")
        except (urllib.error.URLError, OSError) as error:
            raise BenchError(f"{method} {url} failed: {error}\n{self.log_tail()}") from error

    def control(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        return self._request(method, f"{self.url}/_sandbox/{path}", body)

    def reset(self) -> None:
        """Forget every object and file, the counters and the latency."""
        self.control("POST", "reset")

    def set_latency(self, latency_ms: float) -> None:
        self.control("POST", "faults", {"latency_ms": latency_ms})

    def reset_counters(self) -> None:
        self.control("DELETE", "counters")

    def counters(self) -> dict[str, int]:
        counters: dict[str, int] = self.control("GET", "counters")["counters"]
        return counters

    def cpu(self) -> float | None:
        return proc_cpu_seconds(f"/proc/{self.process.pid}/stat")

    def agents(self) -> list[dict[str, Any]]:
        """Every agent the sandbox holds, page by page (counted like any request: reset the counters after)."""
        headers = {"Authorization": f"Bearer {API_KEY}", "OpenAI-Beta": "agents=v1"}
        found: list[dict[str, Any]] = []
        after = ""
        while True:
            page = self._request("GET", f"{self.base_url}/agents?limit=100{after}", headers=headers)
            found.extend(page["data"])
            if not page.get("has_more") or not page["data"]:
                return found
            after = f"&after={page['last_id']}"

    def stop(self) -> None:
        if self.process.stdin is not None:
            self.process.stdin.close()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        if self.process.stdout is not None:
            self.process.stdout.close()
        self._log.close()


# --- the trees of code measured ---------------------------------------------------------------------------------------


def tree_env(src: Path) -> dict[str, str]:
    """The environment of a command run with the code of `src` (ahead of any installed assistplan)."""
    path = os.pathsep.join(part for part in (str(src), os.environ.get("PYTHONPATH", "")) if part)
    return {**os.environ, "PYTHONPATH": path, KEY_ENV: API_KEY}


@dataclass
class Tree:
    """A tree of assistplan source whose CLI is measured. `check` finds how it starts (`module`: `python -m
    assistplan`, else the `-c` fallback) and how many manifest documents its loader accepts."""

    label: str
    src: Path
    timeout: float | None
    module: bool = True
    max_documents: int = 0

    def env(self) -> dict[str, str]:
        return tree_env(self.src)

    @property
    def started_as(self) -> str:
        return "python -m assistplan" if self.module else "python -c 'from assistplan.cli import main; main()'"

    def check(self) -> None:
        """Compile the tree (so no run pays for it), check that its code, not an installed copy, is imported, and
        read how it starts and its loader's document limit."""
        compiled = subprocess.run(
            [sys.executable, "-m", "compileall", "-q", str(self.src)], capture_output=True, text=True, check=False
        )
        if compiled.returncode != 0:
            raise BenchError(f"{self.label}: compiling {self.src} failed:\n{compiled.stdout}{compiled.stderr}")
        found = subprocess.run(
            [sys.executable, "-c", CHECK_IMPORT_SNIPPET], capture_output=True, text=True, env=self.env(), check=False
        )
        lines = found.stdout.split()
        imported = Path(lines[0] if lines else ".").resolve()
        if found.returncode != 0 or len(lines) != 2 or not imported.is_relative_to(self.src.resolve()):
            raise BenchError(
                f"{self.label}: PYTHONPATH={self.src} imports assistplan from {lines[0] if lines else '?'}, "
                f"not from that tree:\n{found.stderr[-2000:]}"
            )
        self.max_documents = int(lines[1])
        self.module = (self.src / "assistplan" / "__main__.py").is_file()

    def raises_limit(self, project: Project) -> bool:
        """Whether the project has more manifest documents than this tree's loader accepts (then the `-c` fallback
        raises the limit in the measured process; a tree started with `-m` cannot have it raised)."""
        return project.documents > self.max_documents

    def cli(self, project: Project, *args: str) -> ChildRun:
        env = self.env()
        if self.raises_limit(project):
            if self.module:
                raise BenchError(
                    f"{self.label}: {project.name} has {project.documents:,} manifest documents, more than the "
                    f"{self.max_documents:,} its loader accepts"
                )
            env[DOCUMENTS_ENV] = str(project.documents)
        return run_child(cli_command(args, self.module), env, self.timeout, cwd=project.root)


@dataclass
class Project:
    """A benchmark project written to `root` (see benchlib.write_project)."""

    root: Path
    name: str
    documents: int

    @classmethod
    def write(cls, work: Path, name: str, base_url: str, agents: int, stores: int, files_per_store: int) -> Project:
        write_project(work / name, name, base_url, agents, stores, files_per_store)
        return cls(work / name, name, documents(agents, stores))

    @property
    def state(self) -> Path:
        return self.root / STATE_FILE

    def remove_state(self) -> None:
        """Remove the state file, its journal and its backup: the next command starts from the live labels."""
        for path in (self.state, *(self.state.with_name(self.state.name + end) for end in (".journal", ".backup"))):
            path.unlink(missing_ok=True)

    def restore_state(self, data: bytes) -> None:
        """Put the state file back as it was after the setup, with no journal beside it."""
        self.state.parent.mkdir(exist_ok=True)
        if not self.state.exists() or self.state.read_bytes() != data:
            self.state.write_bytes(data)
        self.state.with_name(self.state.name + ".journal").unlink(missing_ok=True)


@contextmanager
def worktree(rev: str) -> Iterator[tuple[str, Path]]:
    """A temporary detached worktree of the repository at `rev`, removed on exit (Ctrl-C included)."""
    resolved = subprocess.run(
        ["git", "-C", str(REPO), "rev-parse", "--verify", "--short", f"{rev}^{{commit}}"],
        capture_output=True,
        text=True,
        check=False,
    )
    if resolved.returncode != 0:
        raise BenchError(f"--baseline {rev}: not a commit of {REPO}: {resolved.stderr.strip()}")
    folder = Path(tempfile.mkdtemp(prefix="assistplan-bench-baseline-"))
    added = subprocess.run(
        ["git", "-C", str(REPO), "worktree", "add", "--detach", str(folder), rev],
        capture_output=True,
        text=True,
        check=False,
    )
    try:
        if added.returncode != 0:
            raise BenchError(f"git worktree add {rev} failed: {added.stderr.strip()}")
        if not (folder / "src" / "assistplan").is_dir():
            raise BenchError(f"{rev} has no src/assistplan")
        yield resolved.stdout.strip(), folder
    finally:
        removed = subprocess.run(
            ["git", "-C", str(REPO), "worktree", "remove", "--force", str(folder)], capture_output=True, check=False
        )
        if removed.returncode != 0:
            shutil.rmtree(folder, ignore_errors=True)
            subprocess.run(["git", "-C", str(REPO), "worktree", "prune"], capture_output=True, check=False)


def with_baseline(name: str, rev: str | None, run: Callable[[Path, tuple[str, Path] | None], None]) -> None:
    """`run(work, baseline)` with a temporary work folder and, given `rev`, a worktree of it (its short commit and
    folder), both removed at the end; a BenchError or Ctrl-C ends the program with a line naming `name`.py."""
    work = Path(tempfile.mkdtemp(prefix=f"assistplan-bench-{name}-"))
    try:
        if rev:
            with worktree(rev) as baseline:
                run(work, baseline)
        else:
            run(work, None)
    except BenchError as error:
        sys.exit(f"{name}.py: {error}")
    except KeyboardInterrupt:
        sys.exit(f"{name}.py: interrupted; the sandbox, temporary folders and worktree are removed")
    finally:
        shutil.rmtree(work, ignore_errors=True)


# --- measurements -----------------------------------------------------------------------------------------------------


@dataclass
class Measured:
    """One measured command of one tree: its run, the sandbox's work meanwhile, and what the checks found."""

    run: ChildRun
    routes: dict[str, int]
    sandbox_cpu: float | None
    problem: str | None = None

    @property
    def calls(self) -> int:
        return sum(self.routes.values())


@dataclass
class Bench:
    sandbox: Sandbox
    work: Path
    options: argparse.Namespace
    notes: list[str] = field(default_factory=list)

    def measure(self, tree: Tree, project: Project, *args: str) -> Measured:
        """Run the CLI of `tree` in `root` at the benchmark's latency, counting the sandbox's requests and CPU."""
        self.sandbox.set_latency(self.options.latency_ms)
        self.sandbox.reset_counters()
        before = self.sandbox.cpu()
        run = tree.cli(project, *args)
        after = self.sandbox.cpu()
        self.sandbox.set_latency(0)
        routes = self.sandbox.counters()
        cpu = after - before if before is not None and after is not None else None
        return Measured(run, routes, cpu)

    def setup(self, tree: Tree, project: Project) -> ChildRun:
        """Apply `project` with no latency (not measured): the CLI of `tree`, `--parallelism` SETUP_PARALLELISM."""
        self.sandbox.set_latency(0)
        return tree.cli(project, "apply", "--auto-approve", "--parallelism", str(SETUP_PARALLELISM))

    def note(self, measured: Measured, problem: str) -> None:
        """Attach a problem to a measurement; the table marks it, and the notes under it say what happened."""
        self.notes.append(problem)
        measured.problem = f"!{len(self.notes)}"

    def failed(self, measured: Measured, what: str, hint: str = "") -> bool:
        """Note a command that was killed or exited non-zero; True when it did. `hint` follows the exit code."""
        run = measured.run
        if run.timed_out:
            self.note(measured, f"{what}: killed after {run.seconds:.0f} s")
            return True
        if run.exit_code != 0:
            self.note(measured, f"{what}: exited with {run.exit_code}{hint}:\n{indent(run.output[-3000:])}")
            return True
        return False


def indent(text: str) -> str:
    return "\n".join("      " + line for line in text.rstrip().splitlines())


@dataclass
class ApplyRow:
    creates: int
    results: dict[str, Measured]
    bare_http: float


AGENT_BODY = {
    "model": "gpt-5",
    "instructions": "You are benchmark agent 0.",
    "tools": [
        {
            "type": "function",
            "name": "lookup_order",
            "description": "Look up an order by its number.",
            "parameters": {
                "type": "object",
                "properties": {"order_id": {"type": "string"}},
                "required": ["order_id"],
                "additionalProperties": False,
            },
            "defer_loading": False,
        }
    ],
    "metadata": {LABEL_PROJECT: "bare-http", LABEL_ADDRESS: "Agent/agent-0000", "assistplan:digest": "0" * 32},
}
"""An agent like those of the benchmark's projects, as an apply sends it (the labels' values aside)."""


def bare_http(bench: Bench, creates: int) -> float:
    """Seconds for `creates` agent creates sent by `--parallelism` threads through one httpx client, nothing else, at
    the benchmark's latency on an empty sandbox."""
    import threading

    import httpx

    bench.sandbox.reset()
    bench.sandbox.set_latency(bench.options.latency_ms)
    names = iter(range(creates))
    taking = threading.Lock()
    failures: list[str] = []
    headers = {"Authorization": f"Bearer {API_KEY}", "OpenAI-Beta": "agents=v1"}
    limits = httpx.Limits(max_connections=bench.options.parallelism)

    def send(client: httpx.Client) -> None:
        while True:
            with taking:
                index = next(names, None)
            if index is None or failures:
                return
            response = client.post("/agents", json={**AGENT_BODY, "name": f"agent-{index:04d}"})
            if response.status_code != 200:
                failures.append(f"{response.status_code} {response.text[:200]}")

    with httpx.Client(base_url=bench.sandbox.base_url, headers=headers, limits=limits, timeout=60) as client:
        threads = [threading.Thread(target=send, args=(client,)) for _ in range(bench.options.parallelism)]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        seconds = time.perf_counter() - started
    bench.sandbox.set_latency(0)
    bench.sandbox.reset()
    if failures:
        raise BenchError(f"bare HTTP creates failed: {failures[0]}")
    return seconds


def bench_apply(bench: Bench, trees: list[Tree], creates: int) -> ApplyRow:
    """Apply `creates` agents of a fresh project with each tree, on an empty sandbox, then check the outcome."""
    options = bench.options
    results: dict[str, Measured] = {}
    progress(f"bare HTTP: {creates} creates")
    bare = bare_http(bench, creates)
    for index, tree in enumerate(trees):
        project = Project.write(bench.work, f"scale-apply-{creates}-{index}", bench.sandbox.base_url, creates, 0, 0)
        bench.sandbox.reset()
        progress(f"{tree.label}: applying {creates} creates")
        measured = bench.measure(tree, project, "apply", "--auto-approve", "--parallelism", str(options.parallelism))
        results[tree.label] = measured
        if not bench.failed(measured, f"{tree.label}, applying {creates} creates"):
            check_apply(bench, tree, project, creates, measured)
        shutil.rmtree(project.root, ignore_errors=True)
    return ApplyRow(creates, results, bare)


def check_apply(bench: Bench, tree: Tree, project: Project, creates: int, measured: Measured) -> None:
    """The sandbox holds exactly `creates` agents of the project, no address twice, and a plan then is a no-op."""
    what = f"{tree.label}, after applying {creates} creates"
    agents = bench.sandbox.agents()
    owned = [agent for agent in agents if (agent.get("metadata") or {}).get(LABEL_PROJECT) == project.name]
    addresses = {agent["metadata"].get(LABEL_ADDRESS) for agent in owned}
    if len(owned) != creates or len(addresses) != creates:
        bench.note(
            measured,
            f"{what}: the sandbox holds {len(owned)} agents of the project at {len(addresses)} addresses "
            f"(expected {creates} at {creates})",
        )
        return
    progress(f"{tree.label}: plan after the apply (no latency)")
    plan = tree.cli(project, "plan", "--detailed-exitcode")
    if plan.timed_out or plan.exit_code != 0:
        verdict = f"was killed after {plan.seconds:.0f} s" if plan.timed_out else f"exited with {plan.exit_code}"
        bench.note(measured, f"{what}: plan --detailed-exitcode {verdict} (0 expected):\n{indent(plan.output[-3000:])}")


@dataclass
class PlanSize:
    label: str
    agents: int
    stores: int
    files_per_store: int
    target: float | None


def plan_projects(options: argparse.Namespace) -> list[PlanSize]:
    """The projects of the no-op plan: 3 resources (two agents, a vector store of one file), then the sizes asked
    for."""
    projects = [PlanSize("3 resources", 2, 1, 1, TINY_PLAN_TARGET)]
    for agents in options.agents:
        projects.append(PlanSize(f"{agents:,} agents", agents, 0, 0, plan_target(agents)))
    if options.agents_with_stores:
        agents, stores, files = options.agents_with_stores, options.stores, options.files_per_store
        label = f"{agents:,} agents + {stores} stores x {files} files"
        projects.append(PlanSize(label, agents, stores, files, plan_target(agents)))
    return projects


def plan_target(agents: int) -> float | None:
    return next((seconds for most, seconds in PLAN_TARGETS if agents <= most), None)


@dataclass
class PlanRow:
    size: PlanSize
    setup_seconds: float
    results: dict[str, list[Measured]]
    problem: str | None = None


def bench_plan(bench: Bench, trees: list[Tree], size: PlanSize) -> PlanRow:
    """Set the project up once with the current tree (no latency), then time `--repeat` no-op plans of each tree,
    taking turns, each from the same state file."""
    base_url = bench.sandbox.base_url
    project = Project.write(
        bench.work, f"scale-plan-{size.agents}-{size.stores}", base_url, size.agents, size.stores, size.files_per_store
    )
    bench.sandbox.reset()
    progress(f"setting up {size.label} (no latency, not measured)")
    setup = bench.setup(trees[0], project)
    results: dict[str, list[Measured]] = {tree.label: [] for tree in trees}
    if setup_failed(bench, setup, project, size.label):
        shutil.rmtree(project.root, ignore_errors=True)
        return PlanRow(size, setup.seconds, results, f"!{len(bench.notes)}")
    state = project.state.read_bytes()
    for attempt in range(bench.options.repeat):
        for tree in trees:
            runs = results[tree.label]
            if any(run.problem for run in runs):
                continue  # killed or failed before: once is enough
            project.restore_state(state)
            progress(f"{tree.label}: no-op plan of {size.label} ({attempt + 1}/{bench.options.repeat})")
            measured = bench.measure(tree, project, "plan", "--detailed-exitcode")
            bench.failed(measured, f"{tree.label}, no-op plan of {size.label}", " (2: it found changes)")
            runs.append(measured)
    shutil.rmtree(project.root, ignore_errors=True)
    return PlanRow(size, setup.seconds, results)


def setup_failed(bench: Bench, setup: ChildRun, project: Project, what: str) -> bool:
    """Note a setup that failed or left no state file (then the row shows the note); True when it did."""
    if setup.exit_code == 0 and project.state.exists():
        return False
    bench.notes.append(f"setting up {what} failed (exit {setup.exit_code}):\n{indent(setup.output[-3000:])}")
    return True


@dataclass
class AccountRow:
    """A small project in a big account: the no-op plans with the state file and without it, per tree."""

    label: str
    setup_seconds: float
    results: dict[str, dict[str, list[Measured]]]  # by variant, then by tree label
    problem: str | None = None


OTHERS_PER_PROJECT = 10_000
"""The most agents one of the account's other projects holds (a project's loader accepts 12,000 documents): a bigger
`--account-agents` is set up as several projects."""
ACCOUNT_VARIANTS = {
    "state": "with the state file (reads by id may race the listing)",
    "no-state": "without the state file (listings only)",
}


def bench_account(bench: Bench, trees: list[Tree]) -> AccountRow:
    """An account holding `--account-agents` agents of other projects (`OTHERS_PER_PROJECT` at most each), and a
    project of `--project-agents` agents applied in it (all set up with no latency by the current tree, not measured);
    then `--repeat` no-op plans of each tree with the state file and without it (state, journal and backup removed
    first), taking turns."""
    options = bench.options
    others, agents = options.account_agents, options.project_agents
    label = f"{agents:,} agents among {others + agents:,}"
    base_url = bench.sandbox.base_url
    variants: dict[str, dict[str, list[Measured]]] = {
        variant: {tree.label: [] for tree in trees} for variant in ACCOUNT_VARIANTS
    }
    bench.sandbox.reset()
    sizes = [min(OTHERS_PER_PROJECT, others - start) for start in range(0, others, OTHERS_PER_PROJECT)]
    other_projects = [
        Project.write(bench.work, f"scale-account-other-{number}", base_url, size, 0, 0)
        for number, size in enumerate(sizes, 1)
    ]
    project = Project.write(bench.work, "scale-account-project", base_url, agents, 0, 0)
    try:
        seconds = 0.0
        setups = [
            (other, f"{size:,} agents of another project") for other, size in zip(other_projects, sizes, strict=True)
        ]
        for setting_up, what in (*setups, (project, label)):
            progress(f"setting up {what} (no latency, not measured)")
            setup = bench.setup(trees[0], setting_up)
            seconds += setup.seconds
            if setup_failed(bench, setup, setting_up, what):
                return AccountRow(label, seconds, variants, f"!{len(bench.notes)}")
        state = project.state.read_bytes()
        for attempt in range(options.repeat):
            for variant, description in ACCOUNT_VARIANTS.items():
                for tree in trees:
                    runs = variants[variant][tree.label]
                    if any(run.problem for run in runs):
                        continue
                    if variant == "state":
                        project.restore_state(state)
                    else:
                        project.remove_state()
                    progress(f"{tree.label}: no-op plan of {label}, {description} ({attempt + 1}/{options.repeat})")
                    measured = bench.measure(tree, project, "plan", "--detailed-exitcode")
                    bench.failed(measured, f"{tree.label}, no-op plan of {label} {description}", " (2: changes)")
                    runs.append(measured)
        return AccountRow(label, seconds, variants)
    finally:
        for other in other_projects:
            shutil.rmtree(other.root, ignore_errors=True)
        shutil.rmtree(project.root, ignore_errors=True)


# --- report -----------------------------------------------------------------------------------------------------------

GROUPS = {
    "wall": "wall s",
    "ratio": "wall/floor",
    "met": "target met",
    "cpu": "CPU s",
    "rss": "peak RSS MB",
    "calls": "API calls",
    "list": "GET /agents",
    "read": "GET /agents/{id}",
    "sandbox": "sandbox CPU s",
    "check": "checks",
}


def median(values: list[float | None]) -> float | None:
    """The median, or None when any value is unknown."""
    known = [value for value in values if value is not None]
    return statistics.median(known) if known and len(known) == len(values) else None


def two(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f}"


def tree_cells(runs: list[Measured], tree: Tree, floor: float | None, target: float | None) -> dict[str, str]:
    """One tree's cells of a row: medians of its runs, or "> N s" when it was killed."""
    killed = next((measured for measured in runs if measured.run.timed_out), None)
    if killed is not None:
        limit = tree.timeout or killed.run.seconds
        cells = {"wall": f"> {limit:.0f}", "met": "no" if target is not None else "-", "check": killed.problem or ""}
        if floor:
            cells["ratio"] = f"> {limit / floor:.1f}x"
        return cells
    if not runs:
        return {}
    wall = statistics.median(measured.run.seconds for measured in runs)
    peak = median([measured.run.peak_rss_mb for measured in runs])
    return {
        "wall": f"{wall:.2f}",
        "ratio": f"{wall / floor:.2f}x" if floor else "-",
        "met": "-" if target is None else "yes" if wall <= target else "no",
        "cpu": two(median([measured.run.cpu for measured in runs])),
        "rss": "n/a" if peak is None else f"{peak:.0f}",
        "calls": f"{statistics.median(measured.calls for measured in runs):.0f}",
        "list": f"{statistics.median(measured.routes.get(LIST_ROUTE, 0) for measured in runs):.0f}",
        "read": f"{statistics.median(measured.routes.get(READ_ROUTE, 0) for measured in runs):.0f}",
        "sandbox": two(median([measured.sandbox_cpu for measured in runs])),
        "check": next((measured.problem for measured in runs if measured.problem), "ok"),
    }


def print_grouped(
    lead: list[str], groups: list[str], labels: list[str], rows: list[tuple[list[str], dict[str, dict[str, str]]]]
) -> None:
    """A table: the `lead` columns, then under each group's name one column per tree label (just the group's name
    when there is one tree). Cells are right-aligned but the first; groups are set apart by a wider gap."""
    body = [[*first, *(cells[label].get(group, "-") for group in groups for label in labels)] for first, cells in rows]
    names = [GROUPS[group] for group in groups]
    bottom = [*lead, *(labels * len(groups) if len(labels) > 1 else names)]
    widths = [max(len(line[i]) for line in [bottom, *body]) for i in range(len(bottom))]
    gap, group_gap = "  ", "    "
    if len(labels) > 1:
        for index, name in enumerate(names):
            start = len(lead) + index * len(labels)
            span = sum(widths[start : start + len(labels)]) + len(gap) * (len(labels) - 1)
            widths[start + len(labels) - 1] += max(0, len(name) - span)

    def render(line: list[str]) -> str:
        text = ""
        for i, cell in enumerate(line):
            if i:
                text += group_gap if i >= len(lead) and (i - len(lead)) % len(labels) == 0 else gap
            text += cell.ljust(widths[i]) if i == 0 else cell.rjust(widths[i])
        return "  " + text.rstrip()

    if len(labels) > 1:
        top = " " * sum(len(gap) + width for width in widths[: len(lead)])
        for index, name in enumerate(names):
            start = len(lead) + index * len(labels)
            span = sum(widths[start : start + len(labels)]) + len(gap) * (len(labels) - 1)
            top += (gap if index == 0 else group_gap) + name.rjust(span)
        print(top.rstrip())
    for line in [bottom, *body]:
        print(render(line))


def report_apply(rows: list[ApplyRow], trees: list[Tree], options: argparse.Namespace, load: str) -> None:
    print(
        f"\nApply N creates: a fresh project of N agents, one fresh process, {options.latency_ms:g} ms per request, "
        f"--parallelism {options.parallelism}; {load}.\n"
        f"floor = N x latency / parallelism; target: wall within {APPLY_TARGET:g}x the floor. bare HTTP = the N "
        "creates sent by as many threads through one httpx client, nothing else (see the module's docstring)."
    )
    lines = []
    for row in rows:
        floor = row.creates * options.latency_ms / 1000 / options.parallelism
        target = APPLY_TARGET * floor
        cells = {tree.label: tree_cells([row.results[tree.label]], tree, floor, target) for tree in trees}
        bare = f"{row.bare_http:.2f} ({row.bare_http / floor:.2f}x)"
        lines.append(([f"{row.creates:,}", f"{floor:.2f}", bare, f"<= {target:.2f}"], cells))
    groups = ["wall", "ratio", "met", "cpu", "rss", "calls", "sandbox", "check"]
    print_grouped(["creates", "floor s", "bare HTTP s", "target s"], groups, [tree.label for tree in trees], lines)
    limit_note(trees, [documents(row.creates, 0) for row in rows])


def report_plans(rows: list[PlanRow], trees: list[Tree], options: argparse.Namespace, load: str) -> None:
    print(
        f"\nNo-op plan --detailed-exitcode, one fresh process, {options.latency_ms:g} ms per request: "
        f"median of {options.repeat}; {load}.\nsetup: apply with no latency by the current tree, not measured."
    )
    lines = []
    for row in rows:
        target = row.size.target
        cells = {tree.label: tree_cells(row.results[tree.label], tree, None, target) for tree in trees}
        if row.problem:
            cells = {label: {"check": row.problem} for label in cells}
        lead = [row.size.label, "-" if target is None else f"< {target:g}", f"{row.setup_seconds:.0f}"]
        lines.append((lead, cells))
    groups = ["wall", "met", "cpu", "rss", "calls", "sandbox", "check"]
    print_grouped(["project", "target s", "setup s"], groups, [tree.label for tree in trees], lines)
    limit_note(trees, [documents(row.size.agents, row.size.stores) for row in rows])


def report_account(row: AccountRow, trees: list[Tree], options: argparse.Namespace, load: str) -> None:
    latency = options.latency_ms / 1000
    others, agents = options.account_agents, options.project_agents
    pages = max(1, math.ceil((others + agents) / PAGE))
    rounds = math.ceil(agents / PLAN_PARALLELISM)
    print(
        f"\nA small project in a big account: {agents:,} agents of the project among {others + agents:,} in the "
        f"account (the others of other projects, at most {OTHERS_PER_PROJECT:,} each).\n"
        f"No-op plan --detailed-exitcode, one fresh process, "
        f"{options.latency_ms:g} ms per request: median of {options.repeat}; setup: applies with no latency by "
        f"the current tree, not measured ({row.setup_seconds:.0f} s); {load}.\n"
        f"Listing every agent: {pages} pages one after the other, {pages * latency:.2f} s of requests; reading the "
        f"project's agents by id, {PLAN_PARALLELISM} at a time (plan --parallelism): {rounds} rounds, "
        f"{rounds * latency:.2f} s."
    )
    lines = []
    for variant, description in ACCOUNT_VARIANTS.items():
        cells = {tree.label: tree_cells(row.results[variant][tree.label], tree, None, None) for tree in trees}
        if row.problem:
            cells = {label: {"check": row.problem} for label in cells}
        lines.append(([description], cells))
    groups = ["wall", "cpu", "rss", "calls", "list", "read", "sandbox", "check"]
    print_grouped(["plan"], groups, [tree.label for tree in trees], lines)


def limit_note(trees: list[Tree], counts: list[int]) -> None:
    for tree in trees:
        over = [count for count in counts if count > tree.max_documents]
        if over:
            print(
                f"  {tree.label}: projects of more than {tree.max_documents:,} manifest documents (its loader's limit;"
                f" here {', '.join(f'{count:,}' for count in over)}) run with the limit raised in the measured process"
            )


def print_notes(notes: list[str]) -> None:
    if notes:
        print()
        for number, note in enumerate(notes, 1):
            print(f"  !{number} {note}")


# --- main -------------------------------------------------------------------------------------------------------------


def parse_options() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency-ms", type=float, default=50.0, help="added to every API request (default 50)")
    parser.add_argument("--parallelism", type=int, default=8, help="apply --parallelism (default 8)")
    parser.add_argument(
        "--creates", type=parse_counts, default=None, help="comma-separated N for apply (default 1000,5000,10000)"
    )
    parser.add_argument(
        "--agents", type=parse_counts, default=None, help="comma-separated agent counts for no-op plans (default 1000)"
    )
    parser.add_argument(
        "--agents-with-stores",
        type=int,
        default=None,
        help="agents of the no-op plan project with vector stores (default 5000; 0 skips it)",
    )
    parser.add_argument("--stores", type=int, default=100, help="vector stores of that project (default 100)")
    parser.add_argument("--files-per-store", type=int, default=2, help="files in each vector store (default 2)")
    parser.add_argument(
        "--account-agents",
        type=int,
        default=None,
        help="agents of other projects in the account of the big-account plan (default 5000; 0 skips it)",
    )
    parser.add_argument(
        "--project-agents", type=int, default=None, help="agents of the project in the big account (default 250)"
    )
    parser.add_argument("--repeat", type=int, choices=range(1, 21), default=3, metavar="N", help="no-op plans timed")
    parser.add_argument("--baseline", metavar="REV", help="also measure this commit, side by side")
    parser.add_argument(
        "--baseline-timeout",
        type=float,
        default=300.0,
        metavar="SECONDS",
        help="kill a baseline command running longer (default 300)",
    )
    parser.add_argument(
        "--timeout", type=float, default=None, metavar="SECONDS", help="kill a current-tree command running longer"
    )
    parser.add_argument(
        "--bytecode",
        action="store_true",
        help="compile each tree's modules to bytecode first, as installing a package does",
    )
    parser.add_argument(
        "--quick", action="store_true", help="a smoke run: 200 creates, no-op plans of 100 agents (and 10 stores)"
    )
    options = parser.parse_args()
    quick = options.quick
    if options.creates is None:
        options.creates = [200] if quick else [1000, 5000, 10000]
    if options.agents is None:
        options.agents = [100] if quick else [1000]
    if options.agents_with_stores is None:
        options.agents_with_stores = 100 if quick else 5000
    if options.account_agents is None:
        options.account_agents = 300 if quick else 5000
    if options.project_agents is None:
        options.project_agents = 50 if quick else 250
    if quick and "--stores" not in sys.argv:
        options.stores = 10
    if options.parallelism < 1 or options.latency_ms < 0:
        parser.error("--parallelism must be at least 1 and --latency-ms not negative")
    return options


def interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def run(options: argparse.Namespace, work: Path, baseline: tuple[str, Path] | None) -> None:
    # The current tree is copied as it is now, so that edits made while the benchmark runs do not mix in
    now = work / "now" / "src"
    shutil.copytree(REPO / "src", now, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    trees = [Tree("now", now, options.timeout)]
    if baseline is not None:
        trees.append(Tree(baseline[0], baseline[1] / "src", options.baseline_timeout))
    for tree in trees:
        tree.check()
        if options.bytecode:
            compileall.compile_dir(tree.src, quiet=1)
    sandbox = Sandbox(trees[0].src, work)
    bench = Bench(sandbox, work, options)
    loads: list[str] = []

    def under_load(measure: Callable[[], T]) -> T:
        """Run one part of the benchmark, noting the 1-minute load average at its start and end for its table."""
        start = load_average()
        result = measure()
        loads.append(f"load average {start} at the start, {load_average()} at the end")
        return result

    try:
        applies = under_load(lambda: [bench_apply(bench, trees, creates) for creates in options.creates])
        plans = under_load(lambda: [bench_plan(bench, trees, project) for project in plan_projects(options)])
        account = (
            under_load(lambda: bench_account(bench, trees))
            if options.account_agents and options.project_agents
            else None
        )
    finally:
        sandbox.stop()
    print("\nHow each tree's CLI was started: " + "; ".join(f"{tree.label}: {tree.started_as}" for tree in trees))
    print(
        "Bytecode: "
        + ("each tree compiled ahead (--bytecode), as an installed package is" if options.bytecode else BYTECODE_NOTE)
    )
    if applies:
        report_apply(applies, trees, options, loads[0])
    if plans:
        report_plans(plans, trees, options, loads[1])
    if account is not None:
        report_account(account, trees, options, loads[2])
    print_notes(bench.notes)


def main() -> None:
    options = parse_options()
    signal.signal(signal.SIGTERM, interrupt)
    signal.signal(signal.SIGINT, signal.default_int_handler)  # also when started in the background
    started = time.perf_counter()
    head = subprocess.run(
        ["git", "-C", str(REPO), "log", "-1", "--format=%h"], capture_output=True, text=True, check=False
    ).stdout.strip()
    print(
        f"assistplan at scale: every command a fresh process; sandbox in its own process, in memory, indexing "
        f"instant. now = a copy of {REPO / 'src'} as it is at the start (HEAD {head or '?'} and any uncommitted "
        f"changes); Python "
        f"{sys.version.split()[0]}, {os.cpu_count()} CPUs, load average {load_average()}",
        flush=True,
    )
    with_baseline("scale", options.baseline, lambda work, baseline: run(options, work, baseline))
    print(f"\nbenchmark took {time.perf_counter() - started:.0f} s; load average {load_average()}")


if __name__ == "__main__":
    main()
