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
    from assistplan.manifest.scaffold import scaffold_files

    target = directory or (ctx.obj or {}).get("chdir") or Path("assistants")
    planned = scaffold_files(target)
    existing = [path for path, _ in planned if path.exists()]
    if existing:
        names = "\n".join(f"  {path}" for path in existing)
        click.secho(f"Error: init never overwrites files, and these exist already:\n{names}", fg="red", err=True)
        raise SystemExit(1)
    for path, content in planned:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    ignored = _ignore_local_files(target / ".gitignore")
    click.echo(f"Created a manifest root in {target} ({len(planned)} files{ignored}). Next:")
    prefix = "" if target == Path("assistants") else f"--chdir {target} "
    click.echo(f"  assistplan {prefix}validate")


GITIGNORE = (
    "# assistplan's local files: the state (with its backup, journal and lock) and the sandbox's database\n",
    ".assistplan/\n",
)
"""What `init` puts in the manifest root's `.gitignore`: the comment, then the pattern."""


def _ignore_local_files(path: Path) -> str:
    """Write `path` with GITIGNORE, or append the pattern to an existing file that lacks it; never rewrite a line.
    Returns how the closing message mentions it."""
    if not path.exists():
        path.write_text("".join(GITIGNORE), encoding="utf-8")
        return " and a .gitignore"
    text = path.read_text(encoding="utf-8")
    if {line.strip() for line in text.splitlines()} & {".assistplan", ".assistplan/", "/.assistplan", "/.assistplan/"}:
        return ""
    separator = "" if not text or text.endswith("\n") else "\n"
    with path.open("a", encoding="utf-8") as existing:
        existing.write(separator + "".join(GITIGNORE))
    return "; .assistplan/ added to the .gitignore"
