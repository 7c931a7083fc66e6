"""The `github` group: the plan comment on a pull request and the drift issue, for GitHub Actions."""

from __future__ import annotations

import os
from pathlib import Path

import click

from assistplan.cli.common import commit_option, engine_root, errors_reported


@click.group()
def github() -> None:
    """GitHub Actions helpers: the plan comment on a pull request, the drift issue (GITHUB_TOKEN, GITHUB_REPOSITORY).

    With an environment chosen (--env NAME or ASSISTPLAN_ENV), the comment and the issue are that environment's."""


def _environment(ctx: click.Context) -> str | None:
    """The environment chosen for the command (--env NAME before the command, or ASSISTPLAN_ENV)."""
    chosen = (ctx.find_root().obj or {}).get("environment")
    return str(chosen) if chosen else None


author_option = click.option(
    "--author",
    default="github-actions[bot]",
    show_default=True,
    help="The account the token posts as: only its comments and issues are updated.",
)


@github.command("comment")
@click.option(
    "--file",
    "path",
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="The comment: the output of `plan --format markdown` or `github failure-report`.",
)
@click.option("--pr", type=click.IntRange(min=1), help="Pull request number (default: the one in $GITHUB_EVENT_PATH).")
@author_option
@click.pass_context
def github_comment(ctx: click.Context, path: Path, pr: int | None, author: str) -> None:
    """Post the plan on a pull request, or update the comment posted before (found by its hidden marker line)."""
    from assistplan.github import client_from_env, for_environment, pull_request_number, upsert_comment
    from assistplan.github.comments import read_input

    with errors_reported():
        number = pr or pull_request_number(os.environ)
        if number is None:
            raise click.UsageError("no pull request: pass --pr N (GITHUB_EVENT_PATH holds none)")
        body = for_environment(read_input(path, "the comment file"), _environment(ctx))
        posted = upsert_comment(client_from_env(os.environ), number, body, author=author)
    click.echo(f"Plan comment {posted.action} on pull request #{number}: {posted.comment.url}")


@github.command("drift-issue")
@click.option(
    "--file",
    "path",
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="The output of `plan --refresh-only --format markdown`.",
)
@click.option(
    "--resolved",
    is_flag=True,
    help="The plan found no drift: close the project's open drift issue, if any (exit status 0 of "
    "`plan --refresh-only --detailed-exitcode`).",
)
@author_option
@commit_option
@click.pass_context
def github_drift_issue(ctx: click.Context, path: Path, resolved: bool, author: str, commit: str | None) -> None:
    """Open an issue with the drift a refresh-only plan found, or update the one still open (one per project and
    environment, found by its hidden marker line); with --resolved, or a plan that found no drift, close it."""
    from assistplan.github import client_from_env, for_environment, report_drift, resolve_drift
    from assistplan.github.comments import read_input

    with errors_reported():
        body = for_environment(read_input(path, "the drift report"), _environment(ctx))
        client = client_from_env(os.environ)
        if resolved:
            done = resolve_drift(client, body, author=author, commit=commit)
        else:
            done = report_drift(client, body, author=author, commit=commit)
    if done.issue is None:
        click.echo("No drift, and no drift issue open.")
    else:
        click.echo(f"Drift issue #{done.issue.number} {done.action}: {done.issue.url}")


@github.command("failure-report")
@click.argument("log", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--projects",
    "several",
    is_flag=True,
    help="The comment on several projects (`plan --projects`), for a run that failed before planning any.",
)
@commit_option
@click.pass_context
def github_failure_report(ctx: click.Context, log: Path, several: bool, commit: str | None) -> None:
    """Print the plan comment for a failed plan: the errors in LOG, under the project's marker line (with --projects,
    under the marker of the comment on several projects)."""
    from assistplan.github import failure_comment, for_environment, projects_failure_comment
    from assistplan.github.comments import read_input
    from assistplan.projects import project_name

    with errors_reported():
        logged = read_input(log, "the log", errors="replace")
        if several:
            click.echo(projects_failure_comment(logged, commit=commit), nl=False)
            return
        project = project_name(engine_root(ctx))
    report = failure_comment(project, logged, commit=commit)
    click.echo(for_environment(report, _environment(ctx)), nl=False)
