"""Plan and apply at scale, against the sandbox with a fixed latency per request.

For each agent count, a project of that many agents (each using one Function) plus vector stores of small Markdown
files is applied once with no latency (setup, not measured); then a no-op `plan` is measured: wall time with no
latency and with `--latency-ms`, API calls per route, the sandbox's requests per second and CPU time, and the peak
memory. Then a fresh project of `--creates` agents is applied at each `--parallelism`.

The setup runs the engine's own plan and apply (`Workspace.plan`, `Workspace.apply`, the state journalled as in
any apply).

Every measured command is the real CLI: in this process through click's CliRunner (imports done; the sandbox's
thread shares the GIL), and as its own process (`python -m assistplan`, cold start, as a user runs it; its CPU time
comes from wait4, its peak RSS from /proc/self/status). Nothing is asserted about time: the script prints figures.
Linux (on other systems the figures read from /proc show as n/a).

    .venv/bin/python benchmarks/plan_apply.py [--latency-ms 50] [--agents 100,1000] [--stores 100]
        [--files-per-store 10] [--creates 200] [--parallelism 4,8] [--repeat 3]
"""

from __future__ import annotations

import argparse
import math
import os
import resource
import shutil
import statistics
import sys
import tempfile
import threading
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from benchlib import KEY_ENV, cli_command, load_average, parse_counts, proc_cpu_seconds, run_child, write_project
from click.testing import CliRunner

from assistplan.apply import SilentHooks
from assistplan.cli import cli
from assistplan.plan.model import PlanOptions
from assistplan.sandbox import API_KEY, SandboxServer, start_in_process
from assistplan.workflow import Workspace

PAGE = 100
SETUP_PARALLELISM = 16
TERRAFORM_PARALLELISM = 10
SANDBOX_THREAD = "assistplan-sandbox"


# --- projects ---------------------------------------------------------------------------------------------------------


def setup_apply(root: Path) -> float:
    """Apply the project with no latency; returns the seconds taken."""
    started = time.perf_counter()
    workspace = Workspace(root)
    try:
        with workspace.lock("apply", 10.0):
            planned = workspace.plan(PlanOptions())
            result = workspace.apply(planned.plan, planned.inventory, SilentHooks(), SETUP_PARALLELISM)
            if not result.ok:
                sys.exit(f"the setup apply failed: {result.failed[:3]}")
    finally:
        workspace.close()
    return time.perf_counter() - started


# --- measuring -------------------------------------------------------------------------------------------------------


def thread_cpu_seconds(native_id: int | None) -> float | None:
    """CPU time (user + system) of one thread of this process, from /proc (None where that is not available)."""
    return proc_cpu_seconds(f"/proc/self/task/{native_id}/stat")


@dataclass
class Run:
    """One measured command. `cli_cpu` and `peak_rss_mb` are known for a command run in its own process."""

    seconds: float
    calls: dict[str, int]
    exit_code: int
    output: str
    sandbox_cpu: float | None = None
    cli_cpu: float | None = None
    peak_rss_mb: float | None = None

    @property
    def total_calls(self) -> int:
        return sum(self.calls.values())


@dataclass
class Outcome:
    exit_code: int
    output: str
    cpu: float | None = None
    peak_rss_mb: float | None = None


