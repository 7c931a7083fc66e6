"""Many small projects in one account: planned one after another (a `plan` process each, as a CI matrix of one
runner would) against all of them in one run (`plan --projects PATH`), where each collection of the account is listed
once for every project.

`--projects` manifest roots, each of `--agents` agents (using one Function) and `--stores` vector stores of
`--files-per-store` files, share one OpenAI account (the sandbox in a process of its own, data in memory, indexing
instant). Every project is applied once with no latency (setup, not measured); then, at `--latency-ms` per request,
every plan must exit 0 with `--detailed-exitcode` (no changes), run `--repeat` times each way, with the state files
and without them (the state rebuilt from the live labels: listings only). The table shows medians: wall time and CPU
(user + system, from wait4) summed over the processes of one round, and the API calls the sandbox counted, split
into list calls (a collection, page by page) and reads of one object. Nothing is asserted about time. Linux.

    .venv/bin/python benchmarks/projects.py [--projects 20] [--agents 2] [--stores 1] [--files-per-store 1]
        [--latency-ms 50] [--repeat 3] [--jobs 4]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from benchlib import ChildRun, cli_command, load_average, run_child, write_project
from scale import Sandbox, tree_env

REPO = Path(__file__).resolve().parent.parent
SRC = REPO / "src"
STATE_FILE = Path(".assistplan") / "state.json"


@dataclass
class Round:
    wall: float
    cpu: float
    lists: int
    reads: int


def split(routes: Mapping[str, int]) -> tuple[int, int]:
    """(list calls, reads of one object) among the GET requests: a route ending in `{id}` reads one object."""
    lists = sum(n for route, n in routes.items() if route.startswith("GET ") and not route.endswith("}"))
    reads = sum(n for route, n in routes.items() if route.startswith("GET ") and route.endswith("}"))
    return lists, reads


def checked(run: ChildRun, what: str) -> ChildRun:
    if run.exit_code != 0:
        sys.exit(f"projects.py: {what} exited {run.exit_code}:\n{run.output[-3000:]}")
    return run


def measure(sandbox: Sandbox, runs: Callable[[], list[ChildRun]]) -> Round:
    sandbox.reset_counters()
    done = runs()
    lists, reads = split(sandbox.counters())
    return Round(sum(r.seconds for r in done), sum(r.cpu for r in done), lists, reads)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--projects", type=int, default=20)
    parser.add_argument("--agents", type=int, default=2)
    parser.add_argument("--stores", type=int, default=1)
    parser.add_argument("--files-per-store", type=int, default=1)
    parser.add_argument("--latency-ms", type=float, default=50.0)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=4, help="plan --projects --jobs")
    options = parser.parse_args()

    print(
        f"{options.projects} projects of {options.agents} agents and {options.stores} vector store(s) of "
        f"{options.files_per_store} file(s) in one account, {options.latency_ms:g} ms per request; every command a "
        f"fresh process; Python {sys.version.split()[0]}, load average {load_average()}",
        flush=True,
    )
    work = Path(tempfile.mkdtemp(prefix="assistplan-bench-projects-"))
    sandbox = Sandbox(SRC, work)
    env = tree_env(SRC)
    try:
        top = work / "repo"
        top.mkdir()
        roots = []
        for index in range(options.projects):
            root = top / f"team-{index:02d}"
            write_project(
                root, f"team-{index:02d}", sandbox.base_url, options.agents, options.stores, options.files_per_store
            )
            checked(run_child(cli_command(["--chdir", str(root), "apply", "--auto-approve"]), env), f"apply {root}")
            roots.append(root)
        sandbox.set_latency(options.latency_ms)

        def drop_states() -> None:
            for root in roots:
                (root / STATE_FILE).unlink(missing_ok=True)

        def one_by_one() -> list[ChildRun]:
            return [
                checked(run_child(cli_command(["--chdir", str(r), "plan", "--detailed-exitcode"]), env), f"plan {r}")
                for r in roots
            ]

        def combined() -> list[ChildRun]:
            args = ["plan", "--projects", str(top), "--detailed-exitcode", "--jobs", str(options.jobs)]
            return [checked(run_child(cli_command(args), env), "plan --projects")]

        print(f"\n{'state':<8} {'how':<22} {'wall s':>8} {'CPU s':>8} {'list calls':>11} {'reads':>7}")
        for state in ("kept", "none"):
            for how, runs in (("one after another", one_by_one), ("plan --projects", combined)):
                rounds = []
                for _ in range(options.repeat):
                    if state == "none":
                        drop_states()
                    rounds.append(measure(sandbox, runs))
                print(
                    f"{state:<8} {how:<22} {statistics.median(r.wall for r in rounds):>8.2f} "
                    f"{statistics.median(r.cpu for r in rounds):>8.2f} "
                    f"{statistics.median(r.lists for r in rounds):>11.0f} "
                    f"{statistics.median(r.reads for r in rounds):>7.0f}",
                    flush=True,
                )
    finally:
        sandbox.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    started = time.perf_counter()
    main()
    print(f"\nbenchmark took {time.perf_counter() - started:.0f} s; load average {load_average()}")
