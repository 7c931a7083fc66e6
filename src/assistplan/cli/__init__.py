"""The `assistplan` command: the root click group and its subcommands; the only package that prints or exits."""

from __future__ import annotations

from pathlib import Path

import click

from assistplan import __version__
from assistplan.cli import flowise, github, manifests, planning, sandbox, state


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


cli.add_command(manifests.validate)
cli.add_command(manifests.schema)
cli.add_command(manifests.init)
cli.add_command(planning.plan)
cli.add_command(planning.apply)
cli.add_command(planning.destroy)
cli.add_command(planning.show)
cli.add_command(planning.import_)
cli.add_command(planning.output)
cli.add_command(state.state)
cli.add_command(sandbox.sandbox)
cli.add_command(github.github)
cli.add_command(flowise.flowise)


def main() -> None:
    cli(prog_name="assistplan")