@dataclass
class Bench:
    sandbox: SandboxServer
    runner: CliRunner = field(default_factory=CliRunner)

    def _sandbox_cpu(self) -> float | None:
        threads = [thread.native_id for thread in threading.enumerate() if thread.name == SANDBOX_THREAD]
        return thread_cpu_seconds(threads[0]) if threads else None

    def _measure(self, action: Callable[[], Outcome]) -> Run:
        self.sandbox.reset_counters()
        cpu_before = self._sandbox_cpu()
        started = time.perf_counter()
        outcome = action()
        seconds = time.perf_counter() - started
        cpu_after = self._sandbox_cpu()
        run = Run(
            seconds,
            self.sandbox.counters,
            outcome.exit_code,
            outcome.output,
            cli_cpu=outcome.cpu,
            peak_rss_mb=outcome.peak_rss_mb,
        )
        if cpu_before is not None and cpu_after is not None:
            run.sandbox_cpu = cpu_after - cpu_before
        return run

    def in_process(self, root: Path, *args: str) -> Run:
        """Run the CLI in this process (imports already done)."""

        def action() -> Outcome:
            result = self.runner.invoke(cli, ["--chdir", str(root), *args], catch_exceptions=False)
            return Outcome(result.exit_code, result.output)

        return self._measure(action)

    def own_process(self, root: Path, *args: str) -> Run:
        """Run the CLI as a fresh process (`python -m assistplan`, cold start); its CPU time comes from wait4, its
        peak RSS from /proc."""

        def action() -> Outcome:
            child = run_child(cli_command(["--chdir", str(root), *args]), os.environ)
            return Outcome(child.exit_code, child.output, child.cpu, child.peak_rss_mb)

        return self._measure(action)

    def heap_peak_mb(self, root: Path, *args: str) -> float:
        """Peak of Python allocations (this process: CLI and sandbox) during one in-process run, untimed."""
        tracemalloc.start()
        try:
            result = self.runner.invoke(cli, ["--chdir", str(root), *args], catch_exceptions=False)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        check(Run(0.0, {}, result.exit_code, result.output), "the run under tracemalloc")
        return peak / 2**20

    def set_latency(self, latency_ms: float) -> None:
        self.sandbox.set_faults(latency_ms=latency_ms)


def check(run: Run, what: str) -> None:
    """Stop with the command's output when it did not do what the benchmark expects."""
    if run.exit_code != 0:
        sys.exit(f"{what} exited with {run.exit_code}:\n{run.output[-3000:]}")


# --- scenarios -------------------------------------------------------------------------------------------------------


@dataclass
class PlanFigures:
    agents: int
    stores: int
    files: int
    setup_seconds: float
    cpu_only: Run
    in_process: list[Run]
    own_process: Run
    heap_mb: float

    @property
    def calls(self) -> dict[str, int]:
        return self.in_process[0].calls

    @property
    def budget(self) -> int:
        """One call per started page of 100 objects of each listed kind (at least one each) plus one per store."""
        kinds = (self.agents, self.stores, self.files, 0)  # agents, vector stores, files, assistants
        return sum(max(1, math.ceil(n / PAGE)) for n in kinds) + self.stores

    @property
    def per_object(self) -> int:
        """What one GET per remote object would cost: every agent, vector store and file."""
        return self.agents + self.stores + self.files


def bench_plan(bench: Bench, work: Path, options: argparse.Namespace, agents: int) -> PlanFigures:
    stores, files = options.stores, options.stores * options.files_per_store
    root = work / f"plan-{agents}"
    write_project(root, f"bench-plan-{agents}", bench.sandbox.base_url, agents, stores, options.files_per_store)
    bench.sandbox.reset()
    setup_seconds = setup_apply(root)
    noop = ("plan", "--detailed-exitcode")
    cpu_only = bench.in_process(root, *noop)
    check(cpu_only, "the no-op plan (exit 2 means it found changes)")
    bench.set_latency(options.latency_ms)
    runs = [bench.in_process(root, *noop) for _ in range(options.repeat)]
    for run in runs:
        check(run, "the no-op plan")
    own = bench.own_process(root, *noop)
    check(own, "the no-op plan in its own process")
    bench.set_latency(0)
    heap = bench.heap_peak_mb(root, *noop)
    return PlanFigures(agents, stores, files, setup_seconds, cpu_only, runs, own, heap)


@dataclass
class ApplyFigures:
    creates: int
    parallelism: int
    in_process: list[Run]
    own_process: Run
    heap_mb: float


