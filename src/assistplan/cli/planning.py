"""The commands that read or change the remote objects: plan, apply, destroy, show, import and output."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from assistplan.cli import collector
from assistplan.cli.apply_report import ApplyHooks, confirm, report
from assistplan.cli.common import (
    FORMATS,
    addresses,
    color,
    commit_option,
    complete_addresses,
    complete_recorded_addresses,
    errors_reported,
    fail,
    lock_option,
    parallelism_option,
    recorded_state,
    refresh_only_option,
    render,
    show_diagnostics,
    step_summary,
    var_options,
    workspace,
)

if TYPE_CHECKING:
    from collections.abc import Callable
    from concurrent.futures import Future

    from assistplan.apply.results import ApplyResult
    from assistplan.plan.model import Plan, PlanOptions
    from assistplan.workflow import Workspace

APPLY_PARALLELISM = parallelism_option(4, "How many actions (and list requests) run at once.")


def replace_option(fn: Any) -> Any:
    return click.option(
        "--replace",
        "replacing",
        multiple=True,
        metavar="ADDR",
        shell_complete=complete_addresses,
        help="Replace ADDR even if it could be updated in place: create the new object, point what refers to it at "
        "the new one, then delete the old one.",
    )(fn)


@click.command()
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Save the plan for `apply PLANFILE`.")
@click.option("--format", "fmt", type=FORMATS, default="text", show_default=True)
@click.option("--detailed-exitcode", is_flag=True, help="Exit 2 when there are changes or drift.")
@click.option(
    "--target",
    "targets",
    multiple=True,
    metavar="ADDR",
    shell_complete=complete_addresses,
    help="Plan only ADDR and what it needs: what it depends on (with --destroy: what depends on it), and the "
    "updates that point its dependents at it when it is replaced.",
)
@replace_option
@refresh_only_option
@click.option("--destroy", is_flag=True, help="Plan the deletion of everything the project owns.")
@parallelism_option(10, "How many list requests run at once while reading the live objects.")
@click.option(
    "--projects",
    "projects_path",
    type=click.Path(file_okay=False, path_type=Path),
    metavar="PATH",
    help="Plan every project under PATH (as `assistplan projects PATH` lists them, each in each of its "
    "environments; with --env, only that environment) in one run, listing each account's objects once for all of "
    "them, and print the plans together, one section per project.",
)
@click.option(
    "--changed-since",
    "ref",
    metavar="REF",
    help="With --projects: only the projects a change since REF touches (as `assistplan projects --changed-since`).",
)
@click.option(
    "--jobs",
    type=click.IntRange(1, 64),
    default=4,
    show_default=True,
    help="With --projects: how many projects are planned at once.",
)
@commit_option
@var_options
@lock_option
@click.pass_context
def plan(
    ctx: click.Context,
    out: Path | None,
    fmt: str,
    detailed_exitcode: bool,
    targets: tuple[str, ...],
    replacing: tuple[str, ...],
    refresh_only: bool,
    destroy: bool,
    parallelism: int,
    projects_path: Path | None,
    ref: str | None,
    jobs: int,
    commit: str | None,
    var_pairs: tuple[str, ...],
    var_files: tuple[Path, ...],
    lock_timeout: float,
) -> None:
    """Show what apply would change, field by field (with --projects, for every project under a folder)."""
    from assistplan.plan.model import PlanOptions

    if projects_path is None and ref is not None:
        raise click.UsageError("--changed-since chooses among the projects of --projects PATH: give --projects")
    if projects_path is not None:
        if out is not None or targets or replacing:
            raise click.UsageError(
                "--out, --target and --replace plan one project: they cannot be used with --projects"
            )
        from assistplan.cli.combined import plan_projects

        plan_projects(
            ctx,
            projects_path,
            ref,
            PlanOptions(destroy=destroy, refresh_only=refresh_only),
            fmt=fmt,
            detailed_exitcode=detailed_exitcode,
            jobs=jobs,
            parallelism=parallelism,
            commit=commit,
            var_pairs=var_pairs,
            var_files=var_files,
            lock_timeout=lock_timeout,
        )
    collector.pause()
    with errors_reported():
        with workspace(ctx, var_pairs, var_files, early_refresh=parallelism) as opened:
            if out is not None:
                _check_out(out, opened)
            options = PlanOptions(
                destroy=destroy,
                refresh_only=refresh_only,
                targets=addresses(targets),
                replace=addresses(replacing, "--replace"),
            )
            warnings = opened.project.warnings
            if warnings:
                show_diagnostics(warnings)
            with opened.lock("plan", lock_timeout):
                planned = opened.plan(options, parallelism, saving=out is not None)
                collector.keep(planned)
        click.echo(render(planned.plan, fmt, commit, warnings), nl=False)
        step_summary(lambda: render(planned.plan, "markdown", commit, warnings))
        if out is not None:
            from assistplan.plan.planfile import save_plan

            save_plan(planned.plan, out)
            click.echo(f"\nSaved the plan to: {out}\nTo apply exactly this plan, run: assistplan apply {out}", err=True)
    changed = planned.plan.has_changes or bool(planned.plan.drift)
    raise SystemExit(2 if detailed_exitcode and changed else 0)


def _check_out(out: Path, opened: Workspace) -> None:
    """Refuse a `--out` path that is one of the state's files, or that the next command would read as a manifest."""
    target = out.resolve()
    state = opened.store.path.resolve()
    kept = {state, *(state.with_name(state.name + end) for end in (".backup", ".journal", ".lock", ".lock.info"))}
    if target in kept:
        raise click.UsageError(f"--out {out}: that is one of the state's files; save the plan elsewhere")
    named = out.absolute().parent.resolve() / out.name  # where the loader looks, whatever a link there points to
    for path in (named, target):  # the path given, and the file a link there would have overwritten
        read = path.suffix in (".yaml", ".yml") and path.is_relative_to(opened.root)
        if read and not any(part.startswith(".") for part in path.relative_to(opened.root).parts):
            raise click.UsageError(
                f"--out {out}: a .yaml file in the manifest root is read as a manifest (or is one); save the plan "
                "elsewhere, plan.json for example"
            )


