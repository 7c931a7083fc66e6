"""Reading a file the tool is handed back or pointed at (its state, a saved plan, a lock's note, a workflow's input)
without blocking on whatever else may stand at its path, and words for JSON in it that cannot be read."""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

_CLOEXEC = getattr(os, "O_CLOEXEC", 0)


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


def read_existing(path: Path, limit: int | None = None) -> bytes:
    """`read_regular`'s content, FileNotFoundError when there is no file: for a file that must be there."""
    found = read_regular(path, limit)
    if found is None:
        raise FileNotFoundError(errno.ENOENT, os.strerror(errno.ENOENT), str(path))
    return found[0]


def json_limit(error: BaseException) -> str | None:
    """The limit of Python's JSON reading that `error` says was passed: "depth" (nesting past the recursion limit) or
    "digits" (an integer longer than `sys.get_int_max_str_digits`); None for any other error."""
    if isinstance(error, RecursionError):
        return "depth"
    if isinstance(error, ValueError) and "digits" in str(error):
        return "digits"
    return None


def unreadable_json(error: ValueError | RecursionError) -> str:
    """Why `json.loads` refused a file's content, beyond a syntax error (which has its own position): in words that do
    not send the reader to Python's internals."""
    if isinstance(error, UnicodeDecodeError):
        return f"it is not UTF-8 text ({error.reason} at byte {error.start})"
    limit = json_limit(error)
    if limit == "depth":
        return "its JSON is nested too deeply to read"
    if limit == "digits":
        return "a number in its JSON has too many digits to read"
    return f"it is not valid JSON ({error})"
