"""The commands that work on the manifests alone: validate, schema and init."""

from __future__ import annotations

from pathlib import Path

import click

from assistplan.cli import collector
from assistplan.cli.common import (
    engine_root,
    environment,
    errors_reported,
    parse_vars,
    show_diagnostics,
    var_options,
)


@click.command()
@var_options
@click.pass_context
def validate(ctx: click.Context, var_pairs: tuple[str, ...], var_files: tuple[Path, ...]) -> None:
    """Render, parse, validate and resolve the manifests, reporting every error; no network."""
    from collections import Counter

    from assistplan.manifest import load_project

    where = engine_root(ctx)
    collector.pause()
    with errors_reported():
        project = load_project(where, cli_vars=parse_vars(var_pairs), var_files=var_files, environment=environment(ctx))
    collector.keep(project)
    if project.warnings:
        show_diagnostics(project.warnings)
    counts = Counter(address.kind for address in project.resources)
    summary = ", ".join(f"{number} {kind}" for kind, number in counts.items())
    total = len(project.resources)
    click.echo(
        f"The manifests in {where} are valid: project {project.config.project}"
        f"{f', environment {project.environment}' if project.environment else ''}, "
        f"{total} resource{'' if total == 1 else 's'}{f' ({summary})' if summary else ''}."
    )


@click.command()
@click.option("--config", "for_config", is_flag=True, help="The schema of assistplan.yaml instead of manifests.")
def schema(for_config: bool) -> None:
    """Print the JSON Schema of the manifest format, for editors (yaml-language-server)."""
    import json

    from assistplan.manifest.schema import config_schema, manifest_schema

    click.echo(json.dumps(config_schema() if for_config else manifest_schema(), indent=2))


@click.command()
@click.argument("directory", required=False, type=click.Path(file_okay=False, path_type=Path))
@click.pass_context
def init(ctx: click.Context, directory: Path | None) -> None:
    """Create a manifest root with a working example (DIRECTORY, else --chdir, else ./assistants)."""
    from assistplan.manifest.scaffold import write_scaffold

    target = directory or (ctx.obj or {}).get("chdir") or Path("assistants")
    with errors_reported():
        written = write_scaffold(target)
    ignored = {"created": " and a .gitignore", "appended": "; .assistplan/ added to the .gitignore", "kept": ""}
    click.echo(f"Created a manifest root in {target} ({written.files} files{ignored[written.gitignore]}). Next:")
    prefix = "" if target == Path("assistants") else f"--chdir {target} "
    click.echo(f"  assistplan {prefix}validate")