@click.command()
@click.argument("planfile", required=False, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--auto-approve", is_flag=True, help="Apply without asking.")
@click.option(
    "--target",
    "targets",
    multiple=True,
    metavar="ADDR",
    shell_complete=complete_addresses,
    help="Apply only ADDR and what it needs: what it depends on, and the updates that point its dependents at it "
    "when it is replaced.",
)
@replace_option
@refresh_only_option
@APPLY_PARALLELISM
@var_options
@lock_option
@click.pass_context
def apply(
    ctx: click.Context,
    planfile: Path | None,
    auto_approve: bool,
    targets: tuple[str, ...],
    replacing: tuple[str, ...],
    refresh_only: bool,
    parallelism: int,
    var_pairs: tuple[str, ...],
    var_files: tuple[Path, ...],
    lock_timeout: float,
) -> None:
    """Apply the changes (planning first, or exactly a saved PLANFILE)."""
    from assistplan.plan.model import PlanOptions

    given = [
        option
        for option, value in (
            ("--target", targets),
            ("--replace", replacing),
            ("--refresh-only", refresh_only),
        )
        if value
    ]
    if planfile is not None and given:
        raise click.UsageError(
            f"{', '.join(given)} would plan anew: a saved PLANFILE is applied exactly as it was planned, with the "
            "options it was planned with"
        )
    options = PlanOptions(
        refresh_only=refresh_only, targets=addresses(targets), replace=addresses(replacing, "--replace")
    )
    _plan_and_apply(ctx, planfile, auto_approve, options, parallelism, var_pairs, var_files, lock_timeout)


@click.command()
@click.option("--auto-approve", is_flag=True, help="Destroy without asking.")
@click.option(
    "--target",
    "targets",
    multiple=True,
    metavar="ADDR",
    shell_complete=complete_addresses,
    help="Destroy only ADDR and what depends on it (it cannot outlive ADDR).",
)
@APPLY_PARALLELISM
@var_options
@lock_option
@click.pass_context
def destroy(
    ctx: click.Context,
    auto_approve: bool,
    targets: tuple[str, ...],
    parallelism: int,
    var_pairs: tuple[str, ...],
    var_files: tuple[Path, ...],
    lock_timeout: float,
) -> None:
    """Delete every remote object the project owns (with --target, only those objects and what depends on them)."""
    from assistplan.plan.model import PlanOptions

    options = PlanOptions(destroy=True, targets=addresses(targets))
    _plan_and_apply(ctx, None, auto_approve, options, parallelism, var_pairs, var_files, lock_timeout)


def _plan_and_apply(
    ctx: click.Context,
    planfile: Path | None,
    auto_approve: bool,
    options: PlanOptions,
    parallelism: int,
    var_pairs: tuple[str, ...],
    var_files: tuple[Path, ...],
    lock_timeout: float,
) -> None:
    import sys

    from assistplan.errors import PlanError
    from assistplan.plan.planfile import check_fresh, load_plan
    from assistplan.plan.planner import check_prevent_destroy

    collector.pause()
    tty = sys.stderr.isatty()
    with (
        errors_reported(),
        workspace(ctx, var_pairs, var_files, early_refresh=parallelism) as opened,
        opened.lock("apply", lock_timeout),
    ):
        shown: Future[None] | None = None
        if planfile is not None:
            plan = load_plan(planfile)
            if plan.project != opened.name:
                whose = _whose(plan, opened)
                raise PlanError(f"{planfile} is a plan of {plan.project!r}, not of {opened.name!r}: {whose}")
            state = opened.load_state()
            # refreshed as the plan was: one made with no state file saw the objects as a plan without one does
            inventory = opened.refresh_for(None if plan.state_rebuilt else state, plan.options, parallelism)
            check_fresh(plan, state, opened.observed(inventory), inventory.id_to_address)
            check_prevent_destroy(plan.resource_changes, opened.protected())
            if state is None and plan.state_rebuilt:  # as the plan did: the state rebuilt from the live labels
                opened.rebuild_state(inventory, None)
            hooks = ApplyHooks(tty)
        else:
            if opened.project.warnings:
                show_diagnostics(opened.project.warnings)
            planned = opened.plan(options, parallelism)
            collector.keep(planned)
            plan, inventory, state = planned.plan, planned.inventory, planned.state
            unchanged = not plan.has_changes and not plan.drift and not options.refresh_only
            if unchanged or (not auto_approve and plan.has_changes):
                click.echo(render(plan, "text"), nl=False)
                if unchanged:
                    opened.store.compact()
                    step_summary(lambda: _apply_summary(opened.name, None, destroying=options.destroy))
                    return
                confirm(sys.stdin.isatty(), options.destroy, targeted=bool(options.targets))
                hooks = ApplyHooks(tty)
            else:
                hooks = ApplyHooks(tty, held=True)
                shown = _show_beside(plan, hooks)
        collector.resume()
        try:
            result = opened.apply(plan, inventory, hooks, parallelism)
        finally:
            failure = shown.exception() if shown is not None else None
        if failure is not None:
            raise failure
        collector.keep(result)
    step_summary(lambda: _apply_summary(opened.name, result, destroying=plan.options.destroy))
    report(result, plan.options.refresh_only, plan.options.destroy)


def _show_beside(plan: Plan, hooks: ApplyHooks) -> Future[None]:
    """Print the plan of an apply that asks for no confirmation while its actions already run: rendered in a child
    process on another CPU where one can be forked (see `assistplan.forked`; here, about 0.1 s for 1,000 creates and
    a second for 10,000), and printed by the thread that collects the child; else rendered and printed at once, before
    the actions start. `hooks` are released once it is printed, so the actions' lines follow the plan. The future
    settles when the plan is out."""
    import sys
    from concurrent.futures import Future

    from assistplan import forked

    styled = color()
    shown: Future[None] = Future()

    def rendered() -> str:
        return render(plan, "text", styled=styled)

    def show(text: Callable[[], str]) -> None:
        try:
            click.echo(text(), nl=False, color=styled)
        except BaseException as error:  # the future must settle, whatever happened
            shown.set_exception(error)
        else:
            shown.set_result(None)
        finally:
            hooks.release()

    sys.stdout.flush()  # nothing written so far is written twice by the child
    sys.stderr.flush()
    child = forked.start(rendered, "assistplan-plan-text")
    if child is None:
        show(rendered)
    else:
        child.future.add_done_callback(lambda done: show(lambda: _text_of(done, rendered)))
    return shown


def _text_of(done: Future[str], rendered: Callable[[], str]) -> str:
    """The child's text, or the plan rendered here when the child ended without one."""
    from assistplan import forked

    try:
        return done.result()
    except forked.ChildFailed:
        return rendered()


def _apply_summary(project: str, result: ApplyResult | None, *, destroying: bool) -> str:
    """The job summary of an apply or destroy (the GitHub modules are imported only when a summary is written)."""
    from assistplan.github.summary import apply_summary

    return apply_summary(project, result, destroying=destroying)


@click.command()
@click.argument("planfile", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=FORMATS, default="text", show_default=True)
@commit_option
def show(planfile: Path, fmt: str, commit: str | None) -> None:
    """Render a saved plan."""
    from assistplan.plan.planfile import load_plan

    with errors_reported():
        click.echo(render(load_plan(planfile), fmt, commit), nl=False)


@click.command(name="import")
@click.argument("address", shell_complete=complete_addresses)
@click.argument("remote_id")
@var_options
@lock_option
@click.pass_context
def import_(
    ctx: click.Context,
    address: str,
    remote_id: str,
    var_pairs: tuple[str, ...],
    var_files: tuple[Path, ...],
    lock_timeout: float,
) -> None:
    """Adopt an existing remote object as ADDRESS (stamps it with this project's labels)."""
    (target,) = addresses((address,), "'ADDRESS'")
    with errors_reported(), workspace(ctx, var_pairs, var_files) as opened, opened.lock("import", lock_timeout):
        record = opened.import_object(target, remote_id)
    click.echo(f"Imported {target} ({record.id}). Run `assistplan plan` to see how it differs from the manifest.")


@click.command()
@click.argument("address", required=False, shell_complete=complete_recorded_addresses)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.pass_context
def output(ctx: click.Context, address: str | None, fmt: str) -> None:
    """Remote ids by address, for application code; with ADDRESS, that address's remote id alone."""
    import json

    with errors_reported():
        state = recorded_state(ctx)
    if address is not None:
        from assistplan.addrs import Address

        try:
            wanted = Address.parse(address)
        except ValueError as exc:
            fail(exc)
        recorded = state.get(wanted)
        if recorded is None:
            fail(ValueError(f"{wanted} is not in the state (`assistplan state list` lists what is)"))
        click.echo(json.dumps(recorded.id) if fmt == "json" else recorded.id)
        return
    ids = {address: rs.id for address, rs in sorted(state.resources.items())}
    if fmt == "json":
        click.echo(json.dumps(ids, indent=2))
    else:
        for address, remote_id in ids.items():
            click.echo(f"{address} = {remote_id}")


def _whose(plan: Plan, opened: Workspace) -> str:
    """Where a saved plan of another project can be applied: an environment of this one, or another manifest root."""
    from assistplan.manifest.environments import identity

    config = opened.project.config
    matching = [name for name in sorted(config.environments) if identity(config, name) == plan.project]
    if matching:
        return f"apply it with --env {matching[0]}"
    return "apply it from the manifest root it was planned in"
