"""The commands that work on the manifests alone: validate, schema and init."""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import click

from assistplan.cli import collector
from assistplan.cli.common import (
    engine_root,
    environment,
    errors_reported,
    parse_vars,
    show_diagnostics,
    var_options,
)
from assistplan.errors import AssistplanError


@click.command()
@var_options
@click.pass_context
def validate(ctx: click.Context, var_pairs: tuple[str, ...], var_files: tuple[Path, ...]) -> None:
    """Render, parse, validate and resolve the manifests, reporting every error; no network."""
    from collections import Counter

    from assistplan.manifest import load_project

    where = engine_root(ctx)
    collector.pause()
    with errors_reported():
        project = load_project(where, cli_vars=parse_vars(var_pairs), var_files=var_files, environment=environment(ctx))
    collector.keep(project)
    if project.warnings:
        show_diagnostics(project.warnings)
    counts = Counter(address.kind for address in project.resources)
    summary = ", ".join(f"{number} {kind}" for kind, number in counts.items())
    total = len(project.resources)
    click.echo(
        f"The manifests in {where} are valid: project {project.config.project}"
        f"{f', environment {project.environment}' if project.environment else ''}, "
        f"{total} resource{'' if total == 1 else 's'}{f' ({summary})' if summary else ''}."
    )


@click.command()
@click.option("--config", "for_config", is_flag=True, help="The schema of assistplan.yaml instead of manifests.")
def schema(for_config: bool) -> None:
    """Print the JSON Schema of the manifest format, for editors (yaml-language-server)."""
    import json

    from assistplan.manifest.schema import config_schema, manifest_schema

    click.echo(json.dumps(config_schema() if for_config else manifest_schema(), indent=2))


@click.command()
@click.argument("directory", required=False, type=click.Path(file_okay=False, path_type=Path))
@click.pass_context
def init(ctx: click.Context, directory: Path | None) -> None:
    """Create a manifest root with a working example (DIRECTORY, else --chdir, else ./assistants)."""
    from assistplan.manifest.scaffold import scaffold_files

    target = directory or (ctx.obj or {}).get("chdir") or Path("assistants")
    planned = scaffold_files(target)
    with errors_reported():
        _check_root(target)
        _refuse_what_is_in_the_way(target, [path for path, _ in planned])
        with _gitignore(target / ".gitignore") as complete_gitignore:
            _make_folder(target)
            for path, content in planned:
                _make_parents(target, path)
                _create(path, content)
            ignored = complete_gitignore()
    click.echo(f"Created a manifest root in {target} ({len(planned)} files{ignored}). Next:")
    prefix = "" if target == Path("assistants") else f"--chdir {target} "
    click.echo(f"  assistplan {prefix}validate")


GITIGNORE = (
    "# assistplan's local files: the state (with its backup, journal and lock) and the sandbox's database\n",
    ".assistplan/\n",
)
"""What `init` puts in the manifest root's `.gitignore`: the comment, then the pattern."""

_NO_LINK_OR_LEAK = getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
"""Never open a symbolic link, nor hand the file to a child process (where the system has these flags)."""

_NEW_FILE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NO_LINK_OR_LEAK
"""How `init` opens a file it creates: never one that exists, nor through a symbolic link."""

_APPEND = os.O_WRONLY | os.O_APPEND | getattr(os, "O_NONBLOCK", 0) | _NO_LINK_OR_LEAK
"""How `init` opens an existing `.gitignore` to add to it: never through a symbolic link, never waiting on a FIFO."""


def _reason(error: OSError) -> str:
    """Why the system refused, in its words."""
    return error.strerror or str(error)


def _lstat(path: Path) -> os.stat_result | None:
    """The status of `path` itself (a link's, not its target's); None when nothing is there."""
    try:
        return path.lstat()
    except FileNotFoundError:
        return None
    except OSError as error:
        raise AssistplanError(f"cannot use {path}: {_reason(error)}") from None


def _check_root(target: Path) -> None:
    """Refuse a manifest root that is there but not a folder (nor a link to one), or whose name cannot be used."""
    try:
        status = target.stat()
    except FileNotFoundError:
        if _lstat(target) is not None:
            raise AssistplanError(f"{target} is a symbolic link to nothing") from None
        return
    except OSError as error:
        raise AssistplanError(f"cannot use {target} as the manifest root: {_reason(error)}") from None
    if not stat.S_ISDIR(status.st_mode):
        raise AssistplanError(f"{target} is not a folder")


