"""Exporting an existing account: `--agents` agents (each with a function tool) and `--stores` vector stores of one
file each, made directly through the API (not by assistplan), exported by `assistplan export` into an empty project
at `--latency-ms` per request, then planned.

The table shows, per command (a fresh process each): wall time and CPU (user + system, from wait4), the list calls
(a collection, page by page), the reads of one object, and the writes (export stamps every object it adopts with the
project's labels, one update each). Then the export's GET requests by route beside their floor: one call per page of
agents (100 a page) and of stores, two listings of each store's files (to write the manifest, and again when the
store is stamped), one call for each other collection the project can manage; no read of one object. The plan after
it, without the state file, must say No changes (`--detailed-exitcode` 0). Nothing is asserted about time. Linux.

    .venv/bin/python benchmarks/export.py [--agents 1000] [--stores 100] [--latency-ms 50]
"""

from __future__ import annotations

import argparse
import io
import json
import math
import shutil
import sys
import tempfile
import time
import urllib.request
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from benchlib import KEY_ENV, ChildRun, cli_command, load_average, run_child
from scale import API_KEY, Sandbox, tree_env

REPO = Path(__file__).resolve().parent.parent
SRC = REPO / "src"
LOOKUP = {
    "type": "function",
    "name": "lookup_order",
    "description": "Look up an order by its number.",
    "parameters": {"type": "object", "properties": {"order_id": {"type": "string"}}, "required": ["order_id"]},
}


def api(sandbox: Sandbox, method: str, path: str, body: bytes, content_type: str) -> dict[str, Any]:
    beta = "agents=v1" if path.startswith("/agents") else "assistants=v2"
    headers = {"Authorization": f"Bearer {API_KEY}", "Content-Type": content_type, "OpenAI-Beta": beta}
    request = urllib.request.Request(f"{sandbox.base_url}{path}", data=body, method=method, headers=headers)
    with urllib.request.urlopen(request, timeout=60) as response:
        answer: dict[str, Any] = json.loads(response.read())
        return answer


def post(sandbox: Sandbox, path: str, body: Mapping[str, Any]) -> dict[str, Any]:
    return api(sandbox, "POST", path, json.dumps(body).encode(), "application/json")


def upload(sandbox: Sandbox) -> str:
    boundary = uuid.uuid4().hex
    body = io.BytesIO()
    body.write(f'--{boundary}\r\nContent-Disposition: form-data; name="purpose"\r\n\r\nassistants\r\n'.encode())
    body.write(
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="handbook.md"\r\n'
        "Content-Type: text/markdown\r\n\r\n# Handbook\r\n".encode()
    )
    body.write(f"--{boundary}--\r\n".encode())
    return str(api(sandbox, "POST", "/files", body.getvalue(), f"multipart/form-data; boundary={boundary}")["id"])


def kinds_of_calls(routes: Mapping[str, int]) -> tuple[int, int, int]:
    """(list calls, reads of one object, writes): a GET route ending in `{id}` reads one object."""
    lists = sum(n for route, n in routes.items() if route.startswith("GET ") and not route.endswith("}"))
    reads = sum(n for route, n in routes.items() if route.startswith("GET ") and route.endswith("}"))
    writes = sum(n for route, n in routes.items() if not route.startswith("GET "))
    return lists, reads, writes


def measured(sandbox: Sandbox, args: list[str], root: Path, expect: int) -> tuple[ChildRun, dict[str, int]]:
    sandbox.reset_counters()
    run = run_child(cli_command(["--chdir", str(root), *args]), tree_env(SRC))
    if run.exit_code != expect:
        sys.exit(f"export.py: {' '.join(args)} exited {run.exit_code}, not {expect}:\n{run.output[-3000:]}")
    return run, sandbox.counters()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--agents", type=int, default=1000)
    parser.add_argument("--stores", type=int, default=100)
    parser.add_argument("--latency-ms", type=float, default=50.0)
    options = parser.parse_args()
    print(
        f"export of {options.agents} agents and {options.stores} vector stores (one file each) made through the API, "
        f"{options.latency_ms:g} ms per request; Python {sys.version.split()[0]}, load average {load_average()}",
        flush=True,
    )
    work = Path(tempfile.mkdtemp(prefix="assistplan-bench-export-"))
    sandbox = Sandbox(SRC, work)
    try:
        for index in range(options.agents):
            post(sandbox, "/agents", {"model": "gpt-5", "name": f"agent {index}", "tools": [LOOKUP]})
        file_id = upload(sandbox)
        for index in range(options.stores):
            post(sandbox, "/vector_stores", {"name": f"store {index}", "file_ids": [file_id]})
        root = work / "adopted"
        root.mkdir()
        (root / "assistplan.yaml").write_text(
            f"project: adopted\nopenai:\n  base_url: {sandbox.base_url}\n  api_key_env: {KEY_ENV}\n", encoding="utf-8"
        )
        sandbox.set_latency(options.latency_ms)
        pages = {"GET /agents": math.ceil(options.agents / 100), "GET /vector_stores": math.ceil(options.stores / 100)}
        pages["GET /vector_stores/{vector_store_id}/files"] = 2 * options.stores
        print(f"\n{'command':<34} {'wall s':>8} {'CPU s':>7} {'list calls':>11} {'reads':>6} {'writes':>7}")
        export, export_routes = measured(sandbox, ["export"], root, 0)
        (root / ".assistplan" / "state.json").unlink()
        plan, plan_routes = measured(sandbox, ["plan", "--detailed-exitcode"], root, 0)
        for label, run, routes in (("export", export, export_routes), ("plan (no state file)", plan, plan_routes)):
            lists, reads, writes = kinds_of_calls(routes)
            print(f"{label:<34} {run.seconds:>8.2f} {run.cpu:>7.2f} {lists:>11} {reads:>6} {writes:>7}", flush=True)
        print("\nthe export's GET requests by route, beside the floor where the benchmark's objects set it:")
        for route, count in sorted(export_routes.items()):
            if route.startswith("GET "):
                floor = pages.get(route, 1)
                print(f"  {route:<48} {count:>6}  floor {floor}")
    finally:
        sandbox.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    started = time.perf_counter()
    main()
    print(f"\nbenchmark took {time.perf_counter() - started:.0f} s; load average {load_average()}")
