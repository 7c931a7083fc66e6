"""The `graph` command: the manifests' dependency graph as DOT or Mermaid, optionally only what a plan changes."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from assistplan.cli.common import errors_reported, lock_option, var_options, workspace

if TYPE_CHECKING:
    from assistplan.plan.model import Plan


@click.command()
@click.option("--format", "fmt", type=click.Choice(["dot", "mermaid"]), default="dot", show_default=True)
@click.option(
    "--changed-only",
    is_flag=True,
    help="Only the resources a plan changes and what depends on them (plans against the live objects, or reads "
    "--plan).",
)
@click.option(
    "--plan",
    "planfile",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Mark the changes of this saved plan instead of planning.",
)
@var_options
@lock_option
@click.pass_context
def graph(
    ctx: click.Context,
    fmt: str,
    changed_only: bool,
    planfile: Path | None,
    var_pairs: tuple[str, ...],
    var_files: tuple[Path, ...],
    lock_timeout: float,
) -> None:
    """Print the dependency graph of the manifests: an arrow points from a resource to what depends on it.

    Reads no live object unless --changed-only is given without --plan."""
    from assistplan.plan.model import PlanOptions
    from assistplan.plan.planfile import load_plan
    from assistplan.render.graph import graph_of, reached, to_dot, to_mermaid

    with errors_reported(), workspace(ctx, var_pairs, var_files) as opened:
        depends_on: dict[str, list[str]] = {
            address: list(resource.depends_on) for address, resource in opened.project.resources.items()
        }
        plan: Plan | None = None
        if planfile is not None:
            plan = load_plan(planfile)
        elif changed_only:
            with opened.lock("graph", lock_timeout):
                plan = opened.plan(PlanOptions()).plan
    actions: dict[str, str] = {}
    if plan is not None:
        from assistplan.render.view import plan_view
        from assistplan.render.words import action_of, changed

        for rc in changed(plan_view(plan, noops=False)):
            actions[rc["address"]] = action_of(rc)
            depends_on.setdefault(rc["address"], list(rc["depends_on"]))
    drawn = graph_of(depends_on, actions)
    if changed_only:
        drawn = reached(drawn)
    click.echo(to_mermaid(drawn) if fmt == "mermaid" else to_dot(drawn), nl=False)
