"""`plan --projects PATH`: plan every project (and environment) under a folder in one run and print the plans
together, one section per project."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, NoReturn

import click

from assistplan.cli.common import (
    color,
    environment,
    errors_reported,
    high_impact_paths,
    parse_vars,
    show_diagnostics,
    step_summary,
    view_of,
)


def plan_projects(
    ctx: click.Context,
    path: Path,
    ref: str | None,
    options: Any,
    *,
    fmt: str,
    detailed_exitcode: bool,
    jobs: int,
    parallelism: int,
    commit: str | None,
    var_pairs: tuple[str, ...],
    var_files: tuple[Path, ...],
    lock_timeout: float,
) -> NoReturn:
    """Plan the projects under PATH (only those a change since REF touches, with REF) and exit: 1 when one could not
    be planned, else 2 with `detailed_exitcode` when one has changes or drift, else 0."""
    from assistplan import batch
    from assistplan.projects import changed_files, find_roots, touched
    from assistplan.render.combined import Section

    with errors_reported():
        roots = find_roots(path)
        if ref is not None:
            roots = touched(roots, changed_files(path, ref), var_files)
    chosen = batch.entries(roots, environment(ctx))
    outcomes = batch.plan_projects(
        chosen,
        options,
        parallelism=parallelism,
        jobs=jobs,
        lock_timeout=lock_timeout,
        cli_vars=parse_vars(var_pairs),
        var_files=var_files,
        connectors=(ctx.find_root().obj or {}).get("connectors"),
    )
    sections: list[Section] = []
    for outcome in outcomes:
        name, folder = outcome.entry.identity, _folder(outcome.entry.path)
        if outcome.warnings:
            show_diagnostics(outcome.warnings)
        if outcome.planned is None:
            click.secho(f"{name} ({folder}) could not be planned:", fg="red", err=True)
            errors = _errors(outcome.error)
            click.echo(errors, err=True, nl=False)
            sections.append(Section(name, folder, errors=errors))
        else:
            sections.append(Section(name, folder, view_of(outcome.planned.plan, fmt, commit, outcome.warnings)))
    click.echo(_render(sections, outcomes, fmt, commit, detailed_exitcode), nl=False)
    step_summary(lambda: _render(sections, outcomes, "markdown", commit, detailed_exitcode))
    codes = [_exit_code(outcome, detailed_exitcode) for outcome in outcomes]
    raise SystemExit(1 if 1 in codes else max(codes, default=0))


def _render(sections: list[Any], outcomes: list[Any], fmt: str, commit: str | None, detailed: bool) -> str:
    from assistplan.render.combined import render_combined_markdown, render_combined_text

    if fmt == "markdown":
        return render_combined_markdown(sections, commit=commit, high_impact_paths=high_impact_paths())
    if fmt == "json":
        from assistplan.plan.model import FORMAT_VERSION

        entries = [
            {
                "dir": section.folder,
                "project": outcome.entry.project,
                "environment": outcome.entry.environment,
                "exit_code": _exit_code(outcome, detailed),
                "plan": section.view,
                "errors": section.errors,
            }
            for section, outcome in zip(sections, outcomes, strict=True)
        ]
        return json.dumps({"format_version": FORMAT_VERSION, "projects": entries}, indent=2, sort_keys=True) + "\n"
    from assistplan.render.text import render_text

    texts = {s.name: render_text(s.view, color=color()) for s in sections if s.view is not None}
    return render_combined_text(sections, texts)


def _exit_code(outcome: Any, detailed: bool) -> int:
    """What `plan` of this project alone would exit with."""
    if outcome.planned is None:
        return 1
    return 2 if detailed and outcome.changed else 0


def _errors(error: Exception | None) -> str:
    """The errors of a project that could not be planned, as `plan` of it alone prints them (without colors)."""
    from assistplan.cli.common import _message, _read_lines
    from assistplan.errors import ManifestError
    from assistplan.redact import scrub
    from assistplan.render.diagnostics import render_diagnostics

    if isinstance(error, ManifestError):
        return render_diagnostics(error.diagnostics, _read_lines, color=False)
    return f"Error: {scrub(_message(error) if error is not None else 'no plan')}\n"


def _folder(path: Path) -> str:
    """A project's folder as the `projects` matrix names it: relative to the current directory when inside it."""
    cwd = Path.cwd().resolve()
    return path.relative_to(cwd).as_posix() if path.is_relative_to(cwd) else path.as_posix()
