"""Work run in a forked child process: its result, its exception or its failure comes back through the future; it can
be stopped; it is forked only from a process of one thread."""

from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
import threading

import pytest

from assistplan import forked

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="the early refresh forks on Linux only")


class Refused(Exception):
    pass


def test_the_result_comes_back_from_another_process() -> None:
    parent = os.getpid()

    child = forked.fork(lambda: {"pid": os.getpid(), "values": [1, 2.0, True, None, "text"]}, "test-child")

    result = child.future.result(timeout=60)
    assert result["values"] == [1, 2.0, True, None, "text"]
    assert result["pid"] != parent


def test_a_result_larger_than_a_pipe_holds_comes_back_whole() -> None:
    big = bytes(range(256)) * 40_000  # 10 MB: many times a pipe's buffer

    child = forked.fork(lambda: big, "test-child")

    assert child.future.result(timeout=60) == big


def test_an_exception_of_the_work_is_raised_by_the_future() -> None:
    def work() -> None:
        raise Refused("no")

    child = forked.fork(work, "test-child")

    with pytest.raises(Refused, match="no"):
        child.future.result(timeout=60)


def test_a_child_that_ends_without_a_result_fails_the_future() -> None:
    child = forked.fork(lambda: os._exit(3), "test-child")

    with pytest.raises(forked.ChildFailed, match="exit code 3"):
        child.future.result(timeout=60)


def test_a_result_that_cannot_be_pickled_fails_the_future() -> None:
    child = forked.fork(lambda: threading.Lock(), "test-child")

    with pytest.raises(forked.ChildFailed):
        child.future.result(timeout=60)


def test_stop_kills_a_child_still_running() -> None:
    read_end, write_end = os.pipe()
    child = forked.fork(lambda: os.read(read_end, 1), "test-child")  # blocks: nothing is ever written

    child.stop()

    with pytest.raises(forked.ChildFailed, match="killed by signal 9"):
        child.future.result(timeout=60)
    os.close(read_end)
    os.close(write_end)


def test_stop_after_the_child_ended_does_nothing() -> None:
    child = forked.fork(lambda: "done", "test-child")
    assert child.future.result(timeout=60) == "done"

    child.stop()

    assert child.future.result() == "done"


def test_what_the_child_prints_does_not_reach_standard_output(capfd: pytest.CaptureFixture[str]) -> None:
    def work() -> str:
        os.write(1, b"from the child\n")
        return "done"

    child = forked.fork(work, "test-child")

    assert child.future.result(timeout=60) == "done"
    assert "from the child" not in capfd.readouterr().out


def test_a_process_with_another_thread_running_does_not_fork() -> None:
    release = threading.Event()
    other = threading.Thread(target=release.wait)
    other.start()
    try:
        assert not forked.can_fork()
        assert forked.start(lambda: "never", "test-child") is None
    finally:
        release.set()
        other.join()


def test_a_refused_fork_starts_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    def refused() -> int:
        raise BlockingIOError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(forked, "can_fork", lambda: True)
    monkeypatch.setattr(os, "fork", refused)
    opened_before = len(os.listdir("/proc/self/fd"))

    assert forked.start(lambda: "never", "test-child") is None
    assert len(os.listdir("/proc/self/fd")) == opened_before


def test_an_interrupt_is_left_to_the_parent() -> None:
    read_end, write_end = os.pipe()
    child = forked.fork(lambda: os.read(read_end, 1), "test-child")  # waits for the byte written below

    os.kill(child.pid, signal.SIGINT)
    os.write(write_end, b"x")

    assert child.future.result(timeout=60) == b"x"
    os.close(read_end)
    os.close(write_end)


def test_an_interrupt_between_the_fork_and_the_child_ignoring_it_is_discarded(monkeypatch: pytest.MonkeyPatch) -> None:
    real_fork = os.fork

    def interrupted_at_once() -> int:
        pid = real_fork()
        if pid == 0:  # the Ctrl-C arrives before the child has run a line of its own
            os.kill(os.getpid(), signal.SIGINT)
        return pid

    monkeypatch.setattr(os, "fork", interrupted_at_once)
    child = forked.fork(lambda: "finished", "test-child")

    assert child.future.result(timeout=60) == "finished"


def test_an_interrupt_while_the_child_is_set_up_leaves_no_child_no_pipe_and_the_mask_as_it_was(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real_fork = os.fork
    forked_pids: list[int] = []

    def recorded_fork() -> int:
        pid = real_fork()
        forked_pids.append(pid)
        return pid

    def interrupted(*args: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "fork", recorded_fork)
    monkeypatch.setattr(forked.Forked, "__init__", interrupted)
    opened_before = len(os.listdir("/proc/self/fd"))

    with pytest.raises(KeyboardInterrupt):
        forked.fork(lambda: "never collected", "test-child")

    with pytest.raises(ChildProcessError):  # killed and reaped already
        os.waitpid(forked_pids[0], os.WNOHANG)
    assert len(os.listdir("/proc/self/fd")) == opened_before
    assert signal.SIGINT not in signal.pthread_sigmask(signal.SIG_BLOCK, ())


# A process that forks a child which waits forever, prints the child's pid, then waits to be killed
ORPHANING = """
import os, sys
from assistplan import forked
read_end, _ = os.pipe()
child = forked.fork(lambda: os.read(read_end, 1), "test-child")
print(child.pid, flush=True)
sys.stdin.read()
"""


def test_a_child_ends_when_its_parent_is_killed() -> None:
    parent = subprocess.Popen([sys.executable, "-c", ORPHANING], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    assert parent.stdout is not None
    child_pid = int(parent.stdout.readline())
    ended = os.pidfd_open(child_pid)
    try:
        parent.kill()
        parent.wait(timeout=60)

        # the child's pidfd becomes readable when the child ends
        assert select.select([ended], [], [], 60)[0] == [ended]
    finally:
        os.close(ended)
        assert parent.stdin is not None
        parent.stdin.close()
        parent.stdout.close()


def test_work_in_a_child_waits_at_its_gate_until_it_opens() -> None:
    gate = forked.Gate()
    child = forked.fork(gate.wait, "test-child", gate)

    gate.open()

    assert child.future.result(timeout=60) is True


def test_work_in_a_child_whose_gate_is_shut_is_told_so() -> None:
    gate = forked.Gate()
    child = forked.fork(gate.wait, "test-child", gate)

    gate.shut()

    assert child.future.result(timeout=60) is False


def test_work_on_a_thread_waits_at_its_gate_like_a_child() -> None:
    opened, shut = forked.Gate(), forked.Gate()
    answers: dict[str, bool] = {}
    threads = [
        threading.Thread(target=lambda: answers.__setitem__("opened", opened.wait())),
        threading.Thread(target=lambda: answers.__setitem__("shut", shut.wait())),
    ]
    for thread in threads:
        thread.start()

    opened.open()
    shut.shut()
    for thread in threads:
        thread.join(timeout=60)

    assert answers == {"opened": True, "shut": False}


def test_a_gate_acts_once_whatever_comes_after() -> None:
    gate = forked.Gate()
    child = forked.fork(gate.wait, "test-child", gate)

    gate.open()
    gate.shut()

    assert child.future.result(timeout=60) is True
