"""Reading files named by a manifest root without leaving it: no link out of the root, regular files only, capped.

Every check is made on the path's status (lstat/stat) before the file is opened, so a FIFO, a device or a socket is
never opened, and the opened file is checked again (fstat) before it is read.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

MAX_MANIFEST_BYTES = 1024 * 1024
"""A manifest file, assistplan.yaml or a var file."""
MAX_TEXT_FILE_BYTES = 4 * 1024 * 1024
"""A `*_file` (instructions, schema, code)."""

_KINDS = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


class Refused(Exception):
    """A path that must not be read; str() is the message, naming the path as the user wrote it."""


def describe_mode(mode: int) -> str:
    """What a non-regular file is, in words."""
    for test, words in _KINDS:
        if test(mode):
            return words
    return "not a regular file"


def confined(path: Path, root: Path | None, shown: str) -> Path:
    """`path` with every symbolic link resolved, refused when that leaves `root` (None: anywhere is fine)."""
    try:
        resolved = path.resolve()
    except (OSError, RuntimeError, ValueError) as exc:
        raise Refused(f'"{shown}" cannot be resolved: {exc}') from exc
    if root is not None and not resolved.is_relative_to(root):
        how = " (through a symbolic link)" if _is_inside_lexically(path, root) else ""
        raise Refused(f'"{shown}" is outside the manifest root{how}')
    return resolved


def _is_inside_lexically(path: Path, root: Path) -> bool:
    return Path(os.path.normpath(path.absolute())).is_relative_to(root)


def regular_size(path: Path, root: Path | None, shown: str, limit: int | None) -> tuple[Path, int]:
    """The resolved path and size of a regular file inside `root`, at most `limit` bytes; checked, not opened."""
    resolved = confined(path, root, shown)
    try:
        status = os.stat(resolved)
    except FileNotFoundError as exc:
        raise Refused(f'file not found: "{shown}"') from exc
    except OSError as exc:
        raise Refused(f'cannot read "{shown}": {exc.strerror or exc}') from exc
    if not stat.S_ISREG(status.st_mode):
        raise Refused(f'"{shown}" is {describe_mode(status.st_mode)}, not a regular file')
    if limit is not None and status.st_size > limit:
        raise Refused(f'"{shown}" is {status.st_size} bytes, more than the {limit} allowed')
    return resolved, status.st_size


def read_bytes(path: Path, root: Path | None, shown: str, limit: int) -> bytes:
    """The content of a regular file inside `root`, refused when larger than `limit` bytes."""
    resolved, _ = regular_size(path, root, shown, limit)
    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        descriptor = os.open(resolved, flags)
    except OSError as exc:
        raise Refused(f'cannot read "{shown}": {exc.strerror or exc}') from exc
    with os.fdopen(descriptor, "rb") as stream:
        status = os.fstat(stream.fileno())
        if not stat.S_ISREG(status.st_mode):
            raise Refused(f'"{shown}" is {describe_mode(status.st_mode)}, not a regular file')
        data = stream.read(limit + 1)
    if len(data) > limit:
        raise Refused(f'"{shown}" is more than {limit} bytes, the most allowed')
    return data
