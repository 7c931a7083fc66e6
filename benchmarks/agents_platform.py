"""A no-op plan of the whole Agents platform, one fresh process, at a fixed latency per request.

The project: `--agents` agents (every fifth with an MCP tool that names a VaultCredential), `--templates` environment
templates (packages, a network policy, an env variable from the environment, some naming a Skill), `--skills`
skills (small folders: SKILL.md and one or two files), `--vaults` vaults of `--credentials-per-vault` credentials
(static_bearer, mcp_oauth and environment_variable, every secret an `{env: NAME}` set in the child's environment)
and `--automations` periodic automations naming an agent, a template and a vault. It is applied once with no latency
by the CLI (setup, not measured); then `plan --detailed-exitcode` runs `--repeat` times at `--latency-ms` per
request with the state file the setup left and `--repeat` times without it (state, journal and backup removed), and
must exit 0 each time.

Printed: wall time, CPU (user + system), peak RSS and the API calls the sandbox counted, by route; the floor (one
list call per started page of each kind, at the page size the provider asks for, plus one credential list per
vault) and the calls above it. The sandbox, the measured child and the tree of code come from scale.py: the sandbox
runs in a process of its own, and the code measured is a copy of src/ taken when the script starts.

    .venv/bin/python benchmarks/agents_platform.py [--latency-ms 50] [--repeat 3] [--agents 200] [--templates 50]
        [--skills 20] [--vaults 20] [--credentials-per-vault 5] [--automations 50] [--timeout SECONDS]
"""

from __future__ import annotations

import argparse
import math
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from benchlib import KEY_ENV, load_average
from scale import (
    PLAN_PARALLELISM,
    REPO,
    Bench,
    BenchError,
    Measured,
    Project,
    Sandbox,
    Tree,
    interrupt,
    progress,
    setup_failed,
)

TARGET_SECONDS = 2.0
MCP_EVERY = 5  # every fifth agent calls an MCP server with a vault credential
SECRET_ENV = "ASSISTPLAN_BENCH_SECRET_{:03d}"
PAGE_SIZE_SNIPPET = "from assistplan.providers.openai import PAGE_SIZE; print(PAGE_SIZE)"
LISTS = {  # the list route of each kind, as the sandbox counts it
    "Agent": "GET /agents",
    "EnvironmentTemplate": "GET /agents/environments/templates",
    "Skill": "GET /skills",
    "Vault": "GET /vaults",
    "Automation": "GET /agents/automations",
}
CREDENTIAL_LIST = "GET /vaults/{vault_id}/credentials"
SKILL_CONTENT = "GET /skills/{skill_id}/versions/{version}/content"
WHY = {  # calls above the floor that the engine's design explains
    "GET /files": "EnvironmentTemplate reads File (a template's files name Files by id), so the refresh lists the "
    "project's uploads even when it has no File",
    SKILL_CONTENT: "skills carry no metadata: without a state that records them, each skill's newest bundle is "
    "downloaded once to read the marker file that proves it is this project's",
}
VARIANTS = {"state": "with the state file", "no-state": "without the state file"}


@dataclass
class Size:
    agents: int
    templates: int
    skills: int
    vaults: int
    credentials_per_vault: int
    automations: int

    @property
    def credentials(self) -> int:
        return self.vaults * self.credentials_per_vault

    @property
    def counts(self) -> dict[str, int]:
        """Objects of each listed kind."""
        return {
            "Agent": self.agents,
            "EnvironmentTemplate": self.templates,
            "Skill": self.skills,
            "Vault": self.vaults,
            "Automation": self.automations,
        }

    @property
    def documents(self) -> int:
        return sum(self.counts.values()) + self.credentials


@dataclass
class PlatformTree(Tree):
    """The current tree, with `secrets` credential secrets in the environment of the commands it runs."""

    secrets: int = 0

    def env(self) -> dict[str, str]:
        return {**super().env(), **{SECRET_ENV.format(i): f"bench-secret-{i:03d}" for i in range(self.secrets)}}


# --- the project ------------------------------------------------------------------------------------------------------


