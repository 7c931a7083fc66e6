"""The `flowise` group: work with the objects of the project's Flowise server."""

from __future__ import annotations

from pathlib import Path

import click

from assistplan.cli.common import var_options


@click.group()
def flowise() -> None:
    """Work with the objects of the project's Flowise server."""


@flowise.command("export-tools")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder inside the manifest root to write to (default: the manifest root).",
)
@click.option("--merge", is_flag=True, help="Skip what exists (declared addresses, files) instead of refusing.")
@var_options
@click.pass_context
def flowise_export_tools(
    ctx: click.Context, out: Path | None, merge: bool, var_pairs: tuple[str, ...], var_files: tuple[Path, ...]
) -> None:
    """Alias of `assistplan export --kind FlowiseTool`: FlowiseTool manifests (with their Functions and code) for
    the Flowise tools, adopted in the same step."""
    from assistplan.cli.export import export

    ctx.invoke(export, kinds=("FlowiseTool",), out=out, merge=merge, var_pairs=var_pairs, var_files=var_files)
