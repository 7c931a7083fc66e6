"""The `assistplan` command: click commands; the only module that prints or exits."""

from __future__ import annotations

from pathlib import Path

import click

from assistplan import __version__


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="assistplan")
@click.option(
    "--chdir",
    "chdir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Manifest root (default: ./assistants if it exists, else the current directory).",
)
@click.pass_context
def cli(ctx: click.Context, chdir: Path | None) -> None:
    """Plan and apply AI assistants, agents, vector stores and Flowise objects from YAML manifests."""
    ctx.obj = {"chdir": chdir}


def main() -> None:
    cli(prog_name="assistplan")