def _refuse_what_is_in_the_way(target: Path, planned: list[Path]) -> None:
    """Refuse when anything stands where a file goes, or where a folder it goes in should be a real folder."""
    in_the_way = dict(found for found in (_in_the_way(target, path) for path in planned) if found is not None)
    if in_the_way:
        names = "\n".join(f"  {path}{kind}" for path, kind in in_the_way.items())
        raise AssistplanError(f"init never overwrites files, and these exist already:\n{names}")


def _in_the_way(target: Path, path: Path) -> tuple[Path, str] | None:
    """What stands in the way of creating `path` below `target`, with what it is if not a file; None when nothing."""
    for folder in reversed(path.relative_to(target).parents[:-1]):
        status = _lstat(target / folder)
        if status is None:
            return None
        if stat.S_ISLNK(status.st_mode):
            return target / folder, " (a symbolic link)"
        if not stat.S_ISDIR(status.st_mode):
            return target / folder, " (not a folder)"
    status = _lstat(path)
    if status is None:
        return None
    return path, " (a symbolic link)" if stat.S_ISLNK(status.st_mode) else ""


def _make_folder(folder: Path) -> None:
    """Create the manifest root with its parents, unless it is there."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise AssistplanError(f"cannot create {folder}: {_reason(error)}") from None


def _make_parents(target: Path, path: Path) -> None:
    """Create the folders between `target` and `path`, refusing a link or anything else in the place of one."""
    folder = target
    for part in path.relative_to(target).parent.parts:
        folder = folder / part
        try:
            folder.mkdir()
        except FileExistsError:
            status = _lstat(folder)
            if status is None or not stat.S_ISDIR(status.st_mode):
                raise AssistplanError(f"cannot create {folder}: something else is there") from None
        except OSError as error:
            raise AssistplanError(f"cannot create {folder}: {_reason(error)}") from None


def _create(path: Path, content: bytes) -> None:
    """Write `content` to a new file at `path`; refuse when anything is there already, even a dangling link."""
    try:
        with os.fdopen(os.open(path, _NEW_FILE, 0o666), "wb") as file:
            file.write(content)
    except OSError as error:
        raise AssistplanError(f"cannot create {path}: {_reason(error)}") from None


@contextmanager
def _gitignore(path: Path) -> Iterator[Callable[[], str]]:
    """Check the manifest root's `.gitignore` before anything is written: none (to be created), or a regular UTF-8
    file (opened now for the pattern, when it lacks it); never a link. Yields what completes it once the manifests are
    written, never rewriting a line, which returns how the closing message mentions it."""
    from assistplan.reading import read_regular

    status = _lstat(path)
    if status is not None and stat.S_ISLNK(status.st_mode):
        raise AssistplanError(f"{path} is a symbolic link, and init never writes through one")
    if status is not None and not stat.S_ISREG(status.st_mode):
        raise AssistplanError(f"{path} is not a regular file")
    try:
        read = read_regular(path)
    except OSError as error:
        raise AssistplanError(f"cannot read {path}: {_reason(error)}") from None
    if read is None:
        yield lambda: _create_gitignore(path)
        return
    content, read_status = read
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError as error:
        raise AssistplanError(f"{path} is not UTF-8 text ({error.reason} at byte {error.start})") from None
    if {line.strip() for line in text.splitlines()} & {".assistplan", ".assistplan/", "/.assistplan", "/.assistplan/"}:
        yield lambda: ""
        return
    try:
        file = os.fdopen(os.open(path, _APPEND), "ab")
    except OSError as error:
        raise AssistplanError(f"cannot append to {path}: {_reason(error)}") from None
    with file:
        if not os.path.samestat(os.fstat(file.fileno()), read_status):
            raise AssistplanError(f"{path} changed while init read it")
        separator = "" if not text or text.endswith("\n") else "\n"

        def append() -> str:
            try:
                file.write((separator + "".join(GITIGNORE)).encode("utf-8"))
                file.flush()
            except OSError as error:
                raise AssistplanError(f"cannot append to {path}: {_reason(error)}") from None
            return "; .assistplan/ added to the .gitignore"

        yield append


def _create_gitignore(path: Path) -> str:
    """Create the `.gitignore` with GITIGNORE; returns how the closing message mentions it."""
    _create(path, "".join(GITIGNORE).encode("utf-8"))
    return " and a .gitignore"
