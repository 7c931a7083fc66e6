"""The `projects` command: the manifest roots under a folder, optionally only those a git change touches."""

from __future__ import annotations

import json
from pathlib import Path

import click

from assistplan.cli.common import errors_reported


@click.command()
@click.argument("path", type=click.Path(file_okay=False, path_type=Path), default=".")
@click.option(
    "--changed-since",
    "ref",
    metavar="REF",
    help="Only the projects a change since REF touches (committed since the merge base of REF and HEAD, changed in "
    "the working tree, or untracked): a file under the root, or a --var-file.",
)
@click.option(
    "--var-file",
    "var_files",
    multiple=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="A variable file every project is planned with: a change to it touches them all (repeatable).",
)
@click.option(
    "--max-depth",
    type=click.IntRange(min=0),
    help="Look at most this many folders below PATH (0: PATH itself).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help='json: a GitHub Actions matrix, {"include": [{"dir", "project", "environment"}]}.',
)
@click.pass_context
def projects(
    ctx: click.Context, path: Path, ref: str | None, var_files: tuple[Path, ...], max_depth: int | None, fmt: str
) -> None:
    """List the manifest roots (folders with assistplan.yaml) at or below PATH (default: .), one entry per project
    and environment (with --env, only that environment); hidden folders are skipped."""
    from assistplan.cli.combined import chosen_environment
    from assistplan.projects import changed_files, find_roots, matrix, touched

    with errors_reported():
        roots = find_roots(path, max_depth=max_depth)
        if ref is not None:
            roots = touched(roots, changed_files(path, ref), var_files)
        roots = chosen_environment(ctx, roots)
    entries = matrix(roots, Path.cwd())
    if fmt == "json":
        click.echo(json.dumps(entries))
        return
    for entry in entries["include"]:
        click.echo("\t".join(str(entry[key]) for key in ("dir", "project", "environment") if entry[key] is not None))
