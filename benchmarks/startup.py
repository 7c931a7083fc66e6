"""What a small no-op plan costs as a fresh process, and where its imports go; optionally beside an earlier commit.

The project of 3 resources (two agents using one Function, a vector store of one file) is applied once with no
latency by the current tree's CLI (not measured). Then `plan --detailed-exitcode` runs `--repeat` times per tree,
the trees taking turns, at `--latency-ms` per request, each from the state file the setup left, and must exit 0:
wall time and CPU (median and least). Then as many again with no state file, as CI's plan runs. Last, the
imports: the modules a plan imports (`sys.modules` as the plan ends, in the order they were first imported) are
imported in that order in a fresh process, `--importtime-runs` times per tree, under `-X importtime`; each module's
own import time, the least of the runs, is summed by top-level package (assistplan's by module) and the `--top`
largest are printed. One thread imports them all because in the
plan itself threads import at once (the refresh starts on threads), and a module's time then counts the other
threads' work too. `-X importtime` adds to what it measures: read the figures as shares.

Every tree is compiled to bytecode first, as installing a package does. The sandbox runs in a process of its own.
Nothing is asserted about time.

    .venv/bin/python benchmarks/startup.py [--repeat 9] [--latency-ms 50] [--importtime-runs 5] [--top 25]
        [--baseline REV]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

from benchlib import ChildRun, load_average
from scale import REPO, BenchError, Project, Sandbox, Tree, with_baseline

IMPORT_LINE = "import time:"
MODULES_ENV = "ASSISTPLAN_BENCH_MODULES_FILE"
# Runs the CLI as `python -m assistplan` would (its `__main__` module), and lists sys.modules as the process ends (the
# CLI runs the atexit functions before it ends the process)
MODULES_SNIPPET = f"""
import atexit, os, runpy, sys

def _list_modules():
    with open(os.environ["{MODULES_ENV}"], "w") as listing:
        listing.write("\\n".join(sys.modules))

atexit.register(_list_modules)
sys.argv[0] = "assistplan"
runpy.run_module("assistplan", run_name="__main__", alter_sys=True)
"""
# `__import__`, as the import statement does: `-X importtime` does not time a module `importlib.import_module` imports
IMPORT_SNIPPET = """
import sys
for name in sys.argv[1:]:
    try:
        __import__(name)
    except ImportError:
        pass  # a name a module put in sys.modules for another (an alias), not importable by itself
"""


def measure_plans(
    trees: list[Tree], project: Project, repeat: int, stateless: bool = False
) -> dict[str, list[ChildRun]]:
    """`repeat` no-op plans per tree, the trees taking turns: each from the state file the setup left, or (`stateless`)
    with no state file, as CI's plan runs (it rebuilds the state from the labels and writes it: removed again)."""
    state = project.state.read_bytes()
    runs: dict[str, list[ChildRun]] = {tree.label: [] for tree in trees}
    for _ in range(repeat):
        for tree in trees:
            project.restore_state(state)
            if stateless:
                project.state.unlink()
            run = tree.cli(project, "plan", "--detailed-exitcode")
            if run.exit_code != 0:
                raise BenchError(f"{tree.label}: plan exited with {run.exit_code}:\n{run.output[-3000:]}")
            runs[tree.label].append(run)
    project.restore_state(state)
    return runs


