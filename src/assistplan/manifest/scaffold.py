"""`assistplan init`: the example manifest root shipped in the package (assistplan/scaffold), and writing it.

Writing never overwrites and never follows a symbolic link: everything in the way (a file, a link, even a dangling
one, a non-folder where a folder goes) is refused before anything is written, files are created with
`O_EXCL|O_NOFOLLOW`, and the manifest root's `.gitignore` is created, or appended to (never rewritten) when it lacks
the `.assistplan/` pattern, only once the manifests are written.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path, PurePosixPath
from typing import Literal

from assistplan.errors import AssistplanError

DEFAULT_PROJECT = "my-assistants"


def project_name(target: Path) -> str:
    """A project name ([a-z0-9-]{1,40}) from the folder, or from its parent when the folder is `assistants`."""
    resolved = target.resolve()
    folder = resolved.parent if resolved.name == "assistants" and resolved.parent != resolved else resolved
    slug = re.sub(r"[^a-z0-9]+", "-", folder.name.lower()).strip("-")[:40].strip("-")
    return slug or DEFAULT_PROJECT


def _walk(node: Traversable, prefix: PurePosixPath) -> list[tuple[PurePosixPath, bytes]]:
    entries: list[tuple[PurePosixPath, bytes]] = []
    for child in sorted(node.iterdir(), key=lambda item: item.name):
        if child.name.startswith((".", "__")):
            continue
        if child.is_dir():
            entries.extend(_walk(child, prefix / child.name))
        else:
            entries.append((prefix / child.name, child.read_bytes()))
    return entries


def scaffold_files(target: Path) -> list[tuple[Path, bytes]]:
    """Every file `init` writes under `target`, with its content (the project named after the folder)."""
    project = project_name(target)
    out: list[tuple[Path, bytes]] = []
    for relative, content in _walk(files("assistplan").joinpath("scaffold"), PurePosixPath()):
        if relative == PurePosixPath("assistplan.yaml"):
            content = re.sub(rb"(?m)^project: .*$", f"project: {project}".encode(), content, count=1)
        out.append((target.joinpath(*relative.parts), content))
    return out


GitIgnore = Literal["created", "appended", "kept"]
"""What writing the scaffold did to the manifest root's `.gitignore` (kept: it already had the pattern)."""


@dataclass(frozen=True)
class Written:
    """What `write_scaffold` wrote."""

    files: int
    gitignore: GitIgnore


def write_scaffold(target: Path) -> Written:
    """Write the example manifest root in `target` (created with its parents when missing), or refuse with an
    `AssistplanError` before writing anything when something stands in the way."""
    planned = scaffold_files(target)
    _check_root(target)
    _refuse_what_is_in_the_way(target, [path for path, _ in planned])
    with _gitignore(target / ".gitignore") as complete_gitignore:
        _make_folder(target)
        for path, content in planned:
            _make_parents(target, path)
            _create(path, content)
        return Written(len(planned), complete_gitignore())


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
def _gitignore(path: Path) -> Iterator[Callable[[], GitIgnore]]:
    """Check the manifest root's `.gitignore` before anything is written: none (to be created), or a regular UTF-8
    file (opened now for the pattern, when it lacks it); never a link. Yields what completes it once the manifests are
    written, never rewriting a line, which returns what it did."""
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
        yield lambda: "kept"
        return
    try:
        file = os.fdopen(os.open(path, _APPEND), "ab")
    except OSError as error:
        raise AssistplanError(f"cannot append to {path}: {_reason(error)}") from None
    with file:
        if not os.path.samestat(os.fstat(file.fileno()), read_status):
            raise AssistplanError(f"{path} changed while init read it")
        separator = "" if not text or text.endswith("\n") else "\n"

        def append() -> GitIgnore:
            try:
                file.write((separator + "".join(GITIGNORE)).encode("utf-8"))
                file.flush()
            except OSError as error:
                raise AssistplanError(f"cannot append to {path}: {_reason(error)}") from None
            return "appended"

        yield append


def _create_gitignore(path: Path) -> GitIgnore:
    """Create the `.gitignore` with GITIGNORE."""
    _create(path, "".join(GITIGNORE).encode("utf-8"))
    return "created"
