"""`plan --projects PATH`: plan every project (and environment) under a folder in one run and print the plans
together, one section per project."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import click

from assistplan.cli.common import (
    annotate,
    color,
    environment,
    error_text,
    errors_reported,
    high_impact_paths,
    parse_vars,
    show_diagnostics,
    step_summary,
    view_of,
)

if TYPE_CHECKING:
    from assistplan.batch import Outcome
    from assistplan.plan.model import PlanOptions
    from assistplan.projects import Root
    from assistplan.render.combined import Section


def plan_projects(
    ctx: click.Context,
    path: Path,
    ref: str | None,
    options: PlanOptions,
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
    """Plan the projects under PATH (relative to --chdir when given; only those a change since REF touches, with
    REF) and exit: 1 when one could not
    be planned, else 2 with `detailed_exitcode` when one has changes or drift, else 0."""
    from assistplan import batch
    from assistplan.projects import changed_files, find_roots, touched
    from assistplan.render.combined import Section

    chdir = (ctx.find_root().obj or {}).get("chdir")
    if chdir is not None:
        path = Path(chdir) / path
    with errors_reported():
        roots = find_roots(path)
        if ref is not None:
            roots = touched(roots, changed_files(path, ref), var_files)
        roots = chosen_environment(ctx, roots)
    chosen = batch.entries(roots)
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
            error = _reported(name, outcome.error)
            click.echo(error_text(error, color=color()), err=True, nl=False)
            annotate(error)
            sections.append(Section(name, folder, errors=error_text(error, color=False)))
        else:
            sections.append(Section(name, folder, view_of(outcome.planned.plan, fmt, commit, outcome.warnings)))
    click.echo(_render(sections, outcomes, fmt, commit, detailed_exitcode), nl=False)
    step_summary(lambda: _render(sections, outcomes, "markdown", commit, detailed_exitcode))
    codes = [_exit_code(outcome, detailed_exitcode) for outcome in outcomes]
    raise SystemExit(1 if 1 in codes else max(codes, default=0))


def chosen_environment(ctx: click.Context, roots: Sequence[Root]) -> list[Root]:
    """With --env (or ASSISTPLAN_ENV), the roots that declare that environment, in it alone, the others named on
    standard error as left out; an error when no root declares it. Without, the roots as they are."""
    from assistplan.projects import in_environment

    name = environment(ctx)
    if name is None:
        return list(roots)
    chosen, skipped = in_environment(roots, name)
    for root in skipped:
        click.echo(f'{root.project} ({_folder(root.path)}) is left out: it declares no environment "{name}"', err=True)
    return chosen


def _render(sections: list[Section], outcomes: list[Outcome], fmt: str, commit: str | None, detailed: bool) -> str:
    from assistplan.render.combined import render_combined_markdown, render_combined_text

    if fmt == "markdown":
        paths = high_impact_paths(section.view for section in sections if section.view is not None)
        return render_combined_markdown(sections, commit=commit, high_impact_paths=paths)
    if fmt == "json":
        from assistplan.plan.model import FORMAT_VERSION
        from assistplan.render.json import render_json

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
        return render_json({"format_version": FORMAT_VERSION, "projects": entries})
    from assistplan.render.text import render_text

    texts = {s.name: render_text(s.view, color=color()) for s in sections if s.view is not None}
    return render_combined_text(sections, texts)


def _exit_code(outcome: Outcome, detailed: bool) -> int:
    """What `plan` of this project alone would exit with."""
    if outcome.planned is None:
        return 1
    return 2 if detailed and outcome.changed else 0


def _reported(name: str, error: Exception | None) -> Exception:
    """The error to report for a project with no plan: its own when it is assistplan's kind of error, else an
    internal error naming the project and the exception's type."""
    from assistplan.errors import AssistplanError

    if isinstance(error, AssistplanError):
        return error
    if error is None:
        return AssistplanError(f"no plan for {name}")
    detail = str(error.args[0]) if isinstance(error, KeyError) and len(error.args) == 1 else str(error)
    return AssistplanError(f"internal error planning {name}: {type(error).__name__}: {detail}")


def _folder(path: Path) -> str:
    """A project's folder as the `projects` matrix names it: relative to the current directory when inside it."""
    cwd = Path.cwd().resolve()
    return path.relative_to(cwd).as_posix() if path.is_relative_to(cwd) else path.as_posix()
