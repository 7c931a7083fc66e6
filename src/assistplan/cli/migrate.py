"""The `migrate` group: rewrite manifests of kinds on their way out into the kinds that replace them; no network."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from assistplan.cli.common import engine_root, environment, errors_reported, parse_vars, var_options


@click.group()
def migrate() -> None:
    """Rewrite manifests into the kinds that replace them (the old manifests stay until you delete them)."""


def _options(fn: Any) -> Any:
    fn = click.option(
        "--report",
        "report_file",
        type=click.Path(dir_okay=False, path_type=Path),
        help="Also write the report as Markdown to this file (never overwritten).",
    )(fn)
    fn = click.option(
        "--in-place",
        is_flag=True,
        help="Replace each migrated document in its own file instead of writing new files.",
    )(fn)
    fn = click.option(
        "--out",
        type=click.Path(file_okay=False, path_type=Path),
        help="Folder for the new manifests, inside the manifest root (default: each migrated manifest's folder).",
    )(fn)
    return var_options(fn)


@migrate.command("assistants-to-agents")
@_options
@click.pass_context
def assistants_to_agents(
    ctx: click.Context,
    out: Path | None,
    in_place: bool,
    report_file: Path | None,
    var_pairs: tuple[str, ...],
    var_files: tuple[Path, ...],
) -> None:
    """Write an Agent (and an EnvironmentTemplate where code ran) for each Assistant manifest, and a report."""
    from assistplan.migrate.assistants import migrate_assistants

    _run(ctx, migrate_assistants, out, in_place, report_file, var_pairs, var_files)


@migrate.command("flowise-openai-to-custom")
@_options
@click.pass_context
def flowise_openai_to_custom(
    ctx: click.Context,
    out: Path | None,
    in_place: bool,
    report_file: Path | None,
    var_pairs: tuple[str, ...],
    var_files: tuple[Path, ...],
) -> None:
    """Write a CUSTOM FlowiseAssistant (and FlowiseTools) for each OPENAI one, and a report."""
    from assistplan.migrate.flowise import migrate_flowise

    _run(ctx, migrate_flowise, out, in_place, report_file, var_pairs, var_files)


def _run(
    ctx: click.Context,
    migration: Callable[..., Any],
    out: Path | None,
    in_place: bool,
    report_file: Path | None,
    var_pairs: tuple[str, ...],
    var_files: tuple[Path, ...],
) -> None:
    from assistplan.errors import AssistplanError
    from assistplan.manifest import load_project
    from assistplan.migrate.report import render_markdown, render_text

    if in_place and out is not None:
        raise click.UsageError("--in-place and --out cannot be used together")
    with errors_reported():
        project = load_project(
            engine_root(ctx), cli_vars=parse_vars(var_pairs), var_files=var_files, environment=environment(ctx)
        )
        if out is not None and not out.resolve().is_relative_to(project.root):
            raise AssistplanError(
                f"--out {out} is outside the manifest root {project.root}: the new manifests "
                "would not be part of the project"
            )
        output, report = migration(project, out=out, in_place=in_place)
        extra = {report_file.resolve(): render_markdown(report)} if report_file is not None and report.migrated else {}
        written = output.write(extra)
    click.echo(render_text(report), nl=False)
    if written:
        click.echo("\nWrote " + ", ".join(_shown(path) for path in written))


def _shown(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)
