"""Crash-safe file replacement (a reader sees either the old content or the new, never a partial file); reading such a
file back without blocking on whatever else may stand at its path, and words for JSON in it that cannot be read.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from pathlib import Path

_CLOEXEC = getattr(os, "O_CLOEXEC", 0)


def atomic_write(path: Path, data: bytes) -> None:
    """Write `data` to a temporary file beside `path`, fsync it, rename it over `path` and fsync the directory.

    On failure the temporary file is removed and `path` is left as it was.
    """
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as tmp:
            tmp.write(data)
            tmp.flush()
            os.fsync(tmp.fileno())
        os.replace(tmp_name, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp_name)
        raise
    fsync_directory(path.parent)


def keep_as_backup(path: Path, backup: Path) -> None:
    """Make `backup` another name of `path`'s current content (a hard link, so nothing is copied), replacing any
    earlier backup atomically; where hard links are not supported, copy it. The caller's next atomic write in the
    same directory makes the rename durable."""
    tmp_name = backup.with_name(f".{backup.name}.{os.getpid()}.link")
    with contextlib.suppress(FileNotFoundError):
        os.unlink(tmp_name)
    try:
        os.link(path, tmp_name)
    except OSError:
        atomic_write(backup, path.read_bytes())
        return
    try:
        os.replace(tmp_name, backup)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp_name)
        raise


def fsync_directory(directory: Path) -> None:
    """Make a rename in `directory` durable; a no-op where directories cannot be opened (Windows)."""
    if not hasattr(os, "O_DIRECTORY"):
        return
    fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def read_regular(path: Path, limit: int | None = None) -> tuple[bytes, os.stat_result] | None:
    """The content and status of the regular file at `path` (at most `limit` + 1 bytes of it, when given: more than
    `limit` says it is too large); None when there is none. Never blocks on a FIFO: anything but a regular file raises
    OSError."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | _CLOEXEC)
    except FileNotFoundError:
        return None
    with os.fdopen(fd, "rb") as file:
        status = os.fstat(file.fileno())
        if not stat.S_ISREG(status.st_mode):
            raise OSError("not a regular file")
        return file.read() if limit is None else file.read(limit + 1), status


def unreadable_json(error: ValueError | RecursionError) -> str:
    """Why `json.loads` refused a file's content, beyond a syntax error (which has its own position): in words that do
    not send the reader to Python's internals."""
    if isinstance(error, RecursionError):
        return "its JSON is nested too deeply to read"
    if isinstance(error, UnicodeDecodeError):
        return f"it is not UTF-8 text ({error.reason} at byte {error.start})"
    if "digits" in str(error):
        return "a number in its JSON has too many digits to read"
    return f"it is not valid JSON ({error})"
