"""The `flowise` group: work with the objects of the project's Flowise server."""

from __future__ import annotations

from pathlib import Path

import click

from assistplan.cli.common import errors_reported, var_options, workspace


@click.group()
def flowise() -> None:
    """Work with the objects of the project's Flowise server."""


@flowise.command("export-tools")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for the manifests and code files (default: the manifest root).",
)
@var_options
@click.pass_context
def flowise_export_tools(
    ctx: click.Context, out: Path | None, var_pairs: tuple[str, ...], var_files: tuple[Path, ...]
) -> None:
    """Write Function and FlowiseTool manifests for the Flowise tools this project does not manage yet."""
    from assistplan.flowise_export import export_tools

    with errors_reported(), workspace(ctx, var_pairs, var_files) as opened:
        exported = export_tools(opened.provider("flowise"), out or opened.root, opened.name)
    for tool in exported:
        click.echo(f"Wrote {tool.manifest} and {tool.code}")
    if exported:
        click.echo("\nTo manage these tools from the manifests, adopt them:")
        for tool in exported:
            click.echo(f"  assistplan import {tool.address} {tool.remote_id}")
    else:
        click.echo("No Flowise tools to export.")