def imported_modules(tree: Tree, project: Project, work: Path) -> list[str]:
    """The modules a no-op plan of `tree` imports, in the order they were first imported."""
    project.restore_state(project.state.read_bytes())
    listing = work / f"modules-{tree.label}.txt"
    done = subprocess.run(
        [sys.executable, "-c", MODULES_SNIPPET, "plan"],
        cwd=project.root,
        env={**tree.env(), MODULES_ENV: str(listing)},
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0 or not listing.exists():
        raise BenchError(f"{tree.label}: listing the plan's modules failed ({done.returncode}):\n{done.stderr[-3000:]}")
    return [name for name in listing.read_text(encoding="utf-8").split() if name != "__main__"]


def import_times(tree: Tree, modules: list[str], runs: int) -> dict[str, float]:
    """Milliseconds of import time by package (assistplan's by module): `modules` imported in that order in a fresh
    process, `runs` times; each module's least self time."""
    least: dict[str, int] = {}
    for _ in range(runs):
        done = subprocess.run(
            [sys.executable, "-X", "importtime", "-c", IMPORT_SNIPPET, *modules],
            env=tree.env(),
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            raise BenchError(f"{tree.label}: importing the plan's modules failed:\n{done.stderr[-3000:]}")
        for line in done.stderr.splitlines():
            if not line.startswith(IMPORT_LINE) or "self [us]" in line:
                continue
            own, _, name = line[len(IMPORT_LINE) :].split("|")
            module = name.strip()
            least[module] = min(least.get(module, sys.maxsize), int(own))
    packages: dict[str, float] = defaultdict(float)
    for module, micros in least.items():
        packages[module if module.startswith("assistplan.") else module.split(".")[0]] += micros / 1000
    return dict(packages)


def report(
    trees: list[Tree],
    runs: dict[str, dict[str, list[ChildRun]]],
    imports: dict[str, dict[str, float]],
    top: int,
) -> None:
    for title, measured in runs.items():
        print(f"\nNo-op plan of 3 resources, {title}, {len(next(iter(measured.values())))} runs per tree")
        print(f"{'tree':<10} {'wall s median':>14} {'least':>7} {'CPU s median':>13} {'least':>7}")
        for tree in trees:
            walls = [run.seconds for run in measured[tree.label]]
            cpus = [run.cpu for run in measured[tree.label]]
            print(
                f"{tree.label:<10} {statistics.median(walls):>14.3f} {min(walls):>7.3f} "
                f"{statistics.median(cpus):>13.3f} {min(cpus):>7.3f}"
            )
    first = imports[trees[0].label]
    names = sorted({*first, *(name for tree in trees for name in imports[tree.label])}, key=lambda n: -first.get(n, 0))
    print(f"\nImport time by package, ms (least of the runs under -X importtime), the {top} largest first")
    print(f"{'package':<45}" + "".join(f"{tree.label:>10}" for tree in trees))
    for name in names[:top]:
        print(f"{name:<45}" + "".join(f"{imports[tree.label].get(name, 0):>10.1f}" for tree in trees))
    print(f"{'all packages':<45}" + "".join(f"{sum(imports[tree.label].values()):>10.1f}" for tree in trees))


def run(options: argparse.Namespace, work: Path, baseline: tuple[str, Path] | None) -> None:
    now = work / "now" / "src"
    shutil.copytree(REPO / "src", now, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    trees = [Tree("now", now, None)]
    if baseline is not None:
        trees.append(Tree(baseline[0], baseline[1] / "src", None))
    for tree in trees:
        tree.check()  # compiles the tree to bytecode, and checks that its code is the one imported
        if not tree.module:
            raise BenchError(f"{tree.label} has no src/assistplan/__main__.py: python -m assistplan cannot start it")
    sandbox = Sandbox(trees[0].src, work)
    try:
        project = Project.write(work, "startup", sandbox.base_url, 2, 1, 1)
        sandbox.set_latency(0)
        setup = trees[0].cli(project, "apply", "--auto-approve")
        if setup.exit_code != 0:
            raise BenchError(f"the setup apply exited with {setup.exit_code}:\n{setup.output[-3000:]}")
        sandbox.set_latency(options.latency_ms)
        runs = {
            "with its state file": measure_plans(trees, project, options.repeat),
            "without a state file (CI's)": measure_plans(trees, project, options.repeat, stateless=True),
        }
        sandbox.set_latency(0)
        modules = {tree.label: imported_modules(tree, project, work) for tree in trees}
        imports = {tree.label: import_times(tree, modules[tree.label], options.importtime_runs) for tree in trees}
    finally:
        sandbox.stop()
    report(trees, runs, imports, options.top)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=9, help="measured plans per tree (default 9)")
    parser.add_argument("--latency-ms", type=float, default=50.0, help="latency per request (default 50)")
    parser.add_argument("--importtime-runs", type=int, default=5, help="plans under -X importtime per tree (5)")
    parser.add_argument("--top", type=int, default=25, help="packages shown in the import table (default 25)")
    parser.add_argument("--baseline", metavar="REV", help="also measure this commit, in a temporary worktree")
    options = parser.parse_args()
    print(f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load average {load_average()}", flush=True)
    with_baseline("startup", options.baseline, lambda work, baseline: run(options, work, baseline))
    print(f"\nload average {load_average()} at the end")


if __name__ == "__main__":
    main()
