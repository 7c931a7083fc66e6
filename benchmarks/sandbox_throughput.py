"""Sandbox throughput and start-up cost.

Prints requests per second for a simple GET (retrieve an agent) and POST (create an agent) from one client, through
the `openai` SDK and through a bare keep-alive HTTP connection (the server's own ceiling), with the data in memory and
in a SQLite file; then what starting the sandbox in-process adds to a CLI run (import, start, stop).

    .venv/bin/python benchmarks/sandbox_throughput.py [--requests N]
"""

from __future__ import annotations

import argparse
import http.client
import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

import openai

from assistplan.sandbox import API_KEY, SandboxServer, start_in_process

AGENTS_HEADERS = {"Authorization": f"Bearer {API_KEY}", "OpenAI-Beta": "agents=v1", "Content-Type": "application/json"}
START_SNIPPET = """
import sys, tempfile, time
started = time.perf_counter()
from assistplan.sandbox import start_for_project
imported = time.perf_counter()
server = start_for_project(tempfile.mkdtemp())
ready = time.perf_counter()
server.stop()
stopped = time.perf_counter()
print(imported - started, ready - imported, stopped - ready)
"""


def rate(count: int, action: Callable[[], object]) -> float:
    started = time.perf_counter()
    for _ in range(count):
        action()
    return count / (time.perf_counter() - started)


def sdk_rates(server: SandboxServer, count: int) -> tuple[float, float]:
    client = openai.OpenAI(base_url=server.base_url, api_key=API_KEY, max_retries=0)
    agent_id = client.beta.agents.create(model="gpt-5.1").id
    rate(20, lambda: client.beta.agents.retrieve(agent_id))
    get = rate(count, lambda: client.beta.agents.retrieve(agent_id))
    post = rate(count, lambda: client.beta.agents.create(model="gpt-5.1", name="bench"))
    client.close()
    return get, post


def raw_rates(server: SandboxServer, count: int) -> tuple[float, float]:
    url = urlsplit(server.url)
    connection = http.client.HTTPConnection(url.hostname or "127.0.0.1", url.port)
    body = json.dumps({"model": "gpt-5.1", "name": "bench"})

    def send(method: str, path: str, payload: str | None = None) -> bytes:
        connection.request(method, path, body=payload, headers=AGENTS_HEADERS)
        return connection.getresponse().read()

    agent_id = json.loads(send("POST", "/v1/agents", body))["id"]
    get = rate(count, lambda: send("GET", f"/v1/agents/{agent_id}"))
    post = rate(count, lambda: send("POST", "/v1/agents", body))
    connection.close()
    return get, post


def start_costs(runs: int) -> list[float]:
    samples = []
    for _ in range(runs):
        output = subprocess.run(
            [sys.executable, "-c", START_SNIPPET], capture_output=True, text=True, check=True
        ).stdout.split()
        samples.append([float(value) for value in output])
    return [statistics.median(column) for column in zip(*samples, strict=True)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=1000, help="requests per measurement")
    parser.add_argument("--start-runs", type=int, default=5, help="fresh processes for the start-up cost")
    options = parser.parse_args()

    print(f"{'storage':<8} {'client':<8} {'GET req/s':>10} {'POST req/s':>11}")
    with tempfile.TemporaryDirectory() as folder:
        for storage, db in (("memory", None), ("sqlite", Path(folder) / "bench.sqlite3")):
            with start_in_process(db) as server:
                for name, measure in (("sdk", sdk_rates), ("raw http", raw_rates)):
                    get, post = measure(server, options.requests)
                    print(f"{storage:<8} {name:<8} {get:>10.0f} {post:>11.0f}")

    imported, started, stopped = start_costs(options.start_runs)
    print()
    print(f"in-process start (median of {options.start_runs} fresh processes):")
    print(f"  import assistplan.sandbox  {imported * 1000:7.1f} ms")
    print(f"  start (bind, serve, ready) {started * 1000:7.1f} ms")
    print(f"  stop                       {stopped * 1000:7.1f} ms")
    print(f"  added to a CLI run         {(imported + started + stopped) * 1000:7.1f} ms")


if __name__ == "__main__":
    main()
