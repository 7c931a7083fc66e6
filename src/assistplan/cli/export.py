"""The `export` command: manifests for live objects, adopted in the same step."""

from __future__ import annotations

from pathlib import Path

import click

from assistplan.cli.common import errors_reported, lock_option, parallelism_option, parse_vars, var_options, workspace


@click.command("export")
@click.option("--kind", "kinds", multiple=True, metavar="KIND", help="Export only this kind (repeatable).")
@click.option(
    "--name", "names", multiple=True, metavar="GLOB", help="Export only names matching this glob (repeatable)."
)
@click.option("--unowned", is_flag=True, help="Export only objects that no project manages.")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder inside the manifest root to write to (default: the manifest root).",
)
@click.option("--merge", is_flag=True, help="Skip what exists (declared addresses, files) instead of refusing.")
@click.option("--dry-run", is_flag=True, help="Show what would be written; write and adopt nothing.")
@parallelism_option(8, "How many requests run at once.")
@var_options
@lock_option
@click.pass_context
def export(
    ctx: click.Context,
    kinds: tuple[str, ...],
    names: tuple[str, ...],
    unowned: bool,
    out: Path | None,
    merge: bool,
    dry_run: bool,
    parallelism: int,
    var_pairs: tuple[str, ...],
    var_files: tuple[Path, ...],
    lock_timeout: float,
) -> None:
    """Write manifests for the live objects no other project manages, and adopt them: the next plan shows no
    changes. Never overwrites a file or duplicates an address the project has."""
    from assistplan.export import ExportOptions, Filters, run_export

    options = ExportOptions(
        filters=Filters(frozenset(kinds), names, unowned),
        out=out,
        merge=merge,
        dry_run=dry_run,
        parallelism=parallelism,
        cli_vars=parse_vars(var_pairs),
        var_files=var_files,
    )
    with errors_reported(), workspace(ctx, var_pairs, var_files) as opened, opened.lock("export", lock_timeout):
        result = run_export(opened, options)
    for reason in result.unserved:
        click.echo(f"Not exported: {reason}")
    verb = "Would write" if dry_run else "Wrote"
    for item in result.written:
        files = "".join(f", {path}" for path in item.exported.files)
        click.echo(f"{verb} {item.exported.path}{files} ({item.address})")
        for line in item.exported.comments:
            click.echo(f"  note: {line}")
    for skipped in result.skipped:
        click.echo(f"Skipped {skipped}: it exists")
    if not result.written:
        click.echo("Nothing to export.")
    elif result.adopted:
        count = len(result.adopted)
        click.echo(
            f"\nAdopted {count} object{'s' if count > 1 else ''}: this project manages "
            f"{'them' if count > 1 else 'it'} now, and the next plan shows no changes."
        )
    for address in result.differing:
        click.echo(f"Warning: {address} holds something its manifest cannot say; the next plan shows the difference.")
