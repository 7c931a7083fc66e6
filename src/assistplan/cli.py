"""The `assistplan` command: click commands; the only module that prints or exits."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from assistplan import __version__


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="assistplan")
@click.option(
    "--chdir",
    "chdir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Manifest root (default: ./assistants if it exists, else the current directory).",
)
@click.pass_context
def cli(ctx: click.Context, chdir: Path | None) -> None:
    """Plan and apply AI assistants, agents, vector stores and Flowise objects from YAML manifests."""
    ctx.obj = {"chdir": chdir}


@cli.group()
def sandbox() -> None:
    """The built-in OpenAI-compatible sandbox (files, vector stores, assistants, agents)."""


@sandbox.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True, help="0 picks a free port.")
@click.option(
    "--db",
    "db_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="SQLite file to keep the data in (default: in memory, lost on exit).",
)
@click.option("--latency-ms", type=click.FloatRange(min=0), default=0.0, help="Latency added to every request.")
@click.option(
    "--fault-rate", type=click.FloatRange(0, 1), default=0.0, help="Share of requests that get an injected fault."
)
@click.option(
    "--fault-modes",
    default="429,500,drop,lost",
    show_default=True,
    help="Comma-separated faults to choose from: 429, 500, drop, lost.",
)
@click.option("--seed", type=int, default=None, help="Seed for fault injection, so runs repeat.")
@click.option(
    "--indexing-delay-ms",
    type=click.FloatRange(min=0),
    default=100.0,
    show_default=True,
    help="How long a vector-store file stays in_progress.",
)
def sandbox_serve(
    host: str,
    port: int,
    db_path: Path | None,
    latency_ms: float,
    fault_rate: float,
    fault_modes: str,
    seed: int | None,
    indexing_delay_ms: float,
) -> None:
    """Run the sandbox in the foreground; point any OpenAI client at it with OPENAI_BASE_URL."""
    from assistplan.sandbox import FaultConfig, serve

    modes = tuple(mode.strip() for mode in fault_modes.split(",") if mode.strip())
    try:
        faults = FaultConfig(latency_ms=latency_ms, rate=fault_rate, modes=modes, seed=seed)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--fault-modes") from None

    def ready(base_url: str) -> None:
        click.echo(f"OpenAI sandbox listening on {base_url}")
        click.echo(f"  export OPENAI_BASE_URL={base_url} OPENAI_API_KEY=sk-sandbox")

    try:
        serve(
            host=host,
            port=port,
            db_path=db_path,
            indexing_delay=indexing_delay_ms / 1000.0,
            faults=faults,
            on_ready=ready,
        )
    except OSError as error:
        raise click.ClickException(f"cannot serve on {host}:{port}: {error.strerror or error}") from None


# --- plan, apply and state commands ---------------------------------------------------------------------------------

FORMATS = click.Choice(["text", "markdown", "json"])


def _engine_root(ctx: click.Context) -> Path:
    chdir = (ctx.obj or {}).get("chdir")
    if chdir is not None:
        return Path(chdir)
    default = Path("assistants")
    return default if (default / "assistplan.yaml").is_file() else Path(".")


def _parse_vars(pairs: tuple[str, ...]) -> dict[str, str]:
    out = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise click.BadParameter(f"expected K=V, got {pair!r}", param_hint="--var")
        out[key] = value
    return out


def _var_options(fn: Any) -> Any:
    fn = click.option("--var", "var_pairs", multiple=True, metavar="K=V", help="Set a template variable.")(fn)
    return click.option(
        "--var-file",
        "var_files",
        multiple=True,
        type=click.Path(exists=True, dir_okay=False, path_type=Path),
        help="Read template variables from a YAML file.",
    )(fn)


def _lock_option(fn: Any) -> Any:
    return click.option(
        "--lock-timeout",
        type=float,
        default=0.0,
        show_default=True,
        help="Seconds to wait for the state lock held by another run.",
    )(fn)


def _open_workspace(ctx: click.Context, var_pairs: tuple[str, ...] = (), var_files: tuple[Path, ...] = ()) -> Any:
    from assistplan.workflow import Workspace

    return Workspace(_engine_root(ctx), cli_vars=_parse_vars(var_pairs), var_files=var_files)


def _color(stream: Any = None) -> bool:
    import os
    import sys

    return "NO_COLOR" not in os.environ and (stream or sys.stdout).isatty()


def _render(plan: Any, fmt: str, commit: str | None = None) -> str:
    from assistplan.render import plan_view, render_json, render_markdown, render_text

    view = plan_view(plan, commit=commit)
    if fmt == "json":
        return render_json(view)
    if fmt == "markdown":
        return render_markdown(view)
    return render_text(view, color=_color())


def _commit_option(fn: Any) -> Any:
    return click.option(
        "--commit",
        envvar="GITHUB_SHA",
        metavar="SHA",
        help="Commit named in the Markdown footer and the JSON (default: $GITHUB_SHA).",
    )(fn)


def _step_summary(markdown: Callable[[], str]) -> None:
    """Append `markdown()` to the GitHub Actions job summary when GITHUB_STEP_SUMMARY is set."""
    import os

    if os.environ.get("GITHUB_STEP_SUMMARY"):
        from assistplan.github import append_step_summary

        append_step_summary(markdown(), os.environ)


def _fail(error: Exception) -> None:
    from assistplan.errors import ManifestError

    if isinstance(error, ManifestError):
        from assistplan.render.diagnostics import render_diagnostics

        click.echo(render_diagnostics(error.diagnostics, _read_lines, color=_color()), err=True, nl=False)
    else:
        click.secho(f"Error: {error}", fg="red", err=True)
    raise SystemExit(1)


def _read_lines(name: str) -> list[str] | None:
    try:
        return Path(name).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return None


@contextmanager
def _errors_reported() -> Iterator[None]:
    from assistplan.errors import AssistplanError

    try:
        yield
    except AssistplanError as error:
        _fail(error)


# --- validate, schema, init -----------------------------------------------------------------------------------------


def _load(ctx: click.Context, var_pairs: tuple[str, ...], var_files: tuple[Path, ...]) -> Any:
    """The project at the manifest root (see `_engine_root`), or exit 1 with every manifest error printed."""
    from assistplan.manifest import load_project

    with _errors_reported():
        return load_project(_engine_root(ctx), cli_vars=_parse_vars(var_pairs), var_files=var_files)


@cli.command()
@_var_options
@click.pass_context
def validate(ctx: click.Context, var_pairs: tuple[str, ...], var_files: tuple[Path, ...]) -> None:
    """Render, parse, validate and resolve the manifests, reporting every error; no network."""
    from collections import Counter

    project = _load(ctx, var_pairs, var_files)
    counts = Counter(address.kind for address in project.resources)
    summary = ", ".join(f"{number} {kind}" for kind, number in counts.items())
    total = len(project.resources)
    where = _engine_root(ctx)
    click.echo(
        f"The manifests in {where} are valid: project {project.config.project}, "
        f"{total} resource{'' if total == 1 else 's'}{f' ({summary})' if summary else ''}."
    )


@cli.command()
@click.option("--config", "for_config", is_flag=True, help="The schema of assistplan.yaml instead of manifests.")
def schema(for_config: bool) -> None:
    """Print the JSON Schema of the manifest format, for editors (yaml-language-server)."""
    import json

    from assistplan.manifest.schema import config_schema, manifest_schema

    click.echo(json.dumps(config_schema() if for_config else manifest_schema(), indent=2))


@cli.command()
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
    click.echo(f"Created a manifest root in {target} ({len(planned)} files). Next:")
    prefix = "" if target == Path("assistants") else f"--chdir {target} "
    click.echo(f"  assistplan {prefix}validate")


@cli.command()
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Save the plan for `apply PLANFILE`.")
@click.option("--format", "fmt", type=FORMATS, default="text", show_default=True)
@click.option("--detailed-exitcode", is_flag=True, help="Exit 2 when there are changes or drift.")
@click.option("--target", "targets", multiple=True, metavar="ADDR", help="Plan only ADDR and what it depends on.")
@click.option("--refresh-only", is_flag=True, help="Only bring the state up to date with the live objects.")
@click.option("--destroy", is_flag=True, help="Plan the deletion of everything the project owns.")
@click.option(
    "--parallelism",
    type=click.IntRange(1, 64),
    default=10,
    show_default=True,
    help="How many list requests run at once while reading the live objects.",
)
@_commit_option
@_var_options
@_lock_option
@click.pass_context
def plan(
    ctx: click.Context,
    out: Path | None,
    fmt: str,
    detailed_exitcode: bool,
    targets: tuple[str, ...],
    refresh_only: bool,
    destroy: bool,
    parallelism: int,
    commit: str | None,
    var_pairs: tuple[str, ...],
    var_files: tuple[Path, ...],
    lock_timeout: float,
) -> None:
    """Show what apply would change, field by field."""
    from assistplan.plan.model import PlanOptions
    from assistplan.plan.planfile import save_plan

    with _errors_reported():
        workspace = _open_workspace(ctx, var_pairs, var_files)
        try:
            options = PlanOptions(destroy=destroy, refresh_only=refresh_only, targets=_addresses(targets))
            with workspace.lock("plan", lock_timeout):
                planned = workspace.plan(options, parallelism)
        finally:
            workspace.close()
        click.echo(_render(planned.plan, fmt, commit), nl=False)
        _step_summary(lambda: _render(planned.plan, "markdown", commit))
        if out is not None:
            save_plan(planned.plan, out)
            click.echo(f"\nSaved the plan to: {out}\nTo apply exactly this plan, run: assistplan apply {out}", err=True)
    changed = planned.plan.has_changes or bool(planned.plan.drift)
    raise SystemExit(2 if detailed_exitcode and changed else 0)


def _addresses(targets: tuple[str, ...]) -> tuple[str, ...]:
    from assistplan.addrs import Address

    try:
        return tuple(str(Address.parse(t)) for t in targets)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--target") from None


@cli.command()
@click.argument("planfile", required=False, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--auto-approve", is_flag=True, help="Apply without asking.")
@click.option("--target", "targets", multiple=True, metavar="ADDR", help="Apply only ADDR and what it depends on.")
@click.option("--refresh-only", is_flag=True, help="Only bring the state up to date with the live objects.")
@click.option(
    "--parallelism",
    type=click.IntRange(1, 64),
    default=4,
    show_default=True,
    help="How many actions (and list requests) run at once.",
)
@_var_options
@_lock_option
@click.pass_context
def apply(
    ctx: click.Context,
    planfile: Path | None,
    auto_approve: bool,
    targets: tuple[str, ...],
    refresh_only: bool,
    parallelism: int,
    var_pairs: tuple[str, ...],
    var_files: tuple[Path, ...],
    lock_timeout: float,
) -> None:
    """Apply the changes (planning first, or exactly a saved PLANFILE)."""
    from assistplan.plan.model import PlanOptions

    options = PlanOptions(refresh_only=refresh_only, targets=_addresses(targets))
    _plan_and_apply(ctx, planfile, auto_approve, options, parallelism, var_pairs, var_files, lock_timeout)


@cli.command()
@click.option("--auto-approve", is_flag=True, help="Destroy without asking.")
@click.option(
    "--parallelism",
    type=click.IntRange(1, 64),
    default=4,
    show_default=True,
    help="How many actions (and list requests) run at once.",
)
@_var_options
@_lock_option
@click.pass_context
def destroy(
    ctx: click.Context,
    auto_approve: bool,
    parallelism: int,
    var_pairs: tuple[str, ...],
    var_files: tuple[Path, ...],
    lock_timeout: float,
) -> None:
    """Delete every remote object the project owns."""
    from assistplan.plan.model import PlanOptions

    options = PlanOptions(destroy=True)
    _plan_and_apply(ctx, None, auto_approve, options, parallelism, var_pairs, var_files, lock_timeout)


def _plan_and_apply(
    ctx: click.Context,
    planfile: Path | None,
    auto_approve: bool,
    options: Any,
    parallelism: int,
    var_pairs: tuple[str, ...],
    var_files: tuple[Path, ...],
    lock_timeout: float,
) -> None:
    import sys

    from assistplan.github.summary import apply_summary
    from assistplan.plan.planfile import check_fresh, load_plan

    with _errors_reported():
        workspace = _open_workspace(ctx, var_pairs, var_files)
        try:
            with workspace.lock("apply", lock_timeout):
                if planfile is not None:
                    plan = load_plan(planfile)
                    state = workspace.load_state()
                    inventory = workspace.refresh(state, parallelism)
                    check_fresh(plan, state, workspace.observed(inventory), inventory.id_to_address)
                else:
                    planned = workspace.plan(options, parallelism)
                    plan, inventory, state = planned.plan, planned.inventory, planned.state
                    click.echo(_render(plan, "text"), nl=False)
                    if not plan.has_changes and not options.refresh_only:
                        _step_summary(lambda: apply_summary(workspace.name, None))
                        return
                    if not auto_approve:
                        _confirm(sys.stdin.isatty(), options.destroy)
                result = workspace.apply(plan, inventory, _ApplyHooks(tty=sys.stderr.isatty()), parallelism)
        finally:
            workspace.close()
    _step_summary(lambda: apply_summary(workspace.name, result))
    _report(result, options.refresh_only)


def _confirm(tty: bool, destroying: bool) -> None:
    if not tty:
        click.secho(
            "Error: not on a terminal, so there is no one to confirm: pass --auto-approve, or apply a saved plan.",
            fg="red",
            err=True,
        )
        raise SystemExit(1)
    what = "destroy every object of this project" if destroying else "perform these actions"
    answer = click.prompt(
        f"\nassistplan will {what}.\n  Only 'yes' will be accepted to approve.\n\n  Enter a value", default=""
    )
    if answer.strip() != "yes":
        click.echo("Apply cancelled.")
        raise SystemExit(1)


class _ApplyHooks:
    """Progress on a terminal; one line per finished action otherwise (CI logs)."""

    def __init__(self, tty: bool) -> None:
        self.tty = tty

    def started(self, change: Any, step: str) -> None:
        if self.tty:
            click.echo(f"{change.address}: {step}...", err=True)

    def progress(self, address: str, message: str) -> None:
        if self.tty:
            click.echo(f"{address}: {message}", err=True)

    def finished(self, result: Any) -> None:
        if result.skipped:
            click.echo(f"{result.address}: {result.error}", err=True)
        elif result.ok:
            click.echo(f"{result.address}: {_PAST.get(result.step, result.step)} ({result.seconds:.1f}s)", err=True)
        else:
            click.secho(f"{result.address}: {result.step} failed: {result.error}", fg="red", err=True)


_PAST = {
    "create": "created",
    "update": "updated",
    "replace": "replaced",
    "delete": "destroyed",
    "delete old": "old object destroyed",
    "forget": "removed from state (already gone)",
    "refresh": "refreshed",
}


def _report(result: Any, refresh_only: bool) -> None:
    added = result.count("create") + result.count("replace")
    changed = result.count("update")
    destroyed = result.count("delete") + result.count("delete old")
    if refresh_only:
        click.echo(f"\nRefresh complete: {result.count('refresh')} recorded, {result.count('forget')} forgotten.")
    failed, skipped = result.failed, result.skipped
    summary = f"{added} added, {changed} changed, {destroyed} destroyed."
    if not failed and not skipped:
        if not refresh_only:
            click.secho(f"\nApply complete! Resources: {summary}", fg="green", bold=True)
        return
    click.secho(f"\nApply failed. Resources: {summary}", fg="red", bold=True, err=True)
    for item in failed:
        rid = (
            f" (request id {item.request_id})" if item.request_id and item.request_id not in (item.error or "") else ""
        )
        click.secho(f"  failed:  {item.address}: {item.error}{rid}", fg="red", err=True)
    for item in skipped:
        click.echo(f"  skipped: {item.address}: {item.error}", err=True)
    raise SystemExit(1)


@cli.command()
@click.argument("planfile", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=FORMATS, default="text", show_default=True)
@_commit_option
def show(planfile: Path, fmt: str, commit: str | None) -> None:
    """Render a saved plan."""
    from assistplan.plan.planfile import load_plan

    with _errors_reported():
        click.echo(_render(load_plan(planfile), fmt, commit), nl=False)


@cli.command(name="import")
@click.argument("address")
@click.argument("remote_id")
@_var_options
@_lock_option
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
    (target,) = _addresses((address,))
    with _errors_reported():
        workspace = _open_workspace(ctx, var_pairs, var_files)
        try:
            with workspace.lock("import", lock_timeout):
                record = workspace.import_object(target, remote_id)
        finally:
            workspace.close()
    click.echo(f"Imported {target} ({record.id}). Run `assistplan plan` to see how it differs from the manifest.")


@cli.command()
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.pass_context
def output(ctx: click.Context, fmt: str) -> None:
    """Remote ids by address, for application code."""
    import json

    with _errors_reported():
        from assistplan.workflow import require_state

        state = require_state(_open_workspace(ctx))
    ids = {address: rs.id for address, rs in sorted(state.resources.items())}
    if fmt == "json":
        click.echo(json.dumps(ids, indent=2))
    else:
        for address, remote_id in ids.items():
            click.echo(f"{address} = {remote_id}")


@cli.group()
def state() -> None:
    """Inspect and change the state file."""


@state.command(name="list")
@click.pass_context
def state_list(ctx: click.Context) -> None:
    """Every address the state records."""
    with _errors_reported():
        from assistplan.workflow import require_state

        recorded = require_state(_open_workspace(ctx))
    for address in sorted(recorded.resources):
        click.echo(address)


@state.command(name="show")
@click.argument("address")
@click.pass_context
def state_show(ctx: click.Context, address: str) -> None:
    """One address as recorded: remote id, digest and the last-applied spec."""
    import json

    with _errors_reported():
        from assistplan.workflow import require_state

        recorded = require_state(_open_workspace(ctx)).get(address)
    if recorded is None:
        _fail(KeyError(f"{address} is not in the state"))
    click.echo(json.dumps(recorded.model_dump(mode="json"), indent=2, sort_keys=True))


@state.command(name="rm")
@click.argument("address")
@_lock_option
@click.pass_context
def state_rm(ctx: click.Context, address: str, lock_timeout: float) -> None:
    """Forget ADDRESS without deleting its remote object."""
    with _errors_reported():
        from assistplan.workflow import require_state

        workspace = _open_workspace(ctx)
        with workspace.lock("state rm", lock_timeout):
            if require_state(workspace).get(address) is None:
                _fail(KeyError(f"{address} is not in the state"))
            workspace.store.record(address, None)
    click.echo(f"Removed {address} from the state (the remote object is untouched).")


@state.command(name="pull")
@_lock_option
@click.pass_context
def state_pull(ctx: click.Context, lock_timeout: float) -> None:
    """Rebuild the state from the live objects stamped with this project, and print it."""
    with _errors_reported():
        workspace = _open_workspace(ctx)
        try:
            with workspace.lock("state pull", lock_timeout):
                current = workspace.load_state()
                rebuilt = workspace.rebuild_state(workspace.refresh(current), current)
        finally:
            workspace.close()
    click.echo(rebuilt.model_dump_json(indent=2))


# --- GitHub Actions: the plan comment on a pull request ------------------------------------------------------------


@cli.group()
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

    with _errors_reported():
        number = pr or pull_request_number(os.environ)
        if number is None:
            raise click.UsageError("no pull request: pass --pr N (GITHUB_EVENT_PATH holds none)")
        posted = upsert_comment(client_from_env(os.environ), number, path.read_text(encoding="utf-8"), author=author)
    click.echo(f"Plan comment {posted.action} on pull request #{number}: {posted.comment.url}")


@github.command("failure-report")
@click.argument("log", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@_commit_option
@click.pass_context
def github_failure_report(ctx: click.Context, log: Path, commit: str | None) -> None:
    """Print the plan comment for a failed plan: the errors in LOG, under the project's marker line."""
    from assistplan.github import failure_comment

    with _errors_reported():
        project = _project_name(_engine_root(ctx))
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


@cli.group()
def flowise() -> None:
    """Work with the objects of the project's Flowise server."""


@flowise.command("export-tools")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for the manifests and code files (default: the manifest root).",
)
@_var_options
@click.pass_context
def flowise_export_tools(
    ctx: click.Context, out: Path | None, var_pairs: tuple[str, ...], var_files: tuple[Path, ...]
) -> None:
    """Write Function and FlowiseTool manifests for the Flowise tools this project does not manage yet."""
    from assistplan.flowise_export import export_tools

    with _errors_reported():
        workspace = _open_workspace(ctx, var_pairs, var_files)
        try:
            exported = export_tools(workspace.provider("flowise"), out or workspace.root, workspace.name)
        finally:
            workspace.close()
    for tool in exported:
        click.echo(f"Wrote {tool.manifest} and {tool.code}")
    if exported:
        click.echo("\nTo manage these tools from the manifests, adopt them:")
        for tool in exported:
            click.echo(f"  assistplan import {tool.address} {tool.remote_id}")
    else:
        click.echo("No Flowise tools to export.")


def main() -> None:
    cli(prog_name="assistplan")
