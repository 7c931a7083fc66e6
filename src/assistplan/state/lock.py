"""The exclusive state lock taken by plan-with-refresh and apply, across processes.

The lock itself is an OS file lock on `<state>.lock` (released by the kernel if the holder dies). Beside it,
`<state>.lock.info` says who holds it, for what and since when; it is only informational, so a stale one left by
a crashed process is simply overwritten by the next holder.

Before letting go, the holder folds the state journal it wrote into the state file (`StateStore.compact_journal`),
even when the run did not compact it itself. A journal left by a run that was killed stays until an apply folds it
in: it marks the state as interrupted. A fold that fails leaves the journal in place, to be replayed by the next
load.

filelock is imported when a lock is made, not with this module: a plan imports the module before its early refresh
starts, and takes the lock only once the manifests stand.
"""

from __future__ import annotations

import contextlib
import getpass
import json
import os
import socket
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

from assistplan.errors import LockError, StateError
from assistplan.reading import read_regular, unreadable_json
from assistplan.state.atomic import atomic_write
from assistplan.state.model import utc_now
from assistplan.state.store import StateStore


def holder_name() -> str:
    """`user@host pid N` for this process."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "unknown"
    return f"{user}@{socket.gethostname()} pid {os.getpid()}"


class StateLock:
    """Context manager holding the lock for `path` (the state file) during `operation`, e.g. "apply"."""

    def __init__(
        self, path: Path, operation: str, timeout: float = 0, waiting: Callable[[str], None] | None = None
    ) -> None:
        """`waiting`, when given, is told once, in words, that the lock is held and how long this run waits for it
        (only when `timeout` is above zero and the lock is not free at once)."""
        path = Path(path)
        self.state_path = path
        self.lock_path = path.with_name(path.name + ".lock")
        self.info_path = path.with_name(path.name + ".lock.info")
        self.operation = operation
        self.timeout = timeout
        self.waiting = waiting
        from filelock import FileLock

        self._file_lock = FileLock(self.lock_path)

    @property
    def is_locked(self) -> bool:
        return self._file_lock.is_locked

    def acquire(self) -> None:
        """Take the lock, waiting up to `timeout` seconds; raises LockError naming the current holder."""
        from filelock import Timeout

        try:
            if self.waiting is None or self.timeout <= 0:
                self._file_lock.acquire(timeout=self.timeout)
            elif not self._taken_at_once():
                self.waiting(f"Waiting up to {self.timeout:g}s for the state lock, held {self._holder()}.")
                self._file_lock.acquire(timeout=self.timeout)
        except Timeout as error:
            raise LockError(self._held_message()) from error
        except OSError as error:
            reason = error.strerror or str(error)
            raise StateError(f"cannot lock the state with {self.lock_path}: {reason}") from error
        try:
            info = {"holder": holder_name(), "operation": self.operation, "created": utc_now().isoformat()}
            atomic_write(self.info_path, (json.dumps(info, indent=2) + "\n").encode("utf-8"))
        except OSError as error:
            self._file_lock.release()
            reason = error.strerror or str(error)
            raise StateError(f"cannot write who holds the state lock to {self.info_path}: {reason}") from error
        except BaseException:
            self._file_lock.release()
            raise

    def release(self) -> None:
        """Fold a journal into the state file, remove the info file, then release the lock (in that order, so the
        next holder's info file is never removed)."""
        try:
            with contextlib.suppress(StateError, OSError):
                StateStore.compact_journal(self.state_path)
        finally:
            with contextlib.suppress(FileNotFoundError):
                self.info_path.unlink()
            self._file_lock.release()

    def __enter__(self) -> StateLock:
        self.acquire()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.release()

    def _taken_at_once(self) -> bool:
        """Take the lock if it is free now, without waiting."""
        from filelock import Timeout

        try:
            self._file_lock.acquire(timeout=0)
        except Timeout:
            return False
        return True

    def _held_message(self) -> str:
        waited = f" (waited {self.timeout:g}s)" if self.timeout > 0 else ""
        return f"cannot {self.operation}: the state is locked {self._holder()}{waited}"

    def _holder(self) -> str:
        """Who holds the lock, for what and since when, as its info file says (`by X for apply since T (path)`)."""
        try:
            found = read_regular(self.info_path)
            if found is None:
                return f"by an unknown holder: {self.info_path} is missing"
            info = json.loads(found[0].decode("utf-8"))
        except OSError as error:
            reason = error.strerror or str(error)
            return f"by an unknown holder: cannot read {self.info_path}: {reason}"
        except (ValueError, RecursionError) as error:
            return f"by an unknown holder: cannot read {self.info_path}: {unreadable_json(error)}"
        if not isinstance(info, dict):
            info = {}
        holder = _shown(info.get("holder"), "an unknown holder")
        operation = _shown(info.get("operation"), "an unknown operation")
        created = _shown(info.get("created"), "an unknown time")
        return f"by {holder} for {operation} since {created} ({self.lock_path})"


SHOWN_CHARS = 200


def _shown(value: object, unknown: str) -> str:
    """A value of the lock's info file as the error shows it: text only, without control characters (escaped, so
    that nothing written there can move the cursor or recolour a terminal), and not too long."""
    if not isinstance(value, str) or not value:
        return unknown
    text = "".join(char if char.isprintable() else char.encode("unicode_escape").decode("ascii") for char in value)
    return text if len(text) <= SHOWN_CHARS else text[:SHOWN_CHARS] + "..."
