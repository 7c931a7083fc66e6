"""The `github` group: the plan comment on a pull request, for GitHub Actions."""

from __future__ import annotations

from pathlib import Path

import click

from assistplan.cli.common import commit_option, engine_root, errors_reported


@click.group()
def github() -> None:
    """GitHub Actions helpers: the plan comment on a pull request (GITHUB_TOKEN, GITHUB_REPOSITORY)."""


@github.command("comment")
@click.option(
    "--file",
    "path",
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="The comment: the output of `plan --format markdown` or `github failure-report`.",
)
@click.option("--pr", type=click.IntRange(min=1), help="Pull request number (default: the one in $GITHUB_EVENT_PATH).")
@click.option(
    "--author",
    default="github-actions[bot]",
    show_default=True,
    help="The account the token posts as: only its comments are updated.",
)
def github_comment(path: Path, pr: int | None, author: str) -> None:
    """Post the plan on a pull request, or update the comment posted before (found by its hidden marker line)."""
    import os

    from assistplan.github import client_from_env, pull_request_number, upsert_comment

    with errors_reported():
        number = pr or pull_request_number(os.environ)
        if number is None:
            raise click.UsageError("no pull request: pass --pr N (GITHUB_EVENT_PATH holds none)")
        posted = upsert_comment(client_from_env(os.environ), number, path.read_text(encoding="utf-8"), author=author)
    click.echo(f"Plan comment {posted.action} on pull request #{number}: {posted.comment.url}")


@github.command("failure-report")
@click.argument("log", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@commit_option
@click.pass_context
def github_failure_report(ctx: click.Context, log: Path, commit: str | None) -> None:
    """Print the plan comment for a failed plan: the errors in LOG, under the project's marker line."""
    from assistplan.github import failure_comment

    with errors_reported():
        project = _project_name(engine_root(ctx))
    click.echo(failure_comment(project, log.read_text(encoding="utf-8", errors="replace"), commit=commit), nl=False)


def _project_name(root: Path) -> str:
    """The `project` of ROOT/assistplan.yaml, read without the manifests (which may be what failed)."""
    import re

    import yaml

    from assistplan.github import GitHubError
    from assistplan.manifest.fields import PROJECT_PATTERN

    config = root / "assistplan.yaml"
    try:
        data = yaml.safe_load(config.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        raise GitHubError(f"cannot read the project name from {config}: {error}") from None
    project = data.get("project") if isinstance(data, dict) else None
    if not isinstance(project, str) or not re.match(PROJECT_PATTERN, project):
        raise GitHubError(f"{config} names no valid project, so there is no plan comment to update")
    return project
