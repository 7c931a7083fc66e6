"""What the commands share: the manifest root, common options, plan rendering, error reporting and the workspace."""

from __future__ import annotations

import math
import stat
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TextIO, TypeVar

import click

from assistplan.addrs import Address
from assistplan.cli import collector
from assistplan.diagnostics import Diagnostics

if TYPE_CHECKING:
    from assistplan.plan.model import Plan
    from assistplan.state import StateFile
    from assistplan.workflow import Workspace

FORMATS = click.Choice(["text", "markdown", "json"])
F = TypeVar("F", bound=Callable[..., Any])


def engine_root(ctx: click.Context) -> Path:
    """--chdir, else ./assistants when it holds an assistplan.yaml, else the current directory."""
    chdir = (ctx.obj or {}).get("chdir") or ctx.find_root().params.get("chdir")
    if chdir is not None:
        return Path(chdir)
    default = Path("assistants")
    return default if (default / "assistplan.yaml").is_file() else Path(".")


def environment(ctx: click.Context) -> str | None:
    """The environment asked for with --env or ASSISTPLAN_ENV (None: assistplan.yaml's default one, if any)."""
    root = ctx.find_root()
    chosen = (root.obj or {}).get("environment") or root.params.get("environment")
    return chosen if isinstance(chosen, str) else None


def parse_vars(pairs: tuple[str, ...]) -> dict[str, str]:
    out = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise click.BadParameter(f"expected K=V, got {pair!r}", param_hint="--var")
        out[key] = value
    return out


def var_options(fn: F) -> F:
    fn = click.option("--var", "var_pairs", multiple=True, metavar="K=V", help="Set a template variable.")(fn)
    return click.option(
        "--var-file",
        "var_files",
        multiple=True,
        type=click.Path(exists=True, dir_okay=False, path_type=Path),
        help="Read template variables from a YAML file.",
    )(fn)


MAX_LOCK_TIMEOUT = 86_400.0
"""The longest wait for the state lock that `--lock-timeout` takes, in seconds (a day)."""


def lock_option(fn: F) -> F:
    return click.option(
        "--lock-timeout",
        type=click.FloatRange(0, MAX_LOCK_TIMEOUT),
        callback=not_nan,
        default=0.0,
        show_default=True,
        help=f"Seconds to wait for the state lock held by another run (at most {MAX_LOCK_TIMEOUT:g}).",
    )(fn)


def not_nan(ctx: click.Context, param: click.Parameter, value: float) -> float:
    """A click callback refusing NaN, which every range check lets through (it compares false with everything)."""
    if math.isnan(value):
        raise click.BadParameter("expected a number, not nan", ctx=ctx, param=param)
    return value


def commit_option(fn: F) -> F:
    return click.option(
        "--commit",
        envvar="GITHUB_SHA",
        metavar="SHA",
        help="Commit named in the Markdown footer and the JSON (default: $GITHUB_SHA).",
    )(fn)


def parallelism_option(default: int, help_text: str) -> Callable[[Any], Any]:
    return click.option("--parallelism", type=click.IntRange(1, 64), default=default, show_default=True, help=help_text)


def refresh_only_option(fn: F) -> F:
    return click.option(
        "--refresh-only",
        is_flag=True,
        help="Only bring the state up to date with the live objects.",
    )(fn)


def addresses(targets: tuple[str, ...], option: str = "--target") -> tuple[Address, ...]:
    """The addresses given to `option` in canonical form, or a usage error naming the first bad one."""
    try:
        return tuple(Address.parse(t) for t in targets)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint=option) from None


