"""Running one function in a forked child process, beside the work of this one, and getting its result back.

Threads of one interpreter take turns on its lock: a refresh that parses thousands of listed objects on a thread slows
the manifests' parsing on the main thread as much as it overlaps it. A child process forked from this one runs on
another CPU with everything this process had imported and read, and hands back its result pickled through a pipe.

Forking is used only where it is safe: on Linux, from a process with a single thread (a fork copies only the thread
that calls it, so a lock another thread holds would stay held in the child forever). Elsewhere `start` answers None
and the caller runs the work on a thread instead. The child's standard input and output are /dev/null (its
standard error is the parent's, for a provider's notices); it ignores Ctrl-C (the parent stops it) and is killed by the
kernel when the parent ends, however it ends; it never runs `atexit` functions and never flushes buffers it inherited:
it ends with `os._exit`, whatever happens. The result crosses as a pickle, so it must be
picklable; an exception the function raises crosses too (and is raised by `Future.result`), as does any failure of
the child (`ChildFailed`).
"""

from __future__ import annotations

import os
import pickle
import signal
import sys
import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import Generic, NoReturn, TypeVar

T = TypeVar("T")
CHUNK = 1 << 20
PR_SET_PDEATHSIG = 1
"""linux/prctl.h: the signal a process gets when the thread that forked it ends (the main thread, here)."""


class Gate:
    """A go-ahead that work started beside this process (in a forked child, or on a thread) waits for before doing what
    must wait: the work calls `wait`, this process `open`s the gate (`wait` answers True) or `shut`s it (False). A
    pipe, so that a child and a thread wait alike: `fork` leaves each process only its own end. The work calls
    `wait` exactly once (it closes the reading end); `open` and `shut` act once, the first of them."""

    def __init__(self) -> None:
        self._read, self._write = os.pipe()

    def open(self) -> None:
        self._end(b"1")

    def shut(self) -> None:
        self._end(b"")

    def wait(self) -> bool:
        try:
            return os.read(self._read, 1) == b"1"
        finally:
            os.close(self._read)
            self._read = -1

    def _end(self, word: bytes) -> None:
        if self._write < 0:
            return
        try:
            if word:
                os.write(self._write, word)
        finally:
            os.close(self._write)
            self._write = -1

    def _forked(self, child: bool) -> None:
        """Keep the end this process uses: the child waits, the parent opens or shuts."""
        end = self._write if child else self._read
        os.close(end)
        if child:
            self._write = -1
        else:
            self._read = -1


class ChildFailed(Exception):
    """The child ended without handing back a result (killed, or its result could not be pickled)."""


class Forked(Generic[T]):
    """The work running in a child: `future` settles when it ends (a thread reads its result); `stop` kills it if it
    has not."""

    def __init__(self, pid: int, result_pipe: int, name: str) -> None:
        self.pid = pid
        self.future: Future[T] = Future()
        self._pipe = result_pipe
        self._reaped = threading.Lock()
        self._done = False
        threading.Thread(target=self._collect, daemon=True, name=name).start()

    def stop(self) -> None:
        """Kill the child if it still runs (its result is then `ChildFailed`)."""
        with self._reaped:
            if not self._done:
                os.kill(self.pid, signal.SIGKILL)

    def _collect(self) -> None:
        ended = "no exit status"
        try:
            chunks: list[bytes] = []
            try:
                while chunk := os.read(self._pipe, CHUNK):
                    chunks.append(chunk)
            finally:
                os.close(self._pipe)
                ended = self._reap()
            succeeded, value = pickle.loads(b"".join(chunks))
        except BaseException:  # the future must settle, whatever happened
            self.future.set_exception(ChildFailed(f"the child process ended without a result ({ended})"))
            return
        if succeeded:
            self.future.set_result(value)
        else:
            self.future.set_exception(value)

    def _reap(self) -> str:
        with self._reaped:
            try:
                _, status = os.waitpid(self.pid, 0)
            except ChildProcessError:
                return "reaped elsewhere"
            finally:
                self._done = True
        if os.WIFSIGNALED(status):
            return f"killed by signal {os.WTERMSIG(status)}"
        return f"exit code {os.waitstatus_to_exitcode(status)}"


def can_fork() -> bool:
    """Whether `start` forks here: on Linux, with no thread but this one."""
    return sys.platform == "linux" and threading.active_count() == 1


def start(work: Callable[[], T], name: str, gate: Gate | None = None) -> Forked[T] | None:
    """Run `work` in a forked child; None (nothing started) where forking is not safe (see `can_fork`) or the system
    refuses a process or a pipe (a limit reached). `name` names the thread that waits for the child; `gate`, one
    `work` waits at in the child."""
    if not can_fork():
        return None
    try:
        return fork(work, name, gate)
    except OSError:
        return None


def fork(work: Callable[[], T], name: str, gate: Gate | None = None) -> Forked[T]:
    """Run `work` in a forked child, whatever `can_fork` says: the caller knows no other thread holds a lock `work`
    takes."""
    parent = os.getpid()
    held = signal.pthread_sigmask(signal.SIG_BLOCK, ())  # the mask as it is, to put back
    read_end, write_end = os.pipe()
    pid = 0
    child: Forked[T] | None = None
    try:
        # Ctrl-C is held back from the fork until the child ignores it: one arriving in between would otherwise end
        # the child with a traceback. The parent gets its own when the mask is put back, below.
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
        pid = os.fork()
        if pid == 0:  # the child
            os.close(read_end)
            if gate is not None:
                gate._forked(child=True)
            _run_child(work, write_end, parent, held)
        write_end, sent = -1, write_end
        os.close(sent)
        if gate is not None:
            gate._forked(child=False)
        child = Forked(pid, read_end, name)
        signal.pthread_sigmask(signal.SIG_SETMASK, held)  # raises a Ctrl-C held back meanwhile
    except BaseException:
        # nothing is left behind, whatever failed (the fork refused, or an interrupt on the way): no child, no pipe
        if child is not None:
            child.stop()  # its collecting thread reaps it and closes the pipe
        else:
            _discard(pid, read_end, write_end)
        signal.pthread_sigmask(signal.SIG_SETMASK, held)
        raise
    return child


def _discard(pid: int, *pipe: int) -> None:
    """Kill and reap a child (if `pid`), close the ends of its pipe still open (not -1)."""
    if pid:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    for end in pipe:
        if end >= 0:
            os.close(end)


def _run_child(work: Callable[[], T], out: int, parent: int, mask: set[int | signal.Signals]) -> NoReturn:
    code = 1
    try:
        # an interrupt (Ctrl-C reaches the whole process group) is the parent's to handle: it stops the child. One
        # held back since the fork is discarded as it is ignored.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)
        _end_with(parent)
        # nothing reaches the parent's output (standard error stays: a provider's notices, such as a retry)
        quiet = os.open(os.devnull, os.O_RDWR)
        os.dup2(quiet, 0)
        os.dup2(quiet, 1)
        try:
            outcome: tuple[bool, object] = (True, work())
        except Exception as error:
            outcome = (False, error)
        data = pickle.dumps(outcome, protocol=pickle.HIGHEST_PROTOCOL)
        view = memoryview(data)
        while view:
            view = view[os.write(out, view[:CHUNK]) :]
        code = 0
    finally:
        os._exit(code)


def _end_with(parent: int) -> None:
    """Have the kernel kill this process when its parent ends, however it ends (killed, terminated by a CI runner's
    cancellation): no child outlives the command. Linux's `prctl(PR_SET_PDEATHSIG)`; a parent already gone ends the
    child at once."""
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:
        os._exit(1)
