"""The `test` command: run the project's ConversationTest manifests against the deployed targets (or a sandbox
preview), print the report, and write JUnit XML and a Markdown section for CI."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from assistplan.cli.common import (
    color,
    engine_root,
    environment,
    errors_reported,
    fail,
    parse_vars,
    step_summary,
    var_options,
    workspace,
)
from assistplan.errors import AssistplanError

if TYPE_CHECKING:
    from assistplan.testing.model import ConversationResult, Report
    from assistplan.workflow import Workspace


@click.command("test")
@click.argument("names", nargs=-1)
@click.option(
    "--sandbox",
    "preview",
    is_flag=True,
    help="Apply the project to a throwaway embedded sandbox first and test there (the state is not used).",
)
@click.option("--junit", type=click.Path(dir_okay=False, path_type=Path), help="Write the results as JUnit XML.")
@click.option(
    "--markdown",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the results as a Markdown section (for the pull-request comment).",
)
@var_options
@click.pass_context
def test(
    ctx: click.Context,
    names: tuple[str, ...],
    preview: bool,
    junit: Path | None,
    markdown: Path | None,
    var_pairs: tuple[str, ...],
    var_files: tuple[Path, ...],
) -> None:
    """Hold the conversations of the ConversationTest manifests (all, or those NAMES) with what the state records
    and check every reply; exit 1 when any test fails."""
    from assistplan.testing.runner import Selection, run_tests

    def progress(result: ConversationResult) -> None:
        from assistplan.testing.report import render_result

        click.echo(render_result(result, color=color()), nl=False)

    with errors_reported():
        if preview:
            from assistplan.testing.preview import applied_to_sandbox, flowise_skipped

            connectors = (ctx.find_root().obj or {}).get("connectors")
            root, cli_vars = engine_root(ctx), parse_vars(var_pairs)
            with applied_to_sandbox(
                root, cli_vars=cli_vars, var_files=var_files, connectors=connectors, environment=environment(ctx)
            ) as (opened, state):
                if not _has_tests(opened, names):
                    return
                selection = Selection(names, skip=flowise_skipped)
                report = run_tests(opened, state, "a throwaway embedded sandbox", selection, progress)
        else:
            with workspace(ctx, var_pairs, var_files) as opened:
                if not _has_tests(opened, names):
                    return
                recorded = opened.load_state()
                if recorded is None:
                    fail(
                        ValueError(f"no state in {opened.root}: apply the project before testing it (or use --sandbox)")
                    )
                report = run_tests(opened, recorded, "the applied objects", Selection(names), progress)
    _finish(report, junit, markdown)


def _has_tests(opened: Workspace, names: tuple[str, ...]) -> bool:
    from assistplan.testing.runner import conversation_tests

    if conversation_tests(opened, names):
        return True
    click.echo("No conversation tests: the project has no ConversationTest manifests.")
    return False


def _finish(report: Report, junit: Path | None, markdown: Path | None) -> None:
    from assistplan.testing.junit import render_junit
    from assistplan.testing.markdown import render_markdown
    from assistplan.testing.report import summary

    click.echo()
    click.echo(summary(report))
    for path, render in ((junit, render_junit), (markdown, render_markdown)):
        if path is None:
            continue
        try:
            path.write_text(render(report), encoding="utf-8")
        except OSError as error:  # the results are printed above: say what could not be written, and fail
            fail(AssistplanError(f"cannot write the report to {path}: {error.strerror or error}"))
    step_summary(lambda: render_markdown(report))
    if report.failed:
        raise SystemExit(1)
