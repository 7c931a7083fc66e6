"""Open files and threads of `plan --projects` over many embedded-sandbox projects (`openai.base_url: sandbox`).

Writes `--projects` small projects (each with its own embedded sandbox, as `assistplan init` makes them), runs
`python -m assistplan plan --projects` over them in a child process with a sampler thread that records the most
open file descriptors (`/proc/self/fd`) and live threads it saw, then runs it again under `ulimit -n --limit` and
prints whether it still planned every project. `--src` measures another tree of the code (for example an earlier
worktree's `src`). Linux only (reads `/proc`).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

SAMPLER = """\
import atexit, json, os, threading, time

_peak = {"fds": 0, "threads": 0}


def _sample():
    while True:
        _peak["fds"] = max(_peak["fds"], len(os.listdir("/proc/self/fd")))
        _peak["threads"] = max(_peak["threads"], threading.active_count())
        time.sleep(0.002)


threading.Thread(target=_sample, daemon=True).start()
atexit.register(lambda: open(os.environ["BENCH_PEAK_FILE"], "w").write(json.dumps(_peak)))
"""

MANIFEST = """\
kind: Agent
name: helper
model: gpt-5
instructions: You help the {name} team.
"""


def write_projects(top: Path, count: int) -> None:
    for index in range(count):
        folder = top / f"team{index:02d}"
        folder.mkdir(parents=True)
        config = f"project: team{index:02d}\nopenai:\n  base_url: sandbox\n  api_key_env: OPENAI_API_KEY\n"
        (folder / "assistplan.yaml").write_text(config, encoding="utf-8")
        (folder / "agents.yaml").write_text(MANIFEST.format(name=f"team{index:02d}"), encoding="utf-8")


def run(src: Path, top: Path, work: Path, limit: int | None, jobs: int) -> tuple[int, dict[str, int], str]:
    (work / "sitecustomize.py").write_text(SAMPLER, encoding="utf-8")
    peak_file = work / "peak.json"
    peak_file.unlink(missing_ok=True)
    env = {**os.environ, "PYTHONPATH": f"{work}{os.pathsep}{src}", "BENCH_PEAK_FILE": str(peak_file)}
    env.pop("OPENAI_API_KEY", None)

    def lower_limit() -> None:
        if limit is not None:
            resource.setrlimit(resource.RLIMIT_NOFILE, (limit, limit))

    command = [sys.executable, "-m", "assistplan", "plan", "--projects", str(top), "--jobs", str(jobs)]
    done = subprocess.run(command, env=env, capture_output=True, text=True, preexec_fn=lower_limit, check=False)
    peak = json.loads(peak_file.read_text(encoding="utf-8")) if peak_file.exists() else {"fds": 0, "threads": 0}
    last = (done.stdout.strip().splitlines() or done.stderr.strip().splitlines() or [""])[-1]
    return done.returncode, peak, last


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--projects", type=int, default=12)
    parser.add_argument("--jobs", type=int, default=4)
    parser.add_argument("--limit", type=int, default=120, help="the `ulimit -n` of the second run")
    parser.add_argument("--src", type=Path, default=Path(__file__).resolve().parent.parent / "src")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        top, work = Path(tmp) / "repo", Path(tmp) / "work"
        work.mkdir()
        write_projects(top, args.projects)
        code, peak, last = run(args.src, top, work, None, args.jobs)
        limited, _, limited_last = run(args.src, top, work, args.limit, args.jobs)
    print(
        textwrap.dedent(
            f"""\
            tree: {args.src}
            {args.projects} embedded-sandbox projects, --jobs {args.jobs}
              exit {code}: {last}
              peak open file descriptors: {peak["fds"]}
              peak threads: {peak["threads"]}
            under ulimit -n {args.limit}:
              exit {limited}: {limited_last}"""
        )
    )


if __name__ == "__main__":
    main()