def bench_apply(bench: Bench, work: Path, options: argparse.Namespace, parallelism: int) -> ApplyFigures:
    """Apply `--creates` agents of a fresh project, in this process (`--repeat` times), in its own process, and
    once more untimed under tracemalloc; each run checks the creates and that a plan afterwards is a no-op."""
    args = ("apply", "--auto-approve", "--parallelism", str(parallelism))
    runs: list[Run] = []
    heap = 0.0
    for index, where in enumerate(["in"] * options.repeat + ["own", "heap"]):
        root = work / f"apply-{parallelism}-{index}"
        write_project(root, f"bench-apply-{parallelism}-{index}", bench.sandbox.base_url, options.creates, 0, 0)
        bench.sandbox.reset()
        if where == "heap":
            heap = bench.heap_peak_mb(root, *args)
            continue
        bench.set_latency(options.latency_ms)
        run = bench.in_process(root, *args) if where == "in" else bench.own_process(root, *args)
        check(run, f"applying {options.creates} creates")
        created = run.calls.get("POST /agents", 0)
        if created != options.creates:
            sys.exit(f"expected {options.creates} agent creates, the sandbox saw {created}")
        bench.set_latency(0)
        check(bench.in_process(root, "plan", "--detailed-exitcode"), "the plan after applying the creates")
        runs.append(run)
    return ApplyFigures(options.creates, parallelism, runs[:-1], runs[-1], heap)


# --- report ----------------------------------------------------------------------------------------------------------


def rate(run: Run) -> float:
    return run.total_calls / run.seconds if run.seconds else 0.0


def cpu_share(run: Run) -> str:
    return "n/a" if run.sandbox_cpu is None else f"{run.sandbox_cpu:.2f} s ({100 * run.sandbox_cpu / run.seconds:.0f}%)"


def megabytes(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1f} MB"


def spread(runs: list[Run]) -> str:
    seconds = [run.seconds for run in runs]
    return f"{statistics.median(seconds):.2f} ({min(seconds):.2f}) s"


def table(title: str, columns: list[str], rows: list[tuple[str, list[str]]]) -> None:
    """Print rows of figures under one header per column."""
    width = max(len(label) for label, _ in rows)
    print(f"\n{title}")
    print(f"  {'':<{width}}" + "".join(f"{column:>16}" for column in columns))
    for label, values in rows:
        print(f"  {label:<{width}}" + "".join(f"{value:>16}" for value in values))


def report_plans(plans: list[PlanFigures], latency_ms: float) -> None:
    ms = f"{latency_ms:g} ms"
    routes = sorted({route for figures in plans for route in figures.calls})

    def each(value: Callable[[PlanFigures], str]) -> list[str]:
        return [value(figures) for figures in plans]

    rows = [
        ("vector stores / files", each(lambda f: f"{f.stores} / {f.files}")),
        ("setup apply, no latency (not measured)", each(lambda f: f"{f.setup_seconds:.1f} s")),
        ("API calls", each(lambda f: str(sum(f.calls.values())))),
        *((f"  {route}", each(lambda f, route=route: str(f.calls.get(route, 0)))) for route in routes),
        ("budget: 1 per 100 of each kind + 1 per store", each(lambda f: str(f.budget))),
        ("one GET per object (agents, stores, files)", each(lambda f: str(f.per_object))),
        (
            f"  at {ms}, {TERRAFORM_PARALLELISM} at a time",
            each(lambda f: f"{math.ceil(f.per_object / TERRAFORM_PARALLELISM) * latency_ms / 1000:.2f} s"),
        ),
        ("wall, no latency, in process", each(lambda f: f"{f.cpu_only.seconds:.2f} s")),
        (f"wall, {ms}, in process: median (min)", each(lambda f: spread(f.in_process))),
        (f"wall, {ms}, own process (cold)", each(lambda f: f"{f.own_process.seconds:.2f} s")),
        ("sandbox served, own process run", each(lambda f: f"{rate(f.own_process):.0f} req/s")),
        ("sandbox CPU, own process run", each(lambda f: cpu_share(f.own_process))),
        ("CLI CPU (user + system), own process run", each(lambda f: f"{f.own_process.cli_cpu or 0:.2f} s")),
        ("sandbox CPU, no latency, in process", each(lambda f: cpu_share(f.cpu_only))),
        ("peak RSS of the CLI process", each(lambda f: megabytes(f.own_process.peak_rss_mb))),
        ("peak Python heap of a plan (tracemalloc)", each(lambda f: f"{f.heap_mb:.1f} MB")),
    ]
    table(f"No-op plan at {ms} per request", [f"{figures.agents} agents" for figures in plans], rows)