def credential(index: int, vault: int) -> tuple[str, str]:
    """The manifest of credential `index` in vault `vault` and its auth type: static_bearer, mcp_oauth and
    environment_variable in turn (MCP servers are called with the first two)."""
    name, secret = f"cred-{index:03d}", SECRET_ENV.format(index)
    url = f"https://mcp-{index:03d}.bench.example/mcp"
    kind = ("static_bearer", "mcp_oauth", "environment_variable")[index % 3]
    if kind == "static_bearer":
        auth = f"  type: static_bearer\n  mcp_server_url: {url}\n  token: {{env: {secret}}}\n"
    elif kind == "mcp_oauth":
        auth = f"  type: mcp_oauth\n  mcp_server_url: {url}\n  access_token: {{env: {secret}}}\n"
    else:
        auth = (
            f"  type: environment_variable\n  secret_name: BENCH_KEY_{index:03d}\n  secret_value: {{env: {secret}}}\n"
            f"  networking: {{type: limited, allowed_hosts: [api-{index:03d}.bench.example]}}\n"
        )
    return f"kind: VaultCredential\nname: {name}\nvault: vault-{vault:02d}\nauth:\n{auth}", kind


def write_platform(root: Path, name: str, base_url: str, size: Size) -> int:
    """The benchmark project in `root`, one file per kind; returns how many agents call an MCP server with a
    VaultCredential."""
    root.mkdir(parents=True)
    (root / "assistplan.yaml").write_text(
        f"project: {name}\nopenai:\n  base_url: {base_url}\n  api_key_env: {KEY_ENV}\n", encoding="utf-8"
    )
    skills = []
    for s in range(size.skills):
        folder = root / "skills" / f"skill-{s:02d}"
        folder.mkdir(parents=True)
        (folder / "SKILL.md").write_text(
            f"---\nname: bench-skill-{s:02d}\ndescription: Benchmark skill {s}.\n---\n\nRun calc.py.\n", "utf-8"
        )
        (folder / "calc.py").write_text(f"def value():\n    return {s}\n", "utf-8")
        if s % 2:
            (folder / "notes.md").write_text(f"# Skill {s}\n\nNotes.\n", "utf-8")
        skills.append(f"kind: Skill\nname: skill-{s:02d}\npath: skills/skill-{s:02d}\n")
    templates = []
    for t in range(size.templates):
        text = (
            f"kind: EnvironmentTemplate\nname: template-{t:02d}\npackages: {{python: [pandas, pkg-{t:02d}]}}\n"
            f"network: {{access: restricted, allowed_domains: [pypi.org]}}\n"
        )
        if size.credentials:
            text += f"env: {{WAREHOUSE_TOKEN: {{env: {SECRET_ENV.format(t % size.credentials)}}}}}\n"
        if size.skills and t % 2 == 0:
            version = ("", ", version: latest", ", version: 1")[t // 2 % 3]
            text += f"skills:\n  - {{skill: skill-{t // 2 % size.skills:02d}{version}}}\n"
        templates.append(text)
    vaults = [f"kind: Vault\nname: vault-{v:02d}\nmetadata: {{team: team-{v % 4}}}\n" for v in range(size.vaults)]
    credentials, mcp = [], []
    for c in range(size.credentials):
        text, kind = credential(c, c // size.credentials_per_vault)
        credentials.append(text)
        if kind != "environment_variable":
            mcp.append(c)
    agents, with_mcp = [], 0
    for a in range(size.agents):
        text = f"kind: Agent\nname: agent-{a:03d}\nmodel: gpt-5\ninstructions: You are benchmark agent {a}.\n"
        if mcp and a % MCP_EVERY == 0:
            c = mcp[a // MCP_EVERY % len(mcp)]
            text += (
                f"tools:\n  - type: mcp\n    server_label: tools\n    transport: {{type: http, server_url: "
                f"https://mcp-{c:03d}.bench.example/mcp}}\n    credential: cred-{c:03d}\n"
            )
            with_mcp += 1
        agents.append(text)
    automations = []
    for m in range(size.automations):
        text = (
            f"kind: Automation\nname: nightly-{m:02d}\nagent: agent-{m % max(1, size.agents):03d}\n"
            f'schedule: {{cron: "{m % 60} 3 * * *", timezone: Europe/Berlin}}\ninput: Write report {m}.\n'
        )
        if size.templates:
            text += f"environment_template: template-{m % size.templates:02d}\n"
        if size.vaults:
            text += f"vaults: [vault-{m % size.vaults:02d}]\n"
        automations.append(text)
    for file, docs in (
        ("skills.yaml", skills),
        ("templates.yaml", templates),
        ("vaults.yaml", vaults + credentials),
        ("agents.yaml", agents),
        ("automations.yaml", automations),
    ):
        (root / file).write_text("---\n".join(docs), encoding="utf-8")
    return with_mcp


# --- measuring --------------------------------------------------------------------------------------------------------


def page_size(tree: Tree) -> int:
    """The page size the tree's provider asks for when it lists (`limit`)."""
    found = subprocess.run(
        [sys.executable, "-c", PAGE_SIZE_SNIPPET], capture_output=True, text=True, env=tree.env(), check=False
    )
    if found.returncode != 0:
        raise BenchError(f"reading the provider's page size failed:\n{found.stderr[-2000:]}")
    return int(found.stdout)


def floor(size: Size, page: int) -> dict[str, int]:
    """The least calls a refresh can make: every started page of the listing of each kind the project uses (at
    least one), and one credential listing per vault (each of its started pages) when it has credentials."""
    calls = {LISTS[kind]: max(1, math.ceil(count / page)) for kind, count in size.counts.items() if count}
    if size.credentials:
        calls[CREDENTIAL_LIST] = size.vaults * math.ceil(size.credentials_per_vault / page)
    return calls


def rounds(size: Size, page: int) -> int:
    """Requests that must follow one another however many run at once: the pages of the longest listing, or the
    vaults' pages and then the credential listings, `PLAN_PARALLELISM` vaults at a time (plan's default)."""
    pages = max(math.ceil(count / page) for count in size.counts.values())
    if not size.credentials:
        return pages
    credential_pages = math.ceil(size.vaults / PLAN_PARALLELISM) * math.ceil(size.credentials_per_vault / page)
    return max(pages, math.ceil(size.vaults / page) + credential_pages)


def describe(route: str) -> str:
    """What a counted route is, in the terms of the floor."""
    kind = next((kind for kind, listing in LISTS.items() if listing == route), None)
    if kind is not None:
        return f"{kind}: list pages"
    if route == "GET /files":
        return "File: list pages"
    if route == CREDENTIAL_LIST:
        return "VaultCredential: list per vault"
    if route == SKILL_CONTENT:
        return "Skill: content download"
    if route.startswith("GET ") and route.endswith("}"):
        return "read by id"
    return "other"


def measure_variants(bench: Bench, tree: PlatformTree, project: Project, state: bytes) -> dict[str, list[Measured]]:
    """`--repeat` no-op plans with the state file and as many without it, taking turns."""
    results: dict[str, list[Measured]] = {variant: [] for variant in VARIANTS}
    for attempt in range(bench.options.repeat):
        for variant, description in VARIANTS.items():
            runs = results[variant]
            if any(run.problem for run in runs):
                continue
            if variant == "state":
                project.restore_state(state)
            else:
                project.remove_state()
            progress(f"no-op plan {description} ({attempt + 1}/{bench.options.repeat})")
            measured = bench.measure(tree, project, "plan", "--detailed-exitcode")
            bench.failed(measured, f"no-op plan {description}", " (2: it found changes)")
            runs.append(measured)
    return results


# --- report -----------------------------------------------------------------------------------------------------------


def med(values: list[float | None], digits: int = 2) -> str:
    """The median, or n/a when any value is unknown."""
    known = [value for value in values if value is not None]
    return f"{statistics.median(known):.{digits}f}" if known and len(known) == len(values) else "n/a"


def print_table(header: list[str], rows: list[list[str]], left: int = 1) -> None:
    """Columns padded to their widest cell: the first `left` aligned left, the others right."""
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    for row in [header, *rows]:
        cells = [cell.ljust(widths[i]) if i < left else cell.rjust(widths[i]) for i, cell in enumerate(row)]
        print("  " + "  ".join(cells).rstrip())


def report(results: dict[str, list[Measured]], size: Size, page: int, options: argparse.Namespace, load: str) -> None:
    least = floor(size, page)
    total_floor = sum(least.values())
    steps = rounds(size, page)
    listing = " + ".join(f"{kind} {least[route]}" for kind, route in LISTS.items() if route in least)
    print(
        f"\nNo-op plan --detailed-exitcode, one fresh process, {options.latency_ms:g} ms per request: median of "
        f"{options.repeat}; {load}.\n"
        f"floor: {total_floor} calls = list pages of {page} ({listing}) + {least.get(CREDENTIAL_LIST, 0)} "
        f"credential lists (one per vault); target: the floor, wall < {TARGET_SECONDS:g} s.\n"
        f"requests one after the other, at least: {steps} round(s) at plan's --parallelism {PLAN_PARALLELISM}, "
        f"{steps * options.latency_ms / 1000:.2f} s."
    )
    variants = [variant for variant in VARIANTS if results[variant]]
    cells: dict[str, dict[str, str]] = {}
    routes: set[str] = set(least)
    for variant in variants:
        runs = results[variant]
        routes.update(route for measured in runs for route in measured.routes)
        wall = statistics.median(measured.run.seconds for measured in runs)
        calls = statistics.median(measured.calls for measured in runs)
        proofs = statistics.median(measured.routes.get(SKILL_CONTENT, 0) for measured in runs)
        cells[variant] = {
            "wall s": f"{wall:.2f}",
            "CPU s": med([measured.run.cpu for measured in runs]),
            "peak RSS MB": med([measured.run.peak_rss_mb for measured in runs], 0),
            "sandbox CPU s": med([measured.sandbox_cpu for measured in runs]),
            "API calls": f"{calls:.0f}",
            "floor": str(total_floor),
            "skill ownership proofs": f"{proofs:.0f}",
            "other calls above it": f"{calls - total_floor - proofs:.0f}",
            "calls at the floor": "yes" if calls <= total_floor else "no",
            f"wall < {TARGET_SECONDS:g} s": "yes" if wall < TARGET_SECONDS else "no",
            "checks": next((measured.problem for measured in runs if measured.problem), "ok"),
        }
    names = [VARIANTS[variant] for variant in variants]
    figures = list(cells[variants[0]]) if variants else []
    rows = [[figure, *(cells[variant][figure] for variant in variants)] for figure in figures]
    print_table(["", *names], rows)
    print("\n  API calls by route (median):")
    order = {route: index for index, route in enumerate([*LISTS.values(), CREDENTIAL_LIST])}
    rows = []
    for route in sorted(routes, key=lambda route: (order.get(route, len(order)), route)):
        counts = [
            f"{statistics.median(measured.routes.get(route, 0) for measured in results[variant]):.0f}"
            for variant in variants
        ]
        rows.append([route, describe(route), *counts, str(least.get(route, 0))])
    print_table(["route", "what", *names, "floor"], rows, left=2)


def explain_extras(results: dict[str, list[Measured]], size: Size, page: int) -> None:
    """Say where the calls above the floor went, per variant."""
    least = floor(size, page)
    for variant, description in VARIANTS.items():
        runs = results[variant]
        if not runs:
            continue
        extra = {
            route: statistics.median(measured.routes.get(route, 0) for measured in runs) - least.get(route, 0)
            for route in {route for measured in runs for route in measured.routes} | set(least)
        }
        above = {route: count for route, count in extra.items() if count > 0}
        if above:
            listed = ", ".join(f"{count:.0f} x {route} ({describe(route)})" for route, count in sorted(above.items()))
            print(f"  {description}: above the floor: {listed}")
            for route in sorted(above):
                if route in WHY:
                    print(f"    {route}: {WHY[route]}")
        else:
            print(f"  {description}: no call above the floor")


# --- main -------------------------------------------------------------------------------------------------------------


def parse_options() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency-ms", type=float, default=50.0, help="added to every API request (default 50)")
    parser.add_argument("--repeat", type=int, choices=range(1, 21), default=3, metavar="N", help="plans of each kind")
    parser.add_argument("--agents", type=int, default=200, help="agents (default 200)")
    parser.add_argument("--templates", type=int, default=50, help="environment templates (default 50)")
    parser.add_argument("--skills", type=int, default=20, help="skills (default 20)")
    parser.add_argument("--vaults", type=int, default=20, help="vaults (default 20)")
    parser.add_argument("--credentials-per-vault", type=int, default=5, help="credentials in each vault (default 5)")
    parser.add_argument("--automations", type=int, default=50, help="periodic automations (default 50)")
    parser.add_argument("--timeout", type=float, default=None, metavar="SECONDS", help="kill a command running longer")
    options = parser.parse_args()
    counts = (options.agents, options.templates, options.skills, options.vaults, options.automations)
    if options.latency_ms < 0 or min(counts) < 0 or options.credentials_per_vault < 0:
        parser.error("counts and --latency-ms must not be negative")
    if options.automations and not options.agents:
        parser.error("automations need at least one agent")
    return options


def run(options: argparse.Namespace, work: Path) -> None:
    size = Size(
        options.agents,
        options.templates,
        options.skills,
        options.vaults,
        options.credentials_per_vault,
        options.automations,
    )
    # The current tree is copied as it is now, so that edits made while the benchmark runs do not mix in
    src = work / "now" / "src"
    shutil.copytree(REPO / "src", src, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    tree = PlatformTree("now", src, options.timeout, secrets=size.credentials)
    tree.check()
    page = page_size(tree)
    sandbox = Sandbox(tree.src, work)
    bench = Bench(sandbox, work, options)
    try:
        project = Project(work / "platform", "bench-platform", size.documents)
        with_mcp = write_platform(project.root, project.name, sandbox.base_url, size)
        print(
            f"project: {size.agents} agents ({with_mcp} with an MCP tool "
            f"naming a VaultCredential), {size.templates} environment templates, {size.skills} skills, "
            f"{size.vaults} vaults x {size.credentials_per_vault} credentials, {size.automations} periodic "
            f"automations: {size.documents} resources",
            flush=True,
        )
        progress("setting up (apply with no latency, not measured)")
        setup = bench.setup(tree, project)
        if setup_failed(bench, setup, project, "the platform project"):
            raise BenchError(bench.notes[-1])
        print(f"setup: apply with no latency, not measured: {setup.seconds:.1f} s", flush=True)
        state = project.state.read_bytes()
        start = load_average()
        results = measure_variants(bench, tree, project, state)
        load = f"load average {start} at the start, {load_average()} at the end"
    finally:
        sandbox.stop()
    report(results, size, page, options, load)
    explain_extras(results, size, page)
    if bench.notes:
        print()
        for number, note in enumerate(bench.notes, 1):
            print(f"  !{number} {note}")


def main() -> None:
    options = parse_options()
    signal.signal(signal.SIGTERM, interrupt)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    started = time.perf_counter()
    head = subprocess.run(
        ["git", "-C", str(REPO), "log", "-1", "--format=%h"], capture_output=True, text=True, check=False
    ).stdout.strip()
    print(
        f"assistplan, a no-op plan of the Agents platform: every command a fresh process (python -m assistplan); "
        f"sandbox in its own process, in memory. Code: a copy of {REPO / 'src'} at the start (HEAD {head or '?'} and "
        f"any uncommitted changes); Python {sys.version.split()[0]}, {os.cpu_count()} CPUs, "
        f"load average {load_average()}",
        flush=True,
    )
    work = Path(tempfile.mkdtemp(prefix="assistplan-bench-platform-"))
    try:
        run(options, work)
    except BenchError as error:
        sys.exit(f"agents_platform.py: {error}")
    except KeyboardInterrupt:
        sys.exit("agents_platform.py: interrupted; the sandbox and temporary folders are removed")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"\nbenchmark took {time.perf_counter() - started:.0f} s; load average {load_average()}")


if __name__ == "__main__":
    main()
