"""The `sandbox` group: serve the built-in OpenAI-compatible sandbox."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import click

from assistplan.cli.common import not_nan

# assistplan.sandbox.profiles.PROFILES, spelled out so that the CLI does not import the server to build its help.
PROFILES = ("sandbox", "openai", "spec", "assistants-only")


@click.group()
def sandbox() -> None:
    """The built-in OpenAI-compatible sandbox (files, vector stores, assistants, agents)."""


def _named(ctx: click.Context, param: click.Parameter, value: str) -> str:
    """An interface named: an empty one would listen on every interface, which no one means by leaving it blank."""
    if not value.strip():
        raise click.BadParameter("name an interface (127.0.0.1, or 0.0.0.0 for every one)", ctx=ctx, param=param)
    return value


@sandbox.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, callback=_named, help="Interface to listen on.")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True, help="0 picks a free port.")
@click.option(
    "--db",
    "db_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="SQLite file to keep the data in (default: in memory, lost on exit).",
)
@click.option(
    "--latency-ms", type=click.FloatRange(min=0), callback=not_nan, default=0.0, help="Latency added to every request."
)
@click.option(
    "--fault-rate", type=click.FloatRange(0, 1), default=0.0, help="Share of requests that get an injected fault."
)
@click.option(
    "--fault-modes",
    default="429,500,drop,lost",
    show_default=True,
    help="Comma-separated faults to choose from: 429, 500, drop, lost, echo (a 400 quoting the key).",
)
@click.option("--seed", type=int, default=None, help="Seed for fault injection, so runs repeat.")
@click.option(
    "--profile",
    type=click.Choice(PROFILES),
    default=PROFILES[0],
    show_default=True,
    help="Behave like: the sandbox, the OpenAI platform, the OpenAPI spec, or a server without /agents.",
)
@click.option(
    "--indexing-delay-ms",
    type=click.FloatRange(min=0),
    callback=not_nan,
    default=100.0,
    show_default=True,
    help="How long a vector-store file stays in_progress.",
)
def sandbox_serve(
    host: str,
    port: int,
    db_path: Path | None,
    latency_ms: float,
    fault_rate: float,
    fault_modes: str,
    seed: int | None,
    profile: str,
    indexing_delay_ms: float,
) -> None:
    """Run the sandbox in the foreground; point any OpenAI client at it with OPENAI_BASE_URL."""
    from assistplan.sandbox import FaultConfig, serve

    if db_path is not None and db_path.exists() and not db_path.is_file():
        raise click.BadParameter(f"{db_path} is not a regular file", param_hint="--db")
    modes = tuple(mode.strip() for mode in fault_modes.split(",") if mode.strip())
    try:
        faults = FaultConfig(latency_ms=latency_ms, rate=fault_rate, modes=modes, seed=seed)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--fault-modes") from None

    def ready(base_url: str) -> None:
        click.echo(f"OpenAI sandbox listening on {base_url}")
        click.echo(f"  export OPENAI_BASE_URL={base_url} OPENAI_API_KEY=sk-sandbox")

    try:
        serve(
            host=host,
            port=port,
            db_path=db_path,
            indexing_delay=indexing_delay_ms / 1000.0,
            profile=profile,
            faults=faults,
            on_ready=ready,
        )
    except OSError as error:
        raise click.ClickException(f"cannot serve on {host}:{port}: {error.strerror or error}") from None
    except sqlite3.Error as error:
        raise click.ClickException(f"cannot keep the data in {db_path}: {error}") from None