def complete_addresses(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[Any]:
    """Shell completion of an address (`--target`, `--replace`, `import`): those the manifests declare and those the
    state records, starting with `incomplete`. Read from the disk only, never the network; nothing when the
    manifests cannot be read."""
    return _completions(ctx, incomplete, manifests=True)


def complete_recorded_addresses(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[Any]:
    """Shell completion of an address the state records (`state show`, `state rm`, `output`), from the disk only."""
    return _completions(ctx, incomplete, manifests=False)


def _completions(ctx: click.Context, incomplete: str, *, manifests: bool) -> list[Any]:
    from click.shell_completion import CompletionItem

    from assistplan.errors import AssistplanError
    from assistplan.manifest import load_project
    from assistplan.state.store import StateStore

    root = engine_root(ctx)
    found: set[str] = set()
    state = ".assistplan/state.json"
    try:
        project = load_project(root, environment=environment(ctx))
    except (AssistplanError, OSError, ValueError):
        project = None
    if project is not None:
        state = project.config.state
        if manifests:
            found.update(str(address) for address in project.resources)
    try:
        recorded = StateStore(root / state).load()
    except (AssistplanError, OSError, ValueError):
        recorded = None
    if recorded is not None:
        found.update(recorded.resources)
    return [CompletionItem(address) for address in sorted(found) if address.startswith(incomplete)]


def color(stream: TextIO | None = None) -> bool:
    """Whether to style what is printed on STREAM (standard output by default): only on a terminal, and never with
    `--no-color` or a non-empty NO_COLOR."""
    import os
    import sys

    context = click.get_current_context(silent=True)
    if context is not None and context.color is False:
        return False
    return not os.environ.get("NO_COLOR") and bool((stream or sys.stdout).isatty())


def render(
    plan: Plan,
    fmt: str,
    commit: str | None = None,
    warnings: Diagnostics | None = None,
    *,
    styled: bool | None = None,
) -> str:
    """The plan in `fmt`; only the JSON format copies the resources that do not change (the others count them).
    The policy rules' `warnings` are listed in the JSON and Markdown formats (the text format's go to stderr). The
    text is `styled` as `color()` says unless told (where there is no click context: another process or thread)."""
    view = view_of(plan, fmt, commit, warnings)
    if fmt == "json":
        from assistplan.render.json import render_json

        return render_json(view)
    if fmt == "markdown":
        from assistplan.render.markdown import render_markdown

        return render_markdown(view, high_impact_paths=high_impact_paths([view]))
    from assistplan.render.text import render_text

    return render_text(view, color=color() if styled is None else styled)


def view_of(plan: Plan, fmt: str, commit: str | None = None, warnings: Diagnostics | None = None) -> dict[str, Any]:
    """The plan's view as `render` renders it in `fmt`, with the policy rules' `warnings`."""
    from assistplan.render.policy import policy_warnings
    from assistplan.render.view import plan_view

    view = plan_view(plan, commit=commit, noops=fmt == "json")
    entries = policy_warnings(warnings or ())
    if entries:
        view["policy_warnings"] = entries
    return view


def high_impact_paths(views: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """The paths whose change each kind of the plans' `views` flags as high-impact in the Markdown, by kind (only
    those kinds' modules are imported)."""
    from assistplan.kinds import registered

    kinds = registered()
    named = {change["kind"] for view in views for change in view.get("resource_changes", ())}
    return {name: kinds[name].high_impact_paths for name in sorted(named) if name in kinds}


def step_summary(markdown: Callable[[], str]) -> None:
    """Append `markdown()` to the GitHub Actions job summary when GITHUB_STEP_SUMMARY is set. The summary is a
    nicety: when it cannot be written, a warning says why and the command's exit status stands."""
    import os

    path = os.environ.get("GITHUB_STEP_SUMMARY")
    if path:
        from assistplan.github import append_step_summary

        text = markdown()
        try:
            append_step_summary(text, os.environ)
        except OSError as error:
            click.echo(f"Warning: cannot write the job summary to {path}: {error.strerror or error}", err=True)


def fail(error: Exception) -> NoReturn:
    """Print ERROR (a manifest error as diagnostics with source lines) and exit 1."""
    click.echo(error_text(error, color=color()), err=True, nl=False)
    annotate(error)
    raise SystemExit(1)


def error_text(error: Exception, *, color: bool) -> str:
    """What a command prints for ERROR: a manifest error's diagnostics with their source lines, else `Error: ` and
    its message, scrubbed of anything shaped like a credential."""
    from assistplan.errors import ManifestError

    if isinstance(error, ManifestError):
        from assistplan.render.diagnostics import render_diagnostics

        return render_diagnostics(error.diagnostics, _read_lines, color=color)
    from assistplan.redact import scrub

    text = f"Error: {scrub(_message(error))}"
    return (click.style(text, fg="red") if color else text) + "\n"


def annotate(error: Exception) -> None:
    """In GitHub Actions, print ERROR as workflow commands that GitHub shows as annotations (on the files a manifest
    error names)."""
    if not in_github_actions():
        return
    from assistplan.errors import ManifestError
    from assistplan.render.diagnostics import render_annotations

    if isinstance(error, ManifestError):
        click.echo(render_annotations(error.diagnostics, display_path=_in_repository), err=True, nl=False)
        return
    from assistplan.diagnostics import Diagnostic
    from assistplan.redact import scrub

    click.echo(render_annotations(Diagnostics([Diagnostic.error(scrub(_message(error)))])), err=True, nl=False)


def _message(error: Exception) -> str:
    """The error's message: a KeyError's own text, not the quoted repr its `str` gives."""
    if isinstance(error, KeyError) and len(error.args) == 1:
        return str(error.args[0])
    return str(error)


def show_diagnostics(diagnostics: Diagnostics) -> None:
    """Print diagnostics to standard error as a compiler does, with their source lines; in GitHub Actions, also as
    workflow commands that GitHub shows as annotations on the files (`in_github_actions`)."""
    from assistplan.render.diagnostics import render_diagnostics

    click.echo(render_diagnostics(diagnostics, _read_lines, color=color()), err=True, nl=False)
    if in_github_actions():
        from assistplan.render.diagnostics import render_annotations

        click.echo(render_annotations(diagnostics, display_path=_in_repository), err=True, nl=False)


def in_github_actions() -> bool:
    """Whether GitHub Actions runs the command (`GITHUB_ACTIONS=true`)."""
    import os

    return os.environ.get("GITHUB_ACTIONS") == "true"


def _in_repository(name: str) -> str:
    """A diagnostic's file relative to the checked-out repository (GITHUB_WORKSPACE), as annotations name files;
    unchanged when it is outside or the workspace is unknown."""
    import os

    workspace = os.environ.get("GITHUB_WORKSPACE")
    if not workspace:
        return name
    path, root = Path(name).resolve(), Path(workspace).resolve()
    return path.relative_to(root).as_posix() if path.is_relative_to(root) else name


SOURCE_LIMIT = 4 * 1024 * 1024


def _read_lines(name: str) -> list[str] | None:
    """The lines of a file a diagnostic names, for its excerpt: only a regular file (never a link, device or FIFO)
    of at most SOURCE_LIMIT bytes."""
    path = Path(name)
    try:
        info = path.lstat()
        if not stat.S_ISREG(info.st_mode) or info.st_size > SOURCE_LIMIT:
            return None
        return path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return None


@contextmanager
def errors_reported() -> Iterator[None]:
    """Turn any assistplan error raised inside into `fail`."""
    from assistplan.errors import AssistplanError

    try:
        yield
    except AssistplanError as error:
        fail(error)


@contextmanager
def workspace(
    ctx: click.Context,
    var_pairs: tuple[str, ...] = (),
    var_files: tuple[Path, ...] = (),
    early_refresh: int | None = None,
) -> Iterator[Workspace]:
    """The project at the manifest root, its provider connections closed on the way out. A caller embedding the
    command may pass provider connectors in the click context object (`{"connectors": {...}}`). `early_refresh`: the
    command refreshes at that parallelism, so the refresh starts while the manifests load (see `Workspace`)."""
    from assistplan.workflow import Workspace

    connectors = (ctx.find_root().obj or {}).get("connectors")
    opened = Workspace(
        engine_root(ctx),
        cli_vars=parse_vars(var_pairs),
        var_files=var_files,
        connectors=connectors,
        environment=environment(ctx),
        early_refresh=early_refresh,
    )
    opened.lock_waiting = lambda words: click.echo(words, err=True)
    collector.keep(opened)
    try:
        yield opened
    finally:
        opened.close()


def recorded_state(ctx: click.Context) -> StateFile:
    """The state file of the project at the manifest root; an error when there is none."""
    from assistplan.workflow import require_state

    with workspace(ctx) as opened:
        return require_state(opened)
