"""The `assistplan` command: the root click group and its subcommands; the only package that prints or exits.

A subcommand's module is imported only when that command runs (or `--help` lists them all), and each command imports
what it needs inside its function, so a command loads only what it uses. `main`, the console script, ends the process
as soon as the command has returned (see `main`).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from assistplan import __version__

COMMANDS: dict[str, tuple[str, str]] = {
    "validate": ("assistplan.cli.manifests", "validate"),
    "schema": ("assistplan.cli.manifests", "schema"),
    "init": ("assistplan.cli.manifests", "init"),
    "plan": ("assistplan.cli.planning", "plan"),
    "apply": ("assistplan.cli.planning", "apply"),
    "destroy": ("assistplan.cli.planning", "destroy"),
    "show": ("assistplan.cli.planning", "show"),
    "import": ("assistplan.cli.planning", "import_"),
    "export": ("assistplan.cli.export", "export"),
    "output": ("assistplan.cli.planning", "output"),
    "state": ("assistplan.cli.state", "state"),
    "sandbox": ("assistplan.cli.sandbox", "sandbox"),
    "github": ("assistplan.cli.github", "github"),
    "flowise": ("assistplan.cli.flowise", "flowise"),
    "migrate": ("assistplan.cli.migrate", "migrate"),
    "graph": ("assistplan.cli.graph", "graph"),
    "projects": ("assistplan.cli.projects", "projects"),
    "test": ("assistplan.cli.test", "test"),
    "version": ("assistplan.cli.version", "version"),
}
"""Each subcommand by name: the module defining it and the attribute holding it."""


class LazyGroup(click.Group):
    """A group whose subcommands in `COMMANDS` are imported when asked for by name. A usage error (an unknown option,
    a bad value, a missing argument) exits 1, as every other error does: click's own code for it, 2, is what
    `plan --detailed-exitcode` exits with when there are changes."""

    def make_context(
        self, info_name: str | None, args: list[str], parent: click.Context | None = None, **extra: Any
    ) -> click.Context:
        with _usage_errors_exit_1():
            return super().make_context(info_name, args, parent, **extra)

    def invoke(self, ctx: click.Context) -> Any:
        with _usage_errors_exit_1():
            return super().invoke(ctx)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *COMMANDS})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS or cmd_name in self.commands:
            return super().get_command(ctx, cmd_name)
        import importlib

        module, attribute = COMMANDS[cmd_name]
        command = getattr(importlib.import_module(module), attribute)
        if not isinstance(command, click.Command):
            raise TypeError(f"{module}.{attribute} is not a click command")
        self.add_command(command, cmd_name)
        return command


@contextmanager
def _usage_errors_exit_1() -> Iterator[None]:
    try:
        yield
    except click.UsageError as error:
        error.exit_code = 1  # type: ignore[misc]  # click types it a ClassVar; main exits with the instance's
        raise


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="assistplan")
@click.option(
    "--chdir",
    "chdir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Manifest root (default: ./assistants if it exists, else the current directory).",
)
@click.option(
    "--env",
    "environment",
    envvar="ASSISTPLAN_ENV",
    metavar="NAME",
    default=None,
    help="Environment of assistplan.yaml to work on (default: $ASSISTPLAN_ENV, else default_environment).",
)
@click.option("--no-color", is_flag=True, help="Print no colors or styles (as when NO_COLOR is set).")
@click.pass_context
def cli(ctx: click.Context, chdir: Path | None, environment: str | None, no_color: bool) -> None:
    """Plan and apply AI assistants, agents, vector stores and Flowise objects from YAML manifests."""
    ctx.obj = {**(ctx.obj or {}), "chdir": chdir, "environment": environment or None}
    if no_color or os.environ.get("NO_COLOR"):
        ctx.color = False
    from assistplan.providers import report_notices

    report_notices(lambda message: click.echo(message, err=True))


def main() -> None:
    """The console script: run the command named by `sys.argv` and exit with its code.

    Run as a program (the `assistplan` script, `python -m assistplan`), the process then ends at once with
    `os._exit`, skipping the interpreter's teardown (collecting every module, joining threads), which would take
    longer than a no-op plan's requests. Everything that must outlive the process is done by then: the commands
    write their files with `with` blocks (the state atomically, the GitHub step summary), release the state lock
    before they return, and leave the embedded sandbox running only because its database commits every request;
    here standard output and error are flushed and the `atexit` functions run. Called from other code (a `python -c`
    snippet, a test), `main` raises SystemExit as click does and the caller goes on.

    Run as a program, the cyclic garbage collector runs on the schedule of `assistplan.cli.collector`, and pydantic
    loads no plugins (unless `PYDANTIC_DISABLE_PLUGINS` says otherwise): the process's models are assistplan's own,
    which validate manifests and state, and no plugin installed beside it is to observe or change that validation;
    finding plugins would also read the metadata of every installed distribution as the first model is built.
    """
    if not _run_as_program():
        cli(prog_name="assistplan")
        return
    from assistplan.cli import collector
    from assistplan.providers.openai import leave_servers_to_process_exit

    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    collector.run_as_program()
    leave_servers_to_process_exit()
    try:
        cli(prog_name="assistplan")
        code = 0
    except SystemExit as done:
        code = _exit_code(done.code)
    _end_process(code)


def _run_as_program() -> bool:
    """Whether `main` is the program: called by a `__main__` module that is a file (a console script or this
    package's `__main__.py`, not `python -c`) and that imported this very function."""
    program = sys.modules.get("__main__")
    return getattr(program, "__file__", None) is not None and getattr(program, "main", None) is main


def _exit_code(code: object) -> int:
    """The process exit code for `SystemExit(code)`, as the interpreter computes it (a message is printed, exit 1)."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)
    return 1


def _end_process(code: int) -> None:
    """Flush standard output and error, run the `atexit` functions, and end the process with `code` at once."""
    import atexit
    import os

    if not _flushed():
        code = code or 120  # what the interpreter exits with when it cannot flush standard output
    atexit._run_exitfuncs()
    _flushed()
    os._exit(code)


def _flushed() -> bool:
    ok = True
    for stream in (sys.stdout, sys.stderr):
        try:
            if stream is not None:
                stream.flush()
        except (OSError, ValueError):
            ok = False
    return ok