def report_apply(applies: list[ApplyFigures], latency_ms: float) -> None:
    def each(value: Callable[[ApplyFigures], str]) -> list[str]:
        return [value(figures) for figures in applies]

    rows = [
        ("floor: 1 round of listings + creates/parallelism", each(lambda f: f"{floor_seconds(f, latency_ms):.2f} s")),
        ("wall, in process: median (min)", each(lambda f: spread(f.in_process))),
        ("wall, own process (cold)", each(lambda f: f"{f.own_process.seconds:.2f} s")),
        ("API calls, own process run", each(lambda f: str(f.own_process.total_calls))),
        ("sandbox served, own process run", each(lambda f: f"{rate(f.own_process):.0f} req/s")),
        ("sandbox CPU, own process run", each(lambda f: cpu_share(f.own_process))),
        ("CLI CPU (user + system), own process run", each(lambda f: f"{f.own_process.cli_cpu or 0:.2f} s")),
        ("peak RSS of the CLI process", each(lambda f: megabytes(f.own_process.peak_rss_mb))),
        ("peak Python heap of an apply (tracemalloc)", each(lambda f: f"{f.heap_mb:.1f} MB")),
    ]
    title = f"Applying {applies[0].creates} creates (a fresh project of agents) at {latency_ms:g} ms per request"
    table(title, [f"parallelism {figures.parallelism}" for figures in applies], rows)


def floor_seconds(figures: ApplyFigures, latency_ms: float) -> float:
    """The least time the requests allow: one round of listings, then one create per worker per round."""
    return (1 + math.ceil(figures.creates / figures.parallelism)) * latency_ms / 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency-ms", type=float, default=50.0, help="added to every API request")
    parser.add_argument(
        "--agents",
        type=parse_counts,
        default=[100, 1000],
        help="comma-separated agent counts for the no-op plan (empty: skip)",
    )
    parser.add_argument("--stores", type=int, default=100, help="vector stores in the no-op plan project")
    parser.add_argument("--files-per-store", type=int, default=10)
    parser.add_argument("--creates", type=int, default=200, help="agents created by the apply benchmark")
    parser.add_argument(
        "--parallelism",
        type=parse_counts,
        default=[4, 8],
        help="comma-separated apply --parallelism values (empty: skip)",
    )
    parser.add_argument(
        "--repeat",
        type=int,
        choices=range(1, 21),
        default=3,
        metavar="N",
        help="in-process runs of each plan and apply measurement",
    )
    options = parser.parse_args()

    os.environ[KEY_ENV] = API_KEY
    work = Path(tempfile.mkdtemp(prefix="assistplan-bench-"))
    started = time.perf_counter()
    print(
        f"assistplan plan/apply benchmark: sandbox in process, in memory, indexing instant, "
        f"{options.latency_ms:g} ms per request; Python {sys.version.split()[0]}, {os.cpu_count()} CPUs, "
        f"load average {load_average()}"
    )
    try:
        with start_in_process(indexing_delay=0.0) as sandbox:
            bench = Bench(sandbox)
            if options.agents:
                plans = [bench_plan(bench, work, options, agents) for agents in options.agents]
                report_plans(plans, options.latency_ms)
            if options.parallelism:
                applies = [bench_apply(bench, work, options, parallelism) for parallelism in options.parallelism]
                report_apply(applies, options.latency_ms)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\npeak RSS of this process (CLI runs in process, the sandbox and its data): {peak:.1f} MB")
    print(f"benchmark took {time.perf_counter() - started:.0f} s; load average {load_average()}")


if __name__ == "__main__":
    main()
